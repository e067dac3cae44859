"""Times the PDF downloads (irev/pdf.py) of a content tree's record pages: per PDF, and for the
whole tree cold (one process, then `workers` processes) and warm.

    .venv/bin/python scripts/bench_pdf.py [--content DIR] [--workers 2]

The pages' HTML is made the build's way by the core (loading, catalogue, pages, rendering with
mkdocs.yml's Markdown extensions), into a temporary folder; so are the PDFs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from irev import catalogue, loading, pages, pdf, rendering  # noqa: E402


def markdown_settings() -> tuple[list, dict]:
    """The Markdown extensions of mkdocs.yml and their settings, as MkDocs hands them to the hook
    (read by MkDocs: mkdocs.yml has tags such as `!ENV` that plain YAML does not know)."""
    from mkdocs.config import load_config
    config = load_config(str(ROOT / "mkdocs.yml"))
    return config["markdown_extensions"], config["mdx_configs"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cat, _ = catalogue.build(loading.load(args.content))
        records = {pages.record_uri(entry): entry for entry in cat.records.values()}
        generated = [page for page in pages.generate(cat) if page.searchable]
        keys = rendering.render_pages([(p.src_uri, p.text) for p in generated], *markdown_settings(), work / "html",
                                      workers=2)

        def items():
            for page in generated:
                model = records[page.src_uri].model
                meta = pdf.Meta(model.titre, type(model).LABEL, "https://ressources.irev.fr/"
                                + rendering.page_url(page.src_uri), None)
                yield keys[page.src_uri], meta, lambda uri=page.src_uri: rendering.read(work / "html", keys[uri]).html

        sample = [(html(), meta) for _, meta, html in list(items())[:200]]
        pdf.document(*sample[0])  # fonts loaded, template parsed
        times, cpu, sizes = [], [], []
        for html, meta in sample:
            start, start_cpu = time.perf_counter(), time.process_time()
            sizes.append(len(pdf.document(html, meta)))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        times.sort()
        print(f"{len(generated)} record pages; per PDF over {len(sample)}: median {1000 * statistics.median(times):.1f} ms, "
              f"90th percentile {1000 * times[int(len(times) * 0.9)]:.1f} ms, max {1000 * times[-1]:.1f} ms "
              f"(CPU: median {1000 * statistics.median(cpu):.1f} ms); median size {statistics.median(sizes) / 1024:.0f} KB")
        print(f"load average of the machine: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        for label, workers, cache in (("cold, 1 process", 1, "one"), (f"cold, {args.workers} processes", args.workers,
                                      "many"), (f"warm, {args.workers} processes", args.workers, "many")):
            start = time.perf_counter()
            pdf.cached_many(items(), work / cache, workers=workers)
            print(f"{label}: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
