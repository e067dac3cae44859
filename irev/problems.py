"""Authoring problems, reported to editors in French as `file:line: field: message`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing an editor must fix (or, with `warning`, should look at)."""

    file: str
    line: int
    field: str
    message: str
    hint: str = ""
    warning: bool = False

    @property
    def explained(self) -> str:
        """The message with its hint, without its place (the forges show the place themselves)."""
        return f"{self.message} (piste : {self.hint})" if self.hint else self.message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.explained}" if self.field else f"{where}: {self.explained}"


class ContentError(Exception):
    """Raised when a content tree has problems: carries all of them, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(report(self.problems))


def closest(word: str, candidates) -> str:
    """The known id or field name an editor most likely meant, as a hint ('' if none).

    `candidates` may be a mapping from each name to what to suggest for it."""
    match = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    if not match:
        return ""
    return f"vouliez-vous dire « {candidates[match[0]] if isinstance(candidates, dict) else match[0]} » ?"


def relative(path: Path, root: Path) -> str:
    """Paths in messages are relative to the content tree's parent, as editors see them in a PR;
    characters that cannot be shown (a newline, bytes that are not UTF-8) are written as escapes."""
    parent = f"{root.parent}/"
    if str(path).startswith(parent) and parent != "//":  # (10,000 files a check: slicing is quicker than PurePath)
        return _visible(str(path)[len(parent):])
    try:
        return _visible(path.relative_to(root.parent).as_posix())
    except ValueError:
        return _visible(path.as_posix())


def shown(value) -> str:
    """A value as quoted to editors: a structure by its kind, text cut short, invisible characters escaped."""
    if isinstance(value, dict):
        return "bloc de champs"
    if isinstance(value, list):
        return "liste"
    text = str(value)
    return _visible(text if len(text) <= 60 else text[:60] + "…")


def _visible(text: str) -> str:
    return text if text.isprintable() else "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def report(problems: list[Problem]) -> str:
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    lines = [f"ERREUR {p}" for p in errors] + [f"ATTENTION {p}" for p in warnings]
    lines.append(f"{len(errors)} erreur(s), {len(warnings)} avertissement(s).")
    return "\n".join(lines)
