"""`python -m irev check` on several cores: the record files shared out between processes.

Loading and checking 10,000 records is a single process's work of seconds (reading, validating,
cross-checking each file), and a file's problems depend on the others only through the ids they
declare. So each process (this one, and one forked per other share, irev/apart.py) loads every
registry and its share of the record files, sends the ids they declare, and checks them knowing
the others' ids too. Meetings stay together: a series links meetings only (consistency.py).

The problems of a record file are those of the process that read it; the inventory's (an entry of
the tree that is no content file) count once. Any other file (a registry, an attachment) is read by
every process, and its problems count where every process found them: each finds the same for what
depends on that file alone, and one such as « cited by no record » holds only if it holds for every
share of the records. Past catalogue.HINTED_IDS unknown ids, which of them get a « vouliez-vous
dire » hint depends on the order of them all: such a tree is checked again in one process.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import apart, catalogue, loading
from .models import Reunion
from .parsing import ParseCache
from .problems import Problem, relative

SHARED_FROM = 1000  # measured: 0.74 s against 0.83 s in one process at 1,000 records, a tenth; fewer gain less


@dataclass
class Checked:
    """What one process found in its share."""

    counts: loading.Counts
    problems: list[Problem]
    unknown: set[tuple[str, str]]  # the (kind, id) of each unknown id it met (catalogue.HINTED_IDS)
    used: set[str]  # the parse cache's entries it used, and those it added
    added: dict[str, object]


def check(root: Path, cache_file: Path | None) -> tuple[loading.Counts, list[Problem], loading.Content] | None:
    """A tree's counts and every problem, sorted, checked in shares at once, and the part this process
    loaded; None where it is not worth it or the records cannot be shared out (too few, all meetings, one
    core, two files of one id, more unknown ids than are hinted)."""
    cores = _cores()
    found = loading.inventory(root) if root.is_dir() else None
    if found is None or cores < 2 or len(found.records) < SHARED_FROM or not apart.possible():
        return None
    stems = Counter(path.stem for _, path in found.records)
    if max(stems.values()) > 1:  # which of two files of one id is kept depends on them all
        return None
    groups = _shared_out(found.records, cores)
    if len(groups) < 2:
        return None
    cache = ParseCache(cache_file)  # read once: every process takes its entries
    parts = [_Part(root, loading.Share(group, found, cache)) for group in groups]
    helpers = [apart.Apart(part.load, part.check) for part in parts[1:]]  # forked before this process loads
    try:
        ids = [parts[0].load()] + [helper.first() for helper in helpers]
        for index, helper in enumerate(helpers, start=1):
            helper.go_on(_others(ids, index))
        results = [parts[0].check(_others(ids, 0))] + [helper.result() for helper in helpers]
    finally:
        for helper in helpers:
            helper.close()
    for result in results[1:]:
        cache.merge(result.used, result.added)
    cache.save()
    if len(set().union(*(result.unknown for result in results))) >= catalogue.HINTED_IDS:
        return None  # which unknown ids get a hint depends on the order of them all (catalogue._unknown)
    records = {relative(path, root) for _, path in found.records}
    counts = results[0].counts._replace(records=sum(result.counts.records for result in results))
    return counts, sorted(_merged(results, records, found.problems)), parts[0].content


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _shared_out(records: list[tuple[type, Path]], cores: int) -> list[frozenset[Path]]:
    """The record files in groups of about the same size on disk (as much work), one per process; the
    meetings in one (a series links meetings)."""
    meetings = [path for model, path in records if model.KIND == Reunion.KIND]
    atoms = ([meetings] if meetings else []) + [[path] for model, path in records if model.KIND != Reunion.KIND]
    groups: list[set[Path]] = [set() for _ in range(min(cores, len(atoms)))]
    totals = [0] * len(groups)
    for size, atom in sorted(((sum(map(_size, atom)), atom) for atom in atoms), key=lambda pair: -pair[0]):
        lightest = totals.index(min(totals))  # each the largest left, to the group with least so far
        groups[lightest].update(atom)
        totals[lightest] += size
    return [frozenset(group) for group in groups]


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:  # reported by the loading
        return 0


def _others(ids: list[dict[str, set[str]]], index: int) -> dict[str, set[str]]:
    """The ids the other shares declare, by kind."""
    merged: dict[str, set[str]] = {}
    for other, declared in enumerate(ids):
        if other != index:
            for kind, idents in declared.items():
                merged.setdefault(kind, set()).update(idents)
    return merged


def _merged(results: list[Checked], records: set[str], inventory: list[Problem]) -> list[Problem]:
    """The inventory's problems once (every process finds them alike; as shown, a stray entry's name may
    read as a record file's: `a\\xa0.md` and `a` + NBSP + `.md`); of the others, the record files' (each
    from the one process that read it), and the other files' that every process found."""
    found = [Counter(result.problems) - Counter(inventory) for result in results]
    problems = [problem for each in found for problem in each.elements() if problem.file in records]
    common = Counter({problem: n for problem, n in found[0].items() if problem.file not in records})
    for each in found[1:]:
        common &= each
    return inventory + problems + list(common.elements())


class _Part:
    """One share's loading, then its checking (in this process or a forked one)."""

    def __init__(self, root: Path, share: loading.Share):
        self.root, self.share = root, share
        self.content: loading.Content | None = None

    def load(self) -> dict[str, set[str]]:
        self.content = loading.load(self.root, self.share.cache.path, share=self.share)
        return catalogue.known_ids(self.content)

    def check(self, elsewhere: dict[str, set[str]]) -> Checked:
        content, hints = self.content, {}
        problems = content.problems + catalogue.validate(content, elsewhere, hints)
        return Checked(loading.Counts.of(content), problems, set(hints), self.share.cache.used, self.share.cache.added)
