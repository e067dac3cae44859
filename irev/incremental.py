"""Incremental work: a job is remade only when an input it read has changed (as Hugo and Lektor do).

While a job runs, the catalogue notes each input it reads (`Catalogue.reads`: a record's
fields or body, a registry entry, the records linking to an entry…); the recorder keeps, per
job, those inputs and the value each had. At the next build, a job is made again if it is
new or if one of its inputs now has another value. Nothing here knows what a template shows:
a new relation shown by a template is noted the day it is read.

What every job depends on without reading it from the catalogue (the setting: drafts shown,
who may be named, the templates themselves) remakes every job when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .catalogue import Catalogue


@dataclass
class Recorder:
    setting: object = None
    made: dict[tuple, object] = field(default_factory=dict)  # job -> what it made
    reads: dict[tuple, frozenset] = field(default_factory=dict)  # job -> the inputs it read
    values: dict[tuple, object] = field(default_factory=dict)  # input -> its value when last read
    remade: list[tuple] = field(default_factory=list)  # the jobs the last run made

    def run(self, catalogue: Catalogue, setting: object, jobs: list[tuple], make: Callable[[tuple], object]) -> list:
        """What every job makes, in order; only jobs that are new or whose inputs changed are run."""
        if setting != self.setting:
            self.made, self.reads, self.values, self.setting = {}, {}, {}, setting
        changed = {key for key, value in self.values.items() if catalogue.current(key) != value}
        self.remade = [job for job in jobs if job not in self.made or not self.reads[job].isdisjoint(changed)]
        read: set[tuple] = set()
        for job in self.remade:
            catalogue.reads = set()
            try:
                self.made[job] = make(job)
            finally:
                self.reads[job], catalogue.reads = frozenset(catalogue.reads), None
            read |= self.reads[job]
        for key in changed | (read - self.values.keys()):
            self.values[key] = catalogue.current(key)
        wanted = set(jobs)
        for gone in [job for job in self.made if job not in wanted]:
            del self.made[gone], self.reads[gone]
        return [self.made[job] for job in jobs]
