"""Accessibility of every page type of the real site, in a real browser (Debian's chromium):
axe-core (bundled and pinned by axe-playwright-python) with the WCAG 2.1 A and AA rules and
axe's best practices."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import serve
from playwright.sync_api import expect

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# One page of every page type of the seed site.
PAGES = {
    "accueil": "/",
    "réunion": "/reunions/2022-06-22-reseau-lcd/",
    "cycle": "/cycles/2021-04-initier-un-plan-lcd/",
    "plan": "/plans/2018-ptlcd-metropole-europeenne-de-lille/",
    "fiche": "/fiches/2022-enquete-perception-discriminations-logement-call/",
    "index des réunions": "/reunions/",
    "index des cycles": "/cycles/",
    "index des plans": "/plans/",
    "index des fiches": "/fiches/",
    "personne": "/personnes/karima-elkhadiri/",
    "organisation": "/organisations/call/",
    "territoire": "/territoires/ca-de-lens-lievin/",
    "thématique": "/thematiques/discriminations/",
    "annuaire des personnes": "/personnes/",
    "annuaire des organisations": "/organisations/",
    "annuaire des territoires": "/territoires/",
    "annuaire des thématiques": "/thematiques/",
    "bibliothèque": "/ressources/",
    "404": "/404.html",
    "à propos": "/a-propos/",
}

AXE = Axe()
LIBRARY_LOADED = re.compile(r"^\d+ ressources?$|^Aucune ressource")


@pytest.fixture(scope="module")
def site_url(real_site):
    with serve(real_site) as url:
        yield url


def violations(page) -> list[str]:
    """axe's violations on the page as loaded: one line per rule, with its impact, the number of
    elements and the first of their selectors."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    found = []
    for rule in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in rule["nodes"]]
        found.append(f"{rule['id']} ({rule['impact']}, {len(targets)} élément(s)) : {', '.join(targets[:3])}")
    return found


def assert_no_violation(page) -> None:
    found = violations(page)
    assert not found, "violations axe :\n" + "\n".join(found)


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_axe_violation(page, site_url, path):
    page.goto(site_url + path)
    if path == "/ressources/":
        expect(page.locator(".irev-library__status")).to_have_text(LIBRARY_LOADED)
        expect(page.locator(".irev-facet").first).to_be_visible()
    assert_no_violation(page)


def test_library_with_a_query_and_a_ticked_facet_has_no_axe_violation(page, site_url):
    page.goto(site_url + "/ressources/?q=discriminations")
    status = page.locator(".irev-library__status")
    expect(status).to_have_text(LIBRARY_LOADED)
    expect(page.locator(".irev-result__excerpt").first).to_be_visible()  # excerpts with <mark>
    box = page.locator(".irev-facet input[type=checkbox]").first
    box.check()
    expect(page).to_have_url(re.compile(r"&type="))
    expect(page.locator(".irev-facet input:checked")).to_have_count(1)
    expect(status).to_have_text(LIBRARY_LOADED)
    assert_no_violation(page)
