"""Search indexing: Pagefind over the built site (the `pagefind_bin` package ships the binary).

Pagefind reads `lang="fr"` and stems French; only pages marked `data-pagefind-body`
(the records) are indexed, with the facets the record pages carry.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def index_site(site_dir: Path) -> None:
    """Write the search index into site_dir/pagefind/; raise if Pagefind fails."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--quiet",
                             "--exclude-selectors", ".headerlink"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"l'indexation Pagefind a échoué :\n{result.stdout}\n{result.stderr}")
