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
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import filetype

from .loading import ATTACHMENTS_DIR, Content, Entry
from .models import SLUG_PATTERN
from .parsing import dotted
from .problems import Problem, closest, relative
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
MAX_LABEL = "20 Mo"
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


def published(records: Iterable[Entry]) -> list[str]:
    """The files the given records (the catalogue's, drafts left out unless shown) offer."""
    return sorted({d.fichier for entry in records for d in entry.model.documents if d.fichier})


@dataclass
class Scan:
    """What the attachments folder holds, by name relative to it, and what is wrong there."""

    accepted: set[str] = field(default_factory=set)  # names relative to pieces-jointes/
    refused: set[str] = field(default_factory=set)  # reported already: a reference to one adds nothing
    problems: list[Problem] = field(default_factory=list)


def check(content: Content, memo: dict | None = None) -> list[Problem]:
    """Every problem of the attachments folder and of the records' `fichier` fields.

    A memo (`mkdocs serve`) keeps each file's verdict with its inode, size and times, so an
    unchanged file is not read again.
    """
    scan = _Scanner(content.root, memo).scan()
    problems = list(scan.problems)
    referenced = set()
    for source in content.sources:
        if source.prefix:
            continue  # a registry entry: no documents
        for path, name in _references(source.data):
            referenced.add(name)
            refusal = _reference_refusal(name, scan)
            if refusal:
                problems.append(Problem(source.file, source.parsed.line_of(path), dotted(path), *refusal))
    for name in sorted(scan.accepted - referenced):
        problems.append(Problem(relative(content.root / uri(name), content.root), 1, "",
                                "fichier cité par aucune ressource : il n'est pas publié",
                                "citez-le dans le champ « fichier » d'un document, ou retirez-le", warning=True))
    return problems


def _references(data) -> Iterable[tuple[tuple, str]]:
    """(path, name) of each `documents[i].fichier` of a record's raw data, valid or not."""
    documents = data.get("documents") if isinstance(data, dict) else None
    for index, document in enumerate(documents if isinstance(documents, list) else ()):
        if isinstance(document, dict) and isinstance(document.get("fichier"), str):
            yield ("documents", index, "fichier"), document["fichier"]


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
    if extension not in TYPES:
        shown = f".{written}" if dot else "sans extension"
        return (f"type de fichier refusé ({shown}) : seuls {', '.join(TYPES)} sont acceptés",
                _TYPE_HINTS.get(extension, "exportez le document en PDF"))
    if not _FILE_NAME.match(name):
        return (f"nom de fichier « {name} » invalide : {_NAME_RULE}, puis l'extension",
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
                    self._refuse(entry, None, (f"nom de dossier « {entry.name} » invalide : {_NAME_RULE}",
                                               f"renommez-le par ex. « {_suggestion(entry.name)} »"))
                self._walk(Path(entry.path), name + "/", named_well and good)  # its files' own problems are reported too
            else:
                refusal = self._file_refusal(entry)
                if refusal:
                    self._refuse(entry, name, refusal)
                elif named_well:  # else the folder's name is the problem, reported once
                    self.result.accepted.add(name)

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
