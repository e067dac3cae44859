"""Attachments: the files under content/pieces-jointes/ that records offer for download.

They arrive by pull request like everything else, so nothing there is trusted:
- only folders and regular files: no symbolic link (to a file or a folder), no file with
  several hard links (it could be a system file's other name);
- names: a lowercase ASCII slug and one allowed extension (`compte-rendu-2022.pdf`), in
  folders named by slugs (`2022/…`), so URLs stay clean and links need no escaping;
- types: TYPES only, recognised by the file's first bytes as well as by its extension (a
  `.pdf` holding HTML is refused; a `.csv` must be text); SVG is refused (it may hold script);
- size: at most MAX_BYTES.
A record's `documents[i].fichier` names such a file, relative to pieces-jointes/. Only the
files of the records the catalogue shows are published: a draft's files stay off the site,
and a file no record names is reported and left out.

A hosted file's format and size are computed from the file (`offer`, `size_label`), never
typed: a `poids` written beside `fichier` is checked against the real size, a `format`
against the file's type. An external document (`url` only) shows them as written.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import filetype

from .loading import ATTACHMENTS_DIR, Content, Source
from .models import SLUG_PATTERN
from .parsing import dotted
from .problems import Problem, closest, relative, shown
from .referentiel import slugify

# Extension -> MIME types its first bytes may show (as filetype reads them); csv is checked as text.
TYPES = {
    "pdf": ("application/pdf",),
    "odt": ("application/vnd.oasis.opendocument.text",),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet",),
    "odp": ("application/vnd.oasis.opendocument.presentation",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    "csv": (),
    "png": ("image/png", "image/apng"),
    "jpg": ("image/jpeg",),
}
_MATCHERS = {ext: [filetype.get_type(mime=mime) for mime in mimes] for ext, mimes in TYPES.items()}
MAX_BYTES = 20 * 1024 * 1024
MAX_LABEL = "20 Mo"  # size_label(MAX_BYTES), without its non-breaking space: sizes are in units of 1024
HEAD_BYTES = 8192  # what filetype reads: an office file's first zip entries, which tell Word from Excel
_SLUG = SLUG_PATTERN[1:-1]
_EXTENSIONS = "|".join(TYPES)
_FOLDER_NAME = re.compile(SLUG_PATTERN)
_FILE_NAME = re.compile(rf"^{_SLUG}\.(?:{_EXTENSIONS})$")
_PATH = re.compile(rf"^(?:{_SLUG}/)*{_SLUG}\.(?:{_EXTENSIONS})$")
# Ways out of the folder, or to another name than the one written: parent steps, absolute and
# drive paths, backslashes, percent-encoding, control characters.
_ESCAPE = re.compile(r"(^|/)\.\.?(/|$)|^[/~]|^[a-zA-Z]:|\\|%|[\x00-\x1f\x7f]")
_TEXT_BYTES = bytes([9, 10, 12, 13, *range(32, 256)])  # what a csv may hold: printable 8-bit text
_MARKUP = re.compile(rb"^(\xef\xbb\xbf)?\s*<[!?a-zA-Z]")
_TYPE_HINTS = {
    "svg": "exportez l'image en PNG ou en PDF (un SVG peut contenir du script)",
    "jpeg": "renommez-le en .jpg",
}
_NAME_RULE = "minuscules sans accents, chiffres et tirets"


def uri(name: str) -> str:
    """Where a file named by `fichier` lies in the content tree, and is served on the site."""
    return f"{ATTACHMENTS_DIR}/{name}"


# --- Sizes and formats, as the site shows them ----------------------------------------------

_UNITS = ("Ko", "Mo", "Go", "To")
NBSP = "\u00a0"  # between a number and its unit (French typography: « 245 Ko » never split over two lines)


def size_label(n_bytes: int) -> str:
    """A size in French, in units of 1024 bytes like the 20 Mo limit: « 812 octets », « 245 Ko », « 1,2 Mo ».

    Below 1024 bytes, the exact count (« 0 octet », « 1 octet », « 1023 octets »); above, the
    largest unit whose value is at least 1, with one decimal below 10 (« 1,5 Mo », « 1 Mo », not
    « 1,0 Mo ») and none from 10 (« 245 Ko »), rounded to the nearest (half up). A value that
    rounds to 1024 takes the next unit: 1,048,575 bytes is « 1 Mo », not « 1024 Ko ».
    """
    if n_bytes < 1024:
        return f"{n_bytes}{NBSP}octet{'s' if n_bytes >= 2 else ''}"
    value, unit = n_bytes / 1024, 0
    while True:
        amount = _rounded(value)
        if amount < 1024 or unit == len(_UNITS) - 1:
            break
        value, unit = value / 1024, unit + 1
    text = f"{amount:.1f}".rstrip("0").rstrip(".") if amount < 10 else f"{amount:.0f}"
    return f"{text.replace('.', ',')}{NBSP}{_UNITS[unit]}"


def _rounded(value: float) -> float:
    """Half up, to one decimal below 10 and to a whole number from 10 (Python's round() goes half to even)."""
    if value < 9.95:  # 9.95 rounds to 10: shown without a decimal
        return math.floor(value * 10 + 0.5) / 10
    return math.floor(value + 0.5)


def format_label(name: str) -> str:
    """A hosted file's format as shown: its checked extension, in capitals (« PDF », « DOCX »)."""
    return name.rpartition(".")[2].upper()


# How editors write sizes: « 348.92 Ko », « 349 Ko », « 0,34 Mo », « 357 301 octets », « 350 KB », « 1,2 MiB ».
_WRITTEN_SIZE = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?[ \u00a0\u202f]*([a-zA-Z]+)\.?")
_POWERS = {"o": 0, "octet": 0, "octets": 0, "b": 0, "byte": 0, "bytes": 0,
           "ko": 1, "kio": 1, "kb": 1, "kib": 1, "k": 1,
           "mo": 2, "mio": 2, "mb": 2, "mib": 2, "m": 2,
           "go": 3, "gio": 3, "gb": 3, "gib": 3}
SIZE_TOLERANCE = 0.10  # a written size further off than this, beyond its own rounding, is wrong


def written_size(text: str) -> tuple[float, float] | None:
    """The bytes a size written by hand can mean, (lowest, highest), or None if it is not a size.

    It covers the rounding of the figure as written (« 0,34 Mo » is 0,335 to 0,345 Mo; « 1 Mo »
    0,5 to 1,5 Mo) and both ways of counting units (1000 or 1024 bytes a Ko: tools differ).
    """
    match = _WRITTEN_SIZE.fullmatch(text.strip())
    power = _POWERS.get(match.group(3).lower()) if match else None
    if power is None:
        return None
    whole, decimals = re.sub(r"\D", "", match.group(1)), match.group(2) or ""
    value, half = float(f"{whole}.{decimals or 0}"), 0.5 / 10 ** len(decimals)
    return max(value - half, 0) * 1000 ** power, (value + half) * 1024 ** power


def size_agrees(text: str, n_bytes: int) -> bool | None:
    """Whether a written size is that of a file of n_bytes, within its rounding and SIZE_TOLERANCE
    (None: not a size)."""
    bounds = written_size(text)
    if bounds is None:
        return None
    return bounds[0] * (1 - SIZE_TOLERANCE) <= n_bytes <= bounds[1] * (1 + SIZE_TOLERANCE)


@dataclass(frozen=True)
class Offer:
    """How a record page offers one of its documents."""

    title: str
    href: str  # the file's place on the site (hosted), the document's address (external), or "" (not online)
    hosted: bool
    format: str  # « PDF »…, or "" when unknown
    size: str  # « 245 Ko »…, or "" when unknown

    @property
    def details(self) -> str:
        """« PDF, 245 Ko », « PDF », « 245 Ko » or ""."""
        return ", ".join(part for part in (self.format, self.size) if part)

    @property
    def text(self) -> str:
        """What the link says: the title, then format and size (« Compte rendu (PDF, 245 Ko) »)."""
        return f"{self.title} ({self.details})" if self.details else self.title


def offer(document, size_of: Callable[[str], int | None]) -> Offer:
    """A document as its record page offers it. A hosted file (`fichier`) is linked rather than its
    original address, with its format and size computed from the file (`size_of`: bytes by name, as
    the scan measured them; a file not there, refused already, gets no size). An external document
    (`url`) shows its `format` and `poids` as written; a document with neither is not online."""
    if document.fichier:
        size = size_of(document.fichier)
        return Offer(document.titre, uri(document.fichier), True, format_label(document.fichier),
                     size_label(size) if size is not None else "")
    return Offer(document.titre, document.url or "", False, document.format or "", document.poids or "")


@dataclass
class Scan:
    """What the attachments folder holds, by name relative to it, and what is wrong there."""

    accepted: dict[str, int] = field(default_factory=dict)  # name relative to pieces-jointes/ -> size in bytes
    refused: set[str] = field(default_factory=set)  # reported already: a reference to one adds nothing
    problems: list[Problem] = field(default_factory=list)


def check(content: Content, memo: dict | None = None) -> list[Problem]:
    """Every problem of the attachments folder and of the records' `fichier` fields."""
    return inspect(content, memo)[0]


def inspect(content: Content, memo: dict | None = None,
            cited: Iterable[tuple[Source, list]] | None = None) -> tuple[list[Problem], dict[str, int]]:
    """Every problem of the attachments folder and of the records' documents (`fichier`, and the
    `poids` and `format` written beside it), and the size in bytes of each accepted file by name
    (what record pages show: one small integer per file, whatever the number of records).

    A memo (`mkdocs serve`) keeps each file's verdict with its inode, size and times, so an
    unchanged file is not read again; `cited` (a preview's), each record's source with its
    `citations`, those of the files no edit touched kept from the last build.
    """
    scan = _Scanner(content.root, memo).scan()
    problems = list(scan.problems)
    referenced = set()
    if cited is None:  # (a registry entry has no documents)
        cited = ((source, citations(source.data)) for source in content.sources if not source.prefix)
    for source, found in cited:
        for path, name, document in found:
            referenced.add(name)
            refusal = _reference_refusal(name, scan)
            if refusal:
                problems.append(Problem(source.file, source.parsed.line_of(path), dotted(path), *refusal))
            elif name in scan.accepted:
                problems += _written_details(source, path[:-1], document, name, scan.accepted[name])
    for name in sorted(scan.accepted.keys() - referenced):
        problems.append(Problem(relative(content.root / uri(name), content.root), 1, "",
                                "fichier cité par aucune ressource : il n'est pas publié",
                                "citez-le dans le champ « fichier » d'un document, ou retirez-le", warning=True))
    return problems, scan.accepted


def citations(data) -> list[tuple[tuple, str, dict]]:
    """(path, name, document) of each `documents[i].fichier` of a record's raw data, valid or not."""
    documents = data.get("documents") if isinstance(data, dict) else None
    return [(("documents", index, "fichier"), document["fichier"], document)
            for index, document in enumerate(documents if isinstance(documents, list) else ())
            if isinstance(document, dict) and isinstance(document.get("fichier"), str)]


_COMPUTED = "retirez « {} » : il est calculé à partir du fichier"


def _written_details(source, path: tuple, document: dict, name: str, n_bytes: int) -> list[Problem]:
    """A `poids` or `format` written beside an accepted `fichier`: both are computed from the file,
    so one that disagrees is reported (a size plainly wrong is an error, anything else a warning)."""
    found = []
    real = size_label(n_bytes).replace(NBSP, " ")
    written = document.get("poids")
    if isinstance(written, str) and written.strip():
        agrees = size_agrees(written, n_bytes)
        if agrees is None:
            found.append(Problem(source.file, source.parsed.line_of(path + ("poids",)), dotted(path + ("poids",)),
                                 f"poids « {shown(written)} » illisible : le fichier « {name} » pèse {real}",
                                 _COMPUTED.format("poids"), warning=True))
        elif not agrees:
            found.append(Problem(source.file, source.parsed.line_of(path + ("poids",)), dotted(path + ("poids",)),
                                 f"poids « {shown(written)} » faux : le fichier « {name} » pèse {real}",
                                 _COMPUTED.format("poids")))
    written = document.get("format")
    if isinstance(written, str) and written.strip() and _format_key(written) != _format_key(format_label(name)):
        found.append(Problem(source.file, source.parsed.line_of(path + ("format",)), dotted(path + ("format",)),
                             f"format « {shown(written)} » différent de celui du fichier « {name} » "
                             f"({format_label(name)}) : le site affiche {format_label(name)}",
                             "retirez « format » : il est déduit du fichier", warning=True))
    return found


def _format_key(text: str) -> str:
    key = text.strip().lstrip(".").upper()
    return "JPG" if key == "JPEG" else key


def _reference_refusal(name: str, scan: Scan) -> tuple[str, str] | None:
    if "://" in name:
        return f"« {name} » est une adresse, pas un fichier", "une adresse web va dans le champ « url »"
    if _ESCAPE.search(name):
        return (f"chemin « {name} » interdit : le fichier doit être sous content/{ATTACHMENTS_DIR}/",
                "écrivez le chemin depuis ce dossier, par ex. « 2022/compte-rendu.pdf »")
    folders, _, base = name.rpartition("/")
    refusal = _name_refusal(base)
    if refusal:
        return refusal
    if not _PATH.match(name):
        return f"chemin « {name} » invalide : dossiers en {_NAME_RULE}", f"par ex. « {_suggestion(folders)}/{base} »"
    if name in scan.accepted or name in scan.refused:
        return None
    inner = name.partition(f"{ATTACHMENTS_DIR}/")[2]
    hint = f"le chemin part de content/{ATTACHMENTS_DIR}/ : écrivez « {inner} »" if inner in scan.accepted else ""
    return (f"fichier « {name} » introuvable dans content/{ATTACHMENTS_DIR}/",
            hint or closest(name, sorted(scan.accepted)) or "ajoutez le fichier ou corrigez le chemin")


def _name_refusal(name: str) -> tuple[str, str] | None:
    """A file name's problem: a type not accepted, or a name that would make an unclean URL."""
    stem, dot, written = name.rpartition(".")
    extension = written.lower() if dot else ""
    if extension not in TYPES:  # names from the disk may hold anything, bytes that are not UTF-8 too: shown
        found = shown(f".{written}") if dot else "sans extension"
        return (f"type de fichier refusé ({found}) : seuls {', '.join(TYPES)} sont acceptés",
                _TYPE_HINTS.get(extension, "exportez le document en PDF"))
    if not _FILE_NAME.match(name):
        return (f"nom de fichier « {shown(name)} » invalide : {_NAME_RULE}, puis l'extension",
                f"renommez-le par ex. « {_suggestion(stem)}.{extension} »")
    return None


def _suggestion(text: str) -> str:
    return "/".join(slugify(part) or "document" for part in text.split("/"))


class _Scanner:
    """Walks the attachments folder without ever following a link."""

    def __init__(self, root: Path, memo: dict | None):
        self.root = root
        self.result = Scan()
        self.previous = {} if memo is None else memo.get("attachments", {})
        self.verdicts: dict = {}  # path -> (signature, refusal), for the next scan while serving
        if memo is not None:
            memo["attachments"] = self.verdicts

    def scan(self) -> Scan:
        folder = self.root / ATTACHMENTS_DIR
        if folder.is_symlink():
            self._refuse(folder, None, ("lien symbolique interdit", "remplacez-le par un vrai dossier"))
        elif folder.is_dir():
            self._walk(folder, "", True)
        elif folder.exists():
            self._refuse(folder, None, ("un dossier est attendu ici", "remplacez ce fichier par un dossier"))
        return self.result

    def _walk(self, folder: Path, prefix: str, named_well: bool) -> None:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
        for entry in entries:
            name = prefix + entry.name
            if entry.is_symlink():
                self._refuse(entry, name, ("lien symbolique interdit",
                                           "remplacez-le par le fichier ou le dossier lui-même"))
            elif entry.is_dir(follow_symlinks=False):
                good = _FOLDER_NAME.match(entry.name) is not None
                if not good:
                    self._refuse(entry, None, (f"nom de dossier « {shown(entry.name)} » invalide : {_NAME_RULE}",
                                               f"renommez-le par ex. « {_suggestion(entry.name)} »"))
                self._walk(Path(entry.path), name + "/", named_well and good)  # its files' own problems are reported too
            else:
                refusal = self._file_refusal(entry)
                if refusal:
                    self._refuse(entry, name, refusal)
                elif named_well:  # else the folder's name is the problem, reported once
                    self.result.accepted[name] = entry.stat(follow_symlinks=False).st_size  # cached by os.scandir

    def _refuse(self, path: os.PathLike, name: str | None, refusal: tuple[str, str]) -> None:
        self.result.problems.append(Problem(relative(Path(path), self.root), 1, "", *refusal))
        if name is not None:
            self.result.refused.add(name)

    def _file_refusal(self, entry: os.DirEntry) -> tuple[str, str] | None:
        if not entry.is_file(follow_symlinks=False):
            return "ni fichier ni dossier (tube, périphérique…) : refusé", "retirez-le"
        refusal = _name_refusal(entry.name)
        if refusal:
            return refusal
        info = entry.stat(follow_symlinks=False)
        signature = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_nlink)
        before = self.previous.get(entry.path)
        refusal = before[1] if before is not None and before[0] == signature else _refusal_of(entry, info)
        self.verdicts[entry.path] = (signature, refusal)
        return refusal


def _refusal_of(entry: os.DirEntry, info: os.stat_result) -> tuple[str, str] | None:
    """A well-named regular file's problem: its links, its size or its first bytes."""
    if info.st_nlink > 1:
        return "fichier à plusieurs liens physiques : refusé", "remplacez-le par une copie ordinaire du fichier"
    if info.st_size == 0:
        return "fichier vide", "ajoutez le bon fichier ou retirez-le"
    if info.st_size > MAX_BYTES:
        size = f"{math.ceil(info.st_size * 10 / 1024 / 1024) / 10:.1f}".replace(".", ",")  # rounded up: never "20 Mo"
        return (f"fichier trop lourd ({size} Mo) : au plus {MAX_LABEL}", "réduisez-le (export PDF compressé, "
                "images allégées) ou publiez-le ailleurs et donnez son adresse dans « url »")
    try:
        return _content_refusal(entry.path, entry.name.rpartition(".")[2])
    except OSError as error:  # unreadable, or replaced since the scan (by a link: O_NOFOLLOW)
        return f"fichier illisible ({error.strerror})", "vérifiez ce fichier et ses droits"


def _content_refusal(path: str, extension: str) -> tuple[str, str] | None:
    """Whether the first bytes are those of the type the extension announces."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # no link swapped in since the scan
    with os.fdopen(descriptor, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if extension == "csv":
        return _text_refusal(head)
    if any(matcher.match(head) for matcher in _MATCHERS[extension]):
        return None
    kind = filetype.guess(head)
    seen = f"il ressemble à un fichier .{kind.extension}" if kind else "son contenu n'est pas reconnu"
    hint = f"renommez-le en .{kind.extension}" if kind and kind.extension in TYPES else \
        "enregistrez-le à nouveau dans ce format, ou exportez-le en PDF"
    return f"ce fichier n'est pas un vrai .{extension} : {seen}", hint


def _text_refusal(head: bytes) -> tuple[str, str] | None:
    if head.translate(None, _TEXT_BYTES):
        return "fichier .csv refusé : il n'est pas du texte", "exportez le tableau au format CSV depuis le tableur"
    if _MARKUP.match(head):
        return "fichier .csv refusé : il contient du HTML ou du XML", "exportez le tableau au format CSV depuis le tableur"
    return None
