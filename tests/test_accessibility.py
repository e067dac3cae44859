"""Accessibility of every page type of the real site, in a real browser (Debian's chromium):
axe-core (bundled and pinned by axe-playwright-python) with the WCAG 2.1 A and AA rules and
axe's best practices, then what axe cannot see: a visible keyboard focus and target sizes."""

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
    "guide de contribution": "/contribuer/",
    "déclaration d'accessibilité": "/accessibilite/",
    "mentions légales": "/mentions-legales/",
    "données personnelles": "/donnees-personnelles/",
    "plan du site": "/plan-du-site/",
    "données ouvertes": "/donnees/",
    "agenda": "/agenda/",
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


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS colours as computed (`rgb(…)`/`rgba(…)`, opaque)."""
    lighter, darker = sorted((_luminance(tuple(int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3]))
                              for colour in (first, second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The focused element's outline, and the colour it is drawn on: the element's own background
# when the outline touches it, else the first opaque background behind it.
FOCUS_STYLE = """element => {
  const transparent = colour => /^rgba\\(.*, 0\\)$|^transparent$/.test(colour);
  const style = getComputedStyle(element);
  let behind = parseFloat(style.outlineOffset) > 0 ? element.parentElement : element;
  let background = "rgba(0, 0, 0, 0)";
  while (behind && transparent(background)) {
    background = getComputedStyle(behind).backgroundColor;
    behind = behind.parentElement;
  }
  const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (element.className && typeof element.className === "string" ? "." + element.className.trim().split(/\\s+/).join(".") : "");
  return {name, visible: element.matches(":focus-visible"), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor,
          background: transparent(background) ? "rgb(255, 255, 255)" : background};
}"""


def focus_problem(element) -> str | None:
    """What is wrong with the focus indicator of a focused element: it must match :focus-visible
    and show an outline of at least 2 px contrasting 3:1 with what it is drawn on (WCAG 2.4.7,
    2.4.11 of WCAG 2.2)."""
    focus = element.evaluate(FOCUS_STYLE)
    if not focus["visible"]:
        return f"{focus['name']} : ne correspond pas à :focus-visible"
    if focus["style"] in ("none", "hidden") or focus["width"] < 2:
        return f"{focus['name']} : contour {focus['style']} de {focus['width']} px"
    ratio = contrast(focus["colour"], focus["background"])
    if ratio < 3:
        return f"{focus['name']} : contour {focus['colour']} sur {focus['background']} ({ratio:.2f}:1)"
    return None


def test_keyboard_focus_is_visible_in_the_library(page, site_url):
    """The theme removes the outline of inputs (`outline: none`): the library's search field and
    its filter checkboxes must show where the keyboard is."""
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-library__status")).to_have_text(LIBRARY_LOADED)
    page.locator("#bibliotheque-q").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # back onto the field with the keyboard
    field = page.locator("#bibliotheque-q")
    expect(field).to_be_focused()
    assert focus_problem(field) is None
    page.keyboard.press("Tab")
    box = page.locator(".irev-facet input[type=checkbox]").first
    expect(box).to_be_focused()
    assert focus_problem(box) is None


@pytest.mark.parametrize("path", ["/", "/ressources/", "/reunions/2022-06-22-reseau-lcd/"])
def test_every_focus_stop_shows_a_visible_focus(page, site_url, path):
    """Tabbing through the whole page (header, tabs, navigation, content, library), each stop
    shows its focus."""
    page.goto(site_url + path)
    if path == "/ressources/":
        expect(page.locator(".irev-library__status")).to_have_text(LIBRARY_LOADED)
        expect(page.locator(".irev-facet").first).to_be_visible()
    problems, seen = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() == 0:  # back to the document: every stop visited
            break
        key = focused.evaluate("e => e.outerHTML.slice(0, 200) + e.getBoundingClientRect().top")
        if seen and key == seen[0]:
            break
        seen.append(key)
        problems.append(focus_problem(focused))
    assert len(seen) > 10
    problems = [problem for problem in problems if problem]
    assert not problems, f"{len(problems)} arrêts sur {len(seen)} sans focus visible :\n" + "\n".join(problems)


def test_facet_checkboxes_are_large_enough_targets(page, site_url):
    """WCAG 2.5.8 (2.2 AA): a target at least 24 × 24 CSS pixels: the checkbox itself (its
    label, beside it, is a second target) and the button that shows more values."""
    page.goto(site_url + "/ressources/")
    box = page.locator(".irev-facet input[type=checkbox]").first
    expect(box).to_be_visible()
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24, size
    toggle = page.locator(".irev-facet__toggle").first  # « Afficher les … autres »
    assert toggle.bounding_box()["height"] >= 24, toggle.bounding_box()
