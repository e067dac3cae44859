"""MkDocs adapter: a thin layer over the `irev` core, which knows nothing of MkDocs.

- on_config: load and validate the content tree, once per build; any problem stops the
  build before anything is written (nothing is published half-built), with every
  problem listed in French as `file:line: field: message`.
- on_files: add the generated pages and the attachments as in-memory files
  (never written into docs/).
- on_page_markdown: fill the home page's list of latest resources.
- on_serve: watch the content tree, so `make serve` reloads on an edit.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the core lives beside hooks/

from irev import catalogue, loading, pages  # noqa: E402
from irev.cli import content_dir  # noqa: E402

log = logging.getLogger("mkdocs.hooks.irev")
LATEST_MARKER = "<!-- dernieres-ressources -->"
_build: dict = {}  # what on_config computed, for the later events of the same build


def on_config(config):
    root = content_dir()
    content = loading.load(root)
    cat, problems = catalogue.build(content, show_drafts=os.environ.get("IREV_BROUILLONS") == "1")
    problems = sorted(content.problems + problems)
    for problem in problems:  # warnings are shown without failing a --strict build
        (log.info if problem.warning else log.error)(("ATTENTION " if problem.warning else "") + str(problem))
    errors = sum(not p.warning for p in problems)
    if errors:
        raise PluginError(f"Contenu invalide ({root}) : {errors} erreur(s), listée(s) ci-dessus. Rien n'a été publié.")
    _build.update(root=root, catalogue=cat, pages=pages.generate(cat))
    return config


def on_files(files, config):
    for page in _build["pages"]:
        files.append(File.generated(config, page.src_uri, content=page.markdown))
    attachments = _build["root"] / loading.ATTACHMENTS_DIR
    for path in sorted(p for p in attachments.rglob("*") if p.is_file()):
        uri = f"{loading.ATTACHMENTS_DIR}/{path.relative_to(attachments).as_posix()}"
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "index.md" and LATEST_MARKER in markdown:
        return markdown.replace(LATEST_MARKER, pages.latest_markdown(_build["catalogue"], "index.md"))
    return markdown


def on_serve(server, config, builder):
    server.watch(str(content_dir()))
    server.watch(str(Path(__file__).resolve().parent.parent / "irev"))
    return server
