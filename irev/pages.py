"""Page generation: catalogue -> Markdown pages (records, indexes, entity pages, directories).

Pages are plain data (a source path and Markdown text), handed to whichever renderer
builds the site: MkDocs today, through hooks/irev_hook.py. Nothing here is written
into docs/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import re
from dataclasses import dataclass
from itertools import groupby

import jinja2
import markdown
import nh3
from markupsafe import Markup, escape

from . import attachments, incremental, mentions, models, privacy, referentiel
from .rendering import beside
from .catalogue import SHOWN_APART, Catalogue, RECORD_KINDS
from .loading import REGISTRY_FILES, Entry

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
SECTION_TITLES = {"reunion": "Réunions et rencontres", "cycle": "Cycles de qualification", "plan": "Plans territoriaux",
                  "fiche": "Fiches outils"}
ENTITY_SECTIONS = {"personne": "personnes", "organisation": "organisations", "territoire": "territoires",
                   "theme": "thematiques"}
DIRECTORY_TITLES = {"personne": "Personnes", "organisation": "Organisations", "territoire": "Territoires",
                    "theme": "Thématiques"}
_SUMMARY = markdown.Markdown()  # summaries to plain text: one converter, reset for each
LIST_LIMIT = 30  # entries per type on an entity page; the library lists the rest


@dataclass(frozen=True)
class Page:
    src_uri: str  # e.g. "reunions/2022-06-22-reseau-lcd.md", served at /reunions/2022-06-22-reseau-lcd/
    title: str
    text: bytes  # the Markdown in UTF-8: a site's pages are held all at once, and Python keeps
    # French text (« — ’) at two bytes a character (memory at 10,000 records)
    searchable: bool = False  # records only: search results are resources, not directories
    source: str = ""  # the file it is made from, in the content tree (a record's, an entry's registry); "" for none
    line: int = 0  # where in that file (an entry's first line); 0 for the whole file

    @classmethod
    def of(cls, src_uri: str, title: str, markdown: str, searchable: bool = False, source: str = "",
           line: int = 0) -> Page:
        """A page; its title escaped once here, since the theme prints it as it is (`<title>`…)."""
        return cls(src_uri, html.escape(title), markdown.encode(), searchable, source, line)

    @property
    def markdown(self) -> str:
        return self.text.decode()


def _year(entry: Entry) -> int:
    return entry.model.sort_date().year


def _by_year(entries: list[Entry]) -> list[tuple[int, list[Entry]]]:
    return [(year, list(group)) for year, group in groupby(entries, key=_year)]


def record_uri(entry: Entry) -> str:
    return f"{RECORD_KINDS[entry.kind].SECTION}/{entry.id}.md"


def index_uri(kind: str) -> str:
    section = RECORD_KINDS[kind].SECTION if kind in RECORD_KINDS else ENTITY_SECTIONS[kind]
    return f"{section}/index.md"


def year_uri(kind: str, year: int) -> str:
    """A section's page of one year (in a folder of its own: a record's id may be a year)."""
    return f"{RECORD_KINDS[kind].SECTION}/annees/{year}.md"


def entity_uri(kind: str, ident: str) -> str:
    return f"{ENTITY_SECTIONS[kind]}/{ident}.md"


def generate(catalogue: Catalogue) -> list[Page]:
    """Every generated page: records, their indexes, entity pages and their directories."""
    renderer = Renderer(catalogue)
    return [page for page, _ in make(renderer, jobs(renderer))]


def jobs(renderer: Renderer) -> list[tuple]:
    """What to make, one tuple per page: ("record", id), ("index", kind), ("year", kind, year),
    ("entity", kind, id), ("directory", kind, ids)."""
    catalogue = renderer.catalogue
    todo: list[tuple] = [("record", ident) for ident in catalogue.records]
    for kind in RECORD_KINDS:
        todo.append(("index", kind))
        todo += [("year", kind, year) for year in dict.fromkeys(_year(e) for e in catalogue.listed(kind))]
    for kind in ENTITY_SECTIONS:
        shown = tuple(i for i in catalogue.registries.get(kind, {}) if renderer.has_page(kind, i))
        todo += [("entity", kind, ident) for ident in shown]
        todo.append(("directory", kind, shown))
    return todo


def make(renderer: Renderer, jobs: list[tuple]) -> list[incremental.Made]:
    """The pages of these jobs, in their order, each with the inputs it read (irev/incremental.py).

    In this process only: a forked helper making half of them saved 6 s at 10,000 records but
    copied most of the catalogue it inherited (reference counts write to every object read),
    0.8 GB that made the build's peak memory (benchmarks/README.md)."""
    one = functools.partial(make_one, renderer)
    return [incremental.recorded(renderer.catalogue, one, job) for job in jobs]


def make_one(renderer: Renderer, job: tuple) -> Page:
    kind, *arguments = job
    if kind == "record":
        return renderer.record(renderer.catalogue.records[arguments[0]])
    return getattr(renderer, kind)(*arguments)


LATEST_COUNT = 6


def latest_markdown(catalogue: Catalogue, from_uri: str, count: int = LATEST_COUNT) -> str:
    """The home page's list of the latest resources."""
    return Renderer(catalogue).render("latest.md.j2", from_uri, entries=catalogue.latest(count))


def group_by_kind(entries: list[Entry]) -> dict[str, list[Entry]]:
    """Records by kind, each list in the given order (Jinja's selectattr would try each entry
    as a mapping first and fail: slow over thousands of records)."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.kind, []).append(entry)
    return groups


def _partial(value) -> models.PartialDate:
    if isinstance(value, dt.date):
        return models.PartialDate.model_validate(value)
    return value


def format_date(value, weekday: bool = False) -> str:
    """A date with its real precision: `22 juin 2022` (`mercredi 22 juin 2022`), `avril 2017`, `2017`,
    `6 novembre (année non précisée)`; what the source says of it (`precision`) in brackets after it."""
    if value is None:
        return ""
    value = _partial(value)
    words = [DAYS[value.first_day.weekday()]] if weekday and value.complete else []
    words += ["1er" if value.day == 1 else str(value.day)] if value.day else []
    words += [MONTHS[value.month - 1]] if value.month else []
    words += [str(value.year)] if value.year else []
    text = " ".join(words)
    notes = ["année non précisée"] * (value.year is None) + [value.precision] * bool(value.precision)
    return f"{text} ({' : '.join(notes)})" if notes else text


def date_phrase(value) -> str:
    """A date after a verb: « le 12 mars 2024 », « en avril 2016 », « en 2016 »."""
    return f"{'le' if _partial(value).day else 'en'} {format_date(value)}" if value is not None else ""


def date_of(value, weekday: bool = False) -> str:
    """A date after « de »: « du 18 novembre 2014 », « d'avril 2016 », « de 2014 »."""
    text = format_date(value, weekday)
    return f"du {text}" if _partial(value).day else (f"d'{text}" if text[0] in "aeiouy" else f"de {text}")


def date_span(first, last) -> str:
    """« du 3 mai 2016 au 6 juin 2017 », « d'avril 2016 à mai 2017 », « de 2014 à 2016 »; one date: date_phrase."""
    if not (first and last) or first == last:
        return date_phrase(first or last)
    return f"{date_of(first)} {'au' if _partial(last).day else 'à'} {format_date(last)}"


def format_until(value) -> str:
    """Until when a partial date runs: `jusqu'en 2016`, `jusqu'en septembre 2016`, `jusqu'au 31 mars 2021`."""
    return f"jusqu'{'au' if _partial(value).day else 'en'} {format_date(value)}"


def label(value) -> str:
    """An enumerated value's French label (models.Choice: validation gives each value its own)."""
    return getattr(value, "label", value)


def format_time(value: str | None) -> str:
    """`9 h 30`, or a part of the day as its label (« après-midi »)."""
    if not value:
        return ""
    if value in models.MOMENTS:
        return models.MOMENTS[value].lower()
    hours, minutes = value.split(":")
    return f"{int(hours)} h {minutes}"


def cell(text) -> Markup:
    """Text safe inside a Markdown table cell (escaped unless it is Markdown made by a helper)."""
    return Markup(" ".join(str(escape(text or "")).split()).replace("|", "\\|"))


def tel_href(number: str) -> str:
    """A phone number as a tel: address (`03 20 12 34 56` -> `0320123456`, `+33 3…` -> `+333…`); '' if it has no digit."""
    digits = "".join(c for c in number if c.isascii() and c.isdigit())
    return ("+" if number.strip().startswith("+") else "") + digits if digits else ""


def link_text(text: str) -> str:
    """An entry's name as the text of a Markdown link: escaped, brackets included."""
    return str(escape(text)).replace("[", "\\[").replace("]", "\\]")


def _relative(from_uri: str, uri: str) -> str:
    """A link between sources (`posixpath.relpath` is the slow general case of this)."""
    here = from_uri.rpartition("/")[0]
    there, _, name = uri.rpartition("/")
    if here == there:
        return name
    return "../" * (here.count("/") + 1 if here else 0) + uri


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process: each build makes a new Renderer,
    and compiling the templates again would cost more than a one-record preview."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:  # the key includes a checksum of the template's source
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()


class Renderer:
    """Renders templates with helpers that know the catalogue: labels, links, consent.

    Helpers that make links read the page being rendered (`from_uri`) from the template
    context: links are written between source files (`../personnes/x.md`) and become
    links between served pages when the page is converted (rendering.py). Every output of a
    record is made `shown_in` it: the names it shows are as that record shows them.
    """

    def __init__(self, catalogue: Catalogue, items: dict | None = None):
        self.catalogue = catalogue
        self.items = {} if items is None else items  # the long lists' items (_kept): the preview's, kept between builds
        self.within: Entry | None = None  # the record being made, if it does not name someone (shown_in)
        # Autoescape: every field is plain text wherever a template writes it; helpers that make
        # Markdown links return Markup, and a record's body (Markdown) is marked safe where shown.
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("irev", "templates"), autoescape=True, keep_trailing_newline=True,
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, bytecode_cache=_COMPILED)
        linked = {name: getattr(self, f"_{name}") for name in (
            "who", "acting", "partner", "entity", "link", "reference", "record_items", "summary_items", "entity_items",
            "role_items")}
        self.env.filters.update(date=format_date, date_phrase=date_phrase, date_of=date_of, until=format_until,
                                time=format_time, cell=cell, label=label, name=self.name,
                                link_text=lambda text: Markup(link_text(text)), tel=tel_href, **linked)
        self.env.globals.update(cat=catalogue, details_public=self.details_public, record_uri=record_uri,
                                index_uri=index_uri, entity_uri=entity_uri,
                                SECTION_TITLES=SECTION_TITLES, DIRECTORY_TITLES=DIRECTORY_TITLES, LIST_LIMIT=LIST_LIMIT,
                                group_by_kind=group_by_kind, attachment_uri=attachments.uri, offer=self.offer,
                                ORGANISATION_ROLES=models.ORGANISATION_ROLES, PERSON_ROLES=models.PERSON_ROLES,
                                by_role=by_role, records_by_role=records_by_role, date_span=date_span,
                                ETAPES=models.ETAPES, SHOWN_APART=SHOWN_APART, beside=beside, **linked)
        self.summaries: dict[str, tuple[str, frozenset]] = {}  # see summary_text
        # A reference the public sees: a shown record, or the description of one that has none.
        self.env.tests["shown"] = lambda ref: not isinstance(ref, str) or catalogue.record(ref) is not None

    def close(self) -> None:
        """Let the catalogue go: the environment's filters and globals hold this renderer and the
        catalogue, a cycle only a full collection would free (seconds at 10,000 records)."""
        self.env.filters.clear()
        self.env.globals.clear()
        self.env.tests.clear()
        self.catalogue = None

    def render(self, template: str, from_uri: str, as_of: dt.date | None = None, **context) -> str:
        """A template's Markdown; on a record's page (`as_of` its date) organisations bear the name they had then."""
        text = self.env.get_template(template).render(from_uri=from_uri, as_of=as_of, **context)
        if "[[" in text:
            text = mentions.replace(text, lambda kind, ident, label: self.entity_markdown(from_uri, kind, ident, label,
                                                                                          as_of))
        return text

    @contextlib.contextmanager
    def shown_in(self, record: Entry | None):
        """Names made meanwhile (`name`, so every link, mention and facet) are as this record shows
        them: without the names of the people it does not name (Catalogue.shown_in)."""
        before, self.within = self.within, record if self.catalogue.withholds(record) else None
        try:
            yield
        finally:
            self.within = before

    def shown(self, text: str) -> str:
        """A text from elsewhere (a registry's name) as the record whose output is being made shows it."""
        return text if self.within is None else self.catalogue.shown_in(self.within, text)

    # --- pages -----------------------------------------------------------------------------

    def record(self, entry: Entry) -> Page:
        uri = record_uri(entry)
        self.catalogue.record(entry.id)  # noted as read: its fields and body make this page
        with self.shown_in(entry):
            text = self.render(f"{entry.kind}.md.j2", uri, entry.model.sort_date(), entry=entry, r=entry.model,
                               body=self.catalogue.body(entry).strip(), search=self.search_fields(entry))
        return Page.of(uri, entry.model.titre, text, searchable=True, source=f"{type(entry.model).FOLDER}/{entry.id}.md")

    def summary_text(self, entry: Entry) -> str:
        """A record's summary as plain text (feeds, page descriptions), mentions named as on its
        page (people without consent never); kept, as feeds and descriptions both ask for it, with
        what it read of the catalogue (the entries it mentions): noted again for each job that asks
        for it (irev/incremental.py), or a job would not be remade when one of them changes."""
        found = self.summaries.get(entry.id)
        if found is None:
            found = self.summaries[entry.id] = incremental.recorded(self.catalogue, self._summary, entry)
        elif self.catalogue.reads is not None:
            self.catalogue.reads.update(found[1])
        return found[0]

    def _summary(self, entry: Entry) -> str:
        text = entry.model.resume or ""
        if "[[" in text:
            source = record_uri(entry)
            with self.shown_in(entry):
                text = mentions.replace(text, lambda kind, ident, label: self.entity_markdown(
                    source, kind, ident, label, entry.model.sort_date()))
        return html.unescape(nh3.clean(_SUMMARY.reset().convert(text), tags=set())).strip()

    def search_fields(self, entry: Entry) -> dict:
        """What the search index needs of a record: facets (a record on a narrower theme or a
        commune also counts for the broader theme, EPCI and département; organisations by their
        current name, the page's text giving the name in force at the record's date), shown metadata, sort key."""
        model = entry.model
        places = model.places()
        facets = {
            "type": [SECTION_TITLES[entry.kind]],
            "theme": self._with_ancestors("theme", model.themes),
            "territoire": self._with_ancestors("territoire", places),
            "annee": [str(model.sort_date().year)],
            "public": [models.PUBLICS[p] for p in model.publics_cibles],
            "organisation": [self.name(o, "organisation") for o in model.organisations()],
            "etape": [models.ETAPES[model.etape]] if isinstance(model, models.Plan) else [],
        }
        names = list(dict.fromkeys(self.name(t, "territoire") for t in places))
        more = len(names) - 3
        shown = ", ".join(names[:3]) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")
        meta = {"type": SECTION_TITLES[entry.kind], "date": format_date(model.date_as_published()), "territoire": shown}
        return {"facets": facets, "meta": meta, "sort": model.sort_date().isoformat()}

    def _with_ancestors(self, kind: str, idents) -> list[str]:
        names = {}
        for ident in idents:
            for each in [*self.catalogue.ancestors(kind, ident), ident]:
                names[self.name(each, kind)] = True
        return [n for n in names if n]

    def index(self, kind: str) -> Page:
        """A section's newest records by year, then its years, each with its page: a section of
        thousands listed whole weighed 1.2 MB, and was remade whenever any of its titles changed."""
        uri, entries = index_uri(kind), self.catalogue.listed(kind)
        years = [(year, len(list(group)), year_uri(kind, year)) for year, group in groupby(entries, key=_year)]
        text = self.render("index.md.j2", uri, title=SECTION_TITLES[kind], shown=_by_year(entries[:LIST_LIMIT]),
                           more=len(entries) - LIST_LIMIT, years=years)
        return Page.of(uri, SECTION_TITLES[kind], text)

    def year(self, kind: str, year: int) -> Page:
        """Every record of a section dated in one year, with links to the years around it."""
        uri, entries = year_uri(kind, year), self.catalogue.listed(kind)
        years = list(dict.fromkeys(_year(e) for e in entries))
        at = years.index(year)
        around = [(label, years[i], year_uri(kind, years[i]))
                  for label, i in (("Année suivante", at - 1), ("Année précédente", at + 1)) if 0 <= i < len(years)]
        title = f"{SECTION_TITLES[kind]} en {year}"
        text = self.render("annee.md.j2", uri, title=title, section=(SECTION_TITLES[kind], index_uri(kind)),
                           around=around, entries=[e for e in entries if _year(e) == year])
        return Page.of(uri, title, text)

    def entity(self, kind: str, ident: str) -> Page:
        uri = entity_uri(kind, ident)
        model = self.catalogue.get(kind, ident)
        text = self.render(f"{kind}.md.j2", uri, ident=ident, e=model, title=self.name(ident, kind))
        entry = self.catalogue.registries[kind][ident]  # read above (get)
        return Page.of(uri, self.name(ident, kind), text, source=REGISTRY_FILES[kind], line=entry.first_line())

    def directory(self, kind: str, idents: tuple[str, ...]) -> Page:
        uri = index_uri(kind)
        rows = sorted(idents, key=lambda i: _sort_key(self.name(i, kind)))
        text = self.render("directory.md.j2", uri, kind=kind, title=DIRECTORY_TITLES[kind], idents=rows)
        return Page.of(uri, DIRECTORY_TITLES[kind], text)

    # --- labels and links --------------------------------------------------------------------

    def has_page(self, kind: str, ident: str | None) -> bool:
        if kind in RECORD_KINDS:
            return self.catalogue.record(ident) is not None
        if kind == "personne":
            return self.catalogue.person_name(ident) is not None
        return self.catalogue.get(kind, ident) is not None

    def name(self, ident: str | None, kind: str, as_of: dt.date | None = None) -> str:
        """The public label of an entry ('' if unknown; people without consent have none); an
        organisation's as it was on a day (`as_of`), else its current one; as the record whose
        output is being made shows it (`shown`)."""
        if kind == "personne":
            return self.shown(self.catalogue.person_name(ident) or "")
        model = self.catalogue.get(kind, ident)
        if model is None:
            return ""
        if kind == "organisation":
            nom, sigle = model.name_on(as_of) if as_of else (model.nom, model.sigle)
            return self.shown(f"{nom} ({sigle})" if sigle and sigle != nom else nom)
        return self._label(model)

    def _label(self, model) -> str:
        return self.shown(getattr(model, "libelle", None) or getattr(model, "nom", None) or model.titre)

    def entity_target(self, from_uri: str, kind: str, ident: str | None,
                      as_of: dt.date | None = None) -> tuple[str, str]:
        """(name, relative link) of an entry; no link ('') where it has no page."""
        if kind in RECORD_KINDS:  # (looked up once: the long generated lists hold thousands)
            entry = self.catalogue.record(ident)
            if entry is None or entry.kind != kind:
                return "", ""
            return self._label(entry.model), _relative(from_uri, record_uri(entry))
        if kind == "personne" and not self.has_page(kind, ident):
            return privacy.UNNAMED, ""
        if not self.has_page(kind, ident):
            return self.name(ident, kind, as_of), ""
        return self.name(ident, kind, as_of), _relative(from_uri, entity_uri(kind, ident))

    def entity_markdown(self, from_uri: str, kind: str, ident: str | None, label: str | None = None,
                        as_of: dt.date | None = None) -> Markup:
        """A link to an entry's page with its name (or a mention's label, Markdown of the page
        already); plain text where it has no page. A person without a page is never labelled."""
        name, href = self.entity_target(from_uri, kind, ident, as_of)
        text = label if label and (href or kind != "personne") else link_text(name)
        return Markup(f"[{text}]({href})" if href else text)

    def entity_html(self, from_uri: str, kind: str, ident: str | None) -> Markup:
        """The same in HTML, for the long generated lists: Markdown would spend most of a
        page's conversion parsing them (see benchmarks/README.md)."""
        name, href = self.entity_target(from_uri, kind, ident)
        return Markup(f'<a href="{href}">{escape(name)}</a>') if href else escape(name)

    @jinja2.pass_context
    def _entity(self, ctx, ident: str | None, kind: str, label: str | None = None, html: bool = False) -> str:
        if html:
            return self.entity_html(ctx["from_uri"], kind, ident)
        return self.entity_markdown(ctx["from_uri"], kind, ident, label, ctx["as_of"])

    @jinja2.pass_context
    def _record_items(self, ctx, records: list[Entry], with_type: bool = False) -> Markup:
        """The items of a generated list of records (`<li>` lines): made here, not by the template,
        as a page may list thousands."""
        from_uri = ctx["from_uri"]
        return Markup(self._kept(from_uri, records, with_type,
                                 lambda record: f"<li>{self._record_line(from_uri, record, with_type)}</li>"))

    def _record_line(self, from_uri: str, record: Entry, with_type: bool = False) -> str:
        """A record's link, type (`with_type`) and date, as the generated lists show it."""
        return (f"{self.entity_html(from_uri, record.kind, record.id)} — "
                f"{SECTION_TITLES[record.kind] + ', ' if with_type else ''}"
                f"{escape(format_date(record.model.date_as_published()))}")

    @jinja2.pass_context
    def _summary_items(self, ctx, records: list[Entry]) -> Markup:
        """The items of a section's index: each record's title, date and summary (its Markdown
        converted here, the list being set aside from the page's conversion: irev/rendering.py)."""
        from_uri = ctx["from_uri"]
        return Markup(self._kept(from_uri, records, "résumé", lambda record: self._summary_item(from_uri, record),
                                 keeps=lambda record: "[[" not in (record.model.resume or "")))

    def _summary_item(self, from_uri: str, record: Entry) -> str:
        item, summary = f"<li>{self._record_line(from_uri, record)}", record.model.resume
        if summary:
            text = str(escape(summary))
            if "[[" in text:
                with self.shown_in(record):
                    text = mentions.replace(text, lambda kind, ident, label: self.entity_markdown(
                        from_uri, kind, ident, label))
            item += "<br>\n" + _item_html(_SUMMARY.reset().convert(text))
        return item + "</li>"

    def _kept(self, from_uri: str, records: list[Entry], variant, make, keeps=None) -> str:
        """The items of a long list (`make(record)` each), one a line, each kept by the record's model
        for the pages of the same folder (its link is relative): a record is listed on many pages, and
        the preview's next build remakes those listing an edited one. Kept only where the model decides
        it all (`keeps(record)`, if given): not where a record's redaction applies (`shown_in`), nor where
        it names other entries (what it read of them would not be noted when it is reused)."""
        cat, folder, found, records = self.catalogue, from_uri.rpartition("/")[0], [], list(records)
        if cat.reads is not None:  # each noted as read (a page may list thousands: at once)
            cat.reads.update(("record", record.id) for record in records)
        keeping = self.within is None
        for record in records:
            shown, key = cat.records.get(record.id), (record.id, folder, variant)
            keep = keeping and shown is not None and (keeps is None or keeps(record))
            kept = self.items.get(key) if keep else None
            if kept is not None and kept[0] is shown.model:
                found.append(kept[1])
                continue
            item = make(record)
            if keep:
                self.items[key] = (shown.model, item)
            found.append(item)
        return "\n".join(found)

    @jinja2.pass_context
    def _entity_items(self, ctx, idents, kind: str, counted: bool = False) -> Markup:
        """The items of a generated list of entries, with the number of records on each (`counted`)."""
        from_uri, items = ctx["from_uri"], []
        for ident in idents:
            count = len(self.catalogue.records_linking(kind, ident)) if counted else 0
            items.append(f"<li>{self.entity_html(from_uri, kind, ident)}"
                         f"{f' — {count} ressource' + ('s' if count > 1 else '') if count else ''}</li>")
        return Markup("\n".join(items))

    @jinja2.pass_context
    def _link(self, ctx, uri: str) -> Markup:
        return Markup(_relative(ctx["from_uri"], uri))

    @jinja2.pass_context
    def _reference(self, ctx, ref: str | models.SansFiche | None) -> Markup:
        """A link to a shown record, or '' (unknown or draft: never linked); something that has no
        record as its description, in plain text (« Réunion du réseau sur l'emploi (12 mai 2016) »)."""
        if isinstance(ref, models.SansFiche):
            return escape(f"{ref.intitule} ({format_date(ref.date)})" if ref.date else ref.intitule)
        entry = self.catalogue.record(ref)
        return Markup("") if entry is None else self._entity(ctx, ref, entry.kind)

    def offer(self, document: models.PieceJointe) -> attachments.Offer:
        """How a record page offers a document: link, format and size (computed for a hosted file)."""
        return attachments.offer(document, self.catalogue.file_size)

    def details_public(self, contact: models.Contact) -> bool:
        """A contact's phone and e-mail are shown only if marked public and, for a person, only
        if that person is named (their e-mail would name them): not where the record does not name them."""
        return contact.coordonnees_publiques and contact.nommer is not False and (
            contact.personne is None or self.has_page("personne", contact.personne))

    @jinja2.pass_context
    def _who(self, ctx, person: models.Intervenant, with_role: bool = True) -> Markup:
        """A person as the public may see them: named only with consent, else by role."""
        from_uri, as_of = ctx["from_uri"], ctx["as_of"]
        name = self.entity_markdown(from_uri, "personne", person.personne) if self.has_page("personne", person.personne) else ""
        org = self.entity_markdown(from_uri, "organisation", person.organisation, as_of=as_of) if person.organisation else ""
        role = ", ".join(x for x in (escape(person.fonction) if with_role and person.fonction else "", org) if x)
        if name:
            return Markup(f"{name}, {role}" if role else name)
        return Markup(role or "Personne non nommée")

    @jinja2.pass_context
    def _acting(self, ctx, person: models.IntervenantRole) -> Markup:
        """Someone in a meeting or a cycle, their role first unless they simply speak (« Animation : … »)."""
        who = self._who(ctx, person)
        return who if person.role == "intervention" else Markup(f"{escape(models.PERSON_ROLES[person.role])} : {who}")

    @jinja2.pass_context
    def _partner(self, ctx, partner: models.Partenaire) -> Markup:
        """A partner by the name it had at the record's date (or as written when not in the registry), and what
        the source adds."""
        name = self._entity(ctx, partner.organisation, "organisation") if partner.organisation else escape(partner.nom)
        return Markup(f"{name} — {escape(partner.precision)}" if partner.precision else name)

    @jinja2.pass_context
    def _role_items(self, ctx, links) -> Markup:
        """The items of a person's list of meetings and cycles with the role held in each, « Grand témoin —
        Rencontre… — date » (each record and role once; a remark in a meeting's exchanges is an intervention)."""
        from_uri, items = ctx["from_uri"], {}
        for link in links:
            role, record = getattr(link.detail, "role", "intervention"), link.record
            items.setdefault((record.id, role), f"<li>{escape(models.PERSON_ROLES[role])} — "
                             f"{self.entity_html(from_uri, record.kind, record.id)} — {SECTION_TITLES[record.kind]}, "
                             f"{format_date(record.model.date_as_published())}</li>")
        return Markup("\n".join(items.values()))


def by_role(items, roles: dict) -> list[tuple[str, list]]:
    """Items (partners, speakers) grouped by their role, in the order the roles are declared."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.role, []).append(item)
    return [(role, groups[role]) for role in roles if role in groups]


def records_by_role(links) -> dict[str, list[Entry]]:
    """The records of links (an organisation's as partner), each once, by the role their holder states."""
    groups: dict[str, dict[str, Entry]] = {}
    for link in links:
        groups.setdefault(link.detail.role, {}).setdefault(link.record.id, link.record)
    return {role: list(records.values()) for role, records in groups.items()}


def _item_html(converted: str) -> str:
    """A summary's HTML inside a ready list's item: one paragraph as its text; and no line beginning
    with a tag, so none closes the list early (`</ul>` alone on its line: rendering._READY). The
    line breaks it drops are between tags (the text of a code block is escaped: it holds no `<`)."""
    inner = converted[3:-4]
    if converted.startswith("<p>") and converted.endswith("</p>") and "<p>" not in inner:
        converted = inner
    return re.sub(r"\n(?=<)", "", converted)


def _sort_key(text: str) -> str:
    return referentiel.slugify(text)
