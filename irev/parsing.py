"""Reading YAML with line numbers: front matter, registries, and the problems they can have.

Every value is read as text (libyaml's C parser with PyYAML's base loader): the models
then convert text to dates, numbers and booleans, and say in French what is wrong.
Reading text only avoids YAML 1.1's surprises (`9:30` read as the number 570, `no` as
false, `59350` losing its leading zero elsewhere) and is the fastest way through PyYAML.
Empty values and `null` are read as absent.

Line numbers cost as much as the parse itself and are only needed to report a problem,
so they are computed on demand, from a second parse keeping every node's position.
Duplicate keys are refused (PyYAML silently keeps the last one).

Content is untrusted: a document that may hold anchors, aliases, tags or merge keys, nest
deeper than MAX_DEPTH, or escape a control character (a cheap look at its text says so,
over-approximating), or that the fast reading stops on, is read again carefully, event by
event: no recursion, nothing shared, everything refused reported with its line. Anchors
and aliases are refused outright: an alias shares a value (a 400-byte "billion laughs"
expands to gigabytes), and an alias inside its own anchor makes a value contain itself.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import zlib
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import shown

Path_ = tuple  # a path into the data: ("participants", 3, "personne")

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
MAX_DEPTH = 100  # nested lists and blocks; real records use fewer than 10
# Characters YAML refuses, or reads as line breaks editors do not see (NEL, U+2028, U+2029),
# and byte order marks past the start of a file: none belongs in a record.
# Control characters, invisible line breaks, and the bidirectional overrides, embeddings and
# isolates (U+202A-202E, U+2066-2069): they show text in another order than it is written, so
# a reversed name would read as the name and escape the redaction ("Trojan Source").
_FORBIDDEN_CHARS = "".join(map(chr, [*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), *range(0x7f, 0xa0),
                                      0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2066, 0x206a), 0xfeff, 0xfffe,
                                      0xffff]))
FORBIDDEN = re.compile(f"[{re.escape(_FORBIDDEN_CHARS)}]")
_LIBYAML_ACCEPTS = "\x85\u2028\u2029\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # libyaml lets these through

_TAB = ("tabulation interdite dans l'indentation", "indentez avec des espaces")
_QUOTE = "mettez le texte entre guillemets"
_DIRECTIVE = ("directive (« % ») ou étiquette (« ! ») YAML mal formée", "mettez le texte entre guillemets, ou retirez-la")
_ESCAPE_HINT = "doublez la barre oblique inverse (\\\\) ou utilisez des apostrophes"
# libyaml's problems (part of their wording), in French.
_YAML_MESSAGES = [
    ("mapping values are not allowed",
     "« : » inattendu (indentation incorrecte, ou texte contenant « : » à mettre entre guillemets)",
     "vérifiez l'alignement de cette ligne avec la précédente"),
    ("did not find expected key",
     "indentation incorrecte : une clé était attendue",
     "alignez les champs d'un même bloc sur la même colonne"),
    ("did not find expected '-' indicator",
     "indentation incorrecte dans une liste",
     "chaque élément de liste commence par « - » à la même colonne"),
    ("block sequence entries are not allowed",
     "élément de liste « - » mal placé", "écrivez « champ: » seul sur sa ligne, puis les éléments « - » indentés dessous"),
    ("mapping keys are not allowed", "« ? » inattendu", _QUOTE),
    ("could not find expected ':'",
     "« : » manquant après un nom de champ", "écrivez « champ: valeur »"),
    ("found unexpected end of stream",
     "fin de fichier inattendue (guillemet non fermé ?)", "fermez les guillemets ouverts"),
    ("found unexpected ':'", "« : » inattendu", _QUOTE),
    ("found character that cannot start any token", "caractère qui ne peut pas commencer une valeur (@, `, % …)", _QUOTE),
    ("did not find expected alphabetic or numeric character", "« & », « * » ou « ! » en début de valeur", _QUOTE),
    ("did not find expected node content",
     "valeur attendue", "vérifiez la ponctuation ([ ] { } ,) ou mettez le texte entre guillemets"),
    ("did not find expected ',' or ']'",
     "liste entre crochets non fermée", "fermez le « [ » par « ] », ou mettez le texte entre guillemets"),
    ("did not find expected ',' or '}'",
     "bloc entre accolades non fermé", "fermez le « { » par « } », ou mettez le texte entre guillemets"),
    ("did not find expected <document start>",
     "texte en trop après la fin du bloc", "vérifiez les crochets et l'indentation de cette ligne"),
    ("found unexpected document indicator",
     "ligne « --- » ou « ... » au milieu d'un texte entre guillemets", "fermez les guillemets avant cette ligne"),
    ("found unknown escape character", "caractère échappé inconnu après « \\ » entre guillemets", _ESCAPE_HINT),
    ("did not find expected hexdecimal number", "code échappé incomplet après « \\ » entre guillemets", _ESCAPE_HINT),
    ("found invalid Unicode character escape code", "code échappé invalide après « \\ » entre guillemets", _ESCAPE_HINT),
    ("found an indentation indicator equal to 0",
     "texte en bloc (« | » ou « > ») mal formé", "écrivez « | » seul en fin de ligne, le texte indenté dessous"),
    ("did not find expected comment or line break", "texte inattendu en fin de ligne", "mettez tout le texte entre guillemets"),
    ("found a tab character", "tabulation interdite", "remplacez-la par des espaces"),
]
# Words of libyaml's problems with a tag (`!…`, its URI, `!<…>`) or a directive (`%YAML 1.1`).
_DIRECTIVE_WORDS = ("tag", "directive", "version", "digit", "URI", "UTF-8 octet", "'!'", "'>'", "whitespace",
                    "non-alphabetical", "incompatible")


class _Unusual(Exception):
    """A key the fast reading does not take (not text, empty, repeated): read carefully instead."""


class _TextLoader(yaml.CBaseLoader):
    """libyaml's parser; every scalar is text except an empty value or `null`, which is absent."""

    def construct_mapping(self, node, deep=False):
        result, empty = {}, False
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key.__class__ is not str or not key or key in result:
                raise _Unusual
            value = result[key] = self.construct_object(value_node, deep=deep)
            empty = empty or value is None
        return {key: value for key, value in result.items() if value is not None} if empty else result


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


_DIGEST_SIZE = 4  # a CRC-32: damage, not tampering, is what it tells (five times quicker than SHA-256 on 90 MB)


def _checksum(payload) -> bytes:
    return zlib.crc32(payload).to_bytes(_DIGEST_SIZE, "big")


class ParseCache:
    """Data of YAML documents parsed cleanly in an earlier run, keyed by a hash of their text.

    PyYAML needs about 1 ms a record; an unchanged file is read back from here instead.
    Only clean parses are kept (a document with a problem is parsed, and reported, again).
    The file is tied to this module's source, so a change of parsing rules empties it, and
    starts with a CRC-32 of the rest: a damaged or cut file is ignored (marshal would read
    some damage as other data), and the documents are parsed again.
    """

    VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, object] = {} if path is None else self._load(path)
        self.used: set[str] = set()
        self.added: dict[str, object] = {}  # what this process parsed (irev/shares.py sends it back)
        self.changed = False

    @classmethod
    def _load(cls, path: Path) -> dict:
        """The entries of a cache file, if it is whole and of this version (otherwise start afresh)."""
        try:
            data = memoryview(path.read_bytes())
        except OSError:
            return {}
        digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if _checksum(payload) != digest:
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
        self.added[key] = data
        self.used.add(key)
        self.changed = True

    def merge(self, used: set[str], added: dict[str, object]) -> None:
        """What another process using this cache used and parsed (irev/shares.py), kept by `save`."""
        for key, data in added.items():
            self.put(key, data)
        self.used |= used

    def save(self) -> None:
        """Keep what this run used, so the cache stays the size of one content tree."""
        if self.path is None or not (self.changed or self.used != self.entries.keys()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        kept = {key: self.entries[key] for key in self.used}
        payload = marshal.dumps((self.VERSION, kept))
        temporary.write_bytes(_checksum(payload) + payload)
        temporary.replace(self.path)
        self.changed = False

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
    if cache is NO_CACHE:
        return _parse(text, first_line)
    if key is None:
        key = cache.key(text)
    hit, data = cache.get(key)
    if hit:
        return Parsed(data=data, text=text, offset=first_line - 1)
    parsed = _parse(text, first_line)
    if not parsed.problems:
        cache.put(key, parsed.data)
    return parsed


def _parse(text: str, first_line: int) -> Parsed:
    parsed = Parsed(text=text, offset=first_line - 1)
    parsed.problems += references(text, first_line)
    if any(char in text for char in _LIBYAML_ACCEPTS):
        parsed.problems += characters(text, first_line)
        parsed._lines = {}  # not read: no value to point at
        return parsed
    tab_lines = _tab_indented_lines(text) if "\t" in text else []
    for number in tab_lines:
        parsed.problems.append((number + parsed.offset, "", *_TAB))
    source = text.encode()  # what libyaml reads (it would encode a str itself); quicker to search
    if _needs_care(source):
        _read_carefully(parsed, source, tab_lines)
        return parsed
    try:
        parsed.data = yaml.load(source, Loader=_TextLoader)
    except (_Unusual, yaml.YAMLError):
        _read_carefully(parsed, source, tab_lines)  # says what went wrong, with every line
    return parsed


def characters(text: str, first_line: int) -> list[tuple]:
    """A problem for each line holding a forbidden character (the first of the line, by its code)."""
    if not any(char in text for char in _FORBIDDEN_CHARS):  # twice as quick as the pattern: bodies are checked every run
        return []
    return _line_problems(text, first_line, [(match.start(), match.group(), "") for match in FORBIDDEN.finditer(text)])


def references(text: str, first_line: int) -> list[tuple]:
    """The same for a forbidden character written as a numeric character reference (`&#x202e;`):
    pages, feeds and PDFs decode it (« Paul &#x202e;TERCES » reads Paul SECRET; XML refuses `&#1;`)."""
    if "&#" not in text:
        return []
    return _line_problems(text, first_line, [(match.start(), char, f" écrit « {match.group()} »")
                                             for match in _REFERENCE.finditer(text)
                                             if FORBIDDEN.fullmatch(char := _referenced(match))])


def _line_problems(text: str, first_line: int, found: list[tuple[int, str, str]]) -> list[tuple]:
    problems, last = [], None
    for start, char, written in found:
        line = text.count("\n", 0, start) + first_line
        if line != last:
            column = start - text.rfind("\n", 0, start)
            problems.append((line, "", f"caractère invisible interdit U+{ord(char):04X}{written} (colonne {column})",
                             "supprimez-le : il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF"))
            last = line
    return problems


_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _referenced(reference: re.Match) -> str:
    """The character a numeric reference stands for, as browsers read it: 128 to 159 are taken for
    Windows-1252 (`&#150;` is « – »), which no rule here refuses; beyond Unicode, nothing."""
    number = int(reference.group(1), 16) if reference.group(1) else int(reference.group(2))
    return chr(number) if number < 0x80 or 0x9f < number <= 0x10ffff else ""


# Where YAML reads an anchor (&), alias (*), tag (!) or merge key (<<): at the start of a
# line's content, or after one of these (a superset: `- *gras*` in a text is flagged too).
_NODE_STARTS = b"\n-?:[{,"
# A block list or mapping sits right of its parent (or at its column, for a list under a key),
# and left of it on its line are only spaces and the indicators - ? :. So a document without
# a run of _RUN such characters nests blocks at most 2 * _RUN deep; each bracket adds at most
# two levels (`[a: [b: …]]`).
_RUN = 24
_BRACKETS = (MAX_DEPTH - 2 * _RUN) // 2
# What _needs_care looks for, one byte each, in one pass: 0 a character of a block line's
# prefix, 1 a mark (& * ! <), 2 a bracket, 3 a backslash (an escape in double quotes).
_SCAN = bytes(next((code for code, chars in enumerate((b" \t-?:", b"&*!<", b"[{", b"\\")) if byte in chars), 255)
              for byte in range(256))


def _needs_care(source: bytes) -> bool:
    """Whether the fast reading could meet an anchor, alias, tag, merge key, escaped control
    character or deep nesting in this document (cheap: a few searches in C)."""
    scanned = source.translate(_SCAN)
    if b"\3" in scanned or scanned.count(2) > _BRACKETS or b"\0" * _RUN in scanned:
        return True
    at = scanned.find(1)
    while at >= 0:
        if source[at] != ord("<") or source[at + 1:at + 2] == b"<":  # `<<`, not `<`
            before = at - 1
            while before >= 0 and source[before] in b" \t":
                before -= 1
            if before < 0 or source[before] in _NODE_STARTS:
                return True
        at = scanned.find(1, at + 1)
    return False


def _tab_indented_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.split("\n"), 1) if "\t" in line[: len(line) - len(line.lstrip())]]


def _translate(error: yaml.MarkedYAMLError) -> tuple[str, str]:
    problem = str(error.problem or error)
    for english, french, hint in _YAML_MESSAGES:
        if english in problem:
            return french, hint
    if any(word in problem for word in _DIRECTIVE_WORDS):
        return _DIRECTIVE
    return "YAML illisible à cet endroit", "vérifiez l'indentation, les guillemets et les crochets"


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


class _Stop(Exception):
    """A document not to be read any further: (line, field, message, hint)."""


_KEY, _DROP = object(), object()  # what a mapping awaits next: a key, or the value of a refused key


@dataclass
class _Open:
    """A list or mapping being read; `value` is None for a refused part, read through and dropped
    (its `path`, then, is that of the nearest value kept, for messages)."""

    value: list | dict | None
    path: tuple
    awaits: object = _KEY  # in a mapping: _KEY, the key whose value comes next, or _DROP
    keys: dict = field(default_factory=dict)  # in a mapping: each key read, and its line


def _read_carefully(parsed: Parsed, source: bytes, tab_lines: list[int]) -> None:
    """Read a document event by event (see the module's docstring): its data, the line of each
    value and every problem; a document nested too deep, or not single, is not read on."""
    reader = _Reader(parsed)
    loader = _TextLoader(source)
    try:
        while loader.check_event():
            reader.take(loader.get_event())
        parsed.data = reader.data
    except _Stop as stop:
        parsed.problems.append(stop.args)
    except yaml.reader.ReaderError:
        parsed.problems += characters(parsed.text, parsed.offset + 1)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        if line not in tab_lines:  # a tab's own error is already reported, in clearer words
            parsed.problems.append((line + parsed.offset, "", *_translate(error)))
    finally:
        loader.dispose()
    parsed._lines = reader.lines


class _Reader:
    """Plain data from libyaml's events: values are kept in their open list or mapping, never shared."""

    def __init__(self, parsed: Parsed):
        self.parsed = parsed
        self.lines: dict = {}
        self.open: list[_Open] = []
        self.data = None
        self.documents = 0
        self.reported: set[tuple] = set()  # (line, message): a line repeating an alias is reported once

    def take(self, event) -> None:
        line = event.start_mark.line + 1 + self.parsed.offset
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Stop(line, "", "un seul document YAML attendu : une ligne « --- » de trop",
                            "retirez la ligne « --- » (ou séparez les documents en plusieurs fichiers)")
        elif isinstance(event, yaml.CollectionEndEvent):
            self.open.pop()
        elif isinstance(event, yaml.NodeEvent):
            top = self.open[-1] if self.open else None
            if top is not None and top.value.__class__ is dict and top.awaits is _KEY:
                self.key(event, top, line)
            else:
                self.node(event, top, line)

    def node(self, event, top: _Open | None, line: int) -> None:
        """A value: the document itself, an item of a list or the value of a key."""
        if top is None:
            path = ()
        elif top.value is None or top.awaits is _DROP:
            path = None
        elif top.value.__class__ is list:
            path = top.path + (len(top.value),)
        else:
            path = top.path + (top.awaits,)
        where = top.path if path is None else path
        refused = self.refused(event, line, where)
        value = None if isinstance(event, yaml.AliasEvent) else self.value(event, path, where, line)
        if top is not None and top.value.__class__ is dict:
            top.awaits = _KEY
        if path is None:
            return
        self.lines.setdefault(path, line)
        if refused:
            self.parsed.broken.add(path)
        if top is None:
            self.data = value
        elif top.value.__class__ is list:
            top.value.append(value)
        elif value is not None:  # an empty value is absent
            top.value[path[-1]] = value

    def value(self, event, path: tuple | None, where: tuple, line: int):
        """A scalar's value, or a new list or mapping (None, at no `path`: dropped), now open."""
        if isinstance(event, yaml.ScalarEvent):
            return None if event.implicit[0] and _NULL.match(event.value) else event.value
        if len(self.open) >= MAX_DEPTH:
            raise _Stop(line, dotted(where[:2]), f"imbrication trop profonde : plus de {MAX_DEPTH} niveaux de listes et de blocs",
                        "simplifiez la structure de ce champ")
        container = None if path is None else [] if isinstance(event, yaml.SequenceStartEvent) else {}
        self.open.append(_Open(container, where))
        return container

    def key(self, event, top: _Open, line: int) -> None:
        """A key of a mapping: a name, once; anything else is reported and its value dropped."""
        top.awaits = _DROP
        name = event.value if isinstance(event, yaml.ScalarEvent) else None
        plain = isinstance(event, yaml.ScalarEvent) and event.implicit[0]
        if self.refused(event, line, top.path):
            pass
        elif name is None:
            self.problem(line, top.path, "nom de champ invalide : un simple texte est attendu avant « : »",
                         "écrivez « champ: valeur »")
        elif plain and name == "<<":
            self.problem(line, top.path, "fusion YAML « << » refusée", "recopiez les champs voulus dans ce bloc")
        elif not name or plain and _NULL.match(name):
            self.problem(line, top.path, "nom de champ vide", "écrivez « champ: valeur »")
        elif name in top.keys:
            self.problem(line, top.path + (name,), f"champ en double (déjà donné ligne {top.keys[name]})",
                         "gardez une seule fois ce champ")
            self.parsed.broken.add(top.path + (name,))
            return
        else:
            top.keys[name] = line
            top.awaits = name
            return
        self.parsed.broken.add(top.path + (None,))  # no field of that name: the block is not valid
        if isinstance(event, yaml.CollectionStartEvent):
            self.value(event, None, top.path, line)  # read through, dropped

    def refused(self, event, line: int, path: tuple) -> bool:
        """Reports an alias, anchor, tag or escaped control character on this node."""
        found = []
        if isinstance(event, yaml.AliasEvent):
            found.append((f"alias YAML « *{event.anchor} » refusé", "recopiez la valeur au lieu d'y renvoyer"))
        if event.anchor is not None and not isinstance(event, yaml.AliasEvent):
            found.append((f"ancre YAML « &{event.anchor} » refusée", "retirez-la : chaque valeur s'écrit en entier"))
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")  # as written
            found.append((f"étiquette YAML « {tag} » refusée", "retirez-la, ou mettez la valeur entre guillemets"))
        escaped = isinstance(event, yaml.ScalarEvent) and event.style == '"' and FORBIDDEN.search(event.value)
        if escaped:
            found.append((f"caractère invisible interdit U+{ord(escaped.group()):04X} (écrit avec « \\ »)", "retirez-le"))
        for message, hint in found:
            if (line, message) not in self.reported:
                self.reported.add((line, message))
                self.problem(line, path, message, hint)
        return bool(found)

    def problem(self, line: int, path: tuple, message: str, hint: str) -> None:
        self.parsed.problems.append((line, dotted(path), message, hint))


def dotted(path: Path_) -> str:
    """A path as editors read it: `participants[3].personne` (a name cut short, invisible characters escaped)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{shown(part)}" if text else shown(part))
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
