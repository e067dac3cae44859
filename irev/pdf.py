"""PDF downloads: one record page's HTML -> an accessible PDF (PDF/UA-1), cached by content hash.

The page's HTML (what `rendering` made of it: sanitised, redacted, links rewritten between
pages) is read with Python's HTML parser into a small tree of blocks and inlines (`tree`),
over the sanitiser's allowlist only: an element outside it keeps its text, what the sanitiser
drops with its content is dropped. The tree goes to Typst as data (a JSON string in
`sys.inputs`), and the template `pdf-document/document.typ` walks it: content is never Typst
markup, so no text can run Typst code, read a file or change the layout.

Typst (its Python binding) writes tagged PDF/UA-1: headings H1 to H6 (one H1, the title),
paragraphs, lists, tables with header cells, figures with their alternative text, the
language (French), the title shown in the window, bookmarks from the headings. Fonts come only
from `pdf-document/fonts/` (DejaVu Sans, embedded): the same PDF on every machine.

`cached` and `cached_many` keep each PDF in a cache folder, keyed by a hash of the HTML, the
page's metadata, the template, the fonts, this module and Typst's version; an entry carries its
key and the SHA-256 of its content, checked whenever it is read (as `rendering` does for HTML):
a damaged entry is made again, never served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import struct
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urljoin

import typst

from . import sanitize
from .runtime import small_workers
from .entries import Stamped
from .models import PartialDate
from .pages import date_phrase

FOLDER = Path(__file__).resolve().parent / "pdf-document"
TEMPLATE = FOLDER / "document.typ"
FONTS = FOLDER / "fonts"
SITE_NAME = "IREV — centre de ressources Politique de la ville Hauts-de-France"  # mkdocs.yml `copyright`
AUTHOR = "IREV"
_FORMAT = "irev-pdf-2"  # part of the cache key: change it when the tree's shape changes

# Typst stops at a few dozen nested show rules and calls: deeper HTML (the sanitiser lets 100
# levels through) is flattened past these depths, its text kept.
MAX_BLOCK_DEPTH = 10  # lists, quotes, admonitions, tables within one another
MAX_INLINE_DEPTH = 8  # emphasis, links… within one another
_MAX_DOM_DEPTH = 200  # elements deeper than this are read as their text
_MAX_SPAN = 64  # colspan and rowspan are clipped to this
_LONG_WORD = re.compile(r"[^\s\u200b]{31,}")  # a word this long gets break opportunities (it would overflow)
_BREAK_EVERY = 20
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: not the non-breaking ones
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


@dataclass(frozen=True)
class Meta:
    """What the PDF shows besides the page's content. `title` is plain text (not HTML-escaped)."""

    title: str  # the record's title, e.g. entry.model.titre
    kind_label: str  # « Fiche outil »…: what the record is (Record.kind_label, irev/models.py)
    url: str  # the page's absolute permanent URL, ending with "/": relative links are resolved from it
    updated: dt.date | PartialDate | None = None  # « Mis à jour le 12 mars 2024 », « … en avril 2016 »; None: not shown
    site_name: str = SITE_NAME


# --- HTML -> tree -----------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_ALLOWED = set(sanitize.ATTRIBUTES) - {"*"}
_INLINE = {"a", "abbr", "b", "br", "code", "del", "em", "i", "img", "ins", "kbd", "mark", "q", "s", "small", "span",
           "strong", "sub", "sup", "u"}
_WRAPPERS = {"b": "b", "strong": "b", "em": "i", "i": "i", "sub": "sub", "sup": "sup", "del": "strike",
             "s": "strike", "ins": "u", "u": "u", "mark": "mark", "q": "q", "small": "small"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_ALIGN = {"left", "right", "center"}
_NUMBERING = {"1": "1.", "a": "a.", "A": "A.", "i": "i.", "I": "I."}


class _Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs, self.children = tag, attrs, []

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Reader(HTMLParser):
    """HTML -> a light element tree; end tags close their element (and those left open in it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.open = [self.root]
        self.dropped = 0  # inside an element dropped with its content

    def handle_starttag(self, tag, attrs):
        if self.dropped:
            self.dropped += tag in sanitize.DROPPED_WITH_CONTENT
            return
        if tag in sanitize.DROPPED_WITH_CONTENT:
            self.dropped = 1
            return
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in _VOID and len(self.open) < _MAX_DOM_DEPTH:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if not self.dropped and tag not in _VOID and len(self.open) > 1 and self.open[-1].tag == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        if self.dropped:
            self.dropped -= tag in sanitize.DROPPED_WITH_CONTENT
            return
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        if not self.dropped:
            self.open[-1].children.append(data)


def _text_of(node) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text_of(child) for child in node.children)


class _Converter:
    """The element tree -> blocks and inlines (plain lists and dicts, for JSON)."""

    def __init__(self, base: str):
        self.base = base
        self.level = 1  # the title's: a heading goes at most one level deeper than the one before

    # -- blocks --

    def blocks(self, children, depth: int, loose: bool) -> list:
        """Blocks of a container; its loose inline content makes paragraphs (`loose`) or plain runs."""
        out: list = []
        run: list = []

        def flush():
            if run:
                out.extend(self.paragraph(self.inlines(run, 0), "p" if loose else "plain"))
                run.clear()

        for node in self._flat(children, block=True):
            if isinstance(node, str) or node.tag in _INLINE:
                run.append(node)
                continue
            flush()
            out.extend(self.block(node, depth, loose))
        flush()
        return out

    def _flat(self, children, block: bool):
        """Children with unknown elements replaced by their content, skipped elements left out."""
        for node in children:
            if isinstance(node, str):
                yield node
            elif "hidden" in node.attrs:  # the search fields at the head of a record page
                continue
            elif node.tag == "a" and node.classes() & {"headerlink", "footnote-backref"}:
                continue  # « ¶ » and « ↩ »: links within the web page
            elif node.tag not in _ALLOWED or (node.tag in ("div", "figure") and block and not self._admonition(node)):
                yield from self._flat(node.children, block)
            else:
                yield node

    @staticmethod
    def _admonition(node) -> bool:
        return node.tag == "div" and "admonition" in node.classes()

    def block(self, node, depth: int, loose: bool) -> list:
        tag = node.tag
        if depth >= MAX_BLOCK_DEPTH and tag in ("ul", "ol", "dl", "table", "blockquote", "div"):
            return self.paragraph(self._plain(node), "p" if loose else "plain")
        if tag == "p" or tag == "figcaption" or tag == "caption":
            return self.paragraph(self.inlines(node.children, 0), "p" if loose or tag == "p" else "plain")
        if tag in _HEADINGS:
            return self.heading(node)
        if tag in ("ul", "ol"):
            return self.list(node, depth)
        if tag == "table":
            return self.table(node, depth)
        if tag == "dl":
            return self.terms(node, depth)
        if tag == "blockquote":
            body = self.blocks(node.children, depth + 1, True)
            return [{"t": "quote", "c": body}] if body else []
        if tag == "pre":
            text = _text_of(node).strip("\n")
            return [{"t": "pre", "text": text}] if text.strip() else []
        if tag == "hr":
            return [{"t": "hr"}]
        if tag == "div":  # an admonition (others are flattened)
            return self.admonition(node, depth)
        # An element of a structure met outside it (li, dt, dd, tr, td…): its content.
        return self.blocks(node.children, depth, loose)

    @staticmethod
    def paragraph(inlines: list, kind: str) -> list:
        """A paragraph; images standing in it become figures of their own around it (an image within
        a link, an emphasis, a heading or a term stays in the line: its text)."""
        items = _trim(inlines)
        if not any(isinstance(item, dict) and item["t"] == "img" for item in items):
            return [{"t": kind, "c": items}] if items else []
        out, current = [], []
        for item in items + [None]:
            if item is None or (isinstance(item, dict) and item["t"] == "img"):
                current = _trim(current)  # no space left at the ends of a part
                if current:
                    out.append({"t": kind, "c": current})
                if item is not None:
                    out.append({**item, "t": "figure"})
                current = []
            else:
                current.append(item)
        return out

    def _plain(self, node) -> list:
        """An element too deep to keep its structure: its text, words kept apart."""
        return [_breakable(" ".join(_text_of(node).split()))]

    def heading(self, node) -> list:
        level = _HEADINGS[node.tag]
        inlines = _trim(self.inlines(node.children, 0))
        if not inlines:
            return []
        level = min(max(level, 2), self.level + 1)  # one H1 (the title); no level skipped (PDF/UA)
        self.level = level
        return [{"t": "h", "level": level, "c": inlines}]

    def list(self, node, depth: int) -> list:
        items = []
        for child in self._flat(node.children, block=False):
            if isinstance(child, str) and not child.strip():
                continue
            content = child.children if not isinstance(child, str) and child.tag == "li" else [child]
            items.append(self.blocks(content, depth + 1, False))
        if not items:
            return []
        if node.tag == "ul":
            return [{"t": "ul", "items": items}]
        start = node.attrs.get("start", "1")
        start = min(int(start), 1_000_000) if start.isdigit() else 1
        return [{"t": "ol", "start": start, "numbering": _NUMBERING.get(node.attrs.get("type", "1"), "1."),
                 "items": items}]

    def terms(self, node, depth: int) -> list:
        items: list[dict] = []
        for child in self._flat(node.children, block=False):
            if isinstance(child, str):
                continue
            if child.tag == "dt":
                term = _trim(self.inlines(child.children, 0))
                if items and not items[-1]["desc"]:  # several terms for one description
                    items[-1]["term"] += [" ; "] + term
                else:
                    items.append({"term": term, "desc": []})
            elif child.tag == "dd":
                if not items:
                    items.append({"term": [], "desc": []})
                if items[-1]["desc"]:  # several descriptions of one term: one a line
                    items[-1]["desc"].append({"t": "plain", "c": [{"t": "br"}]})
                items[-1]["desc"] += self.blocks(child.children, depth + 1, False)
        return [{"t": "dl", "items": items}] if items else []

    def admonition(self, node, depth: int) -> list:
        children = list(self._flat(node.children, block=True))
        title: list = []
        for index, child in enumerate(children):
            if not isinstance(child, str) and child.tag == "p" and "admonition-title" in child.classes():
                title = _trim(self.inlines(child.children, 0))
                del children[index]
                break
            if not isinstance(child, str) or child.strip():
                break
        body = self.blocks(children, depth + 1, True)
        return [{"t": "note", "title": title, "c": body}] if title or body else []

    def table(self, node, depth: int) -> list:
        head, body, foot, caption = [], [], [], []
        for child in self._flat(node.children, block=False):
            if isinstance(child, str):
                continue
            if child.tag == "caption":
                caption = _trim(self.inlines(child.children, 0))
            elif child.tag == "tr":
                body.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows = [row for row in self._flat(child.children, block=False)
                        if not isinstance(row, str) and row.tag == "tr"]
                {"thead": head, "tbody": body, "tfoot": foot}[child.tag].extend(rows)
        head_rows = [cells for cells in (self.row(row, depth) for row in head) if cells]
        body_rows = [cells for cells in (self.row(row, depth) for row in body + foot) if cells]
        if not head_rows:  # no <thead>: leading rows of header cells only are its header
            while body_rows and body_rows[0] and all(cell["h"] for cell in body_rows[0]):
                head_rows.append(body_rows.pop(0))
        columns = _columns(head_rows, body_rows)
        out = [{"t": "p", "c": [{"t": "b", "c": caption}]}] if caption else []  # the caption, above
        return out + ([{"t": "table", "columns": columns, "head": head_rows, "body": body_rows}] if columns else [])

    def row(self, node, depth: int) -> list:
        cells = []
        for child in self._flat(node.children, block=False):
            if isinstance(child, str) or child.tag not in ("td", "th"):
                continue
            align = child.attrs.get("align", "").lower()
            cells.append({"h": child.tag == "th", "c": self.blocks(child.children, depth + 1, False),
                          "colspan": _span(child.attrs.get("colspan")), "rowspan": _span(child.attrs.get("rowspan")),
                          "align": align if align in _ALIGN else None})
        return cells

    # -- inlines --

    def inlines(self, children, depth: int, decorated: bool = False) -> list:
        """Inlines; `decorated`: within a line decoration (a link is underlined), where PDF/UA
        allows no other."""
        out: list = []
        for node in self._flat(children, block=False):
            if isinstance(node, str):
                out.append(node)
            elif depth >= MAX_INLINE_DEPTH:
                out.append(_text_of(node))
            else:
                out.extend(self.inline(node, depth, decorated))
        return out

    def inline(self, node, depth: int, decorated: bool) -> list:
        tag = node.tag
        if tag == "br":
            return [{"t": "br"}]
        if tag in ("code", "kbd"):
            text = " ".join(_text_of(node).split())
            return [{"t": "code", "text": text}] if text else []
        if tag == "img":
            return [self.image(node)]
        if tag in _WRAPPERS:
            kind = _WRAPPERS[tag]
            if kind in ("strike", "u"):
                if decorated:
                    return self.inlines(node.children, depth, True)
                return [{"t": kind, "c": self.inlines(node.children, depth + 1, True)}]
            return [{"t": kind, "c": self.inlines(node.children, depth + 1, decorated)}]
        if tag == "a":
            href = self.href(node.attrs.get("href", ""))
            inner = self.inlines(node.children, depth + 1, decorated or href is not None)
            return [{"t": "a", "href": href, "underline": not decorated, "c": inner}] if href else inner
        if tag in _INLINE:  # abbr, span: their text
            return self.inlines(node.children, depth, decorated)
        # A block element inside a line (p in a link…): its text, apart from the words around.
        return [" ", *self.inlines(node.children, depth, decorated), " "]

    def image(self, node) -> dict:
        src = node.attrs.get("src", "")
        return {"t": "img", "alt": " ".join(node.attrs.get("alt", "").split()),
                "src": urljoin(self.base, src) if src and not _SCHEME.match(src) else ""}

    def href(self, value: str) -> str | None:
        """An absolute address for a link; None for a place in the web page or another scheme."""
        value = value.strip()
        if not value or value.startswith("#"):
            return None
        scheme = _SCHEME.match(value)
        if scheme:
            return value if scheme.group(1).lower() in sanitize.SCHEMES else None
        return urljoin(self.base, value)


def _span(value: str | None) -> int:
    return min(int(value), _MAX_SPAN) if value and value.isdigit() and int(value) > 0 else 1


def _columns(*sections: list) -> int:
    """The table's width; each row padded with empty cells to it, rowspans kept within their
    section (Typst places cells in order: a short row would pull the next one's cells up)."""
    width = 0
    layouts = []
    for rows in sections:
        taken: dict[int, set[int]] = {}  # row -> columns held by cells of rows above
        ends = []
        for number, row in enumerate(rows):
            column = 0
            for cell in row:
                while column in taken.get(number, ()):
                    column += 1
                cell["rowspan"] = min(cell["rowspan"], len(rows) - number)
                for below in range(number, number + cell["rowspan"]):
                    taken.setdefault(below, set()).update(range(column, column + cell["colspan"]))
                column += cell["colspan"]
            ends.append(max(taken.get(number, {0}) | {column - 1}) + 1)
        width = max([width, *ends])
        layouts.append((rows, taken))
    for rows, taken in layouts:
        for number, row in enumerate(rows):
            row.extend({"h": False, "c": [], "colspan": 1, "rowspan": 1, "align": None}
                       for _ in range(width - len(taken.get(number, ()))))
    return width


def _breakable(text: str) -> str:
    """Words too long for a line get invisible break opportunities (zero-width spaces)."""
    if len(text) <= 30:
        return text
    return _LONG_WORD.sub(lambda m: "\u200b".join(m.group()[i:i + _BREAK_EVERY]
                                                  for i in range(0, len(m.group()), _BREAK_EVERY)), text)


def _trim(inlines: list) -> list:
    """HTML's white space rules, roughly: runs of spaces read as one, none at the ends of a block
    or around a line break; empty elements left out."""
    out = _collapse(inlines, [True])
    _strip_end(out)
    return out


def _collapse(inlines: list, after_space: list) -> list:
    out = []
    for item in inlines:
        if isinstance(item, str):
            text = _SPACES.sub(" ", item)
            if after_space[0]:
                text = text.lstrip(" ")
            if text:
                after_space[0] = text.endswith(" ")
                out.append(_breakable(text))
        elif item["t"] == "br":
            _strip_end(out)
            after_space[0] = True
            out.append(item)
        elif "c" in item:
            inner = _collapse(item["c"], after_space)
            if inner:
                out.append({**item, "c": inner})
        else:  # code, img
            after_space[0] = False
            out.append(item)
    return out


def _strip_end(inlines: list) -> None:
    """Trailing spaces removed, through the last elements."""
    while inlines:
        last = inlines[-1]
        if isinstance(last, str):
            stripped = last.rstrip(" ")
            if stripped:
                inlines[-1] = stripped
                return
            inlines.pop()
        elif "c" in last:
            _strip_end(last["c"])
            if last["c"]:
                return
            inlines.pop()
        else:
            return


def _cmap(font: Path) -> set[int]:
    """The characters a TrueType font has glyphs for (its Windows Unicode cmap: format 12, else 4)."""
    data = font.read_bytes()
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
              for i in range(struct.unpack_from(">H", data, 4)[0])}
    cmap = tables[b"cmap"]
    subtables = {struct.unpack_from(">HH", data, cmap + 4 + 8 * i): cmap + struct.unpack_from(">I", data, cmap + 8 + 8 * i)[0]
                 for i in range(struct.unpack_from(">H", data, cmap + 2)[0])}
    chars: set[int] = set()
    if (3, 10) in subtables:
        at = subtables[(3, 10)]
        for group in range(struct.unpack_from(">I", data, at + 12)[0]):
            first, last, _ = struct.unpack_from(">III", data, at + 16 + 12 * group)
            chars.update(range(first, last + 1))
        return chars
    at = subtables[(3, 1)]
    count = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends, starts, deltas, offsets = (struct.unpack_from(f">{count}{kind}", data, at + 14 + 2 * count * n + 2 * (n > 0))
                                     for n, kind in enumerate("HHhH"))
    offsets_at = at + 16 + 6 * count
    for segment in range(count):
        for char in range(starts[segment], min(ends[segment], 0xFFFE) + 1):
            glyph = char
            if offsets[segment]:
                glyph = struct.unpack_from(">H", data, offsets_at + 2 * segment + offsets[segment]
                                           + 2 * (char - starts[segment]))[0]
            if glyph and (glyph + deltas[segment]) & 0xFFFF:
                chars.add(char)
    return chars


@lru_cache(maxsize=1)
def _missing() -> re.Pattern:
    """A character no shipped font can show (Typst refuses such a PDF/UA document)."""
    chars = sorted(set().union(*(_cmap(font) for font in FONTS.glob("*.ttf"))) | {ord("\n"), ord("\t")})
    ranges, first = [], chars[0]
    for previous, char in zip(chars, chars[1:] + [-1]):
        if char != previous + 1:
            ranges.append(re.escape(chr(first)) + ("-" + re.escape(chr(previous)) if previous > first else ""))
            first = char
    return re.compile(f"[^{''.join(ranges)}]")


def _displayable(node, shown: bool = True):
    """Every text of a tree with the characters the fonts lack (Chinese, private use, controls…)
    shown as « \ufffd » (unless `shown` is false: the caller checked there are none): one such
    character must not cost a record its PDF. The tree is also made
    cheaper for the template to walk (Typst's interpreter makes a function call per node): the
    runs of inlines of a list item, cell or description ("plain") are spliced into their list of
    blocks, adjacent texts joined into one string, and a list of one item in "c" is that item."""
    if isinstance(node, str):
        return _missing().sub("\ufffd", node) if shown else node
    if isinstance(node, list):
        out: list = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "plain":
                parts = item["c"]
            else:
                parts = (item,)
            for part in parts:
                part = _displayable(part, shown)
                if isinstance(part, str) and out and isinstance(out[-1], str):
                    out[-1] += part
                else:
                    out.append(part)
        return out
    if isinstance(node, dict):
        node = {name: _displayable(value, shown) for name, value in node.items()}
        if "c" in node and len(node["c"]) == 1:
            node["c"] = node["c"][0]
        return node
    return node


def tree(html: str, meta: Meta) -> dict:
    """The page as data for the template: {"meta": …, "body": [blocks]}.

    Blocks: {"t": "h", "level", "c": inlines}, "p", inlines (a run of them in a list item or cell,
    among its blocks), "ul" / "ol" ("items": [blocks…], "start", "numbering"), "dl" ("items": [{"term", "desc"}]),
    "table" ("columns", "head" and "body": rows of cells {"h", "c": blocks, "colspan", "rowspan",
    "align"}), "quote", "pre" ("text"), "note" (an admonition: "title", "c"), "figure" (an image: "alt",
    "src" absolute or ""), "hr". Inlines: text (a string), "b", "i", "sub", "sup", "strike", "u",
    "mark", "q", "small" ("c": inlines), "a" ("href" absolute, "underline", "c"), "code" ("text"), "br", "img"
    ("alt", "src"). Where "c" would be a list of one item, it is that item.
    """
    return _displayable(_raw_tree(html, meta))


def _raw_tree(html: str, meta: Meta) -> dict:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    children = reader.root.children
    first = next((i for i, node in enumerate(children) if not (isinstance(node, str) and not node.strip())
                  and not (not isinstance(node, str) and "hidden" in node.attrs)), None)
    if first is not None and not isinstance(children[first], str) and children[first].tag == "h1":
        children = children[:first] + children[first + 1:]  # the page's title: the PDF writes Meta.title
    body = _Converter(meta.url).blocks(children, 0, True)
    updated = meta.updated
    day = updated if isinstance(updated, dt.date) or updated is None else updated.first_day  # the PDF's date: a day
    return {"meta": {"title": meta.title, "kind": meta.kind_label, "url": meta.url, "site": meta.site_name,
                     "author": AUTHOR, "updated": date_phrase(updated) if updated else None,
                     "date": [day.year, day.month, day.day] if day else None},
            "body": body}


# JSON's escapes of characters the fonts lack (\r, \b, \f, \u00XX; a false alarm on « \\u » costs
# only time): the others are written as they are.
_ESCAPED = re.compile(r"\\[rbfu]")


def _data(html: str, meta: Meta) -> str:
    """`tree` as JSON for the template. Characters the fonts lack are rare: the text is checked
    once as a whole rather than string by string."""
    raw = _raw_tree(html, meta)
    data = json.dumps(_displayable(raw, shown=False), ensure_ascii=False, separators=(",", ":"))
    if _missing().search(data) or _ESCAPED.search(data):
        data = json.dumps(_displayable(raw), ensure_ascii=False, separators=(",", ":"))
    return data


# --- Typst ------------------------------------------------------------------------------------

_local = threading.local()
compilations = 0  # PDFs made by this process (`document` calls): the tests count them


@lru_cache(maxsize=1)
def _fonts() -> typst.Fonts:
    """The shipped fonts only: neither the system's nor those built into Typst."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)])


def _compiler() -> typst.Compiler:
    """A compiler per thread (it keeps fonts and the parsed template between documents)."""
    if getattr(_local, "compiler", None) is None:
        _local.compiler = typst.Compiler(input=str(TEMPLATE), root=str(FOLDER), font_paths=_fonts(),
                                         ignore_system_fonts=True)
    return _local.compiler


class PdfError(Exception):
    """Typst could not make a page's PDF (its message in the argument)."""


def document(html: str, meta: Meta) -> bytes:
    """The PDF/UA-1 document of a record page (its HTML as `rendering` made it)."""
    global compilations
    data = _data(html, meta)
    try:
        pdf = _compiler().compile(sys_inputs={"doc": data}, format="pdf", pdf_standards="ua-1", timestamp=0)
    except typst.TypstError as error:
        raise PdfError(f"PDF de « {meta.title} » ({meta.url}) : {error.message}") from None
    compilations += 1
    return pdf


# --- Cache ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What, besides a page's HTML and metadata, decides its PDF."""
    digest = hashlib.sha256(f"{_FORMAT}\0{typst.__version__}\0".encode())
    for path in [Path(__file__), TEMPLATE, *sorted(FONTS.glob("*.ttf"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key(html: str, meta: Meta) -> str:
    """The cache key of a page's PDF: equal keys, equal PDFs (`html`: the page's HTML, or
    anything that decides it, such as the key of its HTML cache entry)."""
    fields = {**asdict(meta), "updated": date_phrase(meta.updated)}  # as shown: its precision and note
    digest = hashlib.sha256(f"{fingerprint()}\0{json.dumps(fields, sort_keys=True)}\0".encode())
    digest.update(html.encode())
    return digest.hexdigest()


def cached(html: str, meta: Meta, cache_dir: Path) -> bytes:
    """The page's PDF, from the cache if an intact entry is there, else made and kept."""
    [entry_key] = cached_many([(html, meta, lambda: html)], cache_dir, workers=1)
    return read(cache_dir, entry_key)


PARALLEL_FROM = 16  # PDFs to make below which starting worker processes costs more than it saves


def cached_many(items: Iterable[tuple[str, Meta, Callable[[], str]]], cache_dir: Path, workers: int = 2,
                ledger: bool = True, prune: bool = False) -> list[str]:
    """The cache key of each page's PDF, in order, making those not in the cache; link or read each
    with `path` or `read`. An item is (source, meta, html): `source` decides the page's HTML (the
    HTML itself, or the key of the HTML cache's entry), `html()` reads it, only for a PDF to make.
    Items are consumed one by one (a generator keeps only a few pages' HTML in memory). Typst
    holds Python's lock while it works, so a cold build makes PDFs in `workers` processes; a warm
    one only checks its entries (by their files' stamps: entries.Stamped). Without the `ledger`, the
    entries are neither checked nor recorded: all are made, and a build makes them again. `prune`:
    the entries of other keys are removed (a build's: the cache stays the size of one site)."""
    keys: list[str] = []
    store = Stamped.opened(cache_dir, ".pdf") if ledger else Stamped(cache_dir, ".pdf")
    making = set()  # (the same page twice: made once)
    missing, pool, pending = deque(), None, deque()
    try:
        for source, meta, html in items:
            entry_key = key(source, meta)
            keys.append(entry_key)
            if entry_key not in making and not store.intact(entry_key):
                making.add(entry_key)
                missing.append((entry_key, html(), meta))
            if pool is None and workers > 1 and len(missing) >= PARALLEL_FROM:
                pool = ProcessPoolExecutor(workers, mp_context=small_workers(__name__))
            while pool is not None and missing:
                made = missing.popleft()
                pending.append((made[0], pool.submit(_make, cache_dir, *made)))
                while len(pending) > workers * 4:  # a few pages in flight, not the whole site's HTML
                    _adopt(store, pending.popleft())
        for entry_key, html_text, meta in missing:
            store.write(entry_key, document(html_text, meta))
        while pending:
            _adopt(store, pending.popleft())
        if prune:
            store.prune(set(keys))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if ledger:
            store.save()
    return keys


def make_all(entries: list[tuple[str, Meta, str]], cache_dir: Path) -> tuple[list[str], float]:
    """`cached_many` in this process for pages whose HTML is at hand, (source, meta, HTML) each (in
    a preview's worker process, for an edit: see site.py): their keys, and the seconds it took. The
    edit's few PDFs are made without the ledger: reading and writing it again (2 MB at 10,000
    records) would take longer than they do (an edit undone makes its PDF again)."""
    started = time.perf_counter()
    keys = cached_many(((source, meta, lambda html=html: html) for source, meta, html in entries), cache_dir, workers=1,
                       ledger=False)
    return keys, time.perf_counter() - started


def warm() -> None:
    """Load Typst's fonts and template in this process (a preview's worker, before its first PDF)."""
    _compiler()


def _make(cache_dir: Path, entry_key: str, html: str, meta: Meta) -> list:
    """A PDF made in a worker process: its note for the ledger of the process that asked."""
    return Stamped(cache_dir, ".pdf").write(entry_key, document(html, meta))


def _adopt(store: Stamped, made: tuple[str, Future]) -> None:
    store.adopt(made[0], made[1].result())


def path(cache_dir: Path, entry_key: str) -> Path:
    """The file of a PDF `cached_many` made: a site links it (and never writes into it)."""
    return Stamped(cache_dir, ".pdf").path(entry_key)


def size(cache_dir: Path, entry_key: str) -> int:
    """The size in bytes of a PDF `cached_many` made."""
    return path(cache_dir, entry_key).stat().st_size


def read(cache_dir: Path, entry_key: str) -> bytes:
    """A PDF by the key `cached_many` gave it."""
    try:
        return path(cache_dir, entry_key).read_bytes()
    except OSError:
        raise RuntimeError(f"entrée du cache PDF disparue ({path(cache_dir, entry_key)}) : "
                           "relancez la construction") from None
