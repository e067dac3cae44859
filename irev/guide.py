"""The editors' guide: CONTRIBUER.md at the project's root, also a page of the site (/contribuer/).

One source: GitHub and GitLab show the file, the build makes the page from it. Only the links to
its own headings change: the forges name a heading's anchor after its text with its accents
(`#ajouter-une-réunion`), the site's table of contents (Python-Markdown's toc, mkdocs.yml) without
them (`#ajouter-une-reunion`).
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify

from .settings import PROJECT

SOURCE = PROJECT / "CONTRIBUER.md"
PAGE = "contribuer.md"  # its source on the site: /contribuer/

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LOCAL_LINK = re.compile(r"\]\(#([^)\s]+)\)")


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of each heading, those inside fenced blocks left out."""
    found, fence = [], None
    for line in markdown.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and (heading := _HEADING.match(line)):
            found.append((len(heading.group(1)), heading.group(2).replace("`", "")))
    return found


def forge_anchor(text: str) -> str:
    """A heading's anchor on GitHub (and GitLab, for text without runs of punctuation): lowercase,
    punctuation removed, accents kept, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def site_anchor(text: str) -> str:
    """A heading's anchor on the site: the toc extension's default slug."""
    return slugify(text, "-")


def page_markdown(source: Path = SOURCE) -> str:
    """The guide as the site's page: its links to its own headings pointed at the site's anchors."""
    text = source.read_text(encoding="utf-8")
    anchors = {forge_anchor(title): site_anchor(title) for _, title in headings(text)}
    return _LOCAL_LINK.sub(lambda link: f"](#{anchors.get(link.group(1), link.group(1))})", text)
