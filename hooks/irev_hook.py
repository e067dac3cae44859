"""MkDocs adapter: a thin layer over the `irev` core, which knows nothing of MkDocs.

- on_startup: note whether this is `mkdocs serve`; if so, keep memos between rebuilds so
  that an edit remakes only what it changed (irev/preview.py).
- on_config: wait for any other build using the same site folder or cache; a build (not
  `mkdocs serve`) is redirected into a fresh folder beside the site (irev/atomic.py). Load and
  validate the content tree; any problem stops the build before anything is written, with
  every problem listed in French as `file:line: field: message`. While serving, problems are
  shown on every page instead, above the last correct version of the site. Then generate
  every page and convert it to HTML through the core's cache. Drafts (IREV_BROUILLONS=1) are
  for the preview only.
- on_files: add the generated pages (as small placeholder sources under .cache/, rewritten
  only when their page changed, so `--dirty` rebuilds only those) and the attachments of
  the shown records (irev/attachments.py: nothing else under pieces-jointes/ is published).
- on_page_markdown / on_page_content: hand MkDocs the cached HTML instead of converting.
- on_post_build: index the record pages with Pagefind (in parts, see irev/search.py), or
  reuse the index made for the same records (in the background while serving, so an edit
  shows at once; the next edit's build stops an index still under way). Then swap the
  complete build in for the site: a build killed earlier leaves the previous site whole.
- on_build_error: a failed build's folder is removed; the previous site stays.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import logging
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the core lives beside hooks/

from irev import atomic, attachments, catalogue, loading, pages, preview, rendering, search, settings  # noqa: E402

log = logging.getLogger("mkdocs.hooks.irev")
LATEST_MARKER = "<!-- dernieres-ressources -->"
PREVIEW_STATE = "irev-apercu.json"  # the content's problems, while serving
_build: dict = {"command": "build"}  # what earlier events of the same build computed



@contextmanager
def timed(step: str):
    """Time one step of the hook's own work (reported at the end, and to $IREV_TIMINGS)."""
    start = time.perf_counter()
    yield
    _build.setdefault("timings", {})[step] = round(time.perf_counter() - start, 3)


def on_startup(command, dirty):
    _build["command"] = command
    if command == "serve":  # what each rebuild keeps for the next: an edit remakes only what it changed
        _build["memos"] = {"files": {}, "catalogue": {}, "pages": preview.Memo(), "rendered": {}, "placeholders": {},
                           "theme": pages.CompiledTemplates()}


def on_config(config):
    if not config["use_directory_urls"]:
        raise PluginError("irev_hook suppose use_directory_urls: true")
    _stop_background_indexing()
    serving = _build["command"] == "serve"
    if os.environ.get("IREV_BROUILLONS") == "1" and not serving:
        raise PluginError("IREV_BROUILLONS=1 montre les brouillons : réservé à l'aperçu (make serve), "
                          "jamais au site public (make site).")
    _build["timings"] = {}
    _build["cache"] = settings.cache_dir()
    _hold_locks(Path(config["site_dir"]))
    if not serving:  # the preview serves its own folder, rebuilt in place (--dirty)
        _stage(config)
    root = settings.content_dir()
    memos = _build.get("memos", {})
    with timed("chargement"):
        content = loading.load(root, settings.parse_cache_file(), memos.get("files"))
    with timed("validation et catalogue"):
        cat, problems = catalogue.build(content, show_drafts=os.environ.get("IREV_BROUILLONS") == "1",
                                        memo=memos.get("catalogue"))
    problems = sorted(content.problems + problems)
    for problem in problems:  # warnings are shown without failing a --strict build
        (log.info if problem.warning else log.error)(("ATTENTION " if problem.warning else "") + str(problem))
    errors = [str(p) for p in problems if not p.warning]
    if errors and not serving:
        raise PluginError(f"Contenu invalide ({root}) : {len(errors)} erreur(s), listée(s) ci-dessus. Rien n'a été publié.")
    if serving:  # the preview shows the problems on every page (overrides/main.html) and goes on serving
        config["extra"]["irev_apercu"] = True
        _build["problems"] = {"problemes": errors, "derniere_version_correcte": bool(errors and "pages" in _build)}
        if errors and "pages" in _build:
            log.error("Contenu invalide : l'aperçu garde la dernière version correcte du site.")
            return config
    del content
    if not memos:  # no next build to compare with: what only validation read goes before generation forks
        cat.drop_sources()
        _free_memory()
    with timed("génération des pages"):
        # Two processes for a build; while serving, one (forking beside the server's threads is
        # unsafe), remaking only what the edit changed.
        generated = preview.generate(cat, memos["pages"]) if memos else pages.generate(cat, workers=2)
    _build["search_pages"] = search.record_pages(cat)
    _build["attachments"] = attachments.published(cat.records.values())
    # From here on, hand-written pages need the latest records only: the records, their data
    # and the catalogue are freed before the HTML is made (memory at 10,000 records).
    _build.update(root=root, catalogue=cat.latest_only(pages.LATEST_COUNT))
    del cat
    if not memos:
        _free_memory()
    with timed("rendu HTML (cache)"):
        try:
            keys = rendering.render_pages([(p.src_uri, p.text) for p in generated], config["markdown_extensions"],
                                          config["mdx_configs"], _build["cache"] / "html", memo=memos.get("rendered"))
        except rendering.ConversionError as error:
            raise PluginError(f"Contenu invalide : {error}. Rien n'a été publié.") from None
    _build["search_key"] = search.index_key(
        _build["search_pages"], [keys[p.src_uri] for p in generated if p.searchable],
        ROOT / "mkdocs.yml", ROOT / "overrides" / "main.html")
    # The Markdown is no longer needed: keep each page's place and title only (memory at 10,000 records).
    generated = [dataclasses.replace(p, text=b"") for p in generated]
    _build.update(pages=generated, keys=keys)
    return config


def _hold_locks(site: Path) -> None:
    """One build at a time per site folder and per cache: a second one waits for the first (it
    says so), then goes on; failing instead would make `make site` fail while `make serve` rebuilds.
    The site first, then the cache, in every process: no two builds can wait for each other."""
    cache = _build["cache"]
    wanted = [(cache / atomic.LOCK, f"Le cache {cache}")]
    if _build["command"] != "serve":  # the preview builds in a folder of its own
        wanted.insert(0, (atomic.work_folder(site) / atomic.LOCK, f"Le dossier {site}"))
    _build["locks"] = [atomic.Lock(path, "irev : " + what, log.info) for path, what in wanted]


def _stage(config) -> None:
    """Build into an empty folder beside the site, swapped in by on_post_build once complete."""
    target = Path(config["site_dir"])
    _build["publish"] = (target, atomic.staging(target))
    config["site_dir"] = str(_build["publish"][1])
    if config["strict"]:  # MkDocs aborts a --strict build after a warning only once on_post_build has run
        _build["warnings"] = CountHandler()
        _build["warnings"].setLevel(logging.WARNING)
        logging.getLogger("mkdocs").addHandler(_build["warnings"])


def on_files(files, config):
    _build["files"] = files
    with timed("fichiers sources"):
        sources = _build["cache"] / "sources"
        wanted = {page.src_uri for page in _build["pages"]}
        for stale in (p for p in sources.rglob("*.md") if p.relative_to(sources).as_posix() not in wanted):
            stale.unlink()  # a removed or unpublished page must not linger
        written = _build.get("memos", {}).get("placeholders", {})
        for page in _build["pages"]:
            _write_placeholder(sources, page, _build["keys"][page.src_uri], written)
            files.append(File(page.src_uri, str(sources), config["site_dir"], config["use_directory_urls"]))
        for name in _build["attachments"]:  # checked in on_config; only those of shown records
            uri = attachments.uri(name)
            files.append(File.generated(config, uri, abs_src_path=str(_build["root"] / uri)))
    return files


def _write_placeholder(sources: Path, page: pages.Page, key: str, written: dict) -> None:
    """A source holding the page's title and flags; its text changes whenever its HTML does.

    `written` remembers, while serving, what each placeholder holds: no need to read it back.
    """
    meta = {"title": page.title, "recherche": page.searchable, "rendu": key}
    text = f"---\n{json.dumps(meta, ensure_ascii=False)}\n---\n"
    path = sources / page.src_uri
    if written.get(page.src_uri) == text and path.exists():
        return
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written[page.src_uri] = text


def on_env(env, config, files):
    if "memos" in _build:  # MkDocs makes a new environment per build: compile the theme's templates once
        env.bytecode_cache = _build["memos"]["theme"]
    return env


def on_page_markdown(markdown, page, config, files):
    if _is_generated(page):
        return ""  # converted by the core already: nothing for MkDocs to convert
    if LATEST_MARKER in markdown:
        markdown = markdown.replace(LATEST_MARKER, pages.latest_markdown(_build["catalogue"], page.file.src_uri))
    redactor = _build["catalogue"].redactor
    for key in ("title", "description"):  # shown in <title>, the header and a meta tag
        if isinstance(page.meta.get(key), str):
            page.meta[key] = redactor(page.meta[key])
    return redactor(markdown)


def on_page_content(html, page, config, files):
    if not _is_generated(page):
        return html
    atomic.pause("pages")
    rendered = rendering.read(_build["cache"] / "html", _build["keys"][page.file.src_uri],
                              _build.get("memos", {}).get("rendered"))
    page.toc = get_toc(rendered.toc)
    return rendered.html


def _is_generated(page) -> bool:
    return page.file.src_uri in _build["keys"] and page.file.abs_src_path.startswith(str(_build["cache"]))


def _release_memory() -> None:
    """Hand memory back before Pagefind runs: it needs most of what the machine has."""
    for file in _build["files"]:
        if file.page is not None:
            file.page.content = file.page.markdown = file.page.toc = None
    for key in ("pages", "keys", "catalogue", "files"):
        _build.pop(key, None)
    _free_memory()


def _free_memory() -> None:
    gc.collect()
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed memory back to the system


def on_post_build(config):
    if "problems" in _build:  # read by the preview's banner (overrides/main.html)
        Path(config["site_dir"], PREVIEW_STATE).write_text(json.dumps(_build["problems"], ensure_ascii=False),
                                                           encoding="utf-8")
    if _build["command"] != "serve":
        _release_memory()
    site = Path(config["site_dir"])
    if _build["command"] == "serve" and _build.get("indexed"):
        cancel = threading.Event()
        thread = threading.Thread(target=_index_in_background, args=(site, _build["search_pages"], cancel), daemon=True)
        thread.start()
        _build["background"] = (thread, cancel)
    else:
        with timed("indexation Pagefind"):
            try:
                search.index_site_cached(site, _build["search_pages"], _build["search_key"], _build["cache"] / "pagefind")
            except RuntimeError as error:
                raise PluginError(str(error)) from error
        _build["indexed"] = True
    if "publish" in _build:
        with timed("publication"):
            _publish(config)
    log.info("irev : " + ", ".join(f"{step} {seconds} s" for step, seconds in _build["timings"].items()))
    if os.environ.get("IREV_TIMINGS"):
        Path(os.environ["IREV_TIMINGS"]).write_text(json.dumps(_build["timings"], ensure_ascii=False), encoding="utf-8")
    _release()


def _publish(config) -> None:
    """Swap the complete build in for the site, unless MkDocs is about to abort it."""
    target, folder = _build.pop("publish")
    config["site_dir"] = str(target)  # where MkDocs finds the site after the build (gh-deploy)
    if _build.get("warnings") and _build["warnings"].get_counts():
        shutil.rmtree(folder)  # --strict with a warning: MkDocs fails the build, nothing is published
        return
    atomic.pause("publish")
    atomic.publish(folder, target)
    log.info(f"irev : site publié dans {target}")


def on_build_error(error):
    """A failed build publishes nothing: its folder goes, the previous site stays."""
    _, folder = _build.pop("publish", (None, None))
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    _release()


def _release() -> None:
    counter = _build.pop("warnings", None)
    if counter is not None:
        logging.getLogger("mkdocs").removeHandler(counter)
    for lock in _build.pop("locks", []):
        lock.release()


def _index_in_background(site: Path, pages_to_index: list[str], cancel: threading.Event) -> None:
    try:
        search.index_site(site, pages_to_index, cancel)
    except search.Cancelled:
        pass  # a newer build is under way and will index its own pages


def _stop_background_indexing() -> None:
    """While serving, the index of the previous edit is dropped: the new build gets the processors."""
    thread, cancel = _build.pop("background", (None, None))
    if thread is not None:
        cancel.set()
        thread.join()


def on_serve(server, config, builder):
    server.watch(str(settings.content_dir()))
    server.watch(str(ROOT / "irev"))
    return server
