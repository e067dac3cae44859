"""The build session: the pipeline, its state and its outputs, whatever engine serves the site.

    files -> records (loading) -> catalogue (validation, redaction, cross-links) -> outputs -> site

A session runs one build (`mkdocs build`, `python -m irev check`), or the successive builds
of one preview (`mkdocs serve`): then it keeps memos between builds, and each stage redoes
only what an edit changed (the loading memo per file, the catalogue's per record, the pages'
by the inputs each read: irev/incremental.py, the HTML and the PDFs by content hash). A build
keeps its jobs' recorders (pages, heads, feeds, open data, calendar events) and its outputs'
memos (calendar headings, what the open data's files were written from) in the cache for the
next build, which likewise remakes only the jobs whose inputs changed since.

Outputs, in order:
- pages: one Markdown page per record, index, entry and directory (irev/pages.py), converted
  to HTML through a cache (irev/rendering.py); the site engine writes them;
- files (OUTPUTS): files the site serves as they are, each made by a function of the session
  returning (site path, file on disk): the attachments the shown records offer, the open data
  (irev/exports.py, with its page /donnees/), the calendar files (irev/agenda.py, with the page
  /agenda/ and the home page's next events), …;
- downloads: a PDF of every record page, made from its HTML (irev/pdf.py), cached by content
  hash, offered on the page as « Télécharger la fiche (PDF, 245 Ko) » and in search results;
- the search index, made over the written site (irev/search.py).
The core never imports MkDocs: hooks/irev_hook.py forwards MkDocs' events here.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import hashlib
import json
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager, nullcontext
from html import escape, unescape
from dataclasses import dataclass, field
from pathlib import Path

from . import (agenda, apart, atomic, attachments, catalogue, exports, feeds, files, forge, incremental, loading,
               pages, pdf, rendering, search, settings, shares, sharing)
from .exports import Kept
from .incremental import Fingerprints, Recorder
from .problems import Problem

TEMPLATES = Path(__file__).resolve().parent / "templates"
# While serving, the seconds without an edit before the files a page does not need are written (open
# data, calendars: seconds of work at 10,000 records, which the build of an edit following closely
# would otherwise share the processor with, and wait for).
QUIET = 2.0
FRONT = ("---\n", "\n---\n")  # around a generated page's front matter (JSON, which is YAML), in its source file
RECORDERS = "travaux"  # in the cache: each output's jobs, what they made and read (irev/incremental.py)
# What `make` leaves for the engine: all a build's process gets back from the process that made it.
MADE = ("timings", "remade", "pages", "keys", "files", "output_pages", "next_events", "downloads", "feeds", "heads",
        "sources", "search_pages", "search_key", "latest")


@dataclass(frozen=True)
class Options:
    """What a build is asked for: the engine's settings the core needs, and the content's place."""

    root: Path
    cache: Path
    markdown_extensions: list = field(default_factory=list)
    markdown_configs: dict = field(default_factory=dict)
    drafts: bool = False  # records under « brouillon » shown (the preview only)
    site_url: str = settings.DEFAULT_SITE_URL
    repository: forge.Repository | None = None  # where editors change the content: the pages' edit and issue links


@dataclass(frozen=True)
class Download:
    """A record page's PDF: where the site serves it, its cache entry, what the page says of it."""

    uri: str  # e.g. fiches/x/x.pdf, beside the page fiches/x/
    key: str
    text: str  # « Télécharger la fiche (PDF, 245 Ko) »
    size: str  # « 245 Ko »


@dataclass
class Memos:
    """What a preview keeps from one build to the next."""

    files: dict = field(default_factory=dict)  # loading: each file's outcome
    catalogue: dict = field(default_factory=dict)  # each record's redaction and links
    pages: Recorder = field(default_factory=Recorder)  # each page, with the inputs it read
    heads: Recorder = field(default_factory=Recorder)  # what each page says of itself, the same way
    feeds: Recorder = field(default_factory=Recorder)  # each feed, the same way
    feed_files: atomic.Written = field(default_factory=atomic.Written)  # the feeds' files written
    fingerprints: Fingerprints = field(default_factory=Fingerprints)  # of what they read
    items: dict = field(default_factory=dict)  # the items of the pages' long lists (pages.Renderer)
    rendered: dict = field(default_factory=dict)  # HTML by key
    keyed: dict = field(default_factory=dict)  # each page's text and the key of its HTML
    sources: dict = field(default_factory=dict)  # what each page's source file is made from, and holds
    downloads: dict = field(default_factory=dict)  # page source -> ((HTML key, PDF metadata), its Download)
    written: dict = field(default_factory=dict)  # site path -> cache key of the download written there
    exports: Recorder = field(default_factory=Recorder)  # the open data: each object's line, the same way
    kept_exports: Kept = field(default_factory=Kept)  # each line's CSV row, each type's lines, the files written
    open_data: dict = field(default_factory=dict)  # what each type's files were written from, and their SHA-256
    events: Recorder = field(default_factory=Recorder)  # the agenda: each record's events as calendar texts, the same way
    events_of: agenda.Kept = field(default_factory=agenda.Kept)  # the agenda: each record's events, all in order
    agenda: dict = field(default_factory=dict)  # each calendar's heading, by what it is made of
    calendars: atomic.Written = field(default_factory=atomic.Written)  # the calendar files written
    linked: dict = field(default_factory=dict)  # site path -> the served file and its stamp, when put in the site
    # The worker processes converting pages and making an edit's PDFs (started by the engine, once serving).
    converters: rendering.Workers = field(default_factory=lambda: rendering.Workers(pdf.warm))


class Session:
    def __init__(self, serving: bool = False):
        self.serving = serving
        self.memos = Memos() if serving else None
        self.timings: dict[str, float] = {}
        self.catalogue: catalogue.Catalogue | None = None
        self.latest: catalogue.Catalogue | None = None  # what hand-written pages need: the latest records
        self.pages: list[pages.Page] = []
        self.keys: dict[str, str] = {}  # page source -> key of its HTML in the cache
        self.files: list[tuple[str, Path]] = []  # (site path, file) served as they are
        self.output_pages: list[pages.Page] = []  # pages that outputs make beside their files (/donnees/)
        self.next_events = ""  # the home page's next events, HTML made for it (irev/agenda.py)
        self._making: Callable[[], dict[str, Download]] | None = None  # the PDFs an edit is making (downloads)
        self.downloads: dict[str, Download] = {}  # record page source -> its PDF
        self.feeds: dict[str, str] = {}  # page source -> site path of the feed it follows
        self.heads: dict[str, dict] = {}  # page source -> what its head says of it (irev/sharing.py)
        self.describer: pages.Renderer | None = None  # names entries for the outputs, while they are made
        self.fingerprints: Fingerprints | None = None  # of what the outputs read, while they are made (a build's)
        self.remade: dict[str, list[tuple]] = {}  # the jobs each recorder made in the last build
        self.sources: dict[str, tuple[str, int]] = {}  # page source -> (file in the content tree, line) it is made from
        self.fronts: dict[str, tuple] = {}  # page source -> what its source file is made from, and its text (write_sources)
        self.later: list = []  # a preview's writing left for after its pages (open data, calendars): generator functions
        self.search_pages: list[str] = []
        self.search_key = ""
        self.setting: tuple = ()  # what every page depends on without reading it from the catalogue (_setting)
        self.indexed = False  # the site was indexed through the cache (a preview indexes its first build so)
        self.options: Options | None = None
        self.apart: apart.Apart | None = None  # a build's loading, catalogue and outputs, made in a process of their own
        self.checked: loading.Content | None = None  # what `check` loaded (in this process)

    @contextmanager
    def timed(self, step: str):
        """Time one stage (reported at the end of a build, and to $IREV_TIMINGS)."""
        start = time.perf_counter()
        yield
        self.timings[step] = round(time.perf_counter() - start, 3)

    # --- stages ----------------------------------------------------------------------------------

    def check(self, root: Path) -> tuple[loading.Counts, list[Problem]]:
        """Load and validate a content tree: its counts and every problem, sorted (what `python -m irev
        check` shows); on several cores, in shares at once (irev/shares.py)."""
        cache_file = settings.parse_cache_file()
        checked = shares.check(root, cache_file)
        if checked is None:
            content = loading.load(root, cache_file)
            checked = loading.Counts.of(content), sorted(content.problems + catalogue.validate(content)), content
        # What was loaded lives as long as the session, which the command ends without freeing (cli.check).
        counts, problems, self.checked = checked
        return counts, problems

    def prepare(self, options: Options) -> list[Problem]:
        """Load, validate and catalogue the content; every problem, warnings included, sorted.

        A build (not the preview, which keeps its state between rebuilds) does it, and then makes
        its outputs, in a process of its own (irev/apart.py): this one never holds the catalogue."""
        self.options, self.timings = options, {}
        if self.memos is None and apart.possible():
            self.apart = apart.Apart(lambda: self._prepare(options), self._made)
            return self.apart.first()
        return self._prepare(options)

    def _prepare(self, options: Options) -> list[Problem]:
        memos = self.memos
        if memos is not None:
            # Millions of objects live from one preview build to the next, and each build makes
            # more: a full collection would walk them all (seconds at 10,000 records) and find
            # little to free. The collector waits until the build's objects are made, which are
            # then set aside from it (make); what they free later goes by reference counting.
            gc.disable()
        with self.timed("chargement"):
            content = loading.load(options.root, options.cache / settings.PARSE_CACHE, memos and memos.files)
        # A build keeps which records held no name (a preview's memo spares it the unchanged records already).
        with self.timed("validation et catalogue"), nullcontext() if memos is not None else self.memo("unnamed") as unnamed:
            cat, problems = catalogue.build(content, show_drafts=options.drafts, memo=memos and memos.catalogue,
                                            unnamed=unnamed)
        self.catalogue = cat
        return sorted(content.problems + problems)

    def abandon(self) -> None:
        """The content prepared is not made (the preview keeps the last correct site)."""
        self.catalogue = None
        if self.apart is not None:
            self.apart.close()
            self.apart = None
        if self.memos is not None:
            gc.enable()  # see prepare

    def make(self) -> None:
        """Every output of the catalogue prepared: pages and their HTML, files, what search indexes."""
        if self.apart is not None:
            made, self.apart = self.apart.then(), None
            for name, value in made.items():
                setattr(self, name, value)
            return
        try:
            self._make()
        finally:
            if self.memos is not None:  # see prepare
                gc.freeze()
                gc.enable()

    def _made(self) -> dict:
        """In the process of a build's making: make, and what is left for the engine."""
        self._make()
        return {name: getattr(self, name) for name in MADE}

    def _make(self) -> None:
        cat, options = self.catalogue, self.options
        if self.memos is None:  # no rebuild in this process: what only validation read goes
            cat.drop_sources()
            free_memory(collect=False)  # freed by reference counting: a collection would find nothing
            self.fingerprints = Fingerprints()  # this build's, dropped with the catalogue
        else:
            self.memos.fingerprints.next_build(cat)
        self.setting = self._setting(cat)
        with self.timed("génération des pages"):
            generated = self._generate(cat)
        self.search_pages = search.record_pages(cat)
        self.describer = pages.Renderer(cat)
        with self.timed("en-têtes des pages"):
            self.heads = dict(self.made_by_jobs(cat, sharing, "heads"))
        self.output_pages, self.later = [], []  # (writing an earlier build left undone is made again)
        self.files = [product for output in OUTPUTS for product in output(self, cat)]
        self.describer.close()
        self.describer, self.fingerprints = None, None
        generated = generated + self.output_pages
        documents = _documents(cat, options.site_url)
        # From here on, hand-written pages need the latest records only: the records, their data
        # and the catalogue are freed before the HTML is made (memory at 10,000 records).
        self.latest, self.catalogue = cat.latest_only(pages.LATEST_COUNT), None
        del cat
        if self.memos is None:
            free_memory()
        with self.timed("rendu HTML (cache)"):
            self.keys = rendering.render_pages([(p.src_uri, p.text) for p in generated], options.markdown_extensions,
                                               options.markdown_configs, options.cache / "html",
                                               memo=self.memos and self.memos.rendered,
                                               keyed=self.memos and self.memos.keyed,
                                               processes=self.memos and self.memos.converters)
        with self.timed("PDF"):
            self._downloads(documents)
        if not self.indexed:  # (a preview indexes its later builds in the background, afresh: see index)
            self.search_key = search.index_key(
                self.search_pages, [self.keys[p.src_uri] for p in generated if p.searchable]
                + [download.key for download in self.downloads.values()],
                settings.PROJECT / "mkdocs.yml", settings.PROJECT / "overrides" / "main.html")
        # The Markdown is no longer needed: keep each page's place and title only (memory at 10,000 records;
        # a preview's recorder keeps the pages it made whole).
        self.pages = generated if self.memos else [dataclasses.replace(p, text=b"") for p in generated]
        self.sources = {p.src_uri: (p.source, p.line) for p in generated if p.source}

    def _generate(self, cat: catalogue.Catalogue) -> list[pages.Page]:
        """The pages whose inputs changed since the last build."""
        renderer = pages.Renderer(cat, self.memos and self.memos.items)
        try:
            return self._recorded("pages", cat, self.setting, pages.jobs(renderer),
                                  lambda todo: pages.make(renderer, todo))
        finally:
            renderer.close()

    def made_by_jobs(self, cat: catalogue.Catalogue, output, memo: str) -> list:
        """What an output's jobs make (`output.jobs`, `output.make_one` over its maker), only the jobs
        whose recorded inputs changed since the last build being made again (the Recorder `memo`);
        `output.setting(maker)`, if the output has one: what its jobs depend on beyond the pages'
        setting and what they read."""
        maker = output.maker(self.describer, self.options.site_url)
        make = lambda job: output.make_one(maker, job)  # noqa: E731
        setting = output.setting(maker) if hasattr(output, "setting") else None
        return self._recorded(memo, cat, (self.setting, self.options.site_url, setting),
                              output.jobs(self.describer), lambda todo: [incremental.recorded(cat, make, job) for job in todo])

    def _recorded(self, name: str, cat: catalogue.Catalogue, setting: tuple, jobs: list[tuple], make_all) -> list:
        """Run jobs through a recorder: the preview's (`memos.<name>`), or the one the last build kept
        in the cache, kept again for the next."""
        folder = self.options.cache / RECORDERS / name
        recorder = getattr(self.memos, name) if self.memos else Recorder.load(folder, setting)
        made = recorder.run(cat, setting, jobs, make_all, self.memos.fingerprints if self.memos else self.fingerprints)
        self.remade[name] = recorder.remade
        if self.memos is None:
            recorder.save(folder, setting)
        return made

    @contextmanager
    def memo(self, name: str):
        """An output's memo: the preview's (`memos.<name>`), or the one the last build kept in the
        cache, kept again for the next if the output changed it."""
        if self.memos is not None:
            yield getattr(self.memos, name)
            return
        folder, key = self.options.cache / RECORDERS / name, settings.code_version()
        found = incremental.kept(folder, key)
        memo = found if isinstance(found, dict) else {}
        before = dict(memo)
        yield memo
        incremental.keep(folder, key, memo, changed=found is None or memo != before)

    def _setting(self, cat: catalogue.Catalogue) -> tuple:
        """What every page depends on without reading it from the catalogue (the templates by their
        text: a fresh clone's files have new dates, not new contents)."""
        templates = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sorted(TEMPLATES.iterdir())))
        return cat.show_drafts, cat.redactor.key, templates.hexdigest()

    def _downloads(self, documents: dict[str, tuple[pdf.Meta, str]]) -> None:
        """Each record page's PDF (`downloads`), made from its HTML unless the cache has it (while
        serving, the PDFs of unchanged pages are not even looked at). After a preview's edit, the few
        to make are made by its worker processes, if started, while the engine goes on writing."""
        folder = self.options.cache / "pdf"
        before = self.memos.downloads if self.memos else {}
        found = {uri: before[uri][1] for uri, (meta, _) in documents.items()
                 if before.get(uri, (None,))[0] == (self.keys[uri], meta)}
        todo = {uri: document for uri, document in documents.items() if uri not in found}
        if before and self.memos.converters.pool and 0 < len(todo) < pdf.PARALLEL_FROM:
            self._making = self._made_apart(documents, found, todo)  # (until made, the last build's stay)
            return
        items = ((self.keys[uri], meta, lambda uri=uri: self._rendered(uri).html) for uri, (meta, _) in todo.items())
        # In processes of a small server: safe while serving. A build, or a preview's first, prunes
        # (see rendering.render_pages).
        keys = pdf.cached_many(items, folder, workers=2, prune=not before)
        self.downloads = self._offered(documents, found, todo, keys)

    def _made_apart(self, documents: dict, found: dict[str, Download], todo: dict) -> Callable[[], dict[str, Download]]:
        """Start making a preview's PDFs in its worker processes; what waits for them, then offers them."""
        folder, workers = self.options.cache / "pdf", self.memos.converters
        entries = [(self.keys[uri], meta, self._rendered(uri).html) for uri, (meta, _) in todo.items()]
        try:
            made = workers.pool.submit(pdf.make_all, entries, folder)
        except BrokenProcessPool as error:
            made = Future()
            made.set_exception(error)

        def offered() -> dict[str, Download]:
            try:
                keys, seconds = made.result()
            except BrokenProcessPool:  # one died (killed…): made here, and others started at the next edit
                workers.close()
                keys, seconds = pdf.make_all(entries, folder)
            return self._offered(documents, found, todo, keys, seconds)
        return offered

    def _offered(self, documents: dict, found: dict[str, Download], todo: dict, keys: list[str],
                 seconds: float = 0.0) -> dict[str, Download]:
        """The downloads, once the PDFs to make are made (`seconds`: what a worker process took)."""
        folder = self.options.cache / "pdf"
        for (uri, (_, name)), key in zip(todo.items(), keys):
            size = attachments.size_label(pdf.size(folder, key))
            found[uri] = Download(sharing.download_uri(uri), key,
                                  f"Télécharger {name} (PDF, {size})", size)
        if self.memos:
            self.memos.downloads = {uri: ((self.keys[uri], documents[uri][0]), found[uri]) for uri in documents}
        if seconds:
            self.timings["PDF"] = round(self.timings.get("PDF", 0) + seconds, 3)
        return {uri: found[uri] for uri in documents}

    @property
    def downloads(self) -> dict[str, Download]:
        """Each record page's PDF, by page source (the first to ask after an edit waits for them)."""
        self.finish_downloads()
        return self._offers

    @downloads.setter
    def downloads(self, offers: dict[str, Download]) -> None:
        self._offers, self._making = offers, None

    def finish_downloads(self) -> None:
        """Wait for the PDFs a preview's edit is making in its worker processes (raises pdf.PdfError)."""
        if self._making is not None:
            making, self._making = self._making, None
            self._offers = making()

    def edit_url(self, src_uri: str) -> str | None:
        """The forge's editor on what a generated page is made from: a record's file, an entry's
        registry at its line (None: an index or directory, or no repository). Named as in the
        repository (content/…), wherever the tree being built is: the site does not depend on it."""
        repository, place = self.options.repository, self.sources.get(src_uri)
        if not repository or not place:
            return None
        file, line = place
        return repository.edit_url(f"{settings.CONTENT_FOLDER}/{file}", line)

    def report_url(self, src_uri: str, title: str, url: str) -> str | None:
        """A new issue on the forge about a page, any page: its title as the engine has it (a
        generated page's was escaped for the theme), its address on the site (`fiches/x/`)."""
        repository = self.options.repository
        if repository is None:
            return None
        return repository.issue_url(unescape(title) if src_uri in self.keys else title,
                                    settings.absolute_url(url, self.options.site_url))

    def html(self, src_uri: str) -> rendering.Rendered:
        """A page's HTML; a record's with the link to its PDF under its title."""
        rendered = self._rendered(src_uri)
        download = self.downloads.get(src_uri)
        if download is None:
            return rendered
        return dataclasses.replace(rendered, html=_with_download(rendered.html, download))

    def _rendered(self, src_uri: str) -> rendering.Rendered:
        """A page's HTML as converted: what its PDF is made from (while serving, `downloads` still
        holds the last build's PDFs: the page offering one is not what the PDF says)."""
        return rendering.read(self.options.cache / "html", self.keys[src_uri], self.memos and self.memos.rendered)

    def write_downloads(self, site: Path, kept: bool = False) -> None:
        """The PDFs into the written site, linked (as `write_files`: 1.2 GB at 10,000 records neither
        read nor written again; while serving, those whose entry changed only; `kept`: the site is
        the folder written last, as it was left, where those are not looked for again)."""
        written = self.memos.written if self.memos else {}
        with self.timed("écriture des PDF"):
            for download in self.downloads.values():
                if written.get(download.uri) == download.key and (kept or (site / download.uri).exists()):
                    continue
                atomic.put(pdf.path(self.options.cache / "pdf", download.key), site / download.uri, link=True)
                written[download.uri] = download.key
            _remove_gone(site, written, {download.uri for download in self.downloads.values()})

    def write_later(self, cancel: threading.Event | None = None) -> None:
        """What a preview left to write once its pages are served, write by write, each made of parts
        (a file, a type of the open data: each noted only once written); stopped between two parts by
        `cancel` (at 10,000 records, a write of the open data takes half a second, which the next
        edit would wait for): the next build makes its own."""
        while self.later and not (cancel and cancel.is_set()):
            with closing(self.later[0]()) as writing:  # (closed when stopped: a file half-written goes)
                for _ in writing:
                    atomic.pause("later-part")
                    if cancel and cancel.is_set():
                        return
            self.later.pop(0)

    def write_files(self, site: Path) -> None:
        """The files served as they are into the written site: those the build made in the cache
        linked (written by replacing, never in place: a site keeps the bytes it was published with),
        the editors' attachments copied. While serving, into the folder of the previous build: the
        files whose stamp changed since (atomic.stamp); those no longer made go; one gone from the
        content (an attachment, while the preview keeps the last correct site) keeps its copy."""
        linked = self.memos.linked if self.memos else {}
        for uri, path in self.files:
            found = atomic.stamp(path)
            if self.memos and (found is None or linked.get(uri) == (path, found, atomic.stamp(site / uri))):
                continue  # (the site's copy checked too: MkDocs empties its folder when not --dirty)
            atomic.put(path, site / uri, link=path.is_relative_to(self.options.cache))
            linked[uri] = (path, found, atomic.stamp(site / uri))
        _remove_gone(site, linked, {uri for uri, _ in self.files})

    def write_sources(self, folder: Path) -> set[str]:
        """One small source file per page, holding its title and flags: its text changes whenever
        its HTML does, so an engine rebuilding changed sources only (`--dirty`) remakes just those.
        The pages whose source text changed (while serving: since the last build; else all)."""
        rewritten = set()
        wanted = {page.src_uri for page in self.pages}
        written = self.fronts = self.memos.sources if self.memos else {}
        if wanted != written.keys():  # a removed or unpublished page must not linger
            for stale in (p for p in folder.rglob("*.md") if p.relative_to(folder).as_posix() not in wanted):
                stale.unlink()
            for gone in written.keys() - wanted:
                del written[gone]
        for page in self.pages:
            uri = page.src_uri
            head, feed = self.heads.get(uri, {}), self.feeds.get(uri)
            made_from = (page.title, page.searchable, self.keys[uri], head, feed)
            before = written.get(uri)  # while serving, what was written is remembered
            if before is not None and before[0] == made_from:
                continue  # (a head kept by its job is the same object: compared at once)
            meta = {"title": page.title, "recherche": page.searchable, "rendu": self.keys[uri], **head}
            if feed:
                meta["flux"] = feed
            text = f"{FRONT[0]}{json.dumps(meta, ensure_ascii=False)}{FRONT[1]}"
            if before is None or before[1] != text:
                atomic.write_if_changed(folder / uri, text.encode())
                rewritten.add(uri)
            written[uri] = (made_from, text)
        return rewritten

    def front(self, src_uri: str) -> dict:
        """A generated page's front matter, as its source file holds it (the engine may take it from
        here rather than read and parse 13,000 files)."""
        return json.loads(self.fronts[src_uri][1][len(FRONT[0]):-len(FRONT[1])])

    def index(self, site: Path) -> None:
        """The search index of the written site, or the one kept for the same pages (a preview's first
        build: its later ones are indexed in the background, see finish_in_background)."""
        with self.timed("indexation Pagefind"):
            search.index_site_cached(site, self.search_pages, self.search_key, self.options.cache / "pagefind")
        self.indexed = self.serving

    def finish_in_background(self, site: Path, written: Callable[[], None], failed: Callable[[OSError], None],
                             quiet: float = QUIET) -> tuple[threading.Thread, threading.Event]:
        """While serving, what follows the pages: the files left to write, served (then `written`, even
        if `failed` was told why they could not be), then indexed. The pages show at once; the files
        wait for the editor to pause (`quiet` seconds without an edit); the next edit's build stops
        them (between two files: it waits for the write under way) and the index."""
        cancel = threading.Event()

        def finish():
            try:
                atomic.pause("later")
                if cancel.wait(quiet):  # a newer edit: its build makes them from its own content
                    return
                for step in (lambda: self.write_later(cancel), lambda: self.write_files(site)):
                    try:
                        if not cancel.is_set():  # (a newer build puts the files it makes into the site)
                            step()
                    except OSError as error:  # a full disk…: written at the next edit (its notes were not made)
                        failed(error)
            finally:
                written()
            _index_cancellable(site, self.search_pages, cancel)
        thread = threading.Thread(target=finish, daemon=True)
        thread.start()
        return thread, cancel

    def close(self) -> None:
        """The end of a preview: its worker processes stop."""
        if self.memos is not None:
            self.memos.converters.close()

    def release(self) -> None:
        """Hand memory back before the search index is made: Pagefind needs most of the machine."""
        self.pages, self.keys, self.latest, self.sources, self.fronts = [], {}, None, {}, {}
        free_memory()


def _documents(cat: catalogue.Catalogue, site_url: str) -> dict[str, tuple[pdf.Meta, str]]:
    """What each record's PDF says of it, and what its page calls it (« la fiche »), by page source
    (a preview's rebuild reuses those of the records no edit touched)."""
    return dict(cat.each(f"documents {site_url}", lambda entry: _document(entry, site_url)).values())


def _document(entry: loading.Entry, site_url: str) -> tuple[str, tuple[pdf.Meta, str]]:
    model, uri = entry.model, pages.record_uri(entry)
    meta = pdf.Meta(model.titre, model.kind_label(), settings.absolute_url(rendering.page_url(uri), site_url),
                    model.updated())
    return uri, (meta, type(model).DOCUMENT)


def _with_download(html: str, download: Download) -> str:
    """The page with its PDF offered under its title (and named for search results: irev/search.py).
    Written here, after the page was cleaned: no editor's text can forge it."""
    name = download.uri.rpartition("/")[2]
    block = (f'<p class="irev-telechargement" data-pagefind-ignore><a href="{name}" download>{escape(download.text)}</a>'
             f'<span hidden data-pagefind-meta="pdf">{name}</span>'
             f'<span hidden data-pagefind-meta="pdf_poids">{escape(download.size)}</span></p>\n')
    head, found, rest = html.partition("</h1>\n")
    return head + found + block + rest if found else block + html


def _attachment_files(session: Session, cat: catalogue.Catalogue) -> list[tuple[str, Path]]:
    """The files under pieces-jointes/ that shown records offer (checked at loading)."""
    offered = cat.each("attachments", lambda entry: [d.fichier for d in entry.model.documents if d.fichier])
    return [(attachments.uri(name), session.options.root / attachments.uri(name))
            for name in sorted(set().union(*offered.values()))]


def _feed_files(session: Session, cat: catalogue.Catalogue) -> list[tuple[str, Path]]:
    """The Atom feeds (irev/feeds.py), kept in the cache folder (rewritten only when they change)."""
    folder, made = session.options.cache / "flux", []
    written = session.memos.feed_files if session.memos else atomic.Written()  # (a preview's: written again if changed)
    session.feeds = {}
    with session.timed("flux Atom"):
        built = session.made_by_jobs(cat, feeds, "feeds")
    for feed in filter(None, built):
        path = files.child(folder, feed.uri)
        written.write(path, feed.xml, feed.xml)
        made.append((feed.uri, path))
        if feed.page:
            session.feeds[feed.page] = feed.uri
    written.keep_only(folder, feeds.FILE, {path for _, path in made})
    return made


def _open_data_files(session: Session, cat: catalogue.Catalogue) -> list[tuple[str, Path]]:
    """The open data (irev/exports.py): each object's line made by a job, the files kept in the cache
    folder (rewritten only when they change), and its page."""
    folder = session.options.cache / exports.FOLDER
    with session.timed("données ouvertes"):
        lines = session.made_by_jobs(cat, exports, "exports")
        with session.memo("open_data") as written:
            made = exports.write(session.describer, session.options.site_url, folder, lines,
                                 session.memos and session.memos.kept_exports, written,
                                 session.later if session.serving else None)
    session.output_pages.append(made.page)
    return [(f"{exports.FOLDER}/{name}", folder / name) for name in made.files]


def _agenda_files(session: Session, cat: catalogue.Catalogue) -> list[tuple[str, Path]]:
    """The agenda (irev/agenda.py): its page, the home page's next events, and the calendar files,
    kept in the cache folder (rewritten only when they change)."""
    with session.timed("agenda"):
        texts = session.made_by_jobs(cat, agenda, "events")
        with session.memo("agenda") as memo:
            made = agenda.write(session.describer, session.options.site_url, session.options.cache / agenda.FOLDER,
                                settings.build_day(), texts, memo, session.memos and session.memos.calendars,
                                session.later if session.serving else None,
                                session.memos and session.memos.events_of, session.remade["events"])
    session.output_pages.append(made.page)
    session.heads[agenda.PAGE] = made.head
    session.next_events = made.home
    return made.files


OUTPUTS = (_attachment_files, _feed_files, _open_data_files, _agenda_files)  # files served as they are: each gives (site path, file)


def _remove_gone(site: Path, written: dict, wanted: set[str]) -> None:
    """While serving, the files of the site that are no longer made (a record deleted or made a draft)."""
    for uri in written.keys() - wanted:
        (site / uri).unlink(missing_ok=True)
        del written[uri]


def _index_cancellable(site: Path, pages_to_index: list[str], cancel: threading.Event) -> None:
    try:
        search.index_site(site, pages_to_index, cancel)
    except search.Cancelled:
        pass  # a newer build is under way and will index its own pages


def free_memory(collect: bool = True) -> None:
    if collect:
        gc.collect()
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed memory back to the system

