"""The INSEE territory reference, so that any commune or EPCI of the region is one line away.

A territory entry of the registry may be just its official code:
    - code: "59350"
and gets its name, level, id (slug of the name) and parent (commune -> EPCI ->
department -> region) from referentiel/territoires-hauts-de-france.csv. Fields the
editor writes win over the reference.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .problems import shown

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "referentiel" / "territoires-hauts-de-france.csv"
CHECKED_LEVELS = ("region", "departement", "epci", "commune")  # QPV are not in the reference


def slugify(text: str) -> str:
    """`CA de Lens - Liévin` -> `ca-de-lens-lievin`: the id convention for territories."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=4)
def load(path: Path = DEFAULT_PATH) -> dict[str, dict[str, str]]:
    """Official code -> row (niveau, code, nom, departement, epci, nature, population)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _parent(row: dict[str, str], reference: dict[str, dict[str, str]]) -> str | None:
    if row["niveau"] == "commune" and row["epci"] in reference:
        return slugify(reference[row["epci"]]["nom"])
    if row["niveau"] in ("commune", "epci") and row["departement"]:
        department = row["departement"].split()[0]  # an EPCI across two departments: the first
        return slugify(reference[department]["nom"]) if department in reference else None
    if row["niveau"] == "departement":
        region = next((r for r in reference.values() if r["niveau"] == "region"), None)
        return slugify(region["nom"]) if region else None
    return None


def complete(item, reference: dict[str, dict[str, str]]):
    """A registry item with what the reference knows filled in (unchanged if its code is unknown)."""
    if not isinstance(item, dict) or str(item.get("code")) not in reference:
        return item
    row = reference[str(item["code"])]
    defaults = {"id": slugify(row["nom"]), "nom": row["nom"], "niveau": row["niveau"]}
    parent = _parent(row, reference)
    if parent:
        defaults["parent"] = parent
    return {**defaults, **item}


def code_alone_unknown(item, reference: dict[str, dict[str, str]]) -> str | None:
    """A message when an entry leaves its level to the reference (a one-line `- code: "59350"`) but the
    reference does not know its code: reported as such, not as the fields it did not fill in."""
    if isinstance(item, dict) and "code" in item and "niveau" not in item and str(item["code"]) not in reference:
        return f"code INSEE inconnu dans le référentiel : « {shown(item['code'])} »"
    return None


def unknown_code(item, reference: dict[str, dict[str, str]]) -> str | None:
    """A message when an official code of a checked level is not in the reference."""
    if isinstance(item, dict) and item.get("niveau") in CHECKED_LEVELS and str(item.get("code")) not in reference:
        return f"code « {shown(item.get('code'))} » absent du référentiel INSEE des Hauts-de-France"
    return None
