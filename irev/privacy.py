"""Privacy: the names of people who did not consent never reach the site.

Structured references to people are shown by role (see pages); this module removes
their names from free text written by editors (bodies, summaries, titles…), once per
record, before any page is made from it.
"""

from __future__ import annotations

import re

from .models import SLUG_PATTERN

REDACTED = "[nom non publié]"
_WORD = re.compile(r"[\w-]+")  # `paul-secret` is one token: an id, not the name SECRET
_ID = re.compile(SLUG_PATTERN)


class Redactor:
    """Replaces every written form of the names of people without consent."""

    def __init__(self, people):
        forms, family_words = set(), set()
        for person in people:
            if not person.consentement_publication:
                forms.update({f"{person.prenom} {person.nom}", f"{person.nom} {person.prenom}", *person.autres_graphies})
                family_words.add(max(_WORD.findall(person.nom.lower()), key=len))  # not a particle (DE, LE)
        # A text without any of these family names cannot hold a hidden name: skip the slow pattern.
        self.family_words = family_words
        self.key = frozenset(forms)  # two redactors with the same key redact alike
        alternatives = sorted((r"[\s-]+".join(map(re.escape, form.split())) for form in forms), key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE) if forms else None

    def needed(self, text: str) -> bool:
        return self.pattern is not None and not self.family_words.isdisjoint(_WORD.findall(text.lower()))

    def __call__(self, text: str) -> str:
        return self.pattern.sub(REDACTED, text) if self.needed(text) else text

    def data(self, value):
        """Raw YAML data with every text redacted; ids (`paul-secret`) are references, kept as they are."""
        if isinstance(value, str):
            return value if _ID.fullmatch(value) else self(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value
