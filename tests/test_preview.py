"""Preview: after any edit, the pages remade from the memo are exactly the pages a full
generation makes, and an edit remakes far fewer pages than the whole site."""

from __future__ import annotations

import shutil

import pytest
from conftest import CONTENT

from irev import catalogue, loading, pages, preview


@pytest.fixture
def seed(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


class Session:
    """What `mkdocs serve` keeps between rebuilds, and the pages each rebuild remade."""

    def __init__(self, tree, monkeypatch):
        self.tree, self.memo, self.files_memo, self.catalogue_memo, self.made = tree, preview.Memo(), {}, {}, []
        real = pages._make
        monkeypatch.setattr(pages, "_make", lambda renderer, job: self.made.append(job) or real(renderer, job))
        self.rebuild()

    def rebuild(self) -> list[pages.Page]:
        self.made.clear()
        cat, _ = catalogue.build(loading.load(self.tree, memo=self.files_memo), memo=self.catalogue_memo)
        remembered = preview.generate(cat, self.memo)
        count = len(self.made)
        assert remembered == pages.generate(catalogue.build(loading.load(self.tree))[0])  # what a full build makes
        del self.made[count:]
        return remembered

    def edit(self, name: str, old: str, new: str, count: int = 1) -> list[pages.Page]:
        path = self.tree / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return self.rebuild()


MEETING = "meetings/2022-02-22-reseau-lcd.md"


def test_loading_memo_finds_and_forgets_problems_as_a_fresh_load_does(seed):
    """Unchanged files come from the memo; an edited one is read again, its problems with it."""
    memo: dict = {}

    def problems_of_meeting() -> list:
        remembered, fresh = loading.load(seed, memo=memo), loading.load(seed)
        assert sorted(remembered.problems) == sorted(fresh.problems)
        assert [(e.id, e.model) for e in remembered.records] == [(e.id, e.model) for e in fresh.records]
        return [p for p in remembered.problems if p.file.endswith(MEETING)]

    assert problems_of_meeting() == []
    path = seed / MEETING
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("date: 2022-02-22", "date: 2022-02-31"), encoding="utf-8")
    assert [p.field for p in problems_of_meeting()] == ["date"]
    path.write_text(text, encoding="utf-8")
    assert problems_of_meeting() == []


def test_body_edit_remakes_its_page_only(seed, monkeypatch):
    session = Session(seed, monkeypatch)
    total = len(session.made)
    remade = session.edit(MEETING, "\n---\n", "\n---\nParagraphe ajouté en prévisualisation.\n", count=1)
    assert session.made == [("record", "2022-02-22-reseau-lcd")] and total > 100
    assert any("Paragraphe ajouté" in p.markdown for p in remade)


@pytest.mark.parametrize("name, old, new", [
    (MEETING, "titre: Rencontre régionale", "titre: Rencontre renommée"),  # shown in every list and link
    (MEETING, "  - evaluation\n", "  - discriminations-logement\n"),  # related records, theme pages
    (MEETING, "  - ca-de-lens-lievin\n", ""),  # territory pages and their broader ones
    (MEETING, "suivante: 2022-06-22-reseau-lcd\n", ""),  # the series
    (MEETING, "  - personne: nassim-boudaud", "  - personne: ingrid-dequin"),  # people pages
    (MEETING, "    organisation: caph\n", "    organisation: cabbalr\n"),  # the territory of an organisation lists its meetings
    ("plans/2018-ptlcd-metropole-europeenne-de-lille.md", "territoire: metropole-europeenne-de-lille",
     "territoire: ca-de-lens-lievin"),
    ("fiches/2022-echelle-de-maturite-concept-rse.md", "\n---\n", "\n---\nVoir [[personne:ingrid-dequin]].\n"),
])
def test_front_matter_or_mention_edit_remakes_the_pages_that_show_it(seed, monkeypatch, name, old, new):
    session = Session(seed, monkeypatch)
    total = len(session.made)
    session.edit(name, old, new)  # Session.rebuild compares with a full generation
    assert 0 < len(session.made) < total / 2


def test_registry_or_publication_edit_remakes_everything(seed, monkeypatch):
    session = Session(seed, monkeypatch)
    total = len(session.made)
    session.edit("registre/personnes.yml", "consentement_publication: true", "consentement_publication: false")
    assert len(session.made) == total - 1  # the person lost their page
    session.edit(MEETING, "statut: publie", "statut: brouillon")
    assert not any("2022-02-22-reseau-lcd" in p.src_uri for p in session.rebuild())


def test_a_record_linking_to_an_edited_record_shows_its_new_title(seed, monkeypatch):
    session = Session(seed, monkeypatch)
    cycle = "cycles/2022-parcours-mixite-sociale-et-scolaire.md"
    session.edit(cycle, "  - hauts-de-france\n", "")  # no theme or territory in common with the meeting left
    session.edit(cycle, "\n---\n", "\n---\nVoir aussi [[reunion:2022-02-22-reseau-lcd]].\n")
    remade = session.edit(MEETING, "titre: Rencontre régionale", "titre: Rencontre renommée")
    assert ("record", "2022-parcours-mixite-sociale-et-scolaire") in session.made
    cycle = next(p for p in remade if p.src_uri == "cycles/2022-parcours-mixite-sociale-et-scolaire.md")
    assert "Rencontre renommée" in cycle.markdown


def test_serve_shows_problems_over_the_last_correct_site(tree, tmp_path, browser):
    """While the content is invalid, `make serve` keeps serving the last correct site, with
    the problems (file:line) in a banner on every page; the fix clears them."""
    import json
    import time
    import urllib.request

    from playwright.sync_api import expect

    from conftest import mkdocs_serve, served
    record = tree / "meetings" / "2022-03-01-reunion-test.md"
    correct = record.read_text()
    with mkdocs_serve(tree, tmp_path) as base:
        served(f"{base}/reunions/2022-03-01-reunion-test/", "Réunion de test du réseau")
        time.sleep(1)  # let the watcher start
        record.write_text(correct.replace("date: 2022-03-01", "date: 2022-02-30"))
        state = json.loads(served(f"{base}/irev-apercu.json", "date impossible"))
        assert state["derniere_version_correcte"] is True
        assert any(p.startswith("content/meetings/2022-03-01-reunion-test.md:6: date: date impossible")
                   for p in state["problemes"])
        # Pages still answer, with the last correct content.
        html = urllib.request.urlopen(f"{base}/reunions/2022-03-01-reunion-test/", timeout=10).read().decode()
        assert "mardi 1er mars 2022" in html
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.route("**/livereload/**", lambda route: route.abort())  # the test reloads; the preview must not too
        try:
            page.goto(f"{base}/personnes/ada-martin/")
            banner = page.get_by_role("alert")  # filled once the page has read the problems
            expect(banner).to_contain_text("1 problème(s) à corriger")
            expect(banner).to_contain_text("2022-03-01-reunion-test.md:6: date: date impossible")
            record.write_text(correct)
            served(f"{base}/irev-apercu.json", '"problemes": []')
            page.reload()
            expect(page.locator("#irev-apercu")).to_be_hidden()
        finally:
            page.close()
