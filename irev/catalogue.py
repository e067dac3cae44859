"""Catalogue: the validated content as one queryable whole, with every cross-reference resolved.

Built once per build. Every reference field is typed `Ref(kind)` in the models, so one
generic walk finds them all (as Hugo's taxonomies do: one mechanism for every cross-link).
Drafts are left out unless asked for, so nothing downstream can leak them.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel

from . import models
from .loading import Content, Entry
from .parsing import dotted
from .problems import Problem, closest

RECORD_KINDS = {model.KIND: model for model in models.RECORD_TYPES}
UNKNOWN = {
    "personne": "personne inconnue", "organisation": "organisation inconnue", "territoire": "territoire inconnu",
    "theme": "thème inconnu", "reunion": "réunion inconnue",
}


@dataclass
class Catalogue:
    records: dict[str, Entry] = field(default_factory=dict)  # public (or shown) records by id
    registries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    show_drafts: bool = False

    def by_kind(self, kind: str) -> list[Entry]:
        """Records of one kind, newest first."""
        return sorted((e for e in self.records.values() if e.kind == kind),
                      key=lambda e: (e.model.sort_date(), e.id), reverse=True)

    def latest(self, count: int) -> list[Entry]:
        return sorted(self.records.values(), key=lambda e: (e.model.sort_date(), e.id), reverse=True)[:count]

    def person_name(self, ident: str | None) -> str | None:
        """A person's name, only if the registry records their consent to publication."""
        person = self.get("personne", ident)
        if person is None or not person.consentement_publication:
            return None
        return f"{person.prenom} {person.nom}"

    def get(self, kind: str, ident: str | None) -> BaseModel | None:
        """A registry entry's model or a shown record's model, or None (unknown or draft)."""
        if ident is None:
            return None
        table = self.registries.get(kind)
        entry = table.get(ident) if table is not None else self.records.get(ident)
        return entry.model if entry is not None and entry.kind == kind else None


def build(content: Content, show_drafts: bool = False) -> tuple[Catalogue, list[Problem]]:
    """Resolve every reference; return the catalogue and the problems (unknown ids, loops)."""
    known: dict[str, set] = {}
    for source in content.sources:
        known.setdefault(source.model.KIND, set()).add(source.ident)
    problems = []
    for source in content.sources:
        for kind, ident, path in references(source.model, source.data):
            if ident not in known.get(kind, ()):
                problems.append(Problem(source.file, source.parsed.line_of(source.prefix + path), dotted(path),
                                        f"{UNKNOWN[kind]} « {ident} »",
                                        closest(ident, sorted(known.get(kind, ()))) or "ajoutez l'entrée au registre ou corrigez l'identifiant"))
    problems += _parent_loops(content.registries.get("territoire", {})) + _parent_loops(content.registries.get("theme", {}))
    shown = {e.id: e for e in content.records if show_drafts or e.model.statut == "publie"}
    return Catalogue(shown, content.registries, show_drafts), problems


def references(model: type[BaseModel], data, path: tuple = ()):
    """Yield (kind, id, path) for every reference in raw data read for a model.

    It walks the raw data, not a validated instance, so that references are checked
    even in a file with other problems: one run reports everything.
    """
    if not isinstance(data, dict):
        return
    fields = _ref_fields(model)
    for name, value in data.items():
        if name not in fields:
            continue
        kind, sub = fields[name]
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = path + ((name,) if index is None else (name, index))
            if kind is not None and isinstance(item, str):
                yield kind, item, where
            elif sub is not None:
                yield from references(sub, item, where)


@lru_cache(maxsize=None)
def _ref_fields(model: type[BaseModel]) -> dict[str, tuple[str | None, type[BaseModel] | None]]:
    """Each field's reference kind and nested model (None, None for a plain field), read once per class."""
    return {name: (_ref_kind(info.metadata) or _ref_kind_in(info.annotation), _submodel_in(info.annotation))
            for name, info in model.model_fields.items()}


def _submodel_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_submodel_in, typing.get_args(annotation)) if m), None)


def _ref_kind(metadata) -> str | None:
    return next((m.kind for m in metadata if isinstance(m, models.Ref)), None)


def _ref_kind_in(annotation) -> str | None:
    if typing.get_origin(annotation) is typing.Annotated:
        found = _ref_kind(annotation.__metadata__)
        if found:
            return found
    return next((k for k in map(_ref_kind_in, typing.get_args(annotation)) if k), None)


def _parent_loops(table: dict[str, Entry]) -> list[Problem]:
    """A parent chain that comes back on itself would make breadcrumbs endless."""
    problems = []
    for ident, entry in table.items():
        seen, current = {ident}, entry.model.parent
        while current in table:
            if current in seen:
                problems.append(Problem(entry.file, entry.line_of(("parent",)), "parent",
                                        f"boucle de parents : « {ident} » est son propre ancêtre", "corrigez le parent"))
                break
            seen.add(current)
            current = table[current].model.parent
    return problems
