"""MkDocs adapter: forwards MkDocs' events to the core's build session (irev/site.py), which
knows nothing of MkDocs. What is MkDocs' own stays here: its files, its errors, its logs, the
build folder swapped in at the end (irev/atomic.py), the preview's server.

- on_startup: `mkdocs serve` keeps one session for all its rebuilds (memos: an edit remakes
  only what it changed).
- on_config: wait for any other build using the same site folder or cache; a build (not
  `mkdocs serve`) is redirected into a fresh folder beside the site. The session loads,
  validates and catalogues the content; any problem stops the build before anything is
  written, with every problem listed in French as `file:line: field: message`. While serving,
  problems are shown on every page instead, above the last correct version of the site. Then
  the session makes its outputs. Drafts (IREV_BROUILLONS=1) are for the preview only.
- on_files: add a small source per generated page (rewritten only when its page changed, so
  `--dirty` rebuilds only those), and the editors' guide (CONTRIBUER.md, irev/guide.py) as a hand-written page.
  A generated page outside the navigation is a `_Generated` page: MkDocs takes its front matter
  from the session and converts nothing.
- on_nav: a build (not the preview) keeps each generated page as the theme wrote it, by a key of
  all the theme reads (the cache's `ecrites/`); on_page_content / on_page_context link a page so
  kept into the site, the theme writing nothing (overrides/irev-page-gardee.html); on_post_page
  keeps the others.
- on_page_markdown / on_page_content: hand MkDocs the session's HTML instead of converting, and
  its edit link (the record's or entry's file on the forge); in hand-written pages, the legal
  settings' markers (irev/legal.py) replaced by their values;
  on_page_context: a record or entry shows its section as current (tab, breadcrumb); every page
  gets its « Signaler une erreur » link (irev/forge.py);
  on_post_page / on_post_template: the theme's markup the Nu HTML Checker refuses, made valid.
- on_post_build: the session writes its downloads (PDFs), puts the files it made into the site
  (feeds, calendars, open data, attachments) and indexes the site for search (while serving, those
  two after the pages are shown, in the background, the files the preview left to write first), then
  the complete build is swapped in for the site: a build killed earlier leaves the previous site whole.
- on_build_error: a failed build's folder is removed; the previous site stays.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import watchdog.observers
from watchdog import events
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the core lives beside hooks/

from irev import atomic, entries, forge, guide, legal, pages, pdf, rendering, settings  # noqa: E402
from irev.site import Options, Session  # noqa: E402

log = logging.getLogger("mkdocs.hooks.irev")
LATEST_MARKER = "<!-- dernieres-ressources -->"
NEXT_EVENTS_MARKER = "<!-- prochains-evenements -->"  # the home page's (irev/agenda.py)
PREVIEW_STATE = "irev-apercu.json"  # the content's problems, while serving
WRITTEN = "ecrites"  # in the cache: generated pages as the theme wrote them (on_nav)
GUIDE = "guide"  # in the cache: the editors' guide as a page's source (on_files)
# The settings the theme reads besides `theme` and the navigation.
THEME_SETTINGS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
                  "edit_uri", "extra", "extra_css", "extra_javascript", "use_directory_urls", "markdown_extensions",
                  "mdx_configs")
_build: dict = {"session": Session()}  # this build's session (the preview's, kept between rebuilds) and MkDocs' own state


def on_startup(command, dirty):
    _build["session"] = Session(serving=command == "serve")
    if command == "serve" and dirty:  # MkDocs keeps the pages it wrote: it is handed those that changed
        _build["handed"] = Handed()


def _serving() -> bool:
    return _build["session"].serving


def on_config(config):
    if not config["use_directory_urls"]:
        raise PluginError("irev_hook suppose use_directory_urls: true")
    _finish_background()
    session = _build["session"]
    drafts = os.environ.get("IREV_BROUILLONS") == "1"
    if drafts and not session.serving:
        raise PluginError("IREV_BROUILLONS=1 montre les brouillons : réservé à l'aperçu (make serve), "
                          "jamais au site public (make site).")
    try:
        site_url = settings.site_url(config.get("site_url"))
        repository = forge.Repository.of(config["repo_url"], config["edit_uri"], Path(config["docs_dir"]).name)
    except ValueError as error:
        raise PluginError(str(error)) from None
    options = Options(settings.content_dir(), settings.cache_dir(), config["markdown_extensions"],
                      config["mdx_configs"], drafts, site_url, repository)
    _hold_locks(Path(config["site_dir"]), options.cache)
    if not session.serving:  # the preview serves its own folder, rebuilt in place (--dirty)
        _stage(config)
    problems = session.prepare(options) + legal.problems(config["extra"], Path(config.config_file_path))
    for problem in problems:  # warnings are shown without failing a --strict build
        (log.info if problem.warning else log.error)(("ATTENTION " if problem.warning else "") + str(problem))
    errors = [str(p) for p in problems if not p.warning]
    if errors and not session.serving:
        session.abandon()
        raise PluginError(f"Contenu invalide ({options.root}) : {len(errors)} erreur(s), listée(s) ci-dessus. "
                          "Rien n'a été publié.")
    if session.serving:  # the preview shows the problems on every page (overrides/main.html) and goes on serving
        config["extra"]["irev_apercu"] = True
        made_before = bool(session.pages)
        _build["problems"] = {"problemes": errors, "derniere_version_correcte": bool(errors and made_before)}
        if errors and made_before:
            log.error("Contenu invalide : l'aperçu garde la dernière version correcte du site.")
            session.abandon()
            return config
    with _refused():
        session.make()
    return config


@contextmanager
def _refused():
    """Content a page or its PDF cannot be made from: the build fails, saying why."""
    try:
        yield
    except (rendering.ConversionError, pdf.PdfError) as error:
        raise PluginError(f"Contenu invalide : {error}. Rien n'a été publié.") from None


def _hold_locks(site: Path, cache: Path) -> None:
    """One build at a time per site folder and per cache: a second one waits for the first (it
    says so), then goes on; failing instead would make `make site` fail while `make serve` rebuilds.
    The site first, then the cache, in every process: no two builds can wait for each other."""
    wanted = [(cache / atomic.LOCK, f"Le cache {cache}")]
    if not _serving():  # the preview builds in a folder of its own
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
    session = _build["session"]
    _build["files"] = files
    with session.timed("fichiers sources"):
        sources = session.options.cache / "sources"
        rewritten = session.write_sources(sources)
        handed = _build.get("handed")  # (the files hold the hand-written pages only, so far)
        in_nav = _nav_sources(config["nav"])
        wanted = handed and handed.pages({page.src_uri: rendering.page_url(page.src_uri) + "index.html" for page in session.pages}, rewritten,
                                         in_nav, files.documentation_pages())
        if wanted is not None:  # MkDocs resolves the home page's links to the latest records among the pages handed
            wanted |= {pages.record_uri(entry) for entry in session.latest.latest(pages.LATEST_COUNT)}
        handing = [page.src_uri for page in session.pages if wanted is None or page.src_uri in wanted]
        log.debug(f"irev : {len(handing)} pages générées remises à MkDocs")
        for src_uri in handing:
            file = File(src_uri, str(sources), config["site_dir"], config["use_directory_urls"])
            files.append(file)
            if src_uri not in in_nav:  # (the navigation's pages are MkDocs' own: titled by mkdocs.yml)
                _Generated(None, file, config)
        if wanted is not None:  # the sitemap of the pages handed only: the one the preview wrote first stays
            config.theme.static_templates.discard("sitemap.xml")
        if handed:
            _made_again(files, config)
    # CONTRIBUER.md, a hand-written page: its source rewritten only when it changes, so that `--dirty`
    # does not convert it again at each edit of the content (40 KB of Markdown).
    folder = session.options.cache / GUIDE
    atomic.write_if_changed(folder / guide.PAGE, guide.page_markdown().encode())
    contributing = File(guide.PAGE, str(folder), config["site_dir"], config["use_directory_urls"])
    contributing.edit_uri = Path(os.path.relpath(guide.SOURCE, config["docs_dir"])).as_posix()  # its edit link: the file itself
    files.append(contributing)
    return files


class _Generated(Page):
    """A page the core made, of those MkDocs finds outside the navigation (a record, an entry): its
    front matter is the session's and its HTML the core's (on_page_content), so MkDocs neither reads
    and parses its source file nor sets up a Markdown converter for an empty text (7 s at 10,000
    records). The source file stays: by its date, `--dirty` tells the pages to write again."""

    def read_source(self, config) -> None:
        self.markdown, self.meta = "", _build["session"].front(self.file.src_uri)

    def render(self, config, files) -> None:
        self.content, self.toc, self.present_anchor_ids, self.links_to_anchors = "", get_toc([]), set(), {}


def _made_again(files, config) -> None:
    """Hand-written pages showing the latest records or the next events change with the content, not
    with their file, by which MkDocs (`--dirty`) tells what to write: they are handed as made now."""
    for file in files.documentation_pages():
        text = file.content_string
        if LATEST_MARKER in text or NEXT_EVENTS_MARKER in text:
            made = File.generated(config, file.src_uri, content=text)
            made.edit_uri = file.edit_uri
            files.remove(file)
            files.append(made)


class Handed:
    """What `mkdocs serve --dirty` is handed of the generated pages. At 10,000 records, going
    through 13,000 of them (navigation, dates of each source and output, sitemap) took MkDocs 1.5 to
    2 s a rebuild, for a page or two to write: after its first build, it is handed the pages whose
    source was rewritten since it last wrote the site, and the navigation's (every page shows them).
    A rebuild that failed is handed its pages again."""

    def __init__(self):
        self.first = True  # MkDocs has not written the site yet
        self.pending: set[str] = set()  # pages whose source was rewritten since MkDocs last wrote the site
        self.written: dict[str, str] = {}  # generated page source -> where MkDocs wrote it in the site
        self.writing: dict[str, str] = {}

    def pages(self, generated: dict[str, str], rewritten: set[str], nav: set[str], hand_written) -> set[str] | None:
        """The generated pages to hand (`generated`: every one, by source, with its place in the site);
        None: all of them (the first build, or a hand-written page changed: MkDocs resolves its links
        among all pages)."""
        self.pending |= rewritten
        self.writing = generated
        if self.first or any(file.is_modified() for file in hand_written):
            return None
        return self.pending | nav

    def built(self, site: Path) -> None:
        """MkDocs wrote what it was handed. It leaves in the site the pages no longer made (a record
        deleted, or made a draft): they go."""
        for page in self.written.keys() - self.writing.keys():
            (site / self.written[page]).unlink(missing_ok=True)
        self.first, self.pending, self.written = False, set(), self.writing


def _nav_sources(items) -> set[str]:
    """The sources the navigation of mkdocs.yml names (`nav`: lists of {title: source or list})."""
    found: set[str] = set()
    for item in items or []:
        for value in (item.values() if isinstance(item, dict) else [item]):
            if isinstance(value, list):
                found |= _nav_sources(value)
            elif isinstance(value, str):
                found.add(value)
    return found


def on_env(env, config, files):
    if _serving():  # MkDocs makes a new environment per build: compile the theme's templates once
        env.bytecode_cache = _THEME
    return env


def on_nav(nav, config, files):
    """The PDFs an edit made while MkDocs listed the files are waited for: the pages offer them. A build
    (not the preview, whose pages MkDocs' server changes) keeps each generated page as the theme wrote
    it, by a key of all the theme reads: a warm build writes unchanged pages as kept."""
    with _refused():
        _build["session"].finish_downloads()
    if not _serving():
        _build["written"] = entries.Stamped.opened(_build["session"].options.cache / WRITTEN, ".html")
        _build["theme"] = _theme_key(config, nav)
        _build["keys"] = {}  # page source -> the key of its output
        _build["kept"] = set()  # sources of the pages linked as kept
        logging.getLogger("mkdocs.commands.build").addFilter(_unsaid_kept)
    return nav


def _unsaid_kept(record: logging.LogRecord) -> bool:
    """MkDocs says « Page skipped » of each page the theme wrote nothing for: the kept pages, linked."""
    said = record.getMessage()
    return not (said.startswith("Page skipped: '") and said.split("'")[1] in _build.get("kept", ()))


def _theme_key(config, nav) -> str:
    """What every page's output depends on besides its own: the engine and theme, their settings,
    the navigation, the templates and the code writing pages."""
    def items(entries):
        return [(item.title, getattr(item, "url", None), items(item.children or [])) for item in entries]
    overrides = Path(config["theme"].custom_dir)
    digest = hashlib.sha256(json.dumps([
        [metadata.version(name) for name in ("mkdocs", "mkdocs-material", "jinja2")], settings.code_version(),
        Path(__file__).read_text(encoding="utf-8"), {key: config[key] for key in THEME_SETTINGS},
        dict(config["theme"]), items(nav.items),
        [(path.relative_to(overrides).as_posix(), path.read_text(encoding="utf-8"))
         for path in sorted(overrides.rglob("*")) if path.is_file()]], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _page_key(page) -> str:
    """A generated page's output key: the build's, and all the page gives the theme."""
    session, source = _build["session"], page.file.src_uri
    download = session.downloads.get(source)
    digest = hashlib.sha256(json.dumps([
        _build["theme"], source, page.url, page.title, page.meta, page.edit_url, session.keys[source],
        download and (download.key, download.text), _report_url(page)], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _report_url(page) -> str | None:
    """« Signaler une erreur » on a page, named as the theme names it (<title>, header)."""
    return _build["session"].report_url(page.file.src_uri, page.meta.get("title") or page.title, page.url)


_THEME = pages.CompiledTemplates()


def on_page_markdown(markdown, page, config, files):
    if _is_generated(page):
        if page.meta.get("mise_a_jour"):  # the sitemap's lastmod: when its content changed, not the build's date
            page.update_date = page.meta["mise_a_jour"]
        page.edit_url = _build["session"].edit_url(page.file.src_uri)  # not docs/…: the record's or entry's file
        return ""  # converted by the core already: nothing for MkDocs to convert
    latest = _build["session"].latest
    if LATEST_MARKER in markdown:
        markdown = markdown.replace(LATEST_MARKER, pages.latest_markdown(latest, page.file.src_uri))
    if NEXT_EVENTS_MARKER in markdown:  # with the script that shows those still to come when the page is read
        markdown = markdown.replace(NEXT_EVENTS_MARKER, _build["session"].next_events)
        page.meta["agenda"] = True
    try:  # the legal pages' settings (mkdocs.yml, extra: legal:)
        markdown = legal.fill(markdown, config["extra"])
    except ValueError as error:
        raise PluginError(f"{page.file.src_uri} : {error}") from None
    for key in ("title", "description"):  # shown in <title>, the header and a meta tag
        if isinstance(page.meta.get(key), str):
            page.meta[key] = latest.redactor(page.meta[key])
    return latest.redactor(markdown)


def on_page_content(html, page, config, files):
    if not _is_generated(page):
        return html
    atomic.pause("pages")
    if "theme" in _build:  # a page an earlier build wrote, kept as the theme wrote it: no HTML to read now
        key = _build["keys"][page.file.src_uri] = _page_key(page)
        if _build["written"].intact(key):  # (a damaged or edited one is written again)
            _build["kept"].add(page.file.src_uri)
            return ""
    return _content(page)


def _content(page) -> str:
    rendered = _build["session"].html(page.file.src_uri)
    page.toc = get_toc(rendered.toc)
    return rendered.html


def on_page_context(context, page, config, nav):
    """Records and entries are not in the navigation (it would hold thousands of pages): their
    section's index is made current while they are written, so its tab is highlighted and the
    breadcrumb (overrides/partials/path.html) reads Accueil › Réunions › the record. Where the
    section has nothing else to list, the empty left column goes. Every page offers to report
    an error on it (overrides/partials/actions.html)."""
    if page.file.src_uri in _build.get("kept", ()):  # linked, not read nor written again (at 10,000 records,
        kept = _build["written"].path(_build["keys"][page.file.src_uri])  # 550 MB): the theme writes nothing
        atomic.put(kept, Path(page.file.abs_dest_path), link=True)
        context["irev_modele"] = "irev-page-gardee.html"
        return context
    context["irev_signaler"] = _report_url(page)
    if not _is_generated(page):
        return context
    section = page.file.src_uri.split("/")[0] + "/index.md"
    index = next((p for p in nav.pages if p.file.src_uri == section), None)
    if index is not None and index is not page:
        index.active = True  # and its parents: MkDocs sets them with it
        _build["current"] = index
    if index is not None and index.parent is None:
        page.meta["hide"] = [*page.meta.get("hide", []), "navigation"]
    return context


def on_post_page(output, page, config):
    current = _build.pop("current", None)
    if current is not None:
        current.active = False
    if page.file.src_uri in _build.get("kept", ()):
        return ""  # linked as kept: MkDocs writes nothing (it would write into the cache's file, in place)
    output = _valid_theme_markup(output)
    key = _build.get("keys", {}).get(page.file.src_uri)
    if key is not None:
        _build["written"].write(key, output.encode())
    return output


def on_post_template(output_content, template_name, config):
    return _valid_theme_markup(output_content) if template_name.endswith(".html") else output_content  # the 404


# Markup of the theme (Material 9.8) that the Nu HTML Checker refuses, on every page: `autocomplete`
# on its checkbox toggles, `tabindex=""` on navigation labels, and the table of contents' title
# labelling a toggle that pages outside the navigation do not have.
_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"')
_EMPTY_TABINDEX = re.compile(r'(<label\b[^>]*?)\s+tabindex=""')
_TOC_LABEL = '<label class="md-nav__title" for="__toc">'


def _valid_theme_markup(output: str) -> str:
    output = _EMPTY_TABINDEX.sub(r"\1", _CHECKBOX_AUTOCOMPLETE.sub(r"\1", output))
    if _TOC_LABEL in output and 'id="__toc"' not in output:
        output = output.replace(_TOC_LABEL, '<label class="md-nav__title">')
    return output


def _is_generated(page) -> bool:
    session = _build["session"]
    return page.file.src_uri in session.keys and page.file.abs_src_path.startswith(str(session.options.cache))


def on_post_build(config):
    session = _build["session"]
    site = Path(config["site_dir"])
    if "problems" in _build:
        _show_problems(site, _build["problems"])
    handed = _build.get("handed")  # (`--dirty`: MkDocs keeps the folder it wrote, and the PDFs put there)
    session.write_downloads(site, kept=bool(handed and not handed.first))
    if handed:
        handed.built(site)
    if "written" in _build:  # the pages kept: this build's only
        written = _build.pop("written")
        written.prune(set(_build.pop("keys").values()))
        written.save()
        _build.pop("kept")
    if session.serving and session.indexed:  # the locks held until the files are written: a build
        locks = _build.pop("locks", [])               # sharing the cache waits for them
        _build["background"] = session.finish_in_background(site, lambda: _release_locks(locks),
                                                            lambda error: _failed_in_background(site, error))
    else:
        with session.timed("fichiers servis"):
            session.write_later()
            session.write_files(site)
        if not session.serving:
            _release_pages()
        try:
            session.index(site)
        except RuntimeError as error:
            raise PluginError(str(error)) from error
    if "publish" in _build:
        with session.timed("publication"):
            _publish(config)
    log.info("irev : " + ", ".join(f"{step} {seconds} s" for step, seconds in session.timings.items()))
    if os.environ.get("IREV_TIMINGS"):
        Path(os.environ["IREV_TIMINGS"]).write_text(json.dumps(session.timings, ensure_ascii=False), encoding="utf-8")
    _release()


def _release_pages() -> None:
    """Hand memory back before Pagefind runs: it needs most of what the machine has."""
    for file in _build.pop("files", []):
        if file.page is not None:
            file.page.content = file.page.markdown = file.page.toc = None
    _build["session"].release()


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
    _release_locks(_build.pop("locks", []))


def _release_locks(locks: list) -> None:
    for lock in locks:
        lock.release()


def _failed_in_background(site: Path, error: OSError) -> None:
    """The preview's files not written (a full disk…): said in the terminal and on every page."""
    message = f"fichiers de l'aperçu non écrits ({error}) : ils le seront à la prochaine modification"
    log.error(message)
    state = _build.get("problems", {"problemes": [], "derniere_version_correcte": False})
    _show_problems(site, {**state, "problemes": [*state["problemes"], message]})


def _show_problems(site: Path, state: dict) -> None:
    """What the preview's banner reads (overrides/main.html)."""
    (site / PREVIEW_STATE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


def _finish_background() -> None:
    """While serving, the files of the previous edit are finished and its index dropped: the new build
    gets the processors."""
    thread, cancel = _build.pop("background", (None, None))
    if thread is not None:
        cancel.set()
        thread.join()


def on_shutdown():
    _finish_background()  # the index's work folder beside the site is removed, not left behind
    _build["session"].close()


class _ChangesObserver(watchdog.observers.Observer):
    """The system's notifications of changes only. Watchdog also reports a file opened or closed
    unwritten, and MkDocs rebuilds on any event: each rebuild, reading the templates and the code it
    watches, called for the next one, without end."""

    CHANGES = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent, events.FileMovedEvent,
               events.FileClosedEvent, events.FileAttribEvent]

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or self.CHANGES,
                                follow_symlink=follow_symlink)


def on_serve(server, config, builder):
    """Watch the content tree and the core too, through the system's notifications (inotify,
    FSEvents, ReadDirectoryChangesW): MkDocs polls every half second, walking every file, which
    at 10,000 records takes a fifth of a second a poll and up to a second to see an edit."""
    watched = [config["docs_dir"], config.config_file_path]  # what MkDocs watches already (make serve)
    for path in watched:
        server.unwatch(path)
    server.observer = _ChangesObserver()
    for path in [*watched, str(settings.content_dir()), str(ROOT / "irev"), str(guide.SOURCE)]:
        server.watch(path)
    _build["session"].memos.converters.start(2, config["markdown_extensions"], config["mdx_configs"])  # for the first edit
    return server
