"""Command line: `python -m irev check` validates a content tree, `schemas` writes the JSON Schemas,
`participants` turns a registration form's export into a meeting's participants (irev/participants.py),
`nouveau` writes a new record or registry entry to fill in (irev/scaffold.py)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import forge, legal, participants, scaffold, schemas, settings
from .problems import relative, report
from .site import Session


def check(root: Path, config: Path) -> NoReturn:
    # A short run: the cyclic collector would only walk the loaded content again (a second at
    # 10,000 records) and find nothing to free.
    gc.disable()
    session = Session()  # (kept until the end: see Session.check)
    counts, problems = session.check(root)
    problems = sorted(problems + legal.problems(legal.read_extra(config), config))  # the legal pages' settings
    counts = f"{counts.records} ressource(s), " + ", ".join(f"{n} {k}(s)" for k, n in counts.registries.items())
    print(f"Contenu : {root} — {counts}")
    with forge.commands_stopped():  # editors' values quoted in the report are never read as CI commands
        print(report(problems))
    forge.ci_outputs(problems)  # on GitHub Actions or GitLab CI, also in the forge's format
    # The run ends here: freeing the loaded content object by object would cost half a second at
    # 10,000 records, for memory the system takes back at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if any(not p.warning for p in problems) else 0)


def new(args: argparse.Namespace) -> int:
    root = settings.content_dir()
    try:
        written = scaffold.create(root, args.type, {"titre": args.titre, "date": args.date, "nom": args.nom,
                                                    "prenom": args.prenom}, args.id or None)
    except scaffold.Refused as refusal:
        print(f"ERREUR {refusal}", file=sys.stderr)
        return 1
    where = relative(written.path, root)
    print(f"Entrée « {written.ident} » ajoutée à la fin de {where}" if written.appended else f"Écrit : {where} (brouillon)")
    print("Complétez les champs marqués (obligatoire), puis lancez make check.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="irev", description="Outils du site de ressources IREV.")
    sub = parser.add_subparsers(dest="command", required=True)
    checking = sub.add_parser("check", help="valider le contenu (CONTENT_DIR) et lister tous les problèmes")
    checking.add_argument("--config", type=Path, default=settings.PROJECT / "mkdocs.yml",
                          help="configuration du site dont vérifier les réglages des pages légales (mkdocs.yml)")
    sub.add_parser("schemas", help="écrire les schémas JSON dans schemas/")
    importing = sub.add_parser("participants", help="liste d'inscrits (csv, xlsx, ods) -> participants d'une réunion")
    importing.add_argument("fichier", nargs="?", help="export du formulaire d'inscription")
    importing.add_argument("--reunion", help="identifiant de la réunion (nom de son fichier sans .md)")
    importing.add_argument("--sortie", help="écrire dans ce nouveau fichier plutôt qu'à l'écran (jamais sur un fichier existant)")
    creating = sub.add_parser("nouveau", help="écrire une nouvelle ressource (brouillon) ou entrée de registre à compléter")
    creating.add_argument("type", help=" | ".join(scaffold.KINDS))
    for option, text in (("titre", "titre de la ressource"), ("date", "date : AAAA-MM-JJ (ou AAAA-MM, AAAA selon le type)"),
                         ("nom", "nom (personne, organisation)"), ("prenom", "prénom (personne)"),
                         ("id", "identifiant choisi, au lieu de celui tiré du titre ou du nom")):
        creating.add_argument(f"--{option}", default="", help=text)
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(settings.content_dir(), args.config)
    if args.command == "participants":
        return participants.main(args.fichier, args.reunion, args.sortie)
    if args.command == "nouveau":
        return new(args)
    written = schemas.write(schemas.default_dir())
    print("\n".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
