"""Loading and validation: each kind of authoring problem, its French message and its line."""

from __future__ import annotations

from conftest import MINIMAL, run, write

from irev import catalogue, loading


def problems_of(root):
    """A tree's problems, but the warnings of published records without theme or territory: the records
    these tests write are minimal on purpose (those warnings are tested in tests/test_consistency.py)."""
    content = loading.load(root)
    _, ref_problems = catalogue.build(content)
    return sorted(p for p in content.problems + ref_problems if not p.message.startswith("ressource publiée sans "))


def only(problems, file_part):
    return [p for p in problems if file_part in p.file]


MEETING = """---
titre: Réunion
statut: publie
type: reunion-de-reseau
date: 2022-06-22
format: visio
organisateur: irev
{extra}---
"""


def meeting(tree, extra: str, name="2022-06-22-test.md"):
    return write(tree / "meetings" / name, MEETING.format(extra=extra))


def test_minimal_tree_is_valid():
    assert problems_of(MINIMAL) == []


def test_impossible_date_is_reported_with_its_line(tree):
    write(tree / "meetings" / "2022-02-30-x.md", MEETING.replace("2022-06-22", "2022-02-30").format(extra=""))
    [problem] = only(problems_of(tree), "2022-02-30-x.md")
    assert (problem.line, problem.field) == (5, "date")
    assert "date impossible « 2022-02-30 »" in problem.message


def test_unknown_person_gets_closest_id_as_hint(tree):
    meeting(tree, "participants:\n  - personne: ada-matin\n    organisation: irev\n")
    [problem] = only(problems_of(tree), "2022-06-22-test.md")
    assert (problem.line, problem.field) == (9, "participants[0].personne")
    assert problem.message == "personne inconnue « ada-matin »"
    assert "ada-martin" in problem.hint


def test_missing_title(tree):
    write(tree / "meetings" / "sans-titre.md", MEETING.replace("titre: Réunion\n", "").format(extra=""))
    [problem] = only(problems_of(tree), "sans-titre.md")
    assert problem.field == "titre" and problem.message == "champ obligatoire manquant"


def test_wrong_indentation(tree):
    meeting(tree, "participants:\n  - personne: ada-martin\n   organisation: irev\n")
    [problem] = only(problems_of(tree), "2022-06-22-test.md")
    assert problem.line == 10
    assert "indentation incorrecte" in problem.message


def test_tab_in_indentation(tree):
    meeting(tree, "participants:\n\t- personne: ada-martin\n")
    [problem] = only(problems_of(tree), "2022-06-22-test.md")
    assert problem.line == 9
    assert problem.message == "tabulation interdite dans l'indentation"
    assert "espaces" in problem.hint


def test_duplicate_key_is_refused(tree):
    meeting(tree, "titre: Autre titre\n")
    [problem] = only(problems_of(tree), "2022-06-22-test.md")
    assert (problem.line, problem.field) == (8, "titre")
    assert "champ en double (déjà donné ligne 2)" in problem.message


def test_unknown_field_suggests_the_known_one(tree):
    meeting(tree, "participants:\n  - personne: ada-martin\n    fonctoin: Chargée\n")
    [problem] = only(problems_of(tree), "2022-06-22-test.md")
    assert (problem.line, problem.field) == (10, "participants[0].fonctoin")
    assert problem.message == "champ inconnu « fonctoin »" and "fonction" in problem.hint


def test_wrong_choice_lists_allowed_values(tree):
    write(tree / "meetings" / "choix.md", MEETING.replace("format: visio", "format: visioconference").format(extra=""))
    [problem] = only(problems_of(tree), "choix.md")
    assert problem.field == "format"
    assert "visio, presentiel, hybride" in problem.message


def test_times_are_read_as_times_not_base_60_numbers(tree):
    meeting(tree, "heure_debut: 9:30\nheure_fin: 12h00\n")
    content = loading.load(tree)
    record = next(e for e in content.records if e.id == "2022-06-22-test")
    assert (record.model.heure_debut, record.model.heure_fin) == ("09:30", "12:00")


def test_invalid_siren_check_digit(tree):
    path = tree / "registre" / "territoires.yml"
    path.write_text(path.read_text().replace('"246200364"', '"246200365"'))
    [problem] = [p for p in problems_of(tree) if not p.warning]
    assert (problem.line, problem.field) == (14, "code")
    assert "Luhn" in problem.message


def test_duplicate_registry_id(tree):
    path = tree / "registre" / "themes.yml"
    path.write_text(path.read_text() + "- id: discriminations\n  libelle: Encore\n")
    [problem] = only(problems_of(tree), "themes.yml")
    assert problem.line == 6 and "en double (déjà ligne 1)" in problem.message


def test_all_problems_of_a_run_are_listed_together(tree):
    write(tree / "meetings" / "2022-02-30-x.md", MEETING.replace("2022-06-22", "2022-02-30").format(extra=""))
    meeting(tree, "titre: Doublon\nparticipants:\n  - personne: inconnu\n")
    write(tree / "meetings" / "tab.md", "---\ntitre: x\n\tstatut: publie\n---\n")
    result = run(["irev", "check"], tree)
    assert result.returncode == 1
    out = result.stdout
    for expected in ("meetings/2022-02-30-x.md:5: date: date impossible",
                     "meetings/2022-06-22-test.md:8: titre: champ en double",
                     "meetings/2022-06-22-test.md:10: participants[0].personne: personne inconnue « inconnu »",
                     "meetings/tab.md:3: tabulation interdite"):
        assert expected in out
    assert "4 erreur(s)" in out


def test_check_passes_on_the_real_content():
    result = run(["irev", "check"], loading.Path(__file__).resolve().parent.parent / "content")
    assert result.returncode == 0, result.stdout
    assert "0 erreur(s)" in result.stdout


def test_a_territory_is_one_line_away(tree):
    path = tree / "registre" / "territoires.yml"
    path.write_text(path.read_text() + '- code: "62498"\n')
    content = loading.load(tree)
    lens = content.registries["territoire"]["lens"].model
    assert (lens.nom, lens.niveau, lens.parent) == ("Lens", "commune", "ca-de-lens-lievin")
    assert problems_of(tree) == []


def test_a_territory_whose_parent_is_missing_names_it(tree):
    path = tree / "registre" / "territoires.yml"
    path.write_text(path.read_text() + '- code: "59350"\n')
    [problem] = problems_of(tree)
    assert (problem.line, problem.field) == (16, "parent")
    assert problem.message == "territoire inconnu « metropole-europeenne-de-lille »"


def test_unknown_official_code_is_a_warning(tree):
    path = tree / "registre" / "territoires.yml"
    path.write_text(path.read_text() + '- id: nulle-part\n  nom: Nulle part\n  niveau: commune\n  code: "59999"\n')
    [problem] = problems_of(tree)
    assert problem.warning and problem.line == 19
    assert "absent du référentiel INSEE" in problem.message
