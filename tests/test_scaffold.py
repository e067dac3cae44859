"""Scaffolds (`make nouveau`, `python -m irev nouveau`): a new record or registry entry with every field
of its model, commented in French; never an editor's file replaced; valid once filled in, a draft."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from conftest import CONTENT, ROOT, build_site, run, write
from irev import models

RECORD = "2026-11-27-reseau-lcd"
# What each type is asked with, and the file it writes.
CASES = {
    "reunion": (["--titre", "Réseau LCD", "--date", "2026-11-27"], f"meetings/{RECORD}.md"),
    "cycle": (["--titre", "Parcours égalité : 2e édition", "--date", "2026-09"], "cycles/2026-parcours-egalite-2e-edition.md"),
    "plan": (["--titre", "PTLCD de Lens-Liévin", "--date", "2026-04"], "plans/2026-ptlcd-de-lens-lievin.md"),
    "fiche": (["--titre", "Grille d'analyse des marchés publics", "--date", "2026"],
              "fiches/2026-grille-d-analyse-des-marches-publics.md"),
    "personne": (["--prenom", "Jean-Marc", "--nom", "D'ALEMBERT"], "registre/personnes.yml"),
    "organisation": (["--nom", "Ville de Liévin"], "registre/organisations.yml"),
}
MODELS = {**{m.KIND: m for m in models.RECORD_TYPES}, "personne": models.Personne, "organisation": models.Organisation}


@pytest.fixture
def seed(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def new(content: Path, kind: str, *args: str) -> subprocess.CompletedProcess:
    return run(["irev", "nouveau", kind, *args], content)


def written(content: Path, kind: str, before: str = "") -> str:
    """The scaffold's text: the record file, or what was appended to the registry."""
    text = (content / CASES[kind][1]).read_text(encoding="utf-8")
    assert text.startswith(before)  # a registry is appended to, never rewritten
    return text[len(before):]


def filled(text: str) -> str:
    """The scaffold with each required field left empty given a valid value, read from its comment:
    the first of its values, a known id of the registry it names, a date, true, or some text."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        match = re.fullmatch(r"(\s*(?:- )?)(\w+):", line)
        following = next((other for other in lines[number + 1:] if other.strip() and not other.lstrip().startswith("#")), "")
        if not match or len(following) - len(following.lstrip()) > len(match[1]):
            continue  # not an empty field, or a block of fields
        above = number
        while above > 0 and lines[above - 1].lstrip().startswith("## "):
            above -= 1
        comment = " ".join(other.lstrip()[3:] for other in lines[above:number])
        if "(obligatoire)" not in comment:
            continue
        values = re.search(r"Valeurs : ([a-z0-9-]+)", comment)
        known = {"organisations": "irev", "territoires": "hauts-de-france"}
        registry = re.search(r"registre/(\w+)\.yml", comment)
        value = (values[1] if values else known[registry[1]] if registry
                 else "2026-11-27" if "AAAA-MM-JJ" in comment else "true" if "true ou false" in comment else "À compléter")
        lines[number] = f"{line} {value}"
    return "\n".join(lines)


def uncommented(text: str) -> object:
    """The scaffold with every optional field uncommented, as YAML data."""
    return yaml.safe_load(re.sub(r"(?m)^(\s*)# ", r"\1", text).replace("\n---\n", "\n").removeprefix("---\n"))


def absent(model: type[BaseModel], data, path: str = "") -> list[str]:
    """The fields of a model (nested ones in the first element of their lists) missing from data."""
    missing = []
    for name, info in model.model_fields.items():
        if not isinstance(data, dict) or name not in data:
            missing.append(path + name)
            continue
        value = data[name]
        for sub in _models_in(info.annotation):
            missing += absent(sub, value[0] if isinstance(value, list) else value, f"{path}{name}.")
    return missing


def _models_in(annotation) -> list:
    """The blocks of fields a scaffold shows: a date is written as text (its block form adds a note), and
    a reference that may instead describe something without a record is written as its id."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [] if annotation is models.PartialDate else [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and str in map(_bare_type, typing.get_args(annotation)):
        return []
    return [m for argument in typing.get_args(annotation) for m in _models_in(argument)]


def _bare_type(annotation):
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation


@pytest.mark.parametrize("kind", CASES)
def test_a_scaffold_is_written_refuses_to_overwrite_and_once_filled_passes_check(seed, kind):
    args, name = CASES[kind]
    target = seed / name
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    result = new(seed, kind, *args)
    assert result.returncode == 0, result.stderr
    assert f"content/{name}" in result.stdout
    scaffold = written(seed, kind, before)
    again = new(seed, kind, *args)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert re.search(r"^ERREUR .*(existe déjà).*\n$", again.stderr)
    assert written(seed, kind, before) == scaffold  # unchanged
    target.write_text(before + filled(scaffold), encoding="utf-8")
    check = run(["irev", "check"], seed)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("kind", CASES)
def test_every_field_of_the_model_is_there_described_in_french(tree, kind):
    args, name = CASES[kind]
    before = (tree / name).read_text(encoding="utf-8") if (tree / name).exists() else ""
    assert new(tree, kind, *args).returncode == 0
    scaffold = written(tree, kind, before)
    data = uncommented(scaffold)
    assert absent(MODELS[kind], data[0] if isinstance(data, list) else data) == []
    comments = " ".join(re.sub(r"^\s*(# )?\s*## ", "", line) for line in scaffold.split("\n") if "## " in line)
    for model in _all_models(MODELS[kind]):
        for field, info in model.model_fields.items():
            assert info.description is None or info.description in comments, f"{model.__name__}.{field}"
            assert (f"{field}:" in scaffold)


def _all_models(model, seen=None) -> list:
    seen = [] if seen is None else seen
    if model not in seen:
        seen.append(model)
        for info in model.model_fields.values():
            for sub in _models_in(info.annotation):
                _all_models(sub, seen)
    return seen


def test_a_meeting_scaffold_reads_as_an_editor_expects(tree):
    assert new(tree, "reunion", "--titre", "Réunion d'équipe : bilan", "--date", "2026-11-27").returncode == 0
    text = (tree / "meetings" / "2026-11-27-reunion-d-equipe-bilan.md").read_text(encoding="utf-8")
    assert text.startswith("---\n") and text.endswith("\n---\n")
    assert '\ntitre: "Réunion d\'équipe : bilan"\n' in text  # quoted: « : » would end the value
    assert "\nstatut: brouillon\n" in text and "\ndate: 2026-11-27\n" in text
    assert ("## evenement_parent ». Valeurs : reunion-de-reseau (Réunion de réseau), rencontre-regionale\n"
            "## (Rencontre régionale), webinaire (Webinaire), seminaire (Séminaire), atelier (Atelier).\ntype:\n") in text
    assert "\norganisateur:\n" in text  # required: left empty for the editor
    assert "\n# lieu:\n" in text  # optional: commented out
    assert re.search(r"\n# participants:\n(#   ## .*\n)+#   - personne:\n", text)  # one example element
    assert "\n#     presence: present\n" in text  # with its defaults
    assert "\n#     nommer:\n" in text  # a field added to the models is in scaffolds at once


def test_an_untouched_scaffold_gives_french_problems_and_publishes_nothing(tree, tmp_path):
    assert new(tree, "reunion", *CASES["reunion"][0]).returncode == 0
    assert new(tree, "personne", *CASES["personne"][0]).returncode == 0
    check = run(["irev", "check"], tree)
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    meeting = (tree / CASES["reunion"][1]).read_text(encoding="utf-8").split("\n")
    assert f"ERREUR content/meetings/{RECORD}.md:{meeting.index('type:') + 1}: type: champ obligatoire manquant" in check.stdout
    people = (tree / "registre" / "personnes.yml").read_text(encoding="utf-8").split("\n")
    assert (f"ERREUR content/registre/personnes.yml:{people.index('  consentement_publication:') + 1}: "
            "consentement_publication: champ obligatoire manquant") in check.stdout
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "champ obligatoire manquant" in result.stderr and not site.exists()


def test_a_filled_scaffold_is_a_draft_the_public_site_leaves_out(tree, tmp_path):
    assert new(tree, "reunion", *CASES["reunion"][0]).returncode == 0
    path = tree / CASES["reunion"][1]
    path.write_text(filled(path.read_text(encoding="utf-8")), encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    assert (site / "reunions" / "2022-03-01-reunion-test" / "index.html").exists()
    assert not (site / "reunions" / RECORD).exists()
    assert not [p for p in site.rglob("*") if p.is_file() and RECORD.encode() in p.read_bytes()]


def test_a_registry_entry_is_appended_after_the_editors_text(tree):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text(encoding="utf-8").rstrip("\n") + "  # last line, no newline", encoding="utf-8")
    before = people.read_text(encoding="utf-8")
    assert new(tree, "personne", "--prenom", "Awa", "--nom", "N'Diaye").returncode == 0
    after = people.read_text(encoding="utf-8")
    assert after.startswith(before + "\n") and "\n- id: awa-n-diaye\n  ## (obligatoire) Nom de famille.\n  nom: N'Diaye\n" in after
    again = new(tree, "personne", "--prenom", "Awa", "--nom", "N'Diaye")
    assert again.returncode == 1 and "l'identifiant « awa-n-diaye » existe déjà dans content/registre/personnes.yml" in again.stderr
    assert people.read_text(encoding="utf-8") == after
    # An id already there (ada-martin) is refused, whoever wrote it.
    refused = new(tree, "personne", "--prenom", "Ada", "--nom", "Martin")
    assert refused.returncode == 1 and "« ada-martin » existe déjà" in refused.stderr


def test_a_registry_written_as_a_flow_list_is_left_alone(tree):
    orgs = tree / "registre" / "organisations.yml"
    orgs.write_text("[]\n", encoding="utf-8")
    result = new(tree, "organisation", "--nom", "Ville de Liévin")
    assert result.returncode == 1 and "ne peut pas y être ajoutée" in result.stderr
    assert orgs.read_text(encoding="utf-8") == "[]\n"


@pytest.mark.parametrize("args, message", [
    (["reunoin", "--titre", "x"], "type « reunoin » inconnu"),
    (["reunion", "--titre", "Réseau LCD"], "indiquez la date : DATE=AAAA-MM-JJ"),
    (["reunion", "--titre", "Réseau LCD", "--date", "2026-02-30"], "date : date impossible « 2026-02-30 »"),
    (["fiche", "--date", "2026"], "indiquez le titre"),
    (["fiche", "--titre", "«»", "--date", "2026"], "identifiant « 2026- » invalide"),
    (["personne", "--nom", "Durand"], "indiquez PRENOM="),
    (["fiche", "--titre", "Outil", "--date", "2026", "--id", "Outil"], "identifiant « Outil » invalide"),
])
def test_what_cannot_be_written_is_said_in_french(tree, args, message):
    result = new(tree, *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ERREUR ") and message in result.stderr


def test_a_record_id_taken_by_another_kind_is_refused(tree):
    write(tree / "fiches" / f"{RECORD}.md", "---\n---\n")
    result = new(tree, "reunion", *CASES["reunion"][0])
    assert result.returncode == 1 and f"content/fiches/{RECORD}.md existe déjà" in result.stderr
    assert not (tree / "meetings" / f"{RECORD}.md").exists()


def test_a_record_folder_that_is_a_link_is_not_written_through(tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(tree / "meetings")
    (tree / "meetings").symlink_to(outside)
    result = new(tree, "reunion", *CASES["reunion"][0])
    assert result.returncode == 1 and "n'est pas un dossier ordinaire" in result.stderr
    assert list(outside.iterdir()) == []


def test_make_nouveau_passes_titles_as_written(tree):
    """Apostrophes, commas, « $ » and quotes reach the scaffold as typed."""
    title = "Réunion d'équipe, bilan à 5$ \"final\""
    result = subprocess.run(["make", "-s", "-o", ".venv/.installed", "nouveau", f"BIN={Path(sys.executable).parent}",
                             f"CONTENT_DIR={tree}", "TYPE=reunion", f"TITRE={title}", "DATE=2026-11-27"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = (tree / "meetings" / "2026-11-27-reunion-d-equipe-bilan-a-5-final.md").read_text(encoding="utf-8")
    assert "\ntitre: Réunion d'équipe, bilan à 5$ \"final\"\n" in text


def test_a_cycle_without_a_date_takes_this_year(tree):
    years = {dt.date.today().year}
    assert new(tree, "cycle", "--titre", "Parcours").returncode == 0
    years.add(dt.date.today().year)  # (a run across midnight on 31 December)
    assert any((tree / "cycles" / f"{year}-parcours.md").exists() for year in years)
