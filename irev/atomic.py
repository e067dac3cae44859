"""Folders that readers see whole, and that one build at a time writes.

A build writes the site into a fresh folder beside its target (`staging`) and swaps it in
once complete (`publish`); a build killed at any moment leaves the previous site in place, and
the next one removes what it left (`staging` again). Locks (`Lock`) keep a second build off a
site folder or a cache folder in use. `pause` lets the tests stop a build at a named step.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator


def beside(path: Path) -> Path:
    """A hidden file beside `path`, this process's own, to write before it replaces `path`."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_if_changed(path: Path, data: bytes) -> None:
    """Write a file unless it holds these bytes already: its time then tells the site engine
    (`--dirty`) and a copy of the cache what changed. Written beside, then put in its place: a
    site linking the former file (irev/site.py, write_files) keeps it as it was."""
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = beside(path)
        temporary.write_bytes(data)
        temporary.replace(path)


def put(source: Path, target: Path, link: bool) -> None:
    """A file into a site, replacing what is there in one step: linked (the same file system; a file
    so linked is replaced, never written in place: the site keeps its bytes) or copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = beside(target)
    temporary.unlink(missing_ok=True)
    if link:
        try:
            os.link(source, temporary)
        except OSError:  # another file system
            link = False
    if not link:
        shutil.copyfile(source, temporary)
    temporary.replace(target)


def stamp(path: Path) -> tuple[int, int, int] | None:
    """A file's size, date and inode (None: no such file). Writing it again, here or in another
    process (a build sharing the cache), or removing it changes them."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


class Written:
    """What this process last wrote, by file: a token of what it holds and the file's stamp just after,
    as git's index keeps each file's stat data. A file whose stamp is still that one holds what was
    written: a preview's rebuild neither reads it back nor writes it again (at 10,000 records, 14,000
    calendar files and 300 MB of open data). One changed by anyone else is compared again."""

    def __init__(self):
        self.notes: dict[Path, tuple] = {}
        self.listed: set[Path] | None = None  # the files kept when the folder was last cleared

    def holds(self, path: Path, token: object) -> bool:
        note = self.notes.get(path)
        return note is not None and note[0] == token and note[1] == stamp(path)

    def write(self, path: Path, data: bytes, token: object) -> None:
        """`data` into `path` (`token`: what identifies the bytes, e.g. their hash), unless it holds them."""
        if not self.holds(path, token):
            write_if_changed(path, data)
            self.note(path, token)

    def note(self, path: Path, token: object) -> None:
        """`path` holds what `token` identifies, now."""
        self.notes[path] = (token, stamp(path))

    def keep_only(self, folder: Path, pattern: str, kept: set[Path]) -> None:
        """As `keep_only`, without listing the folder again to keep the same files."""
        if kept != self.listed:
            keep_only(folder, pattern, kept)
            self.notes = {path: note for path, note in self.notes.items() if path in kept}
            self.listed = kept


def keep_only(folder: Path, pattern: str, kept: set[Path]) -> None:
    """Remove the files of a folder matching `pattern` that are not in `kept` (an output's files
    of entries gone: a theme without records left, an event no longer dated)."""
    for stale in (p for p in folder.rglob(pattern) if p not in kept):
        stale.unlink()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_WORK_SUFFIX = ".irev-build"  # beside a site: `.site.irev-build/` holds the lock and the build under way
LOCK = "lock"


def swap_in(new: Path, target: Path, aside: Path) -> Path | None:
    """Put the folder `new` at `target`; return where the previous `target` now is (for the caller
    to remove), or None if there was none.

    Linux swaps the two in one step (renameat2 with RENAME_EXCHANGE): `target` is never missing or
    mixed. Elsewhere, two renames: a process killed between them leaves the previous folder at
    `aside`, which `staging` puts back.
    """
    if not os.path.lexists(target):
        new.rename(target)  # atomic too: nothing to replace
        return None
    if _exchange(new, target):
        return new
    target.rename(aside)
    new.rename(target)
    return aside


@lru_cache(maxsize=1)
def _renameat2():
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)  # glibc 2.28+
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system or the file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def work_folder(target: Path) -> Path:
    """Where builds into `target` work: beside it (a rename needs the same file system), hidden,
    and never inside it (MkDocs' clean keeps hidden files, and the site would publish them)."""
    return target.parent / f".{target.name}{_WORK_SUFFIX}"


def staging(target: Path) -> Path:
    """An empty folder to build `target` in. Call it holding the site's lock: it puts back a
    site left aside by a killed build, and removes whatever killed builds left."""
    work = work_folder(target)
    aside = work / "previous"
    if aside.is_dir() and not os.path.lexists(target):
        aside.rename(target)
    for leftover in work.iterdir():
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        elif leftover.name != LOCK:
            leftover.unlink()
    folder = work / "site"
    folder.mkdir()
    return folder


def publish(folder: Path, target: Path) -> None:
    """Swap a complete build in at `target`, then remove the previous site."""
    previous = swap_in(folder, target, work_folder(target) / "previous")
    if previous is not None:
        shutil.rmtree(previous)


class Lock:
    """An exclusive lock on a file (flock: the system releases it when its process dies).

    A second holder waits, after saying who it waits for through `waiting`.
    """

    def __init__(self, path: Path, what: str, waiting: Callable[[str], None]):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "?"
            waiting(f"{what} est en cours d'utilisation par une autre construction (processus {holder}) : "
                    "attente de sa fin…")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        self.handle.truncate(0)
        self.handle.write(str(os.getpid()))
        self.handle.flush()

    def release(self) -> None:
        self.handle.close()


def in_parts(writing: Iterator) -> object:
    """Run to its end a writing made of parts (a generator yielding between two: a preview stops it
    there, see Session.write_later): what it returns."""
    while True:
        try:
            next(writing)
        except StopIteration as end:
            return end.value


_paused: set[str] = set()


def pause(step: str) -> None:
    """For tests only: with IREV_PAUSE=step:file, the first time a build reaches `step` it creates
    `file` and waits as long as that file exists, so a test can kill it at a known moment, or let
    it go on by removing the file. Steps: render, pages, pagefind, index-part, index-cache, publish,
    later (a preview's files, written after its pages), later-part (each part of them written)."""
    wanted, _, file = os.environ.get("IREV_PAUSE", "").partition(":")
    if wanted != step or step in _paused:
        return
    _paused.add(step)
    signal = Path(file)
    signal.write_text(str(os.getpid()), encoding="utf-8")
    while signal.exists():
        time.sleep(0.02)
