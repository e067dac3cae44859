"""Search indexing: Pagefind over the built site (the `pagefind_bin` package ships the binary).

Pagefind reads `lang="fr"` and stems French; only pages marked `data-pagefind-body`
(the records) are indexed, with the facets the record pages carry.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from .models import RECORD_TYPES

# The only pages with data-pagefind-body: the records.
RECORD_PAGES = "{" + ",".join(model.SECTION for model in RECORD_TYPES) + "}/*/index.html"


def index_site(site_dir: Path) -> None:
    """Write the search index into site_dir/pagefind/; raise if Pagefind fails."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--quiet",
                             "--glob", RECORD_PAGES, "--exclude-selectors", ".headerlink"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"l'indexation Pagefind a échoué :\n{result.stdout}\n{result.stderr}")


def index_key(record_keys: list[str], *inputs: Path) -> str:
    """What the index depends on: the records' HTML (by rendering key), the files that wrap it, Pagefind's version."""
    digest = hashlib.sha256(version("pagefind_bin").encode() + Path(__file__).read_bytes())
    for path in inputs:
        digest.update(path.read_bytes())
    for key in record_keys:
        digest.update(key.encode())
    return digest.hexdigest()


def index_site_cached(site_dir: Path, key: str, cache_dir: Path) -> bool:
    """Index the site, or copy back the index made for exactly the same records; True if reused."""
    kept, target = cache_dir / key, site_dir / "pagefind"
    if kept.is_dir():
        shutil.copytree(kept, target, dirs_exist_ok=True)
        return True
    index_site(site_dir)
    if cache_dir.exists():
        shutil.rmtree(cache_dir)  # one index kept: the latest
    shutil.copytree(target, kept)
    return False
