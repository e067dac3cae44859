"""Where things are: the content tree, the cache and the public site, settable from the environment."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parent.parent
PARIS = ZoneInfo("Europe/Paris")  # the time zone of the centre's events and of the site's dates


@lru_cache(maxsize=1)
def code_version() -> str:
    """The core's code and templates, hashed: what the cache keeps from a build is for this version only."""
    digest = hashlib.sha256()
    for path in sorted(p for p in (PROJECT / "irev").rglob("*") if p.suffix in (".py", ".j2")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CONTENT_FOLDER = "content"  # the content tree's folder in the repository: what the forge's edit links name


def content_dir() -> Path:
    """The content tree every command works on: $CONTENT_DIR, or content/ of the project."""
    return Path(os.environ.get("CONTENT_DIR") or PROJECT / CONTENT_FOLDER)


def cache_dir() -> Path:
    """$IREV_CACHE_DIR, or one folder per content tree under .cache/ (ignored by git)."""
    if os.environ.get("IREV_CACHE_DIR"):
        return Path(os.environ["IREV_CACHE_DIR"])
    return PROJECT / ".cache" / hashlib.sha256(str(content_dir().resolve()).encode()).hexdigest()[:12]


PARSE_CACHE = "yaml.marshal"  # in a cache folder: parsed YAML by text hash (parsing.ParseCache)


def parse_cache_file() -> Path:
    return cache_dir() / PARSE_CACHE


def in_paris(day: dt.date, time: str | None = None) -> dt.datetime:
    """A day's start, or a time of it (« 09:30 »), in Paris with that day's offset (summer or winter time)."""
    return dt.datetime.combine(day, dt.time.fromisoformat(time) if time else dt.time(), PARIS)


def build_day() -> dt.date:
    """The day a build speaks for (the agenda's split between events to come and past ones, as the
    page says it): $SOURCE_DATE_EPOCH, the reproducible-builds convention, else today, both in Paris."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(PARIS).date()


DEFAULT_SITE_URL = "https://ressources.irev.fr/"  # the resource sub-site of www.irev.fr (mkdocs.yml's default)


def site_url(configured: str | None = None) -> str:
    """The public site's address, ending with "/": the renderer's own setting when it has one (MkDocs'
    `site_url`, which mkdocs.yml reads from $IREV_SITE_URL; `mkdocs serve` makes it the preview's
    address), else $IREV_SITE_URL, else DEFAULT_SITE_URL. An empty value counts as unset.

    Raises ValueError (a French message) for anything but a plain http(s) address.
    """
    value = (configured or os.environ.get("IREV_SITE_URL") or DEFAULT_SITE_URL).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password or any(c.isspace() for c in value):
        raise ValueError(f"adresse du site « {value[:80]} » invalide : une adresse http(s) complète est attendue, "
                         f"par ex. « {DEFAULT_SITE_URL} » (site_url de mkdocs.yml ou IREV_SITE_URL)")
    return value if value.endswith("/") else value + "/"


def absolute_url(uri: str, base: str) -> str:
    """A path on the site (`fiches/x/`, `pieces-jointes/2022/cr.pdf`) as an absolute address under
    `base` (site_url()), keeping the base's own path (`https://apercu.example.org/pr-12/fiches/x/`)."""
    return base + uri.lstrip("/")
