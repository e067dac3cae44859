"""Loading: content files -> validated records and registry entries, with every problem found.

The layout of a content tree:
    meetings/ cycles/ plans/ fiches/   one Markdown file per record (YAML front matter + body)
    registre/personnes.yml ...         one YAML list per registry
    pieces-jointes/                    attached files, referred to by records
A record's id is its file name without `.md`: stable, and what other records refer to.
Which files are content, and reading them safely, is irev/files.py's part.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ValidationError

from . import files, history, models, referentiel, sanitize
from .parsing import NO_CACHE, Document, ParseCache, Parsed, characters, dotted, parse_yaml, references, split_all
from .problems import Problem, closest, relative, shown
from .runtime import gc_paused

REGISTRY_FILES = {
    "personne": "registre/personnes.yml",
    "organisation": "registre/organisations.yml",
    "territoire": "registre/territoires.yml",
    "theme": "registre/themes.yml",
}
REGISTRY_MODELS = {model.KIND: model for model in models.REGISTRY_TYPES}
ATTACHMENTS_DIR = "pieces-jointes"
# Ids whose page would be another generated page: <section>/index.md is the section's own.
RESERVED_IDS = frozenset({"index"})


@dataclass
class Entry:
    """A validated record or registry entry, and where it came from."""

    id: str
    kind: str
    model: BaseModel
    file: str  # as shown to editors
    parsed: Parsed  # line numbers of its fields
    prefix: tuple = ()  # where the entry sits in its file: () for a record, (index,) in a registry
    body: str = ""
    body_line: int = 1
    line: int = 0  # where a registry entry starts, kept when `parsed` is dropped (Catalogue.drop_sources)

    def line_of(self, path=()) -> int:
        return self.parsed.line_of(self.prefix + tuple(path))

    @cached_property
    def published(self):
        """A record's date with the precision its source gives (read by every link to the record)."""
        return self.model.date_as_published()

    def first_line(self) -> int:
        """The line the entry starts at (its registry item's; a record's front matter)."""
        return self.line or self.line_of()


@dataclass
class Source:
    """Raw data read for a model, valid or not: references are checked on it."""

    model: type[BaseModel]
    ident: str | None  # the id it declares, valid or not: references to it are not "unknown"
    data: object
    file: str
    parsed: Parsed
    prefix: tuple = ()


@dataclass
class Content:
    root: Path
    cache: ParseCache = NO_CACHE
    sources: list[Source] = field(default_factory=list)
    records: list[Entry] = field(default_factory=list)
    registries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # A preview's later load whose registries are unchanged: the sources and records of the record
    # files read again (the others are the very objects of the last load: catalogue._Edits).
    read_again: tuple[list[Source], list[Entry]] | None = None


def load(root: Path, cache_file: Path | None = None, memo: dict | None = None, share: Share | None = None) -> Content:
    """Read and validate every file of a content tree; never stops at the first problem.

    With a cache file, unchanged files are not parsed again (see parsing.ParseCache). A memo
    (`mkdocs serve`) keeps each record file's outcome for the next load, which then parses
    and validates only the files whose text changed, and the parse cache itself (reading it
    again would cost more than the edit). A share reads only its record files.
    """
    root = Path(root)
    cache = memo.pop(_MEMO_PARSE_CACHE, None) if memo is not None else share.cache if share is not None else None
    first = not memo and share is None  # a build, or a preview's first one (a share's cache is saved by its caller)
    content = Content(root=root, cache=cache if cache is not None and cache.path == cache_file else ParseCache(cache_file))
    with gc_paused():
        _load_all(root, content, memo, share)
    if first:  # later, a preview's memo keeps what was parsed: writing the cache would cost more than an edit
        content.cache.save()
    if memo is not None:
        memo[_MEMO_PARSE_CACHE] = content.cache
    return content


class Counts(NamedTuple):
    """How many records and registry entries a tree holds (what `check` says first)."""

    records: int
    registries: dict[str, int]

    @classmethod
    def of(cls, content: Content) -> Counts:
        return cls(len(content.records), {kind: len(table) for kind, table in content.registries.items()})


@dataclass(frozen=True)
class Share:
    """A part of a content tree loaded in a process of its own (irev/shares.py): some of its record files
    (every registry is read), with the tree's inventory and the parse cache, made once before the
    processes forked (so that every process sees the same tree)."""

    files: frozenset[Path]
    found: files.Inventory
    cache: ParseCache


def inventory(root: Path) -> files.Inventory:
    """The content files of a tree, sorted out (irev/files.py)."""
    return files.scan(root, models.RECORD_TYPES, REGISTRY_FILES, ATTACHMENTS_DIR)


_MEMO_PARSE_CACHE = "parse cache"  # its place in a loading memo, beside the files' outcomes
_MEMO_SIGNATURES = "signatures"  # the same: each file's signature when it was read
_MEMO_DUPLICATES = "duplicates"  # the same: whether two record files had one id


def _signature(path: Path) -> tuple | None:
    """What changes when a file is written or replaced (as make and Hugo tell)."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _load_all(root: Path, content: Content, memo: dict | None, share: Share | None) -> None:
    if not root.is_dir():
        content.problems.append(Problem(str(root), 1, "", "dossier de contenu introuvable", "vérifiez CONTENT_DIR"))
        return
    found = inventory(root) if share is None else share.found
    content.problems += found.problems
    records = found.records if share is None else [(model, path) for model, path in found.records if path in share.files]
    known, registries = {} if memo is None else memo, {}
    for kind, name in REGISTRY_FILES.items():
        content.registries[kind] = _load_registry(root, found.registries.get(kind), root / name, REGISTRY_MODELS[kind],
                                                  content, known, registries)
    seen_as = known.get(_MEMO_SIGNATURES, {})
    signatures = {} if memo is None else {path: _signature(path) for _, path in records}
    outcomes, fresh = {}, {}
    for model, path in records:
        if path in known and signatures[path] is not None and seen_as.get(path) == signatures[path]:
            outcomes[path] = known[path]  # the same file as last time (while serving): not read again
            continue
        text, unreadable = files.read(path, files.RECORD_LIMIT)
        if unreadable:
            outcomes[path] = (None, None, None, [Problem(relative(path, root), *unreadable)])
        elif path in known and known[path][0] == text:
            outcomes[path] = known[path]
        else:
            fresh[path] = (model, text)
    documents = split_all([text for _, text in fresh.values()], content.cache)
    # A preview's later loads read only edited files: their own date tells, without asking git.
    changed = history.changed(root, list(fresh), history=not seen_as)
    for (path, (model, text)), document in zip(fresh.items(), documents):
        outcomes[path] = (text, *_load_record(root, path, document, model, changed.get(path)))
    outcomes = {path: outcomes[path] for _, path in records}  # in folder and name order
    # (with two files of one id, which is kept may change with no file of them read again)
    again = [outcome for path, outcome in outcomes.items() if known.get(path) is not outcome] \
        if seen_as and not known.get(_MEMO_DUPLICATES) \
        and all(outcome is known.get(path) for path, outcome in registries.items()) else None
    if memo is not None:
        memo.clear()
        memo.update(outcomes)
        memo.update(registries)
        memo[_MEMO_SIGNATURES] = signatures
    seen: dict[str, str] = {}
    for _, source, entry, problems in outcomes.values():
        content.problems.extend(problems)
        if source is not None:
            content.sources.append(source)
        if entry is None:
            continue
        if entry.id in seen:
            again = None
            if memo is not None:
                memo[_MEMO_DUPLICATES] = True
            content.problems.append(Problem(entry.file, 1, "", f"identifiant « {entry.id} » déjà pris par {seen[entry.id]}",
                                            "renommez le fichier"))
            continue
        seen[entry.id] = entry.file
        content.records.append(entry)
    if again is not None:
        content.read_again = ([source for _, source, _, _ in again if source is not None],
                              [entry for _, _, entry, _ in again if entry is not None])


def _load_record(root: Path, path: Path, document: Document, model: type[models.Record],
                 changed: dt.date | None = None) -> tuple[Source | None, Entry | None, list[Problem]]:
    """What one record file gives: its raw data, its entry if valid, its problems. `changed`: when
    the file last changed (irev/history.py), its `mise_a_jour` unless the editor gave one."""
    file, problems = relative(path, root), []
    if not re.fullmatch(models.SLUG_PATTERN, path.stem):
        problems.append(Problem(file, 1, "", f"nom de fichier « {file.rsplit('/', 1)[-1]} » invalide : minuscules sans "
                                "accents, chiffres et tirets", "par ex. 2022-06-22-reseau-lcd.md"))
        return None, None, problems
    if path.stem in RESERVED_IDS:
        problems.append(Problem(file, 1, "", f"nom de fichier « {path.name} » réservé : c'est celui de la page de la section",
                                "renommez le fichier"))
        return None, None, problems
    _report_parse(document.meta, file, problems)
    problems += [Problem(file, *problem) for problem in characters(document.body, document.body_line)
                 + references(document.body, document.body_line)]
    if not document.meta.problems:  # (unreadable YAML has said enough)
        problems += _structure(file, "", document.meta.text, document.meta.offset + 1)
    problems += _structure(file, "texte", document.body, document.body_line)
    source = Source(model, path.stem, document.meta.data, file, document.meta)
    instance = _validate(model, document.meta, file, problems, (), document.meta.data)
    if instance is None:
        return source, None, problems
    if changed is not None and instance.mise_a_jour is None:
        instance = instance.model_copy(update={"mise_a_jour": models.PartialDate.model_validate(changed)})
    return source, Entry(path.stem, model.KIND, instance, file, document.meta, (), document.body, document.body_line), problems


def _structure(file: str, field: str, text: str, first_line: int) -> list[Problem]:
    """Where a text nests deeper than the Markdown converter can follow (sanitize.structure)."""
    return [Problem(file, first_line + text.count("\n", 0, finding.offset), field, finding.message, finding.hint)
            for finding in sanitize.structure(text)]


def _load_registry(root: Path, path: Path | None, expected: Path, model: type[BaseModel], content: Content,
                   known: dict, outcomes: dict) -> dict[str, Entry]:
    """A registry's valid entries by id (`path`: the file found, None if none; `expected`: where it belongs).
    While serving, a registry whose text is unchanged gives the very same entries (`known`: the last
    load's outcomes; this one's are added to `outcomes`): what is made from them is then reused."""
    file, problems = relative(expected, root), content.problems
    if path is None:
        if not os.path.lexists(expected):  # otherwise reported as what it is (a link, a folder)
            problems.append(Problem(file, 1, "", "registre introuvable",
                                    "créez ce fichier (une liste YAML, éventuellement vide : [])"))
        return {}
    text, unreadable = files.read(path, files.REGISTRY_LIMIT)
    if unreadable:
        problems.append(Problem(file, *unreadable))
        return {}
    before = known.get(path)
    outcome = before if before is not None and before[0] == text else (text, *_registry_entries(file, text, model,
                                                                                                  content.cache))
    outcomes[path] = outcome
    _, entries, sources, found = outcome
    content.sources += sources
    problems += found
    return entries


def _registry_entries(file: str, text: str, model: type[BaseModel],
                      cache: ParseCache) -> tuple[dict[str, Entry], list[Source], list[Problem]]:
    """A registry file's valid entries by id, the raw data of each, and its problems."""
    problems, sources = [], []
    parsed = parse_yaml(text, cache=cache)
    _report_parse(parsed, file, problems)
    data = parsed.data if parsed.data is not None else []
    if not isinstance(data, list):
        problems.append(Problem(file, 1, "", "le registre doit être une liste d'entrées",
                                "chaque entrée commence par « - » en début de ligne"))
        return {}, sources, problems
    entries: dict[str, Entry] = {}
    reference = referentiel.load() if model is models.Territoire else None
    for index, item in enumerate(data):
        if reference is not None:
            item = referentiel.complete(item, reference)
            message = referentiel.unknown_code(item, reference)
            if message:
                problems.append(Problem(file, parsed.line_of((index, "code")), "code", message,
                                        "vérifiez le code, ou ignorez cet avertissement pour un territoire hors région",
                                        warning=True))
        ident = item.get("id") if isinstance(item, dict) else None
        sources.append(Source(model, ident if isinstance(ident, str) else None, item, file, parsed, (index,)))
        alone = referentiel.code_alone_unknown(item, reference) if reference is not None else None
        if alone:
            problems.append(Problem(file, parsed.line_of((index, "code")), "code", alone, _CODE_HINT))
            continue
        instance = _validate(model, parsed, file, problems, (index,), item)
        if instance is None:
            continue
        if instance.id in RESERVED_IDS:
            problems.append(Problem(file, parsed.line_of((index, "id")), "id",
                                    f"identifiant « {instance.id} » réservé : c'est celui de la page de l'annuaire",
                                    "choisissez un autre identifiant"))
            continue
        if instance.id in entries:
            first = entries[instance.id].line_of()
            problems.append(Problem(file, parsed.line_of((index,)), "id", f"identifiant « {instance.id} » en double (déjà ligne {first})",
                                    "chaque entrée a un identifiant unique"))
            continue
        entries[instance.id] = Entry(instance.id, model.KIND, instance, file, parsed, (index,))
    return entries, sources, problems


_CODE_HINT = ("vérifiez le code (commune : code INSEE à 5 caractères, EPCI : SIREN ; voir referentiel/) ; un territoire "
              "absent du référentiel (QPV, hors région) s'écrit en entier : id, nom, niveau et code")


def _validate(model: type[BaseModel], parsed: Parsed, file: str, problems: list[Problem], prefix: tuple,
              data) -> BaseModel | None:
    """Validate data against a model; translate every error into a French problem with its line."""
    if data is None:
        if parsed.problems:
            return None  # unreadable YAML, already reported
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(file, parsed.line_of(prefix), dotted(prefix), "un bloc de champs « nom: valeur » est attendu",
                                "une ligne « champ: valeur » par champ"))
        return None
    if "<" in parsed.text:  # fields are plain text: their tags go (check says so, see sanitize.findings)
        data = sanitize.texts(data)
    try:
        instance = model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            loc = prefix + tuple(item["loc"])
            if any(loc[: len(b)] == b for b in parsed.broken):
                continue  # already reported while reading the YAML
            problems.append(_problem(model, file, parsed, loc, prefix, item))
        return None
    if any(b[: len(prefix)] == prefix for b in parsed.broken):
        return None
    return instance


def _report_parse(parsed: Parsed, file: str, problems: list[Problem]) -> None:
    for line, field_name, message, hint in parsed.problems:
        problems.append(Problem(file, line, field_name, message, hint))


def _problem(model, file: str, parsed: Parsed, loc: tuple, prefix: tuple, error: dict) -> Problem:
    field_path = loc[len(prefix):]
    message, hint = french(model, error)
    return Problem(file, parsed.line_of(loc), dotted(field_path), message, hint)


_PATTERN_MESSAGES = {
    models.SLUG_PATTERN: ("identifiant invalide « {input} » : minuscules sans accents, chiffres et tirets", "par ex. karima-elkhadiri"),
    "^(https?://|mailto:)": ("adresse invalide « {input} »", "une adresse commence par https://"),
    "[:h][0-5]": ("heure invalide « {input} »", "écrivez 9:30, 09:30 ou 9h30 ; une partie de la journée (matin…) "
                                                "s'écrit dans heure_debut, sans heure_fin"),
}

_SIMPLE_MESSAGES = {
    "missing": ("champ obligatoire manquant", ""),
    "string_type": ("texte attendu", "mettez la valeur entre guillemets"),
    "list_type": ("liste attendue", "une ligne par élément, commençant par « - »"),
    "dict_type": ("bloc de champs attendu", "des lignes « champ: valeur » indentées sous ce champ"),
    "model_type": ("bloc de champs attendu", "des lignes « champ: valeur » indentées sous ce champ"),
    "model_attributes_type": ("bloc de champs attendu", "des lignes « champ: valeur » indentées sous ce champ"),
    "int_parsing": ("nombre entier attendu, reçu « {input} »", ""),
    "int_type": ("nombre entier attendu, reçu « {input} »", ""),
    "int_from_float": ("nombre entier attendu, reçu « {input} »", ""),
    "int_parsing_size": ("nombre beaucoup trop grand « {input} »", ""),
    "bool_parsing": ("vrai ou faux attendu, reçu « {input} »", "écrivez true ou false"),
    "bool_type": ("vrai ou faux attendu, reçu « {input} »", "écrivez true ou false"),
    "string_too_short": ("texte vide", "donnez une valeur ou retirez le champ s'il est facultatif"),
    "too_short": ("au moins {min_length} élément(s) attendu(s)", ""),
    "greater_than_equal": ("valeur trop petite : au moins {ge} attendu", ""),
    "less_than_equal": ("valeur trop grande : au plus {le} attendu", ""),
    "date_forme": ("date invalide « {valeur} »", "écrivez AAAA-MM-JJ, AAAA-MM, l'année seule (AAAA), ou --MM-JJ pour un jour "
                   "dont la source ne donne pas l'année : par ex. 2016-04-12, 2016-04, 2016, --11-06"),
    "date_impossible": ("date impossible « {valeur} »", "une date s'écrit AAAA-MM-JJ et doit exister au calendrier"),
    "date_annee": ("année hors limites dans « {valeur} »", f"une année de {models.FIRST_YEAR} à {models.LAST_YEAR}"),
    "date_bloc": ("bloc de date invalide : « date » attendue, et « precision » si besoin (reçu : {cles})",
                  "par ex. « date: --11-06 » puis, en dessous, « precision: le 6 novembre dernier, année non précisée »"),
    "date_sans_annee": ("l'année est nécessaire ici, reçu « {valeur} »",
                        "la ressource est classée par cette date : donnez au moins l'année (AAAA, AAAA-MM ou AAAA-MM-JJ)"),
    "date_jour": ("date complète attendue (AAAA-MM-JJ), reçu « {valeur} »", "ce champ demande le jour, par ex. 2016-04-12"),
    "horaire": ("horaire invalide « {valeur} »", "écrivez 9:30, 09:30 ou 9h30, ou une partie de la journée : "
                + ", ".join(models.MOMENTS)),
}


_ONE_VALUE = ("string_type", "int_type", "bool_type", "bool_parsing", "date_forme", "horaire", "literal_error")


def french(model, error: dict) -> tuple[str, str]:
    """A pydantic error as (message, hint) in French (also for the values of irev/scaffold.py)."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    quoted = shown(value)
    if isinstance(value, (list, dict)) and kind in _ONE_VALUE:
        return (f"une seule valeur attendue, pas {'une liste' if isinstance(value, list) else 'un bloc de champs'}",
                "écrivez la valeur sur la ligne du champ, sans « - » ni lignes indentées dessous")
    if value is None and kind not in ("missing", "extra_forbidden", "value_error"):
        return "valeur vide", "donnez une valeur, ou retirez la ligne"
    if kind == "extra_forbidden":
        name = error["loc"][-1]
        return f"champ inconnu « {shown(name)} »", closest(name, _field_names(model)) or "retirez-le ou consultez schemas/"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        return (f"valeur « {quoted} » non autorisée : attendu {', '.join(allowed)}",
                closest(value, allowed))
    if kind == "string_pattern_mismatch":
        for key, (message, hint) in _PATTERN_MESSAGES.items():
            if key in ctx.get("pattern", ""):
                return message.format(input=quoted), hint
        return f"valeur « {quoted} » au format inattendu", ""
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), ""
    if kind in _SIMPLE_MESSAGES:
        message, hint = _SIMPLE_MESSAGES[kind]
        if kind == "horaire":
            hint = closest(value, list(models.MOMENTS)) or hint
        return message.format(**ctx, input=quoted), hint
    return f"valeur « {quoted} » refusée", "consultez la description de ce champ dans schemas/"


@lru_cache(maxsize=None)
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every field name used anywhere in a model's tree: candidates for a typo hint."""
    names: set[str] = set()
    for sub in _submodels(model, set()):
        names.update(sub.model_fields)
    return frozenset(names)


def _submodels(model, seen: set) -> set:
    if model in seen:
        return seen
    seen.add(model)
    for info in model.model_fields.values():
        for candidate in _types_in(info.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                _submodels(candidate, seen)
    return seen


def _types_in(annotation):
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _types_in(arg)
