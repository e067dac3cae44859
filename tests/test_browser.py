"""A real browser (Debian's chromium driven by Playwright) on the built site, as a visitor uses it."""

from __future__ import annotations

import re

import pytest
from conftest import MINIMAL, build_site, serve
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("browser") / "site"
    assert build_site(MINIMAL, site).returncode == 0
    with serve(site) as url:
        yield url


def test_visitor_goes_from_home_to_a_meeting(page, site_url):
    page.goto(site_url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="Réunions").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réunions et rencontres")
    page.get_by_role("link", name="Réunion de test du réseau").click()
    expect(page).to_have_url(site_url + "/reunions/2022-03-01-reunion-test/")
    expect(page.get_by_role("table")).to_contain_text("Ada MARTIN")


def test_keyboard_user_can_skip_to_content(page, site_url):
    page.goto(site_url + "/cycles/2021-04-cycle-test/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#cycle-de-test$"))  # waits for the jump, unlike page.url


def test_phone_layout_shows_the_record(page, site_url):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site_url + "/reunions/2022-03-01-reunion-test/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page must not scroll sideways on a phone"


def test_site_title_is_whole_on_a_phone(page, site_url):
    """At 390 px the header's title is not cut (« Ressources I… »)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "/")
    title = page.locator(".md-header__topic .md-ellipsis").first
    expect(title).to_have_text("Ressources IREV")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "the title is cut"


def test_printed_pages_keep_headings_with_their_text_and_show_addresses(page, site_url):
    """Printed (a fiche for a meeting), a heading stays with what follows it and an external
    link shows its address after its text."""
    page.emulate_media(media="print")
    page.goto(site_url + "/reunions/2022-03-01-reunion-test/")
    heading = page.locator("article h2").first
    assert heading.evaluate("e => getComputedStyle(e).breakAfter") == "avoid"
    # An external link as the pages write them (the minimal content has none).
    after = page.locator("article p").first.evaluate(
        """p => { const a = document.createElement("a"); a.href = "https://www.irev.fr/ressources"; a.textContent = "IREV";
                  p.append(a); return getComputedStyle(a, "::after").content; }""")
    assert "https://www.irev.fr/ressources" in after
