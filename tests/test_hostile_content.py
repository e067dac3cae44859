"""Hostile and malformed content: each case is a French problem with its file, line and field,
never a traceback, and nothing in the content tree is skipped without a word."""

from __future__ import annotations

import errno
import os
import shutil

import pytest
import yaml
from conftest import CONTENT, MINIMAL, build_site, no_hang, run, write
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_validation import MEETING, meeting, only, problems_of

from irev import files, loading, models, parsing

FICHE = "---\ntitre: Fiche\nstatut: publie\ntype: grille\ndate: 2022\n{extra}---\n{body}"


def fiche(tree, extra: str = "", body: str = "", name: str = "fiche.md"):
    return write(tree / "fiches" / name, FICHE.format(extra=extra, body=body))


def one(problems, file_part: str):
    [problem] = only(problems, file_part)
    return problem


# --- Reading files ------------------------------------------------------------------------


def test_an_empty_file_lacks_its_header(tree):
    write(tree / "fiches" / "vide.md", "")
    problem = one(problems_of(tree), "vide.md")
    assert (problem.line, problem.message) == (1, "en-tête YAML manquant : le fichier doit commencer par « --- »")


@pytest.mark.parametrize("encoding, line, byte, guess", [("latin-1", 6, "C9", "Windows-1252 ou Latin-1"),
                                                         ("utf-16", 1, "FF", "UTF-16")])
def test_a_file_not_in_utf8_is_named_with_the_line_of_its_first_bad_byte(tree, encoding, line, byte, guess):
    (tree / "fiches").mkdir()
    (tree / "fiches" / "latin.md").write_bytes(FICHE.format(extra="resume: Été\n", body="").encode(encoding))
    problem = one(problems_of(tree), "latin.md")
    assert (problem.file, problem.line, problem.field) == ("content/fiches/latin.md", line, "")
    assert problem.message == f"fichier non enregistré en UTF-8 (octet 0x{byte} illisible)"
    assert problem.hint.endswith(f"il est sans doute en {guess}")


def test_a_byte_order_mark_and_windows_or_old_mac_line_ends_are_accepted(tree):
    text = FICHE.format(extra="", body="Texte.\n")
    (tree / "fiches").mkdir()
    (tree / "fiches" / "bom.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tree / "fiches" / "crlf.md").write_bytes(text.replace("\n", "\r\n").encode())
    (tree / "fiches" / "cr.md").write_bytes(text.replace("date: 2022", "date: 2022-13").replace("\n", "\r").encode())
    content = loading.load(tree)
    assert {"bom", "crlf"} <= {entry.id for entry in content.records}
    problem = one(content.problems, "cr.md")
    assert (problem.line, problem.field, problem.message) == (5, "date", "date impossible « 2022-13 »")


def test_a_file_too_big_is_refused_before_it_is_read(tree):
    fiche(tree, body="x" * files.RECORD_LIMIT)
    problem = one(problems_of(tree), "fiche.md")
    assert (problem.line, problem.message) == (1, "fichier trop gros : 1.0 Mo, au plus 1 Mo")


@pytest.mark.parametrize("char", ["\x00", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufeff",
                                  "\u202e", "\u2067"])
@pytest.mark.parametrize("where", ["front matter", "body"])
def test_control_and_invisible_line_break_characters_are_refused_with_their_line(tree, char, where):
    if where == "front matter":
        fiche(tree, extra=f"resume: ab{char}c\n")
    else:
        fiche(tree, body=f"Premier paragraphe.\n\nab{char}c\n")
    problem = one(problems_of(tree), "fiche.md")
    assert (problem.line, problem.field) == ((6, "") if where == "front matter" else (9, ""))
    assert problem.message == f"caractère invisible interdit U+{ord(char):04X} (colonne {11 if where == 'front matter' else 3})"


def test_a_control_character_written_as_an_escape_is_refused(tree):
    fiche(tree, extra='resume: "sonnerie \\a"\n')
    problem = one(problems_of(tree), "fiche.md")
    assert (problem.line, problem.field) == (6, "resume")
    assert problem.message == "caractère invisible interdit U+0007 (écrit avec « \\ »)"


# --- YAML structure -----------------------------------------------------------------------


@pytest.mark.parametrize("line, message", [
    ("[a, b]: x", "nom de champ invalide : un simple texte est attendu avant « : »"),
    ("? {a: b}\n: x", "nom de champ invalide : un simple texte est attendu avant « : »"),
    ("~: x", "nom de champ vide"),
    ("null: x", "nom de champ vide"),
    ('"": x', "nom de champ vide"),
    ("<<: {resume: x}", "fusion YAML « << » refusée"),
])
def test_keys_that_are_not_field_names_are_refused(tree, line, message):
    fiche(tree, extra=line + "\n")
    problem = one(problems_of(tree), "fiche.md")
    assert (problem.line, problem.field, problem.message) == (6, "", message)


@pytest.mark.parametrize("extra, expected", [
    ("themes: &liste\n  - discriminations\npublics:\n  - elus\nobjet: *liste\n",
     [(6, "themes", "ancre YAML « &liste » refusée"), (10, "objet", "alias YAML « *liste » refusé")]),
    ("themes: &a [*a]\nthemes: x\n",  # an alias inside its own anchor, next to a duplicate key
     [(6, "themes", "ancre YAML « &a » refusée"), (6, "themes[0]", "alias YAML « *a » refusé"),
      (7, "themes", "champ en double (déjà donné ligne 6)")]),
    ("resume: !!python/object:os.system ls\n", [(6, "resume", "étiquette YAML « !!python/object:os.system » refusée")]),
])
def test_anchors_aliases_and_tags_are_refused_where_they_are(tree, extra, expected):
    fiche(tree, extra=extra)
    assert [(p.line, p.field, p.message) for p in only(problems_of(tree), "fiche.md")] == expected


def billion_laughs(levels: int) -> str:
    text = '- a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        text += f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text


def test_a_billion_laughs_is_refused_at_once(tree):
    write(tree / "registre" / "themes.yml", billion_laughs(10))  # 10**9 strings if expanded
    with no_hang():  # expanded, it would take the machine's memory
        problems = only(problems_of(tree), "themes.yml")
    assert (problems[0].line, problems[0].field, problems[0].message) == (1, "[0].a", "ancre YAML « &a » refusée")
    assert (problems[-1].line, problems[-1].field, problems[-1].message) == (10, "[0].l9[0]", "alias YAML « *l8 » refusé")


@pytest.mark.parametrize("nested", [
    "[" * 1000 + "]" * 1000,
    "".join(f"\n{' ' * (2 * level + 2)}a:" for level in range(150)) + " x",
    "\n  " + "- " * 500 + "x",
    "{a: " * 200 + "x" + "}" * 200,
])
def test_nesting_deeper_than_the_limit_is_refused(tree, nested):
    fiche(tree, extra=f"objet: {nested}\n")
    problem = one(problems_of(tree), "fiche.md")
    assert problem.line > 5 and problem.field.startswith("objet")
    assert problem.message == "imbrication trop profonde : plus de 100 niveaux de listes et de blocs"


@pytest.mark.parametrize("depth, refused", [(parsing.MAX_DEPTH, False), (parsing.MAX_DEPTH + 1, True)])
def test_the_nesting_limit_counts_every_list_and_mapping(depth, refused):
    parsed = parsing.parse_yaml("objet: " + "[" * (depth - 1) + "]" * (depth - 1))  # the document is a mapping
    assert bool(parsed.problems) is refused


@pytest.mark.parametrize("line, message", [
    ("a: - b", "élément de liste « - » mal placé"),
    ("a: b: c", "« : » inattendu (indentation incorrecte, ou texte contenant « : » à mettre entre guillemets)"),
    ('a: "x', "fin de fichier inattendue (guillemet non fermé ?)"),
    ("a: [x", "liste entre crochets non fermée"),
    ("a: {x", "bloc entre accolades non fermé"),
    ("a: * x", "« & », « * » ou « ! » en début de valeur"),
    ("a: @x", "caractère qui ne peut pas commencer une valeur (@, `, % …)"),
    ("a: |0\n x", "texte en bloc (« | » ou « > ») mal formé"),
    ("a: |x\n b", "texte inattendu en fin de ligne"),
    ('a: "\\q"', "caractère échappé inconnu après « \\ » entre guillemets"),
    ('a: "\\x4"', "code échappé incomplet après « \\ » entre guillemets"),
    ('a: "\\uD800"', "code échappé invalide après « \\ » entre guillemets"),
    ("[a, b]]", "texte en trop après la fin du bloc"),
    ("a: !<%ZZ> b", "directive (« % ») ou étiquette (« ! ») YAML mal formée"),
    ("%FOO\n---\na: b", "directive (« % ») ou étiquette (« ! ») YAML mal formée"),
])
def test_yaml_syntax_errors_read_in_french(line, message):
    [problem] = parsing.parse_yaml(line + "\n").problems
    assert problem[2] == message


LIBYAML_PROBLEMS = [  # every problem libyaml's scanner and parser report (from its sources)
    "block sequence entries are not allowed in this context", "could not find expected ':'",
    "could not find expected directive name", "did not find URI escaped octet", "did not find expected '!'",
    "did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
    "did not find expected <document start>", "did not find expected alphabetic or numeric character",
    "did not find expected comment or line break", "did not find expected digit or '.' character",
    "did not find expected hexdecimal number", "did not find expected key", "did not find expected node content",
    "did not find expected tag URI", "did not find expected version number", "did not find expected whitespace",
    "did not find expected whitespace or line break", "did not find the expected '>'",
    "found a tab character that violates indentation", "found a tab character where an indentation space is expected",
    "found an incorrect leading UTF-8 octet", "found an incorrect trailing UTF-8 octet",
    "found an indentation indicator equal to 0", "found character that cannot start any token",
    "found duplicate %TAG directive", "found duplicate %YAML directive", "found extremely long version number",
    "found incompatible YAML document", "found invalid Unicode character escape code", "found undefined tag handle",
    "found unexpected ':'", "found unexpected document indicator", "found unexpected end of stream",
    "found unexpected non-alphabetical character", "found unknown directive name", "found unknown escape character",
    "mapping keys are not allowed in this context", "mapping values are not allowed in this context",
]


@pytest.mark.parametrize("problem", LIBYAML_PROBLEMS)
def test_every_libyaml_problem_has_its_french_words(problem):
    assert parsing._translate(yaml.MarkedYAMLError(problem=problem))[0] != "YAML illisible à cet endroit"


def test_a_second_document_in_a_registry_is_refused(tree):
    path = tree / "registre" / "themes.yml"
    path.write_text(path.read_text() + "---\n- id: autre\n  libelle: Autre\n")
    problem = one(problems_of(tree), "themes.yml")
    assert (problem.line, problem.message) == (6, "un seul document YAML attendu : une ligne « --- » de trop")


@pytest.mark.parametrize("front_matter", ["- titre: x", "Un titre"])
def test_a_header_that_is_not_a_block_of_fields(tree, front_matter):
    write(tree / "fiches" / "liste.md", f"---\n{front_matter}\n---\n")
    problem = one(problems_of(tree), "liste.md")
    assert (problem.line, problem.message) == (2, "un bloc de champs « nom: valeur » est attendu")


def test_a_registry_that_is_a_mapping(tree):
    write(tree / "registre" / "themes.yml", "discriminations:\n  libelle: Discriminations\n")
    problems = only(problems_of(tree), "themes.yml")
    assert [(p.line, p.message) for p in problems] == [(1, "le registre doit être une liste d'entrées")]


def test_a_one_line_territory_with_a_wrong_code_and_an_unknown_territory_elsewhere(tree):
    """Once a TypeError in the closest-id hint: the entry without an id has no id to suggest."""
    with open(tree / "registre" / "territoires.yml", "a") as registry:
        registry.write('- code: "59999"\n- id: [a, b]\n  nom: X\n  niveau: commune\n  code: "59350"\n')
    fiche(tree, extra="territoires: [lense]\n")
    problems = problems_of(tree)
    assert one(problems, "fiche.md").message == "territoire inconnu « lense »"
    assert ("id", "une seule valeur attendue, pas une liste") in [(p.field, p.message) for p in problems if p.line == 17]


@pytest.mark.parametrize("extra, field, message", [
    ("themes:\n", None, None),  # empty: absent
    ("objet: ~\n", None, None),
    ("themes:\n  -\n", "themes[0]", "valeur vide"),
    ("publics_cibles: [~]\n", "publics_cibles[0]", "valeur vide"),
    ("domaines:\n  -\n", "domaines[0]", "valeur vide"),
    ("titre:\n", "titre", "champ obligatoire manquant"),
])
def test_empty_values(tree, extra, field, message):
    write(tree / "fiches" / "vide.md", FICHE.replace("titre: Fiche\n", "").format(extra=extra + "titre: Fiche\n"
                                                                                  if field != "titre" else extra, body=""))
    problems = only(problems_of(tree), "vide.md")
    assert [(p.field, p.message) for p in problems] == ([] if field is None else [(field, message)])


@pytest.mark.parametrize("value", ["y", "yes", "on", "1", "True", "t", "oui"])
def test_booleans_are_only_true_or_false(tree, value):
    path = tree / "registre" / "personnes.yml"
    path.write_text(path.read_text().replace("consentement_publication: true", f"consentement_publication: {value}"))
    problem = one(problems_of(tree), "personnes.yml")
    assert (problem.line, problem.field) == (5, "consentement_publication")
    assert problem.message == f"vrai ou faux attendu, reçu « {value} »" and problem.hint == "écrivez true ou false"


@pytest.mark.parametrize("value, message", [
    ("1655856000", "date invalide « 1655856000 »"),  # pydantic's seconds since 1970
    ("2022-06-22T10:00", "date invalide « 2022-06-22T10:00 »"),
    ("20220622", "date invalide « 20220622 »"),
    ("2022-02-30", "date impossible « 2022-02-30 »"),
])
def test_a_date_is_written_aaaa_mm_jj(tree, value, message):
    write(tree / "meetings" / "date.md", MEETING.replace("2022-06-22", value).format(extra=""))
    problem = one(problems_of(tree), "date.md")
    assert (problem.line, problem.field, problem.message) == (5, "date", message)


@pytest.mark.parametrize("value, message", [
    ("2017-4", "date invalide « 2017-4 »"),
    ("1899", "année hors limites dans « 1899 »"),
    ("2017-02-29", "date impossible « 2017-02-29 »"),
    ("[2017]", "une seule valeur attendue, pas une liste"),
])
def test_a_document_date_gives_one_problem_whatever_its_forms(tree, value, message):
    write(tree / "fiches" / "date.md", FICHE.replace("date: 2022", f"date: {value}").format(extra="", body=""))
    problem = one(problems_of(tree), "date.md")
    assert (problem.line, problem.field, problem.message) == (5, "date", message)


def test_huge_values_are_quoted_short(tree):
    meeting(tree, f"nombre_participants: {'9' * 5000}\nparticipants:\n  - personne: {'Z' * 300}\n")
    problems = only(problems_of(tree), "2022-06-22-test.md")
    assert [(p.line, p.field) for p in problems] == [(8, "nombre_participants"), (10, "participants[0].personne"),
                                                      (10, "participants[0].personne")]
    assert [p.message for p in problems] == [
        f"nombre beaucoup trop grand « {'9' * 60}… »",
        f"identifiant invalide « {'Z' * 60}… » : minuscules sans accents, chiffres et tirets",
        f"personne inconnue « {'Z' * 60}… »"]


def test_a_field_name_with_an_invisible_character_is_shown_escaped(tree):
    fiche(tree, extra="titre\u200b: Autre\n")
    problem = one(problems_of(tree), "fiche.md")
    assert (problem.line, problem.field, problem.message) == (6, "titre\\u200b", "champ inconnu « titre\\u200b »")
    assert problem.hint == "vouliez-vous dire « titre » ?"


def test_a_huge_territory_code_is_quoted_short(tree):
    with open(tree / "registre" / "territoires.yml", "a") as registry:
        registry.write(f'- id: nulle-part\n  nom: Nulle part\n  niveau: commune\n  code: "{"5" * 5000}"\n')
    problems = [(p.line, p.field, p.message) for p in problems_of(tree)]
    assert problems == [(19, "code", f"code « {'5' * 60}… » absent du référentiel INSEE des Hauts-de-France"),
                        (19, "code", f"code « {'5' * 60}… » invalide pour le niveau commune : "
                                     "code INSEE de commune à 5 caractères attendu")]


HOSTILE_VALUES = [None, [], ["x"], {}, {"x": "y"}, "", "x", "y", "-1", "1.5", "9" * 5000, "2022-02-30", "2017-13"]


def test_every_validation_error_reads_in_french():
    """Any value in any field: no message falls back to pydantic's English or to the generic one."""
    untranslated = set()
    every_model = set().union(*(loading._submodels(m, set()) for m in models.RECORD_TYPES + models.REGISTRY_TYPES))
    for model in every_model:
        for name in model.model_fields:
            for value in HOSTILE_VALUES:
                try:
                    model.model_validate({name: value})
                except ValidationError as error:
                    for item in error.errors():
                        message, _ = loading.french(model, item)
                        if message == item["msg"] or message.endswith(" refusée"):
                            untranslated.add((item["type"], item["msg"]))
    assert untranslated == set()


# --- The content tree ---------------------------------------------------------------------


def make(tree, entry: str):
    """Create `entry` under the tree: a folder if it ends with /, else a file."""
    path = tree / entry.rstrip("/")
    if entry.endswith("/"):
        write(path / "2022-x.md", "x")
    else:
        write(path, "x")


@pytest.mark.parametrize("entry, message, hint", [
    ("fiches/x.MD", "extension « .MD » : le fichier ne sera pas lu", "renommez-le en x.md"),
    ("fiches/x.markdown", "extension « .markdown » : le fichier ne sera pas lu", "renommez-le en x.md"),
    ("fiches/x.pdf", "fichier « x.pdf » non lu : une ressource est un fichier .md",
     "un document à télécharger va dans pieces-jointes/"),
    ("fiches/2022/", "sous-dossier « 2022/ » : il ne sera pas lu",
     "placez chaque fichier .md directement dans fiches/"),
    ("fiches/x.md/", "sous-dossier « x.md/ » : il ne sera pas lu",
     "placez chaque fichier .md directement dans fiches/"),
    ("fiche/", "dossier inconnu « fiche/ » : il ne sera pas lu", "vouliez-vous dire « fiches » ?"),
    ("reunions/", "dossier inconnu « reunions/ » : il ne sera pas lu", "vouliez-vous dire « meetings » ?"),
    ("registre/personne.yml", "« personne.yml » n'est pas un registre : il ne sera pas lu",
     "vouliez-vous dire « personnes.yml » ?"),
    ("registre/notes.txt", "« notes.txt » n'est pas un registre : il ne sera pas lu",
     "les registres sont personnes.yml, organisations.yml, territoires.yml, themes.yml"),
    ("registre/anciens/", "« anciens » n'est pas un registre : il ne sera pas lu",
     "les registres sont personnes.yml, organisations.yml, territoires.yml, themes.yml"),
    ("2022-x.md", "fichier « 2022-x.md » hors des dossiers de contenu : il ne sera pas lu",
     "une ressource va dans meetings/, cycles/, plans/, fiches/ ; un document dans pieces-jointes/"),
    ("personnes.yml", "fichier « personnes.yml » hors des dossiers de contenu : il ne sera pas lu",
     "vouliez-vous dire « registre/personnes.yml » ?"),
    ("plans", "« plans » doit être un dossier", ""),
])
def test_nothing_in_the_tree_is_skipped_without_a_word(tree, entry, message, hint):
    make(tree, entry)
    problem = one(problems_of(tree), f"content/{entry.rstrip('/')}")
    assert (problem.file, problem.line, problem.field, problem.message, problem.hint) == (
        f"content/{entry.rstrip('/')}", 1, "", message, hint)


@pytest.mark.parametrize("entry", [".gitkeep", "fiches/.gitkeep", ".DS_Store", "fiches/.fiche.md.swp", "fiches/fiche.md~",
                                   ".git/", "README.md", "fiches/README.md", "registre/README.md"])
def test_what_is_left_alone(tree, entry):  # (pieces-jointes/ has rules of its own: tests/test_attachments.py)
    make(tree, entry)
    assert problems_of(tree) == []


@pytest.mark.parametrize("link, target", [
    ("fiches/fiche.md", "record"),  # a valid record elsewhere on the server
    ("fiches/perdu.md", "nowhere"),
    ("fiches", "folder"),
    ("registre/themes.yml", "registry"),
])
def test_symbolic_links_are_refused(tree, tmp_path, link, target):
    elsewhere = tmp_path / "ailleurs"
    fiche(elsewhere, name="fiche.md")
    (tree / "registre" / "themes.yml").rename(elsewhere / "themes.yml")
    if target != "registry":
        (elsewhere / "themes.yml").rename(tree / "registre" / "themes.yml")
    source = {"record": elsewhere / "fiches" / "fiche.md", "nowhere": elsewhere / "nulle-part.md",
              "folder": elsewhere / "fiches", "registry": elsewhere / "themes.yml"}[target]
    (tree / link).parent.mkdir(exist_ok=True)
    (tree / link).symlink_to(source)
    problems = [p for p in problems_of(tree) if p.file == f"content/{link}"]
    assert [(p.line, p.message) for p in problems] == [(1, "lien symbolique refusé")]
    assert "fiche" not in {e.id for e in loading.load(tree).records}


def test_a_special_file_is_refused_without_waiting_for_it(tree):
    (tree / "fiches").mkdir()
    os.mkfifo(tree / "fiches" / "tube.md")
    problem = one(problems_of(tree), "tube.md")
    assert problem.message == "ce n'est pas un fichier ordinaire"


@pytest.mark.parametrize("name, message", [
    ("Réunion.md", "nom de fichier « Réunion.md » invalide : minuscules sans accents, chiffres et tirets"),
    ("a\nb.md", "nom de fichier « a\\nb.md » invalide : minuscules sans accents, chiffres et tirets"),
    ("index.md", "nom de fichier « index.md » réservé : c'est celui de la page de la section"),
])
def test_record_file_names(tree, name, message):
    fiche(tree, name=name)
    problem = one(problems_of(tree), "fiches/")
    assert (problem.line, problem.message) == (1, message)


@pytest.mark.parametrize("name, message", [
    (b"\xff.md", "nom de fichier « \\udcff.md » invalide : minuscules sans accents, chiffres et tirets"),
    (b"\xff\n.pdf", "fichier « \\udcff\\n.pdf » non lu : une ressource est un fichier .md"),
])
def test_a_file_name_that_cannot_be_shown_is_escaped(tree, name, message):
    (tree / "fiches").mkdir()
    with open(os.fsencode(tree / "fiches") + b"/" + name, "w") as handle:
        handle.write("x")
    problem = one(problems_of(tree), "fiches/")
    assert (problem.file, problem.message) == ("content/fiches/" + ascii(os.fsdecode(name))[1:-1], message)
    result = run(["irev", "check"], tree)
    assert result.returncode == 1 and "Traceback" not in result.stderr and message in result.stdout


@pytest.mark.parametrize("code, reason", [(errno.EACCES, "droit de lecture manquant"), (errno.EIO, "erreur système EIO")])
def test_system_errors_are_named_in_french(code, reason):
    assert files._os_error(OSError(code, "English wording")) == reason


def test_index_is_no_registry_id(tree):
    path = tree / "registre" / "themes.yml"
    path.write_text(path.read_text() + "- id: index\n  libelle: Index\n")
    problem = one(problems_of(tree), "themes.yml")
    assert (problem.line, problem.field) == (6, "id")
    assert problem.message == "identifiant « index » réservé : c'est celui de la page de l'annuaire"


# Characters that make YAML's structure, a few that it refuses or reads as line breaks, text.
YAML_ALPHABET = st.sampled_from([*"ab -:?[]{},&*!<|>#'\"\\%~\t\n", "é", "\x00", "\x85", "\u2028", "\ufeff"])


@settings(max_examples=400, deadline=None)
@given(st.text(YAML_ALPHABET, max_size=60))
def test_any_yaml_gives_problems_never_an_exception_and_reads_carefully_as_fast(text):
    parsed = parsing.parse_yaml(text)
    assert all(line >= 1 for line, *_ in parsed.problems)
    assert all(line >= 1 for line in parsed.lines.values())
    careful = parsing.Parsed(text=text)
    parsing._read_carefully(careful, text.encode(), [])
    if not parsed.problems:
        assert careful.data == parsed.data


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=120), st.sampled_from(["fiches/x.md", "registre/themes.yml"]))
def test_any_bytes_in_any_file_give_french_problems_never_an_exception(tmp_path_factory, data, name):
    tree = tmp_path_factory.getbasetemp() / "bytes" / "content"
    if not tree.exists():
        shutil.copytree(MINIMAL, tree)
    original = (tree / name).read_bytes() if (tree / name).exists() else None
    write(tree / name, "").write_bytes(b"---\n" + data if name.endswith(".md") else data)
    try:
        problems_of(tree)
    finally:
        if original is None:
            (tree / name).unlink()
        else:
            (tree / name).write_bytes(original)


# --- Caches and memos ---------------------------------------------------------------------


def test_parsing_without_a_cache_remembers_nothing():
    assert parsing.parse_yaml("a: 1\n").data == {"a": "1"}
    assert parsing.parse_yaml("b: 2\n").data == {"b": "2"}


def test_the_careful_reading_gives_the_fast_one_s_data_and_lines():
    """Documents that may hold anchors, deep nesting… are read event by event: on real content
    the result must not differ from libyaml's fast reading."""
    texts = [parsing.front_matter(p.read_text(encoding="utf-8"))[0] for p in sorted(CONTENT.glob("*/*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(CONTENT.glob("registre/*.yml"))]
    for text in texts:
        fast = parsing.parse_yaml(text)
        careful = parsing.Parsed(text=text)
        parsing._read_carefully(careful, text.encode(), [])
        assert (careful.data, careful.problems, careful.lines) == (fast.data, fast.problems, fast.lines)


def test_serving_an_empty_or_unreadable_file_twice(tree):
    """The preview's memo once failed on a file whose text was empty."""
    write(tree / "fiches" / "vide.md", "")
    (tree / "fiches" / "latin.md").write_bytes(b"---\ntitre: \xe9t\xe9\n---\n")
    memo: dict = {}
    for _ in range(2):
        content = loading.load(tree, memo=memo)
        assert [p.file for p in content.problems] == ["content/fiches/latin.md", "content/fiches/vide.md"]


# --- End to end ---------------------------------------------------------------------------


def hostile_tree(tree):
    """One tree holding a bit of everything above."""
    (tree / "fiches").mkdir()
    (tree / "fiches" / "latin.md").write_bytes(FICHE.format(extra="resume: Été\n", body="").encode("latin-1"))
    write(tree / "fiches" / "vide.md", "")
    fiche(tree, name="nul.md", extra="resume: a\x00b\n")
    fiche(tree, name="cles.md", extra="[a, b]: x\n~: y\n")
    fiche(tree, name="profond.md", extra="objet: " + "[" * 100_000 + "]" * 100_000 + "\n")
    fiche(tree, name="alias.md", extra="themes: &a [*a]\nthemes: x\n")
    (tree / "fiches" / "dossier.md").mkdir()
    (tree / "fiches" / "lien.md").symlink_to("/etc/passwd")
    write(tree / "fiche" / "x.md", "x")
    write(tree / "registre" / "organisations.yml", billion_laughs(10))
    with open(tree / "registre" / "territoires.yml", "a") as registry:
        registry.write('- code: "59999"\n')
    fiche(tree, name="territoire.md", extra="territoires: [nulle-part]\n")
    path = tree / "registre" / "personnes.yml"
    path.write_text(path.read_text().replace("consentement_publication: true", "consentement_publication: y"))
    return tree


EXPECTED = ["fiches/latin.md:6: fichier non enregistré en UTF-8", "fiches/vide.md:1: en-tête YAML manquant",
            "fiches/nul.md:6: caractère invisible interdit U+0000", "fiches/cles.md:6: nom de champ invalide",
            "fiches/profond.md:6: objet[0]: imbrication trop profonde", "fiches/alias.md:6: themes: ancre YAML « &a » refusée",
            "fiches/dossier.md:1: sous-dossier", "fiches/lien.md:1: lien symbolique refusé", "fiche:1: dossier inconnu",
            "registre/organisations.yml:1: [0].a: ancre YAML", "fiches/territoire.md:6: territoires[0]: territoire inconnu",
            "registre/personnes.yml:5: consentement_publication: vrai ou faux attendu"]


def test_check_lists_every_hostile_file_in_french_without_a_traceback(tree):
    result = run(["irev", "check"], hostile_tree(tree))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr == ""
    for expected in EXPECTED:
        assert expected in result.stdout, expected


def test_the_build_fails_on_hostile_files_in_french_without_a_traceback(tree, tmp_path):
    site = tmp_path / "site"
    result = build_site(hostile_tree(tree), site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for expected in EXPECTED:
        assert expected in result.stderr, expected
    assert "Rien n'a été publié" in result.stderr
    assert not site.exists()
