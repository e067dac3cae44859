"""A registration form's export (csv, xlsx, ods) -> the `participants:` block of a meeting.

`python -m irev participants inscrits.csv --reunion 2022-06-22-reseau-lcd` reads the export
(columns found by their French headers, whatever their wording, accents or case), matches each
row with the registries (people by name whatever the accents, case, order or one letter;
organisations by name, acronym or a close name, scored with rapidfuzz) and prints, as one YAML
text: the `participants:` block to paste into the meeting, the registry entries to add for the
people and organisations it does not know, and at its head every match to confirm (row, entry,
score). A person's consent is the form's answer, « non » when it has no such column.

It writes nothing in the content tree: the text goes to the terminal, or to a new file
(`--sortie`), never over an existing one.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from . import loading, settings
from .models import Organisation, Personne, Reunion
from .privacy import CIVILITIES, fold
from .problems import closest, shown
from .referentiel import slugify

MAX_BYTES = 20 * 1024 * 1024  # a form export of a few hundred rows weighs a few dozen Ko
HEADER_ROWS = 20  # a title above the table is common; its header is within these rows
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXTS = (".csv", ".txt")
PERSON_SUGGESTED = 80  # a new person this close to a known one (token_sort_ratio) is pointed out
ORGANISATION_MATCHED = 90  # an organisation at least this close is taken, to be confirmed
ORGANISATION_SUGGESTED = 75  # a new one this close to a known one is pointed out

# Columns by what their folded header says, tried in this order (the consent question says
# « nom », the organisation's header may say « nom de la structure »).
COLUMNS = (
    ("consentement", r"\b(accept|consent|autoris|accord|apparai|publication|publier|diffus)"),
    ("email", r"\b(e ?mail|courriel|mel)\b"),
    ("organisation", r"\b(organisme|organisation|structure|employeur|collectivite|etablissement|institution|"
                     r"entreprise)"),
    ("fonction", r"\b(fonction|poste|metier|role|qualite)\b"),
    ("nom_complet", r"\b(nom prenom|prenom nom|nom et prenom|prenom et nom|nom complet|participant|identite)\b"),
    ("prenom", r"\b(prenom|first name)\b"),
    ("nom", r"\b(nom|name)\b"),
)
_OTHER_CONSENTS = r"\b(donnees|rgpd|traitement|image|photo|cookies?)\b"
_YES = {"oui", "o", "yes", "y", "x", "1", "true", "vrai", "coche", "cochee", "ok", "accepte", "acceptee",
        "j accepte", "d accord", "checked", "v"}
_TICKS = {"✓", "✔", "☑", "☒", "🗹"}  # a ticked box, as some exports write it
_NO = {"", "non", "n", "no", "0", "false", "faux", "refuse", "refusee", "je refuse", "pas d accord"}
# Organisation names are compared without the words every name has, and with their usual shortenings.
_STOP_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "a", "au", "aux", "en", "sur"}
_SYNONYMS = {"mairie": "ville", "commune": "ville", "agglo": "agglomeration", "ca": "communaute agglomeration",
             "cu": "communaute urbaine", "cc": "communaute communes", "pref": "prefecture"}
_TYPES = (  # an unknown organisation's type, guessed from its name (the editor confirms it)
    ("association", r"\b(association|centre social|federation|collectif|fondation|mission locale)\b"),
    ("etat", r"\b(prefecture|ministere|ddets|dreets|ddcs|direction departementale|direction regionale|tribunal|"
             r"rectorat)\b"),
    ("recherche", r"\b(universite|laboratoire|recherche)\b"),
    ("bailleur", r"\b(bailleur|habitat social|logement social|hlm)\b"),
    ("collectivite", r"\b(ville|communaute|metropole|departement|departemental|region|regional|agglomeration|"
                     r"syndicat)\b"),
)


class ImportFailure(Exception):
    """What stops an import, in French, with a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return f"{self.message} (piste : {self.hint})" if self.hint else self.message


# --- Reading the export --------------------------------------------------------------------


def read_table(path: Path) -> list[list[str]]:
    """Every row of the export as cleaned text cells (row i is line i + 1 of the file)."""
    if not path.is_file():
        raise ImportFailure(f"fichier « {shown(path.name)} » introuvable",
                            "vérifiez son chemin (depuis le dossier du projet)")
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEETS + TEXTS:
        raise ImportFailure(f"format « {shown(path.suffix or path.name)} » non pris en charge",
                            "exportez les inscriptions en CSV, XLSX ou ODS depuis le formulaire ou le tableur")
    if path.stat().st_size > MAX_BYTES:
        raise ImportFailure(f"fichier « {shown(path.name)} » trop lourd pour une liste d'inscrits",
                            "exportez la liste seule")
    tables = _sheets(path) if suffix in SPREADSHEETS else [_csv_rows(path)]
    cleaned = [[[_clean(cell) for cell in row] for row in table] for table in tables]
    # the first sheet holding a table with a name column (a cover sheet may come first)
    return next((table for table in cleaned if _header(table) is not None), cleaned[0] if cleaned else [])


def _sheets(path: Path) -> list[list[list]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        return [workbook.get_sheet_by_index(i).to_python(skip_empty_area=False) for i in range(len(workbook.sheet_names))]
    except Exception as error:  # calamine's errors (zip, XML, password, format) all mean « not a readable workbook »
        raise ImportFailure(f"classeur « {shown(path.name)} » illisible ({shown(error)})",
                            "ouvrez-le dans le tableur et enregistrez-le à nouveau en XLSX ou ODS") from None


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = _decoded(path.read_bytes())
    except OSError:
        raise ImportFailure(f"fichier « {shown(path.name)} » illisible", "vérifiez qu'il s'ouvre, et ses droits") from None
    sample = "\n".join(text.splitlines()[:HEADER_ROWS])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:  # one column, or too few rows to tell: the separator the first line has most of
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max(";,\t", key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFailure(f"fichier CSV illisible ({error})", "exportez-le à nouveau depuis le tableur") from None


def _decoded(data: bytes) -> str:
    """UTF-8 (with or without its byte order mark), UTF-16 with one, else Windows-1252 (Excel's « CSV »)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFailure("encodage du fichier non reconnu (ni UTF-8 ni Windows-1252)",
                            "enregistrez-le en « CSV UTF-8 » depuis le tableur") from None


def _clean(cell) -> str:
    """A cell as text: numbers without « .0 », white space folded, invisible and control characters removed
    (they would break the YAML, or hide a line break in a comment)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "oui" if cell else "non"
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in str(cell))
    return " ".join(text.split())


# --- Columns and rows -------------------------------------------------------------------------


def _header_text(cell: str) -> str:
    return " ".join(fold(cell).split())


def columns(header: list[str]) -> dict[str, int]:
    """Which column holds what, by its header (the first column of each kind)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = _header_text(cell)
        kind = next((kind for kind, pattern in COLUMNS if text and re.search(pattern, text)), None)
        if kind == "consentement" and re.search(_OTHER_CONSENTS, text) and not re.search(r"\bnoms?\b", text):
            continue  # agreeing to data processing or to photographs is not agreeing to be named
        if kind is not None:
            found.setdefault(kind, index)
    return found


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """(index, columns) of the header: the first row naming a name column."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        found = columns(row)
        if "nom" in found or "nom_complet" in found:
            return index, found
    return None


@dataclass
class Row:
    line: int
    prenom: str
    nom: str
    organisation: str
    fonction: str
    email: str
    consent: str | None  # as written; None when the form has no such column
    split_guessed: bool = False  # first and last names told apart from one cell

    @property
    def name(self) -> str:
        return f"{self.prenom} {self.nom}".strip()


def rows_of(table: list[list[str]]) -> tuple[list[Row], list[str]]:
    """The rows with a name, and notes on the others (their line numbers as in the file)."""
    found = _header(table)
    if found is None:
        raise ImportFailure("aucune colonne de noms trouvée dans les " f"{HEADER_ROWS} premières lignes",
                            "la première ligne du tableau doit nommer ses colonnes : « Nom », « Prénom », "
                            "« Organisme », « Fonction », « Email »…")
    start, where = found
    rows, notes = [], []
    for index in range(start + 1, len(table)):
        cells = table[index]
        value = {kind: cells[column] if column < len(cells) else "" for kind, column in where.items()}
        row = _row(index + 1, value)
        if row is not None:
            rows.append(row)
        elif any(cells):
            notes.append(f"ligne {index + 1} : aucun nom, ligne ignorée.")
    if not rows:
        raise ImportFailure(f"aucun participant sous l'en-tête (ligne {start + 1})",
                            "vérifiez que l'export contient les réponses au formulaire, pas seulement ses questions")
    return rows, notes


def _row(line: int, value: dict[str, str]) -> Row | None:
    prenom, nom = _without_civility(value.get("prenom", "")), _without_civility(value.get("nom", ""))
    guessed = False
    if value.get("nom_complet") and not (prenom or nom):
        prenom, nom, guessed = _split(_without_civility(value["nom_complet"]))
    elif nom and not prenom and len(nom.split()) > 1:
        prenom, nom, guessed = _split(nom, family_first=True)
    elif prenom and not nom and len(prenom.split()) > 1:
        prenom, nom, guessed = _split(prenom)
    if not (prenom or nom):
        return None
    return Row(line, prenom, nom, value.get("organisation", ""), value.get("fonction", ""), value.get("email", ""),
               value.get("consentement"), guessed)


def _without_civility(text: str) -> str:
    words = text.split()
    while len(words) > 1 and " ".join(fold(words[0]).split()) in CIVILITIES:
        words.pop(0)
    return " ".join(words)


def _split(text: str, family_first: bool = False) -> tuple[str, str, bool]:
    """(first name, family name, guessed) of a full name: the words in capitals are the family name
    (« DURAND Marie »); otherwise, a guess, the last word, or the first under a « Nom » header."""
    words = text.split()
    capitals = [w for w in words if _capitals(w)]
    if capitals and len(capitals) < len(words):
        return " ".join(w for w in words if not _capitals(w)), " ".join(capitals), False
    if len(words) == 1:
        return "", text, False
    if family_first:
        return " ".join(words[1:]), words[0], True
    return " ".join(words[:-1]), words[-1], True


def _capitals(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def consent(written: str | None) -> tuple[bool, bool]:
    """(consent, understood) from the form's answer: no column or no answer is « non »."""
    text = " ".join(fold(written or "").split())
    if text in _YES or (written or "").strip() in _TICKS or text.startswith(("oui ", "j accepte", "yes ")):
        return True, True
    return False, text in _NO or text.startswith(("non ", "je refuse", "no "))


# --- Matching with the registries -------------------------------------------------------------


def name_keys(text: str) -> set[str]:
    """Keys of a name whatever its accents, case, punctuation, spacing inside a part or order of its
    parts: the words sorted, and every rotation of them glued (« DE BASTIANI Alicia » gives « aliciadebastiani »)."""
    words = fold(text).split()
    return {"".join(sorted(words))} | {"".join(words[i:] + words[:i]) for i in range(len(words))}


def _organisation_text(text: str) -> str:
    words = []
    for word in fold(text).split():
        if word not in _STOP_WORDS:
            words.extend(_SYNONYMS.get(word, word).split())
    return " ".join(words)


def _organisation_names(text: str) -> list[str]:
    """A name and its parts: « Métropole Européenne de Lille (MEL) » is also « MEL »."""
    inside = re.findall(r"\(([^()]*)\)", text)
    names = [text, re.sub(r"\([^()]*\)", " ", text), *inside] if inside else [text]
    return [name for name in names if _organisation_text(name)]


@dataclass
class Found:
    ident: str
    certain: bool
    score: float = 100.0
    note: str = ""  # why it must be confirmed


@dataclass
class Registry:
    """The people and organisations known, indexed for matching, and those this import proposes."""

    people: dict  # id -> Personne
    organisations: dict  # id -> Organisation
    person_keys: dict[str, list[str]] = field(default_factory=dict)
    person_emails: dict[str, str] = field(default_factory=dict)
    organisation_keys: dict[str, list[str]] = field(default_factory=dict)  # whole names, acronyms and ids
    organisation_parts: dict[str, list[str]] = field(default_factory=dict)  # what names hold in and out of brackets
    new_people: dict[str, dict] = field(default_factory=dict)  # id -> proposed entry
    new_organisations: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        for ident, person in self.people.items():
            for written in (f"{person.prenom} {person.nom}", *person.autres_graphies):
                for key in name_keys(written):
                    self.person_keys.setdefault(key, []).append(ident)
            if person.email:
                self.person_emails.setdefault(person.email.lower(), ident)
        for ident, organisation in self.organisations.items():
            self._index_organisation(ident, [organisation.nom, organisation.sigle or "", ident.replace("-", " ")])

    def _index_organisation(self, ident: str, names: list[str]) -> None:
        for name in filter(_organisation_text, names):
            whole, *parts = _organisation_names(name)
            _add(self.organisation_keys, _organisation_text(whole), ident)
            for part in parts:
                _add(self.organisation_parts, _organisation_text(part), ident)

    def ids(self) -> set[str]:
        return {*self.people, *self.organisations, *self.new_people, *self.new_organisations}

    # people

    def person(self, row: Row) -> Found | None:
        """The known person of a row, or None (a new one)."""
        keys = name_keys(row.name)
        exact = list(dict.fromkeys(i for key in keys for i in self.person_keys.get(key, ())))
        if exact:
            note = "" if len(exact) == 1 else f"homonymes dans le registre : {', '.join(exact)} ; le premier est pris"
            return Found(exact[0], not note, note=note)
        by_email = self.person_emails.get(row.email.lower()) if row.email else None
        if by_email:
            return Found(by_email, False, self._score(row, by_email), "même adresse électronique, autre orthographe du nom")
        choices = list(self.person_keys)
        for key in sorted(k for k in keys if len(k) > 4):
            near = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=1)
            if near is not None:
                ident = self.person_keys[near[0]][0]  # a known person, or one proposed for an earlier row
                return Found(ident, False, self._score(row, ident), "une lettre d'écart")
        return None

    def similar_person(self, row: Row) -> tuple[str, float] | None:
        """The known person whose name is closest to a new one's, if close enough to ask."""
        names = {ident: f"{p.prenom} {p.nom}" for ident, p in self.people.items()}
        best = process.extractOne(" ".join(fold(row.name).split()), {i: " ".join(fold(n).split()) for i, n in names.items()},
                                  scorer=fuzz.token_sort_ratio, score_cutoff=PERSON_SUGGESTED)
        return (best[2], best[1]) if best else None

    def propose_person(self, row: Row, agreed: bool) -> str:
        ident = self._free_id(slugify(f"{row.prenom} {row.nom}") or "personne")
        # a name missing from the form stays empty: make check asks for it (never a made-up name)
        self.new_people[ident] = {"id": ident, "nom": row.nom.upper(), "prenom": _capitalised(row.prenom),
                                  "consentement_publication": agreed}
        for key in name_keys(row.name):
            self.person_keys.setdefault(key, []).append(ident)
        return ident

    # organisations

    def organisation(self, written: str) -> tuple[Found | None, tuple[str, float] | None]:
        """(the organisation matched, or None; the closest known one when none is close enough to take)."""
        names = _organisation_names(written)  # the whole name first: « X (Y) » is X, or else Y
        for table in (self.organisation_keys, self.organisation_parts):
            idents = next(filter(None, (table.get(_organisation_text(name)) for name in names)), None)
            if idents:
                note = "" if len(idents) == 1 else f"nom ou sigle partagé par {', '.join(idents)} : choisissez"
                return Found(idents[0], not note, note=note), None
        best = process.extractOne(_organisation_text(written), list(self.organisation_keys), scorer=fuzz.token_sort_ratio,
                                  score_cutoff=ORGANISATION_SUGGESTED)
        if best is None:
            return None, None
        ident = self.organisation_keys[best[0]][0]
        if best[1] >= ORGANISATION_MATCHED:
            return Found(ident, False, best[1], "nom proche"), None
        return None, (ident, best[1])

    def propose_organisation(self, written: str) -> str:
        acronym = len(written.split()) == 1 and _capitals(written)
        ident = self._free_id(slugify(written) or "organisation")
        text = _organisation_text(written)
        kind = next((kind for kind, pattern in _TYPES if re.search(pattern, text)), "autre")
        entry = {"id": ident, "nom": written, "sigle": written if acronym else None, "type": kind}
        self.new_organisations[ident] = {k: v for k, v in entry.items() if v is not None}
        self._index_organisation(ident, [written])
        return ident

    def _free_id(self, wanted: str) -> str:
        taken, ident, number = self.ids(), wanted, 1
        while ident in taken:
            number += 1
            ident = f"{wanted}-{number}"
        return ident

    def _names(self, person: str) -> tuple[str, str]:
        """(first name, family name) of a known person or of one this import proposes."""
        known = self.people.get(person)
        return (known.prenom, known.nom) if known else (self.new_people[person]["prenom"], self.new_people[person]["nom"])

    def _score(self, row: Row, person: str) -> float:
        return fuzz.token_sort_ratio(" ".join(fold(row.name).split()), " ".join(fold(" ".join(self._names(person))).split()))

    def sort_key(self, person: str) -> tuple:
        prenom, nom = self._names(person)
        return fold(nom).split(), fold(prenom).split()

    def label(self, ident: str) -> str:
        """How a note names an entry: its id and its name."""
        if ident in self.people or ident in self.new_people:
            return f"{ident} ({' '.join(self._names(ident))})"
        organisation = self.organisations.get(ident) or self.new_organisations.get(ident)
        return f"{ident} ({organisation['nom'] if isinstance(organisation, dict) else organisation.nom})" \
            if organisation is not None else ident


def _add(index: dict[str, list[str]], key: str, ident: str) -> None:
    idents = index.setdefault(key, [])
    if ident not in idents:
        idents.append(ident)


def _capitalised(text: str) -> str:
    """« MARIE-CLAIRE » or « marie-claire » -> « Marie-Claire »; a name written with care stays as it is."""
    if text != text.upper() and text != text.lower():
        return text
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), text.lower())


# --- The import -------------------------------------------------------------------------------


@dataclass
class Participant:
    line: int
    personne: str
    organisation: str | None
    fonction: str
    to_check: bool


@dataclass
class Result:
    reunion: str
    source: str
    already: int  # participants the meeting lists already
    registry: Registry  # with the entries this import proposes
    participants: list[Participant] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def match(rows: list[Row], registry: Registry, reunion: str, source: str, already: int = 0) -> Result:
    result = Result(reunion, source, already, registry)
    seen: dict[str, int] = {}
    for row in rows:
        notes: list[str] = []
        ident = _person_of(row, registry, notes)
        first = seen.setdefault(ident, row.line)
        if first != row.line:
            notes.append(f"même personne que la ligne {first} ({ident}), ligne ignorée.")
        else:
            organisation = _organisation_of(row, registry, notes) if row.organisation else None
            result.participants.append(Participant(row.line, ident, organisation, row.fonction, bool(notes)))
        result.notes += [f"ligne {row.line} : {note}" for note in notes]
    result.participants.sort(key=lambda p: registry.sort_key(p.personne))  # by family name, as meetings list them
    return result


def _person_of(row: Row, registry: Registry, notes: list[str]) -> str:
    agreed, understood = consent(row.consent)
    if not understood:
        notes.append(f"consentement « {shown(row.consent)} » non compris : compté comme « non ».")
    found = registry.person(row)
    if found is not None:
        if not found.certain:
            notes.append(f"« {shown(row.name)} » pris pour {registry.label(found.ident)}, score {found.score:.0f} : "
                         f"{found.note}.")
        _consent_differs(row, registry.people.get(found.ident), agreed, notes)
        return found.ident
    ident = registry.propose_person(row, agreed)
    similar = registry.similar_person(row)
    if not (row.prenom and row.nom):
        notes.append(f"« {shown(row.name)} » : {'prénom' if row.nom else 'nom'} absent du formulaire, à écrire dans "
                     f"l'entrée de la nouvelle personne {ident}.")
    if row.split_guessed:
        notes.append(f"« {shown(row.name)} » : prénom « {shown(row.prenom)} » et nom « {shown(row.nom)} » séparés "
                     f"au mieux pour la nouvelle personne {ident}.")
    if similar is not None:
        notes.append(f"nouvelle personne {ident} proposée, mais « {shown(row.name)} » ressemble à "
                     f"{registry.label(similar[0])}, score {similar[1]:.0f} : si c'est la même personne, "
                     f"utilisez son identifiant et ajoutez cette orthographe à ses autres_graphies.")
    return ident


def _consent_differs(row: Row, person, agreed: bool, notes: list[str]) -> None:
    """The form's answer against the registry's record (the registry is never changed here)."""
    if person is None or row.consent is None or person.consentement_publication == agreed:
        return
    if person.consentement_publication:
        answer = f"réponse « {shown(row.consent)} »" if row.consent else "réponse vide"
        notes.append(f"le formulaire ne donne pas l'accord pour publier le nom ({answer}), "
                     "le registre l'a : si c'est le dernier choix de la personne, mettez consentement_publication: false "
                     "dans le registre.")
    else:
        notes.append("le formulaire accepte la publication du nom, le registre ne l'a pas : mettez "
                     "consentement_publication: true dans le registre si cet accord vaut pour le site.")


def _organisation_of(row: Row, registry: Registry, notes: list[str]) -> str:
    found, similar = registry.organisation(row.organisation)
    if found is not None:
        if not found.certain:
            notes.append(f"organisation « {shown(row.organisation)} » rapprochée de {registry.label(found.ident)}, "
                         f"score {found.score:.0f} : {found.note}.")
        return found.ident
    ident = registry.propose_organisation(row.organisation)
    notes.append(f"nouvelle organisation {ident} proposée pour « {shown(row.organisation)} » : vérifiez son nom, "
                 f"son sigle et son type" + (f" ; elle ressemble à {registry.label(similar[0])}, score {similar[1]:.0f}"
                                              if similar else "") + ".")
    return ident


# --- The text for the editor ------------------------------------------------------------------


def _scalar(value) -> str:
    """A value as YAML writes it on one line, quoted when it would otherwise read as something else."""
    return yaml.safe_dump(value, allow_unicode=True, width=float("inf")).removesuffix("\n...\n").rstrip("\n")


def render(result: Result) -> str:
    registry = result.registry
    lines = [f"# Participants de la réunion {result.reunion}, d'après « {shown(result.source)} » "
             f"({len(result.participants)} personne(s)).",
             "# Texte proposé par « python -m irev participants » : copiez chaque bloc à sa place, "
             "puis lancez make check.",
             "#"]
    if result.notes:
        lines.append(f"# À VÉRIFIER ({len(result.notes)}) :")
        lines += [f"# - {note}" for note in result.notes]
    else:
        lines.append("# Aucun rapprochement à vérifier.")
    lines += ["", f"# 1. Dans content/meetings/{result.reunion}.md, entre les deux lignes « --- » "
              + ("(la réunion a déjà une liste de participants : fusionnez les deux à la main) :"
                 if result.already else ":")]
    lines.append("participants:" if result.participants else "participants: []")
    for item in result.participants:
        flag = f"  # à vérifier : ligne {item.line}" if item.to_check else ""
        lines.append(f"  - personne: {_scalar(item.personne)}{flag}")
        if item.organisation:
            lines.append(f"    organisation: {_scalar(item.organisation)}")
        if item.fonction:
            lines.append(f"    fonction: {_scalar(item.fonction)}")
    lines += _entries("2. À la fin de content/registre/personnes.yml", "nouvelles_personnes", registry.new_people, {})
    lines += _entries("3. À la fin de content/registre/organisations.yml", "nouvelles_organisations",
                      registry.new_organisations, {"type": "deviné d'après le nom : à vérifier"})
    return "\n".join(lines) + "\n"


def _entries(where: str, key: str, entries: dict[str, dict], comments: dict[str, str]) -> list[str]:
    lines = ["", f"# {where}, les lignes sous « {key}: » (sans cette ligne) :" if entries
             else f"# {where} : rien à ajouter."]
    if not entries:
        return lines
    lines.append(f"{key}:")
    for entry in entries.values():
        for position, (name, value) in enumerate(entry.items()):
            comment = f"  # {comments[name]}" if name in comments else ""
            lines.append(f"{'- ' if position == 0 else '  '}{name}: {_scalar(value)}{comment}")
    return lines


# --- Command line -----------------------------------------------------------------------------


def run(source: Path, reunion: str, root: Path) -> Result:
    """The import of an export for a meeting of a content tree; raises ImportFailure."""
    content = loading.load(root)
    broken = [p for p in content.problems if not p.warning and p.file.endswith(
        (loading.REGISTRY_FILES["personne"], loading.REGISTRY_FILES["organisation"]))]
    if broken:
        raise ImportFailure(f"le registre a des erreurs, dont « {broken[0]} »",
                            "corrigez-les d'abord (make check) : sinon des personnes connues seraient proposées en double")
    meetings = {s.ident for s in content.sources if s.model is Reunion and s.ident}
    if reunion not in meetings:
        raise ImportFailure(f"réunion « {shown(reunion)} » inconnue : aucun fichier content/{Reunion.FOLDER}/"
                            f"{shown(reunion)}.md", closest(reunion, sorted(meetings)) or "indiquez l'identifiant "
                            "de la réunion (le nom de son fichier, sans .md) ; créez d'abord la réunion si besoin")
    table = read_table(source)
    rows, notes = rows_of(table)
    meeting = next((e for e in content.records if e.id == reunion and e.kind == Reunion.KIND), None)
    registry = Registry({i: e.model for i, e in content.registries.get(Personne.KIND, {}).items()},
                        {i: e.model for i, e in content.registries.get(Organisation.KIND, {}).items()})
    result = match(rows, registry, reunion, source.name, len(meeting.model.participants) if meeting else 0)
    result.notes = notes + result.notes
    return result


def write_new(path: Path, text: str, root: Path) -> None:
    """Write the text into a file that does not exist yet, outside the content tree."""
    if path.resolve().is_relative_to(root.resolve()):
        raise ImportFailure(f"« {shown(path.name)} » serait dans le dossier de contenu",
                            "écrivez la sortie ailleurs, par ex. --sortie participants.yml à la racine du projet")
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never over an existing file
            handle.write(text)
    except FileExistsError:
        raise ImportFailure(f"le fichier « {shown(path.name)} » existe déjà : il n'est pas remplacé",
                            "choisissez un autre nom de fichier, ou supprimez l'ancien") from None
    except OSError as error:
        reason = {errno.ENOENT: "dossier introuvable", errno.EACCES: "droit d'écriture manquant",
                  errno.EISDIR: "c'est un dossier"}.get(error.errno, errno.errorcode.get(error.errno, "erreur système"))
        raise ImportFailure(f"impossible d'écrire « {shown(path.name)} » ({reason})", "vérifiez le chemin") from None


def main(source: str | None, reunion: str | None, output: str | None) -> int:
    root = settings.content_dir()
    try:
        if not source:
            raise ImportFailure("fichier d'inscriptions manquant", "make participants FICHIER=inscrits.csv REUNION=…")
        if not reunion:
            raise ImportFailure("réunion manquante", "indiquez --reunion suivi de l'identifiant de la réunion "
                                "(make participants … REUNION=2022-06-22-reseau-lcd)")
        result = run(Path(source), reunion, root)
        text = render(result)
        if output:
            write_new(Path(output), text, root)
        else:
            sys.stdout.write(text)
    except ImportFailure as failure:
        print(f"ERREUR {failure}", file=sys.stderr)
        return 1
    registry = result.registry
    print(f"{len(result.participants)} participant(s), {len(registry.new_people)} nouvelle(s) personne(s), "
          f"{len(registry.new_organisations)} nouvelle(s) organisation(s), {len(result.notes)} point(s) à vérifier "
          f"(en tête du texte{f' écrit dans {output}' if output else ''}).", file=sys.stderr)
    return 0

