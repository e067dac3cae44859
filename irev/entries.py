"""Cache entries named by a content key and verified on every read (the HTML pages, the PDFs).

An entry: a first line with its key and the SHA-256 of the key and the rest; then the rest.
A swapped entry shows another key, a damaged or edited one another hash (hashing is about
2 GB/s here: a small share of a warm build), and is made again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable


@dataclass(frozen=True)
class Entries:
    folder: Path
    suffix: str  # ".page", ".pdf"

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def read(self, key: str) -> bytes | None:
        """What the entry of this key holds, if it is there, unaltered."""
        body = self.view(key)
        return None if body is None else bytes(body)

    def view(self, key: str) -> memoryview | None:
        """The same, as a view of the file's bytes (a build's pages, kept, take hundreds of megabytes:
        not copied again)."""
        try:
            data = memoryview(self.path(key).read_bytes())
        except OSError:
            return None
        end = data.obj.find(b"\n")
        body = data[end + 1:]
        return body if end >= 0 and data[:end] == _head(key, body) else None

    def intact(self, key: str) -> bool:
        return self.view(key) is not None

    def size(self, key: str) -> int:
        """The size in bytes of what an entry holds (without reading it)."""
        return self.path(key).stat().st_size - len(_head(key, b"")) - 1

    def write(self, key: str, body: bytes) -> None:
        self.write_with(key, lambda file: file.write(body))

    def write_with(self, key: str, dump: Callable[[BinaryIO], object]) -> None:
        """An entry whose body `dump` writes into a file (hashed as it goes: never held whole)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with temporary.open("wb") as file:
            file.write(b"\0" * len(_head(key, b"")) + b"\n")  # the head, once the body's hash is known
            hashed = _Hashed(file, key)
            dump(hashed)
            file.seek(0)
            file.write(f"{key} {hashed.digest.hexdigest()}".encode())
        temporary.replace(path)  # atomic: a reader never sees half an entry

    def prune(self, used: set[str]) -> None:
        """Remove the entries of other keys (and anything else there): the cache stays the size of one site."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*"):
            if path.suffix != self.suffix or path.stem not in used:
                path.unlink(missing_ok=True)


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
