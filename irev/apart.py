"""Two steps of a build run in a process of their own, forked before the first, their results sent back.

Why (benchmarks/README.md, « Memory »): loading and cataloguing 10,000 records makes millions
of small objects; once freed they leave Python's memory fragmented (pymalloc hands an arena
back only when all of it is free), so a process that held them stays at about 1 GB until it
ends, beside the 1 GB Pagefind needs to index the site. Made in a forked process that has
ended by then, they cost the engine's process only the results sent back.

The child runs `first`, sends its result, and waits: asked to go on, it runs `then` (with what the
parent sent) and sends that result; told to stop, or left (the parent's end closed), it ends. An
exception in the child is raised again in the parent. A parent killed (kill -9) takes the child with
it. `python -m irev check` forks one per share of the records the same way (irev/shares.py).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from typing import Any, Callable

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


def possible() -> bool:
    """Only a process of one thread forks safely: a child forked beside threads (a library's pool:
    Typst's, once a PDF was made in this process) may wait forever for a lock one of them held."""
    try:
        return "fork" in multiprocessing.get_all_start_methods() and len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: the threads cannot be counted
        return False


class Apart:
    def __init__(self, first: Callable[[], Any], then: Callable[[], Any]):
        context = multiprocessing.get_context("fork")  # the child starts from this process's state: no pickling
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_child, args=(first, then, child_end, os.getpid()), name="irev-apart")
        self._process.start()
        child_end.close()

    def first(self) -> Any:
        """What `first` returned (raising what it raised)."""
        return self._receive()

    def then(self, *args) -> Any:
        """What `then(*args)` returned (raising what it raised); the child has ended."""
        self.go_on(*args)
        return self.result()

    def go_on(self, *args) -> None:
        """The child asked to run `then(*args)`, while this process does something else."""
        self._connection.send((True, args))

    def result(self) -> Any:
        """What `then` returned (raising what it raised), once the child was asked to go on; the child has ended."""
        try:
            return self._receive()
        finally:
            self.close()

    def close(self) -> None:
        """The child told to stop (if it waits), and waited for."""
        if self._connection.closed:
            return
        try:
            self._connection.send((False, ()))
        except OSError:  # it has ended already
            pass
        self._connection.close()
        self._process.join()

    def _receive(self) -> Any:
        try:
            failed, value = self._connection.recv()
        except EOFError:
            self.close()
            raise RuntimeError(f"le processus de construction s'est arrêté (code {self._process.exitcode})") from None
        if failed:
            self.close()
            raise value
        return value


def _child(first: Callable[[], Any], then: Callable[[], Any], connection, parent: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)
    try:
        connection.send((False, first()))
        go_on, args = _asked(connection)
        if go_on:
            connection.send((False, then(*args)))
    except Exception as error:  # noqa: BLE001 — raised again in the parent
        connection.send((True, _portable(error)))


def _portable(error: Exception) -> Exception:
    """The exception if it can be sent and made again on the other side, else its traceback's text."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        return RuntimeError("".join(traceback.format_exception(error)))


def _asked(connection) -> tuple[bool, tuple]:
    try:
        return connection.recv()
    except EOFError:  # the parent let go
        return False, ()
