"""The HTML cache: reused when nothing changed, never stale when something did."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import assert_same_site, build_site, mkdocs_serve, page_text, served, site_text

from irev import rendering

EXTENSIONS = ["toc", "tables", "md_in_html"]


def count_conversions(monkeypatch) -> list:
    converted = []
    real = rendering.convert_batch

    def spy(pages, extensions, configs):
        converted.extend(uri for uri, _ in pages)
        return real(pages, extensions, configs)

    monkeypatch.setattr(rendering, "convert_batch", spy)
    return converted


def test_second_render_uses_the_cache(tmp_path, monkeypatch):
    converted = count_conversions(monkeypatch)
    pages = [("reunions/a.md", b"# A\n\n[lien](../personnes/x.md#role)"), ("index.md", b"# Accueil")]
    first = rendering.render_pages(pages, EXTENSIONS, {}, tmp_path)
    second = rendering.render_pages(pages, EXTENSIONS, {}, tmp_path)
    assert converted == ["reunions/a.md", "index.md"]
    assert first == second
    page = rendering.read(tmp_path, second["reunions/a.md"])
    assert 'href="../../personnes/x/#role"' in page.html
    assert page.toc[0]["name"] == "A"


def test_a_preview_converts_in_worker_processes_kept_between_its_rebuilds(tmp_path, monkeypatch):
    """Starting the processes cost as much as converting what a title edit changes: a preview keeps them."""
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 0)  # (a title edit at 10,000 records: 8 MB of Markdown)
    workers = rendering.Workers()
    try:
        rendering.render_pages([("a.md", b"# A"), ("b.md", b"# B")], EXTENSIONS, {}, tmp_path, processes=workers)
        started = workers.pool
        assert started is not None
        keys = rendering.render_pages([("a.md", "# A modifié".encode()), ("b.md", b"# B")], EXTENSIONS, {}, tmp_path,
                                      processes=workers)
        assert workers.pool is started
    finally:
        workers.close()
    assert rendering.read(tmp_path, keys["a.md"]).html == rendering.convert_batch([("a.md", "# A modifié".encode())],
                                                                                EXTENSIONS, {})[0][1]


def test_any_change_of_text_or_settings_renders_again(tmp_path, monkeypatch):
    converted = count_conversions(monkeypatch)
    rendering.render_pages([("a.md", b"# A")], EXTENSIONS, {}, tmp_path)
    rendering.render_pages([("a.md", "# A modifié".encode())], EXTENSIONS, {}, tmp_path)
    rendering.render_pages([("a.md", "# A modifié".encode())], EXTENSIONS, {"toc": {"permalink": True}}, tmp_path)
    assert converted == ["a.md", "a.md", "a.md"]


def _flip_last_byte(entry, other):
    data = bytearray(entry.read_bytes())
    data[-2] ^= 1
    entry.write_bytes(bytes(data))


def _swap(entry, other):
    data = entry.read_bytes()
    entry.write_bytes(other.read_bytes())
    other.write_bytes(data)


DAMAGES = {
    "garbage": lambda entry, other: entry.write_bytes(b"{tronqu\xc3\xa9"),
    "cut short": lambda entry, other: entry.write_bytes(entry.read_bytes()[:-3]),
    "byte flipped": _flip_last_byte,  # in the HTML: a header of sizes could not tell
    "same length": lambda entry, other: entry.write_bytes(entry.read_bytes().replace(b">A<", b">Z<")),
    "swapped": _swap,  # each entry is whole, but the other page's
}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("serving", [False, True])
def test_damaged_entry_is_rendered_again(tmp_path, monkeypatch, damage, serving):
    converted = count_conversions(monkeypatch)
    pages = [("a.md", b"# A"), ("b.md", b"# B")]
    keys = rendering.render_pages(pages, EXTENSIONS, {}, tmp_path)
    DAMAGES[damage](*(tmp_path / key[:2] / f"{key}.page" for key in keys.values()))
    again = rendering.render_pages(pages, EXTENSIONS, {}, tmp_path, memo={} if serving else None)
    assert again == keys
    again_converted = ["a.md", "b.md"] if damage == "swapped" else ["a.md"]
    assert converted[:2] == ["a.md", "b.md"] and sorted(converted[2:]) == again_converted
    assert rendering.read(tmp_path, keys["a.md"]).html == '<h1 id="a">A</h1>'
    assert rendering.read(tmp_path, keys["b.md"]).html == '<h1 id="b">B</h1>'


def test_links_between_sources_become_links_between_pages():
    assert rendering.page_url("reunions/a.md") == "reunions/a/"
    assert rendering.page_url("reunions/index.md") == "reunions/"
    [(_, html, _)] = rendering.convert_batch([("index.md", b"[R](reunions/index.md) [P](personnes/x.md)")], [], {})
    assert 'href="reunions/"' in html and 'href="personnes/x/"' in html
    [(_, html, _)] = rendering.convert_batch([("themes/t.md", b"[B](../ressources.md?theme=A%20B&type=C)")], [], {})
    assert 'href="../../ressources/?theme=A%20B&amp;type=C"' in html


def test_generated_html_lists_pass_through_unparsed():
    """Lists the templates write in HTML (class irev-liste) come out as written, links made
    page links, while the Markdown around them, in a Markdown block or not, is converted."""
    ready = '<ul class="irev-liste">\n<li><a href="../reunions/a.md">*Titre* — 2022</a></li>\n</ul>'
    text = f'# T\n\n- *un*\n\n{ready}\n\n<div markdown>\n\n## Liés\n\n{ready}\n\n</div>\n'
    [(_, html, toc)] = rendering.convert_batch([("themes/t.md", text.encode())], EXTENSIONS, {})
    assert html.count('<li><a href="../../reunions/a/">*Titre* — 2022</a></li>') == 2  # not parsed again
    assert "<li><em>un</em></li>" in html and '<h2 id="lies">Liés</h2>' in html
    assert "IREV" not in html and "<p><ul" not in html


def test_a_stale_cache_cannot_show_old_content(tree, tmp_path):
    site = tmp_path / "site"
    cache = tmp_path / "cache"
    assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
    assert "Mot d'introduction de la réunion." in page_text(site, "reunions/2022-03-01-reunion-test")
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("Mot d'introduction de la réunion.", "Texte entièrement réécrit."))
    assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
    text = page_text(site, "reunions/2022-03-01-reunion-test")
    assert "Texte entièrement réécrit." in text and "Mot d'introduction" not in text


def test_a_warm_build_makes_no_pdf_and_an_edit_only_its_records(tree, tmp_path):
    """PDF entries are kept by content: a build with nothing changed writes none; a record's edit
    makes its own PDF again (the one it replaces is pruned), the others' stay untouched."""
    site, cache = tmp_path / "site", tmp_path / "cache"

    def pdf_entries() -> dict:
        assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
        entries = {p.name: p.stat().st_mtime_ns for p in (cache / "pdf").rglob("*.pdf")}
        published = {p.stat().st_ino for p in site.rglob("*.pdf")}  # linked, not copied: not written again
        assert published == {p.stat().st_ino for p in (cache / "pdf").rglob("*.pdf")}
        return entries

    first = pdf_entries()
    assert len(first) == 2 and pdf_entries() == first
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("Mot d'introduction de la réunion.", "Texte entièrement réécrit."))
    after = pdf_entries()
    assert len(after) == 2 and len(after.items() & first.items()) == 1
    texts = site_text(site)
    assert "Texte entièrement réécrit." in texts["reunions/2022-03-01-reunion-test/2022-03-01-reunion-test.pdf"]


def test_unchanged_pages_keep_their_sources_untouched(tree, tmp_path):
    cache = tmp_path / "cache"
    assert build_site(tree, tmp_path / "site", IREV_CACHE_DIR=str(cache)).returncode == 0
    sources = {p: p.stat().st_mtime_ns for p in (cache / "sources").rglob("*.md")}
    record = tree / "cycles" / "2021-04-cycle-test.md"
    record.write_text(record.read_text().replace("Concepts clés", "Concepts fondamentaux"))
    assert build_site(tree, tmp_path / "site", IREV_CACHE_DIR=str(cache)).returncode == 0
    changed = {p.relative_to(cache / "sources").as_posix() for p, t in sources.items() if p.stat().st_mtime_ns != t}
    assert "cycles/2021-04-cycle-test.md" in changed
    assert "reunions/2022-03-01-reunion-test.md" not in changed


def test_search_index_is_reused_only_for_the_same_records(tree, tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
    [first] = list((cache / "pagefind").iterdir())
    assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
    assert list((cache / "pagefind").iterdir()) == [first]
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("Mot d'introduction", "Nouveau mot d'introduction"))
    assert build_site(tree, site, IREV_CACHE_DIR=str(cache)).returncode == 0
    [second] = list((cache / "pagefind").iterdir())
    assert second != first


def test_serve_shows_body_and_field_edits(tree, tmp_path):
    """The real `mkdocs serve --dirty`, with its memos: edits show, on the record and in the lists;
    the editors' guide, unchanged, keeps its source (MkDocs makes its page again only when it is newer)."""
    guide = tmp_path / "serve-cache" / "guide" / "contribuer.md"
    with mkdocs_serve(tree, tmp_path) as base:
        served(f"{base}/reunions/2022-03-01-reunion-test/", "Réunion de test du réseau")
        served(f"{base}/contribuer/", "Comment le site est organisé")
        written = guide.stat().st_mtime_ns
        time.sleep(1)  # let the watcher start
        record = tree / "meetings" / "2022-03-01-reunion-test.md"
        record.write_text(record.read_text() + "\nParagraphe ajouté pendant la prévisualisation.\n")
        served(f"{base}/reunions/2022-03-01-reunion-test/", "Paragraphe ajouté pendant la prévisualisation.")
        record.write_text(record.read_text().replace("titre: Réunion de test du réseau", "titre: Réunion renommée"))
        served(f"{base}/reunions/", "Réunion renommée")
        html = served(f"{base}/personnes/ada-martin/", "Réunion renommée")
        assert "Réunion de test du réseau" not in html
        served(f"{base}/contribuer/", "Comment le site est organisé")
        assert guide.stat().st_mtime_ns == written


def test_a_warm_build_writes_the_pages_the_theme_wrote_before_unless_what_it_reads_changed(tree, tmp_path):
    """Generated pages are kept as the theme wrote them (hooks/irev_hook.py, on_nav): a warm build
    writes the same site; after an edit, the pages showing it are written again, as a fresh build
    writes them; a consent withdrawn leaves her name on none; a setting every page shows (the site's
    address) writes them all again."""
    cache, kept = tmp_path / "cache", tmp_path / "cache" / "ecrites"
    record = tree / "meetings" / "2022-03-01-reunion-test.md"  # dated by the editor, not by the file's edits
    record.write_text(record.read_text().replace("---\n", "---\nmise_a_jour: 2022-03-15\n", 1))

    def build(name: str, **env) -> Path:
        assert build_site(tree, tmp_path / name, IREV_CACHE_DIR=str(cache), **env).returncode == 0
        return tmp_path / name

    def fresh(name: str, **env) -> Path:
        assert build_site(tree, tmp_path / name, IREV_CACHE_DIR=str(tmp_path / f"cache-{name}"), **env).returncode == 0
        return tmp_path / name

    first = build("first")
    entries = {p.name: p.stat().st_mtime_ns for p in kept.rglob("*.html")}
    assert len(entries) >= 20
    warm = build_site(tree, tmp_path / "warm", IREV_CACHE_DIR=str(cache))
    assert warm.returncode == 0 and "Page skipped" not in warm.stderr
    assert_same_site(tmp_path / "warm", first)
    assert {p.name: p.stat().st_mtime_ns for p in kept.rglob("*.html")} == entries  # none written again
    linked = {p.stat().st_ino for p in (tmp_path / "warm").rglob("*.html")} & {p.stat().st_ino for p in kept.rglob("*.html")}
    assert len(linked) == len(entries)  # each kept page linked into the site, neither read nor copied
    record.write_text(record.read_text().replace("Mot d'introduction de la réunion.", "Texte entièrement réécrit."))
    assert "Texte entièrement réécrit." in page_text(build("body"), "reunions/2022-03-01-reunion-test")
    assert len({p.name for p in kept.rglob("*.html")} - entries.keys()) == 1  # that page only
    record.write_text(record.read_text().replace("Réunion de test du réseau", "Réunion renommée du réseau"))
    edited = build("edited")
    assert "Réunion renommée du réseau" in page_text(edited, "personnes/ada-martin")
    assert_same_site(edited, fresh("edited-fresh"))
    people = tree / "registre" / "personnes.yml"  # consent withdrawn: no page written before may keep her name
    people.write_text(people.read_text().replace("consentement_publication: true", "consentement_publication: false", 1))
    def naming(site: Path) -> list:
        return [path for path in site.rglob("*.html") if re.search(r"Ada\s+MARTIN", path.read_text(), re.IGNORECASE)]

    assert naming(edited)
    withdrawn = build("withdrawn")
    assert naming(withdrawn) == []
    assert "IREVLISTE" not in (withdrawn / "personnes/index.html").read_text()  # no one left: the list, empty, goes back
    assert_same_site(withdrawn, fresh("withdrawn-fresh"))
    moved = build("moved", IREV_SITE_URL="https://exemple.org/ressources/")
    assert 'href="https://exemple.org/ressources/reunions/2022-03-01-reunion-test/"' in (
        moved / "reunions/2022-03-01-reunion-test/index.html").read_text()
    assert_same_site(moved, fresh("moved-fresh", IREV_SITE_URL="https://exemple.org/ressources/"))


def test_a_warm_build_writes_again_only_the_open_data_of_the_type_edited(tree, tmp_path):
    """The open data's files of a type none of whose objects changed are left as written (a warm
    build at 10,000 records used to make 350 MB of them again); an edited meeting's type and the
    file of everything are written again, as a fresh build writes them."""
    cache = tmp_path / "cache"

    def dates() -> dict:
        return {p.name: p.stat().st_mtime_ns for p in (cache / "donnees").rglob("*") if p.is_file()}

    assert build_site(tree, tmp_path / "first", IREV_CACHE_DIR=str(cache)).returncode == 0
    first = dates()
    assert build_site(tree, tmp_path / "warm", IREV_CACHE_DIR=str(cache)).returncode == 0
    assert dates() == first
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("Mot d'introduction de la réunion.", "Texte réécrit."))
    assert build_site(tree, tmp_path / "edited", IREV_CACHE_DIR=str(cache)).returncode == 0
    changed = {name for name, date in dates().items() if date != first[name]}
    # (the CSV holds no text: made again with the type's files, it may keep its bytes)
    assert {"reunions.json", "tout.jsonl"} <= changed <= {"reunions.json", "reunions.csv", "tout.jsonl"}
    assert build_site(tree, tmp_path / "fresh", IREV_CACHE_DIR=str(tmp_path / "cache-fresh")).returncode == 0
    assert_same_site(tmp_path / "edited", tmp_path / "fresh")


def test_a_published_site_keeps_its_files_when_a_later_build_changes_them(tree, tmp_path):
    """Feeds, calendar files and open data are linked from the cache into the site, not copied: a
    later build of another site from the same cache replaces them there, never in place."""
    cache = tmp_path / "cache"
    assert build_site(tree, tmp_path / "first", IREV_CACHE_DIR=str(cache)).returncode == 0
    served = {path: path.read_bytes() for path in (tmp_path / "first").rglob("*")
              if path.suffix in (".ics", ".xml", ".csv", ".jsonl") and path.name != "sitemap.xml"}
    assert len(served) > 10 and any(path.stat().st_nlink > 1 for path in served)  # linked, not copied
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    record.write_text(record.read_text().replace("Réunion de test du réseau", "Réunion renommée du réseau"))
    assert build_site(tree, tmp_path / "second", IREV_CACHE_DIR=str(cache)).returncode == 0
    assert "Réunion renommée du réseau".encode() in (tmp_path / "second" / "donnees" / "tout.jsonl").read_bytes()
    assert {path: path.read_bytes() for path in served} == served
