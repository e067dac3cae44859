"""Every internal link and anchor of the built site leads somewhere (external links are listed,
never fetched: no network in tests)."""

from __future__ import annotations

import functools
import html.parser
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(html.parser.HTMLParser):
    """The link targets (href, src) and the ids of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") in ("canonical", "alternate")):
                self.targets.append(attrs[name])


@functools.cache
def _parsed(path: Path) -> _Links:
    links = _Links()
    links.feed(path.read_text(encoding="utf-8", errors="replace"))
    return links


def _file_of(site: Path, url_path: str) -> Path | None:
    """The file a site path is served from (a folder: its index.html)."""
    target = site / url_path.lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def broken_links(site: Path) -> tuple[list[str], set[str]]:
    """(every broken internal link or anchor as « page -> target », the external addresses)."""
    broken, external = [], set()
    for page in sorted(site.rglob("*.html")):
        here = "/" + page.relative_to(site).as_posix()
        base = here.rpartition("/")[0] + "/"
        for target in _parsed(page).targets:
            parts = urlsplit(target)
            if parts.scheme in ("http", "https"):
                external.add(target)
                continue
            if parts.scheme or target.startswith("//"):
                continue  # mailto:, tel:, data:
            path = unquote(parts.path)
            resolved = here if not path else posixpath.normpath(posixpath.join(base, path)) + ("/" if path.endswith("/") else "")
            file = _file_of(site, resolved)
            if file is None:
                broken.append(f"{here} -> {target}")
            elif parts.fragment and file.suffix == ".html" and unquote(parts.fragment) not in _parsed(file).ids:
                broken.append(f"{here} -> {target} (ancre absente)")
    return broken, external


def test_every_internal_link_and_anchor_of_the_site_leads_somewhere(real_site):
    broken, external = broken_links(real_site)
    print(f"\n{len(external)} adresse(s) externe(s), non vérifiées (pas de réseau) :", *sorted(external), sep="\n  ")
    assert broken == []
    assert len(list(real_site.rglob("*.html"))) > 200 and external  # the whole site was read; external links listed


def test_a_missing_page_or_anchor_is_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="ici">x</h2><a href="../b/">b</a><a href="#ici">ici</a>'
                                              '<a href="../c/#nulle-part">c</a><a href="https://www.irev.fr/">irev</a>')
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "index.html").write_text("<p>c</p>")
    broken, external = broken_links(tmp_path)
    assert broken == ["/a/index.html -> ../b/", "/a/index.html -> ../c/#nulle-part (ancre absente)"]
    assert external == {"https://www.irev.fr/"}
