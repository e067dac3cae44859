"""« Modifier cette page » and « Signaler une erreur » on the built site: a record page edits its own
file (content/<folder>/<id>.md), an entity page its registry at the entry's line, a hand-written
page keeps Material's link (docs/…); every page opens a pre-filled, percent-encoded issue. GitHub's
addresses by default, GitLab's when the CI says so (IREV_EDIT_URI=-/edit/…)."""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CONTENT, MINIMAL, ROOT, build_site, site_text

from irev import models

ENTITY_FILES = {"personnes": "personnes.yml", "organisations": "organisations.yml", "territoires": "territoires.yml",
                "thematiques": "themes.yml"}
EDIT, REPORT = "Modifier cette page", "Signaler une erreur"


@functools.cache
def repository() -> str:
    """The repository the build uses (mkdocs.yml's placeholder, or IREV_REPO_URL), ending with "/"."""
    from mkdocs.config import load_config
    url = load_config(str(ROOT / "mkdocs.yml"))["repo_url"]
    return url if url.endswith("/") else url + "/"


def actions(site: Path, page: str) -> dict[str, str]:
    """The page's action links: text -> address (the href as written, entities decoded)."""
    text = (site / page / "index.html").read_text(encoding="utf-8")
    found = re.findall(r'<p class="irev-actions"[^>]*>(.*?)</p>', text, re.DOTALL)
    assert len(found) <= 1, page
    links = re.findall(r'<a href="([^"]*)"[^>]*>.*?</span>([^<]*)</a>', found[0] if found else "", re.DOTALL)
    return {text.strip(): href.replace("&amp;", "&") for href, text in links}


def title_of(site: Path, page: str) -> str:
    text = (site / page / "index.html").read_text(encoding="utf-8")
    return re.search(r"<title>(.*?) - Ressources IREV</title>", text).group(1)


def registry_line(file: str, ident: str) -> int:
    """The line of the registry item with this id, read from the file as an editor reads it."""
    lines = (CONTENT / "registre" / file).read_text(encoding="utf-8").split("\n")
    return 1 + lines.index(f"- id: {ident}")


def test_every_record_page_edits_its_own_file(real_site):
    records = [(model, path) for model in models.RECORD_TYPES for path in sorted((CONTENT / model.FOLDER).glob("*.md"))
               if "\nstatut: publie" in path.read_text(encoding="utf-8")]
    assert len({model for model, _ in records}) == 4
    for model, path in records:
        page = f"{model.SECTION}/{path.stem}"
        assert actions(real_site, page)[EDIT] == f"{repository()}edit/main/content/{model.FOLDER}/{path.name}", page


@pytest.mark.parametrize("section", ENTITY_FILES)
def test_every_entity_page_edits_its_registry_at_its_entry(real_site, section):
    pages = sorted(p.parent.name for p in (real_site / section).glob("*/index.html"))
    assert pages
    for ident in pages:
        file = ENTITY_FILES[section]
        assert actions(real_site, f"{section}/{ident}")[EDIT] == \
            f"{repository()}edit/main/content/registre/{file}#L{registry_line(file, ident)}", ident


def test_hand_written_pages_keep_materials_link_and_generated_lists_have_none(real_site):
    assert actions(real_site, "a-propos")[EDIT] == f"{repository()}edit/main/docs/a-propos.md"
    assert actions(real_site, ".")[EDIT] == f"{repository()}edit/main/docs/index.md"
    for page in ("reunions", "fiches", "personnes", "thematiques"):  # made from many files: nothing to edit
        assert set(actions(real_site, page)) == {REPORT}, page


@pytest.mark.parametrize("page", ["fiches/2022-echelle-de-maturite-concept-rse", "thematiques/acces-aux-droits",
                                  "a-propos", "reunions"])
def test_the_issue_link_is_prefilled_and_encoded(real_site, page):
    href = actions(real_site, page)[REPORT]
    assert re.fullmatch(r"[A-Za-z0-9%._~:/?&=-]+", href), href  # every other character percent-encoded
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == repository() + "issues/new"
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"title", "body"}
    title = html.unescape(title_of(real_site, page))
    assert query["title"] == [f"Erreur sur la page « {title} »"]
    address = f"https://ressources.irev.fr/{page}/".replace("/./", "/")
    assert query["body"][0].startswith(f"Page : {address}\n")


def test_the_links_are_french_text_not_searched_and_load_nothing(real_site):
    text = (real_site / "plans" / "2017-ptlcd-valenciennes-metropole" / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<p class="irev-actions" data-pagefind-ignore="all">.*?</p>', text, re.DOTALL).group(0)
    assert len(re.findall(r'<span class="irev-actions__icon" aria-hidden="true">', block)) == 2
    assert 'data-md-component="source"' not in text  # no repository widget asking the forge's API


@pytest.fixture(scope="module")
def gitlab_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("gitlab") / "site"
    # A tree elsewhere than content/: the links name the repository's content/ all the same.
    result = build_site(MINIMAL, site, IREV_REPO_URL="https://gitlab.example.org/irev/ressources",
                        IREV_EDIT_URI="-/edit/principale/docs/")
    assert result.returncode == 0, result.stderr
    return site


def test_gitlab_addresses(gitlab_site):
    record = actions(gitlab_site, "reunions/2022-03-01-reunion-test")
    assert record[EDIT] == "https://gitlab.example.org/irev/ressources/-/edit/principale/content/meetings/2022-03-01-reunion-test.md"
    parts = urlsplit(record[REPORT])
    assert parts.path == "/irev/ressources/-/issues/new"
    assert set(parse_qs(parts.query)) == {"issue[title]", "issue[description]"}
    assert parse_qs(parts.query)["issue[title]"][0].startswith("Erreur sur la page « ")
    assert actions(gitlab_site, "a-propos")[EDIT] == "https://gitlab.example.org/irev/ressources/-/edit/principale/docs/a-propos.md"


def test_no_draft_reaches_a_link(gitlab_site):
    assert not any("reunion-brouillon" in text for text in site_text(gitlab_site).values())


def test_an_edit_uri_outside_the_pages_folder_stops_the_build(tmp_path):
    result = build_site(MINIMAL, tmp_path / "site", IREV_EDIT_URI="edit/main/")
    assert result.returncode != 0
    assert "edit_uri « edit/main/ » doit finir par le dossier des pages « docs/ »" in result.stderr
    assert "Traceback" not in result.stderr
