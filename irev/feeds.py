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
import heapq
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


def maker(renderer: Renderer, site_url: str) -> Items:
    """What makes each job's feed (the build session calls jobs, maker and make_one)."""
    return Items(renderer, site_url)


def jobs(renderer: Renderer) -> list[tuple]:
    """One job per feed: ("site",), ("kind", kind) per record type, ("entity", kind, id) per theme or
    territory with a page. While serving, the session remakes only those whose inputs changed."""
    cat = renderer.catalogue
    return [("site",), *(("kind", kind) for kind in SECTION_TITLES),
            *(("entity", kind, ident) for kind in ENTITY_KINDS for ident in cat.registries.get(kind, {})
              if renderer.has_page(kind, ident))]


def make_one(items: Items, job: tuple) -> Feed | None:
    """A feed, None when it would be empty (the site's excepted); what it reads is noted (irev/incremental.py)."""
    cat, (what, *arguments) = items.renderer.catalogue, job
    # The lists noted alone, then the records a feed shows: an edit of an older record remakes no feed.
    if what == "site":
        latest = heapq.nsmallest(LATEST, (e for k in SECTION_TITLES for e in cat.listed(k)), key=lambda e: cat.rank[e.id])
        return items.feed("", SITE_FEED, "IREV — dernières ressources", [cat.record(e.id) for e in latest])
    if what == "kind":
        kind = arguments[0]
        of_kind, source = [cat.record(e.id) for e in cat.listed(kind)[:LATEST]], index_uri(kind)
        return items.feed(source, feed_uri(source), f"IREV — {SECTION_TITLES[kind]}", of_kind) if of_kind else None
    kind, ident = arguments
    entries = _latest_on(cat, kind, ident)
    source = entity_uri(kind, ident)
    return items.feed(source, feed_uri(source), f"IREV — {items.renderer.name(ident, kind)}", entries) if entries else None


def _latest_on(cat: Catalogue, kind: str, ident: str) -> list[Entry]:
    """The latest records on a theme or territory, its narrower ones' included (as the search facets)."""
    found = {link.record.id: link.record for narrower in cat.descendants(kind, ident)
             for link in cat.links_to(kind, narrower, (kind,))}  # a record's themes and places: links of that role
    return [cat.record(e.id) for e in heapq.nsmallest(LATEST_ENTITY, found.values(), key=lambda e: cat.rank[e.id])]


class Items:
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
        with self.renderer.shown_in(entry):  # names as the record shows them
            self._add(generator, entry)

    def _add(self, generator: FeedGenerator, entry: Entry) -> None:
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
    return settings.in_paris(getattr(day, "first_day", day))

