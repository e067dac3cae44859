"""A hostile contributor's attempts on the outputs added with feeds, page heads, open data,
scaffolds and consent per record: each found once, by a real build or a real command."""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree

import icalendar
from icalendar.parser import unescape_backslash
import pytest
import yaml

from conftest import MINIMAL, build_site, page_text, record_pdf, run, site_text, write
from test_privacy import folded, fragments


def fiche(name: str, fields: str = "", body: str = "") -> tuple[str, str]:
    return f"fiches/{name}.md", (f"---\ntitre: Fiche {name}\nstatut: publie\ntype: guide\ndate: 2023\n{fields}"
                                 f"themes: [discriminations]\nterritoires: [hauts-de-france]\n---\n{body}\n")


ATOM = "{http://www.w3.org/2005/Atom}"

# Paul SECRET (no consent, tests/fixtures/minimal) where a quick look at a record could miss him.
HIDDEN = dict([
    # A text whose line reads like a reference to a person (`personne: id` is an id, not a name).
    fiche("2023-ligne-reference", "resume: |\n  personne: paul-secret\nobjet: >-\n  - personne: paul-secret\n"),
    # Markup in one field that, read with the whole front matter, hides the fields after it.
    fiche("2023-commentaire-ouvert", 'sous_titre: "a <!-- b"\nobjet: Paul Secret a écrit\n'),
    fiche("2023-svg-ouvert", 'sous_titre: "a <svg onload=x>"\nobjet: Paul Secret a écrit\n'),
    fiche("2023-balise-entre-champs", 'sous_titre: "a <b "\nobjet: "Paul Secret a écrit >"\n'),
    # Markup that hides the rest of an HTML text, but not of Markdown.
    fiche("2023-svg-paragraphe", body="<svg>\n\nPaul Secret a écrit."),
    fiche("2023-code", body="Le code `<svg>` de Paul Secret."),
    fiche("2023-bloc-de-code", body="```\n<!--\n```\n\nM. Secret a écrit."),
    fiche("2023-echappe", body="&lt;svg&gt; Paul Secret a écrit."),
    fiche("2023-pleine-chasse", body="\uff1csvg\uff1e Paul Secret a écrit."),
    # Visible signs beyond ASCII glued to the name (they were dropped, joining the words around them).
    fiche("2023-symboles", body="De Lens→Paul SECRET→Lens.\n\nAvec ☺Paul\u2800SECRET😀 hier."),
    # A footnote's call glued to the name, as a document copied gives it.
    fiche("2023-appel-de-note", body="Selon M. SECRET1, puis Paul SECRET² (voir les notes)."),
])
# A mention where no page makes it a link (a title, a place, a registry's name): as plain text, its id spells the name.
MENTIONED = {"meetings/2030-05-01-mention.md": """---
titre: Réunion avec [[personne:paul-secret]]
statut: publie
type: reunion-de-reseau
date: 2030-05-01
format: presentiel
lieu: Chez [[personne:paul-secret|lui]]
organisateur: cabinet-mention
themes: [discriminations]
territoires: [hauts-de-france]
---
"""}
MENTIONED_ORGANISATION = "- id: cabinet-mention\n  nom: Cabinet [[personne:paul-secret]]\n  type: cabinet\n"
# A theme's name closing the attribute it is written in.
QUOTED_THEME = "- id: guillemets\n  libelle: 'Égalité\" data-x=\"1'\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attaque")
    content = shutil.copytree(MINIMAL, folder / "content")
    for name, text in {**HIDDEN, **MENTIONED}.items():
        write(content / name, text)
    organisations = content / "registre" / "organisations.yml"
    organisations.write_text(organisations.read_text(encoding="utf-8") + MENTIONED_ORGANISATION, encoding="utf-8")
    write(content / "fiches" / "2023-guillemets.md", fiche("2023-guillemets", "")[1].replace(
        "themes: [discriminations]", "themes: [guillemets]"))
    themes = content / "registre" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8") + QUOTED_THEME, encoding="utf-8")
    result = build_site(content, folder / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "site"


def test_no_name_escapes_redaction_behind_markup_a_line_written_like_a_reference_or_a_mention(hostile):
    leaks = [name for name, text in site_text(hostile).items() if not name.endswith((".js", ".map", ".css"))
             and ".wasm" not in name and re.search(r"paul\W*secret|\bm\W+secret", folded(text))]
    assert leaks == []
    for name in HIDDEN:
        assert "[nom non publié]" in page_text(hostile, "fiches/" + name[len("fiches/"):-len(".md")]), name
    calendar = (hostile / "reunions" / "2030-05-01-mention" / "2030-05-01-mention.ics").read_text(encoding="utf-8")
    assert "SUMMARY:Réunion avec une personne non nommée" in calendar and "LOCATION:Chez une personne non nommée" in calendar


def test_control_and_bidirectional_characters_written_as_references_are_refused(tree, tmp_path):
    """The loader refuses them written as they are; a page decodes `&#x202e;` (« Paul &#x202e;TERCES »
    reads Paul SECRET, reversed) and XML refuses `&#1;` (a feed's summary)."""
    write(tree / "fiches" / "2023-entites.md", fiche("2023-entites", (
        'resume: "Avant &#1; après, &#150; permis"\nobjet: "Paul &#x202E;TERCES"\n'), "Voir &#8238;TERCES.")[1])
    themes = tree / "registre" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8") + "- id: echappe\n  libelle: 'Ég&#x1b;alité'\n", encoding="utf-8")
    checked = run(["irev", "check"], tree)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    problems = [line for line in checked.stdout.splitlines() if "caractère invisible interdit" in line]
    assert problems == [
        "ERREUR content/fiches/2023-entites.md:6: caractère invisible interdit U+0001 écrit « &#1; » (colonne 16) "
        "(piste : supprimez-le : il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF)",
        "ERREUR content/fiches/2023-entites.md:7: caractère invisible interdit U+202E écrit « &#x202E; » (colonne 14) "
        "(piste : supprimez-le : il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF)",
        "ERREUR content/fiches/2023-entites.md:11: caractère invisible interdit U+202E écrit « &#8238; » (colonne 6) "
        "(piste : supprimez-le : il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF)",
        "ERREUR content/registre/themes.yml:7: caractère invisible interdit U+001B écrit « &#x1b; » (colonne 15) "
        "(piste : supprimez-le : il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF)",
    ]
    built = build_site(tree, tmp_path / "site")
    assert built.returncode == 1 and "Traceback" not in built.stderr and not (tmp_path / "site").exists()


def test_feeds_are_well_formed_xml(hostile):
    feeds = list(hostile.rglob("flux.xml"))
    assert feeds
    for feed in feeds:
        ElementTree.parse(feed)


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.feeds: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "link" and dict(attrs).get("type") == "application/atom+xml":
            self.feeds.append(dict(attrs))


def test_a_theme_name_cannot_add_attributes_to_the_link_naming_its_feed(hostile):
    links = _Links()
    links.feed((hostile / "thematiques" / "guillemets" / "index.html").read_text(encoding="utf-8"))
    own = [link for link in links.feeds if link["href"] == "flux.xml"]
    assert own == [{"rel": "alternate", "type": "application/atom+xml",
                    "title": 'Égalité" data-x="1 — flux Atom', "href": "flux.xml"}]


# --- scaffolds ------------------------------------------------------------------------------


def test_a_scaffold_title_on_several_lines_stays_one_field_of_a_draft(tree):
    result = run(["irev", "nouveau", "fiche", "--date", "2023", "--titre", "Guide\n---\nstatut: publie\n  titre: x"], tree)
    assert result.returncode == 0, result.stderr
    [written] = (tree / "fiches").iterdir()
    front = written.read_text(encoding="utf-8").split("---\n")[1]
    fields = yaml.safe_load(front)
    assert fields["titre"] == "Guide --- statut: publie titre: x" and fields["statut"] == "brouillon"


@pytest.mark.parametrize("title", ["Guide \udc85 illisible", "Guide \x01 contrôle", "Guide \u202e inversé"])
def test_a_scaffold_refuses_what_no_record_may_hold_in_french(tree, title):
    result = run(["irev", "nouveau", "fiche", "--date", "2023", "--titre", title], tree)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("ERREUR TITRE : caractère ")
    assert not (tree / "fiches").exists()


# --- consent per record ---------------------------------------------------------------------


def test_a_record_that_does_not_name_someone_shows_no_organisation_named_after_her(tree, tmp_path):
    """An organisation's name comes from the registry, where she may be named: a record that does not name
    her shows it as it shows her own name (page, PDF, search entry, structured data, citation, open data,
    feeds, its index's summary); a record that names her shows it whole."""
    organisations = tree / "registre" / "organisations.yml"
    organisations.write_text(organisations.read_text(encoding="utf-8") + (
        "- id: cabinet-conseil\n  nom: Cabinet Ada Martin Conseil\n  type: cabinet\n"), encoding="utf-8")
    meeting = """---
titre: Atelier
statut: publie
type: atelier
date: 2022-05-01
format: visio
organisateur: cabinet-conseil
resume: Avec [[organisation:cabinet-conseil]].
participants:
  - personne: ada-martin
    nommer: false
    organisation: cabinet-conseil
---
Animé par [[organisation:cabinet-conseil]].
"""
    write(tree / "meetings" / "2022-05-01-atelier.md", meeting)
    write(tree / "meetings" / "2022-05-02-atelier.md", meeting.replace("    nommer: false\n", "").replace("2022-05-01", "2022-05-02"))
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr[-3000:]
    leaked = re.compile(r"ada\W*martin")
    text = page_text(site, "reunions/2022-05-01-atelier")
    assert "une personne non nommée" in text and "Cabinet [nom non publié] Conseil" in text
    assert not leaked.search(folded(text))
    head = (site / "reunions" / "2022-05-01-atelier" / "index.html").read_text(encoding="utf-8")
    assert not leaked.search(folded(head))  # description, JSON-LD, citation
    [data] = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)]
    assert data["organizer"]["name"] == "Cabinet [nom non publié] Conseil"
    assert "Cabinet [nom non publié] Conseil" in data["description"]
    pdf = record_pdf(site, "reunions/2022-05-01-atelier")
    assert "[nom non publié]" in pdf and not leaked.search(folded(pdf))
    exported = {item["id"]: item for item in json.loads((site / "donnees" / "reunions.json").read_text(encoding="utf-8"))}
    assert "Cabinet \\[nom non publié\\] Conseil" in exported["2022-05-01-atelier"]["texte"]
    assert not leaked.search(folded(json.dumps(exported["2022-05-01-atelier"], ensure_ascii=False)))
    indexed = fragments(site)["/reunions/2022-05-01-atelier/"]
    assert "Cabinet [nom non publié] Conseil" in indexed and not leaked.search(folded(indexed))  # facets included
    feed = ElementTree.parse(site / "reunions" / "flux.xml").getroot()
    summaries = {item.findtext(f"{ATOM}id"): item.findtext(f"{ATOM}summary") for item in feed.iter(f"{ATOM}entry")}
    assert summaries["https://ressources.irev.fr/reunions/2022-05-01-atelier/"] == "Avec Cabinet [nom non publié] Conseil."
    assert "Atelier — 1er mai 2022 Avec Cabinet [nom non publié] Conseil ." in page_text(site, "reunions")  # a link, then « . »
    # The record that names her names her organisation.
    assert "Cabinet Ada Martin Conseil" in page_text(site, "reunions/2022-05-02-atelier")
    assert "Cabinet Ada Martin Conseil" in exported["2022-05-02-atelier"]["texte"]


# --- make check -----------------------------------------------------------------------------


def test_names_on_disk_that_are_not_utf8_are_reported_in_french_also_in_ci_formats(tree, tmp_path):
    """An archive unzipped from Windows names its files in its own encoding: a terminal or a CI report
    that writes strict UTF-8 must still get the French problems, never a traceback."""
    folder = tree / "pieces-jointes" / "r\udce9union"  # the byte 0xE9 (« é » in Windows-1252)
    folder.mkdir(parents=True)
    (folder / "compte-rendu-\udce9t\udce9.pdf").write_bytes(b"%PDF-1.4\n")
    (tree / "pieces-jointes" / "liste.\udce9").write_bytes(b"x")
    result = run(["irev", "check"], tree, PYTHONIOENCODING="utf-8:strict", GITLAB_CI="true", CI_PROJECT_DIR=str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "nom de dossier « r\\udce9union » invalide" in result.stdout
    assert "nom de fichier « compte-rendu-\\udce9t\\udce9.pdf » invalide" in result.stdout
    assert "type de fichier refusé (.\\udce9)" in result.stdout
    report = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert any("r\\udce9union" in issue["description"] for issue in report)


# --- calendars ------------------------------------------------------------------------------


def test_calendars_of_an_old_update_and_of_a_title_breaking_lines_are_written_whole(tree, tmp_path):
    """icalendar refuses a negative SEQUENCE (an update before 2000) and a calendar NAME holding a line
    break, and writes a carriage return there as it is: the build crashed, or the calendar read on."""
    write(tree / "meetings" / "2030-05-01-atelier.md", """---
titre: |
  Atelier ; , \\
  END:VEVENT
  ATTENDEE:mailto:x@evil.example
statut: publie
type: atelier
date: 2030-05-01
heure_debut: 9:30
format: visio
organisateur: irev
mise_a_jour: 1950-01-01
---
""")
    write(tree / "meetings" / "2030-05-02-reseau.md", """---
titre: "Réseau\\rEND:VCALENDAR\\rX-EVIL:1"
statut: publie
type: reunion-de-reseau
date: 2030-05-02
format: visio
organisateur: irev
---
""")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0, result.stderr[-3000:]
    for name, title in (("2030-05-01-atelier", "Atelier ; , \\\nEND:VEVENT\nATTENDEE:mailto:x@evil.example"),
                        ("2030-05-02-reseau", "Réseau\rEND:VCALENDAR\rX-EVIL:1")):
        data = (site / "reunions" / name / f"{name}.ics").read_bytes()
        assert not re.search(rb"[\r\n](END|BEGIN|ATTENDEE|X-EVIL)[^\r\n]*evil|[\r\n]X-EVIL", data.replace(b"\r\n", b"\n"))
        calendar = icalendar.Calendar.from_ical(data)
        [event] = calendar.walk("VEVENT")
        name = unescape_backslash(str(calendar["X-WR-CALNAME"]))  # icalendar reads it as an unknown property
        assert name == event["SUMMARY"] == title.replace("\r", "\n")
        assert event["SEQUENCE"] >= 0


# --- pages ---------------------------------------------------------------------------------------


def test_a_page_text_naming_where_a_generated_list_goes_stays_text(tree, tmp_path):
    """A page's generated lists are set aside while its Markdown is converted, then put back where a
    word marks them (irev/rendering.py). Written by an editor, the word of a list copied that list,
    and one of no list stopped the build with a traceback: the word is now drawn at random."""
    write(tree / "meetings" / "2030-05-01-journee.md", """---
titre: Journée du réseau
statut: publie
type: reunion-de-reseau
date: 2030-05-01
format: presentiel
organisateur: irev
themes: [discriminations]
territoires: [hauts-de-france]
---
IREVLISTEPRETE0Z

IREVLISTEPRETE7Z
""")
    write(tree / "meetings" / "2030-05-01-atelier-emploi.md", """---
titre: Atelier emploi
statut: publie
type: atelier
date: 2030-05-01
format: presentiel
organisateur: irev
evenement_parent: 2030-05-01-journee
themes: [discriminations]
territoires: [hauts-de-france]
---
""")
    site = tmp_path / "site"
    result = build_site(tree, site)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    text = page_text(site, "reunions/2030-05-01-journee")
    assert "IREVLISTEPRETE0Z IREVLISTEPRETE7Z" in text
    assert text.count("Atelier emploi — 1er mai 2030") == 1  # the list of ateliers, once
