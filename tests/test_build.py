"""Real `mkdocs build --strict` runs: pages exist with their content; bad content stops the build."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from conftest import MINIMAL, ROOT, build_site, mkdocs_serve, page_text, served, write

from irev import settings


def test_minimal_build_has_a_page_per_record_and_per_type(tmp_path):
    site = tmp_path / "site"
    result = build_site(MINIMAL, site)
    assert result.returncode == 0, result.stderr
    for path in ("index.html", "reunions/index.html", "cycles/index.html", "plans/index.html", "fiches/index.html",
                 "reunions/2022-03-01-reunion-test/index.html", "cycles/2021-04-cycle-test/index.html",
                 "a-propos/index.html"):
        assert (site / path).is_file(), path
    text = page_text(site, "reunions/2022-03-01-reunion-test")
    assert "mardi 1er mars 2022, 9 h 30 – 12 h 00" in text
    assert "Ada MARTIN Chargée de mission" in text
    index = page_text(site, "reunions")
    assert "2022 Réunion de test du réseau" in index
    home = page_text(site, "")
    assert "Réunion de test du réseau — Réunions et rencontres, 1er mars 2022" in home
    assert '<html lang="fr"' in (site / "index.html").read_text()


def test_cycle_slots_show_each_audience_group(tmp_path):
    site = tmp_path / "site"
    assert build_site(MINIMAL, site).returncode == 0
    text = page_text(site, "cycles/2021-04-cycle-test")
    assert "mardi 6 avril 2021 9 h 00 – 12 h 00 Délégués du préfet" in text
    assert "mardi 6 avril 2021 13 h 30 – 16 h 30 Tous les publics" in text
    assert "Tél. 03 00 00 00 00" in text


def test_drafts_and_unconsented_names_stay_out_of_the_public_build(tmp_path):
    site = tmp_path / "site"
    assert build_site(MINIMAL, site).returncode == 0
    assert not (site / "reunions" / "2022-04-01-reunion-brouillon").exists()
    files = [p for p in site.rglob("*") if p.is_file()]
    everything = " ".join(p.read_text(errors="ignore") for p in files)
    # Only the editors' guide (/contribuer/) may say the word: it explains drafts.
    others = " ".join(p.read_text(errors="ignore") for p in files if p.parent.name != "contribuer")
    assert "brouillon" not in others.lower().replace("brouillons", "")
    assert "reunion-brouillon" not in everything and "encore en brouillon" not in everything.lower()
    assert "SECRET" not in everything and "paul-secret" not in everything
    assert "une personne non nommée Responsable habitat" in page_text(site, "reunions/2022-03-01-reunion-test")


def test_drafts_are_shown_with_a_banner_in_the_preview_when_asked(tree, tmp_path):
    with mkdocs_serve(tree, tmp_path, IREV_BROUILLONS="1") as base:
        html = served(f"{base}/reunions/2022-04-01-reunion-brouillon/", "Cette ressource est un brouillon")
    assert 'class="admonition warning"' in html


def test_bad_content_fails_the_build_with_every_problem_and_publishes_nothing(tree, tmp_path):
    write(tree / "meetings" / "2022-02-30-x.md",
          "---\ntitre: x\nstatut: publie\ntype: reunion-de-reseau\ndate: 2022-02-30\nformat: visio\norganisateur: irev\n---\n")
    write(tree / "cycles" / "dup.md", "---\ntitre: a\ntitre: b\n---\n")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode != 0
    assert "meetings/2022-02-30-x.md:5: date: date impossible « 2022-02-30 »" in result.stderr
    assert "cycles/dup.md:3: titre: champ en double" in result.stderr
    assert "Rien n'a été publié" in result.stderr
    assert not site.exists()


def test_a_site_with_nothing_published_yet_builds_without_a_search_index(tree, tmp_path):
    """A new archive whose records are all drafts: Pagefind cannot index nothing, the build
    must still succeed (the library then says search is unavailable)."""
    for record in tree.rglob("*.md"):
        record.write_text(record.read_text(encoding="utf-8").replace("statut: publie", "statut: brouillon"),
                          encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    assert (site / "ressources" / "index.html").is_file()
    assert not (site / "pagefind").exists()
    assert "<entry>" not in (site / "flux.xml").read_text(encoding="utf-8")  # the site's feed, empty, as every page names it


def _sitemap(site) -> list[str]:
    tree = ElementTree.parse(site / "sitemap.xml")
    return [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def _canonical(site, path: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', (site / path / "index.html").read_text()).group(1)


def test_the_sitemap_and_canonical_links_are_absolute_under_the_site_url(real_site):
    configured = re.search(r'^site_url: !ENV \[IREV_SITE_URL, "([^"]+)"\]$', (ROOT / "mkdocs.yml").read_text(), re.M)
    assert configured.group(1) == settings.DEFAULT_SITE_URL  # the core's default is mkdocs.yml's
    base = settings.site_url()  # that default, unless IREV_SITE_URL is set for this run
    urls = _sitemap(real_site)
    assert base + "reunions/2022-06-22-reseau-lcd/" in urls and base in urls
    assert all(url.startswith(base) for url in urls)
    assert len(urls) == len(set(urls)) == len([p for p in real_site.rglob("index.html")])
    assert _canonical(real_site, "reunions/2022-06-22-reseau-lcd") == base + "reunions/2022-06-22-reseau-lcd/"


def test_irev_site_url_sets_another_address_for_a_preview(tmp_path):
    site = tmp_path / "site"
    preview = "https://apercu.example.org/pr-12/"
    assert build_site(MINIMAL, site, IREV_SITE_URL=preview).returncode == 0
    urls = _sitemap(site)
    assert preview + "reunions/2022-03-01-reunion-test/" in urls and all(url.startswith(preview) for url in urls)
    assert _canonical(site, "reunions/2022-03-01-reunion-test") == preview + "reunions/2022-03-01-reunion-test/"
    assert settings.site_url("https://apercu.example.org/pr-12") == preview
    assert settings.absolute_url("pieces-jointes/2022/cr.pdf", preview) == preview + "pieces-jointes/2022/cr.pdf"
    with pytest.raises(ValueError, match="adresse du site « ressources.irev.fr » invalide"):
        settings.site_url("ressources.irev.fr")
