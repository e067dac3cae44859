"""Where things are: the content tree and the cache, both settable from the environment."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The content tree every command works on: $CONTENT_DIR, or content/ of the project."""
    return Path(os.environ.get("CONTENT_DIR") or PROJECT / "content")


def cache_dir() -> Path:
    """$IREV_CACHE_DIR, or one folder per content tree under .cache/ (ignored by git)."""
    if os.environ.get("IREV_CACHE_DIR"):
        return Path(os.environ["IREV_CACHE_DIR"])
    return PROJECT / ".cache" / hashlib.sha256(str(content_dir().resolve()).encode()).hexdigest()[:12]


def parse_cache_file() -> Path:
    return cache_dir() / "yaml.marshal"
