"""Reading YAML with line numbers: front matter, registries, and the problems they can have.

Every value is read as text (libyaml's C parser with PyYAML's base loader): the models
then convert text to dates, numbers and booleans, and say in French what is wrong.
Reading text only avoids YAML 1.1's surprises (`9:30` read as the number 570, `no` as
false, `59350` losing its leading zero elsewhere) and is the fastest way through PyYAML.
Empty values and `null` are read as absent.

Line numbers cost as much as the parse itself and are only needed to report a problem,
so they are computed on demand, from a second parse keeping every node's position.
Duplicate keys are refused (PyYAML silently keeps the last one).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

Path_ = tuple  # a path into the data: ("participants", 3, "personne")

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")

_YAML_MESSAGES = [
    ("found character '\\t' that cannot start any token",
     "tabulation interdite dans l'indentation", "indentez avec des espaces"),
    ("mapping values are not allowed here",
     "« : » inattendu (indentation incorrecte, ou texte contenant « : » à mettre entre guillemets)",
     "vérifiez l'alignement de cette ligne avec la précédente"),
    ("did not find expected key",
     "indentation incorrecte : une clé était attendue",
     "alignez les champs d'un même bloc sur la même colonne"),
    ("did not find expected '-' indicator",
     "indentation incorrecte dans une liste",
     "chaque élément de liste commence par « - » à la même colonne"),
    ("could not find expected ':'",
     "« : » manquant après un nom de champ", "écrivez « champ: valeur »"),
    ("found unexpected end of stream",
     "fin de fichier inattendue (guillemet non fermé ?)", "fermez les guillemets ouverts"),
    ("found undefined alias",
     "alias YAML inconnu (« * »)", "mettez le texte entre guillemets s'il commence par « * »"),
]


class _DuplicateKey(Exception):
    pass


class _TextLoader(yaml.CBaseLoader):
    """libyaml's parser; every scalar is text except an empty value or `null`."""

    def construct_mapping(self, node, deep=False):
        result = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in result:
                raise _DuplicateKey(key)
            result[key] = self.construct_object(value_node, deep=deep)
        return result


_TextLoader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
_TextLoader.add_constructor("tag:yaml.org,2002:null", lambda loader, node: None)
_TextLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node, deep=True))


@dataclass
class Parsed:
    """Plain data from one YAML document, what went wrong, and (on demand) the line of each value."""

    data: object = None
    problems: list = field(default_factory=list)  # (line, field, message, hint)
    broken: set = field(default_factory=set)  # paths whose value could not be read
    text: str = ""  # the YAML source, for line numbers
    offset: int = 0  # lines before the YAML in its file
    _lines: dict | None = None  # Path_ -> 1-based line in the file

    @property
    def lines(self) -> dict:
        if self._lines is None:
            self._lines = _positions(self.text, self.offset)
        return self._lines

    def line_of(self, path: Path_) -> int:
        """The line of a value, or of its nearest enclosing value (a missing field's block)."""
        lines, path = self.lines, tuple(path)
        while path and path not in lines:
            path = path[:-1]
        return lines.get(path, lines.get((), self.offset + 1))


_DIGEST_SIZE = hashlib.sha256().digest_size


class ParseCache:
    """Data of YAML documents parsed cleanly in an earlier run, keyed by a hash of their text.

    PyYAML needs about 1 ms a record; an unchanged file is read back from here instead.
    Only clean parses are kept (a document with a problem is parsed, and reported, again).
    The file is tied to this module's source, so a change of parsing rules empties it, and
    starts with the SHA-256 of the rest: a damaged or cut file is ignored (marshal would read
    some damage as other data), and the documents are parsed again.
    """

    VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, object] = {} if path is None else self._load(path)
        self.used: set[str] = set()
        self.changed = False

    @classmethod
    def _load(cls, path: Path) -> dict:
        """The entries of a cache file, if it is whole and of this version (otherwise start afresh)."""
        try:
            data = memoryview(path.read_bytes())
        except OSError:
            return {}
        digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if hashlib.sha256(payload).digest() != digest:
            return {}
        try:
            version, entries = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return {}  # whole, but not in the shape this version writes
        return entries if version == cls.VERSION else {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def get(self, key: str):
        if key in self.entries:
            self.used.add(key)
            return True, self.entries[key]
        return False, None

    def put(self, key: str, data) -> None:
        self.entries[key] = data
        self.used.add(key)
        self.changed = True

    def save(self, prune: bool = True) -> None:
        """Keep what this run used (or, not pruning, everything), so the cache stays the size of
        one content tree."""
        if self.path is None or not (self.changed or prune and self.used != self.entries.keys()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        kept = {key: self.entries[key] for key in self.used} if prune else self.entries
        payload = marshal.dumps((self.VERSION, kept))
        temporary.write_bytes(hashlib.sha256(payload).digest() + payload)
        temporary.replace(self.path)

    def fill(self, texts: dict[str, str], workers: int = 2) -> None:
        """Parse in parallel the documents (by key) this cache does not know yet.

        Helper processes take a share each while this process parses its own (so only the
        helpers' results cross between processes, as compact marshal bytes): a cold run over
        thousands of files takes about half the time on two cores. Documents with a problem
        are left out, to be parsed and reported in the usual way.
        """
        missing = [(key, text) for key, text in texts.items() if key not in self.entries]
        if self.path is None or len(missing) < PARALLEL_FROM or workers < 2:
            return
        shares = [missing[i::workers] for i in range(workers)]  # interleaved: long and short files alike
        with ProcessPoolExecutor(workers - 1) as pool:
            helped = [pool.submit(_parse_batch, share) for share in shares[1:]]
            results = [_parse_batch(shares[0])] + [future.result() for future in helped]
        for result in results:
            for key, ok, data in marshal.loads(result):
                if ok:
                    self.put(key, data)


PARALLEL_FROM = 500  # fewer documents than this parse faster than a pool starts


def _parse_batch(batch: list[tuple[str, str]]) -> bytes:
    """(key, parsed cleanly, data) for each document, marshalled: quicker to hand back than pickled."""
    out = []
    for key, text in batch:
        parsed = _parse(text, 1)
        out.append((key, not parsed.problems, parsed.data))
    return marshal.dumps(out)


NO_CACHE = ParseCache(None)


def parse_yaml(text: str, first_line: int = 1, cache: ParseCache = NO_CACHE, key: str | None = None) -> Parsed:
    """Parse one YAML document; `first_line` is where it starts in its file (`key`: its cache key, if known)."""
    if key is None:
        key = cache.key(text) if cache is not NO_CACHE else ""
    hit, data = cache.get(key)
    if hit:
        return Parsed(data=data, text=text, offset=first_line - 1)
    parsed = _parse(text, first_line)
    if not parsed.problems:
        cache.put(key, parsed.data)
    return parsed


def _parse(text: str, first_line: int) -> Parsed:
    parsed = Parsed(text=text, offset=first_line - 1)
    tab_lines = _tab_indented_lines(text) if "\t" in text else []
    for number in tab_lines:
        parsed.problems.append((number + parsed.offset, "", _YAML_MESSAGES[0][1], _YAML_MESSAGES[0][2]))
    try:
        parsed.data = yaml.load(text, Loader=_TextLoader)
    except _DuplicateKey:
        parsed.data = _read_duplicates(parsed)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        if line not in tab_lines:  # a tab's own error is already reported, in clearer words
            parsed.problems.append((line + parsed.offset, "", *_translate(error)))
    return parsed


def _tab_indented_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if "\t" in line[: len(line) - len(line.lstrip())]]


def _translate(error: yaml.MarkedYAMLError) -> tuple[str, str]:
    problem = str(error.problem or error)
    for english, french, hint in _YAML_MESSAGES:
        if english in problem:
            return french, hint
    return f"YAML illisible ({problem})", "vérifiez l'indentation et les guillemets"


def _nodes(text: str):
    loader = _TextLoader(text)
    try:
        return loader.get_single_node(), loader
    finally:
        loader.dispose()


def _positions(text: str, offset: int) -> dict:
    """The line of every value, by path (second parse, keeping node positions)."""
    lines: dict = {}
    try:
        root, _ = _nodes(text)
    except yaml.YAMLError:
        return lines
    queue = deque([((), root)] if root is not None else [])
    while queue:  # in document order, so a duplicate key keeps its first line
        path, node = queue.popleft()
        lines.setdefault(path, node.start_mark.line + 1 + offset)
        if isinstance(node, yaml.MappingNode):
            queue.extend((path + (k.value,), v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            queue.extend((path + (i,), v) for i, v in enumerate(node.value))
    return lines


def _read_duplicates(parsed: Parsed):
    """Data keeping the first of duplicate keys, each later one reported with its line."""
    root, loader = _nodes(parsed.text)

    def build(node, path):
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key in result:
                    first = parsed.lines[path + (key,)]
                    parsed.problems.append((key_node.start_mark.line + 1 + parsed.offset, dotted(path + (key,)),
                                            f"champ en double (déjà donné ligne {first})",
                                            "gardez une seule fois ce champ"))
                    parsed.broken.add(path + (key,))
                    continue
                result[key] = build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path + (i,)) for i, item in enumerate(node.value)]
        return loader.construct_object(node)

    return build(root, ())


def dotted(path: Path_) -> str:
    """A path as editors read it: `participants[3].personne`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class Document:
    """A Markdown file split into its front matter (parsed) and its body."""

    meta: Parsed
    body: str
    body_line: int  # line of the body's first line in the file


def _closing_line(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the first line from `start` that is `---` (trailing spaces allowed)."""
    position = start - 1
    while True:
        position = text.find("\n---", position)
        if position < 0:
            return None
        end = text.find("\n", position + 4)
        end = len(text) if end < 0 else end
        if not text[position + 4:end].strip():
            return position + 1, end
        position += 4


def front_matter(text: str) -> tuple[str, int, int] | str:
    """(YAML text, end of the closing `---` line, body's first line), or a problem message."""
    first_end = text.find("\n")
    if text[: first_end if first_end >= 0 else len(text)].strip() != "---":
        return "en-tête YAML manquant : le fichier doit commencer par « --- »"
    closing = _closing_line(text, first_end + 1)
    if closing is None:
        return "en-tête YAML non fermé : la ligne « --- » de fin manque"
    start, end = closing
    return text[first_end + 1: start], end, text.count("\n", 0, start) + 2


_HINTS = {"en-tête YAML manquant : le fichier doit commencer par « --- »":
          "ajoutez les champs entre deux lignes « --- » en tête du fichier",
          "en-tête YAML non fermé : la ligne « --- » de fin manque":
          "ajoutez une ligne « --- » après le dernier champ"}


def split_all(texts: list[str], cache: ParseCache) -> list[Document]:
    """Split files into front matter (parsed) and body; a file without front matter is a problem.

    The YAML the cache lacks is parsed in parallel first, each file's bounds found once.
    """
    bounds = [front_matter(text) for text in texts]
    keys = [None if isinstance(b, str) else cache.key(b[0]) for b in bounds]
    cache.fill({key: b[0] for key, b in zip(keys, bounds) if key is not None})
    return [_document(text, b, cache, key) for text, b, key in zip(texts, bounds, keys)]


def _document(text: str, bounds, cache: ParseCache, key: str | None) -> Document:
    if isinstance(bounds, str):
        return Document(Parsed(problems=[(1, "", bounds, _HINTS[bounds])]), "", 1)
    yaml_text, end, body_line = bounds
    return Document(parse_yaml(yaml_text, first_line=2, cache=cache, key=key), text[end + 1:], body_line)
