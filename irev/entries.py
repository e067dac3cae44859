"""Cache entries named by a content key, made again when swapped, damaged or edited.

`Entries` (the job memos): a first line with the entry's key and the SHA-256 of the key and the
rest; then the rest, verified on every read (hashing is about 2 GB/s).
`Stamped` (the HTML, the PDFs and pages a site links rather than copies): the bare bytes, and a
ledger of their hashes, read again only when an entry's file has changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import BinaryIO, Callable

from .atomic import stamp


class _Keyed:
    """Entries as files named by their key (`suffix`: ".pickle", ".page"…), a folder per two first characters."""

    def __init__(self, folder: Path, suffix: str):
        self.folder, self.suffix = folder, suffix

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def prune(self, used: set[str]) -> None:
        """Remove the entries of other keys (and anything else there): the cache stays the size of one site."""
        if self.folder.is_dir():
            for path in self.folder.glob("*/*"):
                if path.suffix != self.suffix or path.stem not in used:
                    path.unlink(missing_ok=True)


class Entries(_Keyed):
    def view(self, key: str) -> memoryview | None:
        """What the entry of this key holds, if it is there, unaltered, as a view of the file's bytes
        (a build's pages, kept, take hundreds of megabytes: not copied again)."""
        try:
            data = memoryview(self.path(key).read_bytes())
        except OSError:
            return None
        end = data.obj.find(b"\n")
        body = data[end + 1:]
        return body if end >= 0 and data[:end] == _head(key, body) else None

    def write_with(self, key: str, dump: Callable[[BinaryIO], object]) -> None:
        """An entry whose body `dump` writes into a file (hashed as it goes: never held whole)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _temporary(path)
        with temporary.open("wb") as file:
            file.write(b"\0" * len(_head(key, b"")) + b"\n")  # the head, once the body's hash is known
            hashed = _Hashed(file, key)
            dump(hashed)
            file.seek(0)
            file.write(f"{key} {hashed.digest.hexdigest()}".encode())
        temporary.replace(path)  # atomic: a reader never sees half an entry


def _head(key: str, body) -> bytes:
    digest = hashlib.sha256(key.encode())
    digest.update(body)
    return f"{key} {digest.hexdigest()}".encode()


class _Hashed:
    """A file written through, its bytes hashed on the way."""

    def __init__(self, file: BinaryIO, key: str):
        self.file, self.digest = file, hashlib.sha256(key.encode())

    def write(self, data) -> int:
        self.digest.update(data)
        return self.file.write(data)


class Stamped(_Keyed):
    """Entries kept as bare files, checked without being read: a warm build reads none, and a site
    can link them instead of copying them (at 10,000 records, 1.2 GB of PDFs, 550 MB of pages and
    290 MB of HTML, which a machine short of memory reads back from its disk at every build).

    With no head to check, `ledger.json` keeps each entry's hash and its file's size, date and
    inode when last checked: a file still so is trusted unread (as git's index trusts stat data),
    one changed since (a copied cache, a file edited in place) is hashed again, and an entry the
    ledger does not know is made again. `opened` reads the ledger; check and write entries, then
    `save` it.
    """

    LEDGER = "ledger.json"

    def __init__(self, folder: Path, suffix: str, notes: dict[str, list] | None = None):
        super().__init__(folder, suffix)
        self.notes, self.changed = notes or {}, False

    @classmethod
    def opened(cls, folder: Path, suffix: str) -> Stamped:
        try:
            notes = json.loads((folder / cls.LEDGER).read_bytes())
        except (OSError, ValueError, RecursionError):  # damaged: no entry vouched for
            notes = None
        return cls(folder, suffix, notes if isinstance(notes, dict) else None)

    def intact(self, key: str) -> bool:
        note = self.notes.get(key)
        try:
            found = stamp(self.path(key)) if isinstance(note, list) and len(note) == 4 else None
        except OSError:  # a damaged folder (a file where its folder should be…)
            return False
        if found is None:
            return False
        if list(found) == note[:3]:
            return True
        try:
            digest = hashlib.sha256(self.path(key).read_bytes()).hexdigest()
        except OSError:
            return False
        if digest != note[3]:
            return False
        self.adopt(key, [*found, digest])
        return True

    def write(self, key: str, body: bytes) -> list:
        """Put an entry in the cache; its note for the ledger (`adopt` it where it was written
        by another process)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _temporary(path)
        temporary.write_bytes(body)
        temporary.replace(path)  # atomic, and a new file: a site linking the former one keeps it
        note = [*stamp(path), hashlib.sha256(body).hexdigest()]
        self.adopt(key, note)
        return note

    def adopt(self, key: str, note: list) -> None:
        self.notes[key] = note
        self.changed = True

    def prune(self, used: set[str]) -> None:
        super().prune(used)
        kept = {key: note for key, note in self.notes.items() if key in used}
        self.changed |= kept != self.notes
        self.notes = kept

    def save(self) -> None:
        if self.changed:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = _temporary(self.folder / self.LEDGER)
            temporary.write_text(json.dumps(self.notes), encoding="utf-8")
            temporary.replace(self.folder / self.LEDGER)
            self.changed = False


def _temporary(path: Path) -> Path:
    """Where this process and thread write an entry before it replaces `path`."""
    return path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
