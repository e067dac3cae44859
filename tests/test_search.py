"""Search and the resource library in a real browser, over the real content indexed by Pagefind."""

from __future__ import annotations

import json
import re
import shutil
import sys
import threading
import time

import pytest
from conftest import search_fragments, serve

from irev import search

from playwright.sync_api import expect


@pytest.fixture(scope="module")
def site_url(real_site):
    with serve(real_site) as url:
        yield url


def result_titles(page):
    return page.locator(".irev-result__title").all_inner_texts()


def test_header_box_searches_the_library(page, site_url):
    page.goto(site_url + "/")
    box = page.get_by_role("searchbox", name="Rechercher dans les ressources")
    box.fill("logement")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/ressources/\?q=logement$"))
    expect(page.locator(".irev-result").first).to_be_visible()
    assert "Enquête de perception des discriminations dans le logement – Communauté d'agglomération de Lens-Liévin" in result_titles(page)
    meta = page.locator(".irev-result__meta").first.inner_text()
    assert re.search(r"(Fiches outils|Plans territoriaux|Réunions et rencontres|Cycles de qualification) · .*20\d\d", meta)


def test_unaccented_query_matches_accented_words(page, site_url):
    page.goto(site_url + "/ressources/?q=egalite")
    expect(page.locator(".irev-result").first).to_be_visible()
    assert any("égalité" in title for title in result_titles(page))


def test_library_lists_everything_and_filters_by_theme_and_territory(page, site_url):
    page.goto(site_url + "/ressources/")
    status = page.locator(".irev-library__status")
    expect(status).to_have_text("12 ressources")
    page.locator("fieldset", has_text="Thématique").get_by_role("button", name=re.compile("^Afficher les")).click()
    page.get_by_label(re.compile(r"^Discriminations dans le logement \(\d+\)$")).check()
    expect(page).to_have_url(re.compile(r"theme=Discriminations\+dans\+le\+logement$"))
    expect(status).to_have_text(re.compile(r"^[2-9] ressources$"))
    themed = set(result_titles(page))
    assert "Plan territorial de prévention et de lutte contre les discriminations de la Métropole Européenne de Lille" in themed
    page.get_by_label(re.compile(r"^CA de Lens - Liévin \(\d+\)$")).check()
    expect(page).to_have_url(re.compile(r"theme=Discriminations\+dans\+le\+logement&territoire=CA\+de\+Lens"))
    expect(page.locator(".irev-result")).not_to_have_count(len(themed))
    narrowed = set(result_titles(page))
    assert narrowed and narrowed < themed
    assert "Enquête de perception des discriminations dans le logement – Communauté d'agglomération de Lens-Liévin" in narrowed


def test_broader_theme_includes_records_of_narrower_themes(page, site_url):
    page.goto(site_url + "/ressources/?theme=Prévention+et+lutte+contre+les+discriminations")
    expect(page.locator(".irev-library__status")).to_have_text(re.compile(r"ressources$"))
    assert "Enquête de perception des discriminations dans le logement – Communauté d'agglomération de Lens-Liévin" in result_titles(page)


def test_commune_record_counts_for_its_epci_and_department(page, site_url):
    page.goto(site_url + "/ressources/?territoire=Pas-de-Calais")
    expect(page.locator(".irev-library__status")).to_have_text(re.compile(r"ressources?$"))
    assert "Enquête de perception des discriminations dans le logement – Communauté d'agglomération de Lens-Liévin" in result_titles(page)


def test_facets_work_with_the_keyboard_alone(page, site_url):
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-library__status")).to_have_text("12 ressources")
    page.locator("#bibliotheque-q").focus()
    page.keyboard.press("Tab")  # first value of the first facet: a type of resource
    focused = page.evaluate("document.activeElement.name")
    assert focused == "type"
    page.keyboard.press("Space")
    expect(page.locator(".irev-library__status")).not_to_have_text("12 ressources")
    assert page.evaluate("document.activeElement.checked") is True


def test_links_to_other_records_are_not_indexed_as_the_record_own_text(real_site):
    """A record's series, « Cité dans » and related records name other records: searching
    their titles must not find every record that links to them."""
    fragments = {url: fragment["content"] for url, fragment in search_fragments(real_site).items()}
    meeting = fragments["/reunions/2022-06-22-reseau-lcd/"]
    assert "Ordre du jour" in meeting  # the record's own text is indexed
    page = (real_site / "reunions" / "2022-06-22-reseau-lcd" / "index.html").read_text(encoding="utf-8")
    assert "Réunion précédente" in page and "Ressources liées" in page  # shown on the page…
    assert "Réunion précédente" not in meeting and "Ressources liées" not in meeting  # …but not indexed
    # …by values Pagefind reads: on any other (as Markdown writes a bare attribute) it warns and guesses
    assert set(re.findall(r'data-pagefind-ignore(?:="([^"]*)")?', page)) <= {"", "index", "all"}


def test_index_in_parts_lists_everything_newest_first(page, site_url, real_site):
    """The site is indexed in parts (5 records each, see conftest): merged in the browser,
    they list every record, newest first, and count facets over all of them."""
    assert json.loads((real_site / "pagefind" / "parts.json").read_text()) == ["parts/1/", "parts/2/"]
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-library__status")).to_have_text("12 ressources")
    page.get_by_role("button", name=re.compile("Afficher plus")).click()
    expect(page.locator(".irev-result")).to_have_count(12)
    years = [int(re.findall(r"\b(20\d\d)\b", meta)[0]) for meta in page.locator(".irev-result__meta").all_inner_texts()]
    assert years == sorted(years, reverse=True) and years[0] > years[-1], years
    counts = page.locator("fieldset", has_text="Type de ressource").locator("label").all_inner_texts()
    assert sum(int(re.search(r"\((\d+)\)", label).group(1)) for label in counts) == 12


def test_a_cancelled_index_leaves_the_previous_one(real_site, tmp_path):
    """While serving, the next edit's build cancels the index still being made: the site keeps
    its previous index whole, and a running Pagefind is stopped rather than waited for."""
    site = tmp_path / "site"
    shutil.copytree(real_site, site)
    before = sorted(p.relative_to(site).as_posix() for p in (site / "pagefind").rglob("*"))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(search.Cancelled):
        search.index_site(site, search_pages(site), cancel)
    assert sorted(p.relative_to(site).as_posix() for p in (site / "pagefind").rglob("*")) == before
    for _ in range(200):  # nothing half-made left beside it (removed beside the build that cancelled)
        if sorted(p.name for p in tmp_path.iterdir()) == ["site"]:
            break
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    running = threading.Event()
    threading.Timer(0.3, running.set).start()
    with pytest.raises(search.Cancelled):  # not stopped, this would sleep and return normally
        search._run([sys.executable, "-c", "import time; time.sleep(20)"], running)


def search_pages(site):
    return [p.relative_to(site).as_posix() for p in site.glob("*/*/index.html") if "pagefind" not in p.parts]


def test_each_result_offers_its_pdf(page, site_url, real_site):
    """The library lists each record's PDF beside it, with its size; the link downloads the file."""
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-result").first).to_be_visible()
    first = page.locator(".irev-result").first
    link = first.get_by_role("link", name=re.compile(r"^Télécharger \(PDF, [\d,]+\s*Ko\) : "))
    expect(link).to_have_count(1)
    title = first.locator(".irev-result__title").inner_text()
    assert link.get_attribute("aria-label").endswith(title)
    href = link.evaluate("a => a.href")
    assert href.startswith(site_url) and href.endswith(".pdf")
    with page.expect_download() as download:
        link.click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF-") and data == (real_site / href[len(site_url) + 1:]).read_bytes()
