"""`python -m irev participants`: registration-form exports (tests/fixtures/inscriptions/, made by its
make_fixtures.py) matched with the seed's registries, through the real command line."""

from __future__ import annotations

import re
import shutil
import typing
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONTENT, run
from irev import loading, participants
from irev.models import Organisation

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "inscriptions"
MEETING = "2022-06-22-reseau-lcd"


@pytest.fixture
def seed(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def imported(export: str, content: Path = CONTENT, meeting: str = MEETING) -> tuple[str, dict, str]:
    """(the text printed, that text read as YAML, what was said on stderr) of a successful import."""
    result = run(["irev", "participants", str(EXPORTS / export), "--reunion", meeting], content)
    assert result.returncode == 0, result.stderr
    return result.stdout, yaml.safe_load(result.stdout), result.stderr


def block(text: str, key: str) -> str:
    """The lines of one block of the text, as an editor selects them (the key's line, then up to a blank line)."""
    found = re.search(rf"^{key}:.*\n(?:.+\n)*", text, re.MULTILINE)
    assert found, f"no block {key} in:\n{text}"
    return found.group()


def notes(text: str) -> list[str]:
    return [line[4:] for line in text.splitlines() if line.startswith("# - ")]


def by_person(data: dict) -> dict[str, dict]:
    return {item["personne"]: item for item in data["participants"]}


@pytest.mark.parametrize("export", ["point-virgule-windows-1252.csv", "virgule-utf8-bom.csv", "tableur.xlsx", "tableur.ods"])
def test_the_blocks_pasted_into_the_content_pass_check(seed, export):
    text, data, _ = imported(export, seed)
    meeting = seed / "meetings" / f"{MEETING}.md"
    source = meeting.read_text(encoding="utf-8")
    pasted, count = re.subn(r"^participants:\n(?:[ -].*\n|\n)*", block(text, "participants") + "\n", source, flags=re.M)
    assert count == 1
    meeting.write_text(pasted, encoding="utf-8")
    for key, registry in (("nouvelles_personnes", "personnes"), ("nouvelles_organisations", "organisations")):
        if data.get(key):
            lines = block(text, key).split("\n", 1)[1]  # « les lignes sous « clé: » (sans cette ligne) »
            with (seed / "registre" / f"{registry}.yml").open("a", encoding="utf-8") as handle:
                handle.write(lines)
    checked = run(["irev", "check"], seed)
    assert checked.returncode == 0, checked.stdout
    assert "ERREUR" not in checked.stdout
    content = loading.load(seed)
    [record] = [entry for entry in content.records if entry.id == MEETING]
    assert [p.personne for p in record.model.participants] == [p["personne"] for p in data["participants"]]
    for person in data.get("nouvelles_personnes") or []:
        registered = content.registries["personne"][person["id"]].model
        assert registered.consentement_publication == person["consentement_publication"]


def test_people_match_whatever_the_accents_case_order_or_one_letter():
    text, data, _ = imported("point-virgule-windows-1252.csv")
    people = by_person(data)
    # « elkhadiri karima » (case), « Gloria Severine » (accent), first and last names in each other's column
    assert {"karima-elkhadiri", "severine-gloria", "jean-christophe-chantrelle", "cindy-guillotte"} <= people.keys()
    assert "ligne 6 : « Cindy GUILLOTE » pris pour cindy-guillotte (Cindy GUILLOTTE), score 97 : une lettre d'écart." \
        in notes(text)
    assert "  - personne: cindy-guillotte  # à vérifier : ligne 6" in text
    assert "  - personne: karima-elkhadiri\n" in text  # a certain match is not flagged
    # the new people, their names read from Windows-1252, their consent from the form (blank: « non »)
    new = {p["id"]: p for p in data["nouvelles_personnes"]}
    assert new == {
        "marie-durand": {"id": "marie-durand", "nom": "DURAND", "prenom": "Marie", "consentement_publication": True},
        "paul-vasseur": {"id": "paul-vasseur", "nom": "VASSEUR", "prenom": "Paul", "consentement_publication": False},
        "helene-lefevre": {"id": "helene-lefevre", "nom": "LEFÈVRE", "prenom": "Hélène", "consentement_publication": False},
    }
    # sorted by family name, as the seed's meetings list them; the empty row left out, the repeated one once
    assert list(people) == ["jean-christophe-chantrelle", "marie-durand", "karima-elkhadiri", "severine-gloria",
                            "cindy-guillotte", "helene-lefevre", "paul-vasseur"]
    assert "ligne 8 : même personne que la ligne 3 (karima-elkhadiri), ligne ignorée." in notes(text)
    assert people["paul-vasseur"]["fonction"] == "Chef de projet : cohésion sociale"  # quoted in the YAML


def test_organisations_match_by_name_acronym_or_a_close_name():
    text, data, _ = imported("point-virgule-windows-1252.csv")
    people = by_person(data)
    assert people["karima-elkhadiri"]["organisation"] == "irev"  # « IREV »: the acronym
    assert people["jean-christophe-chantrelle"]["organisation"] == "camvs"
    assert people["severine-gloria"]["organisation"] == "ville-d-ostricourt"  # the name
    # « Communauté d'aglomération de Lens-Liévin »: a close name, taken and listed with its score
    assert people["helene-lefevre"]["organisation"] == "call"
    close = r"ligne 10 : organisation « Communauté d'aglomération de Lens-Liévin » rapprochée de call " \
        r"\(Communauté d'agglomération de Lens-Liévin\), score 9\d : nom proche\."
    assert any(re.fullmatch(close, n) for n in notes(text))
    # an unknown one is proposed once, its type guessed; « Mairie de Roubaix » is the same
    assert data["nouvelles_organisations"] == [{"id": "ville-de-roubaix", "nom": "Ville de Roubaix", "type": "collectivite"}]
    assert people["marie-durand"]["organisation"] == people["paul-vasseur"]["organisation"] == "ville-de-roubaix"
    assert "  type: collectivite  # deviné d'après le nom : à vérifier" in text


def test_full_names_in_one_column_civilities_and_consent_answers():
    text, data, _ = imported("virgule-utf8-bom.csv")
    people = by_person(data)
    # « DURAND Marie »: the capitals are the family name; « Mme Alicia DEBASTIANI »: a spelling of the registry
    assert {"id": "marie-durand", "nom": "DURAND", "prenom": "Marie", "consentement_publication": True} \
        in data["nouvelles_personnes"]
    assert people["alicia-de-bastiani"]["organisation"] == "call"  # « … de Lens-Liévin (CALL) »
    assert "remi-de-neve" in people  # «   de neve   rémi »
    assert people["marie-durand"]["fonction"] == "Chargée de mission, politique de la ville"
    found = notes(text)
    assert "ligne 7 : « Carolin HENOT » pris pour caroline-henot (Caroline HENOT), score 96 : une lettre d'écart." in found
    assert any(n.startswith("ligne 3 : le formulaire ne donne pas l'accord pour publier le nom (réponse « Non »), "
                            "le registre l'a") for n in found)
    assert "ligne 8 : consentement « peut-être » non compris : compté comme « non »." in found
    assert any(n.startswith("ligne 8 : organisation « MJD » rapprochée de mjd-creil-sud-oise") and
               "partagé par mjd-creil-sud-oise, mjd-lens-lievin : choisissez" in n for n in found)
    assert {"id": "theo-leroy", "nom": "LEROY", "prenom": "Théo", "consentement_publication": False} \
        in data["nouvelles_personnes"]


def test_a_workbook_with_a_cover_sheet_and_a_title_above_its_table():
    text, data, _ = imported("tableur.xlsx")
    people = by_person(data)
    assert people["allal-al-bourki"] == {"personne": "allal-al-bourki", "organisation": "ville-de-grande-synthe",
                                         "fonction": "Référent discriminations RH"}
    assert people["stephanie-guilmin"]["organisation"] == "mel"  # « Métropole Européenne de Lille (MEL) »
    assert people["julie-noel"]["organisation"] == "valenciennes-metropole"  # « CAVM »
    assert data["nouvelles_personnes"] == [{"id": "ines-benali", "nom": "BENALI", "prenom": "Inès",
                                            "consentement_publication": True}]  # a ticked box (true)
    assert data["nouvelles_organisations"] == [{"id": "association-les-petits-debrouillards",
                                                "nom": "Association Les Petits Débrouillards", "type": "association"}]
    # rows numbered as the sheet shows them; julie noel's box is unticked (false) while the registry says yes
    assert any(n.startswith("ligne 7 : le formulaire ne donne pas l'accord pour publier le nom (réponse « non »)")
               for n in notes(text))


def test_agreeing_to_data_processing_is_not_agreeing_to_be_named():
    text, data, _ = imported("tableur.ods")
    people = by_person(data)
    assert "alexandre-hernant" in people  # « HERMANT », a spelling of the registry
    assert people["lorraine-tinant"]["organisation"] == "mel"
    assert data["nouvelles_personnes"] == [{"id": "lea-martin", "nom": "MARTIN", "prenom": "Léa",
                                            "consentement_publication": False}]  # RGPD « oui », name: blank


def test_headers_and_answers_in_their_usual_variants():
    assert participants.columns(["NOM DE FAMILLE", "prénom", "Nom de la structure", "Intitulé du poste", "E-mail",
                                 "Autorisation de publication"]) == \
        {"nom": 0, "prenom": 1, "organisation": 2, "fonction": 3, "email": 4, "consentement": 5}
    assert participants.columns(["Nom Prénom", "Courriel", "Droit à l'image", "J'accepte que mon nom apparaisse"]) == \
        {"nom_complet": 0, "email": 1, "consentement": 3}
    for answer in ("Oui", "OUI ", "x", "X", "yes", "coché", "Cochée", "1", "VRAI", "Oui, j'accepte", "J'accepte", "✓"):
        assert participants.consent(answer) == (True, True), answer
    for answer in ("non", "Non", "", None, "0", "no", "Je refuse"):
        assert participants.consent(answer) == (False, True), answer
    assert participants.consent("peut-être") == (False, False)


def test_the_output_goes_to_a_new_file_never_over_one(seed, tmp_path):
    printed, _, _ = imported("tableur.ods", seed)
    target = tmp_path / "participants.yml"
    command = ["irev", "participants", str(EXPORTS / "tableur.ods"), "--reunion", MEETING, "--sortie", str(target)]
    written = run(command, seed)
    assert written.returncode == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed
    target.write_text("le travail d'un éditeur", encoding="utf-8")
    again = run(command, seed)
    assert again.returncode == 1
    assert again.stderr.startswith("ERREUR le fichier « participants.yml » existe déjà : il n'est pas remplacé")
    assert target.read_text(encoding="utf-8") == "le travail d'un éditeur"
    inside = run(command[:-1] + [str(seed / "participants.yml")], seed)
    assert inside.returncode == 1 and "serait dans le dossier de contenu" in inside.stderr
    assert not (seed / "participants.yml").exists()


def _failure(export: Path, meeting: str = MEETING) -> str:
    result = run(["irev", "participants", str(export), "--reunion", meeting], CONTENT)
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr


def test_what_cannot_be_imported_is_a_french_error(tmp_path):
    assert _failure(EXPORTS / "tableur.ods", "2022-06-22-reseau-ldc") == (
        "ERREUR réunion « 2022-06-22-reseau-ldc » inconnue : aucun fichier content/meetings/2022-06-22-reseau-ldc.md "
        "(piste : vouliez-vous dire « 2022-06-22-reseau-lcd » ?)\n")
    assert "ERREUR fichier « absent.csv » introuvable" in _failure(tmp_path / "absent.csv")
    assert "introuvable" in _failure(tmp_path)  # a folder
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7")
    assert "format « .pdf » non pris en charge" in _failure(tmp_path / "x.pdf")
    no_names = tmp_path / "sans-noms.csv"
    no_names.write_text("Organisme;Fonction\nIREV;Chargée de mission\n", encoding="utf-8")
    assert "aucune colonne de noms trouvée" in _failure(no_names)
    header_only = tmp_path / "en-tete.csv"
    header_only.write_text("Nom;Prénom\n;\n", encoding="utf-8")
    assert "aucun participant sous l'en-tête (ligne 1)" in _failure(header_only)
    damaged = tmp_path / "abime.xlsx"
    damaged.write_bytes((EXPORTS / "tableur.xlsx").read_bytes()[:300])
    assert "ERREUR classeur « abime.xlsx » illisible" in _failure(damaged)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"Nom;Pr\xe9nom\nDUPONT;Ren\xe9e\n\x81\x8d;x\n")  # bytes Windows-1252 does not have
    assert "encodage du fichier non reconnu" in _failure(latin)


def test_a_guessed_organisation_type_is_one_the_registry_accepts():
    allowed = set(typing.get_args(Organisation.model_fields["type"].annotation))
    assert {kind for kind, _ in participants._TYPES} <= allowed


def test_a_name_missing_from_the_form_is_left_empty_for_the_editor(tmp_path):
    export = tmp_path / "incomplet.csv"
    export.write_text("Nom;Prénom;Structure\n;Anaïs;IREV\nMartin Léa;;\nMARTIM;Léa;\n", encoding="utf-8")
    text, data, _ = imported(str(export))
    assert {"id": "anais", "nom": "", "prenom": "Anaïs", "consentement_publication": False} in data["nouvelles_personnes"]
    assert "ligne 2 : « Anaïs » : nom absent du formulaire, à écrire dans l'entrée de la nouvelle personne anais." \
        in notes(text)
    # « Martin Léa » under « Nom »: the family name first, a guess the editor confirms
    assert {"id": "lea-martin", "nom": "MARTIN", "prenom": "Léa", "consentement_publication": False} \
        in data["nouvelles_personnes"]
    guessed = "ligne 3 : « Léa Martin » : prénom « Léa » et nom « Martin » séparés au mieux"
    assert any(n.startswith(guessed) for n in notes(text))
    # one letter away from a person proposed for an earlier row: the same one, to confirm
    assert "ligne 4 : « Léa MARTIM » pris pour lea-martin (Léa MARTIN), score 90 : une lettre d'écart." in notes(text)
    assert "ligne 4 : même personne que la ligne 3 (lea-martin), ligne ignorée." in notes(text)


SEED_REGISTRY = loading.load(CONTENT).registries
CELL = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["DURAND Marie", "Mme", "IREV", "oui", "(MEL)", "()", "Ville de", "- x", "# y", "a: b", "'", '"', "[[personne:x]]"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, max_size=7), max_size=8), st.sampled_from([";", ",", "\t"]),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_any_export_gives_an_error_or_text_that_is_yaml(tmp_path_factory, rows, separator, encoding):
    """Whatever the cells: a French failure, or a text whose blocks are YAML with ids as the registries want."""
    header = separator.join(["Nom", "Prénom", "Organisme", "Fonction", "J'accepte que mon nom apparaisse"])
    text = "\n".join([header] + [separator.join(row) for row in rows])
    export = tmp_path_factory.mktemp("export") / "inscrits.csv"
    export.write_bytes(text.encode(encoding, "replace"))
    registry = participants.Registry({i: e.model for i, e in SEED_REGISTRY["personne"].items()},
                                     {i: e.model for i, e in SEED_REGISTRY["organisation"].items()})
    try:
        found, notes = participants.rows_of(participants.read_table(export))
    except participants.ImportFailure as failure:
        assert str(failure)
        return
    data = yaml.safe_load(participants.render(participants.match(found, registry, MEETING, export.name)))
    ids = {*SEED_REGISTRY["personne"], *SEED_REGISTRY["organisation"]}
    for item in data["participants"]:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item["personne"])
    for entry in (data.get("nouvelles_personnes") or []) + (data.get("nouvelles_organisations") or []):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["id"]) and entry["id"] not in ids


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["x.csv", "x.xlsx", "x.ods", "x.xls"]))
def test_any_bytes_are_read_or_refused_in_french(tmp_path_factory, data, name):
    export = tmp_path_factory.mktemp("export") / name
    export.write_bytes(data)
    try:
        participants.rows_of(participants.read_table(export))
    except participants.ImportFailure as failure:
        assert str(failure)
