"""Property-based: hostile records and registries never crash the pipeline, every problem
names its file and line, and no output holds active content or a name without consent."""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.utils import yaml_load as mkdocs_yaml_load

from conftest import MINIMAL, ROOT, active_content, active_in, build_site, run, site_text

from irev import catalogue, loading, pages, rendering

MARK = "irevPwned"
# Markup an attacker would try, in every place a text goes.
PAYLOADS = [
    f"<script>window.{MARK}=1</script>", f'<img src=x onerror="window.{MARK}=1">', f"[x](javascript:window.{MARK}=1)",
    f'[x](https://ok.example/){{: onclick="window.{MARK}=1" }}', "<iframe src=https://evil.example/></iframe>",
    f"<svg onload=window.{MARK}=1>", f'<a href="jav&#x61;script:window.{MARK}=1">x</a>', "<style>*{display:none}</style>",
    f"<scr<b>ipt>window.{MARK}=1</scr</b>ipt>", f"<details open ontoggle=window.{MARK}=1>", "<!-- x", "&lt;script&gt;",
    "![p](https://tracker.example/p.png)", f'<div data-pagefind-filter="theme">x</div>', "{{ 7*7 }}", "{% raw %}",
    "[[personne:paul-secret]]", "[[theme:inconnu]]", "[[", "]]", "|", "\n---\n", "`<script>`", "<form><input></form>",
]
# The name of the fixture's person without consent (Paul SECRET), written in many ways.
NAMES = ["Paul SECRET", "PAUL secret", "Paul-Secret", "M. Secret", "Monsieur SECRET", "Paul **SECRET**",
         "P&#97;ul SECRET", "Paul SEC\u00adRET", "Ｐａｕｌ ＳＥＣＲＥＴ", "paul.secret@exemple.fr",
         "https://exemple.fr/paul-secret", "SECRET Paul", "Paul%20SECRET"]
ODD = ["\x00", "\x0c", "\x1b", "\x7f", "\u202e", "\u200b", "\ufeff", "\u2028", "e\u0301", "😀", "\r", "\r\n", "\t",
       "\\", '"', "'", ":", "- ", "# ", "&", "*a", "!!python/object:os.system", "%", "{", "}", "[", "]"]

fragment = st.one_of(st.sampled_from(PAYLOADS + NAMES + ODD), st.text(max_size=12))
hostile_text = st.lists(fragment, max_size=6).map("".join)


def scalar(text: str, quoted: bool) -> str:
    return json.dumps(text, ensure_ascii=False) if quoted else text


# Front matter lines that break YAML in the ways a file could.
RAW_YAML = [
    "a: &x [1, 2]\nb: *x\n", "<<: {titre: x}\n", "[a, b]: x\n", "? [a]\n: b\n", "titre: x\n", "themes: *absent\n",
    "domaines: " + "[" * 200 + "]" * 200 + "\n", "resume: " + "x" * 200_000 + "\n", "resume: |\n  a\n\tb\n",
    "statut: y\n", "date: 2023-02-30\n", "auteurs: {organisation: irev}\n", "auteurs:\n  - personne: [a, b]\n",
    "- liste\n", "null\n", "sources:\n  - titre: x\n    url: javascript:alert(1)\n",
]
FILE_NAMES = st.one_of(st.just("2023-fiche"), st.sampled_from(
    ["index", "2023-Fiche", "2023 fiche", "2023-fiché", "2023-paul-secret", ".cachee", "a" * 200, "-x-", "2023--x"]))
EXTENSIONS = st.sampled_from([".md", ".md", ".md", ".MD", ".markdown", ".txt"])


@st.composite
def hostile_record(draw) -> tuple[str, str]:
    quoted = draw(st.booleans())
    fields = {"titre": draw(hostile_text) or "Titre", "resume": draw(hostile_text), "objet": draw(hostile_text),
              "mode_emploi": draw(hostile_text)}
    lines = ["---", "statut: publie", "type: guide", "date: 2023", "themes: [discriminations]"]
    lines += [f"{key}: {scalar(value, quoted)}" for key, value in fields.items() if value]
    lines += ["auteurs:", "  - organisation: irev", f"    fonction: {scalar(draw(hostile_text) or 'x', quoted)}",
              "domaines:", f"  - titre: {scalar(draw(hostile_text) or 'x', True)}",
              f"    description: {scalar(draw(hostile_text) or 'x', True)}"]
    raw = draw(st.lists(st.sampled_from(RAW_YAML), max_size=2))
    text = "\n".join(lines) + "\n" + "".join(raw) + "---\n" + draw(hostile_text) + "\n\n" + draw(hostile_text) + "\n"
    if draw(st.booleans()):
        text = "\ufeff" + text if draw(st.booleans()) else text.replace("\n", "\r\n")
    return draw(FILE_NAMES) + draw(EXTENSIONS), text


@st.composite
def hostile_registries(draw) -> dict[str, str]:
    """Additions to the registries: a theme, an organisation, a consenting person's function."""
    return {
        "themes.yml": f"- id: hostile\n  libelle: {json.dumps(draw(hostile_text) or 'x', ensure_ascii=False)}\n"
                      f"  description: {json.dumps(draw(hostile_text) or 'x', ensure_ascii=False)}\n",
        "organisations.yml": f"- id: org-hostile\n  nom: {json.dumps(draw(hostile_text) or 'x', ensure_ascii=False)}\n"
                             f"  type: association\n",
        "personnes.yml": "- id: eve-durand\n  nom: DURAND\n  prenom: Ève\n  consentement_publication: true\n"
                         f"  fonctions:\n    - organisation: irev\n      intitule: "
                         f"{json.dumps(draw(hostile_text) or 'x', ensure_ascii=False)}\n",
    }


def hostile_tree(root: Path, record: tuple[str, str], registries: dict[str, str]) -> Path:
    tree = shutil.copytree(MINIMAL, root / "content")
    name, text = record
    (tree / "fiches").mkdir()
    (tree / "fiches" / name).write_bytes(text.encode("utf-8", "surrogatepass"))
    for file, addition in registries.items():
        with (tree / "registre" / file).open("a", encoding="utf-8") as handle:
            handle.write(addition)
    return tree


def folded(text: str) -> str:
    """Independent of irev.privacy: entities, escapes, compatibility forms, accents, case, marks."""
    text = unicodedata.normalize("NFKD", unquote(html.unescape(text)))
    text = "".join(c for c in text if not unicodedata.combining(c) and c not in "\u00ad\u200b*")
    return re.sub(r"[\s\-_.'/+]+", " ", text.lower())


def holds_the_name(text: str) -> bool:
    return re.search(r"(?<![a-z])(paul secret|secret paul|(m|monsieur) secret)(?![a-z])", folded(text)) is not None


def _markdown_settings():
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as handle:
        config = mkdocs_yaml_load(handle)  # MkDocs' own reading: !ENV (site_url)
    names, configs = [], {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        names.append(name)
        if options:
            configs[name] = options
    return names, configs


EXTENSION_NAMES, EXTENSION_CONFIGS = _markdown_settings()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(record=hostile_record(), registries=hostile_registries())
def test_hostile_content_through_the_core(record, registries):
    with tempfile.TemporaryDirectory() as folder:
        tree = hostile_tree(Path(folder), record, registries)
        content = loading.load(tree)
        cat, problems = catalogue.build(content)
        problems = content.problems + problems
        for problem in problems:
            assert problem.file.startswith("content/") and problem.line >= 1 and problem.message, problem
            assert not re.search(r"Input should|Field required|should be|Traceback", str(problem)), problem
        if any(not p.warning for p in problems):
            return  # nothing is published
        generated = pages.generate(cat)
        converted = rendering.convert_batch([(p.src_uri, p.text) for p in generated], EXTENSION_NAMES, EXTENSION_CONFIGS)
        for page, (uri, page_html, toc) in zip(generated, converted):
            assert active_in(page_html) == [], uri
            assert not holds_the_name(page_html) and not holds_the_name(page.title), uri
            assert "<" not in page.title, uri  # the theme prints titles as they are
            assert not holds_the_name(json.dumps(toc, ensure_ascii=False)), uri


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(record=hostile_record(), registries=hostile_registries())
def test_hostile_content_through_the_real_build(record, registries):
    with tempfile.TemporaryDirectory() as folder:
        tree = hostile_tree(Path(folder), record, registries)
        checked = run(["irev", "check"], tree)
        built = build_site(tree, Path(folder) / "site")
        for result in (checked, built):
            assert "Traceback" not in result.stdout + result.stderr
        assert (built.returncode == 0) == (checked.returncode == 0)  # make check and make site agree
        if built.returncode:
            assert not (Path(folder) / "site" / "index.html").exists()  # nothing published half-built
            return
        site = Path(folder) / "site"
        assert active_content(site) == {}
        for name, text in site_text(site).items():
            if not name.endswith((".js", ".map", ".css")) and ".wasm" not in name:
                assert not holds_the_name(text), name
                assert f"window.{MARK}" not in text or "<script" not in text.split(f"window.{MARK}")[0][-40:], name
