"""What the forges and editors' tools read from the repository: the CI of pull and merge requests
(GitHub Actions, GitLab CI), the pre-commit hook, VS Code's settings associating the JSON Schemas
with the registries. Each file parses, and runs or names what the README documents."""

from __future__ import annotations

import json
import re

import yaml
from conftest import CONTENT, ROOT

from irev import forge

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = ["make check", "make site"]  # the README's commands the CI runs


def _yaml(path: str):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def _run_lines(steps) -> list[str]:
    return [line.strip() for step in steps for line in str(step.get("run", "")).splitlines()]


def test_the_readme_documents_the_commands_the_ci_runs():
    assert all(f"`{command}`" in README for command in COMMANDS)


def test_github_checks_every_pull_request_and_publishes_the_main_branch():
    workflow = _yaml(".github/workflows/site.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    check = workflow["jobs"]["verifier"]
    lines = _run_lines(check["steps"])
    assert [line for line in lines if line in COMMANDS] == COMMANDS  # check first: it annotates the editor's lines
    assert check["runs-on"].startswith("ubuntu")
    uses = [step.get("uses", "") for step in check["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    [upload] = [step for step in check["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"].rstrip("/") == "site"
    deploy = workflow["jobs"]["publier"]
    assert deploy["needs"] == "verifier" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert "pull_request" in deploy["if"]  # never from a pull request
    assert {"IREV_REPO_URL", "IREV_EDIT_URI"} <= set(workflow["env"])
    [build] = [step for step in check["steps"] if "make site" in str(step.get("run", ""))]
    assert "IREV_SITE_URL" in build["run"] and "stop-commands" in build["run"]


def test_gitlab_checks_every_merge_request_and_publishes_pages():
    ci = _yaml(".gitlab-ci.yml")
    check = ci["verifier"]
    assert [line for line in check["script"] if line in COMMANDS] == COMMANDS
    assert any("IREV_SITE_URL" in line for line in check["script"])
    assert check["image"].startswith("debian:")
    assert check["artifacts"]["reports"]["codequality"] == forge.CODE_QUALITY_REPORT
    pages = ci["pages"]
    assert pages["artifacts"]["paths"] == ["public"] and pages["needs"] == ["verifier"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert any("merge_request_event" in rule["if"] for rule in ci["workflow"]["rules"])
    assert ci["variables"]["IREV_EDIT_URI"].startswith("-/edit/")  # GitLab's addresses (irev/forge.py)
    assert "IREV_REPO_URL" in ci["variables"]


def test_the_pre_commit_hook_runs_the_check_on_content_changes():
    config = _yaml(".pre-commit-config.yaml")
    [repo] = config["repos"]
    [hook] = repo["hooks"]
    assert repo["repo"] == "local" and hook["language"] == "system"
    assert hook["entry"] == "make check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/meetings/2022-06-22-reseau-lcd.md") and files.search("content/registre/themes.yml")
    assert files.search("mkdocs.yml") and not files.search("irev/cli.py") and not files.search("docs/mkdocs.yml.md")


def test_vscode_associates_every_registry_schema_with_its_registry():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    associations = settings["yaml.schemas"]
    named = set()
    for schema, globs in associations.items():
        path = ROOT / schema
        assert path.is_file(), schema
        named.add(path.name)
        for glob in [globs] if isinstance(globs, str) else globs:
            assert glob.startswith("/"), glob  # relative to the workspace's root (yaml-language-server)
            matched = list(ROOT.glob(glob.lstrip("/")))
            assert matched and all(p.is_relative_to(CONTENT) for p in matched), glob
    assert named == {p.name for p in (ROOT / "schemas").glob("registre-*.schema.json")}
    recommended = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))["recommendations"]
    assert "redhat.vscode-yaml" in recommended


def test_the_schemas_use_only_what_the_yaml_extension_reads():
    """The YAML extension reads JSON Schema draft 7 (vscode-yaml issue 704; draft 2020-12 « not yet
    fully supported », issue 726): the generated schemas keep to keywords draft 7 knows."""
    later = {"prefixItems", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor",
             "dependentRequired", "dependentSchemas", "minContains", "maxContains", "$anchor"}

    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                if key not in ("properties", "$defs"):  # names of fields and definitions, not keywords
                    yield from keys(item)
                else:
                    for sub in item.values():
                        yield from keys(sub)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    for path in (ROOT / "schemas").glob("*.schema.json"):
        used = set(keys(json.loads(path.read_text(encoding="utf-8"))))
        assert not used & later, (path.name, used & later)
