"""Preview and warm builds: after any edit, a serving session, or a build over the cache the last
build left, remakes only the jobs whose inputs changed, and what it makes is, output by output,
what a fresh build of the same content makes."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import pytest
from conftest import CONTENT, markdown_settings, pdf_text, session_options, wait_for

from irev import agenda, loading, pdf
from irev.site import RECORDERS, Session


@pytest.fixture(params=[True, False], ids=["serve", "build"])
def serving(request) -> bool:
    """Whether successive builds are a preview's (one session) or warm builds (a session each)."""
    return request.param


@pytest.fixture
def seed(tmp_path):
    """The seed content, its files dated now as in a fresh clone: a record's « Mis à jour le » is its
    file's date, and the edits below would otherwise change it in a checkout older than a day."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target, copy_function=shutil.copyfile)
    return target


def _outputs(session: Session) -> dict:
    """What a build made, output by output: each page (its HTML by content hash), what its head says,
    the files served (their bytes: feeds, open data…)."""
    return {"pages": {p.src_uri: (p.title, p.searchable, session.keys[p.src_uri]) for p in session.pages},
            "heads": session.heads,
            "files": sorted((uri, path.read_bytes()) for uri, path in session.files),
            "downloads": {uri: (d.uri, d.key, d.size) for uri, d in session.downloads.items()},  # the PDF of that HTML
            "search": (session.search_pages, session.search_key)}


class Preview:
    """Successive builds of a content tree after edits: by one serving session (`mkdocs serve`), or
    by a new session each time keeping what it made in the cache for the next (`mkdocs build`, warm);
    each checked against a fresh build (a cache without any build's records of jobs)."""

    def __init__(self, tree, tmp_path, serving: bool = True, drafts: bool = False):
        self.tree, self.cache, self.fresh_cache = tree, tmp_path / "cache", tmp_path / "fresh"
        self.serving, self.session, self.drafts = serving, Session(serving=True), drafts
        self.made: list = []
        self.rebuild()

    def rebuild(self) -> dict:
        session = self.session if self.serving else Session()
        problems = [(str(p), p.warning) for p in session.prepare(self.options(self.cache))]
        assert all(warning for _, warning in problems)
        compiled = pdf.compilations
        session.make()
        session.write_later()  # what a preview writes once its pages are shown
        self.session, self.made = session, session.remade["pages"]
        self.compiled = pdf.compilations - compiled  # PDFs made in this process
        made = _outputs(session)
        shutil.rmtree(self.fresh_cache / RECORDERS, ignore_errors=True)
        fresh = Session()
        assert problems == [(str(p), p.warning) for p in fresh.prepare(self.options(self.fresh_cache))]  # warnings
        fresh.make()
        assert made == _outputs(fresh)  # what a full build makes
        self.fresh = fresh
        return made

    def options(self, cache: Path):
        return dataclasses.replace(session_options(self.tree, cache), drafts=self.drafts)

    def html(self, source: str) -> str:
        """The HTML of the page of a record's file (`meetings/x.md` is served from `reunions/x.md`)."""
        uri = next(p.src_uri for p in self.session.pages if p.src_uri.endswith("/" + source.rpartition("/")[2]))
        return self.session.html(uri).html

    def edit(self, name: str, old: str, new: str, count: int = 1) -> dict:
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


def test_body_edit_remakes_its_page_only(seed, tmp_path, serving):
    preview = Preview(seed, tmp_path, serving)
    total = len(preview.made)
    if serving:  # as `mkdocs serve` does once it serves: an edit's PDF is then made by its worker processes
        preview.session.memos.converters.start(2, *markdown_settings())
    ledgers = {path: path.stat().st_mtime_ns for path in (preview.cache / "html" / "ledger.json", preview.cache / "pdf" / "ledger.json")}
    try:
        preview.edit(MEETING, "\n---\n", "\n---\nParagraphe ajouté en prévisualisation.\n", count=1)
    finally:
        preview.session.close()
    if serving:  # its page and PDF made without the caches' ledgers read and written again (2 MB each at 10,000 records)
        assert {path: path.stat().st_mtime_ns for path in ledgers} == ledgers
    assert preview.made == [("record", "2022-02-22-reseau-lcd")] and total > 100
    assert set(preview.session.remade) == {"pages", "heads", "feeds", "exports", "events"}
    assert preview.session.remade["heads"] == [] and len(preview.session.remade["feeds"]) < 10
    assert preview.session.remade["exports"] == [("reunions", "2022-02-22-reseau-lcd")]
    assert preview.session.remade["events"] == [("reunion", "2022-02-22-reseau-lcd")]
    assert preview.compiled == (0 if serving else 1)  # its PDF only: a preview's, by its worker processes
    assert preview.session.timings["PDF"] > 0  # its PDF, made again: how long it took, whichever process made it
    assert "Paragraphe ajouté" in preview.html("reunions/2022-02-22-reseau-lcd.md")
    uri = "reunions/2022-02-22-reseau-lcd.md"  # its PDF made again says what a full build's says (the page's
    made, fresh = (pdf_text(pdf.read(cache / "pdf", session.downloads[uri].key))  # text, not the offer of the PDF)
                   for cache, session in ((preview.cache, preview.session), (preview.fresh_cache, preview.fresh)))
    assert "Paragraphe ajouté" in made and "Télécharger" not in made and made == fresh


def test_an_edit_whose_pdf_worker_died_makes_its_pdf_all_the_same(seed, tmp_path):
    """A worker process killed (by the system, short of memory…): the edit's PDF is made in the
    preview's own process, as a full build makes it, and the next edit starts new workers."""
    preview = Preview(seed, tmp_path)
    workers = preview.session.memos.converters
    workers.start(2, *markdown_settings())
    try:
        wait_for(lambda: len(workers.pool._processes) == 2, "two worker processes")
        for process in workers.pool._processes.values():
            process.kill()
        preview.edit(MEETING, "\n---\n", "\n---\nParagraphe ajouté après la mort d'un processus.\n", count=1)
        assert workers.pool is None and preview.compiled == 1  # (its PDF compared with a full build's: Preview)
    finally:
        preview.session.close()


def test_a_record_whose_id_another_file_shares_made_invalid_gives_way_to_it(seed):
    """Two files of one id: the first is kept, the other refused. The first made invalid, the other
    is kept, though no file of it was read again: a preview's rebuild finds it as a build does."""
    from irev import catalogue
    (seed / "fiches" / "2022-02-22-reseau-lcd.md").write_text(
        (seed / "fiches" / "2020-testing-preuve-devant-le-juge-defenseur-des-droits.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    memos: tuple[dict, dict] = ({}, {})

    def rebuild() -> list[str]:
        content = loading.load(seed, memo=memos[0])
        cat, _ = catalogue.build(content, memo=memos[1])
        fresh, _ = catalogue.build(loading.load(seed))
        assert cat.records.keys() == fresh.records.keys()
        return [entry.file for entry in cat.records.values() if entry.id == "2022-02-22-reseau-lcd"]

    assert rebuild() == ["content/" + MEETING]
    path = seed / MEETING
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2022-02-22", "date: 2022-02-31"), encoding="utf-8")
    assert rebuild() == ["content/fiches/2022-02-22-reseau-lcd.md"]


THEMES = "registre/themes.yml"


@pytest.mark.parametrize("name, old, new", [
    (MEETING, "titre: Rencontre régionale", "titre: Rencontre renommée"),  # shown in every list and link
    (MEETING, "date: 2022-02-22", "date: 2021-02-22"),  # the order of every list holding it
    (MEETING, "date: 2022-02-22\n", "date: 2022-02-22\nmise_a_jour: 2026-06-01\n"),  # the update of the pages listing it
    (MEETING, "  - evaluation\n", "  - discriminations-logement\n"),  # related records, theme pages
    (MEETING, "  - ca-de-lens-lievin\n", ""),  # territory pages and their broader ones
    (MEETING, "suivante: 2022-06-22-reseau-lcd\n", ""),  # the series
    (MEETING, "  - personne: nassim-boudaud", "  - personne: ingrid-dequin"),  # people pages
    (MEETING, "    organisation: caph\n", "    organisation: cabbalr\n"),  # the territory of an organisation lists its meetings
    ("plans/2018-ptlcd-metropole-europeenne-de-lille.md", "territoire: metropole-europeenne-de-lille",
     "territoire: ca-de-lens-lievin"),
    ("fiches/2022-echelle-de-maturite-concept-rse.md", "\n---\n", "\n---\nVoir [[personne:ingrid-dequin]].\n"),
    (THEMES, "libelle: Évaluation", "libelle: Évaluation des politiques"),  # a registry entry's label
    ("plans/2017-ptlcd-valenciennes-metropole.md", "date: 2017\n",  # the same first day, shown otherwise
     "date:\n  date: 2017\n  precision: année retenue pour le classement\n"),
])
def test_an_edit_remakes_the_pages_that_read_what_it_changed(seed, tmp_path, serving, name, old, new):
    preview = Preview(seed, tmp_path, serving)
    total = len(preview.made)
    preview.edit(name, old, new)  # Preview.rebuild compares with a full build
    assert 0 < len(preview.made) < total / 2


def test_a_title_edit_leaves_the_heads_of_the_pages_listing_it(seed, tmp_path, serving):
    """They give the newest update of what they list: only the records' dates are read."""
    preview = Preview(seed, tmp_path, serving)
    preview.edit(MEETING, "titre: Rencontre régionale", "titre: Rencontre renommée")
    assert preview.session.remade["heads"] == [("record", "2022-02-22-reseau-lcd")]
    assert len(preview.made) > 10  # while the pages listing it are made again


def test_a_themes_parent_moves_it_in_both_trees(seed, tmp_path, serving):
    preview = Preview(seed, tmp_path, serving)
    preview.edit(THEMES, "Discriminations dans le logement\n  parent: discriminations",
                 "Discriminations dans le logement\n  parent: lieu-de-residence")  # compared with a full build
    assert {("entity", "theme", "lieu-de-residence"), ("entity", "theme", "discriminations-logement")} <= set(preview.made)


def test_consent_or_publication_edit(seed, tmp_path, serving):
    preview = Preview(seed, tmp_path, serving)
    total = len(preview.made)
    preview.edit("registre/personnes.yml", "consentement_publication: true", "consentement_publication: false")
    assert len(preview.made) == total - 1  # who may be named changed: every page, but the person's own is gone
    outputs = preview.edit(MEETING, "statut: publie", "statut: brouillon")
    assert not any("2022-02-22-reseau-lcd" in uri for uri in outputs["pages"])


def test_a_record_linking_to_an_edited_record_shows_its_new_title(seed, tmp_path, serving):
    preview = Preview(seed, tmp_path, serving)
    cycle = "cycles/2022-parcours-mixite-sociale-et-scolaire.md"
    preview.edit(cycle, "  - hauts-de-france\n", "")  # no theme or territory in common with the meeting left
    preview.edit(cycle, "\n---\n", "\n---\nVoir aussi [[reunion:2022-02-22-reseau-lcd]].\n")
    preview.edit(MEETING, "titre: Rencontre régionale", "titre: Rencontre renommée")
    assert ("record", "2022-parcours-mixite-sociale-et-scolaire") in preview.made
    assert "Rencontre renommée" in preview.html(cycle)


def test_a_summary_follows_the_entries_it_mentions(seed, tmp_path, serving):
    """A record's summary, in its page's head, the feeds and its calendar file, names the entries it
    mentions: renaming one of them remakes those (each step compared with a full build)."""
    preview = Preview(seed, tmp_path, serving)
    preview.edit(MEETING, "resume: >-\n", "resume: >-\n  Avec [[organisation:caph]].\n")
    outputs = preview.edit("registre/organisations.yml", "  nom: Communauté d'agglomération de la Porte du Hainaut\n",
                           "  nom: Agglomération renommée\n")
    assert ("reunion", "2022-02-22-reseau-lcd") in preview.session.remade["events"]
    calendar = dict(outputs["files"])["reunions/2022-02-22-reseau-lcd/2022-02-22-reseau-lcd.ics"].decode()
    assert "Agglomération renommée" in calendar.replace("\r\n ", "")


def test_a_build_sharing_the_previews_cache_leaves_what_it_serves_right(seed, tmp_path):
    """`make site` and `make serve` share a cache. A build there between two rebuilds of a preview
    showing drafts rewrites the calendars and open data with the public address, and removes a
    draft's calendar: the preview's next rebuild serves its own again (compared with a full build)."""
    draft = "meetings/2022-06-22-reseau-lcd.md"
    path = seed / draft
    path.write_text(path.read_text(encoding="utf-8").replace("statut: publie", "statut: brouillon"), encoding="utf-8")
    preview = Preview(seed, tmp_path, drafts=True)
    served = dict(preview.session.files)
    calendar = served["reunions/2022-06-22-reseau-lcd/2022-06-22-reseau-lcd.ics"]
    build = Session()
    build.prepare(dataclasses.replace(session_options(seed, preview.cache), site_url="https://public.example/"))
    build.make()
    assert not calendar.exists() and b"https://public.example/" in served[agenda.CALENDAR].read_bytes()
    outputs = preview.edit(MEETING, "\n---\n", "\n---\nParagraphe ajouté en prévisualisation.\n")
    assert calendar.exists()
    assert not [uri for uri, data in outputs["files"] if b"public.example" in data]


@pytest.mark.parametrize("failing", ["write_if_changed", "make"])
def test_a_rebuild_stopped_by_an_error_leaves_the_next_one_whole(seed, tmp_path, monkeypatch, failing):
    """A rebuild that stops on an error (a full disk while writing the feeds, a fault in a page's job)
    has remade part of the jobs only: the next one, after another edit, still makes what a full build does."""
    import errno
    from irev import atomic, pages
    preview = Preview(seed, tmp_path)
    (seed / MEETING).write_text((seed / MEETING).read_text().replace("titre: Rencontre régionale",
                                                                     "titre: Rencontre renommée", 1))

    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as patched:
        patched.setattr(atomic if failing == "write_if_changed" else pages, failing, fail)
        preview.session.prepare(preview.options(preview.cache))
        with pytest.raises(OSError):
            preview.session.make()
    preview.edit("fiches/2022-echelle-de-maturite-concept-rse.md", "\n---\n", "\n---\nAutre modification.\n")


def test_an_edit_made_while_the_content_is_invalid_shows_once_it_is_fixed(seed, tmp_path):
    """While the content has an error the preview keeps its last correct site (the hook abandons the
    build prepared); what was edited meanwhile shows at the next correct build, as a full build makes it
    (that build's catalogue is compared with the last one made, not with the one abandoned)."""
    preview = Preview(seed, tmp_path)
    fiche = seed / "fiches/2022-echelle-de-maturite-concept-rse.md"
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text.replace("  - evaluation\n", "  - theme-inconnu\n", 1), encoding="utf-8")
    meeting = seed / MEETING
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("titre: Rencontre régionale", "titre: Rencontre renommée", 1),
                       encoding="utf-8")
    problems = preview.session.prepare(preview.options(preview.cache))
    assert [p.field for p in problems if not p.warning] == ["themes[0]"]
    preview.session.abandon()
    fiche.write_text(text, encoding="utf-8")
    preview.rebuild()
    assert "Rencontre renommée" in preview.html(MEETING)


def _stopped_at(step: str, seed, tmp_path, monkeypatch) -> tuple[Preview, list, list]:
    """A preview whose files left to write after a title edit are stopped by the next edit's build
    (`cancel`, as hooks/irev_hook.py's _finish_background) at a step (IREV_PAUSE): the preview, the
    writes left before, what the background said once done."""
    from irev import atomic
    preview = Preview(seed, tmp_path)
    (seed / MEETING).write_text((seed / MEETING).read_text().replace("titre: Rencontre régionale",
                                                                     "titre: Rencontre renommée", 1))
    session = preview.session
    session.prepare(preview.options(preview.cache))
    session.make()
    left, paused, released = list(session.later), tmp_path / "paused", []
    monkeypatch.setenv("IREV_PAUSE", f"{step}:{paused}")
    monkeypatch.setattr(atomic, "_paused", set())
    thread, cancel = session.finish_in_background(tmp_path / "site", lambda: released.append(True), pytest.fail,
                                                  quiet=0)
    wait_for(paused.exists, f"the background paused at {step}")
    cancel.set()
    paused.unlink()
    thread.join()
    return preview, left, released


def _open_data_holding(preview: Preview, text: str) -> list[str]:
    from irev import exports
    folder = preview.cache / exports.FOLDER
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes())


def test_a_newer_build_stops_the_files_a_preview_left_to_write(seed, tmp_path, monkeypatch):
    """The open data and calendars a preview writes after its pages are stopped by the next edit's
    build, which then makes them from its own content."""
    preview, left, released = _stopped_at("later", seed, tmp_path, monkeypatch)
    assert left and preview.session.later == left and released == [True]  # nothing written, the cache let go
    preview.edit("fiches/2022-echelle-de-maturite-concept-rse.md", "\n---\n", "\n---\nAutre modification.\n")


def test_the_next_edit_stops_a_write_of_the_preview_between_two_of_its_files(seed, tmp_path, monkeypatch):
    """A write left for after the pages (a type of the open data: three files) is stopped between two
    of its files (it waits for the file under way only): the file written stays, the others are not
    written, and the next build writes them all from its own content."""
    preview, left, _ = _stopped_at("later-part", seed, tmp_path, monkeypatch)
    assert _open_data_holding(preview, "Rencontre renommée") == ["reunions.json"]
    assert preview.session.later == left  # the write stopped is left whole, made again by the next build
    preview.edit("fiches/2022-echelle-de-maturite-concept-rse.md", "\n---\n", "\n---\nAutre modification.\n")
    assert _open_data_holding(preview, "Rencontre renommée") == ["reunions.csv", "reunions.json", "tout.jsonl"]


def test_a_preview_writes_its_files_once_the_editor_pauses(seed, tmp_path):
    """The files a page does not need (open data, calendars) wait for a pause in the edits: an edit
    coming before finds them unwritten, and its build makes them."""
    import time
    session = Session(serving=True)
    session.prepare(session_options(seed, tmp_path / "cache"))
    session.make()
    left, released = len(session.later), []
    thread, cancel = session.finish_in_background(tmp_path / "site", lambda: released.append(True), pytest.fail,
                                                  quiet=30)
    time.sleep(1)
    assert thread.is_alive() and left and len(session.later) == left and released == []
    cancel.set()  # an edit: its build stops what is left
    thread.join()
    assert len(session.later) == left and released == [True]
    session.search_pages = []  # (no pages written here to index)
    thread, _ = session.finish_in_background(tmp_path / "site", lambda: released.append(True), pytest.fail, quiet=0.1)
    thread.join()  # no edit: written
    assert session.later == [] and (tmp_path / "site" / "donnees").is_dir()


def test_a_previews_first_build_leaves_in_the_cache_only_what_its_pages_use(seed, tmp_path):
    """HTML and PDFs of earlier versions of the code or content go, as a build's would (a preview
    started after each change of the code otherwise kept 1.7 GB more of PDFs at 10,000 records)."""
    from irev import pdf, rendering
    cache = tmp_path / "cache"
    stale = [rendering._path(cache / "html", "0" * 64), pdf.path(cache / "pdf", "0" * 64)]
    for path in stale:
        path.parent.mkdir(parents=True)
        path.write_bytes(b"an entry of an earlier version")
    session = Session(serving=True)
    session.prepare(session_options(seed, cache))
    session.make()
    assert [path.exists() for path in stale] == [False, False]
    assert session.keys and all(rendering._path(cache / "html", key).exists() for key in session.keys.values())
    assert session.downloads and all(pdf.path(cache / "pdf", d.key).exists() for d in session.downloads.values())


def test_the_hints_of_unknown_ids_are_a_full_builds(seed, tmp_path):
    """Past a number of unknown ids, the rest get no hint (`HINTED_IDS`): which ones do depends on all of
    them, in order; a preview's rebuild, reusing what it found in unchanged files, gives the same."""
    from irev import catalogue
    meeting, plan = seed / "meetings/2022-06-22-reseau-lcd.md", seed / "plans/2017-ptlcd-valenciennes-metropole.md"
    unknown = "".join(f"  - nord{i}\n" for i in range(catalogue.HINTED_IDS))
    meeting.write_text(meeting.read_text().replace("territoires:\n", "territoires:\n" + unknown, 1))
    plan.write_text(plan.read_text().replace("territoires:\n", "territoires:\n  - nord-x\n", 1))
    session = Session(serving=True)
    session.prepare(session_options(seed, tmp_path / "cache"))
    plan.write_text(plan.read_text().replace("\n---\n", "\n---\nTexte.\n", 1))
    again = [str(p) for p in session.prepare(session_options(seed, tmp_path / "cache"))]
    assert [p for p in again if "nord-x" in p]
    assert again == [str(p) for p in Session().prepare(session_options(seed, tmp_path / "fresh"))]


def test_files_a_preview_cannot_write_are_said_and_the_others_served(seed, tmp_path):
    """What a preview writes once its pages are shown, failing (a full disk…): the failure is handed
    on (the hook shows it on every page), the files made are served, the cache is let go."""
    import errno
    session = Session(serving=True)
    session.prepare(session_options(seed, tmp_path / "cache"))
    session.make()

    def full():
        raise OSError(errno.ENOSPC, "No space left on device")
    session.later.insert(0, full)
    session.search_pages = []  # no index: this site has no pages (a cancel set now would come too late)
    failures, released, site = [], [], tmp_path / "site"
    thread, _ = session.finish_in_background(site, lambda: released.append(True), failures.append, quiet=0)
    thread.join()
    assert [failure.errno for failure in failures] == [errno.ENOSPC] and released == [True]
    made = [(uri, path) for uri, path in session.files if path.exists()]  # feeds… (not the open data, left to write)
    assert made and all((site / uri).read_bytes() == path.read_bytes() for uri, path in made)


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


def test_serve_rebuilds_once_an_edit_handing_mkdocs_the_pages_it_changed(seed, tmp_path):
    """`make serve` rests until an edit (reading its own templates must not call for another build),
    then rebuilds once, handing MkDocs the pages whose source the edit rewrote and the navigation's,
    not all of them (at 10,000 records, going through every page took MkDocs seconds): the edited
    record, the pages listing it (the home page's latest records too) and the navigation show the
    change, the other pages are still served, and the sitemap still lists every page."""
    import os
    import re
    import time
    import urllib.request

    from conftest import mkdocs_serve, served
    log = tmp_path / "mkdocs.log"
    read = lambda url: urllib.request.urlopen(url, timeout=10).read().decode()  # noqa: E731
    locations = lambda sitemap: set(re.findall(r"<loc>(.*?)</loc>", sitemap))  # noqa: E731

    def builds() -> list[str]:
        """MkDocs' log of each build."""
        return log.read_text().split("Building documentation...")[1:]

    def handed(build: str) -> int:
        """The generated pages MkDocs was handed in a build."""
        return int(re.search(r"irev : (\d+) pages générées remises à MkDocs", build).group(1))

    with mkdocs_serve(seed, tmp_path, log=log) as base:
        served(f"{base}/reunions/2022-02-22-reseau-lcd/", "Rencontre régionale des acteurs territoriaux")
        sitemap = read(f"{base}/sitemap.xml")
        time.sleep(3)  # nothing changed: no build
        assert len(builds()) == 1
        path = seed / MEETING
        path.write_text(path.read_text().replace("titre: Rencontre régionale", "titre: Journée régionale", 1))
        served(f"{base}/reunions/2022-02-22-reseau-lcd/", "Journée régionale des acteurs territoriaux")
        served(f"{base}/reunions/", "Journée régionale des acteurs territoriaux")  # in the navigation
        served(f"{base}/territoires/grande-synthe/", "Journée régionale des acteurs territoriaux")  # not in it
        home = served(f"{base}/", "Journée régionale des acteurs territoriaux")  # the home page's latest records
        assert 'href="reunions/2022-02-22-reseau-lcd/"' in home and not re.search(r'href="(?!https:)[^"]*\.md"', home)
        time.sleep(3)
        assert len(builds()) == 2
        other = read(f"{base}/fiches/")  # neither remade nor handed
        assert "md-tabs" in other and "Fiches outils" in other
        assert locations(read(f"{base}/sitemap.xml")) == locations(sitemap) and len(locations(sitemap)) > 200
        os.utime(path)  # touched, as editors do to see a page made again: one build
        deadline = time.monotonic() + 30
        while len(builds()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)
        assert len(builds()) == 3
    first, rebuild, _ = builds()
    assert handed(first) > 200 and 0 < handed(rebuild) < handed(first) / 2, (handed(first), handed(rebuild))
    site = Path(re.search(r"Config value 'site_dir' = '(.*?)'", log.read_text()).group(1))  # stopped as by Ctrl-C:
    assert not site.exists() and not list(site.parent.glob(f".{site.name}-*"))  # nothing left behind


def test_serve_takes_down_a_record_made_a_draft_and_puts_it_back(seed, tmp_path):
    """MkDocs (`--dirty`) leaves the pages and files of a build in its folder: a record made a draft
    (or deleted) would stay served. Its page and calendar go, and come back with it."""
    import urllib.error
    import urllib.request

    from conftest import mkdocs_serve, served
    page = "reunions/2022-02-22-reseau-lcd/"
    calendar, download = page + "2022-02-22-reseau-lcd.ics", page + "2022-02-22-reseau-lcd.pdf"

    def gone(url: str) -> bool:
        """Whether the server answers 404, within a minute (the calendar goes after the pages are shown)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=10)
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return True
            time.sleep(0.2)
        return False

    path = seed / MEETING
    published = path.read_text(encoding="utf-8")
    with mkdocs_serve(seed, tmp_path) as base:
        served(f"{base}/{calendar}", "BEGIN:VCALENDAR")
        path.write_text(published.replace("statut: publie", "statut: brouillon"), encoding="utf-8")
        assert gone(f"{base}/{page}") and gone(f"{base}/{calendar}") and gone(f"{base}/{download}")
        assert "Rencontre régionale des acteurs territoriaux" not in served(f"{base}/territoires/grande-synthe/",
                                                                            "Grande-Synthe")
        path.write_text(published, encoding="utf-8")
        served(f"{base}/{page}", "Rencontre régionale des acteurs territoriaux")
        served(f"{base}/{calendar}", "BEGIN:VCALENDAR")


def test_serve_without_dirty_puts_back_every_served_file(seed, tmp_path):
    """`mkdocs serve` without --dirty empties its folder before each rebuild: the files served as
    they are (calendars, open data…) are put back each time, not only those an edit changed."""
    from conftest import mkdocs_serve, served
    with mkdocs_serve(seed, tmp_path, dirty=False) as base:
        served(f"{base}/donnees/fiches.json", "[")
        path = seed / MEETING
        path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", "\n---\nParagraphe ajouté.\n", 1),
                        encoding="utf-8")
        served(f"{base}/reunions/2022-02-22-reseau-lcd/", "Paragraphe ajouté.")
        served(f"{base}/donnees/fiches.json", "[")  # unchanged by the edit
        served(f"{base}/agenda/irev.ics", "BEGIN:VCALENDAR")


def test_a_record_not_naming_someone_follows_their_registry_entry(seed, tmp_path, serving):
    """`nommer: false` in a meeting, then a new spelling of that person's name in the registry: the
    meeting's text, and the names it shows from elsewhere, are redacted again (compared with a full build
    at each step)."""
    preview = Preview(seed, tmp_path, serving)
    preview.edit(MEETING, "    fonction: Chargé de mission cohésion sociale\n",
                 "    fonction: Chargé de mission cohésion sociale\n    nommer: false\n")
    assert ("entity", "personne", "nassim-boudaud") in preview.made
    preview.edit(MEETING, "\n---\n", "\n---\nNassim Boudo a présenté la démarche.\n")
    assert "Nassim Boudo" in preview.html(MEETING)
    preview.edit("registre/personnes.yml", "  - Nassim BOUDAOU\n", "  - Nassim BOUDAOU\n  - Nassim BOUDO\n")
    assert "Nassim Boudo" not in preview.html(MEETING)
    # A name from elsewhere (an organisation's) holding a new spelling: the meeting's text is unchanged, its page is not.
    preview.edit("registre/organisations.yml", "  nom: Métropole Européenne de Lille\n", "  nom: Cabinet Nassim Boudeau\n")
    assert "Cabinet Nassim Boudeau" in preview.html(MEETING)
    preview.edit("registre/personnes.yml", "  - Nassim BOUDO\n", "  - Nassim BOUDO\n  - Nassim BOUDEAU\n")
    assert "Cabinet [nom non publié]" in preview.html(MEETING) and "Boudeau" not in preview.html(MEETING)
