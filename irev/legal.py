"""The settings of the legal pages (mentions légales, déclaration d'accessibilité, données
personnelles): what the project cannot know (who directs the publication, the host, the contacts)
is set in mkdocs.yml under `extra: legal:`. A hand-written page shows a setting with the marker
`<!-- reglage: name -->`; a value still starting with « À COMPLÉTER » is shown as it is and
reported as a warning by `python -m irev check` (and by the build, without failing it).

The core does not import MkDocs: the hook hands over MkDocs' `extra`, the command line reads
mkdocs.yml itself (read_extra).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from .problems import Problem

SECTION = "legal"  # mkdocs.yml: extra: legal: …
PLACEHOLDER = "À COMPLÉTER"
CONFORMITY = ("non conforme", "partiellement conforme", "totalement conforme")  # RGAA's three states

# Every setting, with what it holds (shown when it is missing from mkdocs.yml).
SETTINGS = {
    "conformite": "partiellement conforme",
    "editeur_adresse": f"{PLACEHOLDER} : adresse postale de l'IREV",
    "editeur_telephone": f"{PLACEHOLDER} : téléphone de l'IREV",
    "direction_publication": f"{PLACEHOLDER} : prénom, nom et fonction de la personne qui dirige la publication",
    "hebergeur": f"{PLACEHOLDER} : raison sociale de l'hébergeur",
    "hebergeur_adresse": f"{PLACEHOLDER} : adresse postale de l'hébergeur",
    "hebergeur_telephone": f"{PLACEHOLDER} : téléphone de l'hébergeur",
    "accessibilite_courriel": f"{PLACEHOLDER} : adresse électronique pour signaler un défaut d'accessibilité",
    "dpo_courriel": f"{PLACEHOLDER} : adresse électronique de la personne déléguée à la protection des données (DPO)",
    "licence_contenus": f"{PLACEHOLDER} : licence de réutilisation des contenus (par exemple Licence Ouverte / Open Licence 2.0)",
}

MARKER = re.compile(r"<!--\s*reglage:\s*([a-z_]+)\s*-->")
EMAIL = re.compile(r"^[^@\s<>\"'()\[\]]+@[^@\s<>\"'()\[\]]+\.[a-z]{2,}$", re.IGNORECASE)


def values(extra: dict | None) -> dict[str, str]:
    """Every setting's value: mkdocs.yml's `extra: legal:`, else its placeholder."""
    given = (extra or {}).get(SECTION) or {}
    if not isinstance(given, dict):
        given = {}
    return {name: " ".join(str(given.get(name) or default).split()) for name, default in SETTINGS.items()}


def unfilled(value: str) -> bool:
    return value.upper().startswith(PLACEHOLDER)


def problems(extra: dict | None, config_file: Path) -> list[Problem]:
    """A warning for every setting still to fill in, or filled with something unexpected."""
    given = values(extra)
    text = config_file.read_text(encoding="utf-8") if config_file.is_file() else ""
    found = []
    for name, value in given.items():
        where = dict(file=config_file.name, line=_line(text, name), field=f"extra.{SECTION}.{name}", warning=True)
        if unfilled(value):
            found.append(Problem(message=f"réglage des pages légales à compléter (« {value} »)",
                                 hint=f"renseignez {name} sous extra: {SECTION}: dans {config_file.name}", **where))
        elif name.endswith("_courriel") and not EMAIL.match(value):
            found.append(Problem(message=f"« {value[:60]} » n'est pas une adresse électronique", **where))
        elif name == "conformite" and value not in CONFORMITY:
            found.append(Problem(message=f"« {value[:60]} » n'est pas un état de conformité du RGAA",
                                 hint=" ou ".join(f"« {state} »" for state in CONFORMITY), **where))
    return found


def _line(text: str, name: str) -> int:
    match = re.search(rf"^[ \t]+{name}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def fill(markdown: str, extra: dict | None) -> str:
    """A hand-written page with its markers replaced by their settings' values, as text (an e-mail
    address as a mailto: link). Raises ValueError for a marker naming no setting."""
    given = values(extra)

    def shown(match: re.Match) -> str:
        name = match.group(1)
        if name not in given:
            raise ValueError(f"réglage inconnu « {name} » (réglages : {', '.join(SETTINGS)})")
        value = given[name]
        text = re.sub(r"([\\`*_\[\]{}#+!|~])", r"\\\1", value)  # Markdown syntax shown, not applied
        text = html.escape(text, quote=False)
        if name.endswith("_courriel") and EMAIL.match(value):
            return f'<a href="mailto:{html.escape(value, quote=True)}">{text}</a>'
        return text

    return MARKER.sub(shown, markdown)


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as data, whatever its tags (`!ENV`, `!relative`…): a tagged value reads as None."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_extra(config_file: Path) -> dict:
    """mkdocs.yml's `extra`, merged over the one of the file it inherits from (INHERIT), as MkDocs does."""
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    extra = config.get("extra") or {}
    parent = config.get("INHERIT")
    if isinstance(parent, str):
        return _merged(read_extra((config_file.parent / parent).resolve()), extra)
    return extra


def _merged(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged
