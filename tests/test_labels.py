"""Every enumerated value of the models is shown with its French label, on a built page, and never as
its raw value (`etablissement-public`).

The enumerations are found by walking the models (every Literal, wherever it sits), so a new one is
tested the day it is added. Each value is shown where the fixture tree uses it; for a value it does not
use, the test writes a copy of a record (or registry entry) that holds the field, with that value.
"""

from __future__ import annotations

import copy
import re
import shutil
import typing
from pathlib import Path

import pytest
import yaml
from conftest import build_site, page_text
from pydantic import BaseModel, ValidationError

from irev import catalogue, loading, models, pages, referentiel

ARCHIVES = Path(__file__).resolve().parent / "fixtures" / "archives-dates"
# A value no public page can show: every public page is of a published record (drafts are tested apart).
NOT_SHOWN = {("Record", "statut"): {"publie"}}
DRAFT = ("statut", "brouillon")


def enumeration_in(annotation) -> tuple[tuple, models.Labels | None] | None:
    """The values of the Literal inside an annotation (through Optional, list, Union, Annotated), if any,
    and the labels its enumeration declares (models.Labels; None: none declared)."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation), None
    declared = next((m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, models.Labels)), None)
    for argument in typing.get_args(annotation):
        found = enumeration_in(argument)
        if found:
            return found[0], found[1] or declared
    return None


def submodel(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for found in map(submodel, typing.get_args(annotation)) if found), None)


def enumerations(model: type[BaseModel]) -> dict[str, tuple[tuple, models.Labels | None]]:
    """A model's own enumerated fields: their values and labels."""
    annotations = {name: typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
                   for name, info in model.model_fields.items()}
    return {name: found for name, annotation in annotations.items() if (found := enumeration_in(annotation))}


def all_enumerations() -> dict[tuple[type[BaseModel], str], tuple[tuple, models.Labels | None]]:
    """(model, field) -> (values, labels), over every model reachable from the record and registry types."""
    found, todo, seen = {}, [*models.RECORD_TYPES, *models.REGISTRY_TYPES], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        found.update({(model, name): values for name, values in enumerations(model).items()})
        todo += [sub for info in model.model_fields.values() if (sub := submodel(info.annotation))]
    return found


def mappings(model: type[BaseModel], data, path: tuple = ()):
    """(model, path) of every block of raw data read for a model, nested ones included."""
    if not isinstance(data, dict):
        return
    yield model, path
    for name, info in model.model_fields.items():
        sub = submodel(info.annotation)
        if sub is None or name not in data:
            continue
        value = data[name]
        for index, item in (enumerate(value) if isinstance(value, list) else [(None, value)]):
            yield from mappings(sub, item, path + ((name,) if index is None else (name, index)))


def declared_by(model: type[BaseModel], field: str) -> str:
    """The class that declares a field (`Record` for `statut`)."""
    return next(base.__name__ for base in reversed(model.__mro__) if field in getattr(base, "__annotations__", {}))


def at(data, path: tuple):
    for part in path:
        data = data[part]
    return data


def page_of(source: loading.Source, ident: str) -> str:
    """The page showing a record or registry entry (the path under the site)."""
    uri = pages.entity_uri(source.model.KIND, ident) if source.prefix else f"{source.model.SECTION}/{ident}.md"
    return uri.removesuffix(".md")


def holds(data, field: str, value: str) -> bool:
    written = data.get(field)
    return written == value or isinstance(written, list) and value in written


def valid(model: type[BaseModel], data) -> bool:
    try:
        model.model_validate(data)
        return True
    except ValidationError:
        return False


def looks_raw(value: str, label: str) -> bool:
    """A value that cannot be a French word as written (`etablissement-public`, `etat`, `presentiel`): one with a
    hyphen its label does not have, or its label stripped of accents (`cabinet`, `bailleurs` are words)."""
    return not label.casefold().startswith(value) and ("-" in value or referentiel.slugify(label).startswith(value))


class Variants:
    """A copy of the fixture tree, with copies of its records and entries for the values it does not use."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(ARCHIVES, root)
        self.content = loading.load(root)
        self.bodies = {entry.file: entry.body for entry in self.content.records}
        self.shown: dict[tuple, str] = {}  # (model, field, value) -> the page that must show its label
        self.drafts: dict[tuple, str] = {}  # the same for draft records (only the preview shows them)
        self.entries: dict[str, list] = {}  # registry file -> its new entries

    def make(self) -> list[str]:
        """Every value shown somewhere; what could not be placed, as messages."""
        occurrences = [(source, model, path) for source in self.content.sources
                       for model, path in mappings(source.model, source.data)]
        missing = []
        for (model, field), (values, _) in all_enumerations().items():
            holders = [(s, p) for s, m, p in occurrences if issubclass(m, model)]
            for value in values:
                if value in NOT_SHOWN.get((declared_by(model, field), field), ()):
                    continue
                used = next((s for s, p in holders if holds(at(s.data, p), field, value)), None)
                if used is not None:
                    self.shown[(model, field, value)] = page_of(used, used.data["id"] if used.prefix else Path(used.file).stem)
                elif not any(self._variant(source, path, model, field, value) for source, path in holders):
                    missing.append(f"{model.__name__}.{field} = {value}: add a record or entry holding it to {ARCHIVES}")
        self._write_entries()
        return missing

    def _variant(self, source: loading.Source, path: tuple, model, field: str, value: str) -> bool:
        data = copy.deepcopy(source.data)
        is_list = typing.get_origin(model.model_fields[field].annotation) is list
        at(data, path)[field] = [value] if is_list else value
        if not valid(source.model, data):
            return False
        suffix = f"{field.replace('_', '-')}-{value}"
        table = self.shown
        if source.prefix:  # a registry entry: a new entry beside it
            data["id"] = f"{data['id']}-{suffix}"
            self.entries.setdefault(source.file, []).append(data)
        else:
            name = Path(source.file)
            target = self.root / name.parent.name / f"{name.stem}-{suffix}.md"
            front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            target.write_text(f"---\n{front}---\n{self.bodies[source.file]}", encoding="utf-8")
            data["id"] = target.stem
            table = self.drafts if (field, value) == DRAFT else self.shown
        table[(model, field, value)] = page_of(source, data["id"])
        return True

    def _write_entries(self) -> None:
        for file, added in self.entries.items():
            path = self.root.parent / file
            path.write_text(path.read_text(encoding="utf-8") + yaml.safe_dump(added, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    made = Variants(tmp_path_factory.mktemp("labels") / "content")
    return made, made.make()


def test_every_enumerated_value_has_a_french_label():
    unlabelled = [f"{model.__name__}.{field} = {value}" for (model, field), (values, labels) in all_enumerations().items()
                  for value in values if labels is None or not labels.labels.get(value)]
    assert unlabelled == []
    assert len(all_enumerations()) >= 20  # the walk reaches nested models (Lien, Session, Creneau…)


def test_every_value_can_be_shown_from_the_fixture(variants):
    made, missing = variants
    assert missing == []
    assert made.drafts, "the draft status is shown by the preview"


def test_every_label_is_on_a_built_page_and_no_raw_value(variants, tmp_path):
    made, _ = variants
    assert loading.load(made.root).problems == []
    site = tmp_path / "site"
    result = build_site(made.root, site)
    assert result.returncode == 0, result.stderr
    texts = {uri: page_text(site, uri) for uri in set(made.shown.values())}
    labels = {key: found[1] for key, found in all_enumerations().items()}
    absent = [f"{model.__name__}.{field} = {value}: « {labels[model, field].labels[value]} » not on {uri}"
              for (model, field, value), uri in made.shown.items()
              if not any(form.casefold() in texts[uri].casefold() for form in labels[model, field].wordings[value])]
    assert absent == []
    every = {value: label for table in labels.values() for value, label in table.labels.items()}
    raw = [(value, uri) for uri, text in texts.items() for value, label in every.items()
           if looks_raw(value, label) and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text)]
    assert raw == []


def test_a_draft_shows_its_status_label_in_the_preview(variants):
    made, _ = variants
    cat, _ = catalogue.build(loading.load(made.root), show_drafts=True)
    generated = {page.src_uri: page.markdown for page in pages.generate(cat)}
    for (model, field, value), uri in made.drafts.items():
        assert f'!!! warning "{all_enumerations()[model, field][1].labels[value]}"' in generated[f"{uri}.md"]
