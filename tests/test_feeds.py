"""Atom feeds (irev/feeds.py): read back with a feed parser from real builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import yaml

from irev.models import Reunion

from conftest import MINIMAL, ROOT, build_site

SITE_URL = "https://ressources.irev.fr/"


def _feeds(site: Path) -> dict[str, feedparser.FeedParserDict]:
    return {p.relative_to(site).as_posix(): feedparser.parse(p.read_bytes()) for p in sorted(site.rglob("flux.xml"))}


def _page_of(site: Path, url: str) -> Path:
    assert url.startswith(SITE_URL), url
    return site / url[len(SITE_URL):] / "index.html"


def test_every_feed_is_valid_atom_with_absolute_links_to_existing_pages(real_site):
    feeds = _feeds(real_site)
    assert {"flux.xml", "reunions/flux.xml", "fiches/flux.xml", "plans/flux.xml", "cycles/flux.xml"} <= feeds.keys()
    for name, feed in feeds.items():
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert feed.version == "atom10" and feed.feed.language == "fr"
        assert feed.feed.id == SITE_URL + name
        assert feed.entries, name
        for entry in feed.entries:
            assert entry.id == entry.link and _page_of(real_site, entry.link).exists(), (name, entry.link)
            assert entry.title and entry.updated_parsed and entry.published_parsed


def test_the_site_feed_lists_the_latest_records_newest_first(real_site):
    records = [p for folder in ("meetings", "cycles", "plans", "fiches") for p in (ROOT / "content" / folder).glob("*.md")]
    entries = _feeds(real_site)["flux.xml"].entries
    assert len(entries) == len(records)  # the seed has fewer records than a feed holds
    published = [entry.published_parsed for entry in entries]
    assert published == sorted(published, reverse=True)
    meeting = next(e for e in entries if e.link.endswith("/reunions/2022-06-22-reseau-lcd/"))
    assert (meeting.tags[0].term, meeting.tags[0].label) == ("reunion", Reunion.LABEL)  # its type, then its themes
    assert "Testing" in [t.label for t in meeting.tags[1:]]


def test_a_theme_feed_carries_the_records_of_its_narrower_themes(real_site):
    themes = yaml.safe_load((ROOT / "content" / "registre" / "themes.yml").read_text(encoding="utf-8"))
    feeds = _feeds(real_site)
    checked = 0
    for theme in themes:
        child = feeds.get(f"thematiques/{theme['id']}/flux.xml")
        if not theme.get("parent") or child is None:
            continue
        parent = feeds[f"thematiques/{theme['parent']}/flux.xml"]
        assert {e.link for e in child.entries} <= {e.link for e in parent.entries}, theme["id"]
        checked += 1
    assert checked >= 3


def test_pages_name_their_feeds_for_readers_and_browsers(real_site):
    theme_page = (real_site / "thematiques" / "evaluation" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Évaluation des politiques publiques — flux Atom" href="flux.xml">' in theme_page
    assert "S'abonner aux nouvelles ressources de cette page (flux Atom)" in theme_page
    assert (real_site / "thematiques" / "evaluation" / "flux.xml").exists()
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="IREV — dernières ressources" href="(\./)?flux\.xml">', home)
    record = (real_site / "reunions" / "2022-06-22-reseau-lcd" / "index.html").read_text(encoding="utf-8")
    assert "flux Atom)" not in record  # a record has no feed of its own


def test_feeds_leave_out_drafts_and_people_without_consent(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(MINIMAL, tree)
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "resume: Une réunion pour les tests.",
        "resume: Témoignage de Paul SECRET ([[personne:paul-secret]]) et de [[personne:ada-martin]]."), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    feeds = _feeds(site)
    text = " ".join(p.read_text(encoding="utf-8") for p in site.rglob("flux.xml"))
    assert "SECRET" not in text and "paul-secret" not in text and "brouillon" not in text
    summary = next(e.summary for e in feeds["flux.xml"].entries if e.link.endswith("/2022-03-01-reunion-test/"))
    assert summary == "Témoignage de [nom non publié] (une personne non nommée) et de Ada MARTIN."


def test_a_feed_follows_the_site_address_and_is_rewritten_only_when_it_changes(tmp_path):
    site = tmp_path / "site"
    assert build_site(MINIMAL, site, IREV_SITE_URL="https://apercu.example.org/pr-12/").returncode == 0
    feed = feedparser.parse((site / "flux.xml").read_bytes())
    assert feed.entries[0].link.startswith("https://apercu.example.org/pr-12/reunions/")
    first = (site / "flux.xml").read_bytes()
    assert build_site(MINIMAL, site, IREV_SITE_URL="https://apercu.example.org/pr-12/").returncode == 0
    assert (site / "flux.xml").read_bytes() == first  # no build date inside: the same content, the same bytes
