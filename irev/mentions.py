"""Inline mentions in Markdown text: `[[personne:karima-elkhadiri]]`, `[[theme:testing|le testing]]`.

One short syntax for every kind of entry: people, organisations, territories, themes
and records. The catalogue validates them and counts them as backlinks; pages render
them as links carrying the display name.
"""

from __future__ import annotations

import re

KINDS = ("personne", "organisation", "territoire", "theme", "reunion", "cycle", "plan", "fiche")
PATTERN = re.compile(r"\[\[(" + "|".join(KINDS) + r"):([a-z0-9]+(?:-[a-z0-9]+)*)(?:\|([^\]\n]+))?\]\]")
LOOSE = re.compile(r"\[\[([^\[\]\n]*)\]\]")  # anything that looks like a mention, valid or not (linear: no `[` inside)


def find(text: str):
    """Yield (kind, id, label or None, offset) for each well-formed mention, and
    (None, raw, None, offset) for a `[[…]]` that is not one."""
    for match in LOOSE.finditer(text):
        proper = PATTERN.fullmatch(match.group(0))
        if proper:
            yield proper.group(1), proper.group(2), proper.group(3), match.start()
        else:
            yield None, match.group(0), None, match.start()


def strings(data, path: tuple = ()):
    """Every text value inside raw YAML data, with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, path + (index,))


def replace(text: str, render) -> str:
    """Text with each well-formed mention replaced by render(kind, id, label)."""
    return PATTERN.sub(lambda m: render(m.group(1), m.group(2), m.group(3)), text)
