"""Open data (/donnees/): every published record and registry entry as JSON, JSON Lines and CSV,
valid against the schemas served beside them, redacted exactly like the pages, described by a
page that lists every file."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import CONTENT, MINIMAL, build_site, built_tree, page_text, session_options, snapshot, write

from irev import exports, loading, settings
from irev.catalogue import RECORD_KINDS
from irev.site import Session

SITE_URL = settings.DEFAULT_SITE_URL


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory) -> Path:
    """The minimal tree (a draft, a person without consent) built by MkDocs."""
    return built_tree(tmp_path_factory, MINIMAL)


def _objects(site: Path, name: str) -> list[dict]:
    return json.loads((site / exports.FOLDER / name).read_text(encoding="utf-8"))


def _validator(site: Path, table: exports.Table) -> jsonschema.Draft202012Validator:
    schema = json.loads((site / exports.FOLDER / table.names[2]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _csv_rows(site: Path, table: exports.Table) -> list[list[str]]:
    data = (site / exports.FOLDER / table.names[1]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize("which", ["seed", "minimal"])
def test_every_exported_object_validates_against_its_schema(which, real_site, minimal_site):
    site = real_site if which == "seed" else minimal_site
    validators = {table.kind: _validator(site, table) for table in exports.TABLES}
    count = 0
    for table in exports.TABLES:
        for item in _objects(site, table.names[0]):
            validators[table.kind].validate(item)
            count += 1
    lines = (site / exports.FOLDER / exports.EVERYTHING).read_text(encoding="utf-8").splitlines()
    for line in lines:
        item = json.loads(line)
        validators[item["categorie"]].validate(item)
    assert count == len(lines) >= 10
    # The schemas refuse what they should: a field of no model, a withheld person's id in a wrong place.
    meeting = _objects(site, "reunions.json")[0]
    with pytest.raises(jsonschema.ValidationError):
        validators["reunion"].validate({**meeting, "inconnu": 1})
    with pytest.raises(jsonschema.ValidationError):
        validators["reunion"].validate({**meeting, "organisateur": None})  # an organisation is always shown


def test_every_published_record_of_the_seed_appears_once_with_its_url(real_site):
    content = loading.load(CONTENT)
    published = {(e.kind, e.id) for e in content.records if e.model.statut == "publie"}
    assert len(published) >= 10
    exported = []
    for table in exports.TABLES[:4]:
        for item in _objects(real_site, table.names[0]):
            exported.append((item["categorie"], item["id"]))
            assert item["url"] == f"{SITE_URL}{table.stem}/{item['id']}/"
            assert (real_site / table.stem / item["id"] / "index.html").is_file()
    assert sorted(exported) == sorted(published)
    everything = [json.loads(line) for line in (real_site / "donnees" / "tout.jsonl").read_text("utf-8").splitlines()]
    assert sorted((i["categorie"], i["id"]) for i in everything if i["categorie"] in RECORD_KINDS) == sorted(published)


def test_registries_are_exported_and_people_only_with_consent(real_site):
    content = loading.load(CONTENT)
    for table in exports.TABLES[4:]:
        entries = content.registries[table.kind]
        wanted = [i for i, e in entries.items() if table.kind != "personne" or e.model.consentement_publication]
        items = _objects(real_site, table.names[0])
        assert [item["id"] for item in items] == wanted
        assert all(item["url"] == f"{SITE_URL}{table.stem}/{item['id']}/" for item in items)
    people = {item["id"]: item for item in _objects(real_site, "personnes.json")}
    for ident, item in people.items():
        model = content.registries["personne"][ident].model
        assert "consentement_publication" not in item
        shown = model.coordonnees_publiques
        assert item["email"] == (model.email if shown else None)
        assert item["telephones"] == (model.telephones if shown else [])


def test_csv_files_open_with_their_header_and_one_row_per_object(real_site):
    for table in exports.TABLES:
        rows = _csv_rows(real_site, table)
        items = _objects(real_site, table.names[0])
        assert rows[0] == [name for name, _ in exports.columns(table)]
        assert [row[0] for row in rows[1:]] == [item["id"] for item in items]
        assert all(len(row) == len(rows[0]) for row in rows)
    meetings = _csv_rows(real_site, exports.TABLES[0])
    header, first = meetings[0], dict(zip(meetings[0], meetings[1]))
    item = _objects(real_site, "reunions.json")[0]
    assert first["titre"] == item["titre"] and "é" in "".join(meetings[1])  # accents read back as written
    assert first["themes"] == ", ".join(item["themes"])  # ids joined
    assert json.loads(first["participants"]) == item["participants"]  # a list of objects: one JSON cell
    assert "contact.email" in [name for name, _ in exports.columns(exports.TABLES[1])]  # one object: its columns
    assert "texte" not in header  # Markdown that may hold HTML: in the JSON files only


def _export_text(site: Path) -> str:
    """Every data file's text and the page's."""
    return "\n".join(path.read_text(encoding="utf-8") for path in (site / exports.FOLDER).rglob("*")
                     if path.is_file() and path.name != "index.html") + page_text(site, exports.FOLDER)


def test_no_draft_and_no_name_without_consent_in_the_export(minimal_site):
    text = _export_text(minimal_site)
    for withheld in ("2022-04-01-reunion-brouillon", "Réunion encore en brouillon", "paul-secret", "SECRET", "Paul"):
        assert withheld.lower() not in text.lower()
    [meeting] = _objects(minimal_site, "reunions.json")
    assert meeting["suivante"] is None  # the next meeting is a draft
    assert meeting["participants"][1] == {"personne": None, "organisation": "call", "fonction": "Responsable habitat",
                                          "presence": "excuse"}
    assert meeting["interventions"][0]["intervenants"] == [
        {"personne": None, "organisation": "call", "fonction": "Responsable habitat", "role": "intervention"}]
    assert meeting["participants"][0]["personne"] == "ada-martin"
    assert [p["id"] for p in _objects(minimal_site, "personnes.json")] == ["ada-martin"]


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory) -> Path:
    """The minimal tree with mentions, names written in text, contact details and formula-like text."""
    tree = tmp_path_factory.mktemp("edited") / "content"
    shutil.copytree(MINIMAL, tree)
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    text = meeting.read_text(encoding="utf-8").replace(
        "resume: Une réunion pour les tests.", 'resume: "=HYPERLINK(\\"https://exemple.org\\")"')
    write(meeting, text.rstrip("\n") + "\nAccueil par [[personne:ada-martin|Ada]], puis [[personne:paul-secret|Paul]] "
                                      "et Paul SECRET, de [[organisation:call]] ; suite : [[reunion:2022-04-01-reunion-brouillon|la suivante]].\n"
                                      "<script>window.irevPwned=1</script> & `<b>`\n")
    cycle = tree / "cycles" / "2021-04-cycle-test.md"
    write(cycle, cycle.read_text(encoding="utf-8").replace(
        "  coordonnees_publiques: true", "  email: ada.martin@exemple.org\n  coordonnees_publiques: false"))
    people = tree / "registre" / "personnes.yml"
    write(people, people.read_text(encoding="utf-8").replace(
        "  prenom: Ada\n", "  prenom: Ada\n  email: ada@exemple.org\n  coordonnees_publiques: true\n").replace(
        "  prenom: Paul\n", "  prenom: Paul\n  email: paul@exemple.org\n  coordonnees_publiques: true\n"))
    site = tree.parent / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    return site


def test_texts_read_as_on_the_pages(edited_site):
    [meeting] = _objects(edited_site, "reunions.json")
    assert meeting["texte"].endswith(
        f"Accueil par [Ada]({SITE_URL}personnes/ada-martin/), puis une personne non nommée et [nom non publié], de "
        f"[Communauté d'agglomération de Lens-Liévin (CALL)]({SITE_URL}organisations/call/) ; suite : la suivante.\n"
        "<script>window.irevPwned=1</script> & `<b>`")  # the Markdown as written, read back by any JSON reader
    text = _export_text(edited_site)
    assert "paul" not in text.lower() and "secret" not in text.lower()
    assert "<script" not in text and "\\u003cscript\\u003e" in text  # no browser reads the files as HTML


def test_contact_details_only_where_public(edited_site):
    [cycle] = _objects(edited_site, "cycles.json")
    assert cycle["contact"]["email"] is None and cycle["contact"]["telephones"] == []  # marked not public
    assert _objects(edited_site, "personnes.json")[0]["email"] == "ada@exemple.org"  # public, with consent
    assert "paul@exemple.org" not in _export_text(edited_site)


def test_a_cell_a_spreadsheet_would_run_is_escaped(edited_site):
    [meeting] = _objects(edited_site, "reunions.json")
    assert meeting["resume"] == '=HYPERLINK("https://exemple.org")'  # JSON keeps the text as written
    header, row = _csv_rows(edited_site, exports.TABLES[0])
    assert dict(zip(header, row))["resume"] == "'=HYPERLINK(\"https://exemple.org\")"


def test_the_page_lists_every_file_and_is_linked_from_about_and_the_site_map(real_site):
    page = (real_site / "donnees" / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', page))
    files = {p.relative_to(real_site / "donnees").as_posix() for p in (real_site / "donnees").rglob("*")
             if p.is_file() and p.name != "index.html"}
    assert len(files) == 3 * len(exports.TABLES) + 1 and files <= links
    assert "Licence Ouverte" in page and "Données à jour le " in page
    for table in exports.TABLES:  # every field, from the models
        assert all(f"<code>{html_escape(field.name)}</code>" in page for field in exports.fields(table))
    for hand_written in ("a-propos", "plan-du-site"):
        assert re.search(r'href="(\.\./)+donnees/"', (real_site / hand_written / "index.html").read_text("utf-8"))


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_same_content_same_bytes_and_unchanged_files_are_not_rewritten(tmp_path):
    """No build date inside: two builds in two caches make the same files; the second build in
    the same cache rewrites none."""
    def export(cache: Path) -> dict:
        session = Session()
        assert not [p for p in session.prepare(session_options(MINIMAL, cache)) if not p.warning]
        session.make()
        return {uri: path for uri, path in session.files if uri.startswith(exports.FOLDER)}

    first, second = export(tmp_path / "a"), export(tmp_path / "b")
    assert first.keys() == second.keys()
    assert all(first[uri].read_bytes() == second[uri].read_bytes() for uri in first)
    times = {uri: path.stat().st_mtime_ns for uri, path in first.items()}
    export(tmp_path / "a")
    assert {uri: path.stat().st_mtime_ns for uri, path in first.items()} == times


def test_preview_remakes_what_an_edit_changed_as_a_fresh_build_does(tmp_path):
    """While serving, unchanged entries keep their lines: after each edit (a title, a consent), the
    files equal a fresh session's."""
    tree = tmp_path / "content"
    shutil.copytree(MINIMAL, tree)
    serving = Session(serving=True)

    def compare() -> dict[str, bytes]:
        assert not [p for p in serving.prepare(session_options(tree, tmp_path / "serve")) if not p.warning]
        serving.make()
        serving.write_later()  # what a preview writes once its pages are shown
        fresh = Session()
        fresh.prepare(session_options(tree, tmp_path / "fresh"))
        fresh.make()
        made = snapshot(tmp_path / "serve" / exports.FOLDER)
        assert made == snapshot(tmp_path / "fresh" / exports.FOLDER)
        return made

    compare()
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    write(meeting, meeting.read_text(encoding="utf-8").replace("Réunion de test du réseau", "Réunion renommée"))
    assert "Réunion renommée" in compare()["reunions.json"].decode()
    people = tree / "registre" / "personnes.yml"
    write(people, people.read_text(encoding="utf-8").replace("consentement_publication: true", "consentement_publication: false"))
    made = compare()
    assert b"ada-martin" not in made["reunions.json"] and made["personnes.json"] == b"[]\n"
