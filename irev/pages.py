"""Page generation: catalogue -> Markdown pages (one per record, one index per type).

Pages are plain data (a source path and Markdown text), handed to whichever renderer
builds the site: MkDocs today, through hooks/irev_hook.py. Nothing here is written
into docs/.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from itertools import groupby

import jinja2

from . import models
from .catalogue import Catalogue, RECORD_KINDS
from .loading import Entry

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
SECTION_TITLES = {"reunion": "Réunions de réseau", "cycle": "Cycles de qualification", "plan": "Plans territoriaux",
                  "fiche": "Fiches outils"}
VALUE_LABELS = {
    "reunion-de-reseau": "Réunion de réseau", "rencontre-regionale": "Rencontre régionale", "webinaire": "Webinaire",
    "seminaire": "Séminaire", "visio": "Visioconférence", "presentiel": "Présentiel", "hybride": "Hybride",
    "cycle-de-qualification": "Cycle de qualification", "parcours-qualifiant": "Parcours qualifiant",
    "formation": "Formation", "ptlcd": "Plan territorial de lutte contre les discriminations",
    "plan-egalite-femmes-hommes": "Plan d'action égalité femmes-hommes", "feuille-de-route": "Feuille de route",
    "grille": "Grille d'analyse", "referentiel": "Référentiel", "questionnaire": "Questionnaire", "guide": "Guide",
    "outil-auto-evaluation": "Outil d'auto-évaluation", "fiche-juridique": "Fiche juridique", "enquete": "Enquête",
    "demi-journee": "Demi-journée", "journee": "Journée", "visite": "Visite de site", "atelier": "Atelier",
    "presentation": "Présentation", "temoignage": "Témoignage", "retour": "Retour", "perspectives": "Perspectives",
    "echanges": "Échanges", "compte-rendu": "Compte rendu", "synthese": "Synthèse", "programme": "Programme",
    "plan": "Plan", "fiche": "Fiche", "replay": "Replay", "webdocumentaire": "Webdocumentaire", "page": "Page web",
    "video": "Vidéo", "emission": "Émission", "article": "Article", "inscription": "Inscription", "autre": "Autre",
    "present": "Présent", "excuse": "Excusé", "region": "Région", "departement": "Département", "epci": "EPCI",
    "commune": "Commune", "qpv": "Quartier prioritaire",
}


@dataclass(frozen=True)
class Page:
    src_uri: str  # e.g. "reunions/2022-06-22-reseau-lcd.md", served at /reunions/2022-06-22-reseau-lcd/
    title: str
    markdown: str


def record_uri(entry: Entry) -> str:
    return f"{RECORD_KINDS[entry.kind].SECTION}/{entry.id}.md"


def index_uri(kind: str) -> str:
    return f"{RECORD_KINDS[kind].SECTION}/index.md"


def generate(catalogue: Catalogue) -> list[Page]:
    """Every generated page of the site: the records and the index of each type."""
    renderer = Renderer(catalogue)
    pages = [renderer.record(entry) for entry in catalogue.records.values()]
    pages += [renderer.index(kind) for kind in RECORD_KINDS]
    return pages


def latest_markdown(catalogue: Catalogue, from_uri: str, count: int = 6) -> str:
    """The home page's list of the latest resources."""
    return Renderer(catalogue).render("latest.md.j2", from_uri, entries=catalogue.latest(count))


def format_date(value: dt.date, weekday: bool = False) -> str:
    text = f"{'1er' if value.day == 1 else value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{DAYS[value.weekday()]} {text}" if weekday else text


def format_time(value: str | None) -> str:
    if not value:
        return ""
    hours, minutes = value.split(":")
    return f"{int(hours)} h {minutes}"


def cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


class Renderer:
    """Renders templates with helpers that know the catalogue (labels, links, consent)."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("irev", "templates"), autoescape=False, keep_trailing_newline=True,
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.env.filters.update(date=format_date, time=format_time, cell=cell, label=lambda v: VALUE_LABELS.get(v, v),
                                org=self.org, territory=self.territory, theme=self.theme, who=self.who)

    def render(self, template: str, from_uri: str, **context) -> str:
        helpers = dict(
            cat=self.catalogue, link=lambda uri: posixpath.relpath(uri, posixpath.dirname(from_uri) or "."),
            record_uri=record_uri, index_uri=index_uri, who=self.who, org=self.org, territory=self.territory,
            theme=self.theme, record_link=lambda ident: self.record_link(ident, from_uri), SECTION_TITLES=SECTION_TITLES)
        return self.env.get_template(template).render(**helpers, **context)

    def record(self, entry: Entry) -> Page:
        uri = record_uri(entry)
        text = self.render(f"{entry.kind}.md.j2", uri, entry=entry, r=entry.model, body=entry.body.strip())
        return Page(uri, entry.model.titre, text)

    def index(self, kind: str) -> Page:
        uri = index_uri(kind)
        entries = self.catalogue.by_kind(kind)
        years = [(year, list(group)) for year, group in groupby(entries, key=lambda e: e.model.sort_date().year)]
        text = self.render("index.md.j2", uri, kind=kind, title=SECTION_TITLES[kind], years=years)
        return Page(uri, SECTION_TITLES[kind], text)

    # --- labels ----------------------------------------------------------------------------

    def org(self, ident: str | None) -> str:
        org = self.catalogue.get("organisation", ident)
        if org is None:
            return ""
        return f"{org.nom} ({org.sigle})" if org.sigle and org.sigle != org.nom else org.nom

    def territory(self, ident: str | None) -> str:
        territory = self.catalogue.get("territoire", ident)
        return territory.nom if territory is not None else ""

    def theme(self, ident: str | None) -> str:
        theme = self.catalogue.get("theme", ident)
        return theme.libelle if theme is not None else ""

    def who(self, person: models.Intervenant, with_role: bool = True) -> str:
        """A person as the public may see them: named only with consent, else by role."""
        name = self.catalogue.person_name(person.personne)
        role = ", ".join(x for x in (person.fonction if with_role else None, self.org(person.organisation)) if x)
        if name:
            return f"{name}, {role}" if role else name
        return role or "Personne non nommée"

    def record_link(self, ident: str | None, from_uri: str) -> str:
        """A Markdown link to a shown record, or '' (unknown or draft: never linked)."""
        entry = self.catalogue.records.get(ident) if ident else None
        if entry is None:
            return ""
        target = posixpath.relpath(record_uri(entry), posixpath.dirname(from_uri))
        return f"[{entry.model.titre}]({target})"
