"""Privacy: the names of people who did not consent never reach the site.

Structured references to people are shown by role (see pages); this module removes
their names from free text written by editors (bodies, summaries, titles, registry
fields…), once per entry, before any page, index or other output is made from it.

A name is found however it is written: texts and names are compared folded (Unicode
compatibility forms, case and accents ignored; tags, entities, percent-escapes, soft hyphens
and emphasis markers removed; hyphens, dots, underscores, apostrophes and spaces alike), so
`Jean-Dupont`, `jean dupont`, `J&#101;an **DUPONT**`, `jean.dupont@…` and `https://…/jean-dupont`
are all found; so is the family name alone after a civility (`Mme Dupont`, `M. DUPONT`, `Dr Dupont`).
What it cannot find (initials, a nickname, a first name alone, a name spelled otherwise
than in the registry's `autres_graphies`, letters of another script that look Latin) is the
editor's to avoid: see the README. A mention of such a person (`[[personne:id]]`) becomes « une
personne non nommée », as pages show it, in every text, titles and names included; other mentions are
left for the pages to make links.
"""

from __future__ import annotations

import copy
import html
import re
import string
import unicodedata
from collections import Counter
from functools import cache, cached_property, lru_cache
from urllib.parse import unquote

from . import mentions, sanitize

REDACTED = "[nom non publié]"
UNNAMED = "une personne non nommée"  # what a mention of a person reads where they are not named
CIVILITIES = ("m", "mr", "mme", "mlle", "madame", "monsieur", "mademoiselle", "dr", "docteur", "pr", "professeur",
              "me", "maitre")
# Letters that compatibility decomposition leaves whole, spelled as they are typed without them.
_LETTERS = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"), ("ø", "o"), ("đ", "d"), ("ł", "l"), ("ı", "i"), ("þ", "th"),
            ("ð", "d"))
# Emphasis markers vanish, other punctuation and white space become a space, so that words are
# what `split` finds (all ASCII: `str.translate`'s fast path).
_ASCII = str.maketrans({**{c: " " for c in string.punctuation + string.whitespace}, **{c: None for c in "*~`"}})
# What a reader does not see once a text is decomposed (marks that go on letters, soft hyphens, zero-width,
# bidirectional and other format characters) joins the letters around it; any other character beyond
# ASCII (punctuation ’ – « », a symbol → ☺, a blank ⠀, a letter of another script) separates words.
_JOINING = ("\u0300-\u036f\u00ad\u034f\u061c\u180e\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u202a-\u202e"
            "\u2060-\u206f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\ufeff\ufff9-\ufffb\U000e0000-\U000e01ef")
_SEPARATORS = re.compile(f"[^\x00-\x7f{_JOINING}]")
# Entities as browsers read them, a numeric one even without its `;`; runs of percent-escapes.
_ENCODED = re.compile(r"&(?:#\d+;?|#[xX][0-9a-fA-F]+;?|[a-zA-Z][a-zA-Z0-9]*;?)|(?:%[0-9a-fA-F]{2})+")
_EMPTY_LINK = re.compile(r"!?\[\]\([^()\s]*\)")  # Markdown that shows nothing: `Se[]()cret` reads Secret


def fold(text: str, markup: bool = True) -> str:
    """A text as names are compared (see the module's docstring): lowercase ASCII letters and
    digits, punctuation as spaces. Of what is not ASCII once decomposed, accents and other marks, soft
    hyphens and zero-width characters join the letters around them, anything else (a symbol, an
    arrow, an emoji) separates words, as a reader sees them (in names and texts alike). `markup`: read
    as a browser reads HTML (tags, and what the sanitiser drops with its content, removed); else
    its signs are punctuation, as a code span, an escaped or a broken tag shows them."""
    if "&" in text or "%" in text:
        text = _ENCODED.sub(lambda match: _decoded(match.group()), text)
    text = unicodedata.normalize("NFKD", text).lower()
    if not text.isascii():
        for letter, spelled in _LETTERS:
            if letter in text:
                text = text.replace(letter, spelled)
        text = _SEPARATORS.sub(" ", text).encode("ascii", "ignore").decode("ascii")
    if markup and "<" in text:
        text = sanitize.MARKUP.sub(sanitize.as_read, text)
    if "[]" in text:
        text = _EMPTY_LINK.sub("", text)
    return text.translate(_ASCII)


def _decoded(encoded: str) -> str:
    return html.unescape(encoded) if encoded.startswith("&") else unquote(encoded)


class Redactor:
    """Replaces every written form of the names of people without consent; for one record, also
    the names of the people it does not name (see `withholding`)."""

    def __init__(self, people):
        forms: dict[str, set[str]] = {}  # the word a form cannot be without -> its forms
        self._people = list(people)
        for person in self._people:
            if not person.consentement_publication:
                for key, form in _forms(person):
                    forms.setdefault(key, set()).add(form)
        named: dict[str, set[str]] = {}  # the same word -> names of people who consented that hold it
        for person in self._people:  # Marie-Claire DURAND may be named where Claire DURAND may not
            if person.consentement_publication:
                for name in _full_names(person):
                    for word in forms.keys() & name.split():
                        named.setdefault(word, set()).add(name)
        # Their mentions too: a mention reads « une personne non nommée » on a page, but a title, a place or a
        # registry's name is also written as plain text (page titles, feeds, structured data, calendars),
        # where its id (`paul-secret`) would spell the name.
        self.hidden = frozenset(person.id for person in self._people if not person.consentement_publication)
        self.key = (frozenset((key, frozenset(group), frozenset(named.get(key, ()))) for key, group in forms.items()),
                    self.hidden)
        self._compile(forms, named, frozenset())

    def _compile(self, forms: dict[str, set[str]], named: dict[str, set[str]], withheld: frozenset[str]) -> None:
        self._forms = forms
        self.withheld = withheld  # ids of people this text does not name although they consented
        # One pattern per word, tried only around the places a text holds that word; compiled when a
        # text first holds it (most words never show up in a run's texts, and a redactor
        # `withholding` someone shares the others' patterns).
        self.patterns = {key: (frozenset(group), max(map(len, group | named.get(key, set()))),
                               frozenset(named[key]) if named.get(key) else None) for key, group in forms.items()}

    def withholding(self, people) -> Redactor:
        """This redactor for a record that does not name these people (`nommer: false`): their names
        are removed as if they had not consented, and mentions of them read « une personne non nommée »."""
        people = list(people)
        if not people:
            return self
        forms = {key: set(group) for key, group in self._forms.items()}
        for person in people:
            if person.consentement_publication:
                for key, form in _forms(person):
                    forms.setdefault(key, set()).add(form)
        own = {name for person in people for name in _full_names(person)}
        named = {key: self._consenting.get(key, set()) - own for key in forms}
        derived = copy.copy(self)
        derived._compile(forms, named, frozenset(person.id for person in people))
        return derived

    @cached_property
    def _consenting(self) -> dict[str, set[str]]:
        """Each word -> the folded names of people who consented that hold it (for `withholding` only)."""
        index: dict[str, set[str]] = {}
        for person in self._people:
            if person.consentement_publication:
                for name in _full_names(person):
                    for word in name.split():
                        index.setdefault(word, set()).add(name)
        return index

    def needed(self, text: str) -> bool:
        """Whether a text holds a name (most texts hold none of the family names: quick), or a mention
        of someone it may not name (`[[personne:paul-secret]]`, whose id spells the name)."""
        if "[[" in text and any(map(self._unnamed_mention, mentions.PATTERN.finditer(text))):
            return True
        if not self.patterns:
            return False
        if "[[" in text:
            text = mentions.PATTERN.sub(lambda match: f" {match.group(3) or ''} ", text)
        return self._holds(_read(text)) or bool(_MAY_HIDE.search(text)) and self._holds(_read(text, markup=False))

    def _holds(self, folded: str) -> bool:
        words = self.patterns.keys() & folded.split()
        runs = _runs(folded) if words else frozenset()
        return any(next(self._matches(folded, word, runs), None) for word in words)

    def _unnamed_mention(self, match: re.Match) -> bool:
        return match.group(1) == "personne" and (match.group(2) in self.hidden or match.group(2) in self.withheld)

    def _matches(self, folded: str, word: str, runs: frozenset[str]):
        """The forms of a word's names in a folded text, searched near each place the word is.
        `runs`: the text's runs of letters and digits; a form with a run the text lacks cannot be in it."""
        group, reach, consenting = self.patterns[word]
        # Only the forms that may be there are compiled into a pattern: a word shared by many people
        # makes a pattern of hundreds of forms, a few milliseconds to compile, mostly for a text
        # holding the word alone (an id like « le-petit-prince »).
        group, consenting = _possible(group, runs), consenting and _possible(consenting, runs)
        if not group:
            return
        pattern, consenting = _pattern(group), consenting and _pattern(consenting)
        start = folded.find(word)
        while start >= 0:
            # The window ends a character past any form, so that a longer word is not cut into one.
            window = (max(0, start - reach), start + len(word) + reach + 1)
            kept = [(m.start(), m.end()) for m in consenting.finditer(folded, *window)] if consenting else []
            yield from (m for m in pattern.finditer(folded, *window)
                        if not any(first <= m.start() and m.end() <= last for first, last in kept))
            start = folded.find(word, start + 1)

    def __call__(self, text: str) -> str:
        if not self.needed(text):
            return text
        if "[[" in text:
            text = mentions.PATTERN.sub(lambda m: UNNAMED if self._unnamed_mention(m) else m.group(), text)
        if "\n\n" in text:  # a name never spans paragraphs: only those holding one take the slow way
            return "\n\n".join(map(self, text.split("\n\n")))
        spans = set()
        for markup in (True, False) if _MAY_HIDE.search(text) else (True,):
            folded, origins, labels = _folded_with_origins(text, markup)
            runs = _runs(folded)
            spans |= {(origins[m.start()][0], origins[m.end() - 1][1])
                      for word in self.patterns.keys() & folded.split() for m in self._matches(folded, word, runs)}
        for start, end in reversed(_merged(sorted(spans))):
            in_label = any(first <= start < last for first, last in labels)  # brackets would end the mention
            text = text[:start] + (REDACTED.strip("[]") if in_label else REDACTED) + text[end:]
        return text


_PERSON_REF = re.compile(r"^([ \t-]*personne[ \t]*:[ \t]*)([a-z0-9-]+)[ \t]*$", re.MULTILINE)


def without_person_refs(yaml_text: str, people: Counter[str]) -> str:
    """Front matter without its references to people (`personne: paul-secret` is an id, not a
    name), for a first quick test of a whole record. `people`: the ids of its references to people.
    A text may hold such a line too (`resume: |` then `personne: paul-secret`): with more lines of
    an id than references to it, the front matter is tested whole (a reference written otherwise,
    `{personne: paul-secret}`, still holds the id, so fewer lines hide nothing)."""
    if "personne" not in yaml_text:
        return yaml_text
    lines: Counter[str] = Counter()

    def stripped(line: re.Match) -> str:
        lines[line.group(2)] += 1
        return line.group(1)

    without = _PERSON_REF.sub(stripped, yaml_text)
    return yaml_text if lines - people else without


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined (a name found twice, by two of its forms)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _full_names(person) -> tuple[str, str]:
    """A person's name folded, first name first and family name first."""
    return tuple(" ".join(_words(name)) for name in (f"{person.prenom} {person.nom}", f"{person.nom} {person.prenom}"))


def _forms(person) -> list[tuple[str, str]]:
    """(the word it cannot be without, folded form) of each way a person's name is written."""
    family = _words(person.nom)
    if not family:
        return []
    key = max(family, key=len)  # a family name, not a particle (DE, LE)
    found = [(key, " ".join(_words(written))) for written in (
        f"{person.prenom} {person.nom}", f"{person.nom} {person.prenom}", *(f"{c} {person.nom}" for c in CIVILITIES))]
    return found + [(max(_words(w), key=len), " ".join(_words(w))) for w in person.autres_graphies if _words(w)]


def _runs(text: str) -> frozenset[str]:
    return frozenset(_RUN.findall(text))


_RUN = re.compile("[a-z0-9]+")


def _possible(forms: frozenset[str], runs: frozenset[str]) -> frozenset[str]:
    """The forms each of whose runs of letters and digits a text holds. A form's match in a folded text
    starts and ends beside no letter or digit, and the form's other characters are matched as written,
    so each of its runs is one of the text's."""
    return frozenset(form for form in forms if _runs_of(form) <= runs)


@cache
def _runs_of(form: str) -> frozenset[str]:
    return _runs(form)


@lru_cache(maxsize=4096)  # (the forms a text may hold: few distinct sets in a run)
def _pattern(forms: frozenset[str]) -> re.Pattern:
    alternatives = sorted((form.replace(" ", " +") for form in forms), key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


def can_protect(person) -> bool:
    """Whether a person's family name has letters a text can be searched for."""
    return bool(_words(person.nom))


def _words(text: str) -> list[str]:
    return _read(text).split()


def _read(text: str, markup: bool = True) -> str:
    """A text folded (`fold`) as names are looked for: digits apart, never part of a name (a footnote's
    call glued to it, « M. SECRET1 » or « SECRET¹ », copied from a document)."""
    return fold(text, markup).translate(_DIGITS_APART)


_DIGITS_APART = str.maketrans(string.digits, " " * len(string.digits))


# A text is read as a browser reads its markup, then, if markup may hide something there, as plain text:
# an element that drops its content (a comment, `<svg>`) hides the rest of an HTML text, but not of
# Markdown where it is in a code span, escaped (`&lt;svg&gt;`), unclosed before a blank line, or in
# another field; a name seen either way is removed. Markup, written or encoded: an entity, a
# percent-escape, or a sign NFKD makes « < » (≮ ﹤ ＜).
_MAY_HIDE = re.compile("[<&%\u226e\ufe64\uff1c]")


def _folded_with_origins(text: str, markup: bool = True) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """The folded text (see `fold`), for each of its characters the span of the text it comes from,
    and the spans of mentions' labels.

    A step per character, so only for texts that hold a name. Mentions' kinds and ids are left
    out (a `\\0` each), so that no match runs into them.
    """
    protected, labels = _protected(text)
    folded: list[str] = []
    origins: list[tuple[int, int]] = []
    skip_to = 0
    for match in (_UNITS if markup else _PLAIN_UNITS).finditer(text):
        start, end = match.span()
        if start < skip_to:
            continue  # inside a mention's head or end
        if start in protected:
            piece, end = "\0", protected[start]
            skip_to = end
        else:
            piece = _fold_unit(match.group(), markup)
        for char in piece:
            if char == " " and folded and folded[-1] == " ":
                continue  # runs of separators count as one, as in the pattern
            folded.append(char)
            origins.append((start, end))
    return "".join(folded), origins, labels


# A tag, an entity, a run of percent-escapes, or one character: the units a name can hide in.
_UNITS = re.compile(sanitize.MARKUP.pattern + "|" + _EMPTY_LINK.pattern + "|" + _ENCODED.pattern + "|.",
                    re.DOTALL | re.IGNORECASE)
_PLAIN_UNITS = re.compile(_EMPTY_LINK.pattern + "|" + _ENCODED.pattern + "|.", re.DOTALL)


@lru_cache(maxsize=4096)
def _fold_unit(unit: str, markup: bool) -> str:
    return _read(unit, markup)


def _protected(text: str) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """start -> end of the mention heads (`[[personne:paul-secret|`) and ends (`]]`) in a text,
    and the spans of their labels."""
    spans, labels = {}, []
    for match in mentions.PATTERN.finditer(text):
        label = match.span(3) if match.group(3) is not None else (match.end() - 2, match.end() - 2)
        spans[match.start()] = label[0]
        spans[label[1]] = match.end()
        labels.append(label)
    return spans, labels
