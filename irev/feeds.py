"""Atom feeds of the latest resources: the whole site, each record type, each theme and territory.

Built from the catalogue, after redaction and without drafts, like the pages: a feed says what
the pages say. A theme's or territory's feed also carries the records of the narrower ones (a
commune's records are news for its département), as the search facets do. Each feed sits
beside the page it follows (`thematiques/x/flux.xml` for `thematiques/x/`), and that page names
it (`<link rel="alternate">`, written by the theme from the page's front matter).

feedgen writes the XML (escaping, Atom's required elements); the feed's date is its newest
entry's, never the build's, so an unchanged site makes the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from . import settings
from .catalogue import Catalogue
from .loading import Entry
from .pages import SECTION_TITLES, Renderer, entity_uri, index_uri, record_uri
from .rendering import page_url

FILE = "flux.xml"
SITE_FEED = FILE  # the whole site's, at the site's root
LATEST = 30  # entries of the site's and each type's feed
LATEST_ENTITY = 20  # entries of a theme's or territory's feed
ENTITY_KINDS = ("theme", "territoire")
AUTHOR = "IREV — centre de ressources Politique de la ville Hauts-de-France"


@dataclass(frozen=True)
class Feed:
    page: str  # source of the page it follows ("" for the site's: the home page and every page name it)
    uri: str  # where the site serves it
    title: str
    xml: bytes


def feed_uri(page_src: str) -> str:
    """The feed beside a page: `thematiques/x.md` -> `thematiques/x/flux.xml`."""
    return page_url(page_src) + FILE


def build(renderer: Renderer, site_url: str) -> list[Feed]:
    """Every feed with at least one entry (the renderer names entries as the pages do)."""
    cat = renderer.catalogue
    items = _Items(renderer, site_url)
    ordered = sorted(cat.records.values(), key=lambda entry: cat.rank[entry.id])  # newest first
    feeds = [items.feed("", SITE_FEED, "IREV — dernières ressources", ordered[:LATEST])]
    for kind, title in SECTION_TITLES.items():
        of_kind = [entry for entry in ordered if entry.kind == kind][:LATEST]
        if of_kind:
            source = index_uri(kind)
            feeds.append(items.feed(source, feed_uri(source), f"IREV — {title}", of_kind))
    for kind in ENTITY_KINDS:
        for ident, entries in _by_entry(cat, kind, ordered).items():
            source = entity_uri(kind, ident)
            name = items.renderer.name(ident, kind)
            feeds.append(items.feed(source, feed_uri(source), f"IREV — {name}", entries))
    return feeds


def _by_entry(cat: Catalogue, kind: str, ordered: list[Entry]) -> dict[str, list[Entry]]:
    """The latest records of each theme or territory, its narrower ones' included, newest first."""
    found: dict[str, list[Entry]] = {}
    field = "themes" if kind == "theme" else "territoires"
    for entry in ordered:
        direct = list(getattr(entry.model, field))
        if kind == "territoire" and getattr(entry.model, "territoire", None):  # a plan's own territory
            direct.append(entry.model.territoire)
        for ident in dict.fromkeys(i for d in direct for i in [*cat.ancestors(kind, d), d]):
            if cat.get(kind, ident) is not None:
                shown = found.setdefault(ident, [])
                if len(shown) < LATEST_ENTITY:
                    shown.append(entry)
    return found


class _Items:
    """Feeds and their entries."""

    def __init__(self, renderer: Renderer, site_url: str):
        self.renderer, self.site_url = renderer, site_url
        self.themes = settings.absolute_url(page_url(index_uri("theme")), site_url)  # the categories' scheme

    def url(self, src_uri: str) -> str:
        return settings.absolute_url(page_url(src_uri), self.site_url)

    def feed(self, page: str, uri: str, title: str, entries: list[Entry]) -> Feed:
        generator = FeedGenerator()
        address = settings.absolute_url(uri, self.site_url)
        generator.id(address)
        generator.title(title)
        generator.author(name=AUTHOR)
        generator.link(href=self.url(page) if page else self.site_url, rel="alternate", type="text/html")
        generator.link(href=address, rel="self", type="application/atom+xml")
        generator.language("fr")
        # The newest entry's date; an empty feed (nothing published yet: the site's) is dated today.
        generator.updated(max((_moment(e.model.updated()) for e in entries), default=_moment(dt.date.today())))
        for entry in reversed(entries):  # feedgen puts each new entry first
            self.add(generator, entry)
        return Feed(page, uri, title, generator.atom_str(pretty=True))

    def add(self, generator: FeedGenerator, entry: Entry) -> None:
        model, source = entry.model, record_uri(entry)
        item = generator.add_entry()
        item.id(self.url(source))
        item.title(model.titre)
        item.link(href=self.url(source), rel="alternate", type="text/html")
        item.published(_moment(model.sort_date()))
        item.updated(_moment(model.updated()))
        item.category(term=entry.kind, label=model.kind_label())
        for ident in model.themes:
            name = self.renderer.name(ident, "theme")
            if name:
                item.category(term=ident, label=name, scheme=self.themes)
        summary = self.renderer.summary_text(entry)
        if summary:
            item.summary(summary)


def _moment(day) -> dt.datetime:
    """A date (a partial one at its first day) as a feed's moment."""
    day = getattr(day, "first_day", day)
    return dt.datetime(day.year, day.month, day.day, tzinfo=settings.PARIS)

