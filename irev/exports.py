"""Open data: every published record and registry entry as JSON, JSON Lines and CSV, the JSON
Schemas of what is exported, and the page describing them (/donnees/).

Made from the catalogue after its redaction: drafts are not in it, and the names of people
without consent are gone from every text. What is decided here is which references to people
stay: `person_shown` is the one place. A reference to a person not shown becomes null (function
and organisation kept beside it), a mention of them « une personne non nommée », as on the
pages; the registry of people holds only the people shown, their contact details only where
public. A reference to a record that is not published (a draft) becomes null too.

Files, under donnees/, made of the content alone (no build date: an unchanged site makes the
same bytes):
- <section>.json: a JSON array of the objects of one type, one object per line;
- tout.jsonl: every object (records, then registries), one per line, `categorie` giving its type;
- <section>.csv: the same for spreadsheets (`_cell`): UTF-8 with a byte order mark and `;` as
  separator, as a spreadsheet set to French opens them;
- schemas/<section>.schema.json: the JSON Schema of one object, the editors' schema (irev/schemas.py)
  with the export's own fields and rules.
"""

from __future__ import annotations

import codecs
import datetime as dt
import filecmp
import functools
import hashlib
import operator
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from defusedcsv import csv as safe_csv
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import atomic, attachments, incremental, mentions, models, pages, privacy, schemas, settings
from .catalogue import RECORD_KINDS, Catalogue, _ref_fields, _ref_kind, _ref_kind_in, _submodel_in
from .loading import Entry
from .rendering import page_url

FOLDER = "donnees"
PAGE = f"{FOLDER}/index.md"
EVERYTHING = "tout.jsonl"
LICENCE = ("Licence Ouverte / Open Licence version 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
UNNAMED = "une personne non nommée"  # a mention of a person not shown, as pages write it
EXCEL_CELL = 32767  # characters a spreadsheet cell holds (Excel, LibreOffice): a longer one would break the row
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n"}

# What every exported object starts with, before its model's fields (a registry entry's own `id` among
# them): name -> (nature, description, JSON Schema).
HEAD = {
    "id": ("identifiant",
           "Identifiant stable : le nom du fichier d'une ressource, l'identifiant d'une entrée de registre.",
           {"type": "string", "pattern": models.SLUG_PATTERN}),
    "categorie": ("valeur fixe", "Catégorie de l'objet : utile dans tout.jsonl, qui les mêle.", {}),
    "url": ("adresse web", "Adresse de sa page sur le site.", {"type": "string", "format": "uri"}),
}
TEXT = ("texte", "Texte de la ressource en Markdown, tel que l'a écrit la rédaction (les noms non publiés "
                 "retirés) ; les mentions d'autres entrées y sont des liens Markdown vers leurs pages. Il peut "
                 "contenir du HTML, que le site nettoie à l'affichage : nettoyez-le aussi avant de l'afficher.")
OMITTED = frozenset({"statut", "consentement_publication"})  # always « publie », always true in an export
CONTACT_DETAILS = ("email", "telephones")  # published only where `coordonnees_publiques` allows
NULLABLE = frozenset({"personne", *RECORD_KINDS})  # references that may point to someone or something not shown


@dataclass(frozen=True)
class Table:
    """One type of exported object, and its files."""

    kind: str
    model: type[BaseModel]
    stem: str  # reunions -> reunions.json, reunions.csv, schemas/reunions.schema.json
    title: str

    @property
    def record(self) -> bool:
        return self.kind in RECORD_KINDS

    @property
    def names(self) -> tuple[str, str, str]:
        return f"{self.stem}.json", f"{self.stem}.csv", f"schemas/{self.stem}.schema.json"


TABLES = tuple(Table(m.KIND, m, m.SECTION, pages.SECTION_TITLES[m.KIND]) for m in models.RECORD_TYPES) + tuple(
    Table(m.KIND, m, pages.ENTITY_SECTIONS[m.KIND], pages.DIRECTORY_TITLES[m.KIND]) for m in models.REGISTRY_TYPES)
_STEMS = {table.kind: table.stem for table in TABLES}
_TABLES = {table.stem: table for table in TABLES}


def person_shown(cat: Catalogue, ident: str | None, record: Entry | None = None,
                 holder: BaseModel | None = None) -> bool:
    """Whether the open data may name a person where `record` refers to them through `holder` (the
    Intervenant, Contact… holding the reference; both None for the registry of people and for a
    mention). Every reference to a person, mention and registry entry of the export goes through
    here. Today the registry's consent, as on the pages (Catalogue.person_name); a consent given
    for one event only is to be checked here too."""
    return cat.person_name(ident) is not None


@dataclass(frozen=True)
class Export:
    files: list[str]  # paths under donnees/
    page: pages.Page  # /donnees/


def jobs(renderer: pages.Renderer) -> list[tuple]:
    """One job per exported object, (type, id), types in order (the build session calls jobs, maker
    and make_one, and remakes only the jobs whose recorded inputs changed: irev/incremental.py)."""
    return [(table.stem, entry.id) for table in TABLES for entry in _entries(renderer.catalogue, table)]


def maker(renderer: pages.Renderer, site_url: str) -> _Exporter:
    return _Exporter(renderer, site_url)


def make_one(exporter: _Exporter, job: tuple) -> str:
    """An object's line of JSON; what it reads of the catalogue is noted."""
    table, cat = _TABLES[job[0]], exporter.cat
    if table.record:
        entry = cat.record(job[1])
        cat.body(entry)
    else:
        cat.get(table.kind, job[1])
        entry = cat.registries[table.kind][job[1]]
    return exporter.line(table, entry)


def setting(exporter: _Exporter) -> frozenset:
    """What every line depends on beyond what its job reads (the build session asks an output's
    maker for it): the records referred to but not published (a reference to one is made null
    wherever it is)."""
    return exporter.hidden


@dataclass
class Kept:
    """What a preview (`mkdocs serve`) keeps from one build to the next: each line's CSV row, the
    lines each type's files were last written from, and the files it wrote. A line whose job was not
    made again is the very same object: a type whose lines all are, and whose files are still as
    written, needs neither its files read back nor its lines hashed (at 10,000 records, 300 MB of
    files and lines, most of a preview's rebuild of the open data)."""

    rows: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    files: atomic.Written = field(default_factory=atomic.Written)
    lengths: dict = field(default_factory=dict)  # each line's and row's size in UTF-8

    def holds(self, folder: Path, stem: str, lines: list[str], noted: tuple) -> bool:
        """Whether a type's files (`noted`: what `write` noted of them) hold these lines (the very
        same objects but those an edit made again: compared at once)."""
        return self.lines.get(stem) == lines and self.still(folder, noted)

    def other(self, stem: str, lines: list[str]) -> bool:
        """Whether a type's files were written from other lines (a preview's): then they are not read back."""
        return stem in self.lines and self.lines[stem] != lines

    def still(self, folder: Path, noted: tuple) -> bool:
        return all(self.files.holds(folder / name, digest) for name, digest in noted[1].items())

    def note(self, folder: Path, noted: tuple) -> None:
        for name, digest in noted[1].items():
            self.files.note(folder / name, digest)


def write(renderer: pages.Renderer, site_url: str, folder: Path, lines: list[str], kept: Kept | None = None,
          written: dict | None = None, later: list | None = None) -> Export:
    """Every file of the open data into a folder (a file whose bytes would not change is left as it
    is), and the page that describes them, from the lines of the jobs in order. One type at a time:
    at 10,000 records, the objects of one type take tens of megabytes as text. A type whose lines
    are those its files were last written from keeps them, if they still hold what was written
    (`written` notes both: kept between builds; `kept`, a preview's, tells it quicker). `later` (a
    preview's): the writing is put there, to run once the pages are served (at 10,000 records, 200 MB
    after an edit), the page's sizes counted from the lines. The renderer (of the catalogue to
    export) names mentioned entries as the pages do."""
    cat, sizes, counts = renderer.catalogue, {}, {}
    written = {} if written is None else written
    rows, kept = kept and kept.rows, kept or Kept()  # a build's rows go with their type (rows None)
    made, by_type, tables, same = iter(lines), [], [], 0
    for table in TABLES:
        of_table = [next(made) for _ in _entries(cat, table)]
        by_type.append(of_table)
        counts[table.stem] = len(of_table)
        if table.stem in written and kept.holds(folder, table.stem, of_table, written[table.stem]):
            sizes.update((name, size) for name, (size, _) in written[table.stem][1].items())
            same += 1
        elif not kept.other(table.stem, of_table) and _as_written(folder, written, table.stem, (site_url, of_table),
                                                                   sizes):  # (its schema's address)
            kept.note(folder, written[table.stem])
        else:
            tables.append((table, of_table))
            continue
        kept.lines[table.stem] = of_table
    writes = [functools.partial(_write_type, folder, table, of_table, site_url, rows, written, kept)
              for table, of_table in tables]
    if same == len(TABLES) and EVERYTHING in written and kept.still(folder, written[EVERYTHING]):
        sizes[EVERYTHING] = written[EVERYTHING][1][EVERYTHING][0]
    elif tables or not _as_written(folder, written, EVERYTHING, [written[t.stem][0] for t in TABLES], sizes):
        writes.append(functools.partial(_write_everything, folder, by_type, written, kept))
    else:
        kept.note(folder, written[EVERYTHING])
    if later is None:
        for write_files in writes:
            sizes.update(atomic.in_parts(write_files()))
    else:
        later.extend(writes)
        for table, of_table in tables:
            sizes.update(_counted(table, of_table, site_url, kept))
        if len(writes) > len(tables):
            sizes[EVERYTHING] = sum(_utf8_size(line, kept.lengths) + 1 for of_table in by_type for line in of_table)
    if rows is not None and tables:  # kept for the next build: the rows of lines gone, and their sizes, are forgotten
        wanted = set(lines)
        for line in [line for line in rows if line not in wanted]:
            del rows[line]
        wanted.update(rows.values())
        for text in [text for text in kept.lengths if text not in wanted]:
            del kept.lengths[text]
    updates = cat.each("updated", lambda entry: (entry.model.updated().first_day, entry.id, entry.model.updated()))
    newest = max(updates.values(), key=_DAY_THEN_ID, default=(None, None, None))[2]  # (ties: whatever the order)
    markdown = renderer.render(
        "donnees.md.j2", PAGE, tables=TABLES, counts=counts, total=sum(counts.values()), everything=EVERYTHING,
        sizes={name: attachments.size_label(size) for name, size in sizes.items()}, newest=newest, licence=LICENCE,
        fields={table.stem: fields(table) for table in TABLES}, address=settings.absolute_url(page_url(PAGE), site_url),
        cell_limit=f"{EXCEL_CELL:,}".replace(",", "\u00a0"), redacted=privacy.REDACTED, unnamed=UNNAMED)
    return Export([*sizes], pages.Page.of(PAGE, "Données ouvertes", markdown))


_DAY_THEN_ID = operator.itemgetter(0, 1)


def _write_type(folder: Path, table: Table, of_table: list[str], site_url: str, rows: dict | None, written: dict,
                kept: Kept) -> typing.Generator[None, None, dict[str, int]]:
    """A type's files (JSON, CSV, schema), one at a time, noted in `written` and `kept` once all are
    written: their sizes."""
    json_name, csv_name, schema_name = table.names
    made = {json_name: lambda: _json_array(of_table).encode(),
            csv_name: lambda: "".join(_csv(table, of_table, {} if rows is None else rows)).encode("utf-8-sig"),
            schema_name: lambda: _schema_text(table, site_url)}
    files = {}
    for name, make in made.items():
        files[name] = make()
        atomic.write_if_changed(folder / name, files[name])
        yield
    written[table.stem] = (incremental.fingerprint((site_url, of_table)),
                           {name: _digest(text) for name, text in files.items()})
    kept.note(folder, written[table.stem])
    kept.lines[table.stem] = of_table
    return {name: len(text) for name, text in files.items()}


def _write_everything(folder: Path, by_type: list[list[str]], written: dict,
                      kept: Kept) -> typing.Generator[None, None, dict[str, int]]:
    """The file of every object, after every type's (its note is made of theirs), a type at a time."""
    with _Replaced(folder / EVERYTHING) as everything:
        for of_table in by_type:
            everything.write("".join(line + "\n" for line in of_table).encode())
            yield
    written[EVERYTHING] = (incremental.fingerprint([written[table.stem][0] for table in TABLES]),
                           {EVERYTHING: (everything.size, everything.digest.hexdigest())})
    kept.note(folder, written[EVERYTHING])
    return {EVERYTHING: everything.size}


def _json_array(lines: list[str]) -> str:
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _counted(table: Table, lines: list[str], site_url: str, kept: Kept) -> dict[str, int]:
    """The sizes `_write_type` will write, counted from a preview's lines and rows."""
    json_name, csv_name, schema_name = table.names
    separators = len(_json_array([""] * len(lines)))
    return {json_name: separators + sum(_utf8_size(line, kept.lengths) for line in lines),
            csv_name: len(codecs.BOM_UTF8) + sum(_utf8_size(row, kept.lengths) for row in _csv(table, lines, kept.rows)),
            schema_name: len(_schema_text(table, site_url))}


def _utf8_size(text: str, lengths: dict[str, int]) -> int:
    """The size of a text in UTF-8, kept by text (the same lines and rows, from one build to the next)."""
    found = lengths.get(text)
    if found is None:
        found = lengths[text] = len(text) if text.isascii() else len(text.encode())
    return found


def _as_written(folder: Path, written: dict, what: str, made_of: object, sizes: dict) -> bool:
    """Whether files were last written from the same lines (`written`: the fingerprint of what they
    were made of, each one's size and SHA-256) and still hold what was written (then their sizes
    are noted in `sizes`): reading them is quicker than making them again."""
    found = written.get(what)
    if found is None or found[0] != incremental.fingerprint(made_of):
        return False
    for name, noted in found[1].items():
        path = folder / name
        try:
            with path.open("rb") as file:  # read in parts: the file of everything is 100 MB at 10,000 records
                if (path.stat().st_size, hashlib.file_digest(file, "sha256").hexdigest()) != noted:
                    return False
        except OSError:
            return False
    sizes.update((name, size) for name, (size, _) in found[1].items())
    return True


def _digest(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def _entries(cat: Catalogue, table: Table) -> list[Entry]:
    """A type's objects: records newest first, registry entries in their file's order."""
    if table.record:
        return cat.by_kind(table.kind)
    found = cat.registries.get(table.kind, {}).values()
    return [entry for entry in found if table.kind != "personne" or person_shown(cat, entry.id)]


class _Exporter:
    def __init__(self, renderer: pages.Renderer, site_url: str):
        cat = renderer.catalogue
        self.cat, self.site_url, self.renderer = cat, site_url, renderer
        self.withheld, self.hidden = self._withheld(cat)

    @staticmethod
    def _withheld(cat: Catalogue) -> tuple[set[str], frozenset]:
        """The records holding a reference the export makes null (to a person not shown there, to a
        record not published: the catalogue's links hold every reference of every shown record),
        and the records referred to but not published."""
        found, hidden, people = set(), set(), cat.registries.get("personne", {})
        reuse = cat.reuse("export withheld")  # a preview's rebuild: only where links or the person changed
        for (kind, ident), links in cat.backlinks.items():
            if kind == "personne":
                found.update(reuse(ident, (links, people.get(ident)), lambda: [
                    link.record.id for link in links
                    if link.role != "mention" and not person_shown(cat, ident, link.record, link.detail)]))
            elif kind in RECORD_KINDS and cat.get(kind, ident) is None:
                found.update(link.record.id for link in links)
                hidden.add((kind, ident))
        return found, frozenset(hidden)

    def url(self, src_uri: str) -> str:
        return settings.absolute_url(page_url(src_uri), self.site_url)

    def line(self, table: Table, entry: Entry) -> str:
        """An entry as exported, as one line of JSON, written by pydantic's serialiser (in Rust, seven
        times quicker than a dump to Python objects). A record linking nothing withheld and holding
        no contact details is written as it is; mentions, as the pages show them."""
        uri = pages.record_uri(entry) if table.record else pages.entity_uri(entry.kind, entry.id)
        record = entry if table.record else None
        line = self._line(entry, self.url(uri))
        if not table.record or entry.id in self.withheld or '"coordonnees_publiques"' in line:  # contact details: looked at
            model = self._without_withheld(record, entry.model)
            if model is not entry.model:
                line = self._line(entry, self.url(uri), model)
        if "[[" in line:
            with self.renderer.shown_in(record):  # named as the record shows them
                line = _json(self._mentions(record, json.loads(line)))
        return _html_safe(line)

    @staticmethod
    def _line(entry: Entry, url: str, model: BaseModel | None = None) -> str:
        head = _json({"id": entry.id, "categorie": entry.kind, "url": url})[:-1]
        # A reference made null may be of a required field: the serialiser need not warn of it.
        fields = (model or entry.model).model_dump_json(exclude=OMITTED | {"id"}, warnings=False)[1:-1]
        body = f',"{TEXT[0]}":{_json(entry.body.strip())}' if entry.kind in RECORD_KINDS else ""
        return f"{head},{fields}{body}}}"

    def _without_withheld(self, record: Entry | None, model: BaseModel) -> BaseModel:
        """A model with its references to people not shown and to records not published made null,
        and its contact details gone unless public; the very same model when nothing changes."""
        changes = {}
        if "coordonnees_publiques" in type(model).model_fields and not self._details_public(record, model):
            changes = {name: [] if isinstance(getattr(model, name), list) else None for name in CONTACT_DETAILS
                       if getattr(model, name)}
        for name, (kind, _) in _ref_fields(type(model)).items():
            value = getattr(model, name)
            if value is None:
                continue
            # A block (a partner: organisation and role) is looked into; an id is kept if shown.
            items = [self._without_withheld(record, i) if isinstance(i, BaseModel)
                     else i if kind is None or self._shown(kind, i, record, model) else None for i in _items(value)]
            if any(new is not old for new, old in zip(items, _items(value))):
                changes[name] = items if isinstance(value, list) else items[0]
        return model.model_copy(update=changes) if changes else model

    def _shown(self, kind: str, ident: str, record: Entry | None, holder: BaseModel) -> bool:
        if kind == "personne":
            return person_shown(self.cat, ident, record, holder)
        return self.cat.get(kind, ident) is not None  # a draft is not in the catalogue

    def _details_public(self, record: Entry | None, model: BaseModel) -> bool:
        """As pages decide (Renderer.details_public): marked public, and the person they reach shown."""
        person = getattr(model, "personne", None)
        if getattr(model, "nommer", None) is False:  # a person this record does not name (their id dropped already)
            return False
        return model.coordonnees_publiques and (person is None or person_shown(self.cat, person, record, model))

    def _mentions(self, record: Entry | None, value):
        if isinstance(value, str):
            return mentions.replace(value, lambda kind, ident, label: self._mention(record, kind, ident, label))
        if isinstance(value, dict):
            return {key: self._mentions(record, item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._mentions(record, item) for item in value]
        return value

    def _mention(self, record: Entry | None, kind: str, ident: str, label: str | None) -> str:
        """A mention as a Markdown link to the entry's page, with its label or name; plain text
        where it has no page; a person not shown is never named, even by the label."""
        if kind == "personne" and not person_shown(self.cat, ident, record):
            return UNNAMED
        name, href = self.renderer.entity_target("", kind, ident)  # from the site's root: the source's path
        text = label or name.replace("[", "\\[").replace("]", "\\]")
        return f"[{text}]({self.url(href)})" if href else text


class _Replaced:
    """A file written piece by piece beside its place, put there only if its bytes changed."""

    def __init__(self, path: Path):
        self.path, self.size, self.digest = path, 0, hashlib.sha256()
        self.temporary = atomic.beside(path)

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.temporary.open("wb")
        return self

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)
        self.digest.update(data)

    def __exit__(self, kind, *_):
        self.file.close()
        if kind is None and not (self.path.exists() and filecmp.cmp(self.temporary, self.path, shallow=False)):
            self.temporary.replace(self.path)
        else:
            self.temporary.unlink()


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


def _html_safe(line: str) -> str:
    """Outside its strings, JSON has none of these characters: escaped everywhere, a body's HTML is
    never read as HTML by a browser that would take the file for a page (any JSON reader gives the
    text back as written)."""
    return line.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- CSV --------------------------------------------------------------------------------------


def columns(table: Table) -> list[tuple[str, bool]]:
    """(name, joined) of each column: the head fields, the model's fields with a single object's
    own fields as columns of their own (`contact.email`). `joined`: a list of ids or fixed values,
    written « a, b ». Not a record's text: Markdown that may hold HTML, and may outgrow a cell
    (fields are plain text: tags are removed at loading)."""
    return [(name, False) for name in HEAD] + [c for c in _model_columns(table.model, "") if c[0] not in HEAD]


def _model_columns(model: type[BaseModel], prefix: str) -> list[tuple[str, bool]]:
    found = []
    for name, info in model.model_fields.items():
        if name in OMITTED or info.exclude:
            continue
        annotation = _without_none(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _model_columns(annotation, f"{prefix}{name}.")
        else:
            found.append((prefix + name, _joined(info)))
    return found


def _joined(info: FieldInfo) -> bool:
    """A list of ids or fixed values: slugs, which never hold a comma."""
    if typing.get_origin(info.annotation) is not list:
        return False
    item = typing.get_args(info.annotation)[0]
    return bool(_ref_kind_in(item)) or typing.get_origin(item) is typing.Literal


class _Row:
    """What a CSV writer writes: one row at a time, kept."""

    def write(self, text: str) -> None:
        self.text = text


def _csv(table: Table, lines: list[str], rows: dict) -> list[str]:
    """One row per object, after the header. A cell holds a value as it is (dates AAAA-MM-JJ, true or
    false); a list of ids or fixed values « a, b »; any other list, or an object inside a list, as JSON;
    nothing for null or an empty list. defusedcsv puts a « ' » before a cell that a spreadsheet would
    run as a formula. `rows`: each line's row, made before or now. Written in UTF-8 with its BOM."""
    wanted, json_name, row = columns(table), table.names[0], _Row()
    writer = safe_csv.writer(row, **CSV_DIALECT)
    writer.writerow([name for name, _ in wanted])
    out = [row.text]
    for line in lines:
        if line not in rows:
            data = json.loads(line)
            writer.writerow([_cell(_at(data, name), joined, json_name) for name, joined in wanted])
            rows[line] = row.text
        out.append(rows[line])
    return out


def _at(data: dict, column: str):
    for part in column.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _cell(value, joined: bool, json_name: str) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, str)):
        text = str(value)
    elif joined and all(item is None or isinstance(item, str) for item in value):  # blocks (a partner and its role): JSON
        text = ", ".join(item for item in value if item is not None)
    else:
        text = _json(value)
    return text if len(text) <= EXCEL_CELL else f"[trop long pour un tableur : voir {json_name}]"


# --- schemas ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _schema_text(table: Table, site_url: str) -> bytes:
    return schemas.dump(schema(table, site_url), table.title).encode()


def schema(table: Table, site_url: str) -> dict:
    """The JSON Schema of one exported object: its model's, without the fields an export leaves
    out, with the head fields and the text, and null allowed where a reference may be withheld."""
    found = table.model.model_json_schema()
    _nullable_references(table.model, found, found.get("$defs", {}), set())
    own = {name: value for name, value in found["properties"].items() if name not in OMITTED and name not in HEAD}
    head = {name: {**shape, "description": text} for name, (_, text, shape) in HEAD.items()}
    head["categorie"]["const"] = table.kind
    found["properties"] = {**head, **own}
    found["required"] = [*HEAD, *(name for name in found.get("required", []) if name in own)]
    if table.record:
        found["properties"][TEXT[0]] = {"type": "string", "description": TEXT[1]}
        found["required"].append(TEXT[0])
    found["$id"] = settings.absolute_url(f"{FOLDER}/{table.names[2]}", site_url)
    found["description"] = (f"Un objet de {table.names[0]} (ou une ligne de {EVERYTHING} de catégorie "
                            f"« {table.kind} ») : données ouvertes de l'IREV.")
    return found


def _nullable_references(model: type[BaseModel], node: dict, defs: dict, done: set) -> None:
    for name, (kind, sub) in _ref_fields(model).items():
        prop = node["properties"].get(name)
        if prop is None:
            continue
        if kind in NULLABLE:
            if prop.get("type") == "array":
                prop["items"] = _or_null(prop["items"])
            else:
                node["properties"][name] = _or_null(prop)
        elif sub is not None and sub.__name__ in defs and sub.__name__ not in done:
            done.add(sub.__name__)
            _nullable_references(sub, defs[sub.__name__], defs, done)


def _or_null(prop: dict) -> dict:
    if {"type": "null"} in prop.get("anyOf", []):
        return prop
    notes = {key: prop[key] for key in ("title", "description", "default") if key in prop}
    return {"anyOf": [{k: v for k, v in prop.items() if k not in notes}, {"type": "null"}], **notes}


# --- field documentation, for the page ----------------------------------------------------------


@dataclass(frozen=True)
class FieldDoc:
    name: str  # `contact.email`, `participants[].personne`
    nature: str  # « texte », « liste : identifiant (voir personnes.json) »…
    description: str
    values: tuple[tuple[str, str], ...] = ()  # fixed values and their French labels


def fields(table: Table) -> list[FieldDoc]:
    """Every field of an exported object, nested ones included, described from the models."""
    kinds = tuple((other.kind, other.title) for other in TABLES)
    found = [FieldDoc(name, nature, text, kinds if name == "categorie" else ())
             for name, (nature, text, _) in HEAD.items()]
    found += [f for f in _model_fields(table.model, "") if f.name not in HEAD]
    return found + ([FieldDoc(TEXT[0], "texte (Markdown)", TEXT[1])] if table.record else [])


def _model_fields(model: type[BaseModel], prefix: str) -> list[FieldDoc]:
    found = []
    for name, info in model.model_fields.items():
        if name in OMITTED or info.exclude:
            continue
        annotation = _without_none(info.annotation)
        kind = _ref_kind(info.metadata) or _ref_kind_in(annotation)
        found.append(FieldDoc(prefix + name, _nature(annotation, kind), info.description or _description_in(annotation),
                           _values(annotation, info.metadata)))
        sub = _submodel_in(annotation)
        if sub is not None and kind is None:
            found += _model_fields(sub, f"{prefix}{name}{'[]' if typing.get_origin(annotation) is list else ''}.")
    return found


_UNIONS = (typing.Union, types.UnionType)
_NATURES = {bool: "vrai ou faux (true, false)", int: "nombre entier", dt.date: "date (AAAA-MM-JJ)", str: "texte"}


def _nature(annotation, kind: str | None) -> str:
    annotation = _bare(annotation)
    if typing.get_origin(annotation) is list:
        return "liste : " + _nature(typing.get_args(annotation)[0], kind)
    if kind is not None:
        return f"identifiant (voir {_STEMS[kind]}.json)"
    if typing.get_origin(annotation) is typing.Literal:
        return "valeur fixe"
    if typing.get_origin(annotation) in _UNIONS:
        return " ou ".join(dict.fromkeys(_nature(a, None) for a in typing.get_args(annotation)))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "objet"
    return _NATURES.get(annotation, "texte")


def _values(annotation, metadata=()) -> tuple[tuple[str, str], ...]:
    """The fixed values of a field with their French labels (models.enumeration keeps them in its type)."""
    labels = next((m.labels for m in metadata if isinstance(m, models.Labels)), {})
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *inner = typing.get_args(annotation)
        labels = next((m.labels for m in inner if isinstance(m, models.Labels)), labels)
    if typing.get_origin(annotation) is list:
        return _values(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is typing.Literal:
        return tuple((value, labels.get(value, "")) for value in typing.get_args(annotation))
    return ()


def _bare(annotation):
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return _without_none(annotation)


def _without_none(annotation):
    """Optional[X] -> X (other unions as they are)."""
    if typing.get_origin(annotation) in _UNIONS:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _description_in(annotation) -> str:
    """A description given in a reusable type (`Heure`) rather than on the field."""
    for argument in typing.get_args(annotation):
        if isinstance(argument, FieldInfo) and argument.description:
            return argument.description
        found = _description_in(argument) if not isinstance(argument, (str, FieldInfo)) else ""
        if found:
            return found
    return ""
