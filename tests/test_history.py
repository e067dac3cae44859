"""« Mis à jour le … » from the content's history (irev/history.py): the last commit touching a
record's file in a git clone, the file's own date otherwise or once edited, the editor's
`mise_a_jour` above both; read on real builds (page, PDF, feed, structured data, sitemap)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from conftest import MINIMAL, build_site, page_text, pdf_text

MEETING = "meetings/2022-03-01-reunion-test.md"
PAGE = "reunions/2022-03-01-reunion-test"


def _git(tree, *args, date="2023-05-04T10:00:00+02:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "IREV",
           "GIT_AUTHOR_EMAIL": "irev@example.org", "GIT_COMMITTER_NAME": "IREV", "GIT_COMMITTER_EMAIL": "irev@example.org"}
    subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True, env=env)


def _updated(site) -> str:
    text = page_text(site, PAGE)
    html = (site / PAGE / "index.html").read_text(encoding="utf-8")
    pdf = pdf_text((site / PAGE / f"{PAGE.rsplit('/', 1)[1]}.pdf").read_bytes())
    found = html.split("Mis à jour le ", 1)[1].split(".", 1)[0]
    assert f"Mis à jour le {found}" in pdf  # the PDF's footer says the same
    assert text  # the page was built
    return found


@pytest.fixture
def clone(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git absent")
    tree = tmp_path / "content"
    shutil.copytree(MINIMAL, tree)
    _git(tree, "init", "-q")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", "contenu")
    return tree


def test_a_record_is_dated_by_its_last_commit_then_by_its_own_date_once_edited(clone, tmp_path):
    site = tmp_path / "site"
    assert build_site(clone, site).returncode == 0
    assert _updated(site) == "4 mai 2023"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{PAGE}/</loc>\n         <lastmod>2023-05-04</lastmod>" in sitemap
    meeting = clone / MEETING
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("Une réunion pour les tests.", "Modifiée."),
                       encoding="utf-8")
    when = dt.datetime(2024, 1, 2, 12).timestamp()
    os.utime(meeting, (when, when))
    assert build_site(clone, site).returncode == 0
    assert _updated(site) == "2 janvier 2024"  # edited since the commit: the file's date


def test_the_editors_date_comes_first(clone, tmp_path):
    meeting = clone / MEETING
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("statut: publie\n", "statut: publie\nmise_a_jour: 2025-09-30\n"),
                       encoding="utf-8")
    _git(clone, "commit", "-q", "-am", "mise à jour")
    site = tmp_path / "site"
    assert build_site(clone, site).returncode == 0
    assert _updated(site) == "30 septembre 2025"


def test_without_git_a_record_is_dated_by_its_file(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(MINIMAL, tree)
    when = dt.datetime(2021, 7, 14, 12).timestamp()
    os.utime(tree / MEETING, (when, when))
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    assert _updated(site) == "14 juillet 2021"
