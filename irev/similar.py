"""Near-duplicate registry entries: the same person or organisation entered twice.

Names are compared after folding accents, case, spacing and word order, and two names
one letter apart also match. Candidate pairs come from a deletion index (each key and
its one-letter deletions), so the cost grows with the number of entries, not its square.
"""

from __future__ import annotations

import unicodedata
from itertools import combinations

from .loading import Entry
from .problems import Problem


def fold(text: str) -> str:
    """`Zaïna  MESLIL` and `Meslil Zaina` fold to the same key."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "".join(sorted(words))


def _person_keys(entry: Entry) -> set[str]:
    person = entry.model
    return {fold(f"{person.prenom} {person.nom}"), *map(fold, person.autres_graphies)}


def _organisation_keys(entry: Entry) -> set[str]:
    return {fold(entry.model.nom)}


def _variants(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))} if len(key) > 4 else {key}


def near_duplicates(entries: dict[str, Entry], keys) -> list[tuple[Entry, Entry]]:
    """Pairs of entries whose names match after folding, or are one letter apart."""
    index: dict[str, set[str]] = {}
    for ident, entry in entries.items():
        for key in keys(entry):
            for variant in _variants(key):
                index.setdefault(variant, set()).add(ident)
    pairs = {tuple(sorted(pair)) for idents in index.values() if len(idents) > 1 for pair in combinations(idents, 2)}
    return [(entries[a], entries[b]) for a, b in sorted(pairs)]


def warnings(registries: dict[str, dict[str, Entry]]) -> list[Problem]:
    """A warning on the second entry of each suspicious pair, naming the first."""
    found = []
    checks = (("personne", _person_keys, "la même personne"), ("organisation", _organisation_keys, "la même organisation"))
    for kind, keys, what in checks:
        for first, second in near_duplicates(registries.get(kind, {}), keys):
            found.append(Problem(
                second.file, second.line_of(), "id",
                f"« {second.id} » ressemble à « {first.id} » (ligne {first.line_of()}) : est-ce {what} ?",
                "si oui, gardez une seule entrée et notez l'autre orthographe dans autres_graphies", warning=True))
    return found
