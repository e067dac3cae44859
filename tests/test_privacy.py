"""The name of a person without consent never reaches the site, however it is written."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from urllib.parse import unquote

import pytest

from conftest import build_site, own_docs, page_text, run, search_fragments, site_text, write

PERSON = """- id: helene-lefevre
  nom: LEFÈVRE
  prenom: Hélène
  consentement_publication: false
- id: awa-ndiaye
  nom: N'DIAYE
  prenom: Awa
  consentement_publication: false
"""
# The same name written every way an editor (or a pasted document) may write it.
FORMS = [
    "Helene Lefevre",  # without accents
    "Hélène-Lefèvre",  # hyphenated
    "Mme Lefèvre", "Madame LEFEVRE", "M. Lefèvre", "Dr Lefèvre",  # family name after a civility
    "Hélène **LEFÈVRE**",  # emphasis
    "H&eacute;l&egrave;ne Lef&#232;vre",  # HTML entities
    unicodedata.normalize("NFD", "Hélène Lefèvre"),  # decomposed accents
    "Hélène Lef\u00adèvre",  # soft hyphen
    "Ｈélène Ｌefèvre",  # fullwidth letters
    "LEFÈVRE Hélène",  # family name first
    "[son profil](https://exemple.fr/equipe/helene-lefevre)",  # in a link's URL
    "<https://exemple.fr/H%C3%A9l%C3%A8ne%20Lef%C3%A8vre>",  # percent-encoded
    "helene.lefevre@exemple.fr",  # an e-mail address
    "Hélène\nLefèvre", "Mme\tLefèvre",  # a line break or a tab between the words
    "Hélène\u2011Lefèvre", "Hélène–Lefèvre", "Hélène·Lefèvre", "Mme\u00a0Lefèvre",  # typographic separators
    "Hé<!-- x -->lène Lefèvre", "Hélène Lef<wbr>èvre", "Hélène Lef</x>èvre",  # markup removed without a space
    "Hélène Lef[]()èvre", "Hélène Lef&#173èvre",  # empty Markdown link, entity without its `;`
]


def folded(text: str) -> str:
    """An independent folding (not the module's): entities, escapes, accents, case, invisible marks."""
    text = unicodedata.normalize("NFKD", unquote(html.unescape(text)))
    text = "".join(c for c in text if not unicodedata.combining(c) and c not in "\u00ad*")
    return text.lower()


def leaks(site) -> list[str]:
    return [name for name, text in site_text(site).items() if not name.endswith((".js", ".map", ".css"))
            and ".wasm" not in name and re.search(r"lefevre|n\W*diaye", folded(text))]


@pytest.fixture
def secret_tree(tree):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + PERSON + "- id: ada-adjoint\n  nom: ADJOINT\n  prenom: Ada\n"
                      "  consentement_publication: true\n  fonctions:\n    - organisation: irev\n"
                      "      intitule: Adjointe de Mme Lefèvre\n")
    orgs = tree / "registre" / "organisations.yml"
    orgs.write_text(orgs.read_text() + "- id: cabinet-conseil\n  nom: Cabinet conseil Hélène Lefèvre\n  type: cabinet\n")
    themes = tree / "registre" / "themes.yml"
    themes.write_text(themes.read_text() + "- id: egalite\n  libelle: Égalité\n  description: Thème suivi par Dr LEFEVRE.\n")
    body = "\n\n".join(f"Forme {number} : {form} a parlé." for number, form in enumerate(FORMS))
    write(tree / "fiches" / "2023-outil.md", f"""---
titre: Outil présenté par Hélène
  Lefèvre
statut: publie
type: guide
date: 2023
resume: "Résumé : Mme LEFÈVRE l'a conçu."
themes: [egalite]
auteurs:
  - organisation: cabinet-conseil
    fonction: Associée de Hélène-Lefèvre
grille:
  questions:
    - id: "H\u00e9l\u00e8ne Lef\u00e8vre"
      texte: Question posée par Mme N\u2019Diaye
sources:
  - titre: Note du cabinet
    url: https://exemple.fr/notes/helene-lefevre.pdf
---
{body}

Elle-même, Hélène Lefèvre ([[personne:helene-lefevre]]), et [[organisation:cabinet-conseil|le cabinet de Hélène Lefèvre]].
""")
    return tree


def test_every_written_form_is_removed_from_every_output(secret_tree, tmp_path):
    site = tmp_path / "site"
    result = build_site(secret_tree, site)
    assert result.returncode == 0, result.stderr
    texts = site_text(site)
    assert any("pagefind_dcd" in text for text in texts.values())  # the search index is read too
    assert "[nom non publié]" in texts["fiches/2023-outil/2023-outil.pdf"]  # and the PDFs' text
    assert leaks(site) == []
    text = page_text(site, "fiches/2023-outil")
    assert text.count("[nom non publié]") >= len(FORMS)
    # The mention is rendered, never rewritten; the written name beside it is removed.
    assert "[nom non publié] (une personne non nommée)" in text
    assert "le cabinet de nom non publié" in text
    assert "[[" not in text


def test_a_warm_build_looks_for_names_again_where_the_text_or_the_people_changed(tree, tmp_path):
    """A build keeps which records held no name to remove: a later one must not trust that for a
    text edited since (its body or its fields), nor once someone withdrew consent."""
    people, record = tree / "registre" / "personnes.yml", tree / "meetings" / "2022-03-01-reunion-test.md"
    people.write_text(people.read_text() + PERSON.replace("false", "true", 1))  # Hélène Lefèvre consents
    cache = {"IREV_CACHE_DIR": str(tmp_path / "cache")}
    page = "reunions/2022-03-01-reunion-test"

    def built(name: str) -> str:
        result = build_site(tree, tmp_path / name, **cache)
        assert result.returncode == 0, result.stderr
        return page_text(tmp_path / name, page)

    assert "Mot d'introduction" in built("first")
    record.write_text(record.read_text().replace("Mot d'introduction de la réunion.", "Mot d'introduction de Mme N'Diaye."))
    assert "Mot d'introduction de [nom non publié]." in built("body")
    record.write_text(record.read_text().replace("resume: Une réunion pour les tests.", "resume: Réunion animée par Awa N'Diaye."))
    assert "Réunion animée par [nom non publié]" in built("field")
    record.write_text(record.read_text().replace("Mme N'Diaye.", "Hélène Lefèvre.").replace("Awa N'Diaye", "elle"))
    assert "Mot d'introduction de Hélène Lefèvre." in built("consenting")  # (a record that names no one hidden)
    people.write_text(people.read_text().replace("consentement_publication: true\n- id: awa-ndiaye",
                                                 "consentement_publication: false\n- id: awa-ndiaye"))
    assert "Mot d'introduction de [nom non publié]." in built("withdrawn")
    assert leaks(tmp_path / "withdrawn") == []


def test_a_hidden_name_leaves_the_other_words(secret_tree, tmp_path):
    site = tmp_path / "site"
    assert build_site(secret_tree, site).returncode == 0
    text = page_text(site, "fiches/2023-outil")
    assert "Outil présenté par [nom non publié]" in text  # a title wrapped on two lines
    assert "Forme 0 : [nom non publié] a parlé." in text


def test_contact_details_of_a_person_without_consent_are_not_published(tree, tmp_path):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + PERSON)
    write(tree / "fiches" / "2023-contact.md", """---
titre: Fiche avec contact
statut: publie
type: guide
date: 2023
---
""")
    plan = """---
titre: Plan
statut: publie
type: ptlcd
territoire: ca-de-lens-lievin
porteur: call
date: 2020
contact:
  personne: helene-lefevre
  organisation: call
  email: contact-direct-4521@exemple.fr
  telephones: ["03 21 99 99 99"]
  coordonnees_publiques: true
---
"""
    write(tree / "plans" / "2020-plan.md", plan)
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    everything = "".join(site_text(site).values())
    assert "contact-direct-4521" not in everything and "03 21 99 99 99" not in everything
    # Nor are those of a person who consented but whom the plan does not name.
    write(tree / "plans" / "2020-plan.md", plan.replace("  personne: helene-lefevre\n", "  personne: ada-martin\n  nommer: false\n"))
    assert build_site(tree, site).returncode == 0
    everything = "".join(site_text(site).values())
    assert "contact-direct-4521" not in everything and "03 21 99 99 99" not in everything
    # The same contact without a person (an organisation's desk) is published.
    write(tree / "plans" / "2020-plan.md", plan.replace("  personne: helene-lefevre\n", ""))
    assert build_site(tree, site).returncode == 0
    assert "contact-direct-4521@exemple.fr" in page_text(site, "plans/2020-plan")


@pytest.mark.parametrize("place", ["record", "organisation", "attachment"])
def test_an_id_or_file_name_holding_the_name_is_refused(tree, place):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + PERSON)
    record = "---\ntitre: Entretien\nstatut: publie\ntype: guide\ndate: 2023\n{extra}---\n"
    if place == "record":
        write(tree / "fiches" / "2023-entretien-helene-lefevre.md", record.format(extra=""))
        expected = ("content/fiches/2023-entretien-helene-lefevre.md:1: l'identifiant « 2023-entretien-helene-lefevre » "
                    "contient le nom d'une personne qui n'a pas consenti à être nommée")
    elif place == "organisation":
        orgs = tree / "registre" / "organisations.yml"
        orgs.write_text(orgs.read_text() + "- id: cabinet-mme-lefevre\n  nom: Cabinet\n  type: cabinet\n")
        line = len(orgs.read_text().splitlines()) - 2
        expected = f"content/registre/organisations.yml:{line}: id: l'identifiant « cabinet-mme-lefevre » contient le nom"
    else:
        write(tree / "pieces-jointes" / "cr-helene-lefevre.pdf", "%PDF-1.4\n%%EOF\n")
        write(tree / "fiches" / "2023-entretien.md", record.format(
            extra="documents:\n  - titre: CR\n    type: compte-rendu\n    fichier: cr-helene-lefevre.pdf\n"))
        expected = ("content/fiches/2023-entretien.md:9: documents[0].fichier: le nom de fichier « cr-helene-lefevre.pdf » "
                    "contient le nom")
    result = run(["irev", "check"], tree)
    assert result.returncode == 1
    assert f"ERREUR {expected}" in result.stdout


def test_a_name_in_another_script_cannot_be_protected_and_is_refused(tree):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + "- id: li-wei\n  nom: 李\n  prenom: 伟\n  consentement_publication: false\n")
    result = run(["irev", "check"], tree)
    assert re.search(r"ERREUR content/registre/personnes.yml:\d+: nom: nom sans lettre latine", result.stdout)


def test_hand_written_pages_are_redacted_title_and_description_included(tree, tmp_path):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + PERSON)
    docs, config = own_docs(tmp_path)
    write(docs / "rencontre.md", "---\ntitle: Rencontre avec Hélène Lefèvre\ndescription: Compte rendu de Mme Lefèvre\n"
                                 "---\n\n# Rencontre\n\nHélène Lefèvre a ouvert la séance.\n")
    site = tmp_path / "site"
    result = run(["mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site)], tree,
                 IREV_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    assert leaks(site) == []
    page = (site / "rencontre" / "index.html").read_text()
    assert "<title>Rencontre avec [nom non publié] - Ressources IREV</title>" in page


def test_a_consenting_persons_id_holding_a_hidden_name_is_refused(tree):
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + PERSON + "- id: jean-helene-lefevre\n  nom: LEFEVRE\n  prenom: Jean\n"
                      "  consentement_publication: true\n")
    result = run(["irev", "check"], tree)
    assert "l'identifiant « jean-helene-lefevre » contient le nom" in result.stdout


def test_a_consenting_persons_name_that_holds_a_hidden_one_is_kept(tree, tmp_path):
    """Marie-Claire DURAND consented, Claire DURAND did not: the first is named, the second never."""
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text() + "- id: claire-durand\n  nom: DURAND\n  prenom: Claire\n"
                      "  consentement_publication: false\n- id: marie-claire-durand\n  nom: DURAND\n"
                      "  prenom: Marie-Claire\n  consentement_publication: true\n")
    write(tree / "fiches" / "2023-outil.md", "---\ntitre: Outil\nstatut: publie\ntype: guide\ndate: 2023\nauteurs:\n"
          "  - personne: marie-claire-durand\n---\nMarie-Claire Durand le présente ; Claire Durand l'a relu.\n")
    assert run(["irev", "check"], tree).returncode == 0  # the id marie-claire-durand is hers
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    text = page_text(site, "fiches/2023-outil")
    assert "Marie-Claire Durand le présente ; [nom non publié] l'a relu." in text
    assert (site / "personnes" / "marie-claire-durand" / "index.html").exists()


OPTED_OUT = """---
titre: Réunion où Ada Martin ne veut pas être nommée
statut: publie
type: reunion-de-reseau
date: 2022-05-10
format: visio
organisateur: irev
participants:
  - personne: ada-martin
    organisation: irev
    fonction: Chargée de mission
    nommer: false
interventions:
  - titre: Retour d'expérience
    intervenants:
      - personne: ada-martin
        organisation: irev
        fonction: Chargée de mission
    resume: "Mme Martin présente le dispositif avec [[personne:ada-martin|Ada]]."
---
Ada MARTIN ouvre la séance ; [[personne:ada-martin]] conclut.
"""


def fragments(site) -> dict[str, str]:
    """The search index's text of each page, facets and metadata included, by URL."""
    return {url: json.dumps(fragment, ensure_ascii=False) for url, fragment in search_fragments(site).items()}


def test_a_consenting_person_not_named_in_one_meeting(tree, tmp_path):
    """`nommer: false` on one of her entries: that meeting names her nowhere (page, PDF, index) and
    her page does not list it; her other meeting still names her."""
    write(tree / "meetings" / "2022-05-10-reunion-sans-nom.md", OPTED_OUT)
    write(tree / "fiches" / "2022-outil-sans-nom.md", "---\ntitre: Outil\nstatut: publie\ntype: guide\ndate: 2022\n"
          "auteurs:\n  - personne: ada-martin\n    organisation: irev\n    nommer: false\n"
          "personnes_citees:\n  - personne: ada-martin\n---\nConçu par Ada Martin.\n")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr
    for page in ("reunions/2022-05-10-reunion-sans-nom", "fiches/2022-outil-sans-nom"):  # head, data and citation included
        assert not re.search(r"\bada\b|martin", folded((site / page / "index.html").read_text(encoding="utf-8")))
    assert "Personnes citées : Personne non nommée" in page_text(site, "fiches/2022-outil-sans-nom")
    text = page_text(site, "reunions/2022-05-10-reunion-sans-nom")
    assert not re.search(r"\bada\b|martin", folded(text))
    assert "Réunion où [nom non publié] ne veut pas être nommée" in text
    assert "une personne non nommée Chargée de mission" in text  # the participants' table: by function
    assert "[nom non publié] ouvre la séance ; une personne non nommée conclut." in text
    assert "Présentation — Chargée de mission, " in text  # the speaker: by function and organisation
    pdf = site_text(site)["reunions/2022-05-10-reunion-sans-nom/2022-05-10-reunion-sans-nom.pdf"]
    assert "[nom non publié]" in pdf and not re.search(r"\bada\b|martin", folded(pdf))
    indexed = fragments(site)
    assert not re.search(r"\bada\b|martin", folded(indexed["/reunions/2022-05-10-reunion-sans-nom/"]))
    assert "Ada MARTIN" in indexed["/reunions/2022-03-01-reunion-test/"]
    assert "Ada MARTIN" in page_text(site, "reunions/2022-03-01-reunion-test")
    person = (site / "personnes" / "ada-martin" / "index.html").read_text(encoding="utf-8")
    assert "2022-03-01-reunion-test" in person and "2022-05-10-reunion-sans-nom" not in person
    assert "2022-outil-sans-nom" not in person
    assert "10 mai 2022" not in person
    # Her organisation's page gives her period from the meetings that name her only.
    assert "Ada MARTIN Chargée de mission le 1er mars 2022 " in page_text(site, "organisations/irev")


def test_naming_a_person_without_consent_is_refused(tree):
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    meeting.write_text(meeting.read_text().replace("    presence: excuse\n", "    presence: excuse\n    nommer: true\n"))
    result = run(["irev", "check"], tree)
    assert result.returncode == 1
    line = meeting.read_text().splitlines().index("    nommer: true") + 1
    assert (f"ERREUR content/meetings/2022-03-01-reunion-test.md:{line}: participants[1].nommer: « nommer: true » "
            "pour « paul-secret », que le registre ne permet pas de nommer") in result.stdout


def test_nommer_without_a_person_is_refused(tree):
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    meeting.write_text(meeting.read_text().replace("  - personne: ada-martin\n", "  - nommer: false\n"))
    result = run(["irev", "check"], tree)
    assert result.returncode == 1
    assert "participants[0]: « nommer » ne vaut que pour une personne" in result.stdout


def test_an_id_holding_the_name_of_a_person_the_record_does_not_name_is_refused(tree):
    write(tree / "meetings" / "2022-05-10-reunion-ada-martin.md", OPTED_OUT)
    result = run(["irev", "check"], tree)
    assert result.returncode == 1
    assert "l'identifiant « 2022-05-10-reunion-ada-martin » contient le nom" in result.stdout


def test_the_shown_record_holds_no_trace_of_the_person_it_does_not_name(tree):
    """What any export of the record reads (its fields and text in the catalogue) names her nowhere,
    not even by her id; the registry and her other record still do."""
    from irev import catalogue, loading
    write(tree / "meetings" / "2022-05-10-reunion-sans-nom.md", OPTED_OUT)
    shown, problems = catalogue.build(loading.load(tree))
    assert [p for p in problems if not p.warning] == []
    record = shown.records["2022-05-10-reunion-sans-nom"]
    exported = record.model.model_dump_json() + record.body
    assert not re.search(r"\bada\b|martin", folded(exported))
    assert "ada-martin" in shown.records["2022-03-01-reunion-test"].model.model_dump_json()
    linking = {link.record.id for link in shown.links_to("personne", "ada-martin")}
    assert "2022-03-01-reunion-test" in linking and "2022-05-10-reunion-sans-nom" not in linking

