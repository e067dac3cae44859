"""The files of a content tree: which are records and registries, read safely; anything else reported.

Content arrives by pull request from people who are not developers, so the whole tree is
untrusted. Nothing is lost silently: a file or folder that is not content (a `.MD`
extension, a sub-folder, a misspelt folder, a stray file) is a problem with a hint.
Symbolic links are refused (a linked record could publish a file of the server). Files are
read as UTF-8 text of bounded size, checked before reading.

Left alone: `pieces-jointes/` (checked with the attachments), `README.md` files (notes
for contributors), and hidden files and folders and editors' backups (`.git`, `.gitkeep`,
`.DS_Store`, `.fiche.md.swp`, `fiche.md~`): never content, and made by git, the system and
editors while `make serve` runs.
"""

from __future__ import annotations

import codecs
import errno
import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .problems import Problem, closest, relative, shown

RECORD_LIMIT = 1_000_000  # bytes; the longest plan synthesis is about 200 KB
REGISTRY_LIMIT = 10_000_000  # bytes; a person with their functions takes about 200 bytes
NOTES = "README.md"
MARKDOWN_LOOKALIKES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


@dataclass
class Inventory:
    records: list[tuple[type, Path]] = field(default_factory=list)  # (model, file), folder by folder
    registries: dict[str, Path] = field(default_factory=dict)  # kind -> file
    problems: list[Problem] = field(default_factory=list)


def scan(root: Path, record_types, registry_files: dict[str, str], attachments_dir: str) -> Inventory:
    """Sort out every entry of a content tree (`registry_files`: kind -> path such as `registre/personnes.yml`)."""
    found, records = Inventory(), {}
    folders = {model.FOLDER: model for model in record_types}
    registries = {PurePosixPath(name).name: kind for kind, name in registry_files.items()}
    registry_dir = PurePosixPath(next(iter(registry_files.values()))).parent.name
    # A folder named like its section on the site (`reunions/`) or a near miss (`fiche/`) is a likely slip.
    known = {name: name for name in [*folders, registry_dir, attachments_dir]}
    known.update({model.SECTION: model.FOLDER for model in record_types})
    for entry in _entries(root, found, root):
        if entry.name == attachments_dir:
            continue
        if entry.name in folders and entry.is_dir(follow_symlinks=False):
            folder = child(root, entry.name)  # (the same object each run: its files are then found at once)
            records[entry.name] = [child(folder, e.name) for e in _entries(folder, found, root)
                                   if _is_record(e, found, root, attachments_dir)]
        elif entry.name == registry_dir and entry.is_dir(follow_symlinks=False):
            for sub in _entries(Path(entry.path), found, root):
                if sub.name in registries and sub.is_file(follow_symlinks=False):
                    found.registries[registries[sub.name]] = Path(sub.path)
                else:
                    _stray(found, root, sub, f"« {shown(sub.name)} » n'est pas un registre : il ne sera pas lu",
                           closest(sub.name, list(registries)) or f"les registres sont {', '.join(registries)}")
        elif entry.is_dir(follow_symlinks=False):
            _stray(found, root, entry, f"dossier inconnu « {shown(entry.name)}/ » : il ne sera pas lu",
                   closest(entry.name, known) or f"les dossiers sont {', '.join(sorted(set(known.values())))}")
        elif entry.name in known:
            _stray(found, root, entry, f"« {entry.name} » doit être un dossier", "")
        else:
            _stray(found, root, entry, f"fichier « {shown(entry.name)} » hors des dossiers de contenu : il ne sera pas lu",
                   closest(entry.name, {n: f"{registry_dir}/{n}" for n in registries})
                   or f"une ressource va dans {', '.join(f + '/' for f in folders)} ; un document dans {attachments_dir}/")
    found.records = [(model, path) for model in record_types for path in records.get(model.FOLDER, [])]
    return found


@functools.lru_cache(maxsize=1 << 16)
def child(folder: Path, name: str) -> Path:
    """A file of a folder, the same object each time it is asked for: a preview's rebuild lists every
    record file, and the calendars to write (12,000 each at 10,000 records); joining a path is slow,
    and the same object is found at once as a key."""
    return folder / name


def _entries(folder: Path, found: Inventory, root: Path):
    """A folder's entries by name, without what is left alone; symbolic links are reported."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        found.problems.append(Problem(relative(folder, root), 1, "", f"dossier illisible ({_os_error(error)})", ""))
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith("~") or entry.name == NOTES:
            continue
        if entry.is_symlink():
            _stray(found, root, entry, "lien symbolique refusé",
                   "remplacez le lien par le fichier ou le dossier lui-même (un lien pourrait publier un fichier du serveur)")
            continue
        yield entry


def _is_record(entry: os.DirEntry, found: Inventory, root: Path, attachments_dir: str) -> bool:
    """Whether an entry of a record folder is a record file; if not, why is reported."""
    stem, suffix = os.path.splitext(entry.name)
    if suffix == ".md" and entry.is_file(follow_symlinks=False):
        return True
    folder = os.path.basename(os.path.dirname(entry.path))
    if entry.is_dir(follow_symlinks=False):
        _stray(found, root, entry, f"sous-dossier « {shown(entry.name)}/ » : il ne sera pas lu",
               f"placez chaque fichier .md directement dans {folder}/")
    elif not entry.is_file(follow_symlinks=False):
        _stray(found, root, entry, "ce n'est pas un fichier ordinaire", "remplacez-le par un fichier .md")
    elif suffix.lower() in MARKDOWN_LOOKALIKES:
        _stray(found, root, entry, f"extension « {suffix} » : le fichier ne sera pas lu", f"renommez-le en {shown(stem)}.md")
    else:
        _stray(found, root, entry, f"fichier « {shown(entry.name)} » non lu : une ressource est un fichier .md",
               f"un document à télécharger va dans {attachments_dir}/")
    return False


def _stray(found: Inventory, root: Path, entry: os.DirEntry, message: str, hint: str) -> None:
    found.problems.append(Problem(relative(Path(entry.path), root), 1, "", message, hint))


def read(path: Path, limit: int) -> tuple[str | None, tuple | None]:
    """A content file's text (newlines as `\\n`, without a byte order mark), or why it cannot be
    read: (line, field, message, hint). Its size is checked before reading."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return None, (1, "", f"fichier illisible ({_os_error(error)})", "")
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            return None, (1, "", "ce n'est pas un fichier ordinaire", "remplacez-le par un fichier texte")
        if status.st_size > limit:
            return None, _too_big(status.st_size, limit)
        data = _read_all(handle, status.st_size)  # bounded even if the file grows meanwhile
    finally:
        os.close(handle)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        return None, (data.count(b"\n", 0, error.start) + 1, "",
                      f"fichier non enregistré en UTF-8 (octet 0x{data[error.start]:02X} illisible)",
                      "enregistrez-le en UTF-8 (éditeur : « Enregistrer sous… », encodage UTF-8) ; il est sans doute en "
                      + ("UTF-16" if utf16 else "Windows-1252 ou Latin-1"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


def _read_all(handle: int, size: int) -> bytes:
    """Up to `size` bytes of an open file, read without a file object (10,000 files a check)."""
    chunks, left = [], size
    while left > 0:
        chunk = os.read(handle, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _os_error(error: OSError) -> str:
    """The system's reason, in French when it is a likely one (its own wording is English)."""
    known = {errno.EACCES: "droit de lecture manquant", errno.ENOENT: "disparu pendant la lecture",
             errno.ELOOP: "lien symbolique refusé"}
    return known.get(error.errno, f"erreur système {errno.errorcode.get(error.errno, error.errno)}")


def _too_big(size: int, limit: int) -> tuple:
    return (1, "", f"fichier trop gros : {size / 1e6:.1f} Mo, au plus {limit / 1e6:g} Mo",
            "découpez-le, ou placez les documents volumineux dans pieces-jointes/")
