"""Older IREV documents (issue 14): events within events, sessions of a cycle, plans at another stage,
fiches that are guides. Each fact of tests/fixtures/archives-evenements/ found on its built page, in
its PDF and in the search index; the new rules' messages through the real `python -m irev check`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import built_tree, page_text, record_pdf, run, serve, site_text, write
from test_accessibility import assert_no_violation
from test_html import html_errors
from test_links import broken_links

from playwright.sync_api import expect

ARCHIVES = Path(__file__).resolve().parent / "fixtures" / "archives-evenements"
DAY = "2014-11-18-journee-regionale-contrats-de-ville"
ATELIER = "2014-11-18-atelier-lieu-de-residence"
OTHER_ATELIER = "2014-11-18-atelier-egalite-femmes-hommes"
CYCLE = "2016-cycle-agir-contre-les-discriminations"
DIAGNOSTIC = "2016-diagnostic-discriminations-porte-du-hainaut"
GUIDE = "2014-guide-agir-contre-les-discriminations"
TWIN = "2014-grille-autodiagnostic-discriminations"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_tree(tmp_path_factory, ARCHIVES)


def pdf(site: Path, section: str, ident: str) -> str:
    return " ".join(record_pdf(site, f"{section}/{ident}", properties=False).split())


def html(site: Path, section: str, ident: str) -> str:
    return (site / section / ident / "index.html").read_text(encoding="utf-8")


def facets(site: Path, section: str, ident: str) -> dict[str, list[str]]:
    """The facet values a record page carries (what Pagefind indexes)."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'data-pagefind-filter="([^"]+)">([^<]+)<', html(site, section, ident)):
        found.setdefault(name, []).append(value)
    return found


def json_ld(site: Path, section: str, ident: str) -> list[dict]:
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html(site, section, ident), re.S)]


def indexed_filters(site: Path) -> dict[str, dict]:
    """Each indexed page's filters, as the search index holds them."""
    found = {}
    for name, text in site_text(site).items():
        if "/fragment/" in name:
            fragment = json.loads(text.removeprefix("pagefind_dcd"))
            found[fragment["url"]] = fragment["filters"]
    return found


# --- events within events ----------------------------------------------------------------------


def test_atelier_names_the_regional_day_it_belongs_to(site):
    text = page_text(site, f"reunions/{ATELIER}")
    assert "Type Atelier Date mardi 18 novembre 2014, 14 h 00 – 15 h 30" in text
    assert ("Dans le cadre de Journée régionale « Contrats de ville nouvelle génération et prévention des "
            "discriminations » (rencontre régionale du mardi 18 novembre 2014)") in text
    assert f'href="../{DAY}/"' in html(site, "reunions", ATELIER)
    assert "Dans le cadre de : Journée régionale « Contrats de ville nouvelle génération" in pdf(site, "reunions", ATELIER)


def test_regional_day_lists_its_ateliers_once(site):
    text = page_text(site, f"reunions/{DAY}")
    assert "Type Rencontre régionale" in text
    assert ("Ateliers Atelier « L'égalité femmes-hommes dans les contrats de ville » — 18 novembre 2014 "
            "Atelier « Le critère du lieu de résidence, de la loi à l'action locale » — 18 novembre 2014") in text
    assert "Cité dans" not in text  # the ateliers are not listed a second time
    page = html(site, "reunions", DAY)
    assert f'href="../{ATELIER}/"' in page and f'href="../{OTHER_ATELIER}/"' in page
    assert "Ateliers • Atelier « L'égalité femmes-hommes dans les contrats de ville »" in pdf(site, "reunions", DAY)


def test_structured_data_nests_the_ateliers_in_the_day(site):
    (atelier,) = json_ld(site, "reunions", ATELIER)
    assert atelier["superEvent"] == {"@type": "Event", "url": f"https://ressources.irev.fr/reunions/{DAY}/",
                                     "name": "Journée régionale « Contrats de ville nouvelle génération et prévention "
                                             "des discriminations »"}
    (day,) = json_ld(site, "reunions", DAY)
    assert sorted(event["url"].rsplit("/", 2)[1] for event in day["subEvent"]) == [OTHER_ATELIER, ATELIER]
    assert "superEvent" not in day and "subEvent" not in atelier


def test_ateliers_are_filed_under_meetings_and_events_not_network_meetings(site):
    assert facets(site, "reunions", ATELIER)["type"] == ["Réunions et rencontres"]
    assert "<h1 id=\"reunions-et-rencontres\">Réunions et rencontres" in (site / "reunions" / "index.html").read_text(encoding="utf-8")
    assert not [name for name, text in site_text(site).items() if "Réunions de réseau" in text]


# --- sessions of a cycle ------------------------------------------------------------------------


def test_two_day_session(site):
    text = page_text(site, f"cycles/{CYCLE}")
    assert "Début jeudi 17 mars 2016" in text
    assert ("Session 1 — Comprendre les discriminations, le droit et les mécanismes Journée, IREV, Lille Date Horaires "
            "Public du jeudi 17 mars 2016 au vendredi 18 mars 2016 9 h 30 – 16 h 30 Tous les publics") in text


def test_session_repeated_in_four_territories(site):
    text = page_text(site, f"cycles/{CYCLE}")
    session = text[text.index("Session 2"):text.index("Session 3")]
    assert "Date Horaires Lieu Public" in session
    rows = re.findall(r"mardi (\d+ \w+) 2016 ([^()]+?) \( (CA Maubeuge Val de Sambre|CA de Lens - Liévin|CU de Dunkerque"
                      r"|CA Amiens Métropole) \) Tous les publics", session)
    assert rows == [("12 avril", "Centre social de l'Épinette, Maubeuge", "CA Maubeuge Val de Sambre"),
                    ("19 avril", "Maison de l'habitant, Lens", "CA de Lens - Liévin"),
                    ("3 mai", "Halle aux sucres, Dunkerque", "CU de Dunkerque"),
                    ("10 mai", "Espace Dewailly, Amiens", "CA Amiens Métropole")]
    assert 'href="../../territoires/ca-amiens-metropole/"' in html(site, "cycles", CYCLE)
    assert "Espace Dewailly, Amiens (CA Amiens Métropole)" in pdf(site, "cycles", CYCLE)


def test_undated_session_keeps_its_programme(site):
    text = page_text(site, f"cycles/{CYCLE}")
    assert ("Session 3 — Journée régionale de restitution Journée Date à préciser. Restitution des travaux des quatre "
            "territoires Les suites à donner dans les plans territoriaux") in text
    assert "Date à préciser." in pdf(site, "cycles", CYCLE)


def test_the_territories_of_a_cycles_sessions_find_it(site):
    territories = facets(site, "cycles", CYCLE)["territoire"]
    for name in ("CA Maubeuge Val de Sambre", "CA de Lens - Liévin", "CU de Dunkerque", "CA Amiens Métropole",
                 "Nord", "Pas-de-Calais", "Somme", "Hauts-de-France"):
        assert name in territories, name
    assert "Cycle de qualification « Agir contre les discriminations" in page_text(site, "territoires/ca-amiens-metropole")
    meta = re.search(r'data-pagefind-meta="territoire">([^<]+)<', html(site, "cycles", CYCLE)).group(1)
    assert meta == "Hauts-de-France, CA Maubeuge Val de Sambre, CA de Lens - Liévin et 2 autres"


# --- plans at another stage ----------------------------------------------------------------------


def test_diagnostic_before_any_plan_is_not_shown_as_a_plan(site):
    text = page_text(site, f"plans/{DIAGNOSTIC}")
    assert "Plan visé Plan territorial de lutte contre les discriminations Étape Diagnostic" in text
    assert "Type Plan territorial" not in text
    assert "Synthèse partielle" not in text and "ne couvre qu'une partie" not in text
    assert "Diagnostic Réalisé par ASDO en 2016." in text
    document = record_pdf(site, f"plans/{DIAGNOSTIC}")
    assert document.splitlines()[0].endswith("Hauts-de-France Diagnostic territorial")  # what the record is
    assert "Étape : Diagnostic" in document and "Plan territorial\n" not in document
    citation = re.search(r'<h2 id="irev-citer">Citer cette ressource</h2>\s*<p>([^<]+)</p>', html(site, "plans", DIAGNOSTIC))
    assert "Diagnostic territorial des discriminations de la Porte du Hainaut [diagnostic territorial]" in citation.group(1)


def test_plan_stage_is_a_search_facet(site):
    assert facets(site, "plans", DIAGNOSTIC)["etape"] == ["Diagnostic"]
    assert "etape" not in facets(site, "cycles", CYCLE)
    indexed = indexed_filters(site)
    assert indexed[f"/plans/{DIAGNOSTIC}/"]["etape"] == ["Diagnostic"]
    assert [url for url, filters in indexed.items() if "etape" in filters] == [f"/plans/{DIAGNOSTIC}/"]


# --- fiches that are guides ----------------------------------------------------------------------


def test_guide_lists_its_five_sheets_with_their_pages(site):
    text = page_text(site, f"fiches/{GUIDE}")
    assert "Agir contre les discriminations dans les contrats de ville Télécharger" in text
    assert "Guide méthodologique à l'usage des acteurs des contrats de ville Type Guide" in text
    sheets = text[text.index("Sommaire Fiche Pages"):text.index("Contact Pôle")]
    assert re.findall(r"Fiche (\d) : .+? p\. ([\d–]+)", sheets) == [
        ("1", "6–9"), ("2", "10–15"), ("3", "16–19"), ("4", "20–27"), ("5", "28")]
    assert "Fiche 2 : Établir un diagnostic territorial p. 10–15" in pdf(site, "fiches", GUIDE)


def test_guide_and_its_twin_tool_name_each_other(site):
    guide, twin = page_text(site, f"fiches/{GUIDE}"), page_text(site, f"fiches/{TWIN}")
    assert "Publié avec Grille d'autodiagnostic « Les discriminations dans mon projet de territoire »" in guide
    assert "Publié avec Agir contre les discriminations dans les contrats de ville" in twin
    assert f'href="../{TWIN}/"' in html(site, "fiches", GUIDE) and f'href="../{GUIDE}/"' in html(site, "fiches", TWIN)
    assert "Cité dans" not in twin  # named once, as its twin
    assert "Publié avec : Agir contre les discriminations dans les contrats de ville" in pdf(site, "fiches", TWIN)


def test_contacts_of_fiches_follow_the_consent_rules(site):
    guide = page_text(site, f"fiches/{GUIDE}")
    assert ("Contact Pôle cohésion sociale, Direction régionale de la jeunesse, des sports et de la cohésion sociale des "
            "Hauts-de-France (DRJSCS) · Tél. 03 20 00 00 14 · cohesion-sociale@exemple.gouv.fr") in guide
    twin = page_text(site, f"fiches/{TWIN}")
    assert "Contact Chargé de mission politique de la ville, Direction régionale" in twin
    for hidden in ("lefranc", "03 20 00 00 15"):  # no consent: neither the name nor the details, anywhere
        assert not [name for name, text in site_text(site).items() if hidden in text.lower()], hidden


# --- the library ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(site):
    with serve(site) as url:
        yield url


def test_library_filters_by_plan_stage(page, site_url):
    page.goto(site_url + "/ressources/")
    expect(page.locator(".irev-library__status")).to_have_text("7 ressources")
    stage = page.locator("fieldset", has_text="Étape du plan")
    stage.get_by_label("Diagnostic (1)").check()
    expect(page).to_have_url(re.compile(r"etape=Diagnostic$"))
    expect(page.locator(".irev-library__status")).to_have_text("1 ressource")
    assert page.locator(".irev-result__title").all_inner_texts() == [
        "Diagnostic territorial des discriminations de la Porte du Hainaut"]


def test_new_parts_of_pages_are_valid_html_linked_and_accessible(page, site_url, site):
    assert broken_links(site)[0] == []
    assert html_errors(site) == []
    for path in (f"reunions/{DAY}", f"reunions/{ATELIER}", f"cycles/{CYCLE}", f"plans/{DIAGNOSTIC}", f"fiches/{GUIDE}"):
        page.goto(f"{site_url}/{path}/")
        assert_no_violation(page)


# --- the rules, as editors meet them ----------------------------------------------------------------


@pytest.fixture
def archives(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ARCHIVES, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_rules_are_reported_in_french_with_their_lines(archives):
    edit(archives / "cycles" / f"{CYCLE}.md", "date_fin: 2016-03-18", "date_fin: 2016-03-16")
    edit(archives / "meetings" / f"{ATELIER}.md", f"evenement_parent: {DAY}", f"evenement_parent: {ATELIER}")
    edit(archives / "meetings" / f"{OTHER_ATELIER}.md", f"evenement_parent: {DAY}", f"evenement_parent: {GUIDE}")
    edit(archives / "fiches" / f"{GUIDE}.md", "page_debut: 28", "page_fin: 28")
    edit(archives / "plans" / f"{DIAGNOSTIC}.md", "etape: diagnostic", "etape: adoptee")
    result = run(["irev", "check"], archives)
    assert result.returncode == 1
    out = result.stdout
    assert (f"cycles/{CYCLE}.md:28: phases[0].sessions[0].creneaux[0].date_fin: date_fin doit être après date "
            "(une séance d'un seul jour n'a pas de date_fin)") in out
    assert f"meetings/{ATELIER}.md:18: evenement_parent: la ressource « {ATELIER} » se désigne elle-même" in out
    assert f"meetings/{OTHER_ATELIER}.md:14: evenement_parent: réunion inconnue « {GUIDE} »" in out
    assert (f"fiches/{GUIDE}.md:33: feuillets[4].page_fin: page_fin demande une page_debut plus petite "
            "(une fiche d'une page n'a que page_debut)") in out
    assert (f"plans/{DIAGNOSTIC}.md:13: etape: valeur « adoptee » non autorisée : attendu diagnostic, en-elaboration, "
            "adopte, en-evaluation, acheve (piste : vouliez-vous dire « adopte » ?)") in out


def test_a_cycle_needs_one_dated_session(archives):
    write(archives / "cycles" / "2016-cycle-sans-date.md", "---\ntitre: Cycle sans date\nstatut: publie\n"
          "type: cycle-de-qualification\norganisateur: irev\nformat: presentiel\nphases:\n  - titre: Phase unique\n"
          "    sessions:\n      - titre: Session à venir\n---\n")
    result = run(["irev", "check"], archives)
    assert ("cycles/2016-cycle-sans-date.md:8: phases: aucune session datée : donnez les « creneaux » d'au moins "
            "une session (ils datent le cycle)") in result.stdout
