"""Builds publish whole or not at all, one at a time: real `mkdocs build` processes, killed
(SIGKILL, as `kill -9` would) at named steps (IREV_PAUSE, irev/atomic.py), run two at once,
and beside a running `mkdocs serve`."""

from __future__ import annotations

import shutil
import signal
import sys
import threading
from pathlib import Path

import pytest

from conftest import (MINIMAL, assert_cache_whole, assert_same_site, build_site, changes, mkdocs_serve, own_docs,
                      page_text, run, served, snapshot, start_build, wait_for, write)

from irev import atomic, search

STEPS = ["render", "pages", "pagefind", "index-part", "index-cache", "publish"]
PARTS = {"IREV_INDEX_PART": "1"}  # an index in parts: a build can be killed between two


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The site of the minimal tree, built alone (from a copy, as the other builds here: a tree in
    the project's git clone is dated by its history, a copy by its files: irev/history.py)."""
    folder = tmp_path_factory.mktemp("reference")
    shutil.copytree(MINIMAL, folder / "content")
    site = folder / "site"
    assert build_site(folder / "content", site, **PARTS).returncode == 0
    return site


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A folder with a tree, its site and its cache, where the draft of the minimal tree was
    published and Paul SECRET consented: the tree is then set back, as an editor withdraws them."""
    folder = tmp_path_factory.mktemp("published")
    tree = folder / "content"
    shutil.copytree(MINIMAL, tree)
    draft = tree / "meetings" / "2022-04-01-reunion-brouillon.md"
    draft.write_text(draft.read_text().replace("statut: brouillon", "statut: publie"))
    people = tree / "registre" / "personnes.yml"
    people.write_text(people.read_text().replace("consentement_publication: false", "consentement_publication: true"))
    assert build_site(tree, folder / "site", **PARTS).returncode == 0
    assert (folder / "site" / "reunions" / "2022-04-01-reunion-brouillon" / "index.html").is_file()
    assert "SECRET" in page_text(folder / "site", "reunions/2022-03-01-reunion-test")
    shutil.rmtree(tree)
    shutil.copytree(MINIMAL, tree)
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(folder, target, symlinks=True)
    return target


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def ended(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def kill_at(step: str, project: Path, **env) -> None:
    """Start a build of the project's tree, wait until it reaches `step`, SIGKILL it; return once
    the helpers it left running (Pagefind) have ended too."""
    paused = project.parent / "paused"
    build = start_build(project / "content", project / "site", project.parent / "killed.log",
                        IREV_CACHE_DIR=str(project / "site-cache"), IREV_PAUSE=f"{step}:{paused}", **env)
    wait_for(lambda: paused.exists() or build.poll() is not None, f"build paused at {step}")
    assert build.poll() is None, (project.parent / "killed.log").read_text()
    helpers = descendants(build.pid)
    build.send_signal(signal.SIGKILL)
    build.wait()
    wait_for(lambda: all(map(ended, helpers)), "helpers of the killed build ended")


@pytest.mark.parametrize("step", STEPS)
def test_a_killed_build_leaves_the_previous_site_whole_and_the_next_build_correct(step, published, reference,
                                                                                 tmp_path):
    project = copy_of(published, tmp_path)
    before = snapshot(project / "site")
    kill_at(step, project, **PARTS)
    assert changes(before, snapshot(project / "site")) == []
    result = build_site(project / "content", project / "site", **PARTS)
    assert result.returncode == 0, result.stderr
    assert_same_site(project / "site", reference)
    everything = b" ".join(snapshot(project / "site").values())
    assert b"SECRET" not in everything and b"2022-04-01-reunion-brouillon" not in everything
    assert sorted(p.name for p in project.iterdir()) == [".site.irev-build", "content", "site", "site-cache"]
    assert [p.name for p in (project / ".site.irev-build").iterdir()] == ["lock"]


def test_a_build_killed_between_the_two_renames_of_the_fallback_gives_the_site_back(published, tmp_path):
    """Where folders cannot be swapped in one step, the site is moved aside then replaced: a
    build killed in between leaves no site, and the next build, even a failed one, puts it back."""
    project = copy_of(published, tmp_path)
    before = snapshot(project / "site")
    work = atomic.work_folder(project / "site")
    (project / "site").rename(work / "previous")
    write(work / "site" / "index.html", "moitié")  # the new site, as complete as it may be
    write(project / "content" / "cycles" / "vide.md", "---\ntitre: a\ntitre: b\n---\n")
    result = build_site(project / "content", project / "site")
    assert result.returncode != 0 and "Rien n'a été publié" in result.stderr
    assert changes(before, snapshot(project / "site")) == []
    assert [p.name for p in work.iterdir()] == ["lock"]


def test_the_fallback_swap_puts_the_new_folder_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)  # as where renameat2 is missing
    new, target, aside = tmp_path / "new", tmp_path / "target", tmp_path / "aside"
    write(new / "a", "nouveau")
    write(target / "a", "ancien")
    assert atomic.swap_in(new, target, aside) == aside
    assert (target / "a").read_text() == "nouveau" and (aside / "a").read_text() == "ancien"
    assert not new.exists()


def test_the_swap_is_one_step_on_linux(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    new, target = tmp_path / "new", tmp_path / "target"
    write(new / "a", "nouveau")
    write(target / "a", "ancien")
    assert atomic.swap_in(new, target, tmp_path / "aside") == new  # exchanged: nothing went aside
    assert (target / "a").read_text() == "nouveau" and (new / "a").read_text() == "ancien"


def test_nothing_is_written_in_the_site_while_it_is_indexed(reference, tmp_path, monkeypatch):
    """Pagefind works beside the site (a folder inside it would be published by a later build,
    MkDocs' clean keeping hidden files), and the index is swapped in when complete."""
    site, paused = tmp_path / "site", tmp_path / "paused"
    shutil.copytree(reference, site)
    before = snapshot(site)
    monkeypatch.setenv("IREV_PAUSE", f"pagefind:{paused}")
    monkeypatch.setenv("IREV_INDEX_PART", PARTS["IREV_INDEX_PART"])
    monkeypatch.setattr(atomic, "_paused", set())
    pages = ["reunions/2022-03-01-reunion-test/index.html", "cycles/2021-04-cycle-test/index.html"]
    indexing = threading.Thread(target=search.index_site, args=(site, pages))
    indexing.start()
    wait_for(lambda: paused.exists() or not indexing.is_alive(), "Pagefind started")
    try:
        assert changes(before, snapshot(site)) == []
    finally:
        paused.unlink(missing_ok=True)
        indexing.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert_same_site(site, reference)


def test_a_strict_build_that_mkdocs_aborts_publishes_nothing(tree, tmp_path):
    """MkDocs fails a --strict build after a warning only once the last hook has run: the site
    must not have been swapped in by then."""
    docs, config = own_docs(tmp_path)
    site, env = tmp_path / "site", {"IREV_CACHE_DIR": str(tmp_path / "cache")}
    command = ["mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site)]
    assert run(command, tree, **env).returncode == 0
    before = snapshot(site)
    write(docs / "lien-casse.md", "# Lien\n\n[cassé](nulle-part.md)\n")
    result = run(command, tree, **env)
    assert result.returncode != 0 and "strict mode" in result.stdout + result.stderr
    assert changes(before, snapshot(site)) == []
    assert [p.name for p in atomic.work_folder(site).iterdir()] == ["lock"]


@pytest.mark.parametrize("shared", ["site", "cache"])
def test_a_second_build_waits_for_the_first_and_both_end_well(shared, tree, reference, tmp_path):
    """Two builds of the same checkout: the second says it waits, and waits; then both succeed,
    leaving the site and the cache whole."""
    paused = tmp_path / "paused"
    second_site, second_cache = {"site": ("site", "other-cache"), "cache": ("other", "cache")}[shared]
    sites, caches = [tmp_path / "site", tmp_path / second_site], [tmp_path / "cache", tmp_path / second_cache]
    first = start_build(tree, sites[0], tmp_path / "first.log", IREV_CACHE_DIR=str(caches[0]),
                        IREV_PAUSE=f"render:{paused}", **PARTS)
    wait_for(lambda: paused.exists() or first.poll() is not None, "first build paused")
    second = start_build(tree, sites[1], tmp_path / "second.log", IREV_CACHE_DIR=str(caches[1]), **PARTS)
    waiting = "est en cours d'utilisation par une autre construction"
    wait_for(lambda: waiting in (tmp_path / "second.log").read_text() or second.poll() is not None, "second waits")
    assert second.poll() is None, (tmp_path / "second.log").read_text()
    waited_for = f"Le dossier {sites[1]}" if shared == "site" else f"Le cache {caches[1]}"
    assert f"{waited_for} {waiting}" in (tmp_path / "second.log").read_text()
    paused.unlink()
    assert first.wait() == 0, (tmp_path / "first.log").read_text()
    assert second.wait() == 0, (tmp_path / "second.log").read_text()
    for site in sites:
        assert_same_site(site, reference)
    for cache in caches:
        assert_cache_whole(cache, tmp_path)


def test_two_builds_started_at_once_both_end_well(tree, reference, tmp_path):
    builds = [start_build(tree, tmp_path / "site", tmp_path / f"{n}.log", IREV_CACHE_DIR=str(tmp_path / "cache"),
                          **PARTS) for n in range(2)]
    assert [build.wait() for build in builds] == [0, 0], [(tmp_path / f"{n}.log").read_text() for n in range(2)]
    assert_same_site(tmp_path / "site", reference)
    assert_cache_whole(tmp_path / "cache", tmp_path)


def test_a_build_beside_a_running_preview_leaves_both_whole(tree, reference, tmp_path):
    """`make site` while `make serve` builds, on the same tree and cache: the build waits for the
    preview's build; both go on working."""
    cache, paused = str(tmp_path / "cache"), tmp_path / "paused"
    with mkdocs_serve(tree, tmp_path, IREV_CACHE_DIR=cache, IREV_PAUSE=f"render:{paused}", **PARTS) as base:
        url = f"{base}/reunions/2022-03-01-reunion-test/"
        wait_for(lambda: paused.exists(), "preview paused in its first build")
        build = start_build(tree, tmp_path / "site", tmp_path / "build.log", IREV_CACHE_DIR=cache, **PARTS)
        wait_for(lambda: "attente de sa fin" in (tmp_path / "build.log").read_text() or build.poll() is not None,
                 "build waits for the preview")
        assert build.poll() is None, (tmp_path / "build.log").read_text()
        paused.unlink()
        assert build.wait() == 0, (tmp_path / "build.log").read_text()
        assert_same_site(tmp_path / "site", reference)
        served(url, "Réunion de test du réseau")
        record = tree / "meetings" / "2022-03-01-reunion-test.md"
        record.write_text(record.read_text() + "\nAjouté pendant la prévisualisation.\n")
        served(url, "Ajouté pendant la prévisualisation.")
        assert build_site(tree, tmp_path / "site", IREV_CACHE_DIR=cache, **PARTS).returncode == 0
        assert "Ajouté pendant" in page_text(tmp_path / "site", "reunions/2022-03-01-reunion-test")
        assert_cache_whole(tmp_path / "cache", tmp_path)


def test_a_build_waits_for_the_files_a_preview_writes_after_its_pages(tree, tmp_path):
    """The preview writes its open data and calendars once its pages are shown, into the cache a
    `make site` may share: the build waits for them, and publishes nothing of the drafts the
    preview shows."""
    cache, paused = str(tmp_path / "cache"), tmp_path / "paused"
    draft = tree / "meetings" / "2022-04-01-reunion-brouillon.md"
    with mkdocs_serve(tree, tmp_path, IREV_CACHE_DIR=cache, IREV_BROUILLONS="1", IREV_PAUSE=f"later:{paused}") as base:
        served(f"{base}/reunions/2022-04-01-reunion-brouillon/", "Réunion encore en brouillon")
        draft.write_text(draft.read_text(encoding="utf-8") + "\nAjouté au brouillon.\n", encoding="utf-8")
        served(f"{base}/reunions/2022-04-01-reunion-brouillon/", "Ajouté au brouillon.")
        wait_for(lambda: paused.exists(), "preview paused before writing its files")
        build = start_build(tree, tmp_path / "site", tmp_path / "build.log", IREV_CACHE_DIR=cache)
        log = lambda: (tmp_path / "build.log").read_text(encoding="utf-8")  # noqa: E731
        wait_for(lambda: "attente de sa fin" in log() or build.poll() is not None, "build waits for the preview")
        assert build.poll() is None, log()
        paused.unlink()
        assert build.wait() == 0, log()
    published = snapshot(tmp_path / "site")
    drafts = ("Réunion encore en brouillon".encode(), b"Ajout\xc3\xa9 au brouillon", b"2022-04-01-reunion-brouillon")
    assert not [name for name, data in published.items() if any(text in data for text in drafts)]
