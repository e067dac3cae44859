"""Incremental work: a job is remade only when an input it read has changed (as Hugo and Lektor do).

While a job runs, the catalogue notes each input it reads (`Catalogue.reads`: a record's
fields or body, a registry entry, the records linking to an entry…); the recorder keeps, per
job, those inputs and a fingerprint of the value each had. At the next build, a job is made
again if it is new or if one of its inputs now has another value. Nothing here knows what a
template shows: a new relation shown by a template is noted the day it is read.

What every job depends on without reading it from the catalogue (the setting: drafts shown,
who may be named, the code and templates themselves) remakes every job when it changes.

A preview keeps its recorders in memory between rebuilds; a build keeps them in the cache
(`load`, `save`), so a warm build remakes only what changed since the last one.
"""

from __future__ import annotations

import hashlib
import pickle
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pydantic import BaseModel

from . import settings
from .catalogue import Catalogue
from .entries import Entries

Made = tuple[object, frozenset]  # what a job made, and the inputs it read


@dataclass
class Recorder:
    setting: bytes = b""
    made: dict[tuple, object] = field(default_factory=dict)  # job -> what it made
    # The inputs read, each once, and the fingerprint of the value each had when last read; each job's
    # reads as positions in that list (compact: a build's jobs read millions of inputs, kept between builds).
    inputs: list[tuple] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)
    reads: dict[tuple, array] = field(default_factory=dict)  # job -> the positions of the inputs it read
    remade: list[tuple] = field(default_factory=list)  # the jobs the last run made
    compared: int = -1  # while serving, the build (Fingerprints.builds) whose values `values` holds
    kept: bool = False  # the cache holds this recorder as it is (read back, verified, and unchanged since)
    # Kept by a preview from one run to the next, never in the cache (see __getstate__): each input's
    # position in `inputs`, and the setting last given with its fingerprint.
    positions: dict[tuple, int] | None = field(default=None, repr=False)
    given: tuple | None = field(default=None, repr=False)
    # … and the jobs that read each input, by position: a rebuild finds the jobs an edit touched
    # without going through every job's reads (13,000 pages at 10,000 records).
    readers: dict[int, set[tuple]] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "positions": None, "given": None, "readers": None}

    def run(self, catalogue: Catalogue, setting: object, jobs: list[tuple],
            make_all: Callable[[list[tuple]], Iterable[Made]], fingerprints: Fingerprints) -> list:
        """What every job makes, in order; only jobs that are new or whose inputs changed are made,
        by `make_all` (which may share them between processes: see `recorded`). Each job is listed
        once (an output's `jobs`: one per page, line, record…)."""
        if self.given is None or self.given[0] != setting:  # (a preview's is mostly the same: not hashed again)
            self.given = setting, fingerprint(_ordered(setting))
        setting = self.given[1]
        if setting != self.setting:
            self.made, self.inputs, self.values, self.reads, self.setting, self.kept = {}, [], [], {}, setting, False
            self.positions = self.readers = None
        if self.positions is None:
            self.positions = {key: position for position, key in enumerate(self.inputs)}
        positions = self.positions
        # A preview's rebuild following this recorder's last run: the inputs that changed are known already
        # (one that did not run to its end in the last build, stopped by an error, compares its own).
        changed_keys = fingerprints.changed(catalogue) if self.compared == fingerprints.builds - 1 else None
        if changed_keys is None:  # a build (or a rebuild after one that stopped): every input compared
            current = [fingerprints(catalogue, key) for key in self.inputs]
            changed = {position for position, (now, before) in enumerate(zip(current, self.values)) if now != before}
        else:
            current, changed = list(self.values), {positions[key] for key in changed_keys if key in positions}
            for position in changed:
                current[position] = fingerprints(catalogue, self.inputs[position])
        if not changed:
            self.remade = [job for job in jobs if job not in self.made]
        elif changed_keys is None:
            self.remade = [job for job in jobs if job not in self.made or not changed.isdisjoint(self.reads[job])]
        else:
            stale = set().union(*(self._readers().get(position, ()) for position in changed))
            self.remade = [job for job in jobs if job in stale or job not in self.made]
        unread = False  # whether an input may no longer be read by any job
        for job, (made, inputs) in zip(self.remade, make_all(self.remade)):
            before = self.reads.get(job)
            self.made[job], self.reads[job] = made, array("I", (self._position(key, positions, current, catalogue,
                                                                                fingerprints) for key in inputs))
            if before != self.reads[job]:
                unread = unread or before is not None
                self._reread(job, before or (), self.reads[job])
        if len(self.made) != len(jobs):  # (it holds every job now: as many, the same ones)
            wanted = set(jobs)
            for gone in [job for job in self.made if job not in wanted]:
                self._reread(gone, self.reads[gone], ())
                del self.made[gone], self.reads[gone]
                unread = True
        self.kept = self.kept and not (self.remade or unread)
        self.values, self.compared = current, fingerprints.builds
        if unread:
            self._forget_unread()
        if fingerprints.builds and self.readers is None:  # a preview's (see Fingerprints.builds): for its first edit
            self._readers()
        return [self.made[job] for job in jobs]

    def _readers(self) -> dict[int, set[tuple]]:
        if self.readers is None:
            self.readers = {}
            for job, positions in self.reads.items():
                for position in positions:
                    self.readers.setdefault(position, set()).add(job)
        return self.readers

    def _reread(self, job: tuple, before, now) -> None:
        """A job's reads are others: so are the readers of the inputs it read, if known."""
        if self.readers is None:
            return
        for position in set(before).difference(now):
            self.readers[position].discard(job)
        for position in now:
            self.readers.setdefault(position, set()).add(job)

    def _position(self, key: tuple, positions: dict, current: list, catalogue: Catalogue, fingerprints) -> int:
        position = positions.get(key)
        if position is None:
            position = positions[key] = len(self.inputs)
            self.inputs.append(key)
            current.append(fingerprints(catalogue, key))
        return position

    def _forget_unread(self) -> None:
        """Drop the inputs no job reads any more (an edit removed a link…), renumbering the others."""
        read = set().union(*self.reads.values())
        if len(read) == len(self.inputs):
            return
        kept = sorted(read)
        renumbered = {old: new for new, old in enumerate(kept)}
        self.inputs, self.values, self.positions = [self.inputs[i] for i in kept], [self.values[i] for i in kept], None
        if self.readers is not None:
            self.readers = {renumbered[old]: jobs for old, jobs in self.readers.items() if old in renumbered}
        self.reads = {job: array("I", (renumbered[i] for i in positions)) for job, positions in self.reads.items()}

    @classmethod
    def load(cls, folder: Path, setting: object) -> Recorder:
        """The recorder a previous build of this setting kept (a new one if none)."""
        recorder = kept(folder, _key(setting))
        if not isinstance(recorder, cls):
            return cls()
        recorder.kept = True
        return recorder

    def save(self, folder: Path, setting: object) -> None:
        """Keep this recorder for the next build, unless the cache holds it as it is."""
        keep(folder, _key(setting), self, changed=not self.kept)
        self.kept = True


class Fingerprints:
    """The fingerprint of each input read, by input: computed once per build even when several
    recorders read it; while serving, again only when the input's value is another (the preview's
    unchanged records are the same objects from one rebuild to the next, and `==` is quick)."""

    def __init__(self):
        self.current: dict[tuple, tuple[object, bytes]] = {}
        # While serving, every input read by an earlier build, with its value when last read.
        self.previous: dict[tuple, tuple[object, bytes]] | None = None
        self._changed: set[tuple] | None = None
        self.builds = 0  # while serving, the builds begun
        self._token: object = None  # the catalogue of the last build (Catalogue.token)
        self._candidates: set[tuple] | None = None  # the inputs this build's catalogue may have changed

    def changed(self, catalogue: Catalogue) -> set[tuple] | None:
        """While serving, the inputs read by the last build whose value is now another: each input
        compared once, whatever the number of recorders reading it (None: a build, or the first).
        Only those the catalogue tells may have changed are compared, when it tells (50,000 inputs
        at 10,000 records, a handful after an edit)."""
        if self._changed is None and self.previous:
            self._changed = set()
            keys = self.previous if self._candidates is None else self._candidates & self.previous.keys()
            for key in keys:
                before = self.previous[key]
                found = self.current.get(key) or self._read(catalogue, key, before)
                if found[1] != before[1]:
                    self._changed.add(key)
        return self._changed

    def __call__(self, catalogue: Catalogue, key: tuple) -> bytes:
        found = self.current.get(key) or self._read(catalogue, key, self.previous.get(key) if self.previous else None)
        return found[1]

    def _read(self, catalogue: Catalogue, key: tuple, before: tuple | None) -> tuple[object, bytes]:
        """An input's value and fingerprint this build: the last build's (`before`) if the value is the same."""
        value = catalogue.current(key)
        found = before if before is not None and (before[0] is value or before[0] == value) else \
            (value, fingerprint(value))
        self.current[key] = found
        return found

    def next_build(self, catalogue: Catalogue) -> None:
        """A new build, of this catalogue: its inputs' values are read again (compared with those read
        before, which this build's then replace)."""
        if self.previous is None:
            self.previous = self.current
        else:
            self.previous.update(self.current)
        changes = catalogue.changes
        self._candidates = changes[1] if changes is not None and changes[0] is self._token else None
        self.current, self._changed, self._token = {}, None, catalogue.token
        self.builds += 1


# --- between builds ------------------------------------------------------------------------------


def kept(folder: Path, key: str):
    """What a previous build kept under this key in this folder, or None (none, damaged, or unreadable)."""
    body = Entries(folder, ".pickle").view(key)
    if body is None:
        return None
    try:
        return pickle.loads(body)  # our own cache, verified by its hash (irev/entries.py)
    except Exception:  # written by other code: made afresh
        return None


def keep(folder: Path, key: str, value, changed: bool = True) -> None:
    """Keep a value for the next build under this key, the folder's only one (unless it is kept
    there already, unchanged)."""
    entries = Entries(folder, ".pickle")
    if changed:  # pickled into the file: a build's pages are hundreds of megabytes, not held twice
        entries.write_with(key, lambda file: pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL))
    entries.prune({key})


def recorded(catalogue: Catalogue, make: Callable, job) -> Made:
    """Make one job, noting what it reads of the catalogue; made within another job (a value kept
    for several: `Renderer.summary_text`), what it reads is read by that job too."""
    outer, catalogue.reads = catalogue.reads, set()
    try:
        return make(job), frozenset(catalogue.reads)
    finally:
        read, catalogue.reads = catalogue.reads, outer
        if outer is not None:
            outer.update(read)


def _key(setting: object) -> str:
    """A recorder's key: its setting and the code's version (a new version remakes every job)."""
    return fingerprint((_ordered(setting), settings.code_version())).hex()


def _ordered(value):
    """A setting with its sets as sorted lists, at any depth (of their items' fingerprints if these
    do not compare: of different types)."""
    if isinstance(value, (set, frozenset)):
        items = [_ordered(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(fingerprint(item) for item in items)
    if isinstance(value, (tuple, list)):
        return [_ordered(item) for item in value]
    return value


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, BaseModel):  # its fields only: pydantic's own state holds a set
            return _unpickled, (type(obj).__qualname__, obj.__dict__)
        return NotImplemented


def _unpickled(*_):  # fingerprints are never unpickled
    raise TypeError


def fingerprint(value) -> bytes:
    """The same bytes for equal values in any process (pickled without its memo, so objects shared
    or not pickle alike; models by their fields), hashed. A set's order changes from one process to
    the next (the inputs hold none; a setting's are put in order: `_ordered`)."""
    digest = hashlib.blake2b(digest_size=16)
    pickler = _Pickler(_Hashing(digest), protocol=pickle.HIGHEST_PROTOCOL)  # hashed as pickled: never held whole
    pickler.fast = True
    pickler.dump(value)
    return digest.digest()


class _Hashing:
    """A file that hashes what is written to it (an open data type's lines are tens of megabytes)."""

    def __init__(self, digest):
        self.write = digest.update
