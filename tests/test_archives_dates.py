"""Older IREV documents (tests/fixtures/archives-dates/): dates with the precision their sources give,
a part of the day, a meeting known only by its subject; each fact on the built page, in the PDF and
in the search index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import built_tree, page_text, record_pdf, site_text

ARCHIVES = Path(__file__).resolve().parent / "fixtures" / "archives-dates"
MEETING = "reunions/2017-03-14-reseau-emploi-jeunes"
NEWS = "plans/2016-11-diagnostic-lcd-lens-lievin"
CYCLE = "cycles/2016-10-cycle-discriminations-embauche"
GUIDE = "fiches/2014-guide-accueil-non-discriminant"
ATELIER = "reunions/2014-12-atelier-accueil-non-discriminant"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_tree(tmp_path_factory, ARCHIVES)


def pdf(site: Path, uri: str) -> str:
    return record_pdf(site, uri)


def indexed(site: Path, uri: str) -> dict:
    """What the search index holds of a page: its metadata and filters."""
    for name, text in site_text(site).items():
        if name.startswith("pagefind/fragment/") and f'"url":"/{uri}/"' in text:
            return json.loads(text[text.index("{"):])
    raise AssertionError(f"{uri} not indexed")


def sort_key(site: Path, uri: str) -> str:
    """The date the library sorts a page by (Pagefind reads it from the page)."""
    return re.search(r'data-pagefind-sort="date">([^<]*)<', (site / uri / "index.html").read_text(encoding="utf-8"))[1]


def test_a_news_item_dated_by_its_month(site):
    text = page_text(site, NEWS)
    assert "Date novembre 2016" in text and "1er novembre" not in text
    found = indexed(site, NEWS)
    assert found["meta"]["date"] == "novembre 2016"
    assert found["filters"]["annee"] == ["2016"] and sort_key(site, NEWS) == "2016-11-01"  # at its first day
    assert "Date : novembre 2016" in pdf(site, NEWS)
    assert "Lens-Liévin restitue son diagnostic territorial de lutte contre les discriminations — novembre 2016" in \
        page_text(site, "plans")


def test_key_dates_keep_their_precision_and_the_day_without_its_year(site):
    expected = ("Dates clés 2015 : La lutte contre les discriminations est inscrite au contrat de ville 2015-2020 de "
                "l'agglomération. juin 2016 : Lancement du diagnostic, confié au cabinet IFAR. 6 novembre (année non "
                "précisée : « le 6 novembre dernier », d'après [nom non publié]) : Restitution du diagnostic aux élus")
    assert expected in page_text(site, NEWS)
    document = " ".join(pdf(site, NEWS).split())
    assert "6 novembre (année non précisée : « le 6 novembre dernier », d'après [nom non publié]) : Restitution" in document
    assert "juin 2016 : Lancement du diagnostic" in document


def test_the_diagnostic_is_dated_by_its_year_with_what_the_source_says(site):
    text = page_text(site, NEWS)
    assert "Réalisé par Intervention Formation Action Recherche (IFAR) en 2016 (de juin à octobre)." in text
    assert "en 2016 (de juin à octobre)" in " ".join(pdf(site, NEWS).split())


def test_a_meeting_held_in_the_afternoon(site):
    text = page_text(site, MEETING)
    assert ("Date mardi 14 mars 2017, après-midi Ajouter à mon agenda (fichier iCalendar) "
            "Format Présentiel — Maison de l'emploi, Lens") in text
    assert "mardi 14 mars 2017, après-midi" in pdf(site, MEETING)


def test_a_previous_meeting_known_only_by_its_subject_is_plain_text(site):
    text = page_text(site, MEETING)
    assert ("Réunion précédente : Réunion du réseau sur l'accès des jeunes des quartiers à l'apprentissage, présentée "
            "par [nom non publié] (12 mai 2016)") in text
    html = (site / MEETING / "index.html").read_text(encoding="utf-8")
    series = html[html.index("Réunion précédente"):html.index("</li>", html.index("Réunion précédente"))]
    assert "<a " not in series
    assert "Réunion précédente : Réunion du réseau sur l'accès des jeunes" in " ".join(pdf(site, MEETING).split())


def test_names_without_consent_are_redacted_in_descriptions_and_date_notes(site):
    for name, text in site_text(site).items():
        assert "marchand" not in text.lower(), name


def test_an_external_document_without_format_shows_none(site):
    text = page_text(site, MEETING)
    assert "Documents Compte rendu de la réunion du 14 mars 2017 — Compte rendu Classement" in text
    html = (site / MEETING / "index.html").read_text(encoding="utf-8")
    assert re.search(r">Compte rendu de la réunion du 14 mars 2017</a> — Compte rendu<", html)


def test_a_slot_in_the_afternoon_and_a_session_known_by_its_month(site):
    text = page_text(site, CYCLE)
    assert "Début mardi 4 octobre 2016" in text
    assert "Date Horaires Public mardi 4 octobre 2016 après-midi Tous les publics" in text
    assert "Date Horaires Public novembre 2016 Tous les publics" in text
    assert "Date limite : vendredi 23 septembre 2016" in text
    assert "Annoncé lors de Comité régional des centres de ressources Politique de la ville (juin 2016)" in text
    document = " ".join(pdf(site, CYCLE).split())
    assert "mardi 4 octobre 2016 après-midi" in document and "novembre 2016" in document


def test_a_guide_dated_by_its_year_sorts_at_its_first_day(site):
    text = page_text(site, GUIDE)
    assert "Type Guide Date 2014 Auteurs" in text
    assert ("Présentations en réunion Réunion du réseau « emploi des jeunes des quartiers » du 14 mars 2017 Journée "
            "régionale de l'État et des centres de ressources sur l'accueil des publics (décembre 2014)") in text
    assert indexed(site, GUIDE)["meta"]["date"] == "2014" and sort_key(site, GUIDE) == "2014-01-01"
    assert ("2014 Le refus de stage discriminatoire — 12 juin 2014 Guide de l'accueil non discriminant dans les "
            "services publics — 2014") in page_text(site, "fiches")
    latest = page_text(site, "")
    order = [latest.index(title) for title in ("du 14 mars 2017 — Réunions et rencontres, 14 mars 2017",
                                               "— Plans territoriaux, novembre 2016",
                                               "— Cycles de qualification, 4 octobre 2016",
                                               "— Fiches outils, 12 juin 2014", "— Fiches outils, 2014")]
    assert order == sorted(order)


def test_an_atelier_within_a_day_without_a_record(site):
    text = page_text(site, ATELIER)
    assert ("Type Atelier Date décembre 2014 Format Présentiel Organisation Direction régionale de la jeunesse, des "
            "sports et de la cohésion sociale des Hauts-de-France (DRJSCS) Dans le cadre de Journée régionale de "
            "l'État et des centres de ressources sur l'accueil des publics (décembre 2014)") in text
    assert "Dans le cadre de : Journée régionale de l'État" in " ".join(pdf(site, ATELIER).split())


def test_a_meeting_cites_the_guide_presented_there(site):
    assert "Cité dans Guide de l'accueil non discriminant dans les services publics — Fiches outils, 2014" in \
        page_text(site, MEETING)


def test_a_function_held_since_a_year(site):
    assert ("Chargée de mission prévention des discriminations Communauté d'agglomération de Lens-Liévin (CALL) "
            "de 2014 au 14 mars 2017") in page_text(site, "personnes/claire-vasseur")
    assert not (site / "personnes" / "sylvie-marchand").exists()


def test_entries_show_labels_not_raw_values(site):
    assert "Type Établissement public" in page_text(site, "organisations/uphf")
    assert "Type État" in page_text(site, "organisations/etat")
    assert "Type Collectivité territoriale" in page_text(site, "organisations/call")
    assert "Niveau Commune Code officiel 62498 (INSEE)" in page_text(site, "territoires/lens")
    assert "Niveau Quartier prioritaire" in page_text(site, "territoires/grande-residence-lens")
