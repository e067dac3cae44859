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


@dataclass(frozen=True)
class Entries:
    folder: Path
    suffix: str  # ".page", ".pdf"

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def read(self, key: str) -> bytes | None:
        """What the entry of this key holds, if it is there, unaltered."""
        try:
            head, _, body = self.path(key).read_bytes().partition(b"\n")
        except OSError:
            return None
        return body if head == _head(key, body) else None

    def intact(self, key: str) -> bool:
        return self.read(key) is not None

    def size(self, key: str) -> int:
        """The size in bytes of what an entry holds (without reading it)."""
        return self.path(key).stat().st_size - len(_head(key, b"")) - 1

    def write(self, key: str, body: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(_head(key, body) + b"\n" + body)
        temporary.replace(path)  # atomic: a reader never sees half an entry

    def prune(self, used: set[str]) -> None:
        """Remove the entries of other keys (and anything else there): the cache stays the size of one site."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*/*"):
            if path.suffix != self.suffix or path.stem not in used:
                path.unlink(missing_ok=True)


def _head(key: str, body: bytes) -> bytes:
    digest = hashlib.sha256(key.encode())
    digest.update(body)
    return f"{key} {digest.hexdigest()}".encode()
