"""Preview: while `mkdocs serve` runs, remake only the pages an edit can have changed.

A memo keeps what the previous build of the process made. Other pages show of a record
only what its front matter and its mentions say, never its body; its title and summary
only beside a link to it. So, compared with the memo:
- a record whose body alone changed, or one of its hosted files (its size is shown): its own
  page is remade;
- a record whose title or summary changed: its page and every page linking to it;
- a record whose other fields or mentions changed: also the pages of the entries it refers
  to before or after the edit (with the broader territories and themes that gather their
  records, and an organisation's territory), the records that now count it among their
  related records, and the directories counting its references;
- anything else (a registry, records added, removed, published or unpublished): every page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import catalogue as catalogue_module
from . import mentions, pages
from .catalogue import Catalogue
from .loading import Entry

SHOWN_WITH_A_LINK = ("titre", "resume")  # fields other pages show only beside a link to the record


@dataclass
class Memo:
    setting: str = ""  # registries and options: any change remakes every page
    cards: dict[str, str] = field(default_factory=dict)  # record id -> key of what other pages may show of it
    layouts: dict[str, str] = field(default_factory=dict)  # the same without title and summary (shown with a link)
    refs: dict[str, set] = field(default_factory=dict)  # record id -> {(kind, id)} it refers to
    bodies: dict[str, str] = field(default_factory=dict)  # record id -> body
    files: dict[str, tuple] = field(default_factory=dict)  # record id -> sizes of its hosted files (if any)
    pages: dict[tuple, pages.Page] = field(default_factory=dict)  # job -> page


def generate(catalogue: Catalogue, memo: Memo) -> list[pages.Page]:
    """Every page, as pages.generate makes them, remaking only what changed since the memo."""
    renderer = pages.Renderer(catalogue)
    jobs = pages.jobs(renderer)
    setting = _setting(catalogue)
    cards = {ident: _card(entry) for ident, entry in catalogue.records.items()}
    bodies = {ident: entry.body for ident, entry in catalogue.records.items()}
    files = {ident: _files(entry, catalogue.attachments) for ident, entry in catalogue.records.items()
             if any(d.fichier for d in entry.model.documents)}
    same = memo.cards.get
    layouts = {ident: memo.layouts[ident] if same(ident) == cards[ident] else _layout(entry)
               for ident, entry in catalogue.records.items()}
    refs = {ident: memo.refs[ident] if same(ident) == cards[ident] else _refs(entry)
            for ident, entry in catalogue.records.items()}
    if setting != memo.setting or cards.keys() != memo.cards.keys():
        todo = jobs
        memo.pages = {}
    else:
        changed = {ident for ident in cards if cards[ident] != memo.cards[ident]}
        rewritten = {ident for ident in bodies if bodies[ident] != memo.bodies[ident]
                     or files.get(ident) != memo.files.get(ident)}
        reshaped = {ident for ident in changed if layouts[ident] != memo.layouts[ident]}
        wanted = _affected(catalogue, memo, changed, reshaped, refs) | {("record", ident) for ident in rewritten}
        todo = [job for job in jobs if job in wanted or (job[0] == "directory" and job[:2] in wanted)]
    memo.pages.update(zip(todo, pages.make(renderer, todo)))
    memo.setting, memo.cards, memo.layouts, memo.refs = setting, cards, layouts, refs
    memo.bodies, memo.files = bodies, files
    return [memo.pages[job] for job in jobs]


def _setting(catalogue: Catalogue) -> str:
    digest = hashlib.sha1(str(catalogue.show_drafts).encode())
    for text in dict.fromkeys(e.parsed.text for table in catalogue.registries.values() for e in table.values()):
        digest.update(text.encode())
    return digest.hexdigest()


def _files(entry: Entry, sizes: dict[str, int]) -> tuple:
    """The sizes of a record's hosted files, as its page shows them (None: not there)."""
    return tuple(sizes.get(d.fichier) for d in entry.model.documents if d.fichier)


def _card(entry: Entry) -> str:
    return hashlib.sha1(repr((entry.kind, entry.parsed.text, _mentioned(entry.body))).encode()).hexdigest()


def _layout(entry: Entry) -> str:
    data = {k: v for k, v in entry.parsed.data.items() if k not in SHOWN_WITH_A_LINK}
    return hashlib.sha1(repr((entry.kind, data, _mentioned(entry.body))).encode()).hexdigest()


def _refs(entry: Entry) -> set[tuple[str, str]]:
    found = {(kind, ident) for kind, ident, _ in catalogue_module.references(type(entry.model), entry.parsed.data)}
    found.update((kind, ident) for text in (entry.body, entry.parsed.text) for kind, ident, _ in _mentioned(text) if kind)
    return found


def _mentioned(text: str) -> list[tuple]:
    """(kind, id, label) of each mention in a text (kind None for a malformed one)."""
    return [found[:3] for found in mentions.find(text)] if "[[" in text else []


def _affected(catalogue: Catalogue, memo: Memo, changed: set[str], reshaped: set[str], refs: dict) -> set[tuple]:
    """The jobs whose page may show something of the changed records (`reshaped`: beyond
    their title and summary)."""
    wanted = {("record", ident) for ident in changed}
    links = [link.encode() for ident in changed for link in (f"/{ident}.md", f"({ident}.md", f'"{ident}.md')]  # Markdown, HTML
    for job, page in memo.pages.items():
        if any(link in page.text for link in links):
            wanted.add(job)  # it links to a changed record: it shows its title, its date…
    for ident in reshaped:
        entry = catalogue.records[ident]
        for kind, target in memo.refs[ident] | refs[ident]:
            wanted |= _pages_gathering(catalogue, kind, target)
        # A directory counts the records referring to each of its entries.
        wanted |= {("directory", kind) for kind, _ in memo.refs[ident] ^ refs[ident]}
        wanted |= _now_related(catalogue, entry)
    return wanted


def _now_related(catalogue: Catalogue, entry: Entry) -> set[tuple]:
    """Records that list this one among their related records now (those that listed it before
    link to it: found by the scan of the memo's pages)."""
    found = set()
    for kind, idents in (("theme", entry.model.themes), ("territoire", entry.model.territoires)):
        for ident in idents:
            for link in catalogue.links_to(kind, ident, (kind,)):
                if ("record", link.record.id) not in found and entry in catalogue.related(link.record):
                    found.add(("record", link.record.id))
    return found


def _pages_gathering(catalogue: Catalogue, kind: str, ident: str) -> set[tuple]:
    """The pages that list the records referring to an entry."""
    if kind in catalogue_module.RECORD_KINDS:
        return {("record", ident)}  # its « Cité dans »
    found = _entity_and_broader(catalogue, kind, ident)
    if kind == "organisation":
        model = catalogue.get(kind, ident)
        if model is not None and model.territoire:  # its territory lists the meetings it attended
            found |= _entity_and_broader(catalogue, "territoire", model.territoire)
    return found


def _entity_and_broader(catalogue: Catalogue, kind: str, ident: str) -> set[tuple]:
    """An entry's page, and for a territory or theme the pages of those gathering it."""
    broader = catalogue.ancestors(kind, ident) if kind in ("territoire", "theme") else []
    return {("entity", kind, each) for each in [ident, *broader]}
