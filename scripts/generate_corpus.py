#!/usr/bin/env python3
"""Generate a realistic, valid content tree for benchmarks and tests.

    .venv/bin/python scripts/generate_corpus.py --records 10000 --out /tmp/gen10k [--seed 1]

The tree has the layout of content/ (meetings/, cycles/, plans/, fiches/, registre/, pieces-jointes/) and
passes `python -m irev check` with no error and no warning. Same arguments, same bytes:
one random.Random(seed) drives every choice, lists are walked in a fixed order, and
nothing depends on the clock, on hash order or on the file system.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import random
import re
import sys
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from irev import models, referentiel, similar  # noqa: E402

REFERENCE_CSV = ROOT / "referentiel" / "territoires-hauts-de-france.csv"
FIRST_DAY, LAST_DAY = dt.date(2012, 1, 1), dt.date(2025, 12, 31)
SHARES = (("reunion", 0.40), ("cycle", 0.15), ("plan", 0.15), ("fiche", 0.30))
DRAFT_SHARE, MENTION_SHARE, NO_CONSENT_SHARE = 0.03, 0.10, 0.08
HOSTED_SHARE = 0.25  # records whose first document is also hosted by the site, under pieces-jointes/
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # what a hosted document holds: its first bytes are checked
WRAP = 104  # line width of wrapped prose, as in the hand-written records

# --- Vocabulary of the field -------------------------------------------------------------

# One entry per area of the resource centre: root theme, its sub-themes, the noun phrases
# its texts talk about, and the network whose meetings it names.
DOMAINS = [
    {
        "libelle": "Prévention et lutte contre les discriminations",
        "description": "Politiques publiques de prévention et de lutte contre les discriminations, tous critères et tous domaines.",
        "sous_themes": ["Discriminations dans l'emploi", "Discriminations dans le logement", "Discriminations liées à l'origine",
                        "Discriminations liées au lieu de résidence", "Testing et tests de situation",
                        "Accompagnement des victimes", "Plans territoriaux de lutte contre les discriminations",
                        "Déconstruction des préjugés", "Racisme et antisémitisme", "Orientation sexuelle et identité de genre"],
        "objets": ["la prévention des discriminations", "les discriminations liées au lieu de résidence",
                   "le testing comme outil d'objectivation", "l'accompagnement des victimes de discriminations",
                   "le plan territorial de lutte contre les discriminations", "la déconstruction des préjugés",
                   "les discriminations systémiques", "le recours au droit des personnes discriminées",
                   "l'égalité de traitement dans l'accès aux services publics", "les discriminations dans l'accès au logement",
                   "les discriminations à l'embauche"],
        "reseau": ("lcd", "lutte contre les discriminations"),
        "publics": ["professionnels-politique-de-la-ville", "agents-collectivites", "services-etat", "associations"],
    },
    {
        "libelle": "Égalité femmes-hommes",
        "description": "Égalité entre les femmes et les hommes dans les politiques locales, budgets et projets.",
        "sous_themes": ["Budgétisation sensible au genre", "Marqueurs égalité femmes-hommes", "Violences faites aux femmes",
                        "Mixité des métiers", "Place des femmes dans l'espace public", "Familles monoparentales"],
        "objets": ["l'égalité femmes-hommes dans les projets financés", "la budgétisation sensible au genre",
                   "la place des femmes dans l'espace public", "les violences faites aux femmes", "la mixité des métiers",
                   "les marqueurs égalité femmes-hommes", "l'accès des femmes des quartiers à l'emploi",
                   "les données sexuées du diagnostic"],
        "reseau": ("efh", "égalité femmes-hommes"),
        "publics": ["agents-collectivites", "associations", "elus", "entreprises"],
    },
    {
        "libelle": "Éducation et mixité sociale et scolaire",
        "description": "Réussite éducative, orientation, mixité sociale et scolaire dans les quartiers prioritaires.",
        "sous_themes": ["Mixité scolaire", "Réussite éducative", "Orientation scolaire", "Cités éducatives", "Parentalité",
                        "Décrochage scolaire"],
        "objets": ["la mixité sociale et scolaire", "la réussite éducative des élèves des quartiers prioritaires",
                   "l'orientation des jeunes", "la relation entre les familles et l'école", "la sectorisation scolaire",
                   "les cités éducatives", "le décrochage scolaire", "l'accès aux stages des collégiens"],
        "reseau": ("education", "éducation et mixité"),
        "publics": ["education", "agents-collectivites", "services-etat", "associations"],
    },
    {
        "libelle": "Habitat, logement et renouvellement urbain",
        "description": "Attributions, peuplement, renouvellement urbain et gestion de proximité.",
        "sous_themes": ["Attributions de logements sociaux", "Renouvellement urbain", "Gestion urbaine de proximité",
                        "Peuplement et équilibre territorial", "Habitat privé dégradé"],
        "objets": ["les attributions de logements sociaux", "le renouvellement urbain des quartiers",
                   "la gestion urbaine et sociale de proximité", "l'équilibre territorial du peuplement",
                   "le relogement des ménages", "l'habitat privé dégradé", "la conférence intercommunale du logement"],
        "reseau": ("habitat", "habitat et renouvellement urbain"),
        "publics": ["bailleurs", "agents-collectivites", "services-etat", "habitants"],
    },
    {
        "libelle": "Emploi, insertion et développement économique",
        "description": "Insertion professionnelle, accès à l'emploi et développement économique des quartiers.",
        "sous_themes": ["Insertion professionnelle des jeunes", "Accès aux stages et à l'apprentissage", "Clauses sociales",
                        "Entrepreneuriat dans les quartiers", "Pratiques de recrutement"],
        "objets": ["l'insertion professionnelle des jeunes", "l'accès aux stages et à l'apprentissage",
                   "les pratiques de recrutement des employeurs", "les clauses sociales des marchés publics",
                   "l'entrepreneuriat dans les quartiers", "le retour à l'emploi des femmes", "le parrainage vers l'emploi"],
        "reseau": ("emploi", "emploi et insertion"),
        "publics": ["entreprises", "professionnels-politique-de-la-ville", "associations", "services-etat"],
    },
    {
        "libelle": "Santé et accès aux droits",
        "description": "Santé des habitants des quartiers, accès aux soins et aux droits.",
        "sous_themes": ["Ateliers santé ville", "Contrats locaux de santé", "Accès aux droits", "Santé mentale",
                        "Non-recours aux droits"],
        "objets": ["l'accès aux soins des habitants", "le non-recours aux droits", "la santé mentale des jeunes",
                   "le contrat local de santé", "les inégalités sociales de santé", "la médiation en santé"],
        "reseau": ("sante", "santé et accès aux droits"),
        "publics": ["professionnels-politique-de-la-ville", "associations", "agents-collectivites", "habitants"],
    },
    {
        "libelle": "Participation des habitants et citoyenneté",
        "description": "Conseils citoyens, pouvoir d'agir, vie associative et valeurs de la République.",
        "sous_themes": ["Conseils citoyens", "Tables de quartier", "Pouvoir d'agir", "Laïcité et valeurs de la République",
                        "Vie associative"],
        "objets": ["la participation des habitants", "les conseils citoyens", "le pouvoir d'agir des habitants",
                   "la laïcité dans les services publics", "la vie associative des quartiers",
                   "la co-construction des projets avec les habitants"],
        "reseau": ("participation", "participation des habitants"),
        "publics": ["habitants", "associations", "elus", "professionnels-politique-de-la-ville"],
    },
    {
        "libelle": "Pilotage, diagnostic et évaluation du contrat de ville",
        "description": "Ingénierie du contrat de ville : diagnostic, observation, gouvernance, évaluation, qualification.",
        "sous_themes": ["Contrat de ville", "Diagnostic territorial", "Évaluation des politiques publiques",
                        "Observation territoriale", "Ingénierie de projet", "Formation et qualification des acteurs"],
        "objets": ["l'évaluation du contrat de ville", "le diagnostic territorial partagé",
                   "l'observation des quartiers prioritaires", "la gouvernance du contrat de ville",
                   "la mobilisation du droit commun", "la qualification des acteurs locaux", "les indicateurs de suivi",
                   "la programmation annuelle du contrat de ville"],
        "reseau": ("pilotage", "pilotage du contrat de ville"),
        "publics": ["professionnels-politique-de-la-ville", "elus", "services-etat", "agents-collectivites"],
    },
]
GENERAL = len(DOMAINS) - 1  # the piloting domain also feeds every other domain's texts

FACETS = ["diagnostic", "formation des acteurs", "évaluation", "outils", "jeunesse", "quartiers prioritaires",
          "milieu rural", "partenariats", "observation", "communication", "expérimentations", "cadre juridique"]

SUBJECTS = ["Le contrat de ville", "La collectivité", "Le groupe de travail thématique", "L'équipe projet", "Le centre social",
            "Le conseil citoyen", "Le diagnostic partagé", "La délégation du préfet", "L'agglomération", "Le bailleur social",
            "La mission locale", "Le collectif d'habitants", "Le plan territorial", "L'observatoire local",
            "Le comité de pilotage", "Le réseau régional", "L'évaluation à mi-parcours", "Le service politique de la ville",
            "Le programme de réussite éducative", "L'atelier santé ville", "Le centre de ressources", "La commune",
            "La maison de quartier", "Le conseil départemental", "La cité éducative"]
VERBS = ["s'appuie sur", "met en évidence", "interroge", "renforce son action sur", "travaille sur", "documente",
         "cherche à mieux objectiver", "place au cœur de son projet", "prend en compte", "accompagne les acteurs sur",
         "a engagé une réflexion sur", "fait un point d'étape sur", "présente ses travaux sur", "questionne", "éclaire"]
COMPLEMENTS = ["dans les quartiers prioritaires de la politique de la ville", "en lien avec les partenaires du contrat de ville",
               "à l'échelle de l'agglomération", "avec l'appui du centre de ressources", "depuis la signature du contrat de ville",
               "à partir des données de l'observatoire local", "au plus près des habitants",
               "dans une approche intégrée et transversale", "avec les services de l'État et les bailleurs",
               "sur l'ensemble du territoire régional", "dans le cadre du groupe de travail thématique",
               "pour la prochaine programmation", "en associant les conseils citoyens",
               "avec le soutien de la délégation du préfet", "dans la durée", "à travers des actions de sensibilisation",
               "au sein des équipes de proximité", "malgré des moyens limités"]
CONNECTORS = ["Par ailleurs,", "En outre,", "Dans ce cadre,", "À ce stade,", "Concrètement,", "De plus,", "En parallèle,",
              "Pour autant,", "Dans un second temps,", "Au-delà du diagnostic,"]
SENTENCES = ["{S} {V} {O} {C}.", "{K} {s} {V} {O}.", "{K} {s} {V} {O} {C}.", "Les échanges ont porté sur {O}, {C}.",
             "{S} rappelle l'importance {dO} {C}.", "Une attention particulière est portée {aO} {C}.",
             "La question {dO} est revenue à plusieurs reprises au cours des échanges.",
             "Il s'agit notamment de mieux prendre en compte {O} {C}.",
             "Plusieurs participants ont partagé leur expérience sur {O} {C}.",
             "{S} a engagé un travail de fond sur {O} {C}.",
             "Les premiers résultats montrent l'intérêt d'une approche intégrée {dO}.",
             "{K} l'état des lieux met en lumière des écarts importants concernant {O}."]
STATEMENTS = [t for t in SENTENCES if "{K}" not in t]  # sentences that can stand alone
FIGURES = [("{n} plaintes", "plaintes pour discrimination déposées sur le territoire entre {y1} et {y}"),
           ("{n}", "saisines du Défenseur des droits en {y}"),
           ("{p} %", "part des habitants des quartiers prioritaires déclarant avoir subi une discrimination"),
           ("{q} quartiers", "quartiers prioritaires concernés par le plan"),
           ("une vingtaine", "partenaires institutionnels et associatifs mobilisés pour le diagnostic"),
           ("{p} %", "taux de chômage des 16-25 ans dans les quartiers prioritaires en {y}"),
           ("{n} actions", "actions financées au titre du contrat de ville en {y}"),
           ("{n} professionnels", "professionnels formés depuis {y1}"),
           ("{p} %", "part des femmes parmi les bénéficiaires des actions financées")]
ITEMS = ["Renforcer la prise en compte {dO}", "Documenter {O} {C}", "Mieux connaître {O}", "Objectiver {O} {C}",
         "Suivre et évaluer {O}", "Mobiliser les partenaires autour {dO}", "Intégrer {O} dans les appels à projets",
         "Sensibiliser les élus {aO}", "Former les professionnels de première ligne {aO}",
         "Partager les ressources disponibles sur {O}", "Rendre visibles les actions menées sur {O}",
         "Mettre en place un suivi {dO} {C}"]
QUESTIONS = ["Dans quelle mesure le projet prend-il en compte {O} ?",
             "Le projet contient-il des éléments de diagnostic sur {O} ?", "Quels moyens sont consacrés {aO} ?",
             "Des indicateurs permettent-ils de suivre {O} ?",
             "Les partenaires sont-ils associés à la réflexion sur {O} ?",
             "Comment la collectivité rend-elle compte {dO} ?",
             "Le public visé est-il cohérent avec les objectifs fixés sur {O} ?",
             "Quelles actions de sensibilisation portent sur {O} ?"]
VIGILANCE = ["Veiller à inscrire l'action dans la durée", "Ne pas isoler {O} des autres politiques publiques",
             "Prévoir les moyens humains nécessaires {aO}", "Associer les habitants dès la conception",
             "Éviter la juxtaposition d'actions sans fil conducteur", "Garantir la confidentialité des données recueillies",
             "Tenir compte du calendrier de la programmation"]
ACTORS = ["Les bailleurs sociaux du territoire", "Les centres sociaux et maisons de quartier", "Les services de l'État",
          "Les missions locales", "Les établissements scolaires", "Les associations de quartier",
          "Les élus délégués à la politique de la ville", "Les conseils citoyens", "Le service public de l'emploi",
          "Les délégués du préfet", "La caisse d'allocations familiales", "Les clubs d'entreprises"]
HEADINGS = ["Contexte", "Enjeux", "Points saillants", "Ce qu'il faut retenir", "Pour aller plus loin", "Méthode",
            "Suites envisagées"]
EVENTS = ["Lancement du diagnostic", "Validation du plan en comité de pilotage", "Signature du contrat de ville",
          "Présentation du plan en conseil communautaire", "Premier bilan d'étape", "Installation du groupe de travail",
          "Restitution du diagnostic aux partenaires"]
QUARTERS = ["des Provinces", "de la Briquette", "du Nouveau Monde", "des Bruyères", "du Pont Rouge", "des Hauts Champs",
            "du Faubourg", "des Oliveaux", "de la Bourgogne", "du Chemin Vert", "des Sablons", "de l'Épine",
            "du Petit Maroc", "des Marronniers", "de la Croix Rouge", "du Moulin"]
ASSOCIATIONS = ["Femmes relais", "Agir ensemble", "Solidarité quartiers", "Horizon jeunesse", "Les Ateliers du lien",
                "Passerelles", "Trait d'union", "Rencontres et cultures", "Maison des droits", "Égalité des chances",
                "Regards croisés", "Cap vers l'emploi", "Parents en action", "Le Lieu ressource", "Voix de femmes"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre"]
ORDINALS = ["Première", "Deuxième", "Troisième"]
UNRECORDED = ["(compte rendu non conservé)", "(relevé de décisions papier)", "(mentionnée dans l'invitation)"]
MOMENTS = ["matin", "apres-midi", "journee", "soiree"]

GIVEN_F = ["Aïcha", "Alice", "Amandine", "Amélie", "Anne", "Anne-Sophie", "Audrey", "Aurélie", "Camille", "Caroline",
           "Catherine", "Céline", "Chloé", "Christelle", "Claire", "Delphine", "Élise", "Émilie", "Fatima", "Florence",
           "Hélène", "Inès", "Isabelle", "Julie", "Justine", "Karima", "Laetitia", "Laura", "Léa", "Leïla", "Louise",
           "Lucie", "Malika", "Manon", "Marie", "Marion", "Mathilde", "Myriam", "Nadia", "Nathalie", "Nora", "Pauline",
           "Rachida", "Sabrina", "Samia", "Sandrine", "Sarah", "Séverine", "Sophie", "Stéphanie", "Sylvie", "Valérie",
           "Véronique", "Virginie", "Yasmina", "Zoé", "Agnès", "Brigitte", "Corinne", "Élodie", "Estelle", "Gaëlle",
           "Ingrid", "Jeanne", "Juliette", "Magali", "Noémie", "Océane", "Patricia", "Soraya", "Marie-Claire", "Anne-Laure"]
GIVEN_M = ["Ahmed", "Alexandre", "Antoine", "Arnaud", "Bastien", "Benoît", "Bruno", "Cédric", "Christophe", "Damien",
           "David", "Didier", "Djamel", "Éric", "Fabien", "Farid", "François", "Frédéric", "Guillaume", "Hakim", "Hugo",
           "Jean-Christophe", "Jean-Marc", "Jérôme", "Julien", "Karim", "Kévin", "Lucas", "Marc", "Mathieu", "Maxime",
           "Mehdi", "Mohamed", "Nassim", "Nicolas", "Olivier", "Pascal", "Patrick", "Philippe", "Pierre", "Rachid",
           "Rémi", "Romain", "Samir", "Sébastien", "Stéphane", "Thierry", "Thomas", "Vincent", "Yann", "Yacine",
           "Youssef", "Xavier", "Benjamin", "Denis", "Fabrice", "Grégory", "Jacques", "Loïc", "Ludovic", "Mickaël",
           "Sylvain", "Tarik", "Jean-Luc", "Paul-Henri"]
FAMILY = ["BAUDRY", "BECQUART", "BERNARD", "BLONDEL", "BOUCHER", "BOULANGER", "BOURGEOIS", "BRUNET", "CARON",
          "CARPENTIER", "CASTELAIN", "CHEVALIER", "CLAEYS", "COLIN", "CORDONNIER", "COUSIN", "DAUCHY", "DEBRUYNE",
          "DECOTTIGNIES", "DEGRAVE", "DELATTRE", "DELCOURT", "DELEMER", "DELPLACE", "DEMARET", "DEPREZ", "DERAM",
          "DESCAMPS", "DEVAUX", "DHAINAUT", "DUBOIS", "DUFOUR", "DUHAMEL", "DUMONT", "DUPUIS", "DURIEZ", "FACHE",
          "FLAMENT", "FOUCART", "GALLOIS", "GODIN", "GOSSELIN", "GRESSIER", "HAVEZ", "HENNEBERT", "HERBAUT", "HOUZE",
          "JACQUART", "LAGACHE", "LAMBLIN", "LECLERCQ", "LECOMTE", "LEFEBVRE", "LEGRAND", "LEJEUNE", "LEMAIRE",
          "LEPRETRE", "LEROUX", "LESAGE", "LEVEQUE", "LHERMITTE", "LOBRY", "LOUCHART", "MAILLARD", "MALBRANQUE",
          "MASSE", "MERLIN", "MORTREUX", "NOWAK", "PAMART", "PENNEQUIN", "PETIT", "PLOUVIER", "POTTIER", "PRUVOST",
          "QUENNESSON", "RAMETTE", "RINGOT", "ROUSSEL", "SAGNIEZ", "SEGARD", "TAVERNIER", "THERY", "TRINEL", "VASSEUR",
          "VERHAEGHE", "WALLART", "WATTEAU", "WISSOCQ", "ZIMMERMANN", "KOWALSKI", "WOJCIK", "LEWANDOWSKI",
          "SZYMANSKI", "BENALI", "BOUAZZA", "CHERIF", "HADDAD", "KHALFI", "MANSOURI", "MEZIANE", "OUAHBI", "SAIDI",
          "TOUATI", "ZERROUKI", "AMRANI", "BELKACEM", "BOUDJEMA", "DIALLO", "KONATE", "TRAORE", "NDIAYE", "FERREIRA",
          "DA SILVA", "PEREIRA", "RODRIGUES", "DE SMET", "VAN DAMME", "VANDENBERGHE", "VERMEERSCH", "EL AMRANI",
          "BEN SAID", "AIT OUALI", "DE BACKER", "VAN HECKE", "BRIDOUX", "CAUDRON", "COQUELLE", "DEBAISIEUX",
          "FIEVET", "GHESQUIERE", "HOCHART", "LECOCQ", "MACREZ", "OBERT", "PLAYE", "SOCKEEL", "TACQUET", "WALLET"]

# Job titles (masculine, feminine) by organisation type.
JOBS = {
    "collectivite": [("Chargé de mission politique de la ville", "Chargée de mission politique de la ville"),
                     ("Chef de projet contrat de ville", "Cheffe de projet contrat de ville"),
                     ("Directeur de la cohésion sociale", "Directrice de la cohésion sociale"),
                     ("Coordinateur CLSPD", "Coordinatrice CLSPD"),
                     ("Référent égalité femmes-hommes", "Référente égalité femmes-hommes"),
                     ("Chargé de mission prévention des discriminations", "Chargée de mission prévention des discriminations"),
                     ("Élu délégué à la cohésion sociale", "Élue déléguée à la cohésion sociale"),
                     ("Coordinateur de l'atelier santé ville", "Coordinatrice de l'atelier santé ville"),
                     ("Chef de service jeunesse", "Cheffe de service jeunesse"),
                     ("Coordinateur du programme de réussite éducative", "Coordinatrice du programme de réussite éducative")],
    "etat": [("Délégué du préfet", "Déléguée du préfet"), ("Chargé de mission politique de la ville", "Chargée de mission politique de la ville"),
             ("Inspecteur de l'action sanitaire et sociale", "Inspectrice de l'action sanitaire et sociale"),
             ("Chef du bureau de la cohésion sociale", "Cheffe du bureau de la cohésion sociale")],
    "association": [("Directeur de centre social", "Directrice de centre social"), ("Animateur du conseil citoyen", "Animatrice du conseil citoyen"),
                    ("Coordinateur régional", "Coordinatrice régionale"), ("Chargé de projets", "Chargée de projets"),
                    ("Médiateur social", "Médiatrice sociale")],
    "bailleur": [("Responsable habitat", "Responsable habitat"), ("Chargé de gestion locative", "Chargée de gestion locative"),
                 ("Chargé de développement social urbain", "Chargée de développement social urbain")],
    "cabinet": [("Consultant", "Consultante"), ("Chargé d'études", "Chargée d'études")],
    "recherche": [("Enseignant-chercheur", "Enseignante-chercheuse"), ("Doctorant", "Doctorante")],
    "etablissement-public": [("Conseiller en insertion professionnelle", "Conseillère en insertion professionnelle"),
                             ("Chargé de mission partenariats", "Chargée de mission partenariats"),
                             ("Responsable du développement territorial", "Responsable du développement territorial")],
    "irev": [("Chargé de mission", "Chargée de mission"), ("Responsable du pôle prévention des discriminations",
                                                          "Responsable du pôle prévention des discriminations"),
             ("Directeur", "Directrice"), ("Chargé de mission égalité femmes-hommes", "Chargée de mission égalité femmes-hommes")],
}
DEPARTMENT_ARTICLES = {"02": "de l'", "59": "du ", "60": "de l'", "62": "du ", "80": "de la "}

# --- Small helpers -----------------------------------------------------------------------


def of(phrase: str) -> str:
    """French "de" before a noun phrase: du, de la, de l', des."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    return "de " + phrase


def to(phrase: str) -> str:
    """French "à" before a noun phrase: au, à la, à l', aux."""
    if phrase.startswith("le "):
        return "au " + phrase[3:]
    if phrase.startswith("les "):
        return "aux " + phrase[4:]
    return "à " + phrase


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def uncapital(text: str) -> str:
    return text[:1].lower() + text[1:]


def short_slug(text: str, limit: int = 40) -> str:
    """A slug cut at a word boundary, for readable file names."""
    slug = referentiel.slugify(text)
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug.strip("-")


def date_fr(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday(day: dt.date) -> dt.date:
    """The same date, or the Monday after if it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def random_day(rng: random.Random, start: dt.date = FIRST_DAY, end: dt.date = LAST_DAY) -> dt.date:
    day = weekday(start + dt.timedelta(days=rng.randint(0, (end - start).days)))
    return day if day <= end else day - dt.timedelta(days=3)


def wrap(text: str, width: int = WRAP) -> list[str]:
    """Greedy wrapping on single spaces (the text has no double spaces)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def share(count: int, ratio: float) -> int:
    return int(round(count * ratio))


# --- French text ---------------------------------------------------------------------------


class Prose:
    """Sentences, paragraphs and list items built from the vocabulary of one domain."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def objet(self, domain: int) -> str:
        pool = DOMAINS[domain if self.rng.random() < 0.7 else GENERAL]["objets"]
        return self.rng.choice(pool)

    def distinct_objets(self, domain: int, count: int) -> list[str]:
        """Different noun phrases of a domain (and of the general pool), for parts of one document."""
        pool = DOMAINS[domain]["objets"] + DOMAINS[GENERAL]["objets"]
        return self.rng.sample(pool, min(count, len(pool)))

    def _fill(self, template: str, domain: int) -> str:
        rng = self.rng
        subject, objet = rng.choice(SUBJECTS), self.objet(domain)
        return template.format(S=subject, s=subject[0].lower() + subject[1:], V=rng.choice(VERBS), O=objet,
                               dO=of(objet), aO=to(objet), C=rng.choice(COMPLEMENTS), K=rng.choice(CONNECTORS))

    def sentence(self, domain: int) -> str:
        return self._fill(self.rng.choice(SENTENCES), domain)

    def statement(self, domain: int) -> str:
        """A sentence without a linking word, for a field read on its own."""
        return self._fill(self.rng.choice(STATEMENTS), domain)

    def figure(self, year: int) -> dict:
        value, label = self.rng.choice(FIGURES)
        numbers = {"n": self.rng.randint(2, 600), "p": self.rng.randint(8, 45), "q": self.rng.randint(2, 12),
                   "y": year, "y1": year - self.rng.randint(3, 6)}
        return {"valeur": value.format(**numbers), "libelle": capital(label.format(**numbers))}

    def sentences(self, domain: int, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join([self.statement(domain)] + [self.sentence(domain) for _ in range(count - 1)] if count else [])

    def paragraph(self, domain: int, low: int = 40, high: int = 90) -> str:
        """Sentences until a drawn length of low..high words is reached, never above high."""
        target, words, parts = self.rng.randint(low, high), 0, []
        for _ in range(12):
            sentence = self.sentence(domain)
            size = sentence.count(" ") + 1
            if words + size > high or sentence in parts:
                continue
            parts.append(sentence)
            words += size
            if words >= target:
                break
        return " ".join(parts)

    def block(self, domain: int, low: int, high: int, words: tuple[int, int] = (30, 70)) -> str:
        """Several wrapped paragraphs, as Markdown in a YAML literal block."""
        count = self.rng.randint(low, high)
        return "\n\n".join("\n".join(wrap(self.paragraph(domain, *words))) for _ in range(count))

    def item(self, domain: int) -> str:
        return self._fill(self.rng.choice(ITEMS), domain)

    def items(self, domain: int, low: int, high: int) -> list[str]:
        return [self.item(domain) for _ in range(self.rng.randint(low, high))]

    def question(self, domain: int) -> str:
        return self._fill(self.rng.choice(QUESTIONS), domain)

    def vigilance(self, domain: int) -> str:
        return self._fill(self.rng.choice(VIGILANCE), domain)


# --- YAML emitter --------------------------------------------------------------------------


class Flow(list):
    """A list of plain ids written on one line: `[a, b]`."""


_PLAIN_TEXT = re.compile(r"[^\W\d_][^\n\t\"]*\Z")
_PLAIN_ID = re.compile(r"\d{4}-[a-z0-9-]*[a-z][a-z0-9-]*\Z")  # dated ids, never read as dates or numbers
_RESERVED = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def scalar(value) -> str:
    """One YAML scalar: plain when it can only be read back as the same text, else double-quoted."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value)
    text = str(value)
    if _PLAIN_ID.match(text) or (_PLAIN_TEXT.match(text) and ": " not in text and " #" not in text
                                  and not text.endswith((":", " ")) and text.lower() not in _RESERVED):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def emit_entry(head: str, value, indent: int, out: list[str]) -> None:
    """Write `head` (a `key:` or `-` at `indent`) followed by its value."""
    child = " " * (indent + 2)
    if isinstance(value, dict):
        out.append(head)
        emit_mapping(value, indent + 2, out)
    elif isinstance(value, Flow):
        out.append(f"{head} [{', '.join(scalar(v) for v in value)}]")
    elif isinstance(value, list):
        out.append(head)
        for item in value:
            if isinstance(item, dict):
                emit_mapping(item, indent + 4, out, child + "- ")
            else:
                emit_entry(child + "-", item, indent + 2, out)
    elif isinstance(value, str) and "\n" in value:
        out.append(head + " |-")
        out.extend(child + line if line else "" for line in value.split("\n"))
    elif (isinstance(value, str) and len(head) + len(value) > WRAP + 6 and " " in value and "  " not in value
          and value == value.strip()):
        out.append(head + " >-")
        out.extend(child + line for line in wrap(value, WRAP))
    else:
        out.append(f"{head} {scalar(value)}")


def emit_mapping(data: dict, indent: int, out: list[str], first: str | None = None) -> None:
    """Write a mapping whose keys sit at `indent`; `first` replaces the first key's indent (`- `)."""
    pad = " " * indent
    for index, (key, value) in enumerate(data.items()):
        emit_entry(f"{first if index == 0 and first else pad}{key}:", value, indent, out)


def clean(data):
    """Drop None values and empty lists, recursively: optional fields left out, as editors do."""
    if isinstance(data, dict):
        return {k: clean(v) for k, v in data.items() if v is not None and v != []}
    if isinstance(data, list) and not isinstance(data, Flow):
        return [clean(v) for v in data]
    return data


def front_matter_file(meta: dict, body: str) -> str:
    out = ["---"]
    emit_mapping(clean(meta), 0, out)
    out.append("---")
    return "\n".join(out) + "\n\n" + body


def registry_file(comment: str, items: list[dict]) -> str:
    out = [f"# {comment}"]
    for item in items:
        emit_mapping(clean(item), 2, out, "- ")
    return "\n".join(out) + "\n"


# --- Registries --------------------------------------------------------------------------


@dataclass
class Territory:
    id: str
    code: str
    nom: str
    niveau: str
    population: int


@dataclass
class Person:
    entry: dict  # the registry entry, as written
    organisation: str  # where they work
    fonction: str  # their job title there


@dataclass
class World:
    """Everything records may refer to, with the lookups record builders need."""

    rng: random.Random
    prose: Prose
    territories: list[Territory] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    themes_by_domain: list[list[str]] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    meetings: list[tuple[dt.date, str]] = field(default_factory=list)  # sorted by date
    plans_made: int = 0

    def __post_init__(self):
        self.by_level: dict[str, list[Territory]] = {}
        self.organisation_by_id: dict[str, dict] = {}
        self.people_by_org: dict[str, list[Person]] = {}


def read_reference() -> list[dict[str, str]]:
    with open(REFERENCE_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_territories(world: World, records: int) -> None:
    """Region, departments, every EPCI, and a sample of communes whose name-slug is unambiguous."""
    rows = read_reference()
    slug_count: dict[str, int] = {}
    for row in rows:
        slug = referentiel.slugify(row["nom"])
        slug_count[slug] = slug_count.get(slug, 0) + 1
    kept = [row for row in rows if row["niveau"] != "commune"]
    communes = [r for r in rows if r["niveau"] == "commune" and slug_count[referentiel.slugify(r["nom"])] == 1]
    wanted = min(len(communes), 200 + records // 20)
    by_size = sorted(communes, key=lambda r: (-int(r["population"] or 0), r["code"]))
    largest = by_size[: wanted // 2]  # the towns with priority neighbourhoods, always there
    others = by_size[wanted // 2:]
    sample = largest + world.rng.sample(others, wanted - len(largest))
    kept += sorted(sample, key=lambda r: r["code"])
    for row in kept:
        territory = Territory(referentiel.slugify(row["nom"]), row["code"], row["nom"], row["niveau"],
                              int(row["population"] or 0))
        world.territories.append(territory)
        world.by_level.setdefault(territory.niveau, []).append(territory)


def build_themes(world: World, records: int) -> None:
    """A 2-3 level thesaurus: the domains, their sub-themes, then facets of sub-themes."""
    wanted = max(len(DOMAINS), records // 40 + 30)
    roots = [{"id": referentiel.slugify(d["libelle"]), "libelle": d["libelle"], "description": d["description"]}
             for d in DOMAINS]
    level2 = []  # round-robin over the domains, so that every domain gets sub-themes early
    for depth in range(max(len(d["sous_themes"]) for d in DOMAINS)):
        level2 += [(i, d["sous_themes"][depth]) for i, d in enumerate(DOMAINS) if depth < len(d["sous_themes"])]
    rest = wanted - len(roots)
    count2 = min(len(level2), max(0, math.ceil(rest * 0.6)))
    chosen2 = level2[:count2]
    seconds = [{"id": referentiel.slugify(name), "libelle": name, "parent": roots[i]["id"], "_domain": i}
               for i, name in chosen2]
    thirds, round_ = [], 0
    while seconds and len(thirds) < rest - count2:
        for position, parent in enumerate(seconds):
            facet = FACETS[(position + round_) % len(FACETS)]  # a parent never gets a facet twice per round
            suffix = f" – volet {round_ // len(FACETS) + 1}" if round_ >= len(FACETS) else ""
            libelle = f"{parent['libelle']} : {facet}{suffix}"
            thirds.append({"id": referentiel.slugify(libelle), "libelle": libelle, "parent": parent["id"],
                           "_domain": parent["_domain"]})
            if len(thirds) == rest - count2:
                break
        round_ += 1
    for theme in seconds[::3]:
        theme["description"] = f"Ressources, expériences et outils sur {world.prose.objet(theme['_domain'])}."
    world.themes_by_domain = [[root["id"]] for root in roots]
    for theme in seconds + thirds:
        world.themes_by_domain[theme.pop("_domain")].append(theme["id"])
    world.themes = roots + seconds + thirds
    assert len({t["id"] for t in world.themes}) == len(world.themes), "thèmes en double"


class NameIndex:
    """Refuses a name that irev.similar would flag as a near-duplicate of one already taken."""

    def __init__(self):
        self.variants: set[str] = set()

    def free(self, names) -> bool:
        keys = {similar.fold(n) for n in names}
        return not any(v in self.variants for key in keys for v in similar._variants(key))

    def take(self, names) -> None:
        for name in names:
            self.variants.update(similar._variants(similar.fold(name)))


def assert_no_near_duplicates(keys_by_id: dict[str, set[str]], what: str) -> None:
    """The warning `make check` would print, run before writing anything."""
    pairs = similar.near_duplicates(keys_by_id, lambda keys: keys)
    if pairs:
        raise RuntimeError(f"{what} : {len(pairs)} paire(s) de noms trop proches")


def organisation_candidates(world: World) -> tuple[list[dict], list[dict]]:
    """The core institutions, and a shuffled pool of local organisations to draw from."""
    rng = world.rng
    region = world.by_level["region"][0]
    core = [
        {"nom": "IREV – centre de ressources Politique de la ville Hauts-de-France", "sigle": "IREV", "type": "association",
         "territoire": region.id, "site_web": "https://www.irev.fr", "id": "irev"},
        {"nom": f"Conseil régional {region.nom}", "type": "collectivite", "territoire": region.id,
         "anciens_noms": [{"nom": "Conseil régional Nord – Pas-de-Calais", "jusqu_au": 2015},
                          {"nom": "Conseil régional Nord – Pas-de-Calais – Picardie", "jusqu_au": "2016-09"}]},
        {"nom": "Défenseur des droits", "type": "etat", "site_web": "https://www.defenseurdesdroits.fr"},
        {"nom": "Cabinet Trajectoires Conseil", "type": "cabinet"},
        {"nom": "Bureau d'études Intervention Formation Action Recherche", "sigle": "IFAR", "type": "cabinet"},
        {"nom": "Laboratoire Clersé – Université de Lille", "type": "recherche", "territoire": region.id},
    ]
    for dep in world.by_level["departement"]:
        article = DEPARTMENT_ARTICLES.get(dep.code, "de ")
        core += [
            {"nom": f"Conseil départemental {article}{dep.nom}", "type": "collectivite", "territoire": dep.id},
            {"nom": f"Préfecture {article}{dep.nom}", "type": "etat", "territoire": dep.id},
            {"nom": f"Direction départementale de l'emploi, du travail et des solidarités {article}{dep.nom}",
             "sigle": "DDETS", "type": "etat", "territoire": dep.id, "id": f"ddets-{dep.id}",
             "anciens_noms": [{"nom": f"Direction départementale de la cohésion sociale {article}{dep.nom}",
                               "sigle": "DDCS", "jusqu_au": dt.date(2021, 3, 31)}]},
            {"nom": f"Caisse d'allocations familiales {article}{dep.nom}", "sigle": "CAF", "type": "etablissement-public",
             "territoire": dep.id, "id": f"caf-{dep.id}"},
        ]
    pool = []
    prefixes = {"CA ": "Communauté d'agglomération ", "CC ": "Communauté de communes ", "CU ": "Communauté urbaine "}
    for epci in world.by_level["epci"]:
        name = next((full + epci.nom[len(short):] for short, full in prefixes.items() if epci.nom.startswith(short)), epci.nom)
        renamed = name.startswith("Communauté d'agglomération ") and rng.random() < 0.3  # once a communauté de communes
        former = [{"nom": "Communauté de communes " + name[len("Communauté d'agglomération "):],
                   "jusqu_au": rng.randint(2012, 2019)}] if renamed else []
        pool.append({"nom": name, "type": "collectivite", "territoire": epci.id, "anciens_noms": former})
    for commune in world.by_level.get("commune", []):
        elision = "d'" if commune.nom[0] in "AEIOUYÉÈÂÊÎÔ" else "de "
        pool += [
            {"nom": f"Ville {elision}{commune.nom}", "type": "collectivite", "territoire": commune.id},
            {"nom": f"Centre social {rng.choice(QUARTERS)} {elision}{commune.nom}", "type": "association",
             "territoire": commune.id},
            {"nom": f"Association {rng.choice(ASSOCIATIONS)} {elision}{commune.nom}", "type": "association",
             "territoire": commune.id},
            {"nom": f"Mission locale {elision}{commune.nom}", "type": "etablissement-public", "territoire": commune.id},
            {"nom": f"{commune.nom} Habitat", "type": "bailleur", "territoire": commune.id},
        ]
    for family in FAMILY[::4]:
        pool.append({"nom": f"Cabinet {capital(family.lower())} Études et Conseil", "type": "cabinet"})
    rng.shuffle(pool)
    return core, pool


def build_organisations(world: World, records: int) -> None:
    core, pool = organisation_candidates(world)
    wanted, names, ids = records // 30 + 40, NameIndex(), set()
    for candidate in core + pool:
        if len(world.organisations) >= max(wanted, len(core)):
            break
        ident = candidate.get("id") or short_slug(candidate["nom"], 70)
        if ident in ids or not names.free([candidate["nom"]]):
            continue
        names.take([candidate["nom"]])
        ids.add(ident)
        organisation = {"id": ident, **{k: v for k, v in candidate.items() if k != "id"}}
        world.organisations.append(organisation)
        world.organisation_by_id[ident] = organisation
    assert_no_near_duplicates({o["id"]: {similar.fold(o["nom"])} for o in world.organisations}, "organisations")


def name_candidates(rng: random.Random):
    """(given name, family name, is_female) pairs: every simple pair first, then double family names."""
    pairs = [(g, f, True) for g in GIVEN_F for f in FAMILY] + [(g, f, False) for g in GIVEN_M for f in FAMILY]
    rng.shuffle(pairs)
    yield from pairs
    while True:
        female = rng.random() < 0.5
        first, second = rng.sample(FAMILY, 2)
        yield rng.choice(GIVEN_F if female else GIVEN_M), f"{first}-{second}", female


def other_spelling(rng: random.Random, given: str, family: str) -> str:
    """A spelling met in documents: accents dropped, words joined, or one letter changed."""
    plain = referentiel.slugify(given).replace("-", " ").title().replace(" ", "-")
    if " " in family:
        return f"{given} {family.replace(' ', '')}"
    if plain != given:
        return f"{plain} {family}"
    index = rng.randrange(1, len(family))
    letter = "E" if family[index] != "E" else "A"
    return f"{given} {family[:index]}{letter}{family[index + 1:]}"


def build_people(world: World, records: int) -> None:
    rng, wanted = world.rng, records // 5 + 50
    names, people = NameIndex(), []
    organisations = world.organisations
    weights = [8 if o["id"] == "irev" else 1 for o in organisations]
    for given, family, female in name_candidates(rng):
        if len(people) >= wanted:
            break
        spellings = [f"{given} {family}"]
        if rng.random() < 0.1:
            spellings.append(other_spelling(rng, given, family))
        if not names.free(spellings):
            continue
        names.take(spellings)
        organisation = rng.choices(organisations, weights)[0]
        pool = JOBS["irev" if organisation["id"] == "irev" else organisation["type"]]
        job = rng.choice(pool)[1 if female else 0]
        entry = {"id": referentiel.slugify(f"{given} {family}"), "nom": family, "prenom": given,
                 "autres_graphies": spellings[1:], "consentement_publication": True}
        if rng.random() < 0.6:
            entry["fonctions"] = [{"organisation": organisation["id"], "intitule": job,
                                   "depuis": document_date(rng, random_day(rng))}]
        if rng.random() < 0.3:
            domain = organisation.get("site_web", "https://www.exemple.fr").split("//")[1].removeprefix("www.")
            entry["email"] = f"{referentiel.slugify(given)[0]}.{referentiel.slugify(family)}@{domain}"
        if rng.random() < 0.2:
            entry["telephones"] = [f"03 {rng.randint(20, 28)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"]
            entry["coordonnees_publiques"] = rng.random() < 0.5
        people.append(Person(entry, organisation["id"], job))
    for person in rng.sample(people, share(len(people), NO_CONSENT_SHARE)):
        person.entry["consentement_publication"] = False
    people.sort(key=lambda p: p.entry["id"])
    assert len({p.entry["id"] for p in people}) == len(people), "personnes en double"
    assert_no_near_duplicates({p.entry["id"]: {similar.fold(f"{p.entry['prenom']} {p.entry['nom']}"),
                                               *map(similar.fold, p.entry["autres_graphies"])} for p in people},
                              "personnes")
    world.people = people
    for person in people:
        world.people_by_org.setdefault(person.organisation, []).append(person)


# --- Records: shared parts ---------------------------------------------------------------


@dataclass
class Record:
    kind: str
    id: str
    folder: str
    domain: int
    date: dt.date
    meta: dict = field(default_factory=dict)
    body: str = ""


def pick_themes(world: World, domain: int) -> list[str]:
    rng = world.rng
    own = world.themes_by_domain[domain]
    chosen = rng.sample(own, min(len(own), rng.randint(2, 5)))
    for _ in range(rng.randint(0, 2)):
        chosen.append(rng.choice(world.themes_by_domain[rng.randrange(len(DOMAINS))]))
    return list(dict.fromkeys(chosen))


def pick_territories(world: World) -> list[str]:
    rng, chosen = world.rng, []
    if rng.random() < 0.25:
        chosen.append(world.by_level["region"][0].id)
    chosen += [t.id for t in rng.sample(world.by_level["epci"], rng.randint(0, 2))]
    communes = world.by_level.get("commune", [])
    chosen += [t.id for t in rng.sample(communes, min(len(communes), rng.randint(0, 3)))]
    return list(dict.fromkeys(chosen)) or [world.by_level["region"][0].id]


def publics(world: World, domain: int) -> Flow:
    rng = world.rng
    chosen = set(rng.sample(DOMAINS[domain]["publics"], rng.randint(1, 3)))
    if rng.random() < 0.2:
        chosen.add(rng.choice(sorted(models.PUBLICS)))
    return Flow(key for key in models.PUBLICS if key in chosen)


def intervenant(person: Person, with_function: bool = True) -> dict:
    return {"personne": person.entry["id"], "organisation": person.organisation,
            "fonction": person.fonction if with_function else None}


def acting(person: Person, role: str | None) -> dict:
    """Someone in a meeting or a cycle, in a role (None: the default one, an intervention)."""
    return {**intervenant(person), "role": role}


PRECISIONS = ["cofinancement", "prêt de salle", "apports scientifiques", "relais auprès des habitants",
              "mobilisation des professionnels", "ingénierie pédagogique", "volet emploi", "volet logement"]
UNLISTED = ["Les entreprises du territoire", "Collectif d'habitants du quartier", "Réseau des conseils citoyens",
            "Associations de locataires"]


def partners(world: World, low: int, high: int, roles: list[str]) -> list:
    """Organisations associated with a record, each in one of `roles`: a partner sometimes written as its id
    alone, now and then one outside the registry."""
    rng, found = world.rng, []
    for organisation in rng.sample(world.organisations, min(len(world.organisations), rng.randint(low, high))):
        role = rng.choice(roles)
        if role == "partenaire" and rng.random() < 0.5:
            found.append(organisation["id"])
        else:
            found.append({"organisation": organisation["id"], "role": role,
                          "precision": rng.choice(PRECISIONS) if rng.random() < 0.4 else None})
    if rng.random() < 0.1:
        found.append({"nom": rng.choice(UNLISTED), "role": rng.choice(roles)})
    return found


def steering(world: World) -> dict:
    """A comité de pilotage: organisations, some represented by one of their people."""
    rng, members = world.rng, []
    for organisation in rng.sample(world.organisations, rng.randint(2, 5)):
        staff = world.people_by_org.get(organisation["id"])
        members.append(intervenant(rng.choice(staff)) if staff and rng.random() < 0.4 else {"organisation": organisation["id"]})
    return {"mission": rng.choice(["Valide le programme et suit sa mise en œuvre.", "Se réunit deux fois par an.", None]),
            "membres": members}


def some_people(world: World, low: int, high: int) -> list[Person]:
    return world.rng.sample(world.people, min(len(world.people), world.rng.randint(low, high)))


DOCUMENT_LABELS = {"compte-rendu": "Compte rendu", "synthese": "Synthèse", "presentation": "Support de présentation",
                   "programme": "Programme", "plan": "Document du plan", "grille": "Grille", "questionnaire": "Questionnaire",
                   "fiche": "Fiche"}
LINK_LABELS = {"replay": "Replay", "video": "Vidéo", "synthese": "Synthèse en ligne", "page": "Page ressource",
               "webdocumentaire": "Webdocumentaire", "article": "Article"}


def documents(world: World, title: str, kinds: list[str], low: int, high: int) -> list[dict]:
    rng, found = world.rng, []
    for kind in rng.sample(kinds, min(len(kinds), rng.randint(low, high))):
        name = f"{DOCUMENT_LABELS[kind]} – {title}"
        found.append({"titre": name, "type": kind,
                      "url": f"https://www.irev.fr/sites/default/files/atoms/files/{short_slug(name, 60)}.pdf",
                      "format": "PDF", "poids": f"{rng.randint(4000, 300000) / 100:.2f} Ko"})
    return found


def links(world: World, title: str, low: int, high: int) -> list[dict]:
    rng, found = world.rng, []
    slug = short_slug(title, 60)
    for kind in rng.sample(sorted(LINK_LABELS), rng.randint(low, high)):
        if kind in ("replay", "video"):
            code = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(11))
            url = f"https://www.youtube.com/watch?v={code}"
        elif kind == "synthese":
            url = f"https://www.irev.fr/sites/default/files/atoms/files/synthese-{slug}.pdf"
        else:
            url = f"https://www.irev.fr/thematiques/{kind}/{slug}"
        found.append({"titre": f"{LINK_LABELS[kind]} : {title}", "url": url, "type": kind})
    return found


def sources(world: World, domain: int, low: int, high: int) -> list[dict]:
    rng = world.rng
    found = []
    for _ in range(rng.randint(low, high)):
        objet = world.prose.objet(domain)
        title = capital(f"étude sur {objet} ({rng.randint(2008, 2024)})")
        found.append({"titre": title, "url": f"https://www.irev.fr/ressources/{short_slug(objet, 50)}"
                      if rng.random() < 0.6 else None})
    return found


def meeting_near(world: World, day: dt.date, after: bool, reach: int = 20) -> str | None:
    """A meeting just before (or just after) a date, if there is one."""
    index = bisect_left(world.meetings, (day, ""))
    window = world.meetings[index: index + reach] if after else world.meetings[max(0, index - reach): index]
    return world.rng.choice(window)[1] if window else None


def document_date(rng: random.Random, day: dt.date):
    """A date with the precision a document gives: a full date, a month or a year."""
    roll = rng.random()
    if roll < 0.5:
        return day
    return day.year if roll < 0.8 else f"{day.year}-{day.month:02d}"


def source_date(rng: random.Random, day: dt.date):
    """A date as an older source gives it: a document's precisions, sometimes a day without its year
    (« le 6 novembre dernier ») or with the source's wording beside it."""
    roll = rng.random()
    if roll < 0.08:
        return {"date": f"--{day.month:02d}-{day.day:02d}",
                "precision": f"« le {day.day} {MONTHS[day.month - 1]} dernier », année non précisée"}
    if roll < 0.15:
        return {"date": f"{day.year}-{day.month:02d}", "precision": f"« courant {MONTHS[day.month - 1]} »"}
    return document_date(rng, day)


def unrecorded_meeting(rng: random.Random, title: str, day: dt.date) -> dict:
    """A meeting that has no record (older than the archive): its subject and the month the source gives."""
    return {"intitule": f"{title} {rng.choice(UNRECORDED)}", "date": f"{day.year}-{day.month:02d}"}


def common(world: World, record: Record, title: str) -> dict:
    """The fields every record type shares, in the order of the real files."""
    return {"titre": title, "statut": "publie", "publics_cibles": publics(world, record.domain)}


def tail(world: World, record: Record, title: str, kinds: list[str]) -> dict:
    """Classification and attachments, after the type-specific header."""
    rng = world.rng
    attached = documents(world, title, kinds, 0, 3)
    if attached and rng.random() < HOSTED_SHARE:
        attached[0]["fichier"] = f"{record.date.year}/{record.id}.pdf"
        del attached[0]["poids"]  # a hosted file's size is computed from the file
    return {"themes": pick_themes(world, record.domain), "territoires": pick_territories(world),
            "documents": attached, "liens": links(world, title, 0, 3),
            "personnes_citees": [intervenant(p) for p in some_people(world, 1, 3)] if rng.random() < 0.2 else []}


def body(world: World, record: Record, mention: str | None) -> str:
    """2-6 paragraphs of 40-90 words, sometimes under headings, with an optional inline mention."""
    rng, prose = world.rng, world.prose
    count = rng.randint(2, 6)
    where = rng.randrange(count) if mention else -1  # that paragraph leaves room for « Voir aussi … »
    paragraphs = [prose.paragraph(record.domain, 40, 87 if index == where else 90) for index in range(count)]
    if mention:
        paragraphs[where] += f" Voir aussi {mention}."
    parts, headings = [], rng.sample(HEADINGS, len(HEADINGS))
    for index, paragraph in enumerate(paragraphs):
        if index and rng.random() < 0.25:
            parts.append(f"## {headings.pop()}")
        parts.append("\n".join(wrap(paragraph)))
    return "\n\n".join(parts) + "\n"


def mention_for(world: World, record: Record) -> str:
    rng = world.rng
    kind = rng.choice(["personne", "theme", "organisation", "reunion"])
    if kind == "personne":  # someone who may be named on the site
        person = rng.choice(world.people)
        while not person.entry["consentement_publication"]:
            person = rng.choice(world.people)
        ident = person.entry["id"]
    elif kind == "theme":
        ident = rng.choice(world.themes)["id"]
    elif kind == "organisation":
        ident = rng.choice(world.organisations)["id"]
    else:
        ident = rng.choice(world.meetings)[1] if world.meetings else record.id
        if ident == record.id:  # no other meeting to point at
            return f"[[theme:{world.themes[0]['id']}]]"
    return f"[[{kind}:{ident}]]"


# --- Meetings ----------------------------------------------------------------------------

MEETING_TYPES = [("reunion-de-reseau", "reunion", 0.6), ("rencontre-regionale", "rencontre", 0.2),
                 ("webinaire", "webinaire", 0.12), ("seminaire", "seminaire", 0.08)]
MEETING_LABELS = {"reunion-de-reseau": "Réunion de réseau", "rencontre-regionale": "Rencontre régionale",
                  "webinaire": "Webinaire", "seminaire": "Séminaire", "atelier": "Atelier"}
ATELIER_SHARE = 0.05  # meetings that are ateliers held during a regional day (evenement_parent)
HOURS = [("9:00", "12:00"), ("9:30", "12:00"), ("9:30", "12:30"), ("10:00", "12:30"), ("14:00", "16:30"),
         ("13:30", "16:30"), ("14:00", "17:00"), ("9:00", "16:30")]


def series_sizes(rng: random.Random, total: int) -> list[int]:
    """Series of 3 to 10 meetings adding up to total (a shorter one only if total < 3)."""
    sizes, left = [], total
    while left > 0:
        size = min(left, rng.randint(3, 10))
        if 0 < left - size < 3:
            size = left if left <= 10 else left - 3
        sizes.append(size)
        left -= size
    return sizes


def plan_meetings(world: World, count: int, first_index: int) -> list[Record]:
    """Ids, dates and series links of every meeting, before any content (mentions need the ids)."""
    rng, records, index = world.rng, [], first_index
    ateliers = share(count, ATELIER_SHARE) if count > 1 else 0
    for series_number, size in enumerate(series_sizes(rng, count - ateliers), 1):
        domain = rng.randrange(len(DOMAINS))
        kind, word = rng.choices([(t, w) for t, w, _ in MEETING_TYPES], [p for *_, p in MEETING_TYPES])[0]
        gap = (200, 420) if kind == "rencontre-regionale" else (40, 150)
        gaps = [rng.randint(*gap) for _ in range(size - 1)]
        latest = LAST_DAY - dt.timedelta(days=sum(gaps) + 2 * size + 3)  # weekend shifts add up to 2 days a step
        day = random_day(rng, FIRST_DAY, max(FIRST_DAY, latest))
        serie = f"{word}-{DOMAINS[domain]['reseau'][0]}-{series_number}"
        organiser = "irev" if rng.random() < 0.7 else rng.choice(world.organisations)["id"]
        chain = []
        for step in range(size):
            if step:
                day = weekday(day + dt.timedelta(days=gaps[step - 1]))
            index += 1
            ident = f"{day.isoformat()}-{word}-{DOMAINS[domain]['reseau'][0]}-{index}"
            record = Record("reunion", ident, "meetings", domain, day)
            record.meta = {"type": kind, "serie": serie if size > 1 else None, "organisateur": organiser}
            chain.append(record)
        for before, after in zip(chain, chain[1:]):
            before.meta["suivante"], after.meta["precedente"] = after.id, before.id
        if size > 1 and rng.random() < 0.3:  # the series began before the archive
            earlier = chain[0].date - dt.timedelta(days=gaps[0])
            label = f"{MEETING_LABELS[kind]} {DOMAINS[domain]['reseau'][1]}"
            chain[0].meta["precedente"] = unrecorded_meeting(rng, label, earlier)
        records += chain
    records += plan_ateliers(world, records, ateliers, index)
    world.meetings = sorted((r.date, r.id) for r in records)
    return records


def plan_ateliers(world: World, meetings: list[Record], count: int, last_index: int) -> list[Record]:
    """Ateliers held during regional days (any meeting when there is none), on the same day; a few during
    a day the archive has no record of."""
    rng, found = world.rng, []
    days = [r for r in meetings if r.meta["type"] == "rencontre-regionale"] or meetings
    for index in range(last_index + 1, last_index + 1 + count):
        parent = rng.choice(days)
        ident = f"{parent.date.isoformat()}-atelier-{DOMAINS[parent.domain]['reseau'][0]}-{index}"
        within = parent.id if rng.random() < 0.8 else {
            "intitule": f"Journée régionale des acteurs {DOMAINS[parent.domain]['reseau'][1]}", "date": parent.date}
        found.append(Record("reunion", ident, "meetings", parent.domain, parent.date, {
            "type": "atelier", "serie": None, "organisateur": parent.meta["organisateur"], "evenement_parent": within}))
    return found


def agenda(world: World, record: Record, parts: int) -> list[dict]:
    prose, rng = world.prose, world.rng
    titles = ["Actualités des territoires"] + [capital(prose.objet(record.domain)) for _ in range(parts - 2)] + ["Perspectives"]
    ordinal = ["1re", "2e", "3e"]
    return [{"titre": f"{ordinal[i]} partie : {title}",
             "points": [capital(prose.item(record.domain)) for _ in range(rng.randint(2, 4))]}
            for i, title in enumerate(titles[:parts])]


def interventions(world: World, record: Record, present: list[Person], parts: int) -> list[dict]:
    rng, prose = world.rng, world.prose
    found = []
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(["presentation", "presentation", "temoignage", "retour", "echanges", "perspectives"])
        speakers = rng.sample(present, min(len(present), rng.randint(1, 2)))
        objet = prose.objet(record.domain)
        host = world.organisation_by_id[speakers[0].organisation]
        organisation = host.get("sigle") or host["nom"]
        title = {"presentation": f"Présentation de la démarche sur {objet}",
                 "temoignage": f"Témoignage : {organisation}",
                 "retour": "Retour sur la réunion précédente",
                 "echanges": capital(f"échanges sur {objet}"),
                 "perspectives": "Les perspectives du réseau"}[kind]
        reactions = []
        for _ in range(rng.randint(0, 3)):
            who = rng.choice(present)
            reactions.append({"intervenant": None if rng.random() < 0.15 else intervenant(who, False),
                              "propos": prose.sentences(record.domain, 1, 3)})
        found.append({
            "titre": title, "type": kind, "partie": rng.randint(1, parts),
            "intervenants": [{"organisation": speakers[0].organisation}] if rng.random() < 0.15
            else [acting(p, "moderation" if index and rng.random() < 0.3 else None) for index, p in enumerate(speakers)],
            "resume": prose.block(record.domain, 1, 3) if rng.random() < 0.5 else prose.sentences(record.domain, 2, 4),
            "reactions": reactions,
            "personnes_citees": [intervenant(p, False) for p in some_people(world, 1, 2)] if rng.random() < 0.2 else [],
        })
    return found


MEETING_ROLES = ["animation", "moderation", "introduction", "conclusion", "grand-temoin"]


def fill_meeting(world: World, record: Record) -> None:
    rng, prose = world.rng, world.prose
    kind, label = record.meta["type"], MEETING_LABELS[record.meta["type"]]
    network = DOMAINS[record.domain]["reseau"][1]
    title = f"{label} {network} du {date_fr(record.date)}"
    people = rng.sample(world.people, min(len(world.people), rng.randint(8, 25)))
    people.sort(key=lambda p: (p.entry["nom"], p.entry["prenom"]))
    absent = {p.entry["id"] for p in people if rng.random() < 0.12}
    present = [p for p in people if p.entry["id"] not in absent] or people
    form = "visio" if kind == "webinaire" else rng.choice(["visio", "presentiel", "presentiel", "hybride"])
    start, end = rng.choice(HOURS) if rng.random() < 0.9 else (rng.choice(MOMENTS), None)
    parts = rng.randint(2, 3)
    organiser = record.meta["organisateur"]
    commune = rng.choice(world.by_level.get("commune") or world.by_level["epci"])
    meta = common(world, record, title)
    meta.update({
        "resume": (f"{label} consacré{'' if kind in ('seminaire', 'webinaire', 'atelier') else 'e'} {to(prose.objet(record.domain))} "
                   f"{rng.choice(COMPLEMENTS)}. " + prose.sentences(record.domain, 0, 1)).strip(),
        "type": kind, "date": record.date, "heure_debut": start, "heure_fin": end, "format": form,
        "lieu": f"Maison de quartier {rng.choice(QUARTERS)}, {commune.nom}" if form != "visio" else None,
        "organisateur": organiser, "serie": record.meta["serie"],
        "precedente": record.meta.get("precedente"), "suivante": record.meta.get("suivante"),
        "evenement_parent": record.meta.get("evenement_parent"),
        "nombre_participants": len(present), "nombre_territoires": rng.randint(3, 15),
        "intervenants": [acting(p, role) for p, role in zip(present, rng.sample(MEETING_ROLES, rng.randint(0, 3)))],
        "partenaires": partners(world, 1, 3, ["co-organisateur", "accueil", "partenaire", "financeur", "intervenant"])
        if rng.random() < 0.4 else [],
            })
    meta.update(tail(world, record, title, ["compte-rendu", "presentation", "programme", "synthese"]))
    meta.update({
        "participants": [{**intervenant(p), "presence": "excuse" if p.entry["id"] in absent else None} for p in people],
        "ordre_du_jour": agenda(world, record, parts),
        "interventions": interventions(world, record, present, parts),
        "perspectives": [prose.statement(record.domain) for _ in range(rng.randint(2, 4))],
    })
    record.meta = meta


# --- Cycles ------------------------------------------------------------------------------

GROUPS = [("delegues-du-prefet", "Délégués du préfet et services de l'État"),
          ("chefs-de-projet-pv", "Chefs de projet Politique de la ville des EPCI et des communes"),
          ("centres-sociaux", "Professionnels des centres sociaux et maisons de quartier"),
          ("elus", "Élus délégués à la politique de la ville")]
CYCLE_TYPES = [("cycle-de-qualification", "cycle", "Cycle de qualification"),
               ("parcours-qualifiant", "parcours", "Parcours qualifiant"), ("formation", "formation", "Formation")]


def sessions_of(world: World, record: Record, day: dt.date, count: int, number: int, groups: list[str]) -> list[dict]:
    rng, prose = world.rng, world.prose
    found = []
    for _ in range(count):
        form = rng.choice(["visio", "presentiel", "hybride"])
        kind = "webinaire" if form == "visio" and rng.random() < 0.5 else rng.choice(["demi-journee", "journee", "atelier", "visite"])
        if groups:
            slots = [{"date": day, "heure_debut": "9:00", "heure_fin": "12:00", "groupe": groups[0]},
                     {"date": day, "heure_debut": "13:30", "heure_fin": "16:30", "groupe": groups[1]}]
        elif kind == "journee":
            two_days = day.weekday() < 4 and rng.random() < 0.3
            slots = [{"date": day, "date_fin": day + dt.timedelta(days=1) if two_days else None,
                      "heure_debut": "journee" if not two_days and rng.random() < 0.5 else None}]
        elif form == "presentiel" and rng.random() < 0.2:
            slots = repeated_in_territories(world, day)
        else:
            start, end = rng.choice(HOURS) if rng.random() < 0.85 else (rng.choice(MOMENTS[:2]), None)
            slots = [{"date": day, "heure_debut": start, "heure_fin": end}]
        commune = rng.choice(world.by_level.get("commune") or world.by_level["epci"])
        found.append({"numero": number, "titre": capital(prose.item(record.domain)), "type": kind, "format": form,
                      "lieu": f"Centre social {rng.choice(QUARTERS)}, {commune.nom}"
                      if form != "visio" and "lieu" not in slots[0] else None,
                      "creneaux": slots, "contenus": prose.items(record.domain, 2, 4)})
        number += 1
        day = weekday(day + dt.timedelta(days=rng.randint(7, 21)))
    return found


def repeated_in_territories(world: World, day: dt.date) -> list[dict]:
    """One session held in two to four territories, a week apart, each at its own place."""
    rng = world.rng
    places = world.by_level.get("commune") or world.by_level["epci"]
    return [{"date": weekday(day + dt.timedelta(days=7 * step)), "lieu": f"Centre social {rng.choice(QUARTERS)}, {place.nom}",
             "territoire": place.id} for step, place in enumerate(rng.sample(places, min(len(places), rng.randint(2, 4))))]


def fill_cycle(world: World, record: Record) -> None:
    rng, prose = world.rng, world.prose
    kind, _, label = record.meta["cycle_type"]
    objet = prose.objet(record.domain)
    title = f"{label} « {capital(objet)} »"
    groups = rng.sample(GROUPS, 2) if rng.random() < 0.4 else []
    group_ids = [g[0] for g in groups]
    phases, day, number = [], record.date, 1
    for index in range(rng.randint(1, 3)):
        count = rng.randint(1, 3)
        phases.append({"titre": f"{ORDINALS[index]} phase", "sous_titre": capital(prose.objet(record.domain)),
                       "sessions": sessions_of(world, record, day, count, number, group_ids)})
        number += count
        day = weekday(day + dt.timedelta(days=21 * count + rng.randint(7, 30)))
    if number > 2 and rng.random() < 0.1:
        phases[-1]["sessions"][-1]["creneaux"] = []  # announced, its date not known yet
    organiser = "irev" if rng.random() < 0.8 else rng.choice(world.organisations)["id"]
    staff = world.people_by_org.get(organiser) or world.people
    contact = rng.choice(staff)
    meta = common(world, record, title)
    meta.update({
        "sous_titre": capital(f"des clés pour agir sur {objet}") if rng.random() < 0.5 else None,
        "resume": f"{label} consacré {to(objet)} {rng.choice(COMPLEMENTS)}, à partir du {date_fr(record.date)}.",
    })
    meta.update(tail(world, record, title, ["programme", "presentation", "synthese"]))
    meta.update({
        "type": kind, "organisateur": organiser, "format": rng.choice(["visio", "presentiel", "hybride"]),
        "contexte": prose.block(record.domain, 1, 3), "publics": rng.sample(ACTORS, rng.randint(2, 5)),
        "groupes": [{"id": g, "libelle": libelle} for g, libelle in groups],
        "finalite": prose.statement(record.domain), "objectifs": prose.items(record.domain, 3, 5),
        "intervenants": [acting(p, role) for p, role in zip(some_people(world, 1, 3), ("fil-rouge", None, "animation"))],
        "comite_pilotage": steering(world) if rng.random() < 0.3 else None,
        "partenaires": partners(world, 2, 12, ["co-organisateur", "partenaire", "financeur", "intervenant", "accueil",
                                               "soutien"]) if rng.random() < 0.5 else [],
        "phases": phases,
        "inscription": {"url": f"https://www.irev.fr/agenda/{short_slug(title, 60)}",
                        "date_limite": record.date - dt.timedelta(days=rng.randint(7, 21)),
                        "modalites": prose.statement(record.domain)} if rng.random() < 0.7 else None,
        "contact": {**intervenant(contact), "email": contact.entry.get("email"), "coordonnees_publiques": False}
        if rng.random() < 0.8 else None,
        "annonce_dans": announced_in(world, record.date),
        "bilan": prose.paragraph(record.domain) if record.date.year < 2025 and rng.random() < 0.4 else None,
    })
    record.meta = meta


def announced_in(world: World, day: dt.date):
    """The meeting a cycle was announced in: one of the archive, or one that has no record."""
    rng = world.rng
    if rng.random() < 0.5:
        return meeting_near(world, day, after=False)
    return unrecorded_meeting(rng, "Comité de pilotage du contrat de ville", day - dt.timedelta(days=60)) \
        if rng.random() < 0.1 else None


# --- Plans -------------------------------------------------------------------------------

PLAN_TYPES = [("ptlcd", 0.45), ("plan-egalite-femmes-hommes", 0.30), ("feuille-de-route", 0.15), ("autre", 0.10)]
PLAN_STAGES = [("adopte", 0.6), ("en-evaluation", 0.1), ("acheve", 0.1), ("en-elaboration", 0.1), ("diagnostic", 0.1)]
PLAN_ONLY = ("periode", "cadre", "priorites", "leviers", "axes", "fiches_action", "actions_engagees", "actions_partenaires",
             "partenaires")  # what a diagnostic made before any plan does not have yet


def fiches_action(world: World, domain: int, axes: list[str]) -> list[dict]:
    rng, prose = world.rng, world.prose
    return [{"numero": str(number), "titre": capital(prose.item(domain)), "axe": rng.choice(axes),
             "constat": prose.sentences(domain, 1, 3), "objectifs": prose.items(domain, 1, 3),
             "recommandations": prose.items(domain, 1, 3), "preconisations": prose.items(domain, 1, 3),
             "moyens": prose.items(domain, 1, 3), "prealables": prose.items(domain, 1, 2),
             "acteurs": rng.sample(ACTORS, rng.randint(1, 3)),
             "vigilance": [prose.vigilance(domain) for _ in range(rng.randint(1, 2))],
             "effets_attendus": prose.items(domain, 1, 3)}
            for number in range(1, rng.randint(3, 8) + 1)]


def actions(world: World, domain: int, axes: list[str], low: int, high: int, year: int) -> list[dict]:
    rng, prose = world.rng, world.prose
    moments = [f"{capital(MONTHS[rng.randrange(12)])} {year}", f"Depuis {year - 1}", f"À partir de {MONTHS[rng.randrange(12)]} {year}",
               f"{year}-{year + 2}", "En cours"]
    return [{"action": capital(prose.item(domain)), "description": prose.sentences(domain, 1, 2),
             "porteur": rng.choice(world.organisations)["nom"], "axe": rng.choice(axes), "echeance": rng.choice(moments)}
            for _ in range(rng.randint(low, high))]


def fill_plan(world: World, record: Record) -> None:
    rng, prose = world.rng, world.prose
    kind = record.meta["plan_type"]
    bearer = record.meta["porteur"]
    names = {"ptlcd": "Plan territorial de lutte contre les discriminations",
             "plan-egalite-femmes-hommes": "Plan d'action égalité femmes-hommes",
             "feuille-de-route": f"Feuille de route « {capital(prose.objet(record.domain))} »",
             "autre": f"Programme d'actions « {capital(prose.objet(record.domain))} »"}
    # Every stage once among the first plans (a small corpus exercises them all), then by weight.
    world.plans_made += 1
    stage = PLAN_STAGES[world.plans_made - 1][0] if world.plans_made <= len(PLAN_STAGES) else \
        rng.choices([s for s, _ in PLAN_STAGES], [w for _, w in PLAN_STAGES])[0]
    title = f"{'Diagnostic territorial' if stage == 'diagnostic' else names[kind]} – {bearer['nom']}"
    axes_titles = [f"Axe {i} : {capital(o)}" for i, o in enumerate(prose.distinct_objets(record.domain, rng.randint(2, 4)), 1)]
    year, start = record.date.year, rng.randint(record.date.year - 1, record.date.year)
    key_dates = sorted(random_day(rng, dt.date(year - 1, 1, 1), dt.date(year, 12, 31)) for _ in range(rng.randint(2, 4)))
    contact = rng.choice(world.people_by_org.get(bearer["id"]) or world.people)
    analysts = [o for o in world.organisations if o["type"] in ("cabinet", "recherche")]
    meta = common(world, record, title)
    meta["resume"] = prose.sentences(record.domain, 1, 2)
    meta.update(tail(world, record, title, ["plan", "synthese", "presentation"]))
    meta.update({
        "type": kind, "etape": stage, "territoire": bearer["territoire"], "porteur": bearer["id"],
        "date": document_date(rng, record.date), "periode": {"debut": start, "fin": start + rng.randint(3, 6)},
        "cadre": f"annexe du contrat de ville {start}-{start + 5}" if rng.random() < 0.6 else None,
        "partiel": rng.random() < 0.1,
        "dates_cles": [{"date": source_date(rng, d), "evenement": rng.choice(EVENTS)} for d in key_dates],
        "contexte": prose.block(record.domain, 2, 4),
        "diagnostic": {"date": source_date(rng, random_day(rng, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))),
                       "realise_par": rng.choice(analysts)["id"], "methode": prose.paragraph(record.domain),
                       "constats": [prose.statement(record.domain) for _ in range(rng.randint(3, 5))],
                       "chiffres": [prose.figure(year - 1) for _ in range(rng.randint(2, 4))]},
        "priorites": prose.items(record.domain, 2, 4),
        "leviers": [{"titre": capital(prose.objet(record.domain)), "actions": prose.items(record.domain, 1, 3)}
                    for _ in range(rng.randint(0, 2))],
        "axes": [{"titre": a, "description": prose.statement(record.domain), "actions": prose.items(record.domain, 2, 5)}
                 for a in axes_titles],
        "fiches_action": fiches_action(world, record.domain, axes_titles),
        "actions_engagees": actions(world, record.domain, axes_titles, 2, 5, year),
        "actions_partenaires": actions(world, record.domain, axes_titles, 0, 3, year),
        "gouvernance": prose.sentences(record.domain, 1, 3),
        "comite_pilotage": steering(world) if rng.random() < 0.4 else None,
        "partenaires": partners(world, 2, 8, ["partenaire", "signataire", "diagnostic", "partie-prenante", "financeur",
                                              "soutien"]),
        "contact": intervenant(contact) if rng.random() < 0.7 else None,
        "sources": sources(world, record.domain, 1, 2),
        "presentations": presentations(world, record.date),
    })
    if stage == "diagnostic":
        meta.update(dict.fromkeys(PLAN_ONLY))
    record.meta = meta


def presentations(world: World, day: dt.date) -> list[dict]:
    rng = world.rng
    meeting = meeting_near(world, day, after=True) if rng.random() < 0.4 else None
    if meeting is None and rng.random() < 0.05:
        meeting = unrecorded_meeting(rng, "Réunion des partenaires du contrat de ville", day + dt.timedelta(days=30))
    if meeting is None:
        return []
    return [{"reunion": meeting, "intervenants": [intervenant(p) for p in some_people(world, 1, 2)]}]


# --- Fiches ------------------------------------------------------------------------------

FICHE_TYPES = {"grille": "Grille d'analyse des projets au regard {dO}", "referentiel": "Référentiel d'évaluation : {O}",
               "questionnaire": "Questionnaire sur {O}", "guide": "Guide pratique : {O}",
               "outil-auto-evaluation": "Échelle de maturité : {O}", "fiche-juridique": "Fiche juridique : {O}",
               "enquete": "Enquête de perception sur {O}"}


def grid(world: World, domain: int) -> dict:
    rng, prose = world.rng, world.prose
    parts = ["Diagnostic", "Objectifs", "Public-cible et mobilisation du public", "Moyens", "Évaluation"]
    questions = []
    for number in range(1, rng.randint(4, 8) + 1):
        questions.append({"id": f"{number}{'a' if rng.random() < 0.15 else ''}", "partie": rng.choice(parts),
                          "texte": prose.question(domain)})
    marks = rng.randint(2, 3)
    return {"questions": questions,
            "reponses": ["Oui", "Non", "En partie"] if rng.random() < 0.3 else ["Oui", "Non"],
            "regles": [{"resultat": f"Marqueur {marks - 1 - i}",
                        "condition": f"Si {rng.randint(1, len(questions))} réponses positives ou plus."
                        if i < marks - 1 else "Pour les autres cas."} for i in range(marks)]}


def contact_of(world: World, authors: list[dict]) -> dict:
    """Someone of an authoring organisation, their details public or not (shown only with consent)."""
    rng = world.rng
    person = rng.choice(world.people_by_org.get(authors[0].get("organisation")) or world.people)
    return {**intervenant(person), "email": person.entry.get("email"), "coordonnees_publiques": rng.random() < 0.5}


def fill_fiche(world: World, record: Record) -> None:
    rng, prose = world.rng, world.prose
    kind = record.meta["fiche_type"]
    objet = record.meta["objet"]
    title = capital(FICHE_TYPES[kind].format(O=objet, dO=of(objet)))
    authors = [{"organisation": o["id"]} for o in rng.sample(world.organisations, rng.randint(1, 2))]
    if rng.random() < 0.3:
        authors.append(intervenant(rng.choice(world.people), False))
    meta = common(world, record, title)
    meta["resume"] = prose.sentences(record.domain, 1, 2)
    meta.update(tail(world, record, title, ["fiche", "grille", "questionnaire", "synthese"]))
    meta.update({
        "type": kind, "sous_titre": capital(f"à l'usage {of(uncapital(rng.choice(ACTORS)))}") if rng.random() < 0.3 else None,
        "date": document_date(rng, record.date), "auteurs": authors, "publie_avec": record.meta.get("publie_avec"),
        "objet": f"Aider les acteurs locaux à {uncapital(prose.item(record.domain))}. " + prose.statement(record.domain),
        "publics": rng.sample(ACTORS, rng.randint(1, 3)),
        "domaines": [{"titre": capital(part),
                      "description": prose.statement(record.domain) if rng.random() < 0.6 else None,
                      "questions": [prose.question(record.domain) for _ in range(rng.randint(2, 4))]}
                     for part in prose.distinct_objets(record.domain, rng.randint(3, 7))],
        "feuillets": sheets(world, record.domain) if kind == "guide" else [],
        "grille": grid(world, record.domain) if kind == "grille" or rng.random() < 0.2 else None,
        "mode_emploi": prose.block(record.domain, 1, 2) if rng.random() < 0.7 else None,
        "contact": contact_of(world, authors) if rng.random() < 0.3 else None,
        "sources": sources(world, record.domain, 0, 2),
        "partenaires": partners(world, 1, 2, ["partenaire", "soutien", "financeur"]) if rng.random() < 0.3 else [],
        "presentations": presentations(world, record.date),
    })
    record.meta = meta


# --- The whole tree ----------------------------------------------------------------------


def counts(records: int) -> dict[str, int]:
    """Records per type, in the stated proportions and adding up exactly."""
    found = {kind: share(records, ratio) for kind, ratio in SHARES[:-1]}
    found["fiche"] = max(0, records - sum(found.values()))
    return found


def plan_others(world: World, how_many: dict[str, int], first_index: int) -> list[Record]:
    """Ids and dates of cycles, plans and fiches."""
    rng, records, index = world.rng, [], first_index
    bearers = [o for o in world.organisations if o["type"] == "collectivite" and o.get("territoire")]
    for _ in range(how_many["cycle"]):
        index += 1
        cycle_type = rng.choice(CYCLE_TYPES)
        domain, day = rng.randrange(len(DOMAINS)), random_day(rng, FIRST_DAY, dt.date(2025, 3, 1))
        ident = f"{day:%Y-%m}-{cycle_type[1]}-{short_slug(DOMAINS[domain]['reseau'][1])}-{index}"
        records.append(Record("cycle", ident, "cycles", domain, day, {"cycle_type": cycle_type}))
    for _ in range(how_many["plan"]):
        index += 1
        kind = rng.choices([k for k, _ in PLAN_TYPES], [w for _, w in PLAN_TYPES])[0]
        domain = {"ptlcd": 0, "plan-egalite-femmes-hommes": 1}.get(kind, rng.randrange(len(DOMAINS)))
        bearer, day = rng.choice(bearers), random_day(rng)
        ident = f"{day.year}-{kind}-{short_slug(bearer['id'], 40)}-{index}"
        records.append(Record("plan", ident, "plans", domain, day, {"plan_type": kind, "porteur": bearer}))
    for _ in range(how_many["fiche"]):
        index += 1
        kind, domain, day = rng.choice(sorted(FICHE_TYPES)), rng.randrange(len(DOMAINS)), random_day(rng)
        objet = world.prose.objet(domain)
        ident = f"{day.year}-{kind}-{short_slug(objet, 40)}-{index}"
        records.append(Record("fiche", ident, "fiches", domain, day, {"fiche_type": kind, "objet": objet}))
    pair_twins(rng, [r for r in records if r.kind == "fiche"])
    return records


def pair_twins(rng: random.Random, fiches: list[Record]) -> None:
    """Some guides published with a tool (publie_avec): the guide names it, both pages show the pair."""
    for guide in fiches:
        if guide.meta["fiche_type"] == "guide" and len(fiches) > 1 and rng.random() < 0.4:
            guide.meta["publie_avec"] = rng.choice([f for f in fiches if f is not guide]).id


def sheets(world: World, domain: int) -> list[dict]:
    """The tool sheets a guide bundles, in order, with their pages (a one-page sheet has no page_fin)."""
    rng, found, page = world.rng, [], world.rng.randint(3, 8)
    for number in range(1, rng.randint(3, 6) + 1):
        length = rng.randint(1, 6)
        found.append({"titre": f"Fiche {number} : {capital(world.prose.item(domain))}", "page_debut": page,
                      "page_fin": page + length - 1 if length > 1 else None})
        page += length
    return found


FILLERS = {"reunion": fill_meeting, "cycle": fill_cycle, "plan": fill_plan, "fiche": fill_fiche}


def build(records: int, seed: int) -> tuple[World, list[Record]]:
    """The registries and every record, in memory."""
    rng = random.Random(seed)
    world = World(rng, Prose(rng))
    build_territories(world, records)
    build_themes(world, records)
    build_organisations(world, records)
    build_people(world, records)
    how_many = counts(records)
    all_records = plan_meetings(world, how_many["reunion"], 0)
    all_records += plan_others(world, how_many, len(all_records))
    assert len({r.id for r in all_records}) == len(all_records), "identifiants en double"
    drafts = set(rng.sample(range(records), share(records, DRAFT_SHARE)))
    mentioned = set(rng.sample(range(records), share(records, MENTION_SHARE)))
    for index, record in enumerate(all_records):
        FILLERS[record.kind](world, record)
        if index in drafts:
            record.meta["statut"] = "brouillon"
        record.body = body(world, record, mention_for(world, record) if index in mentioned else None)
    return world, all_records


def write_tree(out: Path, world: World, records: list[Record]) -> None:
    for folder in ("meetings", "cycles", "plans", "fiches", "registre", "pieces-jointes"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    registre = out / "registre"
    _write(registre / "personnes.yml", registry_file(
        "Personnes (corpus généré). Fonctions : hors participation aux réunions.", [p.entry for p in world.people]))
    _write(registre / "organisations.yml", registry_file("Organisations (corpus généré).", world.organisations))
    _write(registre / "themes.yml", registry_file("Thésaurus des thématiques (corpus généré).", world.themes))
    codes = "".join(f'- code: "{t.code}"\n' for t in world.territories)
    _write(registre / "territoires.yml", "# Territoires (corpus généré) : codes officiels, le reste vient du référentiel INSEE.\n"
           + codes)
    for record in records:
        _write(out / record.folder / f"{record.id}.md", front_matter_file(record.meta, record.body))
        for document in record.meta.get("documents", []):
            if "fichier" in document:
                path = out / "pieces-jointes" / document["fichier"]
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(PDF)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


# --- Command line ------------------------------------------------------------------------


class FrenchFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix or "utilisation : ")


class FrenchParser(argparse.ArgumentParser):
    """argparse with its own messages in French."""

    def __init__(self, **kwargs):
        super().__init__(formatter_class=FrenchFormatter, **kwargs)

    def error(self, message: str):
        message = message.replace("the following arguments are required", "arguments obligatoires manquants")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, reçu « {text} »") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"au moins 1 attendu, reçu {value}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = FrenchParser(prog="generate_corpus.py", add_help=False,
                          description="Génère une arborescence de contenu IREV réaliste et valide (réunions, cycles, "
                                      "plans, fiches et registres), pour les mesures de performance et les tests.")
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("--records", type=positive, required=True, metavar="N",
                        help="nombre de ressources à générer (environ 40 %% de réunions, 15 %% de cycles, "
                             "15 %% de plans, 30 %% de fiches)")
    parser.add_argument("--out", type=Path, required=True, metavar="DOSSIER",
                        help="dossier de contenu à créer ; il doit être absent ou vide (rien n'est jamais écrasé)")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="graine du générateur : mêmes N et S donnent une arborescence identique à l'octet près "
                             "(défaut : 1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        print(f"erreur : « {out} » existe et n'est pas un dossier vide ; choisissez un autre dossier "
              "(le générateur n'écrase jamais rien).", file=sys.stderr)
        return 2
    world, records = build(args.records, args.seed)
    write_tree(out, world, records)
    kinds = counts(args.records)
    print(f"{len(records)} ressource(s) écrites dans {out} : {kinds['reunion']} réunion(s), {kinds['cycle']} cycle(s), "
          f"{kinds['plan']} plan(s), {kinds['fiche']} fiche(s) ; {len(world.people)} personne(s), "
          f"{len(world.organisations)} organisation(s), {len(world.themes)} thème(s), "
          f"{len(world.territories)} territoire(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
