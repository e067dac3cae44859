"""Catalogue: the validated content as one queryable whole, with every cross-reference resolved.

Built once per build. Every reference field is typed `Ref(kind)` in the models, so one
generic walk finds them all (as Hugo's taxonomies do: one mechanism for every cross-link).
Drafts are left out unless asked for, so nothing downstream can leak them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import heapq
import typing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial

from pydantic import BaseModel

from . import attachments, consistency, mentions, models, privacy, sanitize, similar
from .loading import Content, Entry
from .parsing import Parsed, dotted
from .privacy import Redactor, without_person_refs
from .problems import Problem, closest, shown
from .runtime import gc_paused

RECORD_KINDS = {model.KIND: model for model in models.RECORD_TYPES}
UNKNOWN = {
    "personne": "personne inconnue", "organisation": "organisation inconnue", "territoire": "territoire inconnu",
    "theme": "thème inconnu", "reunion": "réunion inconnue", "cycle": "cycle inconnu", "plan": "plan inconnu",
    "fiche": "fiche inconnue",
}
RELATED_SCAN = 200
# Links a record page lists in a section of its own (its ateliers, its twin), not again under « Cité dans ».
SHOWN_APART = ("parent", "publie-avec")
ATTENDING = frozenset(("participant", "excuse", "intervenant"))  # an organisation's roles at a meeting it attended
HINTED_IDS = 300  # unknown ids given a closest-id hint per run: each hint compares with every known id
# The role a reference plays, from the nearest field name on its path (read from the end).
ROLES = {
    "participants": "participant", "intervenants": "intervenant", "intervenant": "intervenant", "contact": "contact",
    "auteurs": "auteur", "personnes_citees": "citee", "organisateur": "organisateur", "porteur": "porteur",
    "partenaires": "partenaire", "realise_par": "prestataire", "themes": "theme", "territoires": "territoire",
    "territoire": "territoire", "precedente": "serie", "suivante": "serie", "annonce_dans": "annonce",
    "reunion": "presentation", "comite_pilotage": "comite", "evenement_parent": "parent", "publie_avec": "publie-avec",
}


@dataclass(frozen=True)
class Link:
    """One reference from a shown record to an entry: by which record, in which role."""

    record: Entry
    role: str  # a value of ROLES, "excuse" for an excused participant, or "mention"
    detail: object = None  # what holds the reference: an Intervenant (the function held that day, a role), a Partenaire

    @cached_property
    def date(self) -> dt.date:
        return self.record.model.sort_date()

    @property
    def published(self) -> models.PartialDate:
        """The record's date with the precision its source gives."""
        return self.record.published

    @cached_property
    def signature(self) -> tuple:
        """What a page reading this link may show of it (links are kept while their record is unchanged)."""
        return self.record.id, self.role, self.detail, self.published  # the date as shown: its precision and note


def _recency(entry: Entry):
    return entry.model.sort_date(), entry.id


@dataclass
class Catalogue:
    records: dict[str, Entry] = field(default_factory=dict)  # public (or shown) records by id
    registries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    show_drafts: bool = False
    backlinks: dict[tuple[str, str], list[Link]] = field(default_factory=dict)  # (kind, id) -> links, newest first
    ordered: list[Entry] = field(default_factory=list)  # the shown records, newest first
    rank: dict[str, int] = field(default_factory=dict)  # record id -> position in `ordered`
    redactor: Redactor | None = None  # removes names without consent from free text
    attachments: dict[str, int] = field(default_factory=dict)  # hosted file (name under pieces-jointes/) -> bytes
    children: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # territory and theme trees
    _recent: dict = field(default_factory=dict, repr=False)  # see _classed_recently
    _kinds: dict = field(default_factory=dict, repr=False)  # see by_kind
    _signatures: _Reuse = field(default_factory=lambda: _Reuse(None, "signatures"), repr=False)  # see current
    _linked: _Reuse = field(default_factory=lambda: _Reuse(None, "linking"), repr=False)  # see _linking
    _memo: dict | None = field(default=None, repr=False)  # a preview's, kept between its builds (see reuse)
    reads: set | None = field(default=None, repr=False)  # while a job is recorded: the inputs it read (see read_by)
    withholding: dict[str, Redactor] = field(default_factory=dict)  # id -> redactor of a record not naming someone
    # A preview's rebuild: the inputs (see current) whose value may differ from the catalogue of the
    # last build's (its token): all others are the very same objects. None: any may (a build).
    changes: tuple[object, set[tuple]] | None = field(default=None, repr=False)
    _edited: set[str] | None = field(default=None, repr=False)  # the same: the records that are other objects
    token: object = field(default_factory=object, repr=False)

    # --- what a job read (irev/incremental.py) -------------------------------------------------
    # Every query below notes the input it reads: ("record", id) a shown record's fields,
    # ("body", id) its body, ("updated", id) its last update, ("entry", kind, id) a registry entry,
    # ("links", kind, id) the records linking to an entry, ("kind", kind) the records of a kind,
    # ("children", kind, id) the entries just below one, ("file", name) the size of a hosted file.
    # `current` gives an input's value, compared between builds.

    def _read(self, *key) -> None:
        if self.reads is not None:
            self.reads.add(key)

    def current(self, key: tuple):
        """The value of one input, comparable with ==: what a rebuild compares with the last one."""
        what, *args = key
        if what == "record":
            entry = self.records.get(args[0])
            return None if entry is None else entry.model
        if what == "body":
            entry = self.records.get(args[0])
            return None if entry is None else entry.body
        if what == "updated":
            entry = self.records.get(args[0])
            return None if entry is None else entry.model.updated()
        if what == "entry":  # its page's edit link points at its line
            entry = self.registries.get(args[0], {}).get(args[1])
            return None if entry is None else (entry.model, entry.first_line())
        if what == "links":  # an entry no edit touched keeps its list of links: its signatures are reused
            links = self.backlinks.get(tuple(args), [])
            return self._signatures(tuple(args), links, lambda: [link.signature for link in links])
        if what == "file":
            return self.attachments.get(args[0])
        if what == "kind":
            return [entry.id for entry in self.by_kind(args[0])]
        return list(self.children.get(tuple(args), []))  # "children"

    def reuse(self, table: str) -> _Reuse:
        """Results an output computes from parts of the catalogue, reused in a preview's next build
        where computed from the very same parts (`_Reuse`; forgotten when consent changes)."""
        return _Reuse(self._memo, table)

    def each(self, table: str, compute: Callable[[Entry], object]) -> dict[str, object]:
        """What an output computes from each shown record alone, by id: in a preview's next build,
        only for the records an edit touched, if it was computed for the last catalogue made (not for
        one a build abandoned: `_each`; forgotten when consent changes). Look results up by id: a
        record added since comes last, not in the catalogue's order."""
        memo, key = self._memo, ("output", table)  # (apart from the catalogue's own tables)
        made_for = (key, "made for")
        follows = memo is not None and self.changes is not None and memo.get(made_for) is self.changes[0]
        found = _each(memo, key, self.records, compute, self._edited if follows else None)
        if memo is not None:
            memo[made_for] = self.token
        return found

    def record(self, ident) -> Entry | None:
        """A shown record, or None (unknown or draft; a reference that describes something without a
        record: models.SansFiche)."""
        if not isinstance(ident, str) and ident is not None:
            return None
        self._read("record", ident)
        return self.records.get(ident)

    def body(self, entry: Entry) -> str:
        self._read("body", entry.id)
        return entry.body

    def file_size(self, name: str) -> int | None:
        """The size of a hosted file under pieces-jointes/ (None: not there or refused)."""
        self._read("file", name)
        return self.attachments.get(name)

    def narrower(self, kind: str, ident: str) -> list[str]:
        """The territories or themes just below one."""
        self._read("children", kind, ident)
        return self.children.get((kind, ident), [])

    # --- queries --------------------------------------------------------------------------------

    def by_kind(self, kind: str) -> list[Entry]:
        """Records of one kind, newest first (each noted as read: an index shows them all). Sorted once
        a catalogue: pages, outputs and the comparison of what their jobs read ask for them often."""
        return self._of_kind(kind, "record")

    def listed(self, kind: str) -> list[Entry]:
        """Records of one kind, newest first, noting their list alone (their ids and dates: _changes):
        a page showing some of them notes those (the pages of a section's years)."""
        return self._of_kind(kind, None)

    def updates(self, kind: str) -> list[models.PartialDate]:
        """When each record of a kind was last updated, newest record first (only their dates noted as read)."""
        return [entry.model.updated() for entry in self._of_kind(kind, "updated")]

    def _of_kind(self, kind: str, noted: str | None) -> list[Entry]:
        if kind not in self._kinds:
            self._kinds[kind] = [e for e in self.ordered if e.kind == kind]
        found = list(self._kinds[kind])
        if self.reads is not None:
            self.reads.add(("kind", kind))
            if noted:
                self.reads.update((noted, entry.id) for entry in found)
        return found

    def latest(self, count: int) -> list[Entry]:
        return self.ordered[:count]

    def latest_only(self, count: int) -> Catalogue:
        """A catalogue of the latest records and the redactor only: what hand-written pages need
        once the generated pages are made (the whole catalogue can then be freed)."""
        latest = self.latest(count)
        return Catalogue({e.id: e for e in latest}, {}, self.show_drafts, ordered=latest, redactor=self.redactor)

    def drop_sources(self) -> None:
        """Forget each entry's YAML text and raw data: validation and the preview need them, page
        generation does not (about 170 MB at 10,000 records). A
        registry entry keeps its first line: its page's edit link points there."""
        for table in self.registries.values():
            for entry in table.values():
                entry.line = entry.first_line()
        for table in (self.records, *self.registries.values()):
            for entry in table.values():
                entry.parsed = Parsed()

    def withholds(self, record: Entry | None) -> bool:
        """Whether a record does not name someone it refers to (rare: only those pay for `shown_in`)."""
        return record is not None and record.id in self.withholding

    def shown_in(self, record: Entry | None, text: str) -> str:
        """A name from elsewhere (an organisation's, a place's, another record's title) as a record shows
        it: without the names of the people that record does not name (`nommer: false`). Most records
        name everyone they refer to: the text as it is."""
        redactor = self.withholding.get(record.id) if record is not None else None
        if redactor is None:
            return text
        for ident in redactor.withheld:
            self._read("entry", "personne", ident)  # the forms of their names redact it
        return redactor(text)

    def person_name(self, ident: str | None) -> str | None:
        """A person's name, only if the registry records their consent to publication."""
        person = self.get("personne", ident)
        if person is None or not person.consentement_publication:
            return None
        return f"{person.prenom} {person.nom}"

    def updated(self, ident: str) -> models.PartialDate | None:
        """When a shown record was last updated (None: unknown or draft): what a list dated by its
        newest record reads of each, so that another edit of them does not make it again."""
        self._read("updated", ident)
        return self.current(("updated", ident))

    def get(self, kind: str, ident: str | None) -> BaseModel | None:
        """A registry entry's model or a shown record's model, or None (unknown or draft)."""
        if ident is None:
            return None
        table = self.registries.get(kind)
        self._read(*(("entry", kind, ident) if table is not None else ("record", ident)))
        entry = table.get(ident) if table is not None else self.records.get(ident)
        return entry.model if entry is not None and entry.kind == kind else None

    # --- cross-links -------------------------------------------------------------------------

    def links_to(self, kind: str, ident: str, roles: tuple[str, ...] | None = None) -> list[Link]:
        """Links to an entry from shown records, newest first, optionally of some roles only."""
        self._read("links", kind, ident)
        links = self.backlinks.get((kind, ident), [])
        return list(links) if roles is None else [link for link in links if link.role in roles]

    def records_linking(self, kind: str, ident: str, roles: tuple[str, ...] | None = None,
                        besides: tuple[str, ...] = ()) -> list[Entry]:
        """Distinct records linking to an entry, newest first (the order backlinks are kept in), optionally
        of some roles only or of other roles than some."""
        return list({link.record.id: link.record for link in self.links_to(kind, ident, roles)
                     if link.role not in besides}.values())

    def records_of(self, organisation: str) -> tuple[list[Entry], list[Entry]]:
        """The records linking to an organisation, newest first: those it made (organiser or bearer,
        partner, authors' organisation: the library's facet, models.Record.organisations), then the others
        (participations, steering committees, mentions…)."""
        linked = self.records_linking("organisation", organisation)
        made = [entry for entry in linked if organisation in entry.model.organisations()]
        return made, [entry for entry in linked if organisation not in entry.model.organisations()]

    def ancestors(self, kind: str, ident: str) -> list[str]:
        """Parents from the root down (region > département > EPCI…; broader themes)."""
        chain, current = [], self.get(kind, ident)
        while current is not None and current.parent and current.parent not in chain:
            chain.insert(0, current.parent)
            current = self.get(kind, current.parent)
        return chain

    def descendants(self, kind: str, ident: str) -> list[str]:
        """The entry and everything below it in its tree."""
        found, stack = [], [ident]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.narrower(kind, current))
        return found

    def organisations_in(self, territory: str) -> list[str]:
        """Organisations based in a territory or anywhere below it, in registry order."""
        places = set(self.descendants("territoire", territory))
        return [i for i in self.registries.get("organisation", {}) if self.get("organisation", i).territoire in places]

    def meetings_attended(self, organisations: list[str]) -> list[Entry]:
        """Meetings where any of these organisations took part, was excused or spoke, newest first."""
        found: dict[str, Entry] = {}
        for organisation in organisations:
            found.update(self._linking("organisation", organisation, ATTENDING, "reunion"))
        return self._newest_first(found)

    def records_on(self, kind: str, ident: str) -> list[Entry]:
        """Records classed under a territory or theme, or under anything below it."""
        roles = frozenset(("territoire" if kind == "territoire" else "theme",))
        found: dict[str, Entry] = {}
        for sub in self.descendants(kind, ident):
            found.update(self._linking(kind, sub, roles))
        return self._newest_first(found)

    def _newest_first(self, found: dict[str, Entry]) -> list[Entry]:
        """Records by id, in the catalogue's order (a region's page sorts thousands: by a C lookup)."""
        return [found[ident] for ident in sorted(found, key=self.rank.__getitem__)]

    def _linking(self, kind: str, ident: str, roles: frozenset[str], record_kind: str | None = None) -> dict[str, Entry]:
        """The records (of a kind) linking to an entry in some roles, by id. A region's page gathers
        them from a thousand organisations: a preview's next build reuses them where the entry's
        list of links is the same object (no edit touched it: _backlinks)."""
        self._read("links", kind, ident)
        links = self.backlinks.get((kind, ident), ())
        return self._linked((kind, ident, roles, record_kind), links, lambda: {
            link.record.id: link.record for link in links
            if link.role in roles and (record_kind is None or link.record.kind == record_kind)})

    def related(self, entry: Entry, count: int = 5) -> list[Entry]:
        """Records sharing themes (2 points each) or territories (1 point each) with a record.

        Only the RELATED_SCAN most recent records of each theme or territory are scored, so
        the cost per page stays bounded however large the archive grows.
        """
        scores: dict[str, int] = {}
        for kind, idents, weight in (("theme", entry.model.themes, 2), ("territoire", entry.model.territoires, 1)):
            for ident in idents:
                for other in self._classed_recently(kind, ident):
                    scores[other] = scores.get(other, 0) + weight
        scores.pop(entry.id, None)
        best = heapq.nsmallest(count, scores, key=lambda i: (-scores[i], self.rank[i]))  # a sort of all is slower
        return [self.records[i] for i in best]

    def _classed_recently(self, kind: str, ident: str) -> list[str]:
        """Ids of the records classed under a theme or territory among its RELATED_SCAN latest
        links; asked for by every record page of that theme or territory, so kept."""
        self._read("links", kind, ident)
        found = self._recent.get((kind, ident))
        if found is None:
            links = self.backlinks.get((kind, ident), [])[:RELATED_SCAN]
            found = self._recent[(kind, ident)] = [link.record.id for link in links if link.role == kind]
        return found

    def functions_of(self, person: str) -> list[tuple[str, str | None, models.PartialDate | None, models.PartialDate | None]]:
        """(function, organisation, first seen, last seen) of a person, from the registry and the records."""
        spans: dict[tuple[str, str | None], list] = {}
        model = self.get("personne", person)
        for held in (model.fonctions if model else []):
            spans[(held.intitule, held.organisation)] = [held.depuis, held.jusqu_a or held.depuis]
        for link in self.links_to("personne", person):
            detail = link.detail
            dated = link.record.kind in ("reunion", "cycle")  # a fiche's date is not when its author held a post
            if dated and isinstance(detail, models.Intervenant) and (detail.fonction or detail.organisation):
                _widen(spans.setdefault((detail.fonction or "", detail.organisation), [None, None]), link.published)
        rows = [(name, org, first, last) for (name, org), (first, last) in spans.items()]
        return sorted(rows, key=lambda r: r[3].first_day if r[3] else dt.date.min, reverse=True)

    def people_of(self, organisation: str) -> list[tuple[str, str | None, models.PartialDate, models.PartialDate]]:
        """(person, function, first seen, last seen) for people who represented an organisation."""
        spans: dict[tuple[str, str | None], list] = {}
        for link in self.links_to("organisation", organisation):
            detail = link.detail
            if isinstance(detail, models.Intervenant) and detail.personne:
                _widen(spans.setdefault((detail.personne, detail.fonction), [None, None]), link.published)
        rows = [(person, name, first, last) for (person, name), (first, last) in spans.items()]
        return sorted(rows, key=lambda r: (-r[3].first_day.toordinal(), r[0]))


def _widen(span: list, day: models.PartialDate) -> None:
    """A [first, last] span of dates (either may be None) stretched to include a day; dates compare at their
    first day (a year before any of its months)."""
    span[0] = min((d for d in (span[0], day) if d), key=lambda d: d.first_day)
    span[1] = max((d for d in (span[1], day) if d), key=lambda d: d.first_day)


def validate(content: Content, elsewhere: dict[str, set[str]] | None = None, hints: dict | None = None) -> list[Problem]:
    """Every cross-reference problem (unknown ids, bad mentions, parent loops, near-duplicates,
    attachments, inconsistent records). For a tree checked in parts (irev/shares.py): `elsewhere`, the
    ids of the other parts, by kind; `hints`, filled with the hint of each unknown id (_unknown)."""
    with gc_paused():
        return _check(content, _redactor(content), _Edits.of(content, None), elsewhere=elsewhere, hints=hints)[0]


def known_ids(content: Content) -> dict[str, set[str]]:
    """The ids any file declares, valid or not, by kind: a reference to one is not « unknown »."""
    known: dict[str, set] = {}
    for source in content.sources:
        if source.ident is not None:
            known.setdefault(source.model.KIND, set()).add(source.ident)
    return known


def _redactor(content: Content, memo: dict | None = None) -> Redactor:
    """Who may be named and how each other person's name is written (the preview's last one while
    the registry of people is the same table)."""
    people = content.registries.get("personne", {})
    return _Reuse(memo, "redactor of")("", people, lambda: Redactor(e.model for e in people.values()))


def build(content: Content, show_drafts: bool = False, memo: dict | None = None,
          unnamed: dict | None = None) -> tuple[Catalogue, list[Problem]]:
    """Validate, then index the backlinks of shown records (drafts left out unless asked).

    A memo (kept by `mkdocs serve` between rebuilds) spares redacting, walking and indexing
    unchanged records again; `unnamed` (kept by a build for the next, see _Unnamed) spares looking
    again for names in records that held none.
    """
    with gc_paused():
        redactor = _redactor(content, memo)
        if memo is not None and memo.get("redactor") != redactor.key:
            kept = memo.get("redactor of")
            memo.clear()  # consent changed: every record's redaction, and so its links, may differ
            memo["redactor"], memo["redactor of"] = redactor.key, kept
        edits = _Edits.of(content, memo)
        problems, record_refs, record_mentions, sizes, withholding = _check(content, redactor, edits, memo)
        # A record that does not name someone is redacted again each build (rare): its redaction also
        # depends on that person's registry entry.
        clean = _Unnamed(unnamed, redactor.key)
        redacted = _each(memo, "redacted", edits.records, lambda e: _redacted(
            e, withholding.get(e.file, redactor), record_refs[e.file], clean), edits.records_edited,
            afresh=withholding.keys())
        clean.keep()
        shown = consistency.with_series({e.id: redacted[e.file] for e in content.records
                                         if show_drafts or e.model.statut == "publie"})
        redacted_entry = _Reuse(memo, "redacted entries")
        registries = {kind: {ident: redacted_entry((kind, ident), entry, lambda: _redacted_entry(entry, redactor))
                             for ident, entry in table.items()} for kind, table in content.registries.items()}
        catalogue = Catalogue(shown, registries, show_drafts, redactor=redactor, attachments=sizes, _memo=memo,
                              withholding={i: withholding[e.file] for i, e in shown.items() if e.file in withholding})
        before = memo.get("catalogue") if memo is not None else None
        edited = None if before is None or edits.records_edited is None else _others(shown, before.records)
        catalogue._edited = edited
        _index(catalogue, record_refs, record_mentions, memo)
        if memo is not None:
            catalogue.changes = before and (before.token, _changes(catalogue, before, edited))
            memo["catalogue"] = catalogue
            edits.keep(memo)
    return catalogue, problems


def _changes(now: Catalogue, before: Catalogue, edited: set | None) -> set[tuple]:
    """The inputs whose value may differ between two catalogues: those of the records (`edited`, if
    known), registry entries and lists of links that are other objects (the loading memo and _Reuse
    hand back the very same ones for what no edit touched), the trees and the hosted files compared."""
    changes = set()
    edited = _others(now.records, before.records) if edited is None else edited
    for ident in edited:
        changes.update((("record", ident), ("body", ident), ("updated", ident)))
        was, is_now = before.records.get(ident), now.records.get(ident)
        if was is None or is_now is None or was.kind != is_now.kind or _recency(was) != _recency(is_now):
            changes.update(("kind", entry.kind) for entry in (was, is_now) if entry is not None)  # (by_kind's order)
    for kind in now.registries.keys() | before.registries.keys():
        changes.update(("entry", kind, ident) for ident in _others(now.registries.get(kind, {}),
                                                                   before.registries.get(kind, {})))
    changes.update(("links", *key) for key in _others(now.backlinks, before.backlinks))
    if now.children != before.children:
        changes.update(("children", *key) for key in now.children.keys() | before.children.keys())
    changes.update(("file", name) for name in now.attachments.keys() | before.attachments.keys()
                   if now.attachments.get(name) != before.attachments.get(name))
    return changes


def _others(now: dict, before: dict) -> set:
    """The keys of two tables whose values are not the same object."""
    return {key for key, value in now.items() if before.get(key) is not value} | (before.keys() - now.keys())


@dataclass
class _Edits:
    """The sources and records a build is made of, by key, and those that are other objects than at
    a preview's last build (None: a build, a preview's first, or after one that did not end): the
    loading memo hands back the very same ones for the files no edit touched (see _each)."""

    sources: dict  # (file, prefix) -> loading.Source
    records: dict  # file -> Entry
    sources_edited: set | None = None
    records_edited: set | None = None

    @classmethod
    def of(cls, content: Content, memo: dict | None) -> _Edits:
        before = memo.pop(_EDITS, None) if memo is not None else None  # kept again once the build has ended
        if before is not None and content.read_again is not None:
            patched = cls._patched(before, content, *content.read_again)
            if patched is not None:
                return patched
        sources = {(source.file, source.prefix): source for source in content.sources}
        records = {entry.file: entry for entry in content.records}
        if before is None:
            return cls(sources, records)
        return cls(sources, records, _others(sources, before.sources), _others(records, before.records))

    @classmethod
    def _patched(cls, before: _Edits, content: Content, sources: list, records: list) -> _Edits | None:
        """The last build's tables with the files read again (loading: `read_again`) put in, if they
        are the same files as then (None: one added, removed, or made invalid or valid)."""
        edited = {(source.file, source.prefix): source for source in sources}
        edited_records = {entry.file: entry for entry in records}
        if (len(content.sources), len(content.records)) != (len(before.sources), len(before.records)) \
                or not (edited.keys() <= before.sources.keys() and edited_records.keys() <= before.records.keys()):
            return None
        return cls({**before.sources, **edited}, {**before.records, **edited_records}, set(edited), set(edited_records))

    def keep(self, memo: dict) -> None:
        memo[_EDITS] = self


_EDITS = "objects"  # in a preview's memo: the last build's _Edits


class _Reuse:
    """The previous build's results (`mkdocs serve`), by key, reused when computed from the very
    same object (or tuple of objects): the loading memo hands back the same objects for unchanged files."""

    def __init__(self, memo: dict | None, table: str, carried: bool = False):
        self.previous = {} if memo is None else memo.get(table, {})
        self.current: dict = {}
        if carried:  # results kept until asked again, however many builds later (and reused within a build)
            self.current = self.previous = dict(self.previous)
        if memo is not None:
            memo[table] = self.current

    def __call__(self, key, origin, compute):
        before = self.previous.get(key)
        result = before[1] if before is not None and (before[0] is origin or _same(before[0], origin)) else compute()
        self.current[key] = (origin, result)
        return result


def _each(memo: dict | None, table: str | tuple, origins: dict, compute: Callable, edited: set | None,
          afresh=frozenset(), found_again: bool = False) -> dict:
    """The result of `compute(origin)` for every key of `origins` (key -> origin), by key. A preview's
    rebuild that knows the keys whose origin may be another object since its last build (`edited`,
    see _Edits: those added and removed too) computes only those and the ones to compute `afresh`
    each build; the others' results are the last build's, taken whole (a pass over 10,000 records,
    13 times a rebuild, cost more than its edit). `found_again`: a result that is not empty (problems)
    is computed again at the next build too: the hints of unknown ids depend on all of them, in order
    (_unknown)."""
    previous = memo.get(table) if memo is not None else None
    if edited is None or previous is None:
        results = {key: compute(origin) for key, origin in origins.items()}
        todo = results.keys()
    else:
        results, again = dict(previous[0]), edited | afresh | previous[1]
        todo = [key for key in origins if key in again] if found_again else again & origins.keys()
        for key in again - origins.keys():
            results.pop(key, None)
        for key in todo:
            results[key] = compute(origins[key])
    if memo is not None:
        memo[table] = results, {key for key in todo if key in afresh or (found_again and results[key])}
    return results


def _same(before, now) -> bool:
    if type(now) is tuple and type(before) is tuple:
        return len(now) == len(before) and all(a is b for a, b in zip(before, now))
    return before is now


def _check(content: Content, redactor: Redactor, edits: _Edits, memo: dict | None = None,
           elsewhere: dict[str, set[str]] | None = None, hints: dict | None = None) -> tuple[list[Problem], dict, dict, dict, dict]:
    """The problems, each record's references and mentions (computed once, reused by the index), the
    size of each hosted file (attachments.inspect), and the redactor of each record that does not name
    someone (by file)."""
    known = known_ids(content)
    for kind, idents in (elsewhere or {}).items():
        known.setdefault(kind, set()).update(idents)
    if memo is not None and memo.get("known") != known:  # an id added or removed: every reference looked at again
        memo["known"] = known
        memo.pop("checked", None)
        memo.pop("checked mentions", None)
    hints = {} if hints is None else hints
    refs = _each(memo, "references", edits.sources, lambda source: references(source.model, source.data),
                 edits.sources_edited)
    record_refs = {file: found for (file, prefix), found in refs.items() if not prefix}
    problems = _all(_each(memo, "checked", edits.sources, lambda source: _reference_problems(
        source, refs[source.file, source.prefix], known, hints), edits.sources_edited, found_again=True))
    record_mentions = _each(memo, "mentions", edits.records, lambda entry: list(_mentions(entry)), edits.records_edited)
    problems += _all(_each(memo, "checked mentions", edits.records, lambda entry: _mention_problems(
        entry, record_mentions[entry.file], known, hints), edits.records_edited, found_again=True))
    problems += _parent_loops(content.registries.get("territoire", {})) + _parent_loops(content.registries.get("theme", {}))
    registries = content.registries  # (the same tables while a preview's edits leave the registry alone)
    alone = partial(_each, memo, "alone", edits.records, edited=edits.records_edited)
    problems += _Reuse(memo, "similar")("", (registries.get("personne"), registries.get("organisation")),
                                        lambda: similar.warnings(registries)) + consistency.warnings(content, alone)
    cited = _each(memo, "citations", edits.sources, lambda source: [] if source.prefix else attachments.citations(
        source.data), edits.sources_edited)
    files, sizes = attachments.inspect(content, memo, [(edits.sources[key], found) for key, found in cited.items() if found])
    saying = _saying_nommer(edits, memo)
    withholding = _withholding(content, record_refs, redactor, saying)
    problems += _unsafe_markup(content, edits, memo) + _names_in_ids(content, edits, redactor, withholding, memo) + files
    problems += _named_without_consent(content, record_refs, saying)
    return problems, record_refs, record_mentions, sizes, withholding


def _all(found: dict[object, list]) -> list:
    """The problems found, by key, as one list (sorted later)."""
    return [problem for problems in found.values() for problem in problems]


def _reference_problems(source, refs: list, known: dict[str, set], hints: dict) -> list[Problem]:
    """A source's references to nothing known, and to itself."""
    problems = []
    for kind, ident, path in refs:
        if ident not in known.get(kind, ()):
            problems.append(_unknown(source.file, source.parsed.line_of(source.prefix + path), dotted(path),
                                     kind, ident, known, hints, _describable(source.model, path)))
        elif (kind, ident) == (source.model.KIND, source.ident) and not source.prefix:
            problems.append(Problem(source.file, source.parsed.line_of(path), dotted(path),
                                    f"la ressource « {ident} » se désigne elle-même", "donnez l'identifiant d'une autre ressource"))
    return problems


def _mention_problems(entry: Entry, found: list, known: dict[str, set], hints: dict) -> list[Problem]:
    """A record's ill-formed mentions, and those of nothing known."""
    problems = []
    for kind, ident, _, line, where in found:
        if kind is None:
            problems.append(Problem(entry.file, line, where, f"mention mal formée « {shown(ident)} »",
                                    "écrivez [[personne:identifiant]] (ou organisation, territoire, theme, reunion, cycle, plan, fiche)"))
        elif ident not in known.get(kind, ()):
            problems.append(_unknown(entry.file, line, where, kind, ident, known, hints))
    return problems


def _saying_nommer(edits: _Edits, memo: dict | None) -> set[str]:
    """The records whose front matter may hold a `nommer` field (most hold none; a YAML escape could
    spell it), by file: looked for again only in a file read again (10,000 texts a preview's rebuild)."""
    says = _each(memo, "nommer", edits.sources, lambda source: not source.prefix and (
        "nommer" in source.parsed.text or "\\" in source.parsed.text), edits.sources_edited)
    return {file for (file, _), found in says.items() if found}


def _withholding(content: Content, record_refs: dict, redactor: Redactor, saying: set[str]) -> dict[str, Redactor]:
    """The redactor of each record that does not name someone (`nommer: false` on any of their
    entries in it), by file: the one consent mechanism, narrowed to that record."""
    people, found = content.registries.get("personne", {}), {}
    for entry in content.records:
        if entry.file in saying:
            withheld = {ident for kind, ident, path in record_refs[entry.file] if kind == "personne" and ident in people
                        and getattr(_at(entry.model, path[:-1]), "nommer", None) is False}
            if withheld:
                found[entry.file] = redactor.withholding(people[ident].model for ident in sorted(withheld))
    return found


def _named_without_consent(content: Content, record_refs: dict, saying: set[str]) -> list[Problem]:
    """`nommer: true` for a person whose registry entry records no consent (read on the raw data,
    so reported even in a record with other problems)."""
    people, problems = content.registries.get("personne", {}), []
    for source in content.sources:
        if source.file not in saying:
            continue
        for kind, ident, path in record_refs[source.file]:
            where = path[:-1] + ("nommer",)
            if kind == "personne" and ident in people and not people[ident].model.consentement_publication \
                    and _at(source.data, path[:-1]).get("nommer") in ("true", True):
                problems.append(Problem(
                    source.file, source.parsed.line_of(where), dotted(where),
                    f"« nommer: true » pour « {ident} », que le registre ne permet pas de nommer (consentement_publication: false)",
                    "retirez « nommer » : la personne apparaîtra par sa fonction et son organisation ; ou, si elle a "
                    "consenti, indiquez-le dans registre/personnes.yml"))
    return problems


_HOLDS_A_NAME = "contient le nom d'une personne qui n'a pas consenti à être nommée"


def _names_in_ids(content: Content, edits: _Edits, redactor: Redactor, withholding: dict[str, Redactor],
                  memo: dict | None) -> list[Problem]:
    """Ids become URLs and file names become ids: one holding the name of a person without
    consent (or of one the record does not name) cannot be published (the id of a person without
    consent is never shown)."""
    # (a record not naming someone: looked at again each build, rare)
    problems = _all(_each(memo, "names in ids", edits.records, lambda entry: _record_names_in_ids(
        entry, withholding.get(entry.file, redactor)), edits.records_edited, afresh=withholding.keys()))
    reuse = _Reuse(memo, "names in registry ids")
    problems += [problem for table in content.registries.values() for entry in table.values()
                 for problem in reuse((entry.file, entry.id), (entry, redactor), lambda: _entry_names_in_id(entry, redactor))]
    for entry in content.registries.get("personne", {}).values():
        if not entry.model.consentement_publication and not privacy.can_protect(entry.model):
            problems.append(Problem(entry.file, entry.line_of(("nom",)), "nom",
                                    "nom sans lettre latine : il ne pourrait pas être retiré des textes",
                                    "écrivez le nom en lettres latines (ajoutez l'autre écriture dans autres_graphies)"))
    return problems


def _entry_names_in_id(entry: Entry, redactor: Redactor) -> list[Problem]:
    """A registry entry's id holding a name (the id of a person without consent is never shown)."""
    holds = getattr(entry.model, "consentement_publication", True) and redactor.needed(entry.id)
    return [_id_holds_a_name(entry)] if holds else []


def _record_names_in_ids(entry: Entry, redactor: Redactor) -> list[Problem]:
    problems = [_id_holds_a_name(entry)] if redactor.needed(entry.id) else []
    return problems + [Problem(entry.file, entry.line_of(("documents", index, "fichier")), f"documents[{index}].fichier",
                               f"le nom de fichier « {document.fichier} » {_HOLDS_A_NAME}", "renommez le fichier sans ce nom")
                       for index, document in enumerate(entry.model.documents)
                       if document.fichier and redactor.needed(document.fichier)]


def _id_holds_a_name(entry: Entry) -> Problem:
    return Problem(entry.file, entry.line_of(("id",)) if entry.prefix else 1, "id" if entry.prefix else "",
                   f"l'identifiant « {entry.id} » {_HOLDS_A_NAME}",
                   "choisissez un identifiant sans ce nom" + ("" if entry.prefix else " et renommez le fichier"))


def _unsafe_markup(content: Content, edits: _Edits, memo: dict | None) -> list[Problem]:
    """What the sanitiser would remove from editors' text (warnings: nothing vanishes silently)."""
    found = _all(_each(memo, "markup", edits.records, _body_markup, edits.records_edited))
    found += _all(_each(memo, "markup of fields", edits.sources,
                        lambda source: [] if source.prefix else _field_markup(source), edits.sources_edited))
    reuse, walked = _Reuse(memo, "markup of registries"), set()
    for source in content.sources:
        if source.prefix and id(source.parsed) not in walked:  # a registry's entries share one file: looked at once
            walked.add(id(source.parsed))
            found += reuse(source.file, source.parsed, lambda: _field_markup(source))
    return found


def _body_markup(entry: Entry) -> list[Problem]:
    return [Problem(entry.file, entry.body_line + entry.body.count("\n", 0, f.offset), "texte", f.message, f.hint,
                    warning=True) for f in sanitize.findings(entry.body)]


def _field_markup(source) -> list[Problem]:
    if not sanitize.may_have_findings(source.parsed.text):
        return []
    return [Problem(source.file, source.parsed.line_of(path), dotted(path[len(source.prefix):]), f.message, f.hint,
                    warning=True)
            for path, text in mentions.strings(source.parsed.data) for f in sanitize.findings(text, markup=False)]


def _redacted(entry: Entry, redactor: Redactor, refs: list, clean: _Unnamed) -> Entry:
    """The record with hidden names removed from its text (and the people it does not name from its fields);
    `refs`: its references (`references`)."""
    text = entry.parsed.text  # as written: a YAML escape (`P\u0061ul`) is looked at value by value
    people = Counter(ident for kind, ident, _ in refs if kind == "personne")
    if not redactor.withheld and "\\" not in text and clean(entry, lambda: not (
            redactor.needed(without_person_refs(text, people)) or redactor.needed(entry.body))):
        return entry  # most records: their front matter and body hold none of the names
    return dataclasses.replace(entry, model=_redacted_model(entry.model, redactor), body=redactor(entry.body))


class _Unnamed:
    """The records whose text holds no name to remove, by a digest of that text, kept from one build
    to the next for the same people and consents (`Redactor.key`): the texts are folded to look for
    names (110 MB at 10,000 records: 12 s of a build's 16 s of catalogue), and an unchanged text
    gives the same answer."""

    def __init__(self, kept: dict | None, key):
        self.kept, self.key = kept, key
        self.before = kept.get(key, set()) if kept is not None else set()
        self.now: set[bytes] = set()

    def __call__(self, entry: Entry, holds_none: Callable[[], bool]) -> bool:
        """Whether a record (with no one withheld, see _redacted) holds no name: as kept, or `holds_none()`."""
        if self.kept is None:
            return holds_none()
        digest = hashlib.blake2b(entry.parsed.text.encode() + b"\0" + entry.body.encode(), digest_size=16).digest()
        if digest in self.before or holds_none():
            self.now.add(digest)
            return True
        return False

    def keep(self) -> None:
        """This build's records only, for these people (a record edited, removed, or another consent: gone)."""
        if self.kept is not None:
            self.kept.clear()
            self.kept[self.key] = self.now


def _redacted_entry(entry: Entry, redactor: Redactor) -> Entry:
    model = _redacted_model(entry.model, redactor)
    return entry if model is entry.model else dataclasses.replace(entry, model=model)


def _redacted_model(model: BaseModel, redactor: Redactor) -> BaseModel:
    """A model with hidden names removed from every text but references (ids), and without the
    people the text does not name (shown as a person without consent: by function and organisation).
    Its text was validated already, and the redaction keeps it valid: nothing to validate again."""
    changes = {}
    if isinstance(model, models.Intervenant) and model.personne in redactor.withheld:
        changes.update(personne=None, nommer=False)
    for name, is_reference in _text_fields(type(model)).items():
        value = getattr(model, name)
        redacted = value if is_reference else _redacted_value(value, redactor)
        if redacted is not value:
            changes[name] = redacted
    return model.model_copy(update=changes) if changes else model


def _redacted_value(value, redactor: Redactor):
    if isinstance(value, str):
        return redactor(value)  # the same object when it holds no name
    if isinstance(value, BaseModel):
        return _redacted_model(value, redactor)
    if isinstance(value, list):
        items = [_redacted_value(item, redactor) for item in value]
        return items if any(new is not old for new, old in zip(items, value)) else value
    return value


@lru_cache(maxsize=None)
def _text_fields(model: type[BaseModel]) -> dict[str, bool]:
    """A model's fields, each with whether it holds references or a registry entry's own id (never
    rewritten: ids are checked instead, see _names_in_ids); a block that may be written as an id (a
    partner, a meeting without a record) holds text too, and is walked."""
    own_id = model in models.REGISTRY_TYPES
    return {name: bool((_ref_kind(info.metadata) or _ref_kind_in(info.annotation)) and not _submodel_in(info.annotation)
                       or (own_id and name == "id"))
            for name, info in model.model_fields.items()}


def _unknown(file: str, line: int, where: str, kind: str, ident: str, known: dict, hints: dict,
             describable: bool = False) -> Problem:
    """`hints` keeps each id's hint: an id removed from a registry may be cited by thousands of records.
    A record is no registry entry: its id is its file name; where the field allows it, one without a
    record is described instead (models.or_unrecorded)."""
    if (kind, ident) not in hints:
        hints[kind, ident] = closest(ident, sorted(known.get(kind, ()))) if len(hints) < HINTED_IDS else ""
    if kind not in RECORD_KINDS:
        otherwise = "ajoutez l'entrée au registre ou corrigez l'identifiant"
    else:
        otherwise = f"l'identifiant est le nom d'un fichier de {RECORD_KINDS[kind].FOLDER}/, sans « .md »"
        if describable:
            otherwise += " ; sans fiche sur le site, décrivez-la par « intitule » et « date » (un bloc de champs)"
    return Problem(file, line, where, f"{UNKNOWN[kind]} « {shown(ident)} »", hints[kind, ident] or otherwise)


def _describable(model: type[BaseModel], path: tuple) -> bool:
    """Whether the field at this path of a model's raw data also takes a block describing something
    that has no record (an id or a models.SansFiche)."""
    sub = None
    for part in path:
        if isinstance(part, str):
            if model is None or part not in _ref_fields(model):
                return False
            sub = _ref_fields(model)[part][1]
            model = sub
    return sub is models.SansFiche


def _mentions(entry: Entry):
    """(kind, id, label, line, field) of every mention in a record's body and text fields."""
    if "[[" in entry.body:
        for kind, ident, label, offset in mentions.find(entry.body):
            yield kind, ident, label, entry.body_line + entry.body.count("\n", 0, offset), "texte"
    if "[[" not in entry.parsed.text:
        return  # most records mention nothing: skip walking their fields
    for path, text in mentions.strings(entry.parsed.data):
        for kind, ident, label, offset in mentions.find(text):
            yield kind, ident, label, entry.line_of(path), dotted(path)


def _index(catalogue: Catalogue, record_refs: dict, record_mentions: dict, memo: dict | None) -> None:
    """The records' order, backlinks and trees (time linear in the records' size; while serving, the
    work of the records an edit left alone is reused: `Catalogue._edited`)."""
    records, edited = catalogue.records, catalogue._edited
    recency = _each(memo, "recency", records, _recency, edited)
    catalogue.ordered = [records[ident] for _, ident in sorted(recency.values(), reverse=True)]
    catalogue.rank = {entry.id: position for position, entry in enumerate(catalogue.ordered)}
    catalogue._signatures = _Reuse(memo, "signatures")
    catalogue._linked = _Reuse(memo, "linking", carried=True)  # only the pages a build remakes ask
    withheld = {ident: redactor.withheld for ident, redactor in catalogue.withholding.items()}
    links = _each(memo, "links", records, lambda entry: _links(
        entry, record_refs[entry.file], record_mentions[entry.file], withheld.get(entry.id, frozenset())),
        edited, afresh=withheld.keys())
    previous = memo.get("backlinks") if memo is not None else None
    catalogue.backlinks = _backlinks(catalogue, links, previous)
    if memo is not None:
        memo["backlinks"] = (catalogue.records, links, catalogue.backlinks)
    for kind in ("territoire", "theme"):
        for ident, item in catalogue.registries.get(kind, {}).items():
            if item.model.parent:
                catalogue.children.setdefault((kind, item.model.parent), []).append(ident)


def _backlinks(catalogue: Catalogue, links: dict[str, list], previous: tuple | None) -> dict[tuple[str, str], list[Link]]:
    """The links to each entry, newest first. A preview's rebuild patches its last build's where an
    edited record's links were or are: the lists of the entries no edit touched stay the same objects
    (what pages and outputs made from them is then known unchanged at a glance)."""
    if previous is not None:
        records, links_before, backlinks = previous
        edited = {ident for ident, entry in catalogue.records.items() if records.get(ident) is not entry}
        edited |= records.keys() - catalogue.records.keys()
        if len(edited) <= max(100, len(catalogue.records) // 10):  # (more: a pass over all is quicker)
            return _patched(backlinks, edited, links_before, links, catalogue.rank)
    backlinks = {}
    for entry in catalogue.ordered:
        for key, link in links[entry.id]:
            backlinks.setdefault(key, []).append(link)
    return backlinks


def _patched(backlinks: dict, edited: set[str], links_before: dict, links: dict, rank: dict) -> dict:
    """Backlinks without the edited records' links of before, with their links of now, newest first."""
    backlinks, touched = dict(backlinks), {}
    for ident in edited:
        for key, _ in links_before.get(ident, ()):
            touched.setdefault(key, [])
    for ident in edited:
        for key, link in links.get(ident, ()):
            touched.setdefault(key, []).append(link)
    for key, added in touched.items():
        found = [link for link in backlinks.get(key, ()) if link.record.id not in edited] + added
        found.sort(key=lambda link: rank[link.record.id])  # stable: a record's links keep their order
        if found:
            backlinks[key] = found
        else:
            backlinks.pop(key, None)
    return backlinks


def _links(entry: Entry, refs: list, found_mentions: list, withheld: frozenset[str]) -> list[tuple[tuple[str, str], Link]]:
    """((kind, id), link) for each entry a record refers to or mentions; none to a person it does
    not name (their page must not reveal the record)."""
    links = []
    for kind, ident, path in refs:
        if kind == "personne" and ident in withheld:
            continue
        holder = _holder(entry.model, path)
        links.append(((kind, ident), Link(entry, _role(path, holder), holder)))
    links += [((kind, ident), Link(entry, "mention")) for kind, ident, *_ in found_mentions
              if kind is not None and not (kind == "personne" and ident in withheld)]
    return links


def _holder(model, path: tuple) -> BaseModel | None:
    """What holds a reference to a person or organisation: the block around it (`intervenants[0].personne`),
    or the item itself when written as an id alone (`partenaires[0]`, validated into a Partenaire)."""
    if path[-1] in ("personne", "organisation"):
        return _at(model, path[:-1])
    if isinstance(path[-1], int):
        item = _at(model, path)
        return item if isinstance(item, BaseModel) else None
    return None


def _role(path: tuple, holder) -> str:
    role = _role_of_fields(tuple(p for p in path if isinstance(p, str)))
    if role == "participant" and getattr(holder, "presence", None) == "excuse":
        return "excuse"
    return role


@lru_cache(maxsize=None)
def _role_of_fields(fields: tuple[str, ...]) -> str:
    return next((ROLES[f] for f in reversed(fields) if f in ROLES), "reference")


def _at(model, path: tuple):
    """What sits at a path in a model, or in raw data."""
    for part in path:
        model = model[part] if isinstance(part, int) or isinstance(model, dict) else getattr(model, part)
    return model


def references(model: type[BaseModel], data) -> list[tuple[str, str, tuple]]:
    """(kind, id, path) of every reference in raw data read for a model, in document order.

    It walks the raw data, not a validated instance, so that references are checked
    even in a file with other problems: one run reports everything.
    """
    found: list[tuple[str, str, tuple]] = []
    _collect(model, data, (), found)
    return found


def _collect(model: type[BaseModel], data, path: tuple, found: list) -> None:
    if not isinstance(data, dict):
        return
    fields = _ref_fields(model)
    for name, value in data.items():
        if name not in fields:
            continue
        kind, sub = fields[name]
        items = enumerate(value) if isinstance(value, list) else ((None, value),)
        for index, item in items:
            where = path + ((name,) if index is None else (name, index))
            if kind is not None and isinstance(item, str):
                found.append((kind, item, where))
            elif sub is not None:
                _collect(sub, item, where, found)


@lru_cache(maxsize=None)
def _ref_fields(model: type[BaseModel]) -> dict[str, tuple[str | None, type[BaseModel] | None]]:
    """The fields that hold references, directly (their kind) or inside a nested model (that model).

    Read once per class; fields that can hold no reference are left out, so the walk skips them.
    """
    fields = {}
    for name, info in model.model_fields.items():
        kind = _ref_kind(info.metadata) or _ref_kind_in(info.annotation)
        sub = _submodel_in(info.annotation)
        if kind or (sub is not None and _ref_fields(sub)):
            fields[name] = (kind, sub)
    return fields


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
