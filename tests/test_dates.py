"""Dates of every precision, parts of the day, references to what has no record, one-line territories:
what editors may write, and the French problem (with its line) for what they may not."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import write

from irev import catalogue, loading, models, pages

MEETING = """---
titre: Réunion
statut: publie
type: reunion-de-reseau
date: {date}
format: visio
organisateur: irev
{extra}---
"""
PLAN = """---
titre: Plan
statut: publie
type: ptlcd
territoire: ca-de-lens-lievin
porteur: call
date: 2016-11
{extra}---
"""


def meeting(tree, extra: str = "", date: str = "2017-03-14"):
    write(tree / "meetings" / "2017-03-14-test.md", MEETING.format(date=date, extra=extra))
    return _problems(tree, "2017-03-14-test.md")


def plan(tree, extra: str):
    write(tree / "plans" / "2016-plan.md", PLAN.format(extra=extra))
    return _problems(tree, "2016-plan.md")


def _problems(tree, name: str):
    """The errors of one file (these short records have no theme nor territory: warnings, left aside)."""
    content = loading.load(tree)
    _, more = catalogue.build(content)
    return [p for p in content.problems + more if name in p.file and not p.warning]


def record(tree, ident: str):
    return next(e.model for e in loading.load(tree).records if e.id == ident)


def test_key_dates_take_a_year_a_month_a_day_or_a_day_without_its_year(tree):
    assert plan(tree, "dates_cles:\n  - date: 2013\n    evenement: Lancement\n  - date: 2014-05\n    evenement: Comité\n"
                      "  - date: --11-06\n    evenement: Restitution\n  - date:\n      date: --11-07\n"
                      "      precision: « le 7 novembre dernier »\n    evenement: Bilan\n") == []
    shown = [pages.format_date(d.date) for d in record(tree, "2016-plan").dates_cles]
    assert shown == ["2013", "mai 2014", "6 novembre (année non précisée)",
                     "7 novembre (année non précisée : « le 7 novembre dernier »)"]


def test_a_wrong_date_gets_one_message_naming_every_form(tree):
    [problem] = plan(tree, "dates_cles:\n  - date: 13/04/2016\n    evenement: Lancement\n")
    assert (problem.line, problem.field) == (9, "dates_cles[0].date")
    assert problem.message == "date invalide « 13/04/2016 »"
    assert "AAAA-MM-JJ, AAAA-MM, l'année seule (AAAA), ou --MM-JJ" in problem.hint


@pytest.mark.parametrize("written, message", [
    ("2016-02-30", "date impossible « 2016-02-30 »"),
    ("2016-13", "date impossible « 2016-13 »"),
    ("--02-30", "date impossible « --02-30 »"),
    ("1850", "année hors limites dans « 1850 »"),
])
def test_dates_that_cannot_be(tree, written, message):
    [problem] = plan(tree, f"diagnostic:\n  date: {written}\n")
    assert (problem.line, problem.field, problem.message) == (9, "diagnostic.date", message)


def test_a_date_block_holds_the_date_and_what_the_source_says_only(tree):
    [problem] = plan(tree, "diagnostic:\n  date:\n    date: 2016-06\n    note: juin\n")
    assert (problem.line, problem.field) == (10, "diagnostic.date")
    assert problem.message == "bloc de date invalide : « date » attendue, et « precision » si besoin (reçu : date, note)"
    [problem] = plan(tree, "diagnostic:\n  date:\n    date: 2016-06\n    precision: ''\n")
    assert (problem.line, problem.field) == (11, "diagnostic.date.precision")


def test_what_listings_sort_by_needs_a_year(tree):
    [problem] = meeting(tree, date="--11-06")
    assert (problem.line, problem.field) == (5, "date")
    assert problem.message == "l'année est nécessaire ici, reçu « --11-06 »"
    assert meeting(tree, date="2017-03") == [] and record(tree, "2017-03-14-test").sort_date() == dt.date(2017, 3, 1)


def test_a_deadline_is_a_full_day(tree):
    path = tree / "cycles" / "2021-04-cycle-test.md"
    path.write_text(path.read_text().replace("contact:", "inscription:\n  date_limite: 2021-03\ncontact:"))
    [problem] = _problems(tree, "2021-04-cycle-test.md")
    assert problem.field == "inscription.date_limite"
    assert problem.message == "date complète attendue (AAAA-MM-JJ), reçu « 2021-03 »"


def test_a_part_of_the_day_instead_of_times(tree):
    assert meeting(tree, "heure_debut: apres-midi\n") == []
    assert record(tree, "2017-03-14-test").heure_debut == "apres-midi"
    [problem] = meeting(tree, "heure_debut: après-midi\n")
    assert (problem.line, problem.field, problem.message) == (8, "heure_debut", "horaire invalide « après-midi »")
    assert problem.hint == "vouliez-vous dire « apres-midi » ?"
    [problem] = meeting(tree, "heure_debut: apres-midi\nheure_fin: 17:00\n")
    assert (problem.line, problem.field) == (9, "heure_fin") and "retirez heure_fin" in problem.message
    [problem] = meeting(tree, "heure_debut: 9:00\nheure_fin: soiree\n")
    assert (problem.line, problem.field, problem.message) == (9, "heure_fin", "heure invalide « soiree »")
    assert "s'écrit dans heure_debut" in problem.hint


def test_times_need_a_full_day(tree):
    [problem] = meeting(tree, "heure_debut: 14:00\n", date="2017-03")
    assert (problem.line, problem.field) == (8, "heure_debut")
    assert problem.message == "un horaire demande une date complète (AAAA-MM-JJ), la date est « 2017-03 »"


def test_a_previous_meeting_without_a_record_is_described(tree):
    assert meeting(tree, "precedente:\n  intitule: Réunion du réseau sur l'emploi\n  date: 2016-05-12\n") == []
    previous = record(tree, "2017-03-14-test").precedente
    assert (previous.intitule, previous.date.isoformat()) == ("Réunion du réseau sur l'emploi", "2016-05-12")
    [problem] = meeting(tree, "precedente:\n  date: 2016-05-12\n")
    assert (problem.line, problem.field, problem.message) == (9, "precedente.intitule", "champ obligatoire manquant")


def test_an_unknown_meeting_is_not_a_registry_entry(tree):
    [problem] = meeting(tree, "suivante: reunion-fantome\n")
    assert (problem.line, problem.field, problem.message) == (8, "suivante", "réunion inconnue « reunion-fantome »")
    assert "registre" not in problem.hint
    assert "nom d'un fichier de meetings/" in problem.hint and "« intitule » et « date »" in problem.hint
    [problem] = meeting(tree, "participants:\n  - personne: inconnue\n")
    assert problem.hint == "ajoutez l'entrée au registre ou corrigez l'identifiant"


def test_an_unknown_one_line_territory_code_is_named_as_such(tree):
    path = tree / "registre" / "territoires.yml"
    path.write_text(path.read_text() + '- code: "59999"\n')
    [problem] = _problems(tree, "territoires.yml")
    assert (problem.line, problem.field, problem.warning) == (16, "code", False)
    assert problem.message == "code INSEE inconnu dans le référentiel : « 59999 »"
    assert "id, nom, niveau et code" in problem.hint


def test_dates_phrased_with_their_precision():
    month, year, day = (models.PartialDate.model_validate(text) for text in ("2016-04", "2014", "2016-05-03"))
    assert (pages.date_phrase(month), pages.date_phrase(year), pages.date_phrase(dt.date(2024, 3, 1))) == (
        "en avril 2016", "en 2014", "le 1er mars 2024")
    assert pages.date_span(month, models.PartialDate.model_validate("2017-08")) == "d'avril 2016 à août 2017"
    assert pages.date_span(year, day) == "de 2014 au 3 mai 2016"
    assert pages.date_span(day, day) == "le 3 mai 2016"
