"""Helper processes of a build (chart renders, MkDocs): started with `spawn` and ended with it."""
from __future__ import annotations

import multiprocessing


def spawn_context():
    """The multiprocessing context every helper process uses: spawn, not fork, because the build
    process may already run vl-convert's, V8's and DuckDB's threads, which a fork would copy half-held."""
    return multiprocessing.get_context("spawn")


def end_with_parent() -> None:
    """In a helper process at its start (Linux): die with the build process instead of running on
    as an orphan when the build is killed. Elsewhere nothing: the pool's own shutdown ends it."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_ending_with_parent(target, *args) -> None:
    """A helper process's target: end_with_parent(), then target(*args) (for a Process; a Pool
    takes end_with_parent as its initializer)."""
    end_with_parent()
    target(*args)
