"""Reading YAML with line numbers: front matter, registries, and the problems they can have.

libyaml's C loader composes the node tree (PyYAML's pure-Python loader costs ~5 ms a
record); we build plain Python values from the nodes ourselves so that we can
- keep the line of every value (editors need `file:line`),
- refuse duplicate keys (PyYAML silently keeps the last one),
- keep times such as `9:00` as text (YAML 1.1 reads them as the base-60 integer 540),
- report an impossible date (`2022-02-30`) as a problem instead of crashing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

Path_ = tuple  # a path into the data: ("participants", 3, "personne")

# YAML 1.1 base-60 numbers look like times of day; editors mean times.
_SEXAGESIMAL = re.compile(r"^[0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?$")

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


@dataclass
class Parsed:
    """Plain data from one YAML document, the line of each value, and what went wrong."""

    data: object = None
    lines: dict = field(default_factory=dict)  # Path_ -> 1-based line in the file
    problems: list = field(default_factory=list)  # (line, field, message, hint)
    broken: set = field(default_factory=set)  # paths whose value could not be read

    def line_of(self, path: Path_) -> int:
        """The line of a value, or of its nearest enclosing value (a missing field's block)."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.lines.get((), 1))


def parse_yaml(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document; `first_line` is where it starts in its file."""
    parsed = Parsed()
    offset = first_line - 1
    tab_lines = _tab_indented_lines(text)
    for number in tab_lines:
        parsed.problems.append((number + offset, "", _YAML_MESSAGES[0][1], _YAML_MESSAGES[0][2]))
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        if line not in tab_lines:  # a tab's own error is already reported, in clearer words
            parsed.problems.append((line + offset, "", *_translate(error)))
        return parsed
    finally:
        loader.dispose()
    if node is not None:
        parsed.data = _build(node, (), parsed, loader, offset)
    return parsed


def _tab_indented_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if "\t" in line[: len(line) - len(line.lstrip())]]


def _translate(error: yaml.MarkedYAMLError) -> tuple[str, str]:
    problem = str(error.problem or error)
    for english, french, hint in _YAML_MESSAGES:
        if english in problem:
            return french, hint
    return f"YAML illisible ({problem})", "vérifiez l'indentation et les guillemets"


def _build(node, path: Path_, parsed: Parsed, loader, offset: int):
    parsed.lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, parsed, loader, offset)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), parsed, loader, offset) for i, item in enumerate(node.value)]
    return _build_scalar(node, path, parsed, loader)


def _build_mapping(node, path: Path_, parsed: Parsed, loader, offset: int) -> dict:
    result: dict = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        if key in result:
            line = key_node.start_mark.line + 1 + offset
            first = parsed.lines[path + (key,)]
            parsed.problems.append(
                (line, dotted(path + (key,)), f"champ en double (déjà donné ligne {first})",
                 "gardez une seule fois ce champ"))
            parsed.broken.add(path + (key,))
            continue
        result[key] = _build(value_node, path + (key,), parsed, loader, offset)
    return result


def _build_scalar(node, path: Path_, parsed: Parsed, loader):
    if node.tag.endswith((":int", ":float")) and _SEXAGESIMAL.match(node.value):
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        parsed.problems.append(
            (parsed.lines[path], dotted(path), f"date impossible « {node.value} »",
             "une date s'écrit AAAA-MM-JJ et doit exister au calendrier"))
        parsed.broken.add(path)
        return node.value


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


def split_front_matter(text: str) -> Document:
    """Split `---\\nYAML\\n---\\nMarkdown`; a file without front matter is a problem."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        meta = Parsed(problems=[(1, "", "en-tête YAML manquant : le fichier doit commencer par « --- »",
                                 "ajoutez les champs entre deux lignes « --- » en tête du fichier")])
        return Document(meta, text, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta = parse_yaml("".join(lines[1:index]), first_line=2)
            return Document(meta, "".join(lines[index + 1:]), index + 2)
    meta = Parsed(problems=[(1, "", "en-tête YAML non fermé : la ligne « --- » de fin manque",
                             "ajoutez une ligne « --- » après le dernier champ")])
    return Document(meta, "", len(lines) + 1)
