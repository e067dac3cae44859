"""Sanitising: the one step that keeps active content off the site, and what it tells editors.

Every generated page's HTML goes through `clean` (nh3, the binding of Rust's Ammonia) with an
explicit allowlist: what the Markdown extensions and the templates produce, nothing else.
No script, style, frame, form, event attribute, or URL other than http(s), mailto, tel and
links within the site survives; images load from the site only (no third-party requests).
Structured fields are plain text: their tags are removed (`text`) before any output is made
and the templates escape them; record bodies keep the Markdown editors need and the HTML of
the allowlist.

A record's search fields (its facets) are written by the templates at the head of its page
and cleaned by an allowlist of their own (`search_head`); `clean` removes their attributes
from everything else, so no text can forge them.

`findings` reads an editor's text before any page is made and says what `clean` would
remove, so `make check` reports it (nothing vanishes silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nh3

_HEADINGS = {f"h{level}" for level in range(1, 7)}
# Element -> attributes it may keep ("*": every element).
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "title", "lang"},
    "a": {"href", "type"},  # type: a calendar file's (text/calendar)
    "abbr": set(), "b": set(), "blockquote": set(), "br": set(), "caption": set(), "code": set(), "dd": set(),
    "del": set(), "dl": set(), "dt": set(), "em": set(), "figcaption": set(), "figure": set(), "hr": set(),
    "i": set(), "ins": set(), "kbd": set(), "mark": set(), "p": set(), "pre": set(), "q": set(),
    "s": set(), "small": set(), "strong": set(), "sub": set(), "sup": set(), "table": set(), "tbody": set(),
    "tfoot": set(), "thead": set(), "tr": set(), "u": set(),
    # (templates: sections left out of the search index; the agenda's dates and empty lists, irev/agenda.py)
    "div": {"data-pagefind-ignore", "data-vide"}, "ul": {"data-vide"}, "li": {"data-tri", "data-fin"},
    "span": set(),
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    **{heading: set() for heading in _HEADINGS},
}
# Classes the site's style sheets know: Markdown's admonitions and footnotes, Material's
# admonition types, the templates' own.
_ADMONITIONS = {"admonition", "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
                "success", "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure",
                "fail", "missing", "danger", "error", "bug", "example", "quote", "cite"}
CLASSES: dict[str, set[str]] = {
    "div": _ADMONITIONS | {"footnote", "irev-agenda"},
    "p": {"admonition-title"},
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "ul": {"irev-liste", "irev-agenda"},
    "span": {"irev-visually-hidden"},
    "dl": {"irev-fiche"},
}
SCHEMES = {"http", "https", "mailto", "tel"}
# Removed with what they hold (privacy.fold leaves it out too).
DROPPED_WITH_CONTENT = {"script", "style", "template", "textarea", "title", "noscript", "xmp", "iframe", "noembed",
                        "noframes", "object", "embed", "svg", "math"}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
# An image's address: a plain path within the site (browsers read `/\host` or `/<tab>/host` as
# another site's address).
_SITE_PATH = re.compile(r"^(?:\.{1,2}/)*[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    """Images load from the site only; ids stay clear of the theme's own (`__drawer`…)."""
    if element == "img" and attribute == "src" and not _SITE_PATH.match(value):
        return None
    if attribute == "id" and value.startswith("__"):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ATTRIBUTES) - {"*"},
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={element: names - {"class"} for element, names in ATTRIBUTES.items()},
    allowed_classes=CLASSES,
    attribute_filter=_keep_attribute,
    url_schemes=SCHEMES,
    link_rel=None,  # no rel added to every link: nothing opens in a new window (no target allowed)
    strip_comments=True,
)
VERSION = nh3.__version__  # part of the HTML cache key: a fixed sanitiser cleans every page again
# The search fields the templates write at the head of a record page: nothing else.
_SEARCH_CLEANER = nh3.Cleaner(tags={"div", "span"}, clean_content_tags=set(), link_rel=None,
                              attributes={"div": {"data-pagefind-ignore", "hidden"},
                                          "span": {"data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort"}})


def clean(html: str) -> str:
    """HTML with everything outside the allowlist removed."""
    return _CLEANER.clean(html)


def search_head(html: str) -> str:
    """A record's search fields (set by the templates, never by editors), cleaned by their own allowlist."""
    return _SEARCH_CLEANER.clean(html)


# Markup as a reader sees it: what `clean` drops with its content (and comments) is not read;
# a block separates words, any other tag can sit inside a word. (`<https://…>` is a link.)
MARKUP = re.compile(
    r"<!--.*?(?:-->|$)|<(" + "|".join(sorted(DROPPED_WITH_CONTENT)) + r")\b[^>]*>.*?(?:</\1\s*>|$)"
    r"|</?([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>", re.DOTALL | re.IGNORECASE)
# Elements a browser shows apart from the text around them; `clean` removes every other tag
# (and comment) and joins the text around it.
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
          "tfoot", "tr", "td", "th", "caption", "blockquote", "pre", "hr", "br", "figure", "figcaption", "img"}
_ANY_TAG = re.compile(r"<!--.*?(?:-->|$)|</?[a-zA-Z][^>]*(?:>|$)", re.DOTALL)  # closed or not


def as_read(markup: re.Match) -> str:
    """What a piece of MARKUP leaves of the text a reader sees: a word break, or nothing."""
    return " " if (markup.group(2) or "").lower() in BLOCKS else ""


def text(value: str) -> str:
    """A structured field as plain text: markup removed as a reader sees it, then any tag left
    (until none is, so that `<scr<b>ipt>` does not become one). Templates escape what remains;
    feeds and exports get text, not HTML."""
    while "<" in value:
        stripped = _ANY_TAG.sub("", MARKUP.sub(as_read, value))
        if stripped == value:
            break
        value = stripped
    return value


def texts(data):
    """Raw YAML data with the tags of every text removed (see `text`)."""
    if isinstance(data, str):
        return text(data)
    if isinstance(data, dict):
        return {key: texts(value) for key, value in data.items()}
    if isinstance(data, list):
        return [texts(value) for value in data]
    return data


def plain(html: str) -> str:
    """Text of an HTML fragment, escaped (a heading's name in the table of contents)."""
    return nh3.clean(html, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)


# --- What an editor wrote that would be removed ----------------------------------------------

_REMOVED_HINT = "seuls le Markdown et le HTML autorisés sont publiés (liste dans le README)"


@dataclass(frozen=True)
class Finding:
    offset: int  # in the text
    message: str
    hint: str = _REMOVED_HINT


# Patterns whose cost stays linear in the text's length, whatever it holds (an editor's text
# must not make a build hang): no two repetitions that can take the same characters.
_ESCAPED = re.compile(r"\\[\\`*_{}\[\]()#+\-.!<>|]")  # Markdown's backslash escapes: literal characters
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)[^`\n]*?(?<!`)\1(?!`)")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>")
_TAG_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_ATTR_LIST_ITEM = re.compile(r"([#.])([^\s}]+)|([^\s=}]+)=(\"[^\"]*\"|'[^']*'|[^\s}]+)")
_LINK = re.compile(r"\]\(\s*<?([^\s)>]+)|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
_SUSPECT = re.compile(r"<[a-zA-Z/!]|\{|\]\(|\]:")


def may_have_findings(text: str) -> bool:
    """False for most texts: no HTML, attribute list or link at all (plain searches first: a
    regular expression's alternatives are tried at every position)."""
    return ("<" in text or "{" in text or "](" in text or "]:" in text) and _SUSPECT.search(text) is not None


def findings(text: str, markup: bool = True) -> list[Finding]:
    """What `clean` would remove from a text (Markdown with HTML where `markup`; else a field,
    whose tags `text` removes)."""
    if not may_have_findings(text):
        return []
    if not markup:  # a field: `text` removes every tag
        found = [Finding(match.start(), _FIELD_TAG.format(match.group()[:30]), _FIELD_HINT)
                 for match in _ANY_TAG.finditer(text) if not match.group().startswith("</")]
    else:
        text = _without_code(text)  # code shows HTML, it does not run it
        found = [finding for match in _TAG.finditer(text) if not match.group(1) for finding in _tag_findings(match)]
    for match in _ATTR_LIST.finditer(text):
        found += _attr_list_findings(match)
    for match in _LINK.finditer(text):
        url, image = match.group(1) or match.group(2), match.group(1) is not None and _is_image(text, match.start())
        if not _url_allowed(url, image):
            found.append(Finding(match.start(), f"adresse « {_short(url)} » retirée : seuls http(s), mailto et tel sont admis"
                                 + (", et les images du site lui-même" if image else "")))
    return sorted(found, key=lambda f: f.offset)


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


def _without_code(text: str) -> str:
    """The text with its code (fenced blocks, spans) and backslash escapes blanked, offsets kept."""
    text = _ESCAPED.sub(_blank, text)
    blanked, opening, last = [], None, 0
    for fence in _FENCE.finditer(text):  # a fence closes at the next one of the same kind and length or more
        if opening is None:
            opening = fence
        elif fence.group(1)[0] == opening.group(1)[0] and len(fence.group(1)) >= len(opening.group(1)):
            blanked += [text[last:opening.start()], " " * (fence.end() - opening.start())]
            last, opening = fence.end(), None
    end = len(text) if opening is None else opening.start()  # an unclosed fence runs to the end
    blanked += [text[last:end], " " * (len(text) - end)]
    return _CODE_SPAN.sub(_blank, "".join(blanked))


def _is_image(text: str, bracket: int) -> bool:
    """Whether the `](` at `bracket` closes `![…`: its `[` looked for on its line, within reach."""
    start = text.rfind("[", max(text.rfind("\n", 0, bracket) + 1, bracket - 1000), bracket)
    return start > 0 and text[start - 1] == "!"


_FIELD_TAG = "« {} » retiré : ce champ est du texte, sans HTML"
_FIELD_HINT = "écrivez ce champ sans balise HTML (le Markdown y est accepté)"


def _tag_findings(match: re.Match) -> list[Finding]:
    element, attributes = match.group(2).lower(), match.group(3)
    if element not in ATTRIBUTES or element == "*":
        return [Finding(match.start(), f"balise <{element}> retirée (non autorisée)")]
    found = []
    for name, value in _TAG_ATTRIBUTE.findall(attributes):
        found += _attribute_findings(match.start(), element, name.lower(), value.strip("\"'"))
    return found


def _attr_list_findings(match: re.Match) -> list[Finding]:
    found = []
    for sign, name, key, value in _ATTR_LIST_ITEM.findall(match.group(1)):
        if sign == ".":
            found += _attribute_findings(match.start(), "*", "class", name)
        elif sign == "#":
            found += _attribute_findings(match.start(), "*", "id", name)
        else:
            found += _attribute_findings(match.start(), "*", key.lower(), value.strip("\"'"))
    return found


def _attribute_findings(offset: int, element: str, name: str, value: str) -> list[Finding]:
    if name == "class":
        known = set().union(*CLASSES.values()) if element == "*" else CLASSES.get(element, set())
        return [Finding(offset, f"classe « {c} » retirée (non autorisée)") for c in value.split() if c not in known]
    if name in ("markdown", "markdown-span") or name in ATTRIBUTES["*"] or name in _allowed_somewhere(element):
        if name in ("href", "src") and not _url_allowed(value, image=name == "src"):
            return [Finding(offset, f"adresse « {_short(value)} » retirée : seuls http(s), mailto et tel sont admis")]
        return []
    return [Finding(offset, f"attribut « {name} » retiré (non autorisé)")]


@lru_cache(maxsize=None)
def _allowed_somewhere(element: str) -> frozenset[str]:
    """An element's attributes; for an attribute list (`{: …}`), which can sit on any element, all."""
    if element == "*":
        return frozenset(set().union(*ATTRIBUTES.values()))
    return frozenset(ATTRIBUTES.get(element, set()))


_SCHEME_IN_PATH = re.compile(r"(?:^|/)[a-zA-Z][a-zA-Z0-9+.\-]*:")


def _url_allowed(url: str, image: bool = False) -> bool:
    """As `clean` decides, after links between pages are rewritten (`page/javascript:…` would
    become `javascript:…` on a page of the same folder)."""
    if image:
        return _SITE_PATH.match(url) is not None
    scheme = _SCHEME.match(url)
    return scheme.group(1).lower() in SCHEMES if scheme else _SCHEME_IN_PATH.search(url) is None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- What the Markdown converter can take -------------------------------------------------

# Python-Markdown recurses into nested blocks and emphasis: a few hundred levels exhaust Python's
# stack (measured: 300 nested lists or `<div markdown>`, 60,000 `*`). Real records use fewer
# than ten; these limits stop a text long before.
MAX_DEPTH = 100  # nested HTML elements
MAX_INDENT = 300  # columns of indentation
MAX_RUN = 200  # emphasis characters in a row
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_DEEP_INDENT = re.compile(rf"^[ \t]{{{MAX_INDENT},}}", re.MULTILINE)
_LONG_RUN = re.compile(rf"[*_]{{{MAX_RUN},}}")


def structure(text: str) -> list[Finding]:
    """Where a text nests deeper than the converter can follow (errors, not warnings)."""
    found = []
    hint = "simplifiez la mise en forme de ce passage"
    if "<" in text:
        depth = 0
        for match in _TAG.finditer(text):
            name = match.group(2).lower()
            if name in _VOID or match.group().endswith("/>"):
                continue
            depth = max(depth - 1, 0) if match.group(1) else depth + 1
            if depth > MAX_DEPTH:
                found.append(Finding(match.start(), f"plus de {MAX_DEPTH} éléments HTML imbriqués", hint))
                break
    match = _DEEP_INDENT.search(text) if " " * 100 in text or "\t" * 25 in text else None  # plain searches first
    if match:
        found.append(Finding(match.start(), f"indentation de plus de {MAX_INDENT} colonnes", hint))
    match = _LONG_RUN.search(text) if "**********" in text or "__________" in text else None
    if match:
        found.append(Finding(match.start(), f"suite de plus de {MAX_RUN} « {match.group()[0]} »", hint))
    return found
