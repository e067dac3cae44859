"""The agenda: the events of the catalogue (meetings, ateliers of a regional day included, and each
occurrence of a cycle's sessions) as a page (/agenda/), the home page's next events, and calendar
files (iCalendar, RFC 5545): one beside each meeting's page, one per occurrence of a session and one
for the whole cycle beside the cycle's page, and the whole agenda to subscribe to (agenda/irev.ics).

Made from the catalogue after redaction, like the pages: no draft, no name without consent.

What is still to come is decided by the reader's browser when the page is read (docs/assets/agenda.js),
from the dates each item carries: `data-tri` (where it sorts: its day and start) and `data-fin` (its
last day, or the month or year of an event known that far only). An event is to come while today,
cut to that length, is not after it: the same rule here (`to_come`) and there. As built, the pages
split at the build day (settings.build_day), which they state, for readers without JavaScript.

Only events with a full day are in the dated lists and the calendars; the others (a meeting known by
its month, a session not dated yet) are listed « date à préciser » while their period is not over, and
stay in their section's pages (Réunions, Cycles) once it is.

Calendar choices:
- times are in Europe/Paris, with its VTIMEZONE, written by icalendar for the years the file covers;
- a day without times, or with a part of the day only (« matin », « après-midi »…), is an all-day event
  (DTSTART;VALUE=DATE, DTEND the next day): no hour the source does not give; the part of the day is in
  the summary. An occurrence over several days is one all-day event over them, its hours in the description;
- a start without an end has no DTEND (RFC 5545: the event is that moment);
- UIDs: reunion-<id>@<site's host>, cycle-<id>-session-<n>-<k>@… (n: the session's number; a session
  without one, or sharing it, is rang-<its rank in the programme>; k: the occurrence's rank in the
  session): a new date keeps them, so the event moves
  in the calendars it was added to. SEQUENCE (its days since 1900, before any date a record may give:
  never negative), LAST-MODIFIED and DTSTAMP come
  from the record's update date (`updated()`: its `mise_a_jour`, else its file's last change, irev/
  history.py), so an edited event replaces the old one, and an unchanged record makes the same bytes;
- cancelled or postponed (`statut_evenement`): STATUS:CANCELLED, the summary saying which.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from html import escape
from itertools import groupby
from pathlib import Path
from urllib.parse import urlsplit

import icalendar

from . import atomic, files, models, settings
from .loading import Entry
from .pages import Page, Renderer, format_date, format_time, record_uri
from .rendering import beside, page_url, site_urls

FOLDER = "agenda"
PAGE = f"{FOLDER}/index.md"
CALENDAR = f"{FOLDER}/irev.ics"
HOME = "index.md"  # the page whose marker shows the next events (irev_hook: NEXT_EVENTS_MARKER)
HOME_SHOWN = 3  # events the home page shows
HOME_HELD = 12  # events to come it holds, for the browser to pick the next three from when read later
PAST_SHOWN = 100  # past events the agenda lists (the latest): the sections' pages list them all, by year
EVENT_KINDS = ("reunion", "cycle")  # the records that make events
SUBSCRIBED_PAST = dt.timedelta(days=365)  # how far back the subscribed calendar goes: what clients read daily
# Where an event sorts within its day, after those without a time: a part of the day at a usual hour.
MOMENT_SORT = {"journee": "", "matin": "T09:00", "apres-midi": "T14:00", "soiree": "T18:00"}
SEQUENCE_FROM = dt.date(models.FIRST_YEAR, 1, 1)  # a SEQUENCE is never negative (icalendar refuses it)
DESCRIPTION = "Les prochaines réunions, rencontres et séances de cycles de l'IREV, et les événements passés."
PRODID = "-//IREV//Ressources IREV//FR"
# What a calendar's description says of an event that does not take place as announced (statut_evenement).
STATUS_NOTE = {"annule": "Cet événement n'aura pas lieu.",
               "reporte": "Cet événement n'aura pas lieu à cette date ; sa nouvelle date sera annoncée sur sa page."}


@dataclass(frozen=True)
class Event:
    """A meeting, or one occurrence of a cycle's session (or a session not dated yet)."""

    record: Entry
    uid: str  # without the host: reunion-<id>, cycle-<id>-session-<n>-<k> (or -rang-<rank>-<k>)
    date: models.PartialDate | None  # None: a session without occurrence yet
    until: str  # ISO day, month or year: to come while today (cut to its length) is not after it
    last: models.PartialDate | None = None  # the last day of an occurrence over several days
    start: str | None = None  # a time (09:30) or a part of the day
    end: str | None = None
    place: str = ""
    status: models.Choice | None = None
    session: str = ""  # « Session 2 : Titre » for an occurrence
    group: str = ""  # the audience group of an occurrence
    file: str = ""  # its calendar file (site path); "" without a full day

    @property
    def dated(self) -> bool:
        return self.date is not None and self.date.complete

    @property
    def timed(self) -> bool:
        """At a time in Paris (a calendar's DTSTART with its time zone); else whole days."""
        return self.start is not None and self.start not in models.MOMENTS and self.last is None

    @property
    def sort(self) -> str:
        """Where it sorts (data-tri): its day, then its start (none first)."""
        time = self.start or ""
        return self.date.isoformat() + MOMENT_SORT.get(time, f"T{time}" if time else "")

    def when(self) -> str:
        """« mercredi 22 juin 2022, 9 h 00 – 12 h 00 », « du lundi 3 au mardi 4 mars 2025 », « mai 2026 »."""
        if self.date is None:
            return "Date à préciser"
        days = f"du {format_date(self.date, True)} au {format_date(self.last, True)}" if self.last \
            else format_date(self.date, True)
        return ", ".join(part for part in (days, self.hours()) if part)

    def hours(self) -> str:
        return format_time(self.start) + (f" – {format_time(self.end)}" if self.end else "")


def to_come(until: str, day: dt.date) -> bool:
    """Still to come on a day: that day, cut to the precision of `until`, is not after it."""
    return day.isoformat()[:len(until)] <= until


@dataclass
class Kept:
    """What a preview keeps of the agenda from one build to the next: each record's events (made again
    with its texts), and all of them in order, patched where an edit made some again (12,000 events
    sorted and sifted at each rebuild, at 10,000 records)."""

    events: dict[str, list[Event]] = field(default_factory=dict)  # by record id
    found: list[Event] = field(default_factory=list)
    order: Order | None = None

    def ordered(self, found: list[Event], day: dt.date) -> Order:
        """The events in order, those of the last build's patched if it is the same day and a few changed."""
        order, before, now = self.order, {id(event) for event in self.found}, {id(event) for event in found}
        gone = [event for event in self.found if id(event) not in now]
        added = [event for event in found if id(event) not in before]
        if order is None or order.day != day or len(added) + len(gone) > PATCHED:
            order = Order.of(found, day)
        elif added or gone:
            order = order.patched(found, gone, added)
        self.found, self.order = found, order
        return order


PATCHED = 500  # events made again above which sorting them all is quicker than patching


@dataclass(frozen=True)
class Order:
    """The events as the agenda shows them on a day. Each list is in the order of its key, then of
    the events' place in the list they come from (a sort keeps ties in place)."""

    day: dt.date
    dated: list[Event]  # with a full day, by day and start
    upcoming: list[Event]
    ended: list[Event]  # the past ones, by day and start (the agenda shows the latest first)
    subscribed: list[Event]  # what the agenda's calendar holds
    undated: list[Event]  # to come, their day not known yet
    newest: dt.date | None  # the latest update of the records

    @classmethod
    def of(cls, found: list[Event], day: dt.date) -> Order:
        return cls(day, **{name: sorted(filter(belongs, found), key=key) for name, (belongs, key) in _lists(day).items()},
                   newest=max(map(_updated, found), default=None))

    def patched(self, found: list[Event], gone: list[Event], added: list[Event]) -> Order:
        """The same order without the events gone and with those added (of `found`, the events now)."""
        place, removed = {id(event): position for position, event in enumerate(found)}, {id(event) for event in gone}

        def patch(events: list[Event], belongs, key) -> list[Event]:
            events = [e for e in events if id(e) not in removed]
            for event in filter(belongs, added):
                bisect.insort(events, event, key=lambda e: (key(e), place[id(e)]))
            return events
        added_newest = max(map(_updated, added), default=None)
        newest = max([self.newest, added_newest], key=lambda d: d or dt.date.min)
        if newest != added_newest and any(_updated(e) == newest for e in gone):  # (the newest may be gone)
            newest = max(map(_updated, found), default=None)
        return Order(self.day, **{name: patch(getattr(self, name), belongs, key)
                                  for name, (belongs, key) in _lists(self.day).items()}, newest=newest)


def _lists(day: dt.date) -> dict[str, tuple]:
    """Each list of an Order on a day: which events it holds, and the key they sort by (a sort keeps ties
    in their place: Order.patched inserts by the key, then by the place)."""
    return {"dated": (lambda e: e.dated, _by_day),
            "upcoming": (lambda e: e.dated and to_come(e.until, day), _by_day),
            "ended": (lambda e: e.dated and not to_come(e.until, day), _by_day),
            "subscribed": (lambda e: e.dated and to_come(e.until, day - SUBSCRIBED_PAST), _by_day),
            "undated": (lambda e: not e.dated and to_come(e.until, day), _by_period)}


def _updated(event: Event) -> dt.date:
    return event.record.model.updated().first_day


def _by_day(event: Event) -> str:
    return event.sort


def _by_period(event: Event) -> tuple:
    return event.date.first_day if event.date else dt.date.max, event.until


def events(cat, kept: Kept | None = None, remade: list[tuple] = ()) -> list[Event]:
    """Every event of the shown records, in no particular order. A preview keeps each record's events
    (`kept`), made again for the records whose job was `remade` (it reads all that they are made from)."""
    remade = {ident for _, ident in remade}
    before = kept.events if kept is not None else {}
    found = {entry.id: before[entry.id] if entry.id in before and entry.id not in remade else _events_of(cat, entry)
             for entry in cat.records.values() if entry.kind in EVENT_KINDS}
    if kept is not None:
        kept.events = found
    return [event for made in found.values() for event in made]


def _events_of(cat, entry: Entry) -> list[Event]:
    return [_meeting(entry)] if entry.kind == "reunion" else _occurrences(cat, entry)


def _meeting(entry: Entry) -> Event:
    meeting: models.Reunion = entry.model
    return Event(entry, f"reunion-{entry.id}", meeting.date, meeting.date.isoformat(), start=meeting.heure_debut,
                 end=meeting.heure_fin, place=_place(meeting.format, meeting.lieu), status=meeting.statut_evenement,
                 file=beside(record_uri(entry), ".ics") if meeting.date.complete else "")


def _occurrences(cat, entry: Entry) -> list[Event]:
    """Each occurrence of the cycle's sessions; a session without one yet, as one event to date."""
    cycle: models.Cycle = entry.model
    ends = [(slot.date_fin or slot.date).last_day for slot in cycle.occurrences()]
    found, place = [], page_url(record_uri(entry))
    numbers = [session.numero for session in cycle.sessions()]
    for rank, session in enumerate(cycle.sessions(), start=1):
        name = f"Session {session.numero} : {session.titre}" if session.numero else session.titre
        # Its number names it in the UIDs, unless it has none or shares it: then its rank in the programme.
        part = f"session-{session.numero}" if session.numero and numbers.count(session.numero) == 1 else f"rang-{rank}"
        key = f"cycle-{entry.id}-{part}"
        if not session.creneaux:
            found.append(Event(entry, key, None, max(ends).isoformat(), session=name))
        for index, slot in enumerate(session.creneaux, start=1):
            territory = cat.get("territoire", slot.territoire)
            found.append(Event(
                entry, f"{key}-{index}", slot.date, (slot.date_fin or slot.date).isoformat(), slot.date_fin,
                slot.heure_debut, slot.heure_fin,
                _place(session.format or cycle.format, slot.lieu or session.lieu,
                       territory and cat.shown_in(entry, territory.nom)),
                slot.statut_evenement, name, cycle.group_label(slot.groupe) if slot.groupe else "",
                f"{place}{entry.id}-{part}-{index}.ics" if slot.date.complete else ""))
    return found


def _place(format: str, where: str | None, territory: str | None = None) -> str:
    """« Lille », « En visioconférence », « Lille et en visioconférence »."""
    where = ", ".join(part for part in (where, territory) if part)
    if format == "visio":
        return "En visioconférence"
    if format == "hybride":
        return f"{where} et en visioconférence" if where else "En présentiel et en visioconférence"
    return where or "Lieu à préciser"


def registration(model: models.Record) -> tuple[str | None, models.PartialDate | None]:
    """Where to register and until when: a cycle's `inscription`, else a link of type « inscription »."""
    inscription = getattr(model, "inscription", None)
    url = (inscription and inscription.url) or next((l.url for l in model.liens if l.type == "inscription"), None)
    return url, inscription and inscription.date_limite


# --- the pages ------------------------------------------------------------------------------


@dataclass
class Agenda:
    page: Page  # /agenda/
    home: str  # the HTML of the home page's next events, its links made for the home page
    head: dict  # what the agenda page's front matter says (irev/site.py, write_sources)
    files: list[tuple[str, Path]] = field(default_factory=list)  # (site path, file) of the calendars


def jobs(renderer: Renderer) -> list[tuple]:
    """One job per meeting or cycle: the calendar texts of its events (the build session calls jobs,
    maker and make_one, and remakes only the jobs whose recorded inputs changed: irev/incremental.py)."""
    return [(entry.kind, entry.id) for entry in renderer.catalogue.records.values() if entry.kind in EVENT_KINDS]


def maker(renderer: Renderer, site_url: str) -> _Calendars:
    return _Calendars(renderer, site_url)


def make_one(calendars: _Calendars, job: tuple) -> dict[str, bytes]:
    """A record's events with a full day, each as icalendar writes it, by UID; what it reads of the
    catalogue is noted (its fields and body, the territories of a cycle's sessions, a parent meeting)."""
    cat = calendars.renderer.catalogue
    entry = cat.record(job[1])
    cat.body(entry)
    return {event.uid: calendars.event(event) for event in _events_of(cat, entry) if event.dated}


def write(renderer: Renderer, site_url: str, folder: Path, day: dt.date, texts: list[dict[str, bytes]],
          memo: dict | None = None, written: atomic.Written | None = None, later: list | None = None,
          kept: Kept | None = None, remade: list[tuple] = ()) -> Agenda:
    """The agenda page and the home page's next events as of `day`, and every calendar file into
    `folder` (a file whose bytes would not change is left as it is; one no event makes is removed),
    from each job's event texts (`texts`). A memo keeps each calendar's heading for the next build;
    `written` and `later` (`mkdocs serve`): what it wrote there last, for it not to be read back, and
    where the files' writing is put, to run once the pages are served; `kept` and `remade`, its
    events of the last build and the jobs remade since (see `events`)."""
    found = events(renderer.catalogue, kept, remade)
    order = kept.ordered(found, day) if kept is not None else Order.of(found, day)
    upcoming, past = order.upcoming, order.ended[::-1]
    context = {"day": day, "calendar": CALENDAR, "address": settings.absolute_url(CALENDAR, site_url),
               "registration": registration}
    text = renderer.render("agenda.md.j2", PAGE, upcoming=upcoming, undated=order.undated, **context,
                           past=[(year, list(group)) for year, group in groupby(past[:PAST_SHOWN], key=lambda e: e.date.year)],
                           more=len(past) > PAST_SHOWN, past_shown=PAST_SHOWN, subscribed_days=SUBSCRIBED_PAST.days)
    home = renderer.render("prochains.md.j2", HOME, upcoming=upcoming[:HOME_HELD], shown=HOME_SHOWN, **context)
    newest = order.newest
    head = {"agenda": True, "description": escape(DESCRIPTION), **({"mise_a_jour": newest.isoformat()} if newest else {})}
    agenda = Agenda(Page.of(PAGE, "Agenda", text), site_urls(home, HOME), head)
    by_uid = {uid: text for made in texts for uid, text in made.items()}
    agenda.files = _Calendars(renderer, site_url, memo).write(folder, by_uid, order.dated, order.subscribed, written, later)
    return agenda


# --- the calendar files -----------------------------------------------------------------------


class _Calendars:
    """The calendar files. Each event is written by icalendar once (by a job: make_one), and its text
    put in every file that holds it; a memo keeps each calendar's heading by what icalendar was given."""

    def __init__(self, renderer: Renderer, site_url: str, memo: dict | None = None):
        self.renderer, self.site_url = renderer, site_url
        self.host = urlsplit(site_url).hostname
        self.memo, self.used = memo if memo is not None else {}, {}

    def write(self, folder: Path, events: dict[str, bytes], dated: list[Event], subscribed: list[Event],
              written: atomic.Written | None = None, later: list | None = None) -> list[tuple[str, Path]]:
        """Each event's file, each cycle's, the agenda's (`subscribed`): (site path, file in the folder).
        `written`: what a preview wrote there last (its 14,000 files at 10,000 records are then neither
        read back nor listed again); `later`: a preview's, where their writing is put, to run once
        the pages are served, file by file."""
        wanted: dict[str, tuple[str, list[Event]]] = {CALENDAR: ("IREV — agenda", subscribed)}
        for event in dated:
            wanted[event.file] = (event.record.model.titre, [event])
            if event.record.kind == "cycle":
                whole = beside(record_uri(event.record), ".ics")
                wanted.setdefault(whole, (event.record.model.titre, []))[1].append(event)
        made = [(uri, files.child(folder, uri)) for uri in wanted]

        def write_all(written=written or atomic.Written()):
            for (uri, path), (name, group) in zip(made, wanted.values()):
                data = self.calendar(uri, name, [events[e.uid] for e in group], [e.date.year for e in group if e.timed])
                written.write(path, data, hash(data))
                yield
            written.keep_only(folder, "*.ics", {path for _, path in made})  # an event gone or undated: its file goes
            self.memo.clear()
            self.memo.update(self.used)
        if later is None:
            atomic.in_parts(write_all())
        else:
            later.append(write_all)
        return made

    def event(self, event: Event) -> bytes:
        return icalendar.Event.new(**dict(self.fields(event))).to_ical()

    def heading(self, fields: tuple) -> bytes:
        """What icalendar writes of a calendar given these fields (the memo's, if it has it)."""
        text = self.memo.get(fields)
        if text is None:
            made = icalendar.Calendar.new(**dict(fields))
            del made["UID"]  # made at random by icalendar (optional, RFC 7986): the same content, the same bytes
            if made.refresh_interval:  # RFC 7986 asks for VALUE; Outlook reads its own property
                made["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
                made.add("X-PUBLISHED-TTL", icalendar.vDuration(made.refresh_interval))
            text = made.to_ical()
        self.used[fields] = text
        return text

    def calendar(self, uri: str, name: str, events: list[bytes], years: list[int]) -> bytes:
        """A calendar of events, with the VTIMEZONE of Paris over the years of those at a time, if any."""
        # NAME is a text (RFC 7986) that icalendar 7.3 writes as given: escaped here (a title's line break
        # would end the line, and icalendar refuses one).
        fields = (("prodid", PRODID), ("method", "PUBLISH"), ("calscale", "GREGORIAN"),
                  ("name", icalendar.vText(name).to_ical().decode()), ("url", settings.absolute_url(uri, self.site_url)))
        if uri == CALENDAR:  # subscribed to: how often a calendar application should read it again
            fields += (("refresh_interval", dt.timedelta(days=1)),)
        head = self.heading(fields).removesuffix(_END)
        return head + (_paris(min(years), max(years)) if years else b"") + b"".join(events) + _END

    def fields(self, event: Event) -> tuple:
        """What icalendar is given of an event, as (name, value) pairs."""
        record, model = event.record, event.record.model
        updated = model.updated().first_day
        start, end = self.span(event)
        page = settings.absolute_url(page_url(record_uri(record)), self.site_url)
        parent = getattr(model, "evenement_parent", None)
        shown = isinstance(parent, str) and self.renderer.catalogue.record(parent) is not None
        return (("uid", f"{event.uid}@{self.host}"), ("summary", self.summary(event)), ("start", start), ("end", end),
                ("stamp", _midnight(updated)), ("last_modified", _midnight(updated)),
                ("sequence", (updated - SEQUENCE_FROM).days), ("location", event.place), ("url", page),
                ("status", "CANCELLED" if event.status else "CONFIRMED"),
                ("description", self.description(event, page)), ("categories", (model.type.label,)),
                ("related_to", f"reunion-{parent}@{self.host}" if shown else None))  # the day an atelier is part of

    @staticmethod
    def span(event: Event) -> tuple:
        """(DTSTART, DTEND): times in Paris on one day; else whole days, the end exclusive."""
        day = event.date.first_day
        if not event.timed:
            return day, (event.last.first_day if event.last else day) + dt.timedelta(days=1)
        at = [settings.in_paris(day, time) for time in (event.start, event.end) if time]
        return at[0], at[1] if len(at) > 1 else None

    @staticmethod
    def summary(event: Event) -> str:
        model = event.record.model
        text = f"{event.session} — {model.titre}" if event.session else model.titre
        if event.start in models.MOMENTS and event.start != "journee":
            text += f" ({models.MOMENTS[event.start].lower()})"
        return f"{event.status.label} : {text}" if event.status else text

    def description(self, event: Event, page: str) -> str:
        model = event.record.model
        lines = [STATUS_NOTE.get(event.status, ""), self.renderer.summary_text(event.record)]
        if event.group:
            lines.append(f"Groupe : {event.group}")
        if event.last and event.start:
            lines.append(f"Horaires : {event.hours()}")
        if model.publics_cibles:
            lines.append("Publics : " + ", ".join(p.label for p in model.publics_cibles))
        url, deadline = registration(model)
        if url:
            lines.append(f"Inscription : {url}" + (f" (jusqu'au {format_date(deadline)})" if deadline else ""))
        lines.append(page)
        return "\n\n".join(line for line in lines if line)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of a day in Paris, in UTC (DTSTAMP and LAST-MODIFIED are UTC times)."""
    return settings.in_paris(day).astimezone(dt.timezone.utc)


_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=None)
def _paris(first: int, last: int) -> bytes:
    """Europe/Paris as a VTIMEZONE (icalendar's, from the tz database) for events from `first` to `last`:
    its changes of time over those years and the next."""
    return icalendar.Timezone.from_tzid("Europe/Paris", first_date=dt.date(first, 1, 1),
                                        last_date=dt.date(last + 2, 1, 1)).to_ical()
