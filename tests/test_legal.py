"""The legal pages a public body's site must have (déclaration d'accessibilité, mentions légales,
données personnelles, plan du site), linked from every page's footer; their settings in
mkdocs.yml (extra: legal:), flagged by `python -m irev check` while still « À COMPLÉTER »; the
404 page in French, working at any base path."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT, MINIMAL, ROOT, build_site, run, serve, write
from test_accessibility import PAGES

from irev import legal

LEGAL = {
    "/accessibilite/": "Déclaration d'accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
    "/plan-du-site/": "Plan du site",
}
FOOTER = {"Accessibilité : partiellement conforme": "/accessibilite/", "Mentions légales": "/mentions-legales/",
          "Données personnelles": "/donnees-personnelles/", "Plan du site": "/plan-du-site/"}
FILLED = {"direction_publication": "Marie Exemple, directrice", "hebergeur": "Hébergeur Exemple SAS",
          "hebergeur_adresse": "1 rue de l'Exemple, 59000 Lille", "hebergeur_telephone": "03 00 00 00 00",
          "accessibilite_courriel": "accessibilite@example.org", "dpo_courriel": "dpo@example.org",
          "licence_contenus": "Licence Ouverte / Open Licence 2.0"}


@pytest.fixture(scope="module")
def site_url(real_site):
    with serve(real_site) as url:
        yield url


def test_every_page_type_links_the_legal_pages_from_its_footer(page, site_url):
    for path in PAGES.values():
        page.goto(site_url + path)
        footer = page.locator('footer nav[aria-label="Informations légales"]')
        links = footer.locator("a")
        found = {links.nth(i).inner_text(): links.nth(i).evaluate("a => a.href") for i in range(links.count())}
        assert found == {text: site_url + target for text, target in FOOTER.items()}, path
        assert all(links.nth(i).is_visible() for i in range(links.count())), path


@pytest.mark.parametrize("path", LEGAL)
def test_legal_pages_are_french_with_one_heading_and_every_setting_shown(real_site, path):
    html = (real_site / path.strip("/") / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article"): html.index("</article>")]
    assert '<html lang="fr"' in html
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", article, re.DOTALL)[0].startswith(LEGAL[path])
    assert len(re.findall(r"<h1\b", html)) == 1
    assert "reglage" not in article  # every marker replaced


def test_the_declaration_states_the_conformity_and_the_placeholders_show(real_site):
    html = (real_site / "accessibilite" / "index.html").read_text(encoding="utf-8")
    assert "<strong>partiellement conforme</strong>" in html
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in html
    assert "À COMPLÉTER : adresse électronique pour signaler" in html


def test_the_site_stores_nothing_in_the_browser(page, site_url):
    """What the mentions légales say: no cookie, nothing in the browser's storage."""
    for path in ("/", "/ressources/?q=discriminations", "/reunions/2022-06-22-reseau-lcd/", "/404.html"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        stored = page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]")
        assert stored == ["", 0, 0], path
    assert page.context.cookies() == []


def test_the_404_page_is_in_french_and_links_home(page, site_url):
    page.goto(site_url + "/404.html")
    assert page.title() == "Page introuvable - Ressources IREV"
    assert page.locator("h1").inner_text() == "Page introuvable"
    home = page.get_by_role("link", name="Revenir à l'accueil")
    assert home.get_attribute("href") == "/"
    assert page.locator("#irev-recherche").is_visible()  # the header's search box
    home.click()
    assert page.url == site_url + "/"


def test_the_404_page_links_under_the_sites_path(tmp_path):
    """Served for any unknown address, at any depth: its links and assets are absolute under
    site_url's path, never relative and never at the server's root."""
    site = tmp_path / "site"
    result = build_site(MINIMAL, site, IREV_SITE_URL="https://apercu.example.org/pr-12/")
    assert result.returncode == 0, result.stderr
    html = (site / "404.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src|action)="([^"]*)"', html)
    assert links and [link for link in links if not link.startswith(("/pr-12/", "#"))] == []
    assert '<a href="/pr-12/">Revenir à l\'accueil</a>' in html


def test_check_warns_about_each_setting_still_to_fill():
    result = run(["irev", "check"], CONTENT)
    assert result.returncode == 0, result.stdout
    for name in FILLED:
        assert re.search(rf"^ATTENTION mkdocs\.yml:\d+: extra\.legal\.{name}: .*à compléter", result.stdout, re.MULTILINE), name
    assert "extra.legal.conformite" not in result.stdout


def test_check_is_quiet_once_the_settings_are_filled(tmp_path):
    settings = "".join(f"    {name}: {value}\n" for name, value in FILLED.items())
    config = write(tmp_path / "mkdocs.yml", f"INHERIT: {ROOT / 'mkdocs.yml'}\nextra:\n  legal:\n{settings}")
    result = run(["irev", "check", "--config", str(config)], CONTENT)
    assert result.returncode == 0
    assert "extra.legal" not in result.stdout
    write(config, config.read_text(encoding="utf-8").replace("dpo@example.org", "à voir"))
    result = run(["irev", "check", "--config", str(config)], CONTENT)
    assert "extra.legal.dpo_courriel: « à voir » n'est pas une adresse électronique" in result.stdout


def test_settings_are_shown_as_text():
    extra = {"legal": {"hebergeur": "<script>x</script> *gras* [lien](javascript:x)", "dpo_courriel": "dpo@example.org"}}
    shown = legal.fill("<!-- reglage: hebergeur --> / <!-- reglage:dpo_courriel -->", extra)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert r"\*gras\*" in shown and r"\[lien\]" in shown
    assert shown.endswith('<a href="mailto:dpo@example.org">dpo@example.org</a>')
    assert legal.fill("<!-- reglage: hebergeur -->", {}) == legal.SETTINGS["hebergeur"]
    with pytest.raises(ValueError, match="réglage inconnu « herbergeur »"):
        legal.fill("<!-- reglage: herbergeur -->", extra)


def test_mkdocs_yml_sets_every_setting():
    assert set(legal.read_extra(ROOT / "mkdocs.yml")["legal"]) == set(legal.SETTINGS)
