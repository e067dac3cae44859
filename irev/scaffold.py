"""Scaffolds: a new record file, or a new registry entry, for an editor to fill in.

Made from the models, never from a template per type: every field is shown, nested ones
included (a list with one example element), each with its French description, its allowed
values and whether it is required; a new field of a model appears in scaffolds by itself.
Required fields are written as they are (empty, so that `make check` asks for them);
optional ones are commented out (`# lieu:`), ready to be uncommented. A record is a draft
(`statut: brouillon`): it never reaches the public site by accident.

Nothing an editor wrote is ever changed: a record file is created only if its id is free,
and a registry entry is appended at the end of its registry file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from . import catalogue, files, loading, models
from .parsing import FORBIDDEN, parse_yaml
from .problems import closest, relative
from .referentiel import slugify

# The registries an editor adds to by hand; territories come from their INSEE code (one line,
# see the README) and themes are a vocabulary curated apart.
REGISTRY_KINDS = ("personne", "organisation")
# What the id of a new registry entry is made of.
ID_FIELDS = {"personne": ("prenom", "nom"), "organisation": ("nom",)}
KINDS = (*catalogue.RECORD_KINDS, *REGISTRY_KINDS)
ID_LENGTH = 70  # at most, cut between words: ids become file names and addresses
WIDTH = 100  # of a comment line
_UNREADABLE = re.compile("[\ud800-\udfff]")  # bytes of an argument not in the terminal's encoding (surrogateescape)

RECORD_HEAD = [
    "## Nouvelle ressource, en brouillon : complétez les champs marqués (obligatoire) ; pour un champ",
    "## facultatif, retirez le « # » en début de ses lignes. Puis lancez make check.",
    "## « statut: publie » la mettra sur le site public.",
]
RECORD_FOOT = ["## Sous la ligne « --- » qui suit : le texte de la ressource, en Markdown (facultatif)."]


class Refused(Exception):
    """Why a scaffold was not written (in French, for the editor)."""


@dataclass(frozen=True)
class Written:
    path: Path
    ident: str
    appended: bool  # a registry entry added at the end of its file


def create(root: Path, kind: str, values: dict[str, str], ident: str | None = None,
           today: dt.date | None = None) -> Written:
    """Write the scaffold of a record or registry entry of `kind` under the content tree `root`.

    `values` are the fields the editor gave (titre, date; nom, prenom), empty ones left out;
    `ident` the id, made from them if not given. Raises Refused.
    """
    if not kind:
        raise Refused(f"indiquez le type : TYPE=… (make nouveau) ou python -m irev nouveau TYPE, parmi {', '.join(KINDS)}")
    if kind not in KINDS:
        raise Refused(f"type « {kind} » inconnu : {', '.join(KINDS)} attendu"
                      + (f" ({closest(kind, KINDS)})" if closest(kind, KINDS) else ""))
    if not root.is_dir():
        raise Refused(f"dossier de contenu introuvable : {root} (vérifiez CONTENT_DIR)")
    values = {name: _one_line(name, value) for name, value in values.items() if value and value.strip()}
    if kind in catalogue.RECORD_KINDS:
        return _new_record(root, catalogue.RECORD_KINDS[kind], values, ident, today or dt.date.today())
    return _new_entry(root, kind, values, ident)


def _one_line(name: str, value: str) -> str:
    """A value given on the command line as one line of text: line breaks and runs of white space as one
    space (a newline, or a « --- » line, would end the front matter); what a record may not hold refused."""
    if _UNREADABLE.search(value):
        raise Refused(f"{name.upper()} : caractère illisible (le terminal n'écrit pas en UTF-8) ; "
                      "réglez le terminal en UTF-8, ou écrivez la valeur dans le fichier créé")
    value = " ".join(value.split())
    if forbidden := FORBIDDEN.search(value):
        raise Refused(f"{name.upper()} : caractère de contrôle ou invisible (U+{ord(forbidden.group()):04X}) refusé : "
                      "retirez-le")
    return value


# --- records -----------------------------------------------------------------------------


def _new_record(root: Path, model: type[models.Record], values: dict, ident: str | None, today: dt.date) -> Written:
    if "titre" not in values:
        raise Refused("indiquez le titre : TITRE=\"…\" (make nouveau) ou --titre \"…\" (python -m irev nouveau)")
    date = model.model_fields.get("date")
    if date is not None and date.is_required() and "date" not in values:
        raise Refused("indiquez la date : DATE=AAAA-MM-JJ (make nouveau) ou --date AAAA-MM-JJ (python -m irev nouveau)")
    parsed = _checked_date(model, values.get("date", str(today.year)))
    # As the seed's file names: a meeting by its day (as precise as its date), other records by their year.
    prefix = parsed.isoformat() if model is models.Reunion else str(parsed.year)
    ident = _checked_id(ident or f"{prefix}-{_slug(values['titre'])}")
    taken = [root / m.FOLDER / f"{ident}.md" for m in models.RECORD_TYPES if os.path.lexists(root / m.FOLDER / f"{ident}.md")]
    if taken:
        raise Refused(f"{relative(taken[0], root)} existe déjà : il n'est pas remplacé "
                      "(choisissez un autre titre, ou un identifiant avec ID=… / --id …)")
    given = {"titre": values["titre"], "statut": "brouillon"}
    if date is not None and "date" in values:
        given["date"] = values["date"]
    path = _inside(root, model.FOLDER) / f"{ident}.md"
    text = "---\n" + "\n".join(RECORD_HEAD + _fields(model, given, "") + RECORD_FOOT) + "\n---\n"
    with open(path, "x", encoding="utf-8") as file:  # never replaces a file, even one made meanwhile
        file.write(text)
    return Written(path, ident, appended=False)


def _checked_date(model: type[BaseModel], value: str):
    """The date as the model reads it (a record without a date of its own: a day, a month or a year)."""
    info = model.model_fields.get("date")
    annotation = typing.Annotated[(info.annotation, *info.metadata)] if info is not None else models.DateAvecAnnee
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        message, hint = loading.french(model, error.errors()[0])
        raise Refused(f"date : {message}" + (f" ({hint})" if hint else "")) from None


# --- registry entries --------------------------------------------------------------------


def _new_entry(root: Path, kind: str, values: dict, ident: str | None) -> Written:
    model = loading.REGISTRY_MODELS[kind]
    missing = [name for name in ID_FIELDS[kind] if name not in values]
    if missing:
        raise Refused("indiquez " + " et ".join(f"{name.upper()}=\"…\" (--{name})" for name in missing))
    ident = _checked_id(ident or _slug(" ".join(values[name] for name in ID_FIELDS[kind])))
    folder, name = loading.REGISTRY_FILES[kind].split("/")
    path = _inside(root, folder) / name
    before = ""
    if os.path.lexists(path):
        before, unreadable = files.read(path, files.REGISTRY_LIMIT)
        if unreadable:
            raise Refused(f"{relative(path, root)} : {unreadable[2]} ; il n'est pas modifié")
    entries = _entries(before)
    if entries is None:
        raise Refused(f"{relative(path, root)} ne se lit pas comme une liste d'entrées : lancez make check et "
                      "corrigez-le d'abord")
    if ident in {entry.get("id") for entry in entries if isinstance(entry, dict)}:
        raise Refused(f"l'identifiant « {ident} » existe déjà dans {relative(path, root)} : rien n'est ajouté "
                      "(complétez l'entrée existante, ou choisissez un autre identifiant avec ID=… / --id …)")
    lines = ["", "## Nouvelle entrée : complétez les champs marqués (obligatoire), puis lancez make check."]
    lines += _fields(model, {"id": ident, **{k: v for k, v in values.items() if k in model.model_fields}}, "  ", item=True)
    after = before + ("\n" if before and not before.endswith("\n") else "") + "\n".join(lines) + "\n"
    if len(_entries(after) or ()) != len(entries) + 1:
        raise Refused(f"{relative(path, root)} n'est pas écrit comme une liste « - … » : l'entrée ne peut pas y être "
                      "ajoutée à la fin (lancez make check)")
    with open(path, "a", encoding="utf-8") as file:  # appended: the editors' text is left as it is
        file.write(after[len(before):])
    return Written(path, ident, appended=True)


def _inside(root: Path, folder: str) -> Path:
    """A folder of the content tree, made if missing; never through a link (it would write outside the tree)."""
    path = root / folder
    if os.path.islink(path) or (os.path.lexists(path) and not path.is_dir()):
        raise Refused(f"{relative(path, root)} n'est pas un dossier ordinaire : rien n'y est écrit")
    path.mkdir(exist_ok=True)
    return path


def _entries(text: str) -> list | None:
    """A registry's entries as read (None: it does not read as a list)."""
    parsed = parse_yaml(text)
    if parsed.problems or not isinstance(parsed.data, (list, type(None))):
        return None
    return parsed.data or []


# --- ids ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    slug = slugify(text)
    if len(slug) > ID_LENGTH:
        slug = slug[:ID_LENGTH + 1].rsplit("-", 1)[0]
    return slug


def _checked_id(ident: str) -> str:
    if not re.fullmatch(models.SLUG_PATTERN, ident) or ident in loading.RESERVED_IDS:
        raise Refused(f"identifiant « {ident} » invalide : minuscules sans accents, chiffres et tirets, "
                      "par ex. 2022-06-22-reseau-lcd (donnez un titre ou un nom avec des lettres, ou ID=… / --id …)")
    return ident


# --- fields, from the models --------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """What a scaffold shows of one field of a model."""

    name: str
    info: FieldInfo
    base: object  # the type, Optional, Annotated and list taken off
    metadata: tuple
    many: bool

    @classmethod
    def of(cls, name: str, info: FieldInfo) -> _Field:
        base, metadata = _bare(info.annotation)
        many = typing.get_origin(base) is list
        if many:
            base, inner = _bare(typing.get_args(base)[0])
            metadata += inner
        return cls(name, info, base, tuple(info.metadata) + metadata, many)

    @property
    def nested(self) -> type[BaseModel] | None:
        """A block of fields (a date is written as text, its block form being for a note)."""
        block = isinstance(self.base, type) and issubclass(self.base, BaseModel) and self.base is not models.PartialDate
        return self.base if block else None

    def doc(self) -> str:
        """Its comment: required or not, description, what to write."""
        description = self.info.description or next(
            (m.description for m in self.metadata if isinstance(m, FieldInfo) and m.description), "")
        parts = ["(obligatoire)"] if self.info.is_required() else []
        parts += [description, self._expected(description)]
        return " ".join(part for part in parts if part)

    def _expected(self, description: str) -> str:
        kind = next((m.kind for m in self.metadata if isinstance(m, models.Ref)), None)
        if self.nested is not None:
            return ""  # its fields say what to write
        if kind in loading.REGISTRY_FILES:
            return "" if "registre" in description else f"Identifiant d'une entrée de {loading.REGISTRY_FILES[kind]}."
        if kind in catalogue.RECORD_KINDS:
            return f"Identifiant : nom d'un fichier de {catalogue.RECORD_KINDS[kind].FOLDER}/, sans « .md »."
        if typing.get_origin(self.base) is typing.Literal:
            labels = next((m.labels for m in self.metadata if isinstance(m, models.Labels)), {})
            return "Valeurs : " + ", ".join(f"{v} ({labels[v]})" if v in labels else v
                                             for v in typing.get_args(self.base)) + "."
        pattern = next((m.pattern for m in self.metadata if getattr(m, "pattern", None)), None)
        hints = {bool: "true ou false.", int: "Nombre entier.", models.PartialDate: "AAAA-MM-JJ, AAAA-MM ou AAAA."}
        if pattern == models.SLUG_PATTERN:
            return "Identifiant : minuscules sans accents, chiffres et tirets."
        return hints.get(self.base, "") if "AAAA" not in description else ""

    def example(self) -> list:
        """The values shown: its default, else (for a list) one element to fill in."""
        default = None if self.info.is_required() else self.info.get_default(call_default_factory=True)
        if self.many:
            return default or [None]
        return [] if default is None else [default]


def _bare(annotation) -> tuple[object, tuple]:
    """A type without Optional and Annotated, and the metadata they held."""
    metadata: tuple = ()
    while True:
        origin = typing.get_origin(annotation)
        arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is typing.Annotated:
            metadata += annotation.__metadata__
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType) and len(arguments) == 1:
            annotation = arguments[0]
        else:
            return annotation, metadata


def _fields(model: type[BaseModel], given: dict, indent: str, item: bool = False, optional_out: bool = True) -> list[str]:
    """The lines of a model's fields at an indentation; `item`: as the element of a list (`- `).

    Optional fields are commented out (`optional_out`), but not inside a field that is: uncommenting
    a block gives every field of its example."""
    if item and not any(info.is_required() for info in model.model_fields.values()):
        optional_out = False  # an element needs some field: its example shows them all
    lines = []
    required_first = sorted(model.model_fields.items(), key=lambda item: not item[1].is_required())
    for name, info in required_first:
        field = _Field.of(name, info)
        out = optional_out and name not in given and not info.is_required() and name not in getattr(model, "SCAFFOLD_SHOWN", ())
        block = _value(field, given, indent, optional_out and not out)
        if out:
            block = [f"{indent}# {line[len(indent):]}" for line in block]
        wrapped = textwrap.wrap(field.doc(), WIDTH - len(indent) - 3, break_on_hyphens=False)
        lines += [f"{indent}## {text}" for text in wrapped] + block
    if item:  # `- ` on the first field's line when it is written out, else on a line of its own
        first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
        if first == next(i for i, line in enumerate(lines) if not line.lstrip().startswith("##")):
            return [line[2:] for line in lines[:first]] + [f"{indent[:-2]}- {lines[first].lstrip()}"] + lines[first + 1:]
        return [f"{indent[:-2]}-"] + lines
    return lines


def _value(field: _Field, given: dict, indent: str, optional_out: bool) -> list[str]:
    """`name: value`, or `name:` and its nested lines."""
    if field.name in given:
        return [f"{indent}{field.name}: {_scalar(given[field.name])}"]
    nested = field.nested
    if not field.many:
        if nested is not None:
            return [f"{indent}{field.name}:"] + _fields(nested, {}, indent + "  ", optional_out=optional_out)
        shown = field.example()
        return [f"{indent}{field.name}:" + (f" {_scalar(shown[0])}" if shown else "")]
    lines = [f"{indent}{field.name}:"]
    for element in field.example():
        if nested is not None:
            lines += _fields(nested, {}, indent + "    ", item=True, optional_out=optional_out)
        else:
            lines.append(f"{indent}  -" + (f" {_scalar(element)}" if element is not None else ""))
    return lines


def _scalar(value) -> str:
    """A value as written in YAML: plain when it reads back the same, else between double quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    parsed = parse_yaml(f"v: {text}\n")
    if not parsed.problems and parsed.data == {"v": text} and "#" not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
