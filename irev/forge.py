"""The forge (GitHub or GitLab) where editors change the content, through pull (merge) requests.

- Links from the site: « Modifier cette page » opens what a generated page is made from in the
  forge's editor (a record's file; a registry at its entry's line), « Signaler une erreur » a
  new issue holding the page's title and address. The repository comes from the engine's
  settings (MkDocs' `repo_url` and `edit_uri`); every address is made here.
- The problems of `python -m irev check` in each forge's CI format, beside the French report:
  GitHub Actions workflow commands (an annotation on the editor's line of the pull request),
  a GitLab Code Quality report (the merge request's widget and diff).

Links name files as the repository holds them (content/…: the caller says). Problems keep their
own paths, relative to the content tree's parent: the repository's root in the project's layout
(content/…, mkdocs.yml), which is how CI runs `make check`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin

from .problems import Problem

TITLE_LIMIT = 200  # characters of a page's title in an issue's title (GitHub takes 256)


@dataclass(frozen=True)
class Repository:
    url: str  # the repository's address, ending with "/"
    edit: str  # the forge's editor on the default branch: a file's path is appended
    gitlab: bool  # GitLab's addresses (`-/edit/…`, `-/issues/new`), else GitHub's

    @classmethod
    def of(cls, repo_url: str | None, edit_uri: str | None, docs: str) -> Repository | None:
        """From the engine's settings (None without a repository): `edit_uri` edits the hand-written
        pages, in the folder `docs`, so the repository's root is one folder up (`edit/main/docs/`
        -> `edit/main/`). GitLab is told by its `-/` paths (`-/edit/main/docs/`).

        Raises ValueError (a French message) when `edit_uri` does not end with that folder."""
        if not repo_url or not edit_uri:
            return None
        folder = docs.strip("/") + "/"
        if not edit_uri.endswith(folder):
            raise ValueError(f"edit_uri « {edit_uri[:80]} » doit finir par le dossier des pages « {folder} », "
                             "par ex. « edit/main/docs/ » (GitHub) ou « -/edit/main/docs/ » (GitLab)")
        url = repo_url if repo_url.endswith("/") else repo_url + "/"
        edit = urljoin(url, edit_uri[:-len(folder)])
        return cls(url, edit, "/-/" in edit)

    def edit_url(self, path: str, line: int = 0) -> str:
        """The forge's editor on a file of the repository (`content/registre/themes.yml`), at a line
        if given: `#L12` puts GitHub's editor there (GitLab highlights it in its file view)."""
        return self.edit + quote(path) + (f"#L{line}" if line else "")

    def issue_url(self, title: str, address: str) -> str:
        """A new issue about a page, its title and description filled in, every value percent-encoded
        (GitHub: `title` and `body`; GitLab: `issue[title]` and `issue[description]`)."""
        shown = title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT] + "…"
        values = (f"Erreur sur la page « {shown} »", f"Page : {address}\n\nDécrivez l'erreur constatée :\n")
        if self.gitlab:
            return self.url + "-/issues/new?" + urlencode(dict(zip(("issue[title]", "issue[description]"), values)),
                                                          quote_via=quote)
        return self.url + "issues/new?" + urlencode(dict(zip(("title", "body"), values)), quote_via=quote)


# --- problems in the forges' CI formats ---------------------------------------------------------

# GitHub shows at most 10 annotations of each kind per step (actions/toolkit, docs/problem-matchers.md,
# « Limitations »): the log's French report lists every problem.
ANNOTATIONS_PER_KIND = 10
CODE_QUALITY_REPORT = "gl-code-quality-report.json"  # what .gitlab-ci.yml declares (artifacts: reports: codequality)


def ci_outputs(problems: list[Problem], environ=os.environ) -> None:
    """What the forge's CI reads, when run there: workflow commands on GitHub Actions
    (GITHUB_ACTIONS=true), the Code Quality report in the project's folder on GitLab (GITLAB_CI=true)."""
    if environ.get("GITHUB_ACTIONS") == "true" and problems:
        print(workflow_commands(problems))
    if environ.get("GITLAB_CI") == "true":
        report = Path(environ.get("CI_PROJECT_DIR") or ".") / CODE_QUALITY_REPORT
        report.write_text(json.dumps(code_quality(problems), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@contextmanager
def commands_stopped(environ=os.environ):
    """On GitHub Actions, nothing printed inside is read as a workflow command: the French report
    quotes editors' values, and the runner also reads the older `##[command]` anywhere in a line
    (actions/runner, ActionCommand.TryParse). GitHub's documented guard, « Stopping and starting
    workflow commands »: `::stop-commands::<token>`, then `::<token>::` to resume."""
    if environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", flush=True)


def workflow_commands(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands, `::error file=…,line=…,title=…::message` (`::warning` for a
    warning), as documented in « Workflow commands for GitHub Actions » (docs.github.com, « Setting
    an error message »), escaped as actions/toolkit's packages/core/src/command.ts escapes them; then a
    notice saying how many more the log lists, beyond what GitHub shows."""
    lines, hidden = [], 0
    for kind, chosen in (("error", [p for p in problems if not p.warning]), ("warning", [p for p in problems if p.warning])):
        lines += [_command(kind, p) for p in chosen[:ANNOTATIONS_PER_KIND]]
        hidden += max(0, len(chosen) - ANNOTATIONS_PER_KIND)
    if hidden:
        lines.append(f"::notice title={_property('make check')}::"
                     + _data(f"{hidden} autre(s) problème(s) : la liste complète est dans le journal de « make check »."))
    return "\n".join(lines)


def _command(kind: str, problem: Problem) -> str:
    properties = {"file": problem.file, "line": str(max(problem.line, 1))}
    if problem.field:
        properties["title"] = problem.field
    return f"::{kind} " + ",".join(f"{k}={_property(v)}" for k, v in properties.items()) + "::" + _data(problem.explained)


def _data(text: str) -> str:
    """A command's message: `%`, CR and LF percent-encoded (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A command's property: also `:` and `,`, which end a property (escapeProperty)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def code_quality(problems: list[Problem]) -> list[dict]:
    """GitLab's Code Quality report: the fields GitLab reads (docs.gitlab.com, ci/testing/code_quality,
    « Implement a custom tool »). The fingerprint leaves the line out, so a problem that only moved
    (a line added above it) stays the same problem when GitLab compares the merge request with its
    target branch; identical problems of one file are told apart by their order."""
    seen: Counter = Counter()
    issues = []
    for problem in problems:
        key = (problem.file, problem.field, problem.message, problem.hint)
        seen[key] += 1
        fingerprint = hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()[:32]
        issues.append({
            "description": f"{problem.field}: {problem.explained}" if problem.field else problem.explained,
            "check_name": problem.field or "fichier",
            "fingerprint": fingerprint,
            "severity": "minor" if problem.warning else "major",
            "location": {"path": problem.file, "lines": {"begin": max(problem.line, 1)}},
        })
    return issues
