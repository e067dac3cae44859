"""What is valid but probably wrong across or within records: warnings with file and line.

- a meeting announcing fewer participants (`nombre_participants`) than it names present, its
  organiser's own team aside (an announced attendance counts the network, not its hosts);
- two meetings whose `precedente` and `suivante` do not point at each other; one side written
  alone is no problem: the catalogue gives the other meeting the other side (`with_series`),
  so both pages show the link;
- a published record with no theme or no territory: no theme or territory page lists it, and
  the library's filters never find it.
A file under pieces-jointes/ that no record cites is reported with the attachments (irev/attachments.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .loading import Content, Entry
from .models import Reunion
from .problems import Problem

SIDES = (("suivante", "precedente"), ("precedente", "suivante"))  # a link of a series, and the one facing it


def warnings(content: Content, each: Callable | None = None) -> list[Problem]:
    """`each` (a preview's, see catalogue._each): what each record alone tells, by file, looked at
    again only in an edited one."""
    meetings = {entry.id: entry for entry in content.records if entry.kind == Reunion.KIND}
    alone = each(_alone) if each else {entry.file: _alone(entry) for entry in content.records}
    return [problem for found in alone.values() for problem in found] + _series(meetings)


def _alone(entry: Entry) -> list[Problem]:
    return (_count(entry) if entry.kind == Reunion.KIND else []) + _unclassed(entry)


def _count(entry: Entry) -> list[Problem]:
    model = entry.model
    named = sum(1 for p in model.participants if p.presence == "present" and p.organisation != model.organisateur)
    if model.nombre_participants is None or model.nombre_participants >= named:
        return []
    return [Problem(entry.file, entry.line_of(("nombre_participants",)), "nombre_participants",
                    f"{model.nombre_participants} participants annoncés, mais « participants » en nomme {named} présents "
                    f"(hors équipe de l'organisateur « {model.organisateur} »)",
                    "corrigez le nombre, ou marquez les absents excusés « presence: excuse »", warning=True)]


def _series(meetings: dict[str, Entry]) -> list[Problem]:
    found, claims = [], {}
    for entry in meetings.values():
        for side, facing in SIDES:
            target = getattr(entry.model, side)
            other = meetings.get(target) if isinstance(target, str) else None  # an unknown id: reported with the
            # references; a meeting without a record (models.SansFiche) has no side to face
            # Where, only for a problem: a line number parses the file's YAML again for positions.
            where = lambda: (entry.file, entry.line_of((side,)), side)  # noqa: E731
            if target == entry.id:
                found.append(Problem(*where(), f"la réunion se désigne elle-même comme {side}",
                                     f"indiquez la réunion {side} de la série, ou retirez « {side} »", warning=True))
            elif other is not None:
                back = getattr(other.model, facing)
                if back is None:
                    claims.setdefault((target, side), []).append(entry)
                elif back != entry.id:
                    back = back if isinstance(back, str) else back.intitule
                    found.append(Problem(*where(), f"« {side}: {target} », mais cette réunion a « {facing}: {back} »",
                                         f"les deux réunions doivent se désigner l'une l'autre : corrigez « {side} » ici, "
                                         f"ou « {facing} » dans {other.file}", warning=True))
    for (target, side), entries in claims.items():  # the facing side left to derive: only one meeting can claim it
        facing = dict(SIDES)[side]
        for entry in entries[1:]:
            found.append(Problem(entry.file, entry.line_of((side,)), side,
                                 f"« {side}: {target} », comme {entries[0].file} : une réunion n'a qu'une {facing}",
                                 f"écrivez « {facing}: … » dans la réunion {target} pour dire laquelle", warning=True))
    return found


def with_series(records: dict[str, Entry]) -> dict[str, Entry]:
    """The shown records, where a meeting named by exactly one other as its `suivante` (`precedente`)
    and giving no `precedente` (`suivante`) of its own gets that other one as such."""
    claims: dict[tuple[str, str], list[str]] = {}
    for entry in records.values():
        if entry.kind != Reunion.KIND:
            continue
        for side, facing in SIDES:
            named = getattr(entry.model, side)
            target = records.get(named) if isinstance(named, str) else None
            if target is not None and target.kind == Reunion.KIND and target.id != entry.id \
                    and getattr(target.model, facing) is None:
                claims.setdefault((target.id, facing), []).append(entry.id)
    updates: dict[str, dict[str, str]] = {}
    for (target, facing), claimants in claims.items():
        if len(claimants) == 1:
            updates.setdefault(target, {})[facing] = claimants[0]
    if not updates:
        return records
    return {ident: dataclasses.replace(entry, model=entry.model.model_copy(update=updates[ident]))
            if ident in updates else entry for ident, entry in records.items()}


def _unclassed(entry: Entry) -> list[Problem]:
    found, model = [], entry.model
    if model.statut != "publie":
        return found
    if not model.themes:
        found.append(_unclassed_problem(entry, "themes", "thème", "une ou plusieurs thématiques du registre des thèmes"))
    if not model.territoires and not getattr(model, "territoire", None):  # a plan's own territory counts
        found.append(_unclassed_problem(entry, "territoires", "territoire", "les territoires concernés "
                                        "(hauts-de-france pour une ressource régionale ou nationale)"))
    return found


def _unclassed_problem(entry: Entry, field: str, label: str, expected: str) -> Problem:
    written = (field,) in entry.parsed.lines  # « themes: [] »; otherwise the record is flagged where it is published
    return Problem(entry.file, entry.line_of((field,) if written else ("statut",)), field,
                   f"ressource publiée sans {label} : aucune page de {label} ne la liste et le filtre "
                   f"« {label.capitalize()} » de la recherche ne la trouve pas", f"ajoutez « {field}: » avec {expected}", warning=True)
