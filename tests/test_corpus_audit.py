"""The audit on a generated corpus besides the seed: larger lists, every kind of field filled,
long directories (the issue's audit found 201 links told by colour alone on a 300-record site)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, build_site, serve
from irev import catalogue, loading
from test_accessibility import assert_no_violation
from test_html import html_errors
from test_links import broken_links

SECTIONS = ("reunions", "cycles", "plans", "fiches", "personnes", "organisations", "territoires", "thematiques")


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, "scripts/generate_corpus.py", "--records", "120", "--out", str(work / "content")],
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
    paths = ["/", "/ressources/"]
    for section in SECTIONS:
        entries = sorted(p.parent.name for p in (corpus_site / section).glob("*/index.html"))
        paths += [f"/{section}/", f"/{section}/{entries[0]}/", f"/{section}/{entries[-1]}/"]
    for path in paths:
        page.goto(site_url + path)
        assert_no_violation(page)
