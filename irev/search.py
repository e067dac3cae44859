"""Search indexing: Pagefind over the built site (the `pagefind_bin` package ships the binary).

Pagefind reads `lang="fr"` and stems French; only the record pages are indexed, with the
facets they carry. Pagefind holds everything it indexes in memory (about 0.35 MB per record
page), so a large site is indexed in parts of at most PART_PAGES pages, one after the
other: the first part is the main index (pagefind/), the others go under pagefind/parts/
and the browser merges them (Pagefind's mergeIndex, listed in pagefind/parts.json). Parts
hold consecutive records, newest first, so a list sorted by date reads the parts in order.

The index is made in a folder beside the site, never inside it, and swapped in when complete.
The index kept for the next build (`index_site_cached`) is stored whole or not at all, with
the hash of each of its files, and reused only when every file still matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

from . import atomic
from .catalogue import Catalogue
from .pages import record_uri
from .rendering import page_url

# At most about 1.3 GB for Pagefind, and a first search still under 300 KB at 10,000 records
# (benchmarks/README.md); $IREV_INDEX_PART sets another size.
PART_PAGES = 3500
BUNDLE = "pagefind"
PART_FILES = ("pagefind-entry.json", "index", "fragment", "filter")  # all the main index needs of a part
MANIFEST = "manifest.json"  # of a kept index: its key and the SHA-256 of each file


def part_pages() -> int:
    return int(os.environ.get("IREV_INDEX_PART") or PART_PAGES)


def record_pages(catalogue: Catalogue) -> list[str]:
    """The built record pages (`reunions/x/index.html`), newest first."""
    return [page_url(record_uri(entry)) + "index.html" for entry in catalogue.ordered]


class Cancelled(Exception):
    """A newer build asked for this index to be dropped (`mkdocs serve`)."""


def index_site(site_dir: Path, pages: list[str], cancel: threading.Event | None = None) -> None:
    """Write the search index of these pages into site_dir/pagefind/; raise if Pagefind fails.

    The index is made beside the site and swapped in at the end: a visitor of `mkdocs serve`
    never meets half an index, and a killed build leaves nothing in the site. Setting `cancel`
    stops Pagefind and leaves the index as it was (raising Cancelled): while serving, the next
    edit's build should not share the processor with the index of a page that is already out of date.
    """
    if not pages:  # nothing published yet: Pagefind refuses to make an empty index
        shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
        return
    count = -(-len(pages) // part_pages())
    size = -(-len(pages) // count)  # parts of even size: the largest decides the memory
    parts = [pages[start:start + size] for start in range(0, len(pages), size)]
    work = _work_beside(site_dir)
    fresh = work / BUNDLE
    try:
        for number, part in enumerate(parts):
            output = fresh if number == 0 else fresh / "parts" / str(number)
            _index_part(site_dir, part, output, cancel)
            if number:
                _keep_only(output, PART_FILES)
            atomic.pause("index-part")
        names = [f"parts/{number}/" for number in range(1, len(parts))]
        (fresh / "parts.json").write_text(json.dumps(names), encoding="utf-8")
        atomic.swap_in(fresh, site_dir / BUNDLE, work / "previous")
    finally:
        _remove(work, cancel)  # the previous index too


def _remove(folder: Path, cancel: threading.Event | None) -> None:
    """Remove a work folder; once cancelled, beside the caller: the next build waits for the index
    to stop, not for its thousands of links to go (a third of a second at 10,000 records). The
    thread is not a daemon, even started from one (the preview's background): the process ends
    once the folder is gone."""
    if cancel is not None and cancel.is_set():
        threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, daemon=False).start()
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _work_beside(site_dir: Path) -> Path:
    """A folder of this call's own beside the site (a rename needs the same file system). Its name
    is new each time: a Pagefind left running by a killed build can only write into its own."""
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-{BUNDLE}-", dir=site_dir.parent))


def _index_part(site_dir: Path, pages: list[str], output: Path, cancel: threading.Event | None) -> None:
    """Run Pagefind over some pages: hard links to them in a folder of their own, same paths."""
    selection, cancelled = output.parent / f"{output.name}-pages", False
    try:
        for number, page in enumerate(pages):
            if cancel is not None and number % 50 == 0 and cancel.is_set():
                raise Cancelled  # a newer build waits for this one to stop (3,334 links at 10,000 records)
            target = selection / page
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site_dir / page, target)
            except OSError:
                shutil.copyfile(site_dir / page, target)  # a file system without hard links
        _run([sys.executable, "-m", "pagefind", "--site", str(selection), "--output-path", str(output), "--quiet",
              "--exclude-selectors", ".headerlink"], cancel)
    except Cancelled:
        cancelled = True
        raise
    finally:
        if not cancelled:  # (cancelled: removed with the whole work folder; a stop asked once Pagefind has
            shutil.rmtree(selection, ignore_errors=True)  # ended leaves no links to publish)


def _run(command: list[str], cancel: threading.Event | None) -> None:
    """Run Pagefind unless cancelled, and stop it when cancelled (the module execs the binary:
    stopping the process stops the indexing)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    atomic.pause("pagefind")
    while True:
        try:
            out, err = process.communicate(timeout=0.02)  # a retry after a timeout loses no output
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                process.kill()
                process.communicate()
                raise Cancelled from None
    if process.returncode != 0:
        raise RuntimeError(f"l'indexation Pagefind a échoué :\n{out}\n{err}")


def _keep_only(bundle: Path, names: tuple[str, ...]) -> None:
    """A part needs its data only: the main index brings the script and the WebAssembly."""
    for path in bundle.iterdir():
        if path.name not in names and not path.name.endswith(".pf_meta"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def index_key(pages: list[str], record_keys: list[str], *inputs: Path) -> str:
    """What the index depends on: which pages, their HTML (by rendering key), the files that wrap
    it, the part size and Pagefind's version."""
    digest = hashlib.sha256(f"{version('pagefind_bin')}\0{part_pages()}".encode() + Path(__file__).read_bytes())
    for path in inputs:
        digest.update(path.read_bytes())
    for text in pages + record_keys:
        digest.update(text.encode())
    return digest.hexdigest()


def index_site_cached(site_dir: Path, pages: list[str], key: str, cache_dir: Path) -> bool:
    """Index the site, or copy back the index made for exactly the same records; True if reused.

    Call it holding the cache's lock (one index is kept: the latest). A kept index that is
    incomplete, altered or another's is never reused: the site is indexed again.
    """
    if _reuse(cache_dir / key, key, site_dir):
        return True
    index_site(site_dir, pages)
    _keep(site_dir / BUNDLE, key, cache_dir)
    return False


def _reuse(kept: Path, key: str, site_dir: Path) -> bool:
    """Copy a kept index into the site if every file its manifest lists is there, unaltered."""
    if not kept.is_dir():
        return False
    work = _work_beside(site_dir)
    try:
        manifest = json.loads((kept / MANIFEST).read_bytes())
        files = manifest["files"]
        if manifest["key"] != key or not all(map(_relative, files)):
            return False
        if _copy(kept / BUNDLE, work / BUNDLE, files) != files:
            return False
        atomic.swap_in(work / BUNDLE, site_dir / BUNDLE, work / "previous")
        return True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False  # damaged manifest, or a file missing
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _keep(bundle: Path, key: str, cache_dir: Path) -> None:
    """Keep a copy of the site's index for the next build: made beside, with its manifest, then
    renamed, so that a build killed while copying leaves no index that looks whole."""
    shutil.rmtree(cache_dir, ignore_errors=True)  # the previous index, and any copy left half-made
    if not bundle.is_dir():
        return
    partial = cache_dir / f"{key}.partial"
    names = sorted(path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file())
    files = _copy(bundle, partial / BUNDLE, names)
    (partial / MANIFEST).write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")
    partial.rename(cache_dir / key)


def _relative(name: str) -> bool:
    """Whether a name from a manifest stays inside its folder (a manifest is not trusted either)."""
    return not name.startswith("/") and ".." not in name.split("/")


def _copy(source: Path, target: Path, names) -> dict[str, str]:
    """Copy these files (paths relative to source) into target; the SHA-256 of each, as copied."""
    for folder in {posixpath.dirname(name) for name in names}:
        (target / folder).mkdir(parents=True, exist_ok=True)
    digests = {}
    for name in names:
        data = (source / name).read_bytes()
        (target / name).write_bytes(data)
        digests[name] = hashlib.sha256(data).hexdigest()
        atomic.pause("index-cache")
    return digests
