"""The editors' guide (CONTRIBUER.md) works as written: every example it shows passes
`python -m irev check`, every error it shows gives the message it quotes, every command it marks
runnable runs, and the site's /contribuer/ page is made from it.

Every fenced block of the guide follows a marker, an HTML comment (invisible on the forges and
on the site) saying what the block is:

- `<!-- exemple : TARGET -->`: kept; the examples, in order, make the guide's content tree
  (the seed content, plus the guide's records, registry entries and other files);
- `<!-- variante : TARGET -->`: a change of that tree shown on its own, not kept;
- `<!-- erreur : TARGET -->`: a change of that tree that check refuses, followed by a
  `<!-- message -->` block: the lines check prints (`[…]` stands for what varies);
- `<!-- commande -->`: shell lines run in a copy of the project holding the guide's tree;
  `<!-- commande non lancée -->` (a server): each `make` target must exist.

TARGET is a path from the project's root, then how the block applies: `content/x.md` (the
whole file), `à la fin de content/x.yml` (added at its end), `content/x.md, ligne 5` (replaces
line 5), `…, après la ligne 6` (inserted after line 6). An erreur marker may stand without a
block: `…, sans la ligne 6` (line 6 removed), `déplacer content/a.md vers content/b.md`.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CONTENT, MINIMAL, ROOT, page_text, run, write

from irev import guide, loading, mentions, models

GUIDE = guide.SOURCE
MARKER = re.compile(r"^<!--\s*(exemple|variante|erreur|message|commande non lancée|commande)\s*(?::\s*(.+?))?\s*-->$")
FENCE = re.compile(r"^(`{3,})(\w*)\s*$")
ELISION = "[…]"


@dataclass
class Block:
    kind: str  # the marker's word
    target: str | None
    line: int  # of the marker in the guide
    text: str | None  # the fenced block's lines (None for a marker standing alone)
    message: str | None = None  # an erreur's expected output

    @property
    def name(self) -> str:
        return f"ligne {self.line} {self.kind} {self.target or ''}".strip()


def read_guide(path: Path = GUIDE) -> tuple[list[Block], list[int]]:
    """The marked blocks of the guide, and the lines of fenced blocks without a marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, unmarked, index = [], [], 0
    while index < len(lines):
        marker, fence = MARKER.match(lines[index]), FENCE.match(lines[index])
        if marker:
            opening = FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
            text = None
            if opening:
                end = _closing(lines, opening.group(1), index + 2)
                text = "".join(line + "\n" for line in lines[index + 2:end])
            blocks.append(Block(*marker.groups(), index + 1, text))
            if opening:
                index = end
        elif fence:
            unmarked.append(index + 1)
            index = _closing(lines, fence.group(1), index + 1)
        index += 1
    return _paired(blocks), unmarked


def _closing(lines: list[str], fence: str, start: int) -> int:
    """The line index of the fence closing a block (an unclosed block runs to the end)."""
    return next((i for i in range(start, len(lines)) if lines[i] == fence), len(lines))


def _paired(blocks: list[Block]) -> list[Block]:
    """Each message block attached to the erreur just before it (one elsewhere is left as it is)."""
    paired = []
    for block in blocks:
        if block.kind == "message" and paired and paired[-1].kind == "erreur" and paired[-1].message is None:
            paired[-1].message = block.text
        else:
            paired.append(block)
    return paired


BLOCKS, UNMARKED = read_guide()
EXAMPLES = [b for b in BLOCKS if b.kind == "exemple"]


def of_kind(kind: str) -> list[Block]:
    return [b for b in BLOCKS if b.kind == kind]


# --- applying a block to a tree -------------------------------------------------------------------

_WHERE = re.compile(r"^(?P<path>.+?), (?P<how>ligne|après la ligne|sans la ligne) (?P<n>\d+)$")


def apply(block: Block, tree: Path) -> None:
    """Make the change a block shows in a project-like tree (content/ and other files)."""
    target, text = block.target, block.text
    assert target, f"{block.name} : la cible manque"
    if target.startswith("déplacer "):
        source, _, destination = target.removeprefix("déplacer ").partition(" vers ")
        (tree / destination).parent.mkdir(parents=True, exist_ok=True)
        (tree / source).rename(tree / destination)
    elif target.startswith("à la fin de "):
        path = tree / target.removeprefix("à la fin de ")
        before = path.read_text(encoding="utf-8")
        path.write_text(before + ("" if before.endswith("\n") else "\n") + text, encoding="utf-8")
    elif where := _WHERE.match(target):
        path, number = tree / where["path"], int(where["n"])
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        assert number <= len(lines), f"{block.name} : {where['path']} n'a que {len(lines)} lignes"
        new = (text or "").splitlines(keepends=True)
        start, end = {"ligne": (number - 1, number), "après la ligne": (number, number),
                      "sans la ligne": (number - 1, number)}[where["how"]]
        lines[start:end] = [] if where["how"] == "sans la ligne" else new
        path.write_text("".join(lines), encoding="utf-8")
    else:
        path = tree / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def seed_tree(folder: Path, examples: list[Block]) -> Path:
    """A project-like tree: a copy of the seed content with these examples applied."""
    shutil.copytree(CONTENT, folder / "content")
    for block in examples:
        apply(block, folder)
    return folder


def check(tree: Path) -> subprocess.CompletedProcess:
    return run(["irev", "check"], tree / "content", IREV_CACHE_DIR=str(tree / "cache"))


def problems(result: subprocess.CompletedProcess) -> set[str]:
    return {line for line in result.stdout.splitlines() if line.startswith(("ERREUR ", "ATTENTION "))}


@pytest.fixture(scope="module")
def guide_tree(tmp_path_factory) -> Path:
    """The seed content with every example of the guide."""
    return seed_tree(tmp_path_factory.mktemp("guide"), EXAMPLES)


@pytest.fixture(scope="module")
def guide_problems(guide_tree) -> set[str]:
    return problems(check(guide_tree))


# --- the guide's blocks ---------------------------------------------------------------------------

def test_every_block_of_the_guide_says_what_it_is():
    assert UNMARKED == [], f"blocs sans marqueur (<!-- exemple : … --> …) aux lignes {UNMARKED}"
    assert all(b.message for b in of_kind("erreur")), "chaque erreur est suivie de son bloc message"
    assert of_kind("message") == [], "un bloc message suit un bloc erreur"
    assert all(b.text is not None for b in BLOCKS if b.kind != "erreur")
    assert len(EXAMPLES) >= 9 and of_kind("variante") and len(of_kind("erreur")) >= 10 and of_kind("commande")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda b: b.name)
def test_each_example_passes_the_check(tmp_path, example):
    """Added last to the seed content and the other examples (a meeting may cite the person an
    example further on adds), an example brings no new problem."""
    tree = seed_tree(tmp_path, [other for other in EXAMPLES if other is not example])
    before = check(tree)
    apply(example, tree)
    after = check(tree)
    assert problems(after) - problems(before) == set(), after.stdout


def test_the_guides_tree_passes_the_check(guide_tree):
    result = check(guide_tree)
    assert result.returncode == 0, result.stdout


def test_the_examples_cover_every_record_type_and_registry():
    targets = " ".join(b.target for b in EXAMPLES)
    for model in models.RECORD_TYPES:
        assert f"content/{model.FOLDER}/" in targets, model.KIND
    for name in loading.REGISTRY_FILES.values():
        assert f"à la fin de content/{name}" in targets, name
    assert '- code: "' in next(b.text for b in EXAMPLES if b.target.endswith("territoires.yml"))


@pytest.mark.parametrize("block", of_kind("variante"), ids=lambda b: b.name)
def test_each_variant_passes_the_check(tmp_path, guide_problems, block):
    tree = seed_tree(tmp_path, EXAMPLES + [block])
    after = check(tree)
    assert problems(after) - guide_problems == set(), after.stdout


@pytest.mark.parametrize("block", of_kind("erreur"), ids=lambda b: b.name)
def test_each_error_gives_the_message_the_guide_quotes(tmp_path, block):
    result = check(seed_tree(tmp_path, EXAMPLES + [block]))
    printed = result.stdout.splitlines()
    for expected in block.message.splitlines():
        pattern = ".*?".join(map(re.escape, expected.split(ELISION)))
        assert any(re.fullmatch(pattern, line) for line in printed), f"{expected}\n---\n{result.stdout}"
    if any(line.startswith("ERREUR") for line in block.message.splitlines()):
        assert result.returncode == 1


# --- commands -------------------------------------------------------------------------------------

def project_copy(folder: Path, content: Path) -> Path:
    """A copy of the project, as an editor's clone, holding the guide's tree (content and files)."""
    project = folder / "depot"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".cache", "site", ".*.irev-build", "__pycache__", "tests", "benchmarks", "content"))
    shutil.copytree(content, project, dirs_exist_ok=True, ignore=shutil.ignore_patterns("cache"))
    return project


def make_environment(folder: Path) -> dict:
    """`make` with the virtualenv of these tests, taken as installed: its stamp is a file of
    `folder`, newer than requirements.txt."""
    ready = folder / ".venv-pret"
    ready.touch()
    environment = {key: value for key, value in os.environ.items() if key not in ("CONTENT_DIR", "IREV_CACHE_DIR")}
    return {**environment, "MAKEFLAGS": f"VENV={Path(sys.executable).parent.parent} STAMP={ready}",
            "NO_MKDOCS_2_WARNING": "1"}


@pytest.mark.parametrize("block", of_kind("commande"), ids=lambda b: b.text.splitlines()[0])
def test_each_command_runs(tmp_path, guide_tree, block):
    project = project_copy(tmp_path, guide_tree)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block.text], cwd=project, env=make_environment(project),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("block", of_kind("commande non lancée"), ids=lambda b: b.text.splitlines()[0])
def test_each_command_not_run_names_a_make_target(tmp_path, block):
    targets = re.findall(r"\bmake ([a-z]+)", block.text)
    assert targets
    for target in targets:
        result = subprocess.run(["make", "-n", target], cwd=ROOT, env=make_environment(tmp_path),
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# --- mentions, headings, anchors ------------------------------------------------------------------

def test_every_mention_the_guide_shows_is_well_formed_and_known(guide_tree):
    """Outside the errors it shows on purpose."""
    text = GUIDE.read_text(encoding="utf-8")
    for block in of_kind("erreur"):
        text = text.replace(block.text or "", "").replace(block.message, "")
    shown = list(mentions.find(text))
    content = loading.load(guide_tree / "content")
    known = {kind: set(table) for kind, table in content.registries.items()}
    for entry in content.records:
        known.setdefault(entry.kind, set()).add(entry.id)
    wrong = [ident for kind, ident, _, _ in shown if kind is not None and ident not in known.get(kind, ())]
    bad = [raw for kind, raw, _, _ in shown if kind is None]
    assert wrong == [] and bad == []
    assert {kind for kind, *_ in shown if kind} == set(mentions.KINDS)  # every kind is shown
    assert any(label for kind, _, label, _ in shown if kind)  # and a link text


def test_headings_are_unique_and_anchored_alike_on_github_and_gitlab():
    titles = [title for _, title in guide.headings(GUIDE.read_text(encoding="utf-8"))]
    assert len(titles) == len(set(titles))
    for title in titles:
        anchor = guide.forge_anchor(title)
        assert "--" not in anchor and not anchor.startswith("-") and not anchor.endswith("-"), title  # GitLab folds runs


def test_every_link_of_the_guide_to_itself_leads_to_a_heading():
    text = GUIDE.read_text(encoding="utf-8")
    anchors = {guide.forge_anchor(title) for _, title in guide.headings(text)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) > 20 and set(links) <= anchors, set(links) - anchors
    site = guide.page_markdown()
    assert set(re.findall(r"\]\(#([^)]+)\)", site)) <= {guide.site_anchor(t) for _, t in guide.headings(text)}


def test_the_guide_names_no_real_person():
    """Its people are made up: a real one's id or name would stay on the site's page after they
    withdrew their consent (the guide quotes ids and registry lines, which are not redacted)."""
    text = GUIDE.read_text(encoding="utf-8").lower()
    content = loading.load(CONTENT)
    for ident, entry in content.registries["personne"].items():
        assert ident not in text and entry.model.nom.lower() not in text.split(), ident


def test_the_guide_has_no_link_to_a_file_of_the_repository():
    """The site's page would have it broken: the guide names files, it does not link them."""
    targets = re.findall(r"\]\(([^)#][^)]*)\)", GUIDE.read_text(encoding="utf-8"))
    assert all(re.match(r"https?://|mailto:", target) for target in targets), targets


# --- the site's page ------------------------------------------------------------------------------

def test_the_site_page_is_made_from_the_guide(real_site):
    page = (real_site / "contribuer" / "index.html").read_text(encoding="utf-8")
    shown = [re.sub(r"<[^>]+>", "", html.unescape(h)).replace("¶", "").strip()
             for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page[page.index("<article"):page.index("</article>")])]
    assert shown == [title for _, title in guide.headings(GUIDE.read_text(encoding="utf-8"))]
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert set(re.findall(r'href="#([^"]+)"', page)) <= ids  # the table of contents leads to the headings
    text = page_text(real_site, "contribuer")
    assert "make check" in text and "consentement_publication: true" in text and "<!--" not in text
    assert not (ROOT / "docs" / "contribuer.md").exists()  # one source: no copy in docs/


def test_the_guide_is_reached_from_the_about_page_and_the_site_map(real_site):
    for page in ("a-propos", "plan-du-site"):
        assert 'href="../contribuer/"' in (real_site / page / "index.html").read_text(encoding="utf-8"), page


def test_the_site_page_edits_the_guide_itself(tmp_path):
    """Its edit link (MkDocs' own, once a repository is set) opens CONTRIBUER.md, not a file of docs/."""
    config = write(tmp_path / "mkdocs.yml", f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                   "repo_url: https://forge.example.org/irev/ressources\nedit_uri: edit/main/docs/\n"
                   f"theme:\n  custom_dir: {ROOT / 'overrides'}\n  features: [content.action.edit]\n"
                   f"hooks:\n  - {ROOT / 'hooks' / 'irev_hook.py'}\n")
    site = tmp_path / "site"
    result = run(["mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site)], MINIMAL,
                 IREV_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    page = (site / "contribuer" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://forge.example.org/irev/ressources/edit/main/CONTRIBUER.md"' in page
