"""Rendering: generated Markdown pages -> HTML, cached by content hash, in parallel when cold.

MkDocs would convert every page itself, creating a Markdown converter per page and
redoing all of it on every build. Here each page is converted once per distinct content:
the HTML and its table of contents are kept in a cache folder, keyed by a hash of the
page's location and Markdown, the Markdown extensions and their settings, and the source
of this package. Any change of content, templates, configuration or code therefore
changes the key, and a stale entry can never be served. Each entry carries its key and a hash
of its content, checked whenever it is read: a damaged, edited or misplaced entry is rendered
again, never published.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import secrets
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown

from . import sanitize, settings
from .runtime import small_workers
from .entries import Stamped
from .atomic import pause

PARALLEL_FROM = 2_000_000  # bytes of Markdown below which a process pool costs more than it saves
# The generated lists (irev/templates/_macros.md.j2, the agenda's) are HTML already: set aside while
# the Markdown is converted, as Python-Markdown does with its own raw HTML, since parsing them
# again with its HTML parser cost a third of an entity page's conversion.
_READY = re.compile(r'^<(ul|div) class="irev-(?:liste|agenda)"[^>\n]*>\n.*?^</\1>$', re.MULTILINE | re.DOTALL)
# A record's search fields (irev/templates/_macros.md.j2, `search_fields`): the only place facets
# come from, so the sanitiser removes them from everything else (an editor's copy would forge them).
_SEARCH_HEAD = re.compile(r"<div data-pagefind-ignore hidden>\n.*?\n</div>\n", re.DOTALL)
# Relative links only: not an address with a scheme (any case), nor one a browser would read
# after trimming its spaces (the sanitiser judges those as they are).
_HREF = re.compile(r'(href|src)="(?![\s\x00-\x1f]|[a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"#?]+)([?#][^"]*)?"')


class ConversionError(Exception):
    """A page the Markdown converter could not follow to its end (its source: the argument)."""

    def __str__(self) -> str:
        return (f"la page {self.args[0]} n'a pas pu être convertie : sa mise en forme (listes, blocs HTML, "
                "emphases) est trop imbriquée ; simplifiez le texte de la ressource")


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list  # python-markdown's toc_tokens: [{"level", "id", "name", "children"}…]
    key: str  # the cache key: equal keys, equal HTML


def fingerprint(extensions: list, configs: dict) -> str:
    """What, besides a page's own Markdown, decides its HTML."""
    digest = hashlib.sha256()
    versions = [markdown.__version__, sanitize.VERSION]  # a sanitiser's fix must clean cached pages again
    digest.update(json.dumps([extensions, configs, versions, settings.code_version()], sort_keys=True,
                             default=str).encode())
    return digest.hexdigest()


class Workers:
    """A preview's worker processes, kept from one rebuild to the next: each new one imports the
    engine's main module (MkDocs'), and starting two took 0.4 s at 10,000 records, as long as
    converting the 70 pages a title edit changes (the processes are stopped by `close`). They
    convert pages, and make the PDFs an edit changes (irev/site.py): `ready` runs first in each."""

    def __init__(self, ready: Callable[[], None] | None = None):
        self.pool: ProcessPoolExecutor | None = None
        self.ready = ready

    def executor(self, count: int) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(count, mp_context=small_workers(__name__), initializer=self.ready)
        return self.pool

    def start(self, count: int, extensions: list, configs: dict) -> None:
        """Start them now, in the background, each with its converter's extensions imported (another
        0.3 s): the first edit finds them ready."""
        if self.pool is None:
            for _ in range(count):
                self.executor(count).submit(convert_batch, [], extensions, configs)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def render_pages(pages: list[tuple[str, bytes]], extensions: list, configs: dict, cache_dir: Path,
                 workers: int = 2, memo: dict[str, Rendered] | None = None,
                 keyed: dict[str, tuple] | None = None, processes: Workers | None = None) -> dict[str, str]:
    """The cache key of each (src_uri, Markdown in UTF-8) page's HTML, converting the pages not
    in the cache.

    The HTML stays on disk until a page is written (`read`): held in memory, the HTML of
    10,000 records would take about a gigabyte. Entries not used by this build are removed
    afterwards, so the cache stays the size of one site. A memo (by key) keeps this build's
    pages in memory for the next one, which then reads no file for them (`mkdocs serve`), `keyed`
    the key of each page's text, not hashed again while it is the very same text, and `processes` its
    worker processes.
    """
    salt = fingerprint(extensions, configs)
    known = {} if keyed is None else keyed
    keys = {}
    for uri, text in pages:
        before = known.get(uri)
        keys[uri] = before[2] if before and before[0] == salt and before[1] is text else \
            hashlib.sha256(f"{salt}\0{uri}\0".encode() + text).hexdigest()
    if keyed is not None:
        keyed.clear()
        keyed.update((uri, (salt, text, keys[uri])) for uri, text in pages)
    kept: dict[str, Rendered] = {}  # while serving only
    # A preview's rebuild, its pages in memory, converts the few it lacks without the ledger (2 MB at
    # 10,000 records: read and written again, it would take longer than they do): a build converts them again.
    ledger = not memo
    missing, store = [], Stamped.opened(cache_dir, ".page") if ledger else Stamped(cache_dir, ".page")
    try:
        for uri, text in pages:
            key = keys[uri]
            if memo is None:  # a build: checked by its file's stamp, read only if its page is written
                if not store.intact(key):
                    missing.append((uri, text))
                continue
            rendered = memo.get(key) or (_read(cache_dir, key) if store.intact(key) else None)
            if rendered is None:
                missing.append((uri, text))
            else:
                kept[key] = rendered
        for uri, html, toc in _convert(missing, extensions, configs, workers, processes):
            rendered = Rendered(html, toc, keys[uri])
            store.write(rendered.key, json.dumps(rendered.toc).encode() + b"\n" + rendered.html.encode())
            pause("render")
            if memo is not None:
                kept[rendered.key] = rendered
        # A build, or a preview's first, prunes; a preview's next builds leave what they replace (listing the
        # cache costs more than an edit): its next run, or a build, prunes.
        if ledger:
            store.prune(set(keys.values()))
    finally:
        if ledger:
            store.save()
    if memo is not None:
        memo.clear()
        memo.update(kept)
    if processes is not None and workers > 1 and sum(len(text) for _, text in pages) >= PARALLEL_FROM:
        processes.start(workers, extensions, configs)  # a site large enough for an edit to need them
    return keys


def read(cache_dir: Path, key: str, memo: dict[str, Rendered] | None = None) -> Rendered:
    """A page's HTML, by the key render_pages gave it."""
    rendered = (memo or {}).get(key) or _read(cache_dir, key)
    if rendered is None:  # checked or written by render_pages, under the build's lock: only a hand comes here
        raise RuntimeError(f"entrée du cache HTML disparue ({_path(cache_dir, key)}) : relancez la construction")
    return rendered


def _convert(pages: list[tuple[str, bytes]], extensions: list, configs: dict, workers: int,
             processes: Workers | None = None):
    """(uri, html, toc) of each page, batch by batch: the caller writes each batch away before
    the next comes (the HTML of 10,000 records held at once would take a gigabyte)."""
    if sum(len(text) for _, text in pages) < PARALLEL_FROM or workers < 2:
        yield from convert_batch(pages, extensions, configs)
        return
    size = -(-len(pages) // (workers * 16))  # many batches: long pages even out, little HTML waits
    pages = sorted(pages, key=lambda page: len(page[1]), reverse=True)  # the longest first: none left to wait for
    batches = [pages[i:i + size] for i in range(0, len(pages), size)]
    with _pool(workers, processes) as pool:
        for batch in pool.map(convert_batch, batches, [extensions] * len(batches), [configs] * len(batches)):
            yield from batch


@contextmanager
def _pool(workers: int, processes: Workers | None):
    """The preview's worker processes, or processes for this build's conversion only."""
    if processes is not None:
        try:
            yield processes.executor(workers)
        except BrokenProcessPool:  # one died (killed…): this build fails, the next one starts others
            processes.close()
            raise
        return
    with ProcessPoolExecutor(workers, mp_context=small_workers(__name__)) as pool:
        yield pool


def convert_batch(pages: list[tuple[str, bytes]], extensions: list, configs: dict) -> list[tuple[str, str, list]]:
    """Convert pages with one Markdown converter (building one per page costs as much as converting)."""
    converter = markdown.Markdown(extensions=extensions, extension_configs=configs)
    # Where a list set aside goes back: a word no editor can write in a page (one naming a list would
    # copy it there, or, naming none, stop the build), drawn afresh for each batch.
    slot = f"IREVLISTE{secrets.token_hex(16)}N"
    out = []
    for uri, data in pages:
        converter.reset()
        ready: list[str] = []
        text = data.decode()
        head = _SEARCH_HEAD.match(text)  # only at the very start: nothing an editor writes can be there
        text = _READY.sub(lambda match: ready.append(match.group()) or f"\n\n{slot}{len(ready) - 1}Z\n\n",
                          text[head.end():] if head else text)  # (a paragraph of its own, even right after a line)
        try:
            html = converter.convert(text)
        except RecursionError:  # loading refuses the nestings known to do this (sanitize.structure)
            raise ConversionError(uri) from None
        if ready:
            html = re.sub(rf"<p>{slot}(\d+)Z</p>", lambda match: ready[int(match.group(1))], html)
        # Cleaned last: links rewritten between pages are cleaned too (`page/javascript:…` would
        # become `javascript:…`).
        html = sanitize.clean(site_urls(html, uri))
        out.append((uri, sanitize.search_head(head.group()) + html if head else html,
                    _safe_toc(getattr(converter, "toc_tokens", []))))
    return out


_SAFE_ID = re.compile(r"^(?!__)[\w.:-]+$")


def _safe_toc(tokens: list) -> list:
    """The table of contents as the theme prints it (unescaped): names as escaped text, and only
    headings whose anchor is a plain id (an attribute list can give a heading any id)."""
    return [{"level": token["level"], "id": token["id"],
             "name": sanitize.plain(token["name"]) if "<" in token["name"] else token["name"],
             "children": _safe_toc(token["children"])} for token in tokens if _SAFE_ID.match(token["id"])]


@lru_cache(maxsize=1 << 16)  # asked for every page at each of a preview's rebuilds
def page_url(src_uri: str) -> str:
    """The directory URL a source is served at: `reunions/x.md` -> `reunions/x/`, `index.md` -> ``."""
    if src_uri == "index.md" or src_uri.endswith("/index.md"):
        return src_uri[: -len("index.md")]
    return src_uri[: -len(".md")] + "/"


def beside(src_uri: str, extension: str) -> str:
    """A file served beside a page, named after it: (`fiches/x.md`, ".pdf") -> `fiches/x/x.pdf`."""
    place = page_url(src_uri)
    return f"{place}{place.rstrip('/').rpartition('/')[2]}{extension}"


def site_urls(html: str, src_uri: str) -> str:
    """Links between sources (`../personnes/x.md`, `../pieces-jointes/y.pdf`) as links between served
    pages and files (`../../personnes/x/`, `../../pieces-jointes/y.pdf`)."""
    folder, _, name = src_uri.rpartition("/")

    def replace(match: re.Match) -> str:
        return f'{match.group(1)}="{_page_link(folder, name == "index.md", match.group(2))}{match.group(3) or ""}"'

    return _HREF.sub(replace, html)


@lru_cache(maxsize=65536)
def _page_link(folder: str, index: bool, link: str) -> str:
    """A link from the pages of a folder (its index, or any other) as a link between served pages:
    the same for every page of the folder, and pages link to the same records over and over."""
    src_uri = posixpath.join(folder, "index.md" if index else "page.md")
    target = posixpath.normpath(posixpath.join(folder, link))
    here = page_url(src_uri).rstrip("/") or "."
    if not target.endswith(".md"):
        return posixpath.relpath(target, here)  # a file (an attachment) is served where it lies
    relative = posixpath.relpath(page_url(target).rstrip("/") or ".", here)
    return "" if relative == "." else relative + "/"


def _path(cache_dir: Path, key: str) -> Path:
    """An entry holds a page's table of contents as one line of JSON, then its HTML as it is."""
    return Stamped(cache_dir, ".page").path(key)


def _read(cache_dir: Path, key: str) -> Rendered | None:
    """An entry render_pages checked or wrote (None: gone)."""
    try:
        toc, _, html = _path(cache_dir, key).read_bytes().partition(b"\n")
    except OSError:
        return None
    return Rendered(html.decode(), json.loads(toc), key)
