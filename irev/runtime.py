"""Process-level tuning shared by the pipeline's steps."""

from __future__ import annotations

import gc
import multiprocessing
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


def small_workers(module: str):
    """A context for worker processes forked from a small server that has imported `module`
    (and so its libraries: Markdown, Typst): forked from the build instead, they would each hold
    a copy of its memory (the catalogue, every page). Spawned where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])  # also hands the server this process's sys.path
    return context
