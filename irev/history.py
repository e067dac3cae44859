"""When each content file last changed, for a record's « Mis à jour le » when its editor gave no
`mise_a_jour`: the date of the last commit that touched it when the content is a git clone (its
history), the file's own date otherwise, or when it was changed since that commit.

A clone made with its whole history is needed for the commit dates (a shallow clone, as CI makes
by default, dates every file at its last commit: the forge files ask for the whole history).
Without git, or if git fails, every file has its own date: the build never depends on git.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

_TIMEOUT = 60  # seconds: a huge history must not hold the build


def changed(root: Path, paths: list[Path], history: bool = True) -> dict[Path, dt.date]:
    """Each file's date of last change (`history`: looked up in git; else the files' own dates)."""
    committed = _committed(root) if history and paths else {}
    if committed:
        edited = _edited(root)
        committed = {path: day for path, day in committed.items() if path not in edited}
    return {path: committed.get(path) or _file_date(path) for path in paths}


def _file_date(path: Path) -> dt.date | None:
    try:
        return dt.date.fromtimestamp(os.stat(path, follow_symlinks=False).st_mtime)
    except OSError:
        return None


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=_TIMEOUT,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


def _committed(root: Path) -> dict[Path, dt.date]:
    """The date of the last commit touching each file under root (newest first: the first seen wins)."""
    log = _git(root, "log", "--format=%x01%cs", "--name-only", "--relative", "-z", "--", ".")
    found: dict[Path, dt.date] = {}
    for commit in (log or "").split("\x01")[1:]:
        day, _, names = commit.partition("\0")  # -z: « \x01DATE\0\nname\0name\0 »
        try:
            date = dt.date.fromisoformat(day.strip())
        except ValueError:
            continue
        for name in names.split("\0"):
            name = name.strip("\n")
            if name:
                found.setdefault(root / name, date)
    return found


def _edited(root: Path) -> set[Path]:
    """Files changed since the last commit, or never committed: their own date tells."""
    listed = _git(root, "ls-files", "--modified", "--others", "--exclude-standard", "-z", "--", ".")
    return {root / name for name in (listed or "").split("\0") if name}
