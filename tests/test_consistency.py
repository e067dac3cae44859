"""Records valid but inconsistent (irev/consistency.py): warnings with file and line from `make check`
and the build; a series link written on one side only shown on both pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CONTENT, build_site, page_text, run, write
from irev import catalogue, consistency, loading

FEBRUARY, JUNE = "2022-02-22-reseau-lcd", "2022-06-22-reseau-lcd"
FEBRUARY_TITLE = ("Rencontre régionale des acteurs territoriaux engagés dans la prévention et la lutte contre les "
                  "discriminations du 22 février 2022")
JUNE_TITLE = "Réunion de réseau lutte contre les discriminations du 22 juin 2022"


def meeting(ident: str, *fields: str) -> str:
    """A valid published meeting of the series, with more fields."""
    return "\n".join(["---", f"titre: Réunion {ident}", "statut: publie", "type: reunion-de-reseau",
                      f"date: {ident[:10]}", "format: visio", "organisateur: irev", "serie: reseau-lcd",
                      "themes: [discriminations]", "territoires: [hauts-de-france]", *fields, "---", "", "Texte.", ""])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_seed_is_consistent():
    assert consistency.warnings(loading.load(CONTENT)) == []


@pytest.fixture
def inconsistent(tmp_path) -> Path:
    """The seed with one of each inconsistency, and series links written on one side only."""
    tree = tmp_path / "content"
    shutil.copytree(CONTENT, tree)
    edit(tree / "meetings" / f"{FEBRUARY}.md", f"suivante: {JUNE}\n", "")  # June's « precedente » alone
    edit(tree / "meetings" / f"{JUNE}.md", f"precedente: {FEBRUARY}\n",
         f"precedente: {FEBRUARY}\nsuivante: 2022-10-11-reseau-lcd\n")  # October has no « precedente »
    write(tree / "meetings" / "2022-10-11-reseau-lcd.md", meeting(
        "2022-10-11-reseau-lcd", "nombre_participants: 1", "participants:", "  - personne: karima-elkhadiri",
        "    organisation: irev", "  - personne: julie-noel", "    organisation: valenciennes-metropole",
        "  - personne: zaina-meslil", "    organisation: call", "  - personne: jamal-khay", "    organisation: cud",
        "    presence: excuse"))  # 1 announced; named present, the organiser's team aside: 2
    write(tree / "meetings" / "2022-12-06-reseau-lcd.md", meeting("2022-12-06-reseau-lcd", f"precedente: {JUNE}"))
    edit(tree / "fiches" / "2022-echelle-de-maturite-concept-rse.md", "themes:\n", "ancien_themes:\n")
    fiche = tree / "fiches" / "2022-echelle-de-maturite-concept-rse.md"
    fiche.write_text(_without_block(fiche.read_text(encoding="utf-8"), "ancien_themes"), encoding="utf-8")
    edit(tree / "fiches" / "2022-echelle-de-maturite-contrats-de-ville.md", "territoires:\n", "territoires: []\nancien:\n")
    fiche = tree / "fiches" / "2022-echelle-de-maturite-contrats-de-ville.md"
    fiche.write_text(_without_block(fiche.read_text(encoding="utf-8"), "ancien"), encoding="utf-8")
    write(tree / "pieces-jointes" / "2022" / "oublie.csv", "a;b\n")
    return tree


def _without_block(text: str, key: str) -> str:
    """A front matter without one key and the lines indented under it."""
    lines, skipping = [], False
    for line in text.split("\n"):
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and line.startswith((" ", "-")):
            continue
        skipping = False
        lines.append(line)
    return "\n".join(lines)


def _line(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith(start))


def expected_warnings(tree: Path) -> list[str]:
    october, december = tree / "meetings" / "2022-10-11-reseau-lcd.md", tree / "meetings" / "2022-12-06-reseau-lcd.md"
    concept = tree / "fiches" / "2022-echelle-de-maturite-concept-rse.md"
    contrats = tree / "fiches" / "2022-echelle-de-maturite-contrats-de-ville.md"
    return [
        f"content/fiches/2022-echelle-de-maturite-concept-rse.md:{_line(concept, 'statut:')}: themes: ressource publiée "
        "sans thème : aucune page de thème ne la liste et le filtre « Thème » de la recherche ne la trouve pas (piste : "
        "ajoutez « themes: » avec une ou plusieurs thématiques du registre des thèmes)",
        f"content/fiches/2022-echelle-de-maturite-contrats-de-ville.md:{_line(contrats, 'territoires:')}: territoires: "
        "ressource publiée sans territoire : aucune page de territoire ne la liste et le filtre « Territoire » de la "
        "recherche ne la trouve pas (piste : ajoutez « territoires: » avec les territoires concernés (hauts-de-france "
        "pour une ressource régionale ou nationale))",
        f"content/meetings/2022-10-11-reseau-lcd.md:{_line(october, 'nombre_participants:')}: nombre_participants: 1 "
        "participants annoncés, mais « participants » en nomme 2 présents (hors équipe de l'organisateur « irev ») "
        "(piste : corrigez le nombre, ou marquez les absents excusés « presence: excuse »)",
        f"content/meetings/2022-12-06-reseau-lcd.md:{_line(december, 'precedente:')}: precedente: « precedente: {JUNE} », "
        "mais cette réunion a « suivante: 2022-10-11-reseau-lcd » (piste : les deux réunions doivent se désigner l'une "
        f"l'autre : corrigez « precedente » ici, ou « suivante » dans content/meetings/{JUNE}.md)",
        "content/pieces-jointes/2022/oublie.csv:1: fichier cité par aucune ressource : il n'est pas publié (piste : "
        "citez-le dans le champ « fichier » d'un document, ou retirez-le)",
    ]


def test_each_inconsistency_is_a_warning_with_its_file_and_line_and_links_show_on_both_pages(inconsistent, tmp_path):
    expected = expected_warnings(inconsistent)
    checked = run(["irev", "check"], inconsistent)
    assert checked.returncode == 0, checked.stdout
    content_warnings = [line.removeprefix("ATTENTION ") for line in checked.stdout.splitlines()
                        if line.startswith("ATTENTION content/")]
    assert content_warnings == expected
    site = tmp_path / "site"
    built = build_site(inconsistent, site)
    assert built.returncode == 0, built.stderr
    assert all(f"ATTENTION {line}" in built.stderr for line in expected)
    # a link written on one side only is shown on both pages
    assert f"Réunion suivante : {JUNE_TITLE}" in page_text(site, f"reunions/{FEBRUARY}")
    june = page_text(site, f"reunions/{JUNE}")
    assert f"Réunion précédente : {FEBRUARY_TITLE}" in june and "Réunion suivante : Réunion 2022-10-11-reseau-lcd" in june
    assert f"Réunion précédente : {JUNE_TITLE}" in page_text(site, "reunions/2022-10-11-reseau-lcd")
    # the meeting that disagrees keeps what it says; the one it names is not given it
    assert f"Réunion précédente : {JUNE_TITLE}" in page_text(site, "reunions/2022-12-06-reseau-lcd")


def test_a_meeting_naming_itself_or_claimed_by_two_is_reported_and_given_no_link(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT, tree)
    for ident, fields in (("2023-01-10-reseau-lcd", ["suivante: 2023-03-14-reseau-lcd"]),
                          ("2023-02-07-reseau-lcd", ["suivante: 2023-03-14-reseau-lcd"]),
                          ("2023-03-14-reseau-lcd", []),
                          ("2023-04-11-reseau-lcd", ["suivante: 2023-04-11-reseau-lcd"])):
        write(tree / "meetings" / f"{ident}.md", meeting(ident, *fields))
    content = loading.load(tree)
    found = [(p.file.rsplit("/", 1)[1], p.line, p.message) for p in consistency.warnings(content)]
    assert found == [
        ("2023-04-11-reseau-lcd.md", 11, "la réunion se désigne elle-même comme suivante"),
        ("2023-02-07-reseau-lcd.md", 11,
         "« suivante: 2023-03-14-reseau-lcd », comme content/meetings/2023-01-10-reseau-lcd.md : une réunion n'a qu'une "
         "precedente"),
    ]
    cat, _ = catalogue.build(content)
    assert cat.records["2023-03-14-reseau-lcd"].model.precedente is None  # which one of the two: not derived
    assert cat.records["2023-04-11-reseau-lcd"].model.precedente is None
    assert cat.records["2023-04-11-reseau-lcd"].model.suivante == "2023-04-11-reseau-lcd"  # as written
