"""Shared helpers: content trees to break on purpose, and real MkDocs builds."""

from __future__ import annotations

import contextlib
import functools
import gzip
import html.parser
import io
import json
import os
import re
import shutil
import signal
import socket
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from irev import search
from irev.entries import Stamped
from irev.parsing import ParseCache

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def tree(tmp_path) -> Path:
    """A writable copy of the minimal valid content tree."""
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target


@functools.cache
def markdown_settings() -> tuple[list, dict]:
    """The Markdown extensions of mkdocs.yml and their settings, as MkDocs hands them to the hook."""
    from mkdocs.config import load_config
    config = load_config(str(ROOT / "mkdocs.yml"))
    return config["markdown_extensions"], config["mdx_configs"]


def session_options(content: Path, cache: Path):
    """What the hook hands the build session for a content tree, Markdown settings from mkdocs.yml."""
    from irev.site import Options
    return Options(content, cache, *markdown_settings())


def run_alone(code: str) -> dict:
    """What a fresh interpreter running `code` printed last, as JSON (only a process of one thread forks:
    pytest's may have started some)."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _environment(content: Path, env: dict) -> dict:
    # The forges' CI formats (irev/forge.py) only where a test asks for them, even when the tests run in CI.
    inherited = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITLAB_CI")}
    return {**inherited, "CONTENT_DIR": str(content), "NO_MKDOCS_2_WARNING": "1", **env}


def run(args: list[str], content: Path, **env) -> subprocess.CompletedProcess:
    """Run a command of the project (python -m …) on a content tree, as `make` would."""
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=_environment(content, env),
                          capture_output=True, text=True)


def _build(site_dir: Path, env: dict) -> tuple[list[str], dict]:
    """`mkdocs build --strict` into site_dir, its cache beside it unless env names one."""
    return ["mkdocs", "build", "--strict", "--site-dir", str(site_dir)], {
        "IREV_CACHE_DIR": str(site_dir.parent / f"{site_dir.name}-cache"), **env}


@contextlib.contextmanager
def no_hang(seconds: int = 60):
    """Fails a test still running after `seconds` (a guard against a hang or an explosion, not a
    measure of speed: performance is measured by `make bench`)."""
    def hang(*_):
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def own_docs(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the hand-written pages and a configuration using it: (docs folder, mkdocs.yml)."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    config = write(tmp_path / "mkdocs.yml", f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\n"
                   f"theme:\n  custom_dir: {ROOT / 'overrides'}\nhooks:\n  - {ROOT / 'hooks' / 'irev_hook.py'}\n")
    return docs, config


def build_site(content: Path, site_dir: Path, **env) -> subprocess.CompletedProcess:
    """A real `mkdocs build --strict` of a content tree into site_dir (its cache beside it)."""
    args, env = _build(site_dir, env)
    return run(args, content, **env)


def built_tree(tmp_path_factory, tree: Path) -> Path:
    """A fixture tree built once by a real `mkdocs build --strict` (for a module-scoped fixture): its site."""
    site = tmp_path_factory.mktemp(tree.name) / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    return site


def record_pdf(site: Path, uri: str, properties: bool = True) -> str:
    """The text of a record page's PDF, served beside it (`reunions/x` -> reunions/x/x.pdf)."""
    return pdf_text((site / uri / f"{uri.rsplit('/', 1)[1]}.pdf").read_bytes(), properties)


def search_fragments(site: Path) -> dict[str, dict]:
    """The search index's fragment of each page (its text, facets and metadata; the main index and its
    parts), by URL."""
    found = {}
    for path in (site / "pagefind").rglob("fragment/*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[fragment["url"]] = fragment
    return found


def start_build(content: Path, site_dir: Path, output: Path, **env) -> subprocess.Popen:
    """build_site started in the background, what it writes on the terminal going to `output`."""
    args, env = _build(site_dir, env)
    with output.open("w", encoding="utf-8") as terminal:
        return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=_environment(content, env),
                                stdout=terminal, stderr=subprocess.STDOUT)


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not after {timeout} s")
        time.sleep(0.05)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, hidden ones included, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def changes(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The files (of two snapshots) added, removed or changed."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


# Pagefind writes its filter files in no fixed order (their names are hashes of their content,
# and the metadata file names them): two correct builds differ there, and only there.
_UNORDERED = re.compile(r"(^|/)filter/[^/]+$|\.pf_meta$|(^|/)pagefind-entry\.json$")


def assert_same_site(site: Path, reference: Path) -> None:
    """Two builds of the same content made the same site: the same files, hidden ones included,
    with the same bytes; Pagefind's unordered files the same in number, and the same page count."""
    def stable(folder):
        files = snapshot(folder)
        unordered = sorted(re.sub(r"[^/]+$", "*", path) for path in files if _UNORDERED.search(path))
        counts = [json.loads(data)["languages"]["fr"]["page_count"] for path, data in files.items()
                  if path.endswith("pagefind-entry.json")]
        return {path: data for path, data in files.items() if not _UNORDERED.search(path)}, unordered, counts

    built, expected = stable(site), stable(reference)
    assert changes(expected[0], built[0]) == []
    assert built[1:] == expected[1:]


def assert_cache_whole(cache: Path, tmp_path: Path) -> None:
    """Every HTML entry verified, the parse cache read, the kept search index reusable."""
    entries = list((cache / "html").glob("*/*"))
    ledger = Stamped.opened(cache / "html", ".page")
    assert entries and all(entry.suffix == ".page" and ledger.intact(entry.stem) for entry in entries)
    assert ParseCache(cache / "yaml.marshal").entries
    [kept] = (cache / "pagefind").iterdir()
    (tmp_path / "reused").mkdir(exist_ok=True)
    assert search.index_site_cached(tmp_path / "reused", [], kept.name, cache / "pagefind")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built once from the project's real content; its search index in parts of
    5 records, so that every search test also goes through the merging of parts."""
    site = tmp_path_factory.mktemp("site") / "site"
    result = build_site(CONTENT, site, IREV_INDEX_PART="5")
    assert result.returncode == 0, result.stderr
    return site


def site_text(site: Path) -> dict[str, str]:
    """Every output file as text, the gzipped Pagefind index included (decompressed), a PDF's
    text and properties as a reader shows them."""
    texts = {}
    for path in (p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "ignore")
        texts[str(path.relative_to(site))] = pdf_text(data) if path.suffix == ".pdf" else text
    return texts


def pdf_text(data: bytes, properties: bool = True) -> str:
    """A PDF's text, page by page, then (unless not wanted) its document properties (title, author…)."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    shown = [str(value) for value in (reader.metadata or {}).values()] if properties else []
    return "\n".join([page.extract_text() for page in reader.pages] + shown)


# What the theme itself runs: its bundle, its configuration, two inline scripts; the library's script.
THEME_SCRIPTS = ("__md_scope=", "var target=document.getElementById")
SITE_SCRIPTS = re.compile(r"^(\.\./)*(/)?assets/(javascripts/bundle\.[0-9a-f]+\.min\.js|ressources\.js|agenda\.js)$")
ACTIVE_ELEMENTS = {"iframe", "frame", "object", "embed", "applet", "base", "math", "style", "link", "meta"}


class _ActiveContent(html.parser.HTMLParser):
    """Collects what could run or load something in a page, beyond what the theme puts there."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_head = False
        self.script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.in_head = self.in_head or tag == "head"
        if tag == "body":
            self.in_head = False
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and value and \
                    re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag in ACTIVE_ELEMENTS and not self.in_head:
            self.found.append(f"<{tag}>")
        if tag == "script":
            self.script = attributes
            self.script_text = ""

    def handle_data(self, data):
        if self.script is not None:
            self.script_text += data

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            attributes, self.script = self.script, None
            if attributes.get("type") == "application/ld+json" and _json(self.script_text):
                return  # data a browser never runs (irev/sharing.py)
            if attributes.get("id") == "__config" or SITE_SCRIPTS.match(attributes.get("src") or "-") or \
                    (not attributes.get("src") and self.script_text.startswith(THEME_SCRIPTS)):
                return
            self.found.append(f"<script {attributes}>{self.script_text[:40]}")


def _json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def active_in(page: str) -> list[str]:
    """Active content in a page's HTML that the theme did not put there."""
    parser = _ActiveContent()
    parser.feed(page)
    return parser.found


def active_content(site: Path) -> dict[str, list[str]]:
    """Active content in every HTML page of a built site that the theme did not put there."""
    found = {str(path.relative_to(site)): active_in(path.read_text(encoding="utf-8")) for path in site.rglob("*.html")}
    return {name: items for name, items in found.items() if items}


def page_text(site: Path, url_path: str) -> str:
    """The visible text of a built page's article, whitespace folded (tags dropped)."""
    page = (site / url_path / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"): page.index("</article>")]
    article = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", article)
    article = re.sub(r'<p class="irev-actions".*?</p>', "", article, flags=re.S)  # « Modifier cette page »…
    text = html.unescape(re.sub(r"<[^>]+>", " ", article)).replace("\xa0", " ")
    return " ".join(text.split())


@contextlib.contextmanager
def mkdocs_serve(content: Path, tmp_path: Path, log: Path | None = None, dirty: bool = True, **env):
    """The real `mkdocs serve --dirty` (as `make serve`) of a content tree on a free loopback port:
    its address. `log`: where MkDocs writes its log, with its debug messages."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "CONTENT_DIR": str(content), "IREV_CACHE_DIR": str(tmp_path / "serve-cache"),
                   "NO_MKDOCS_2_WARNING": "1", **env}
    output = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", *(["--dirty"] if dirty else []),
                               "-a", f"127.0.0.1:{port}", *(["--verbose"] if log else [])],
                              cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=output,
                              preexec_fn=interruptible)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if log:
            output.close()
        server.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs removes its folder, the hook its index under way
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a preview stuck in a build must not hang the tests
            server.kill()
            server.wait()


def interruptible() -> None:
    """In a child about to run a server: Ctrl-C (SIGINT) stops it even where this process ignores
    it (a command started in the background by a shell does), as the child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def served(url: str, wanted: str, timeout: float = 60) -> str:
    """The document at url once it contains `wanted` (mkdocs serve rebuilds after an edit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(url, timeout=10).read().decode()
            if wanted in text:
                return text
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"« {wanted} » jamais servi à {url}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve a built site on a free loopback port, for the browser tests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; required in CI, skipped elsewhere when absent."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI: .ci/run installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh French page; fails the test if the site loaded anything from another host."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site_url) else None)
    yield page
    context.close()
    assert outside == [], f"the page loaded third-party resources: {outside}"
