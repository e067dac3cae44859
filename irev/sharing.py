"""What a page says of itself to search engines, link previews and citation tools: its
description, its last update (the sitemap's `lastmod`), and schema.org data as JSON-LD.

Made from the catalogue after redaction, like the pages: a person is described only where
they have a page (consent), a meeting's organiser and a document's places by their public names.
The theme writes these fields into the page's head (overrides/main.html) from the page's front
matter, where the build session puts them (irev/site.py, write_sources).
"""

from __future__ import annotations

import json
from html import escape

from . import models, settings
from .loading import Entry
from .catalogue import RECORD_KINDS
from .pages import ENTITY_SECTIONS, Renderer, date_phrase, entity_uri, format_date, index_uri, record_uri
from .rendering import beside, page_url

PUBLISHER = {"@type": "Organization", "name": "IREV — centre de ressources Politique de la ville Hauts-de-France",
             "alternateName": "IREV"}
ATTENDANCE = {"visio": "OnlineEventAttendanceMode", "presentiel": "OfflineEventAttendanceMode",
              "hybride": "MixedEventAttendanceMode"}
EVENT_STATUS = {None: "EventScheduled", "annule": "EventCancelled", "reporte": "EventPostponed"}  # statut_evenement
DOCUMENT_KINDS = ("plan", "fiche")


def maker(renderer: Renderer, site_url: str) -> Describer:
    """What makes each job's head (the build session calls jobs, maker and make_one): front matter
    fields by page source, `description` and `citation` HTML-escaped (the theme writes them as
    they are), `mise_a_jour` (ISO date), `jsonld`, `og_type`; the renderer names entries as the pages do."""
    return Describer(renderer, site_url)


def jobs(renderer: Renderer) -> list[tuple]:
    """One job per page that says something of itself: ("record", id), ("entity", kind, id), ("index", kind)."""
    cat = renderer.catalogue
    found: list[tuple] = [("record", ident) for ident in cat.records]
    found += [("entity", kind, ident) for kind in ENTITY_SECTIONS for ident in cat.registries.get(kind, {})
              if renderer.has_page(kind, ident)]
    return found + [("index", kind) for kind in (*ENTITY_SECTIONS, *RECORD_KINDS)]


def make_one(describer: Describer, job: tuple) -> tuple[str, dict]:
    """(page source, its head fields); what it reads of the catalogue is noted (irev/incremental.py)."""
    cat, (what, *arguments) = describer.cat, job
    if what == "record":
        entry = cat.record(arguments[0])
        return record_uri(entry), describer.record(entry)
    if what == "entity":
        kind, ident = arguments
        head = describer.entity(kind, ident) if kind != "theme" else {}
        dates = [cat.updated(e.id) for e in cat.records_linking(kind, ident)]  # noted: only their dates are read
        return entity_uri(kind, ident), {**head, **_newest(dates)}
    kind = arguments[0]  # a section's index, or a directory: the newest of what it lists
    kinds = (kind,) if kind in RECORD_KINDS else RECORD_KINDS
    return index_uri(kind), _newest([date for k in kinds for date in cat.updates(k)])


def _newest(dates: list[models.PartialDate]) -> dict:
    """The newest update of the records a page lists, as its `mise_a_jour` (none if it lists none)."""
    firsts = [date.first_day for date in dates]  # a partial date at its first day
    return {"mise_a_jour": max(firsts).isoformat()} if firsts else {}


def script_json(data: dict) -> str:
    """JSON safe inside a <script> element: no « </script> » or « <!-- » can close or confuse it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


class Describer:
    def __init__(self, renderer: Renderer, site_url: str):
        self.cat, self.site_url, self.renderer = renderer.catalogue, site_url, renderer

    def url(self, src_uri: str) -> str:
        return settings.absolute_url(page_url(src_uri), self.site_url)

    def record(self, entry: Entry) -> dict:
        with self.renderer.shown_in(entry):  # names as the record shows them
            return self._record(entry)

    def _record(self, entry: Entry) -> dict:
        model = entry.model
        description = self.renderer.summary_text(entry) or f"{model.kind_label()} : {model.titre}"
        data = {"@context": "https://schema.org", "@type": "", "name": model.titre, "url": self.url(record_uri(entry)),
                "description": description, "inLanguage": "fr",
                "about": [name for name in (self.renderer.name(t, "theme") for t in model.themes) if name]}
        places = self.places(model)
        if entry.kind == "reunion":
            data.update(self.event(entry))
        elif entry.kind == "cycle":
            data.update({"@type": "EventSeries", "organizer": self.organisation(model.organisateur),
                         "startDate": model.date_as_published().isoformat()})
        else:
            data.update({"@type": "DigitalDocument", "publisher": PUBLISHER,
                         "datePublished": model.date_as_published().isoformat(),  # its real precision: 2017-04
                         "dateModified": model.updated().first_day.isoformat(),
                         "encoding": {"@type": "MediaObject", "encodingFormat": "application/pdf",
                                      "contentUrl": settings.absolute_url(download_uri(record_uri(entry)), self.site_url)}})
        if places:
            data["spatialCoverage" if entry.kind in DOCUMENT_KINDS else "contentLocation"] = places
        authors = self.authors(model)
        if authors:
            data["author"] = authors
        return {"description": escape(description), "mise_a_jour": model.updated().first_day.isoformat(),
                "jsonld": script_json(data), "og_type": "article", "mise_a_jour_texte": escape(date_phrase(model.updated())),
                "citation": escape(self.citation(entry, [a["name"] for a in authors]))}

    def authors(self, model: models.Record) -> list[dict]:
        """Who signs the resource: its organiser or bearer, a fiche's authors (people only with a page)."""
        found = [self.organisation(getattr(model, field)) for field in ("organisateur", "porteur") if hasattr(model, field)]
        for author in getattr(model, "auteurs", []):
            if author.personne and self.renderer.has_page("personne", author.personne):
                found.append({"@type": "Person", "name": self.renderer.name(author.personne, "personne"),
                              "url": self.url(entity_uri("personne", author.personne))})
            elif author.organisation:
                found.append(self.organisation(author.organisation))
        return list({a["name"]: a for a in found}.values())

    def citation(self, entry: Entry, authors: list[str]) -> str:
        """« Auteur. Titre [type]. Date. Éditeur. Disponible sur : URL (consulté le …). » (after ISO 690)."""
        model = entry.model
        signed = ", ".join(authors) or "IREV"
        return (f"{signed}. {model.titre} [{model.kind_label().lower()}]. {format_date(model.date_as_published())}. "
                f"{PUBLISHER['name']}. Disponible sur : {self.url(record_uri(entry))} (consulté le …).")

    def event(self, entry: Entry) -> dict:
        meeting: models.Reunion = entry.model
        data = {"@type": "Event", "startDate": _moment(meeting.date, meeting.heure_debut),
                "eventAttendanceMode": f"https://schema.org/{ATTENDANCE[meeting.format]}",
                "eventStatus": f"https://schema.org/{EVENT_STATUS[meeting.statut_evenement]}",
                "organizer": self.organisation(meeting.organisateur)}
        if meeting.heure_fin:
            data["endDate"] = _moment(meeting.date, meeting.heure_fin)
        location = []
        if meeting.format != "visio":
            location.append({"@type": "Place", "name": meeting.lieu or "Lieu communiqué aux participants",
                             **({"address": meeting.lieu} if meeting.lieu else {})})
        if meeting.format != "presentiel":
            location.append({"@type": "VirtualLocation", "name": "En visioconférence"})
        data["location"] = location[0] if len(location) == 1 else location
        parent = self.cat.record(meeting.evenement_parent)  # events within events: the day and its ateliers
        if parent is not None:
            data["superEvent"] = self.event_link(parent)
        parts = self.cat.records_linking("reunion", entry.id, ("parent",))
        if parts:
            data["subEvent"] = [self.event_link(part) for part in parts]
        return data

    def event_link(self, entry: Entry) -> dict:
        return {"@type": "Event", "name": self.renderer.shown(entry.model.titre), "url": self.url(record_uri(entry))}

    def organisation(self, ident: str | None) -> dict:
        model = self.cat.get("organisation", ident)
        if model is None:
            return PUBLISHER
        nom, sigle = self.renderer.shown(model.nom), model.sigle and self.renderer.shown(model.sigle)
        data = {"@type": "Organization", "name": nom}
        if sigle and sigle != nom:
            data["alternateName"] = sigle
        if self.renderer.has_page("organisation", ident):
            data["url"] = self.url(entity_uri("organisation", ident))
        return data

    def places(self, model: models.Record) -> list[dict]:
        idents = list(model.territoires) + ([model.territoire] if isinstance(model, models.Plan) else [])
        return [{"@type": "Place", "name": name, "url": self.url(entity_uri("territoire", ident))}
                for ident in dict.fromkeys(idents) if (name := self.renderer.name(ident, "territoire"))]

    def entity(self, kind: str, ident: str) -> dict:
        name, url = self.renderer.name(ident, kind), self.url(entity_uri(kind, ident))
        if kind == "organisation":
            data = {**self.organisation(ident), "url": url}
            description = f"{name} : les ressources de l'IREV qui citent cette organisation."
        elif kind == "territoire":
            parents = [self.renderer.name(p, "territoire") for p in self.cat.ancestors("territoire", ident)]
            data = {"@type": "Place", "name": name, "url": url}
            if parents:
                data["containedInPlace"] = {"@type": "Place", "name": parents[-1]}
            description = f"{name} : les ressources de l'IREV sur ce territoire."
        else:  # a person with a page has consented to be named
            data = {"@type": "Person", "name": name, "url": url}
            description = f"{name} : ses interventions et participations dans les ressources de l'IREV."
        return {"description": escape(description), "jsonld": script_json({"@context": "https://schema.org", **data}),
                "og_type": "profile" if kind == "personne" else "website"}


def download_uri(src_uri: str) -> str:
    """Where a record page's PDF is served: beside the page, named after it (fiches/x/x.pdf)."""
    return beside(src_uri, ".pdf")


def _moment(day: models.PartialDate, time: str | None) -> str:
    """A date with its real precision (2017-04), or a day and time in Paris with its offset that day
    (summer or winter time); a part of the day (« après-midi ») has no time."""
    if not time or time in models.MOMENTS:
        return day.isoformat()
    return settings.in_paris(day.first_day, time).isoformat()
