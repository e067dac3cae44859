"""Benchmark: `make bench` (or `python scripts/bench.py --sizes 1000 10000`).

For the seed corpus and generated corpora of each size, measures in one session:
`irev check`; a cold build (empty cache) and a warm build (cache kept, nothing changed),
with the hooks' own steps; pages written, site size, median record page; the bytes a
first search transfers; the time `mkdocs serve --dirty` takes to show an edited record.
A baseline of the same pages as plain Markdown built by stock MkDocs + Material
(section-level navigation, no hooks) is built in the same run, and figures are given
as ratios to it. Results go to benchmarks/results.md (and .json beside it).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from irev import catalogue, loading, pages  # noqa: E402

RECORD_SECTIONS = ("reunions", "cycles", "plans", "fiches")
QUERY = "logement"


# --- measuring a command ---------------------------------------------------------------------


def _tree_pss_kb(pid: int) -> int:
    """Memory of a process and all its descendants, from /proc: the sum of their proportional
    set sizes (PSS), so that pages forked processes share are counted once, not once each."""
    children: dict[int, list[int]] = {}
    pss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/smaps_rollup") as handle:
                pss[int(entry)] = next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += pss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def measure(command: list[str], env: dict, cwd: Path = ROOT) -> tuple[dict, str]:
    """Wall time, peak memory (whole process tree, sampled every 0.1 s) and what a command read from
    the disk (its processes once ended: a file the system had dropped from its cache is read again);
    and what it printed."""
    read_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_inblock
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        peak = max(peak, _tree_pss_kb(process.pid))
        time.sleep(0.1)
    reader.join()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} a échoué :\n{''.join(output)[-3000:]}")
    read = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_inblock - read_before) * 512  # (in 512-byte blocks)
    return {"seconds": round(seconds, 2), "peak_mb": round(peak / 1024), "read_mb": round(read / 2**20)}, "".join(output)


# --- one corpus ------------------------------------------------------------------------------


def site_figures(site: Path) -> dict:
    html = list(site.rglob("*.html"))
    records = [p for p in html if p.parent.parent.name in RECORD_SECTIONS and p.parent.parent.parent == site]
    sizes = [p.stat().st_size for p in records]
    pdfs = [p.stat().st_size for section in RECORD_SECTIONS for p in site.glob(f"{section}/*/*.pdf")]  # beside their pages
    return {
        "pages": sum(1 for p in html if p.name == "index.html"),
        "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1),
        "median_record_kb": round(statistics.median(sizes) / 1024, 1) if sizes else 0,
        "pdfs": len(pdfs), "pdf_mb": round(sum(pdfs) / 2**20, 1),
        "median_pdf_kb": round(statistics.median(pdfs) / 1024, 1) if pdfs else 0,
    }


class _Gzip(SimpleHTTPRequestHandler):
    """A static server compressing text as production servers do (Pagefind's index is gzipped already)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix in (".js", ".css", ".html", ".json") and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


def search_bytes(site: Path) -> dict:
    """Bytes the resource library transfers from /pagefind/ for a first query, in a real browser:
    until the first results are shown, and once the facets are loaded too."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ressources/?q={QUERY}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page()
            finished = []  # the worker's requests too, which the page's own timeline does not list
            page.on("requestfinished", lambda r: finished.append(r) if "/pagefind/" in r.url else None)
            page.goto(url)
            page.wait_for_selector("[data-first-results-at]", timeout=120_000)
            page.wait_for_selector(".irev-facet", timeout=120_000)
            page.wait_for_load_state("networkidle")
            shown_at = page.evaluate(
                "performance.timeOrigin + Number(document.getElementById('bibliotheque').dataset.firstResultsAt)")
            entries = [(r.url, r.sizes()["responseBodySize"], r.timing["startTime"] + r.timing["responseEnd"] <= shown_at)
                       for r in finished]
            browser.close()
    finally:
        server.shutdown()
    sizes = {name: size for name, size, _ in entries}
    first = {name: size for name, size, early in entries if early}
    kinds: dict[str, int] = {}
    for address, size in sizes.items():
        name = re.sub(r"^parts/\d+/", "", address.split("/pagefind/")[1].split("?")[0])  # a part's files alike
        kind = name.split("/")[0] if "/" in name else ("wasm" if "wasm" in name else name.split(".")[-1])
        kinds[kind] = kinds.get(kind, 0) + size
    return {"search_kb": round(sum(first.values()) / 1024, 1), "search_facets_kb": round(sum(sizes.values()) / 1024, 1),
            "search_detail_kb": {k: round(v / 1024, 1) for k, v in sorted(kinds.items())}}


def preview_seconds(content: Path, cache: Path) -> dict[str, float]:
    """Time from editing one record to `mkdocs serve --dirty` serving the change: an edit of
    its text (the body: only its page is remade), then of a field (its title: every page is)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    timings = cache.parent / "timings-preview.json"
    env = {**os.environ, "CONTENT_DIR": str(content), "IREV_CACHE_DIR": str(cache), "NO_MKDOCS_2_WARNING": "1",
           "IREV_TIMINGS": str(timings)}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if `make bench` ignores it
    try:
        for line in server.stderr:
            if "Serving on" in line:
                break
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
        records = sorted((content / "meetings").glob("*.md"))
        record = records[len(records) // 2]
        url = f"http://127.0.0.1:{port}/reunions/{record.stem}/"
        marker = f"Modification mesurée {time.time_ns()}"
        edits = {"texte": lambda text: text.rstrip("\n") + f"\n\n{marker}\n",
                 "champ": lambda text: re.sub(r"(?m)^titre: .*$", f"titre: {marker} (titre)", text, count=1)}
        found = {}
        for name, edit in edits.items():
            found[name] = _time_edit(record, edit, url, marker if name == "texte" else f"{marker} (titre)")
            found[f"{name}_pdf"] = json.loads(timings.read_text())["PDF"]  # the edited record's PDF, made again
        return found
    finally:
        server.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs removes its folder (2.4 GB at 10,000 records)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _time_edit(record: Path, edit, url: str, wanted: str) -> float:
    time.sleep(1.5)  # let the watcher settle after the previous build
    start = time.perf_counter()
    record.write_text(edit(record.read_text(encoding="utf-8")), encoding="utf-8")
    while time.perf_counter() - start < 600:
        try:
            if wanted in urllib.request.urlopen(url, timeout=30).read().decode():
                return round(time.perf_counter() - start, 2)
        except OSError:
            pass
        time.sleep(0.02)  # (0.1 s until the twelfth run: up to that much was the polling's, not the preview's)
    raise RuntimeError("la page modifiée n'a pas été servie en 10 minutes")


def baseline_tree(content: Path, directory: Path) -> int:
    """The site's generated pages as plain Markdown for stock MkDocs + Material."""
    cat, _ = catalogue.build(loading.load(content))
    generated = pages.generate(cat)
    docs = directory / "docs"
    for page in generated:
        path = docs / page.src_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.markdown, encoding="utf-8")
    (docs / "index.md").write_text("# Accueil\n", encoding="utf-8")
    sections = [f"  - {p.title}: {p.src_uri}" for p in generated if p.src_uri.endswith("/index.md")]
    (directory / "mkdocs.yml").write_text(
        "site_name: Référence\ntheme:\n  name: material\n  language: fr\n  font: false\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables, def_list, toc]\n"
        "validation:\n  nav:\n    omitted_files: ignore\n  links:\n    not_found: ignore\n    unrecognized_links: ignore\n"
        "nav:\n  - Accueil: index.md\n" + "\n".join(sections) + "\n", encoding="utf-8")
    return len(generated) + 1


def bench_corpus(name: str, content: Path, work: Path, with_preview: bool) -> dict:
    env = {"CONTENT_DIR": str(content), "NO_MKDOCS_2_WARNING": "1"}
    result: dict = {"corpus": name}
    for phase in ("check", "check_cached"):  # a first run, then one with the parse cache it left
        result[phase], output = measure([sys.executable, "-m", "irev", "check"],
                                        {**env, "IREV_CACHE_DIR": str(work / "check-cache")})
    result["records"] = int(re.search(r"(\d+) ressource", output).group(1))
    cache, site = work / "cache", work / "site"
    for phase in ("cold", "warm"):
        timings = work / f"timings-{phase}.json"
        run, _ = measure([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                         {**env, "IREV_CACHE_DIR": str(cache), "IREV_TIMINGS": str(timings)})
        result[phase] = {**run, "hooks": json.loads(timings.read_text())}
    result.update(site_figures(site))
    result.update(search_bytes(site))
    if with_preview:
        result["preview_seconds"] = preview_seconds(content, cache)
    reference = work / "baseline"
    baseline_pages = baseline_tree(content, reference)
    stock, _ = measure([sys.executable, "-m", "mkdocs", "build", "-d", str(reference / "site")], {"NO_MKDOCS_2_WARNING": "1"},
                       cwd=reference)
    result["baseline"] = {"pages": baseline_pages, **stock,
                          **{k: v for k, v in site_figures(reference / "site").items() if k != "pages"}}
    return result


# --- report ----------------------------------------------------------------------------------


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "–"


def report(results: list[dict]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d')} — {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Times are wall-clock seconds; memory is the peak resident memory of the "
        "whole process tree (sum of proportional set sizes, so pages shared by forked processes count once; sampled every 0.1 s). Ratios divide by the baseline built in the same run: the same pages "
        "as plain Markdown, built by stock MkDocs 1.6 + Material (section-level navigation, no hooks, its lunr search).",
        "",
        "Targets, where the time and memory go, and what was tried: [README.md](README.md).",
        "",
        "| corpus | records | pages | check s (first run / cached) | check MB | cold s (ratio) | warm s (ratio) | build peak MB (ratio) "
        "| site MB (ratio) | median record page KB (ratio) | first search KB (with facets) "
        "| preview, text edit s (÷ cold) | preview, field edit s (÷ cold) | preview, the record's PDF s "
        "| PDFs (MB, median KB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        b = r["baseline"]
        preview = " | ".join(f"{r['preview_seconds'][edit]} ({r['preview_seconds'][edit] / r['cold']['seconds']:.2f})"
                             if "preview_seconds" in r else "–" for edit in ("texte", "champ"))
        lines.append(
            f"| {r['corpus']} | {r['records']} | {r['pages']} | {r['check']['seconds']} / {r['check_cached']['seconds']} "
            f"| {r['check']['peak_mb']} "
            f"| {r['cold']['seconds']} ({ratio(r['cold']['seconds'], b['seconds'])}) "
            f"| {r['warm']['seconds']} ({ratio(r['warm']['seconds'], b['seconds'])}) "
            f"| {max(r['cold']['peak_mb'], r['warm']['peak_mb'])} ({ratio(max(r['cold']['peak_mb'], r['warm']['peak_mb']), b['peak_mb'])}) "
            f"| {r['site_mb']} ({ratio(r['site_mb'], b['site_mb'])}) "
            f"| {r['median_record_kb']} ({ratio(r['median_record_kb'], b['median_record_kb'])}) "
            f"| {r['search_kb']} ({r['search_facets_kb']}) | {preview} "
            f"| {r['preview_seconds']['texte_pdf'] if 'preview_seconds' in r else '–'} "
            f"| {r['pdfs']} ({r['pdf_mb']}, {r['median_pdf_kb']}) |")
    lines += ["", "## Baseline (stock MkDocs + Material)", "",
              "| corpus | pages | build s | peak MB | site MB | median record page KB |", "|---|---|---|---|---|---|"]
    for r in results:
        b = r["baseline"]
        lines.append(f"| {r['corpus']} | {b['pages']} | {b['seconds']} | {b['peak_mb']} | {b['site_mb']} | {b['median_record_kb']} |")
    lines += ["", "## Read from the disk (MB)", "",
              "What each run's processes read from the disk rather than from the system's cache of files: much more "
              "than the content and caches a run needs means the machine had dropped them from memory, and its "
              "times then measure the disk.", "",
              "| corpus | check (first run / cached) | cold build | warm build | baseline build |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['corpus']} | {r['check']['read_mb']} / {r['check_cached']['read_mb']} "
                     f"| {r['cold']['read_mb']} | {r['warm']['read_mb']} | {r['baseline']['read_mb']} |")
    lines += ["", "## Where the hooks' time goes (seconds)", "", "| corpus | build | " + " | ".join(
        results[0]["cold"]["hooks"]) + " |", "|---|---|" + "---|" * len(results[0]["cold"]["hooks"])]
    for r in results:
        for phase in ("cold", "warm"):
            lines.append(f"| {r['corpus']} | {phase} | " + " | ".join(str(v) for v in r[phase]["hooks"].values()) + " |")
    lines += ["", "## First search, by kind of file, facets included (KB, as transferred, text gzipped)", ""]
    for r in results:
        lines.append(f"- {r['corpus']}: " + ", ".join(f"{k} {v}" for k, v in r["search_detail_kb"].items()))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure la validation, la construction et la recherche du site.")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000], help="tailles des corpus générés")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md", help="fichier de résultats")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="irev-bench-") as temporary:
        work = Path(temporary)
        corpora = [("seed", ROOT / "content")]
        for size in args.sizes:
            target = work / f"corpus-{size}"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--records", str(size),
                            "--out", str(target)], check=True, cwd=ROOT)
            corpora.append((str(size), target))
        for name, content in corpora:
            print(f"… {name}", flush=True)
            results.append(bench_corpus(name, content, work / f"run-{name}", with_preview=name != "seed"))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"écrit : {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
