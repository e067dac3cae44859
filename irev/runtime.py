"""Process-level tuning shared by the pipeline's steps."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while large acyclic data is built.

    Loading 10,000 records creates millions of small objects; the collector would walk
    them again and again as they accumulate, for a third of the running time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
