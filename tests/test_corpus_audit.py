"""The audit on a generated corpus besides the seed: larger lists, every kind of field filled,
long directories (the issue's audit found 201 links told by colour alone on a 300-record site)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from urllib.parse import quote

import pytest
from conftest import ROOT, build_site, search_fragments, serve
from irev import catalogue, loading
from irev.pages import record_uri
from test_accessibility import assert_no_violation
from test_html import html_errors
from test_links import broken_links

SECTIONS = ("reunions", "cycles", "plans", "fiches", "personnes", "organisations", "territoires", "thematiques")


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, "scripts/generate_corpus.py", "--records", "130", "--out", str(work / "content")],
                   cwd=ROOT, check=True, capture_output=True)
    result = build_site(work / "content", work / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "site"


def test_a_territorys_long_lists_show_the_newest_and_say_where_the_rest_is(corpus_site):
    """The region's meetings with its organisations (most of the corpus's: beyond the limit) stop at
    the newest thirty and count the rest; its resources of each type point to the library's filters."""
    cat, _ = catalogue.build(loading.load(corpus_site.parent / "content"))
    attended = [entry.id for entry in cat.meetings_attended(cat.organisations_in("hauts-de-france"))]
    page = (corpus_site / "territoires" / "hauts-de-france" / "index.html").read_text(encoding="utf-8")
    section = _listed(page, "Réunions où ses organisations étaient représentées")
    assert section and int(section[1]) == len(attended) > 30
    items = re.findall(r"<li>(.*?)</li>", section[2], re.S)
    assert re.findall(r'href="\.\./\.\./reunions/([^/"]+)/"', section[2]) == attended[:30]
    assert len(items) == 31 and items[-1] == f"… et {len(attended) - 30} plus anciennes"
    meetings = _listed(page, "Réunions et rencontres")
    assert meetings and int(meetings[1]) > 30 and meetings[2].count("<li>") == 31
    assert (f'href="../../ressources/?type=R%C3%A9unions%20et%20rencontres&amp;territoire=Hauts-de-France">'
            f"Voir les {meetings[1]} dans la bibliothèque</a></li>") in meetings[2]


def test_an_organisations_own_resources_are_the_librarys_and_those_citing_it_apart(corpus_site):
    """IREV's page lists what it made by type with the counts of the library's organisation facet, a
    type beyond the limit ending on the link to the library's list; the records that only cite it apart."""
    cat, _ = catalogue.build(loading.load(corpus_site.parent / "content"))
    made, cited = cat.records_of("irev")
    page = (corpus_site / "organisations" / "irev" / "index.html").read_text(encoding="utf-8")
    name = html.unescape(re.search(r"<h1[^>]*>([^<]*)", page).group(1))
    in_library = {}
    for fragment in search_fragments(corpus_site).values():
        if name in fragment["filters"].get("organisation", []):
            kind = fragment["filters"]["type"][0]
            in_library[kind] = in_library.get(kind, 0) + 1
    own, others = page.split("<h2 id=\"autres-ressources-ou-elle-apparait\">")
    listed = {kind: int(count) for kind, count in re.findall(r'<h3 id="[^"]*">([^<(]+) \((\d+)\)', own)}
    assert listed == in_library and sum(listed.values()) == len(made)
    meetings = _listed(own, "Réunions et rencontres")
    assert int(meetings[1]) > 30 and meetings[2].count("<li>") == 31
    assert (f'href="../../ressources/?type=R%C3%A9unions%20et%20rencontres&amp;organisation={quote(name)}">'
            f"Voir les {meetings[1]} dans la bibliothèque</a></li>") in meetings[2]
    assert cited and all(f'href="../../{record_uri(entry).removesuffix(".md")}/"' in others for entry in cited[:30])
    assert not any(f'href="../../{record_uri(entry).removesuffix(".md")}/"' in others for entry in made)


def test_a_sections_index_shows_its_newest_records_and_a_page_for_each_year(corpus_site):
    """The meetings' index: the newest thirty, then every year with its count and its page, which
    lists that year's meetings, newest first, and links to the years around it."""
    cat, _ = catalogue.build(loading.load(corpus_site.parent / "content"))
    meetings = cat.by_kind("reunion")
    index = (corpus_site / "reunions" / "index.html").read_text(encoding="utf-8")
    assert len(meetings) > 30 and _record_links(index) == [e.id for e in meetings[:30]]
    years = [(int(year), int(count)) for year, count in re.findall(r'<li><a href="annees/(\d+)/">\1</a> \((\d+)\)</li>', index)]
    assert [year for year, _ in years] == list(dict.fromkeys(e.model.sort_date().year for e in meetings))
    assert sum(count for _, count in years) == len(meetings) and len(years) > 2
    for at, (year, count) in enumerate(years):
        page = (corpus_site / "reunions" / "annees" / str(year) / "index.html").read_text(encoding="utf-8")
        assert _record_links(page) == [e.id for e in meetings if e.model.sort_date().year == year] and count
        assert len(_record_links(page)) == count and f"<title>Réunions et rencontres en {year} - Ressources IREV</title>" in page
        around = re.findall(r'(Année suivante|Année précédente) : <a href="\.\./(\d+)/">\2</a>', page)
        assert around == [(label, str(years[i][0])) for label, i in (("Année suivante", at - 1), ("Année précédente", at + 1))
                          if 0 <= i < len(years)]


def _record_links(page: str) -> list[str]:
    """The ids of the records a generated page lists, in order."""
    article = re.search(r"<article.*?</article>", page, re.S).group(0)
    return re.findall(r'<li><a href="(?:\.\./\.\./)?([^/".]+)/">', article)


def _listed(page: str, heading: str) -> re.Match | None:
    """The count a heading gives (group 1) and the list below it (group 2)."""
    return re.search(re.escape(heading) + r' \((\d+)\)(?:<a [^>]*>¶</a>)?</h[23]>\s*<ul class="irev-liste">(.*?)</ul>', page, re.S)


@pytest.fixture(scope="module")
def site_url(corpus_site):
    with serve(corpus_site) as url:
        yield url


def test_no_broken_link_and_no_html_error_in_a_generated_site(corpus_site):
    broken, _ = broken_links(corpus_site)
    assert broken == []
    errors = html_errors(corpus_site)
    assert errors == [], "\n".join(errors[:20])


def test_no_axe_violation_on_each_page_type_of_a_generated_site(page, site_url, corpus_site):
    """Each section's index or directory, its first and its last page, and the library."""
    paths = ["/", "/ressources/", "/reunions/annees/2020/"]
    for section in SECTIONS:
        entries = sorted(p.parent.name for p in (corpus_site / section).glob("*/index.html"))
        paths += [f"/{section}/", f"/{section}/{entries[0]}/", f"/{section}/{entries[-1]}/"]
    for path in paths:
        page.goto(site_url + path)
        assert_no_violation(page)
