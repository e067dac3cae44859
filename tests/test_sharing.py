"""What pages say of themselves (irev/sharing.py): schema.org JSON-LD, descriptions, link
previews, the sitemap's dates; read back from real builds."""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import MINIMAL, active_in, build_site

SITE_URL = "https://ressources.irev.fr/"
REQUIRED = {  # what each type must carry here (and what search engines ask of it)
    "Event": {"name", "url", "startDate", "eventAttendanceMode", "eventStatus", "location", "organizer", "description"},
    "EventSeries": {"name", "url", "startDate", "organizer", "description"},
    "DigitalDocument": {"name", "url", "datePublished", "dateModified", "publisher", "encoding", "description"},
    "Organization": {"name", "url"},
    "Place": {"name", "url"},
    "Person": {"name", "url"},
}


def _json_ld(page: Path) -> list[dict]:
    html = page.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def _meta(page: Path, name: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', page.read_text(encoding="utf-8"))
    return found and html.unescape(found.group(1))


def test_record_and_entity_pages_carry_schema_org_data_of_their_type(real_site):
    seen = set()
    for section, types in [("reunions", {"Event"}), ("cycles", {"EventSeries"}), ("plans", {"DigitalDocument"}),
                           ("fiches", {"DigitalDocument"}), ("organisations", {"Organization"}),
                           ("territoires", {"Place"}), ("personnes", {"Person"})]:
        for page in (real_site / section).glob("*/index.html"):
            (data,) = _json_ld(page)
            assert data["@context"] == "https://schema.org" and data["@type"] in types, page
            assert REQUIRED[data["@type"]] <= data.keys(), (page, REQUIRED[data["@type"]] - data.keys())
            assert data["url"] == SITE_URL + page.parent.relative_to(real_site).as_posix() + "/"
            seen.add(data["@type"])
            if data["@type"] == "DigitalDocument":  # its PDF, served beside the page
                pdf = data["encoding"]["contentUrl"]
                assert (real_site / pdf[len(SITE_URL):]).is_file()
    assert seen == set(REQUIRED)
    assert not _json_ld(real_site / "index.html")  # hand-written pages say nothing they cannot vouch for


def test_a_meeting_is_an_online_event_at_its_time_in_paris(real_site):
    (event,) = _json_ld(real_site / "reunions" / "2022-06-22-reseau-lcd" / "index.html")
    assert event["startDate"] == "2022-06-22T09:00:00+02:00"  # summer time
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["location"]["@type"] == "VirtualLocation"
    assert event["organizer"]["@type"] == "Organization" and event["organizer"]["url"].startswith(SITE_URL + "organisations/")


def test_each_record_page_has_its_own_description_and_link_preview(real_site):
    descriptions = {}
    for page in real_site.glob("[rcpf]*/*/index.html"):
        if page.parent.parent.name not in ("reunions", "cycles", "plans", "fiches"):
            continue
        descriptions[page] = _meta(page, "description")
        assert _meta(page, "og:description") == descriptions[page]
        assert _meta(page, "og:type") == "article"
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page.read_text(encoding="utf-8")).group(1)
        assert _meta(page, "og:url") == canonical
    assert len(descriptions) >= 10 and len(set(descriptions.values())) == len(descriptions)


def test_the_sitemap_lists_every_page_with_the_date_its_content_changed(real_site):
    names = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(real_site / "sitemap.xml").getroot()
    dates = {url.findtext("s:loc", namespaces=names): url.findtext("s:lastmod", namespaces=names)
             for url in root.findall("s:url", names)}
    pages = {SITE_URL + p.parent.relative_to(real_site).as_posix().removeprefix(".") + "/"
             for p in real_site.rglob("index.html") if "assets" not in p.parts}
    pages = {p.replace(SITE_URL + "/", SITE_URL) for p in pages}
    assert pages <= dates.keys(), sorted(pages - dates.keys())[:5]
    record = dates[SITE_URL + "reunions/2022-06-22-reseau-lcd/"]
    assert record >= "2022-06-22" and dates[SITE_URL + "reunions/"] >= record  # its update; its section's newest
    assert dates[SITE_URL + "a-propos/"]  # hand-written pages: the build's date


def test_names_and_markup_in_fields_cannot_escape_the_structured_data(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(MINIMAL, tree)
    meeting = tree / "meetings" / "2022-03-01-reunion-test.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "titre: Réunion de test du réseau", "titre: 'Réunion 1 < 2 & \"3\" </ script <!- x'").replace(
        "resume: Une réunion pour les tests.", "resume: 'Avec Paul SECRET et [[personne:paul-secret]] \"> <img src=x onerror=alert(1)>'"), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(tree, site).returncode == 0
    page = site / "reunions" / "2022-03-01-reunion-test" / "index.html"
    (event,) = _json_ld(page)
    assert event["name"] == 'Réunion 1 < 2 & "3" </ script <!- x'  # markup is dropped at loading: what is left is text
    assert "</ script" not in page.read_text(encoding="utf-8").split('application/ld+json">')[1].split("</script>")[0]
    assert active_in(page.read_text(encoding="utf-8")) == []
    assert _meta(page, "description") == _meta(page, "og:description") == event["description"] == \
        'Avec [nom non publié] et une personne non nommée ">'  # the sanitiser drops the image, the quote stays text
    everything = " ".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "SECRET" not in everything and "paul-secret" not in everything


def test_a_record_page_says_how_to_cite_it(real_site):
    page = real_site / "fiches" / "2022-echelle-de-maturite-concept-rse" / "index.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    section = text[text.index('<section class="irev-citer"'):]
    section = section[:section.index("</section>")]
    assert "Citer cette ressource" in section
    assert ("Concept RSE. L'échelle de maturité – outil d'auto-évaluation des politiques d'égalité et de lutte contre "
            "les discriminations (Concept RSE) [fiche outil]. 22 février 2022. IREV — centre de ressources Politique "
            "de la ville Hauts-de-France. Disponible sur : "
            "https://ressources.irev.fr/fiches/2022-echelle-de-maturite-concept-rse/ (consulté le …).") in section
    assert re.search(r"Mis à jour le \d+(er)? \w+ 20\d\d\. Licence : ", section)  # the file's history: tests/test_history.py
    (document,) = _json_ld(page)
    assert [a["name"] for a in document["author"]] == ["Concept RSE"]
