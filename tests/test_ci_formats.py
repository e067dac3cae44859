"""`make check` in each forge's CI format, beside the French report, through the real command line
on a copy of the content with errors: GitHub Actions workflow commands (an annotation on the
editor's line of the pull request), GitLab's Code Quality report (its merge request widget).

The formats are checked against the forges' documented examples:
- GitHub, « Workflow commands for GitHub Actions », « Setting an error message »:
  `::error file={name},line={line},endLine={endLine},title={title}::{message}`, e.g.
  `::error file=app.js,line=1,col=5,endColumn=7::Missing semicolon`; read here as the runner reads
  it (actions/runner, src/Runner.Common/ActionCommand.cs: TryParseV2, UnescapeProperty,
  UnescapeData; the older `##[command]` of TryParse, read anywhere in a line; stop-commands).
- GitLab, « Code Quality », « Implement a custom tool » (docs.gitlab.com/ci/testing/code_quality):
  an array of objects with description, check_name, fingerprint, severity (info, minor, major,
  critical, blocker), location.path, location.lines.begin.
"""

from __future__ import annotations

import json
import shutil

from conftest import CONTENT, run

from irev import forge
from irev.problems import Problem

GITHUB_EXAMPLE = "::error file=app.js,line=1,col=5,endColumn=7::Missing semicolon"
GITLAB_EXAMPLE = json.loads("""[{"description": "'unused' is assigned a value but never used.",
    "check_name": "no-unused-vars", "fingerprint": "7815696ecbf1c96e6894b779456d330e", "severity": "minor",
    "location": {"path": "lib/index.js", "lines": {"begin": 42}}}]""")
RECORD = "content/meetings/2022-06-22-reseau-lcd.md"


# --- the runner, as actions/runner reads a step's output -------------------------------------------

def _unescape(text: str, mappings: list[tuple[str, str]]) -> str:
    for token, replacement in mappings:  # in the runner's order: %25 last
        text = text.replace(replacement, token)
    return text


PROPERTY = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]
DATA = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
LEGACY = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25")]


def parse_v2(line: str) -> tuple[str, dict, str] | None:
    """ActionCommand.TryParseV2: `::name key=value,key=value::data` at the line's start."""
    line = line.lstrip()
    if not line.startswith("::") or (end := line.find("::", 2)) < 0:
        return None
    info = line[2:end]
    name, _, rest = info.partition(" ")
    properties = {}
    for item in (p for p in rest.strip().split(",") if p):
        key, sep, value = item.partition("=")
        if sep and key and value:
            properties[key] = _unescape(value, PROPERTY)
    return name, properties, _unescape(line[end + 2:], DATA)


def parse_legacy(line: str) -> tuple[str, dict, str] | None:
    """ActionCommand.TryParse: `##[name key=value;…]data` anywhere in the line."""
    start = line.find("##[")
    if start < 0 or (end := line.find("]", start)) < 0:
        return None
    name, _, rest = line[start + 3:end].partition(" ")
    properties = {}
    for item in (p for p in rest.split(";") if p):
        key, sep, value = item.partition("=")
        if sep and key and value:
            properties[key] = _unescape(value, LEGACY)
    return name, properties, _unescape(line[end + 1:], LEGACY)


def runner_annotations(output: str) -> list[tuple[str, dict, str]]:
    """The annotations a step's output makes (ActionCommandManager.TryProcessCommand, stop-commands included)."""
    found, stopped = [], None
    for line in output.splitlines():
        command = parse_v2(line) or parse_legacy(line)
        if command is None:
            continue
        name, properties, data = command
        if stopped is not None:
            stopped = None if name.lower() == stopped.lower() else stopped
        elif name == "stop-commands":
            stopped = data
        else:
            found.append(command)
    return found


# --- the documented formats ---------------------------------------------------------------------


def test_an_annotation_has_the_documented_shape():
    name, properties, message = parse_v2(GITHUB_EXAMPLE)  # the reader reads GitHub's own example
    assert (name, properties["file"], properties["line"], message) == ("error", "app.js", "1", "Missing semicolon")
    assert forge.workflow_commands([Problem("app.js", 1, "", "Missing semicolon")]) == \
        "::error file=app.js,line=1::Missing semicolon"
    assert forge.workflow_commands([Problem("app.js", 1, "date", "Missing semicolon", warning=True)]) == \
        "::warning file=app.js,line=1,title=date::Missing semicolon"


def test_hostile_text_is_escaped_as_the_toolkit_escapes_it():
    hostile = Problem("content/fiches/a,b:c%0A.md", 7, "x::y,z", "ligne 1\r\nligne 2 ::error::faux 100 %", "piste, 50 %")
    [command] = forge.workflow_commands([hostile]).splitlines()
    assert "\n" not in command and "\r" not in command
    assert command == ("::error file=content/fiches/a%2Cb%3Ac%250A.md,line=7,title=x%3A%3Ay%2Cz::"
                       "ligne 1%0D%0Aligne 2 ::error::faux 100 %25 (piste : piste, 50 %25)")
    assert runner_annotations(command) == [("error", {"file": "content/fiches/a,b:c%0A.md", "line": "7", "title": "x::y,z"},
                                            "ligne 1\r\nligne 2 ::error::faux 100 % (piste : piste, 50 %)")]


def test_a_code_quality_issue_has_the_documented_fields():
    [issue] = forge.code_quality([Problem("lib/index.js", 42, "no-unused-vars", "'unused' is assigned a value but never used.",
                                          warning=True)])
    [example] = GITLAB_EXAMPLE

    def shape(value):
        return {k: shape(v) for k, v in value.items()} if isinstance(value, dict) else type(value)

    assert shape(issue) == shape(example)
    assert (issue["check_name"], issue["severity"], issue["location"]) == \
        (example["check_name"], example["severity"], example["location"])
    assert issue["description"].endswith(example["description"])
    assert len(issue["fingerprint"]) == len(example["fingerprint"])
    [error] = forge.code_quality([Problem("lib/index.js", 42, "", "x")])
    assert error["severity"] == "major" and error["check_name"] == "fichier"


# --- through the real command line --------------------------------------------------------------


def _broken_copy(tmp_path, blank_lines: int = 0):
    """The seed content with errors: a bad date (its value holding `::` and the older `##[` command
    syntax), a file name with a comma; `blank_lines` added above the date."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    record = content / RECORD.removeprefix("content/")
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\ndate: 2022-06-22\n", "\n" + "# note\n" * blank_lines
                                   + 'date: "12::13 ##[error file=faux.md]forgé"\n', 1), encoding="utf-8")
    shutil.copy(content / "fiches" / "2022-echelle-de-maturite-concept-rse.md", content / "fiches" / "a,b.md")
    return content


def test_make_check_annotates_the_editors_lines_on_github(tmp_path):
    result = run(["irev", "check"], _broken_copy(tmp_path), GITHUB_ACTIONS="true")
    assert result.returncode == 1
    date_line = 1 + (CONTENT / RECORD.removeprefix("content/")).read_text(encoding="utf-8").split("\n").index("date: 2022-06-22")
    annotations = runner_annotations(result.stdout)
    errors = [(props.get("file"), props.get("line"), props.get("title")) for name, props, _ in annotations if name == "error"]
    assert errors == [("content/fiches/a,b.md", "1", None), (RECORD, str(date_line), "date")]
    [message] = [data for name, props, data in annotations if props.get("title") == "date"]
    assert message.startswith("date invalide « 12::13 ##[error file=faux.md]forgé »")
    assert {props["file"] for name, props, _ in annotations if name == "warning"} == {"mkdocs.yml"}  # legal placeholders
    # the French report is unchanged, and quoting a value never made an annotation of its own
    assert f"ERREUR {RECORD}:{date_line}: date: date invalide « 12::13 ##[error file=faux.md]forgé »" in result.stdout
    assert not any(name == "error" and props.get("file") == "faux.md" for name, props, _ in annotations)
    without = run(["irev", "check"], _broken_copy(tmp_path / "plain"))
    assert "::" not in without.stdout.replace("12::13", "")  # outside GitHub Actions: the report alone


def test_beyond_githubs_limit_a_notice_points_to_the_log():
    problems = [Problem("content/x.md", line, "", "erreur") for line in range(1, 14)]
    annotations = runner_annotations(forge.workflow_commands(problems))
    assert len([a for a in annotations if a[0] == "error"]) == forge.ANNOTATIONS_PER_KIND
    assert annotations[-1][0] == "notice" and annotations[-1][2].startswith("3 autre(s) problème(s)")


def test_make_check_writes_a_code_quality_report_on_gitlab(tmp_path):
    report_dir = tmp_path / "projet"
    report_dir.mkdir()
    result = run(["irev", "check"], _broken_copy(tmp_path), GITLAB_CI="true", CI_PROJECT_DIR=str(report_dir))
    assert result.returncode == 1
    assert "ERREUR content/fiches/a,b.md:1:" in result.stdout
    issues = json.loads((report_dir / forge.CODE_QUALITY_REPORT).read_bytes().decode("utf-8"))  # no byte order mark
    paths = [(i["location"]["path"], i["severity"]) for i in issues]
    assert ("content/fiches/a,b.md", "major") in paths and (RECORD, "major") in paths and ("mkdocs.yml", "minor") in paths
    assert all(not i["location"]["path"].startswith("/") for i in issues)  # relative to the repository
    assert len({i["fingerprint"] for i in issues}) == len(issues)

    # Lines added above a problem move it, but it stays the same problem for GitLab's comparison.
    moved_dir = tmp_path / "deplace"
    moved_dir.mkdir()
    run(["irev", "check"], _broken_copy(tmp_path / "moved", blank_lines=2), GITLAB_CI="true", CI_PROJECT_DIR=str(moved_dir))
    moved = json.loads((moved_dir / forge.CODE_QUALITY_REPORT).read_text(encoding="utf-8"))
    before = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in issues if i["location"]["path"] == RECORD}
    after = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in moved if i["location"]["path"] == RECORD}
    assert before.keys() == after.keys() and [after[f] - before[f] for f in before] == [2]


def test_a_clean_tree_writes_an_empty_report(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    result = run(["irev", "check"], content, GITLAB_CI="true", CI_PROJECT_DIR=str(tmp_path))
    assert result.returncode == 0
    issues = json.loads((tmp_path / forge.CODE_QUALITY_REPORT).read_text(encoding="utf-8"))
    assert {i["severity"] for i in issues} <= {"minor"}  # warnings at most (the legal pages' placeholders)
