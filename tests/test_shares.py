"""`python -m irev check` on several cores checks the record files in shares, one process each
(irev/shares.py): it must report exactly what one process checking the whole tree reports, in
particular the problems that depend on records of another share."""

import shutil

from conftest import ROOT, run_alone, write

from test_attachments import PDF, add_documents, attach

from irev.parsing import ParseCache

MEETING = "meetings/2022-06-22-reseau-lcd.md"
CITING = "fiches/2022-echelle-de-maturite-contrats-de-ville.md"  # (a fiche without documents)


def with_body(tree, record: str, text: str) -> None:
    path = tree / record
    path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def test_the_shares_report_what_one_process_reports(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(ROOT / "content", tree)
    # Across shares: a mention of a fiche (known from the other share) and of nothing; a file cited only
    # by a fiche, and one cited by nothing; a second meeting giving a precedent that names another.
    with_body(tree, MEETING, "Voir [[fiche:2022-echelle-de-maturite-concept-rse]] et [[fiche:fiche-disparue]].")
    attach(tree, "2022/citee.pdf", PDF)
    attach(tree, "2022/orpheline.pdf", PDF)
    add_documents(tree, CITING, {"titre": "Grille", "type": "grille", "fichier": "2022/citee.pdf"})
    following = (tree / MEETING).read_text(encoding="utf-8").replace("date: 2022-06-22", "date: 2022-09-22")
    write(tree / "meetings/2022-09-22-reseau-lcd.md", following.replace("titre: Réunion", "titre: Autre réunion"))
    # Within one file: a registry entry, a file name, a front matter, a stray file.
    with (tree / "registre/themes.yml").open("a", encoding="utf-8") as themes:
        themes.write("- id: Theme Mal Nomme\n  nom: Mal nommé\n")
    write(tree / "fiches/Mauvais_Nom.md", "---\ntitre: x\n---\n")
    write(tree / "plans/2023-plan-casse.md", "---\ntitre: [non fermé\n---\nTexte.\n")
    write(tree / "notes.txt", "brouillon")
    records = sorted(tree.glob("*/*.md"))
    for record in records:  # a problem in each share's every record
        with_body(tree, record.relative_to(tree), "Voir [[theme:theme-disparu]].")
    # Two names shown alike (a literal `\\xa0`, and a no-break space): a record file and a stray link.
    write(tree / "fiches/a\\xa0.md", "---\ntitre: x\n---\n")
    (tree / "fiches/a\u00a0.md").symlink_to("nulle-part")

    found = run_alone(f"""
        import json
        from pathlib import Path
        from irev import catalogue, loading, shares

        shares.SHARED_FROM, shares._cores = 1, lambda: 2  # this small tree, on two cores whatever the machine's
        root = Path({str(tree)!r})
        shared = shares.check(root, Path({str(tmp_path / "shared.cache")!r}))
        content = loading.load(root, Path({str(tmp_path / "alone.cache")!r}))
        alone = sorted(content.problems + catalogue.validate(content))
        rows = lambda problems: [[p.file, p.line, p.field, p.message, p.hint, p.warning] for p in problems]
        print(json.dumps({{"shared": shared and [list(shared[0]), rows(shared[1])],
                          "alone": [list(loading.Counts.of(content)), rows(alone)]}}))
    """)
    # What the shares parsed is kept, as one process would: the next check parses nothing again.
    assert ParseCache(tmp_path / "shared.cache").entries == ParseCache(tmp_path / "alone.cache").entries
    assert found["shared"] is not None, "the tree was not shared out"
    assert found["shared"] == found["alone"]
    problems = found["alone"][1]

    def about(file: str, words: str) -> list:
        return [p for p in problems if p[0] == f"content/{file}" and words in p[3]]

    assert len(about(MEETING, "fiche-disparue")) == 1
    assert not [p for p in problems if "2022-echelle-de-maturite-concept-rse" in p[3]]
    assert len(about("pieces-jointes/2022/orpheline.pdf", "cité par aucune ressource")) == 1
    assert not about("pieces-jointes/2022/citee.pdf", "")
    assert len(about("meetings/2022-09-22-reseau-lcd.md", "mais cette réunion a « suivante: 2022-06-22-reseau-lcd »")) == 1
    assert len(about("registre/themes.yml", "« Theme Mal Nomme »")) == 1
    assert len(about("fiches/Mauvais_Nom.md", "invalide")) == 1
    assert about("plans/2023-plan-casse.md", "")
    assert len(about("notes.txt", "hors des dossiers")) == 1
    assert len(about("fiches/a\\xa0.md", "lien symbolique")) == 1
    unknown = [p[0] for p in problems if p[3] == "thème inconnu « theme-disparu »"]
    assert sorted(unknown) == sorted(f"content/{r.relative_to(tree)}" for r in records if r.name not in ("Mauvais_Nom.md", "2023-plan-casse.md"))


def test_a_tree_with_more_unknown_ids_than_are_hinted_is_checked_in_one_process(tmp_path):
    """Past catalogue.HINTED_IDS unknown ids, which get a « vouliez-vous dire » hint depends on the order
    of them all: the shares would each give their own 300."""
    tree = tmp_path / "content"
    shutil.copytree(ROOT / "content", tree)
    found = run_alone(f"""
        import json
        from pathlib import Path
        from irev import catalogue, shares

        shares.SHARED_FROM, shares._cores = 1, lambda: 2
        root = Path({str(tree)!r})
        fiche = root / {CITING!r}
        text = fiche.read_text(encoding="utf-8")
        checked = []
        for n in (catalogue.HINTED_IDS - 1, catalogue.HINTED_IDS):
            mentions = " ".join(f"[[theme:inconnu-{{i}}]]" for i in range(n))
            fiche.write_text(text + "\\n" + mentions + "\\n", encoding="utf-8")
            checked.append(shares.check(root, None) is not None)
        print(json.dumps(checked))
    """)
    assert found == [True, False]
