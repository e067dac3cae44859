"""Caches are verified: a damaged entry of any cache (HTML, parsed YAML, kept
search index, what the last build's jobs made and read, pages as the theme wrote them, the open
data's files) is made again by the next real build,
never published and never fatal."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest

from conftest import CONTENT, MINIMAL, assert_cache_whole, assert_same_site, build_site

from irev import loading
from irev.parsing import ParseCache
from irev.site import RECORDERS

TEXT = "Mot d'introduction".encode()  # the body of a record: in its page's HTML only
TITLE = "Réunion de test du réseau".encode()  # a record's title: in the parsed YAML, on many pages


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The minimal tree, built once: its site is the reference, its cache is what gets damaged."""
    folder = tmp_path_factory.mktemp("built")
    shutil.copytree(MINIMAL, folder / "content")
    assert build_site(folder / "content", folder / "site").returncode == 0
    return folder


def flip(path: Path, near: bytes) -> None:
    """One bit changed, in the middle of `near`."""
    data = bytearray(path.read_bytes())
    at = data.index(near) + len(near) // 2
    data[at] ^= 1
    path.write_bytes(bytes(data))


def cut(path: Path, _: bytes) -> None:
    path.write_bytes(path.read_bytes()[:-3])


def edit(path: Path, near: bytes) -> None:
    """The same length, other words."""
    path.write_bytes(path.read_bytes().replace(near, near.upper()))


def swap(first: Path, second: Path) -> None:
    data = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(data)


def html_entries(cache: Path) -> list[Path]:
    """The HTML entries of the meeting's page (its body) and of the cycle's."""
    entries = sorted((cache / "html").glob("*/*.page"))
    return [next(e for e in entries if near in e.read_bytes()) for near in (TEXT, "Concepts clés".encode())]


def damage_html(cache: Path, how: str) -> None:
    meeting, cycle = html_entries(cache)
    if how == "swapped":
        swap(meeting, cycle)
    else:
        DAMAGES[how](meeting, TEXT)


def damage_yaml(cache: Path, how: str) -> None:
    if how == "swapped":  # another content tree's parse cache
        loading.load(CONTENT, cache / "yaml.marshal")
    else:
        DAMAGES[how](cache / "yaml.marshal", TITLE)


def damage_index(cache: Path, how: str) -> None:
    [kept] = (cache / "pagefind").iterdir()
    fragments = sorted((kept / "pagefind" / "fragment").iterdir())
    if how == "swapped":
        swap(*fragments[:2])
    elif how == "same length":
        edit(kept / "pagefind" / "pagefind-entry.json", b'"page_count":')
    else:
        DAMAGES[how](fragments[0], fragments[0].read_bytes()[20:40])


def damage_recorders(cache: Path, how: str) -> None:
    """What the last build's pages and page heads were made of, and the pages it made."""
    [pages] = (cache / RECORDERS / "pages").glob("*/*.pickle")
    [heads] = (cache / RECORDERS / "heads").glob("*/*.pickle")
    if how == "swapped":  # each whole, but the other's
        swap(pages, heads)
    else:
        middle = len(pages.read_bytes()) // 2
        DAMAGES[how](pages, pages.read_bytes()[middle:middle + 20])


def damage_written(cache: Path, how: str) -> None:
    """The meeting's page and the cycle's as the theme wrote them."""
    written = sorted((cache / "ecrites").glob("*/*.html"))
    meeting, cycle = (next(p for p in written if near in p.read_bytes()) for near in (TEXT, "Concepts clés".encode()))
    if how == "swapped":
        swap(meeting, cycle)
    else:
        DAMAGES[how](meeting, TEXT)


def damage_open_data(cache: Path, how: str) -> None:
    """The open data's files, kept as written while none of their jobs is made again: their dates
    put back, so that only what they hold can tell."""
    folder = cache / "donnees"
    dates = {path: path.stat() for path in folder.glob("*.json")}
    if how == "swapped":
        swap(folder / "reunions.json", folder / "cycles.json")
    else:
        DAMAGES[how](folder / "reunions.json", TITLE)
    for path, stat in dates.items():
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


DAMAGES = {"byte flipped": flip, "cut short": cut, "same length": edit, "swapped": swap}
KINDS = {"html": damage_html, "yaml": damage_yaml, "index": damage_index, "recorders": damage_recorders,
         "written": damage_written, "open data": damage_open_data}


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_cache_entry_is_made_again_and_never_published(kind, how, built, tmp_path):
    shutil.copytree(built / "site-cache", tmp_path / "cache")
    KINDS[kind](tmp_path / "cache", how)
    result = build_site(built / "content", tmp_path / "site", IREV_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    assert_same_site(tmp_path / "site", built / "site")
    assert_cache_whole(tmp_path / "cache", tmp_path)


def test_the_parse_cache_reads_back_what_it_wrote_or_nothing(tmp_path):
    """Whichever byte is damaged, or wherever the file is cut, no wrong data and no crash."""
    path = tmp_path / "yaml.marshal"
    cache = ParseCache(path)
    for number in range(50):
        cache.put(f"clé-{number}", {"titre": f"Titre numéro {number}", "liste": [str(number)] * 3})
    cache.save()
    whole, good = path.read_bytes(), dict(cache.entries)
    assert ParseCache(path).entries == good
    for at in range(0, len(whole), 7):
        damaged = bytearray(whole)
        damaged[at] ^= 0x20
        path.write_bytes(bytes(damaged))
        assert ParseCache(path).entries == {}, at
        path.write_bytes(whole[:at])
        assert ParseCache(path).entries == {}, at


def test_a_parse_cache_of_the_former_format_is_ignored(tmp_path):
    path = tmp_path / "yaml.marshal"
    path.write_bytes(marshal.dumps((ParseCache.VERSION, {"clé": {"titre": "ancien"}})))
    assert ParseCache(path).entries == {}
