"""The content model: the single source of truth for validation, JSON Schemas and field docs.

Field names are French snake_case, as in French public data schemas; every field has a
French description, which becomes the documentation editors see in their editor.
A reference to another entry is typed with `Ref(kind)`: the catalogue finds every
cross-link through that one marker (one mechanism for every cross-link).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, ClassVar, Literal, NamedTuple, Optional, Union

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, TypeAdapter,
                      ValidationError, ValidationInfo, WithJsonSchema, WrapValidator, field_validator, model_serializer,
                      model_validator)
from pydantic_core import PydanticCustomError

from .problems import shown

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Ref:
    """Marks a field as the id of another entry of the given kind. On a model (a partner), the
    item may also be written as that id alone."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"Ref({self.kind!r})"


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
PersonneRef = Annotated[Slug, Ref("personne")]
OrganisationRef = Annotated[Slug, Ref("organisation")]
TerritoireRef = Annotated[Slug, Ref("territoire")]
ThemeRef = Annotated[Slug, Ref("theme")]
ReunionRef = Annotated[Slug, Ref("reunion")]
FicheRef = Annotated[Slug, Ref("fiche")]
Texte = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _normalise_time(value: str) -> str:
    hours, minutes = re.split(r"[:h]", value)
    return f"{int(hours):02d}:{minutes}"


Heure = Annotated[
    str,
    StringConstraints(pattern=r"^([01]?[0-9]|2[0-3])[:h][0-5][0-9]$"),
    AfterValidator(_normalise_time),
]
Url = Annotated[str, StringConstraints(pattern=r"^(https?://|mailto:)\S+$")]

# Values are read as text; pydantic would also take `y`, `on` or `1` as true and a number as a
# date (seconds since 1970): only the forms editors are told about are accepted.


def _boolean(value):
    if isinstance(value, bool) or value in ("true", "false"):
        return value
    raise PydanticCustomError("bool_parsing", "Input should be true or false")


Booleen = Annotated[bool, BeforeValidator(_boolean)]


class Strict(BaseModel):
    """Every model refuses unknown fields: a typo must not silently lose a fact. Defaults are validated
    too, so that an enumeration's default knows its label (Labels)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)


# --- Dates -------------------------------------------------------------------------------
# One date type for every date field: a day, a month, a year, or a day whose year the source does not
# give (« le 6 novembre dernier »), kept with that precision and shown with it. A field that needs more
# asks for it: a year (anything listings sort by), or a full day (a deadline).

_DATE_FORMS = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?|--(?P<yearless_month>\d{2})-(?P<yearless_day>\d{2})")
_DATE_BLOCK_KEYS = ("date", "precision")
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _date_fields(value):
    """The fields of a PartialDate from what an editor wrote (a text, or a block with `precision`)."""
    if isinstance(value, PartialDate):
        return value
    note = None
    if isinstance(value, dict):
        if "date" not in value or any(key not in _DATE_BLOCK_KEYS for key in value):
            raise PydanticCustomError("date_bloc", "Input should be a block with date and precision only",
                                      {"cles": ", ".join(shown(key) for key in value)})
        note, value = value.get("precision"), value["date"]
    if isinstance(value, dt.date):
        return {"year": value.year, "month": value.month, "day": value.day, "precision": note}
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    found = _DATE_FORMS.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise PydanticCustomError("date_forme", "Input should be YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD",
                                  {"valeur": shown(text)})
    year, month, day = (int(part) if part else None for part in (
        found["year"], found["month"] or found["yearless_month"], found["day"] or found["yearless_day"]))
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise PydanticCustomError("date_annee", "Year out of range", {"valeur": shown(text)})
    try:
        dt.date(year or 2000, month or 1, day or 1)  # 2000: a leap year, so that --02-29 exists
    except ValueError:
        raise PydanticCustomError("date_impossible", "Input should be an existing date", {"valeur": shown(text)}) from None
    return {"year": year, "month": month, "day": day, "precision": note}


class PartialDate(Strict):
    """A date with the precision its source gives. Editors write `2016-04-12`, `2016-04`, `2016` or
    `--11-06` (a day without its year, the ISO 8601 form), or a block adding an explanatory text:
    `{date: --11-06, precision: « le 6 novembre dernier », année non précisée}`."""

    year: Optional[int] = None  # None: a day without its year
    month: Optional[int] = None
    day: Optional[int] = None
    precision: Optional[Texte] = Field(None, description="Ce que dit la source de cette date (« le 6 novembre dernier »).")

    @model_validator(mode="before")
    @classmethod
    def _read(cls, value):
        return _date_fields(value)

    @property
    def complete(self) -> bool:
        return None not in (self.year, self.month, self.day)

    @property
    def first_day(self) -> dt.date:
        """Where it sorts: a partial date at its first day (a day without its year, never sorted, in year 1)."""
        return dt.date(self.year or 1, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        """The last day it can mean: a name used « until 2016 » was used all that year."""
        if self.day:
            return self.first_day
        if self.month:
            return (self.first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return dt.date(self.year or 1, 12, 31)

    @model_serializer
    def _as_written(self):
        """Serialised (open data) as editors write it: the text, or the block with its note."""
        return {"date": self.isoformat(), "precision": self.precision} if self.precision else self.isoformat()

    def isoformat(self) -> str:
        """As written: `2016-04-12`, `2016-04`, `2016`, `--11-06` (the explanatory text left out)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return "-".join([f"{self.year:04d}"] + [f"{part:02d}" for part in (self.month, self.day) if part is not None])


def _with_year(value: PartialDate) -> PartialDate:
    if value.year is None:
        raise PydanticCustomError("date_sans_annee", "A year is needed here", {"valeur": value.isoformat()})
    return value


def _full_day(value: PartialDate) -> PartialDate:
    if not value.complete:
        raise PydanticCustomError("date_jour", "A full day is needed here", {"valeur": value.isoformat()})
    return value


_WRITTEN = "AAAA-MM-JJ, AAAA-MM, AAAA ou --MM-JJ (jour sans année)"
_DATE_TEXT = r"^(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?|--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$"
_DATED_TEXT = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_DAY_TEXT = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _date_schema(pattern: str, text: str) -> WithJsonSchema:
    """What editors see of a date field in their editor: the text forms, and the block with its note."""
    written = {"type": "string", "pattern": pattern, "description": text}
    return WithJsonSchema({"anyOf": [written, {
        "type": "object", "additionalProperties": False, "required": ["date"],
        "description": "La date et ce que la source en dit.",
        "properties": {"date": written, "precision": {
            "type": "string", "minLength": 1,
            "description": "Ce que dit la source de cette date, par ex. « le 6 novembre dernier », année non précisée."}}}]})


# Any precision, a day without its year included: where nothing sorts by the date.
Date = Annotated[PartialDate, _date_schema(_DATE_TEXT, f"Date : {_WRITTEN}.")]
# With a year at least: what listings sort and group by, a period, a function held.
DateAvecAnnee = Annotated[PartialDate, AfterValidator(_with_year),
                          _date_schema(_DATED_TEXT, "Date : AAAA-MM-JJ, ou AAAA-MM, ou l'année seule si la source n'en dit pas plus.")]
# A full day: a deadline, a record's last update (« Mis à jour le … »). Times ask for a full day too (_schedule).
Jour = Annotated[PartialDate, AfterValidator(_full_day), _date_schema(_DAY_TEXT, "Date complète : AAAA-MM-JJ.")]


# --- Enumerations ------------------------------------------------------------------------
# Every enumerated value is declared with its French label beside it, and shown with it (pages.label).
# A value keeps its enumeration's label: the same word may mean two things (a role « diagnostic », a stage
# « diagnostic »), so there is no site-wide table of labels.


class Choice(str):
    """An enumerated value (plain text everywhere) that knows its French label."""

    label: str


def _choice(value: str, label: str) -> Choice:
    choice = Choice(value)
    choice.label = label
    return choice


class Labels:
    """An enumeration's labels, kept in its type: validation gives each value its label (defaults
    included), and editors' YAML extensions show the labels beside the values (JSON Schema)."""

    def __init__(self, labels: dict[str, str], wordings: dict[str, tuple[str, ...]] | None = None):
        self.labels = labels
        self.wordings = wordings or {value: (label,) for value, label in labels.items()}  # every form pages use
        self.choices = {value: _choice(value, label) for value, label in labels.items()}  # one of each, shared

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["enumDescriptions"] = list(self.labels.values())
        return schema


def enumeration(labels: dict[str, str], wordings: dict[str, tuple[str, ...]] | None = None):
    """A closed list of values (slugs), each with its French label (and, where pages word it otherwise,
    such as a heading over a group, every wording: `wordings`)."""
    read = Labels(labels, wordings)
    # (a dict lookup: pydantic calls it without a Python frame, 140,000 times at 10,000 records)
    return Annotated[Literal[tuple(labels)], AfterValidator(read.choices.__getitem__), read]  # type: ignore[valid-type]


Format = enumeration({"visio": "Visioconférence", "presentiel": "Présentiel", "hybride": "Hybride"})
MOMENTS = {"matin": "Matin", "apres-midi": "Après-midi", "journee": "Journée", "soiree": "Soirée"}
Moment = enumeration(MOMENTS)
# An event that does not take place as announced: carried as such by the pages, the agenda and the
# calendar files (irev/agenda.py), which keep its place (UID) in the calendars it was added to.
StatutEvenement = enumeration({"annule": "Annulé", "reporte": "Reporté"})
_STATUT_EVENEMENT = (
    "Seulement si l'événement n'a pas lieu comme annoncé : « annule » (il n'aura pas lieu), « reporte » (pas à "
    "cette date, la nouvelle n'est pas encore connue). Quand la nouvelle date est connue, remplacez la date, "
    "retirez ce champ et indiquez « mise_a_jour » : l'événement se déplace dans les agendas où il a été ajouté.")


def _one_error(value, handler):
    """A time or a part of the day: one error for a value that is neither, not one per form."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError("horaire", "Input should be a time or a part of the day", {"valeur": shown(value)}) from None


Horaire = Annotated[Union[Heure, Moment], WrapValidator(_one_error), Field(description=(
    "Heure de début (« 9:30 », « 09:30 » ou « 9h30 ») ou, si la source n'en dit pas plus, partie de la journée : "
    "matin, apres-midi, journee ou soiree (sans heure_fin alors)."))]
HeureFin = Annotated[Heure, Field(description="Heure de fin (« 12:00 », « 12h00 »).")]


def _schedule(cls, value: str | None, info: ValidationInfo) -> str | None:
    """`heure_debut` and `heure_fin` beside a `date`: times need a full day; a part of the day (in
    heure_debut) stands alone; the end comes after the start."""
    day, start = info.data.get("date"), info.data.get("heure_debut")
    if value is None:
        return value
    if info.field_name == "heure_fin":
        if start in MOMENTS:
            raise ValueError(f"retirez heure_fin : « {start} » dans heure_debut dit déjà le moment de la journée")
        if start and value <= start:
            raise ValueError("heure_fin doit être après heure_debut")
    if day is not None and not day.complete:
        raise ValueError(f"un horaire demande une date complète (AAAA-MM-JJ), la date est « {day.isoformat()} »")
    return value


checked_schedule = field_validator("heure_debut", "heure_fin")(classmethod(_schedule))


PUBLICS = {
    "elus": "Élus",
    "professionnels-politique-de-la-ville": "Professionnels de la politique de la ville",
    "agents-collectivites": "Agents des collectivités",
    "services-etat": "Services de l'État",
    "associations": "Associations et centres sociaux",
    "bailleurs": "Bailleurs sociaux",
    "education": "Communauté éducative",
    "entreprises": "Entreprises",
    "habitants": "Habitants",
}
PublicCible = enumeration(PUBLICS)


class RoleLabels(NamedTuple):
    label: str  # the value itself: « Co-organisateur »
    heading: str  # over the organisations of that role on a record's page: « Co-organisation »
    backlink: str  # over the records on the organisation's page: « Co-organisateur de »


# The part an organisation takes in a meeting, a cycle, a plan or a tool (beside organiser or bearer).
ORGANISATION_ROLES = {
    "co-organisateur": RoleLabels("Co-organisateur", "Co-organisation", "Co-organisateur de"),
    "partenaire": RoleLabels("Partenaire", "Partenaires", "Partenaire de"),
    "financeur": RoleLabels("Financeur", "Financement", "Financeur de"),
    "intervenant": RoleLabels("Structure intervenante", "Structures intervenantes", "Structure intervenante dans"),
    "accueil": RoleLabels("Structure d'accueil", "Accueil", "Structure d'accueil de"),
    "soutien": RoleLabels("Soutien", "Avec le soutien de", "A soutenu"),
    "signataire": RoleLabels("Signataire", "Signataires", "Signataire de"),
    "diagnostic": RoleLabels("Contribution au diagnostic", "Structures ayant contribué au diagnostic",
                             "A contribué au diagnostic de"),
    "partie-prenante": RoleLabels("Partie prenante", "Parties prenantes", "Partie prenante de"),
}
RoleOrganisation = enumeration({value: labels.label for value, labels in ORGANISATION_ROLES.items()},
                               {value: tuple(labels) for value, labels in ORGANISATION_ROLES.items()})

# What a person (or an organisation) does in a meeting or a cycle.
PERSON_ROLES = {
    "intervention": "Intervention",
    "animation": "Animation",
    "moderation": "Modération",
    "introduction": "Introduction",
    "conclusion": "Conclusion",
    "grand-temoin": "Grand témoin",
    "fil-rouge": "Fil rouge",
}
RolePersonne = enumeration(PERSON_ROLES)


# --- Small shared structures -------------------------------------------------------------


class Lien(Strict):
    """An external link: replay, synthesis, webdocumentary, resource page…"""

    titre: Texte = Field(description="Texte du lien.")
    url: Url = Field(description="Adresse complète, commençant par https://.")
    type: enumeration({
        "replay": "Replay", "synthese": "Synthèse", "webdocumentaire": "Webdocumentaire", "page": "Page web", "video": "Vidéo",
        "emission": "Émission", "article": "Article", "inscription": "Inscription", "autre": "Autre",
    }) = Field("page", description="Nature de la ressource liée.")


class PieceJointe(Strict):
    """A downloadable document: hosted by the site (`fichier`: format and size computed from the file)
    or published elsewhere (`url`: format and size as its source shows them, if known)."""

    titre: Texte = Field(description="Titre du document.")
    type: enumeration({
        "compte-rendu": "Compte rendu", "grille": "Grille d'analyse", "synthese": "Synthèse", "presentation": "Présentation",
        "programme": "Programme", "plan": "Plan", "questionnaire": "Questionnaire", "fiche": "Fiche", "autre": "Autre",
    }) = Field(description="Nature du document.")
    url: Optional[Url] = Field(None, description=(
        "Adresse où le document est publié. Sans « url » ni « fichier », le document est indiqué "
        "« non disponible en ligne »."))
    fichier: Optional[str] = Field(None, description=(
        "Chemin du fichier sous content/pieces-jointes/, s'il est hébergé par le site, par ex. « 2022/compte-rendu.pdf » "
        "(minuscules sans accents, chiffres et tirets) ; make check vérifie son type et son poids. Le site affiche "
        "son format et son poids, calculés à partir du fichier."))
    poids: Optional[str] = Field(None, description=(
        "Poids d'un document publié ailleurs (« url »), tel que l'affiche sa source, par ex. « 348.92 Ko ». "
        "Pour un fichier hébergé (« fichier »), ne l'indiquez pas : il est calculé à partir du fichier "
        "(s'il est indiqué, il doit correspondre)."))
    format: Optional[str] = Field(None, description=(
        "Format d'un document publié ailleurs (« url »), par ex. « PDF » ; sans lui, aucun format n'est affiché. "
        "Pour un fichier hébergé, ne l'indiquez pas : il est déduit du fichier."))


class Intervenant(Strict):
    """Someone acting in a role: a person (by id), their organisation and function that day."""

    personne: Optional[PersonneRef] = Field(None, description="Identifiant de la personne (registre des personnes).")
    organisation: Optional[OrganisationRef] = Field(None, description="Identifiant de l'organisation représentée.")
    fonction: Optional[Texte] = Field(None, description="Fonction exercée à cette date.")
    # An editorial instruction, not a fact about the record: never exported (exclude), applied by the catalogue.
    nommer: Optional[Booleen] = Field(None, exclude=True, description=(
        "false : la personne n'est pas nommée dans cette ressource, même si le registre le permet (elle y apparaît "
        "par sa fonction et son organisation, et sa page ne cite pas la ressource). true : elle y est nommée, ce qui "
        "exige « consentement_publication: true » au registre. Sans ce champ, le registre décide."))

    @model_validator(mode="after")
    def _someone(self):
        if not (self.personne or self.organisation):
            raise ValueError("indiquez au moins « personne » ou « organisation »")
        if self.nommer is not None and not self.personne:
            raise ValueError("« nommer » ne vaut que pour une personne : indiquez « personne » ou retirez « nommer »")
        return self


class Contact(Intervenant):
    """Who to ask; phone and e-mail are published only when `coordonnees_publiques` is true."""

    telephones: list[Texte] = Field(default_factory=list, description="Numéros de téléphone.")
    email: Optional[Texte] = Field(None, description="Adresse électronique.")
    coordonnees_publiques: Booleen = Field(False, description="Vrai seulement si la personne a accepté la publication de ses coordonnées.")


class IntervenantRole(Intervenant):
    """Someone acting in a meeting or a cycle, and in which role (speaker, animation, fil rouge…)."""

    role: RolePersonne = Field("intervention", description=(
        "Rôle : « intervention » (par défaut), « animation », « moderation », « introduction », « conclusion », "
        "« grand-temoin » ou « fil-rouge » (présent tout au long d'un cycle)."))


class Partenaire(Strict):
    """An organisation associated with a record, and how: co-organiser, partner, funder…"""

    organisation: Optional[OrganisationRef] = Field(None, description="Identifiant de l'organisation (registre des organisations).")
    nom: Optional[Texte] = Field(None, description=(
        "Nom d'une structure absente du registre, si elle n'y a pas sa place (« les entreprises du territoire ») ; "
        "sinon ajoutez-la au registre et indiquez « organisation »."))
    role: RoleOrganisation = Field("partenaire", description=(
        "Rôle : « partenaire » (par défaut), « co-organisateur », « financeur », « intervenant » (structure "
        "intervenante), « accueil » (structure hôte), « soutien », « signataire », « diagnostic » (a contribué au "
        "diagnostic) ou « partie-prenante »."))
    precision: Optional[Texte] = Field(None, description="Ce que la source dit de plus (« volet logement », « prêt de salle »).")

    @model_validator(mode="after")
    def _one_name(self):
        if bool(self.organisation) == bool(self.nom):
            raise ValueError("indiquez « organisation » (identifiant du registre) ou bien « nom », un seul des deux")
        return self


def _organisation_alone(value):
    """A partner written as the id alone is a partner of the default role."""
    return {"organisation": value} if isinstance(value, str) else value


# Written `- mel` or `- {organisation: mel, role: financeur}`; the Ref lets the catalogue check the short form.
PartenaireItem = Annotated[Partenaire, Ref("organisation"), BeforeValidator(
    _organisation_alone, json_schema_input_type=Union[OrganisationRef, Partenaire])]


class ComitePilotage(Strict):
    """Who steers a cycle or a plan: organisations, and people (named only with their consent)."""

    membres: list[Intervenant] = Field(min_length=1, description=(
        "Membres : une organisation, une personne, ou une personne et l'organisation qu'elle y représente."))
    mission: Optional[Texte] = Field(None, description="Rôle du comité et rythme de ses réunions (« valide le programme »).")


class DateCle(Strict):
    date: Date = Field(description=f"Date : {_WRITTEN} ; ajoutez « precision » pour dire ce qu'en dit la source.")
    evenement: Texte = Field(description="Ce qui a eu lieu ce jour-là.")


class SansFiche(Strict):
    """A meeting or document a record refers to that has no record on the site: shown as text."""

    intitule: Texte = Field(description=(
        "Ce qu'elle était, comme la source la désigne, par ex. « réunion du réseau sur l'emploi des jeunes »."))
    date: Optional[Date] = Field(None, description=f"Sa date, si elle est connue : {_WRITTEN}.")


def or_unrecorded(reference):
    """A reference to a record (its id), or the description of something that has none (a block):
    the errors of the form written only."""
    by_id = TypeAdapter(reference)

    def read(value, _handler):
        return SansFiche.model_validate(value) if isinstance(value, dict) else by_id.validate_python(value)

    return Annotated[Union[reference, SansFiche], WrapValidator(read)]


ReunionOuSansFiche = or_unrecorded(ReunionRef)


class Chiffre(Strict):
    """A figure quoted by a document, kept with its wording."""

    valeur: Texte = Field(description="La valeur telle que publiée (« 5 plaintes », « 6000 »).")
    libelle: Texte = Field(description="Ce que mesure la valeur.")


# --- Records -----------------------------------------------------------------------------


class Record(Strict):
    """Fields shared by every record type."""

    KIND: ClassVar[str]
    LABEL: ClassVar[str]
    FOLDER: ClassVar[str]  # folder under content/
    SECTION: ClassVar[str]  # URL prefix on the site (French)
    DOCUMENT: ClassVar[str]  # what its PDF is called: « Télécharger la fiche (PDF, 245 Ko) »

    titre: Texte = Field(description="Titre de la ressource.")
    statut: enumeration({"publie": "Publié", "brouillon": "Brouillon"}) = Field(description="« publie » pour le site public, « brouillon » sinon.")
    resume: Optional[Texte] = Field(None, description="Résumé en une ou deux phrases, pour les listes et la recherche.")
    themes: list[ThemeRef] = Field(default_factory=list, description="Thématiques (registre des thèmes).")
    territoires: list[TerritoireRef] = Field(default_factory=list, description="Territoires concernés (registre des territoires).")
    documents: list[PieceJointe] = Field(default_factory=list, description="Documents téléchargeables.")
    liens: list[Lien] = Field(default_factory=list, description="Liens externes.")
    personnes_citees: list[Intervenant] = Field(
        default_factory=list, description="Personnes ou organisations citées par le document sans y intervenir.")
    partenaires: list[PartenaireItem] = Field(default_factory=list, description=(
        "Organisations associées et leur rôle : co-organisateurs d'une réunion, partenaires et financeurs d'un "
        "cycle, signataires d'un plan… Un identifiant seul (« - mel ») est un partenaire."))
    publics_cibles: list[PublicCible] = Field(
        default_factory=list, description="À qui s'adresse la ressource (vocabulaire fixe, sert de filtre de recherche).")
    mise_a_jour: Optional[Jour] = Field(None, description=(
        "Date de la dernière mise à jour du contenu (AAAA-MM-JJ), imprimée au pied du PDF et sous « Citer cette "
        "ressource » ; à défaut, la date du dernier changement du fichier (son historique git, sinon sa date)."))

    def organisations(self) -> list[str]:
        """The organisations that made the resource (organiser or bearer, partners, authors): the library's facet."""
        ids = [getattr(self, "organisateur", None), getattr(self, "porteur", None)]
        ids += [p.organisation for p in self.partenaires] + [a.organisation for a in getattr(self, "auteurs", [])]
        return list(dict.fromkeys(i for i in ids if i))

    def updated(self) -> PartialDate:
        """The date of the record's last update, as its PDF says it."""
        return self.mise_a_jour or self.date_as_published()

    def sort_date(self) -> dt.date:
        """The date listings sort and group by: a partial date at its first day."""
        return self.date_as_published().first_day

    def date_as_published(self) -> PartialDate:
        """The record's date with the precision its source gives (a day, a month or a year)."""
        return self.date  # type: ignore[attr-defined]

    def places(self) -> list[str]:
        """The territories the record is about (search facets): its classification, and what its type adds."""
        return list(self.territoires)

    def kind_label(self) -> str:
        """What the record is, as its PDF says it (« Fiche outil »…)."""
        return self.LABEL


class PointOrdreDuJour(Strict):
    titre: Texte = Field(description="Intitulé de la partie.")
    points: list[Texte] = Field(default_factory=list, description="Points traités dans cette partie.")


class PriseDeParole(Strict):
    """A reaction or remark, attributed to a speaker (none: the participants as a group)."""

    intervenant: Optional[Intervenant] = Field(None, description="Qui parle ; absent pour une réaction collective.")
    propos: Texte = Field(description="Résumé de ce qui a été dit (Markdown).")


class Intervention(Strict):
    """A presentation or testimony during a meeting, and the reactions it drew."""

    titre: Texte = Field(description="Intitulé de l'intervention.")
    type: enumeration({
        "presentation": "Présentation", "temoignage": "Témoignage", "retour": "Retour", "perspectives": "Perspectives",
        "echanges": "Échanges",
    }) = Field("presentation", description="Nature de l'intervention.")
    partie: Optional[int] = Field(None, ge=1, description="Numéro de la partie de l'ordre du jour (1, 2…).")
    intervenants: list[IntervenantRole] = Field(default_factory=list, description="Qui intervient, et dans quel rôle.")
    resume: Optional[Texte] = Field(None, description="Résumé de l'intervention (Markdown).")
    reactions: list[PriseDeParole] = Field(default_factory=list, description="Réactions et échanges qui ont suivi.")
    personnes_citees: list[Intervenant] = Field(
        default_factory=list, description="Personnes citées dans l'intervention (intervenants d'un webinaire…).")


class Participant(Intervenant):
    presence: enumeration({"present": "Présent", "excuse": "Excusé"}) = Field("present", description="« present » ou « excuse ».")


class Reunion(Record):
    """A network meeting (réunion de réseau) or regional meeting (rencontre régionale)."""

    KIND = "reunion"
    DOCUMENT = "le compte rendu"
    LABEL = "Réunion"
    FOLDER = "meetings"
    SECTION = "reunions"

    type: enumeration({
        "reunion-de-reseau": "Réunion de réseau", "rencontre-regionale": "Rencontre régionale", "webinaire": "Webinaire",
        "seminaire": "Séminaire", "atelier": "Atelier",
    }) = Field(description=(
        "Nature de la réunion ; une journée régionale est une « rencontre-regionale », un atelier tenu pendant "
        "une rencontre plus large est un « atelier » qui la nomme dans « evenement_parent »."))
    date: DateAvecAnnee = Field(description=(
        "Date de la réunion : AAAA-MM-JJ ; AAAA-MM ou l'année seule si la source n'en dit pas plus (sans horaire alors)."))
    heure_debut: Optional[Horaire] = None
    heure_fin: Optional[HeureFin] = None
    format: Format = Field(description="Visioconférence, présentiel ou hybride.")
    lieu: Optional[Texte] = Field(None, description="Lieu, pour une réunion en présentiel ou hybride.")
    statut_evenement: Optional[StatutEvenement] = Field(None, description=_STATUT_EVENEMENT)
    organisateur: OrganisationRef = Field(description="Organisation qui réunit le réseau.")
    serie: Optional[Slug] = Field(None, description="Identifiant de la série de réunions (par ex. « reseau-lcd »).")
    precedente: Optional[ReunionOuSansFiche] = Field(None, description=(
        "Réunion précédente de la série : son identifiant ou, si elle n'a pas de fiche, « intitule » et « date »."))
    suivante: Optional[ReunionOuSansFiche] = Field(None, description=(
        "Réunion suivante de la série : son identifiant ou, si elle n'a pas de fiche, « intitule » et « date »."))
    evenement_parent: Optional[ReunionOuSansFiche] = Field(None, description=(
        "La réunion plus large dont celle-ci fait partie (par ex. la journée régionale où se tient l'atelier) : son "
        "identifiant, et sa page liste alors celle-ci ; ou, si elle n'a pas de fiche, « intitule » et « date »."))
    nombre_participants: Optional[int] = Field(None, ge=0, description="Nombre de participants annoncé.")
    nombre_territoires: Optional[int] = Field(None, ge=0, description="Nombre de territoires représentés annoncé.")
    intervenants: list[IntervenantRole] = Field(default_factory=list, description=(
        "Qui anime, modère, introduit, conclut ou est grand témoin de toute la réunion (une intervention : "
        "voir « interventions »)."))
    participants: list[Participant] = Field(default_factory=list, description="Liste des participants et excusés.")
    ordre_du_jour: list[PointOrdreDuJour] = Field(default_factory=list, description="Parties et points de l'ordre du jour.")
    interventions: list[Intervention] = Field(default_factory=list, description="Interventions, témoignages et réactions.")
    perspectives: list[Texte] = Field(default_factory=list, description="Suites annoncées.")

    _schedule = checked_schedule


class Creneau(Strict):
    """One occurrence of a session: its day or days, for one audience group or for all, at one place
    (a session repeated in several territories has one occurrence in each)."""

    date: DateAvecAnnee = Field(description=(
        "Date, ou premier jour : AAAA-MM-JJ ; AAAA-MM ou l'année seule si la source n'en dit pas plus (sans horaire alors)."))
    date_fin: Optional[Jour] = Field(None, description="Dernier jour, pour une séance sur plusieurs jours consécutifs (AAAA-MM-JJ).")
    heure_debut: Optional[Horaire] = None
    heure_fin: Optional[HeureFin] = None
    groupe: Optional[Slug] = Field(None, description="Identifiant du groupe de public (voir « groupes »), vide si tous.")
    lieu: Optional[Texte] = Field(None, description="Lieu de cette séance, s'il diffère d'une séance à l'autre.")
    territoire: Optional[TerritoireRef] = Field(None, description="Territoire où se tient cette séance (registre des territoires).")
    statut_evenement: Optional[StatutEvenement] = Field(None, description=_STATUT_EVENEMENT)

    @field_validator("date_fin")
    @classmethod
    def _days_in_order(cls, last: Optional[PartialDate], info: ValidationInfo) -> Optional[PartialDate]:
        first = info.data.get("date")
        if last is not None and first is not None and not first.complete:
            raise ValueError(f"date_fin demande une date complète (AAAA-MM-JJ), la date est « {first.isoformat()} »")
        if last is not None and first is not None and last.first_day <= first.first_day:
            raise ValueError("date_fin doit être après date (une séance d'un seul jour n'a pas de date_fin)")
        return last

    _schedule = checked_schedule


class Session(Strict):
    # Optional, but a cycle needs one dated session: scaffolds write its example out (irev/scaffold.py).
    SCAFFOLD_SHOWN: ClassVar[tuple[str, ...]] = ("creneaux",)

    numero: Optional[int] = Field(None, ge=1, description="Numéro de la session.")
    titre: Texte = Field(description="Titre de la session.")
    type: enumeration({
        "demi-journee": "Demi-journée", "journee": "Journée", "webinaire": "Webinaire", "visite": "Visite de site", "atelier": "Atelier",
    }) = Field("demi-journee", description="Forme de la session.")
    format: Optional[Format] = None
    lieu: Optional[Texte] = None
    creneaux: list[Creneau] = Field(default_factory=list, description=(
        "Séances : date(s), horaires, lieu, par groupe de public ou par territoire ; aucune tant que la date "
        "n'est pas connue (la session est annoncée « date à préciser »)."))
    contenus: list[Texte] = Field(default_factory=list, description="Contenus abordés.")


class Phase(Strict):
    titre: Texte = Field(description="Titre de la phase (« Première phase »…).")
    sous_titre: Optional[Texte] = Field(None, description="Thème de la phase.")
    sessions: list[Session] = Field(min_length=1)


class Groupe(Strict):
    id: Slug = Field(description="Identifiant du groupe, utilisé par les créneaux.")
    libelle: Texte = Field(description="Qui compose ce groupe.")


class Inscription(Strict):
    url: Optional[Url] = None
    date_limite: Optional[Jour] = Field(None, description="Date limite d'inscription (AAAA-MM-JJ).")
    modalites: Optional[Texte] = Field(None, description="Comment s'inscrire, ce qui suit l'inscription.")


class Cycle(Record):
    """A qualification cycle or course (cycle de qualification, parcours qualifiant)."""

    KIND = "cycle"
    DOCUMENT = "le programme"
    LABEL = "Cycle de qualification"
    FOLDER = "cycles"
    SECTION = "cycles"

    type: enumeration({
        "cycle-de-qualification": "Cycle de qualification", "parcours-qualifiant": "Parcours qualifiant", "formation": "Formation",
    }) = Field(description="Nature du cycle.")
    sous_titre: Optional[Texte] = None
    organisateur: OrganisationRef = Field(description="Organisation qui propose le cycle.")
    format: Format = Field(description="Format dominant du cycle.")
    contexte: Optional[Texte] = Field(None, description="Contexte (Markdown).")
    publics: list[Texte] = Field(default_factory=list, description="Publics visés.")
    groupes: list[Groupe] = Field(default_factory=list, description="Groupes de public, quand les séances diffèrent par groupe.")
    finalite: Optional[Texte] = None
    objectifs: list[Texte] = Field(default_factory=list, description="Objectifs spécifiques.")
    intervenants: list[IntervenantRole] = Field(default_factory=list, description=(
        "Intervenants du cycle et leur rôle (« fil-rouge » pour qui suit tout le cycle, « animation »…)."))
    comite_pilotage: Optional[ComitePilotage] = Field(None, description="Comité de pilotage du cycle et sa composition.")
    phases: list[Phase] = Field(min_length=1, description="Phases du cycle et leurs sessions.")
    inscription: Optional[Inscription] = None
    contact: Optional[Contact] = None
    annonce_dans: Optional[ReunionOuSansFiche] = Field(None, description=(
        "Réunion où le cycle a été annoncé : son identifiant ou, si elle n'a pas de fiche, « intitule » et « date »."))
    bilan: Optional[Texte] = Field(None, description="Bilan une fois le cycle tenu.")

    @field_validator("phases")
    @classmethod
    def _one_session_dated(cls, phases: list[Phase]) -> list[Phase]:
        if not any(session.creneaux for phase in phases for session in phase.sessions):
            raise ValueError("aucune session datée : donnez les « creneaux » d'au moins une session (ils datent le cycle)")
        return phases

    @model_validator(mode="after")
    def _groups_known(self):
        known = {g.id for g in self.groupes}
        for phase in self.phases:
            for session in phase.sessions:
                for slot in session.creneaux:
                    if slot.groupe and slot.groupe not in known:
                        raise ValueError(f"groupe « {slot.groupe} » absent de « groupes »")
        return self

    def group_label(self, ident: str | None) -> str:
        """Who a time slot is for; a slot without a group is for everyone."""
        return next((g.libelle for g in self.groupes if g.id == ident), "Tous les publics")

    def date_as_published(self) -> PartialDate:
        """Its first occurrence's date (a partial date at its first day)."""
        return min((slot.date for slot in self.occurrences()), key=lambda day: day.first_day)

    def sessions(self) -> list[Session]:
        return [session for phase in self.phases for session in phase.sessions]

    def occurrences(self) -> list[Creneau]:
        return [slot for session in self.sessions() for slot in session.creneaux]

    def places(self) -> list[str]:
        return list(dict.fromkeys([*self.territoires, *(slot.territoire for slot in self.occurrences() if slot.territoire)]))


class FicheAction(Strict):
    """An action sheet of a plan, with every heading such sheets use."""

    numero: Optional[Texte] = Field(None, description="Numéro de la fiche ou du projet.")
    titre: Texte
    axe: Optional[Texte] = None
    constat: Optional[Texte] = Field(None, description="Constat qui motive l'action (Markdown).")
    objectifs: list[Texte] = Field(default_factory=list)
    recommandations: list[Texte] = Field(default_factory=list)
    preconisations: list[Texte] = Field(default_factory=list)
    moyens: list[Texte] = Field(default_factory=list, description="« Comment y parvenir ».")
    prealables: list[Texte] = Field(default_factory=list, description="Éléments à réunir au préalable.")
    acteurs: list[Texte] = Field(default_factory=list, description="Acteurs concernés.")
    vigilance: list[Texte] = Field(default_factory=list, description="Points de vigilance.")
    effets_attendus: list[Texte] = Field(default_factory=list)


class ActionEngagee(Strict):
    action: Texte
    description: Optional[Texte] = None
    porteur: Optional[Texte] = Field(None, description="Institution ou structure qui porte l'action.")
    axe: Optional[Texte] = None
    echeance: Optional[Texte] = Field(None, description="Calendrier tel que publié (« Avril 2017 », « Depuis 2016 »).")


class Axe(Strict):
    titre: Texte
    description: Optional[Texte] = None
    actions: list[Texte] = Field(default_factory=list, description="Actions numérotées dans l'ordre du document.")


class Diagnostic(Strict):
    date: Optional[Date] = Field(None, description=f"Date du diagnostic (réalisation ou restitution) : {_WRITTEN}.")
    realise_par: Optional[OrganisationRef] = None
    methode: Optional[Texte] = None
    constats: list[Texte] = Field(default_factory=list)
    chiffres: list[Chiffre] = Field(default_factory=list)


class Periode(Strict):
    debut: DateAvecAnnee = Field(description="Début : l'année (AAAA), ou AAAA-MM, ou AAAA-MM-JJ.")
    fin: DateAvecAnnee = Field(description="Fin : l'année (AAAA), ou AAAA-MM, ou AAAA-MM-JJ.")


class Presentation(Strict):
    """A meeting where a plan or tool was presented, and who presented it."""

    reunion: ReunionOuSansFiche = Field(description=(
        "La réunion : son identifiant ou, si elle n'a pas de fiche, « intitule » et « date »."))
    intervenants: list[Intervenant] = Field(default_factory=list, description="Qui l'a présenté.")


class Source(Strict):
    titre: Texte
    url: Optional[Url] = None


# Where a plan stood at the date of its document: a territory's diagnostic may precede any plan.
ETAPES = {
    "diagnostic": "Diagnostic",
    "en-elaboration": "En élaboration",
    "adopte": "Adopté",
    "en-evaluation": "En évaluation",
    "acheve": "Achevé",
}
EtapePlan = enumeration(ETAPES)


class Plan(Record):
    """A synthesis of a territorial plan (PTLCD, women-men equality action plan…), or of the diagnostic
    that prepares one."""

    KIND = "plan"
    DOCUMENT = "la synthèse"
    LABEL = "Plan territorial"
    FOLDER = "plans"
    SECTION = "plans"

    type: enumeration({
        "ptlcd": "Plan territorial de lutte contre les discriminations",
        "plan-egalite-femmes-hommes": "Plan d'action égalité femmes-hommes", "feuille-de-route": "Feuille de route", "autre": "Autre",
    }) = Field(description="Nature du plan (à l'étape « diagnostic », celle du plan que le diagnostic prépare).")
    etape: EtapePlan = Field("adopte", description=(
        "Étape du plan à la date du document : « diagnostic » (aucun plan encore : diagnostic préalable), "
        "« en-elaboration », « adopte » (par défaut), « en-evaluation » ou « acheve »."))
    territoire: TerritoireRef = Field(description="Territoire couvert par le plan.")
    porteur: OrganisationRef = Field(description="Organisation qui porte le plan.")
    date: DateAvecAnnee = Field(description="Date du document (adoption, signature ou publication) : AAAA-MM-JJ, ou AAAA-MM, ou l'année seule si le document n'en dit pas plus.")
    periode: Optional[Periode] = None
    cadre: Optional[Texte] = Field(None, description="Cadre du plan (par ex. « annexe 7 du contrat de ville 2015-2020 »).")
    partiel: Booleen = Field(False, description="Vrai si la synthèse ne couvre qu'une partie du document (plan ou diagnostic).")
    dates_cles: list[DateCle] = Field(default_factory=list)
    contexte: Optional[Texte] = None
    diagnostic: Optional[Diagnostic] = None
    priorites: list[Texte] = Field(default_factory=list)
    leviers: list[Axe] = Field(default_factory=list)
    axes: list[Axe] = Field(default_factory=list)
    fiches_action: list[FicheAction] = Field(default_factory=list)
    actions_engagees: list[ActionEngagee] = Field(default_factory=list)
    actions_partenaires: list[ActionEngagee] = Field(default_factory=list)
    gouvernance: Optional[Texte] = None
    comite_pilotage: Optional[ComitePilotage] = Field(None, description="Comité de pilotage du plan et sa composition.")
    contact: Optional[Contact] = None
    sources: list[Source] = Field(default_factory=list, description="Études et documents sur lesquels s'appuie le plan.")
    presentations: list[Presentation] = Field(default_factory=list, description="Réunions où le plan a été présenté.")

    def places(self) -> list[str]:
        return [*self.territoires, self.territoire]

    def kind_label(self) -> str:
        return "Diagnostic territorial" if self.etape == "diagnostic" else self.LABEL


class QuestionGrille(Strict):
    id: Texte = Field(description="Identifiant de la question dans la grille (« 1 », « 2a »…).")
    partie: Optional[Texte] = Field(None, description="Partie du dossier à laquelle la question renvoie.")
    texte: Texte


class RegleGrille(Strict):
    resultat: Texte = Field(description="Résultat attribué (« Marqueur 2 »…).")
    condition: Texte


class Grille(Strict):
    questions: list[QuestionGrille] = Field(min_length=1)
    reponses: list[Texte] = Field(default_factory=lambda: ["Oui", "Non"])
    regles: list[RegleGrille] = Field(default_factory=list, description="Règles de cotation.")


class Domaine(Strict):
    titre: Texte
    description: Optional[Texte] = None
    questions: list[Texte] = Field(default_factory=list)


class Feuillet(Strict):
    """One sheet of a guide that bundles several, and where it sits in the document."""

    titre: Texte = Field(description="Titre de la fiche ou de l'outil, tel que le guide l'intitule.")
    page_debut: Optional[int] = Field(None, ge=1, description="Page où elle commence dans le document.")
    page_fin: Optional[int] = Field(None, ge=1, description="Dernière page, si elle en occupe plusieurs.")

    @field_validator("page_fin")
    @classmethod
    def _pages_in_order(cls, last: Optional[int], info: ValidationInfo) -> Optional[int]:
        first = info.data.get("page_debut")  # absent when invalid: its own error is reported
        if last is not None and "page_debut" in info.data and (first is None or last <= first):
            raise ValueError("page_fin demande une page_debut plus petite (une fiche d'une page n'a que page_debut)")
        return last


class Fiche(Record):
    """A tool sheet (fiche outil): grid, reference frame, questionnaire, guide…"""

    KIND = "fiche"
    DOCUMENT = "la fiche"
    LABEL = "Fiche outil"
    FOLDER = "fiches"
    SECTION = "fiches"

    type: enumeration({
        "grille": "Grille d'analyse", "referentiel": "Référentiel", "questionnaire": "Questionnaire", "guide": "Guide",
        "outil-auto-evaluation": "Outil d'auto-évaluation", "fiche-juridique": "Fiche juridique", "enquete": "Enquête",
    }) = Field(description="Nature de l'outil.")
    sous_titre: Optional[Texte] = None
    date: DateAvecAnnee = Field(description="Date de publication : AAAA-MM-JJ, ou AAAA-MM, ou l'année seule si le document n'en dit pas plus.")
    auteurs: list[Intervenant] = Field(default_factory=list, description="Auteurs : personnes et organisations.")
    publie_avec: Optional[FicheRef] = Field(None, description=(
        "Identifiant de la fiche publiée conjointement (l'outil qui accompagne un guide, le guide d'un outil) ; "
        "chacune des deux pages nomme l'autre."))
    objet: Optional[Texte] = Field(None, description="À quoi sert l'outil.")
    publics: list[Texte] = Field(default_factory=list)
    domaines: list[Domaine] = Field(default_factory=list, description="Parties ou domaines de l'outil.")
    feuillets: list[Feuillet] = Field(default_factory=list, description=(
        "Fiches ou outils que rassemble un guide, dans l'ordre du document, avec leurs pages."))
    grille: Optional[Grille] = None
    mode_emploi: Optional[Texte] = None
    contact: Optional[Contact] = None
    sources: list[Source] = Field(default_factory=list)
    presentations: list[Presentation] = Field(default_factory=list, description="Réunions où l'outil a été présenté.")


RECORD_TYPES: tuple[type[Record], ...] = (Reunion, Cycle, Plan, Fiche)


# --- Registries --------------------------------------------------------------------------


class Fonction(Strict):
    organisation: OrganisationRef
    intitule: Texte
    depuis: Optional[DateAvecAnnee] = None
    jusqu_a: Optional[DateAvecAnnee] = None


class Personne(Strict):
    KIND: ClassVar[str] = "personne"
    id: Slug
    nom: Texte = Field(description="Nom de famille.")
    prenom: Texte = Field(description="Prénom.")
    autres_graphies: list[Texte] = Field(default_factory=list, description="Autres orthographes rencontrées dans les documents.")
    consentement_publication: Booleen = Field(description="Vrai seulement si la personne a accepté d'être nommée sur le site.")
    fonctions: list[Fonction] = Field(default_factory=list, description="Fonctions connues, hors réunions.")
    email: Optional[Texte] = Field(None, description="Adresse électronique.")
    telephones: list[Texte] = Field(default_factory=list)
    coordonnees_publiques: Booleen = Field(False, description="Vrai seulement si la personne a accepté la publication de ses coordonnées.")


class AncienNom(Strict):
    nom: Texte = Field(description="Nom porté jusqu'à cette date.")
    sigle: Optional[Texte] = Field(None, description="Sigle porté jusqu'à cette date.")
    jusqu_au: DateAvecAnnee = Field(description=(
        "Dernier jour où ce nom était en usage : AAAA-MM-JJ, ou AAAA-MM, ou l'année seule (jusqu'à la fin de ce "
        "mois ou de cette année)."))


class Organisation(Strict):
    KIND: ClassVar[str] = "organisation"
    id: Slug
    nom: Texte = Field(description="Nom actuel.")
    sigle: Optional[Texte] = None
    type: enumeration({
        "collectivite": "Collectivité territoriale", "etat": "État", "association": "Association", "cabinet": "Cabinet d'études",
        "recherche": "Recherche et enseignement supérieur", "bailleur": "Bailleur social",
        "etablissement-public": "Établissement public", "autre": "Autre",
    })
    territoire: Optional[TerritoireRef] = None
    site_web: Optional[Url] = None
    anciens_noms: list[AncienNom] = Field(default_factory=list, description=(
        "Noms portés auparavant, chacun avec la date jusqu'à laquelle il était en usage : une ressource plus "
        "ancienne cite l'organisation sous le nom de sa date."))

    def former_names(self) -> list[AncienNom]:
        """Former names, oldest first."""
        return sorted(self.anciens_noms, key=lambda n: n.jusqu_au.first_day)

    def name_on(self, day: dt.date) -> tuple[str, str | None]:
        """(name, acronym) in force on a day: the earliest former name still in use then, else the current one."""
        for former in self.former_names():
            if day <= former.jusqu_au.last_day:
                return former.nom, former.sigle
        return self.nom, self.sigle


def luhn_valid(digits: str) -> bool:
    """SIREN numbers end with a Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


_CODE_PATTERNS = {
    "region": (r"^\d{2}$", "code région INSEE à 2 chiffres"),
    "departement": (r"^(\d{2}|2A|2B|97\d)$", "code département INSEE"),
    "epci": (r"^\d{9}$", "SIREN à 9 chiffres"),
    "commune": (r"^(\d{5}|2[AB]\d{3})$", "code INSEE de commune à 5 caractères"),
    "qpv": (r"^Q[NP]\d{3}\d{3}[A-Z]?$|^QN\d{5}[A-Z]$", "code QPV (par ex. QN05901M)"),
}


class Territoire(Strict):
    KIND: ClassVar[str] = "territoire"
    id: Slug
    nom: Texte
    sigle: Optional[Texte] = None
    niveau: enumeration({
        "region": "Région", "departement": "Département", "epci": "EPCI", "commune": "Commune", "qpv": "Quartier prioritaire",
    })
    code: Texte = Field(description="Code officiel : INSEE (région, département, commune), SIREN (EPCI), code QPV.")
    parent: Optional[TerritoireRef] = None

    @field_validator("code")
    @classmethod
    def _code_fits_level(cls, code: str, info: ValidationInfo) -> str:
        level = info.data.get("niveau")
        if level is None:
            return code  # the level's own error is reported
        pattern, expected = _CODE_PATTERNS[level]
        if not re.match(pattern, code):
            raise ValueError(f"code « {shown(code)} » invalide pour le niveau {level} : {expected} attendu")
        if level == "epci" and not luhn_valid(code):
            raise ValueError(f"SIREN « {code} » invalide : la clé de contrôle (Luhn) ne correspond pas")
        return code


class Theme(Strict):
    KIND: ClassVar[str] = "theme"
    id: Slug
    libelle: Texte
    parent: Optional[ThemeRef] = None
    description: Optional[Texte] = None


REGISTRY_TYPES: tuple[type[Strict], ...] = (Personne, Organisation, Territoire, Theme)
