"""The audit on a generated corpus besides the seed: larger lists, every kind of field filled,
long directories (the issue's audit found 201 links told by colour alone on a 300-record site)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, build_site, serve
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
