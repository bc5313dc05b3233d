"""Helper processes of a build (chart renders, MkDocs): started with `spawn` (chart workers: forked
from a server started that way) and ended with it."""
from __future__ import annotations

import multiprocessing
import os
import threading


def spawn_context():
    """The multiprocessing context every helper process uses: spawn, not fork, because the build
    process may already run vl-convert's, V8's and DuckDB's threads, which a fork would copy half-held."""
    return multiprocessing.get_context("spawn")


def forkserver_context(preload: list[str]):
    """The context of helper processes that all import the same modules: Python's `forkserver`. Its
    server starts as `spawn` starts a process (clean: no thread of this one), imports `preload`
    once, and forks each helper from itself, so a helper need not import them again. `spawn`
    where there is no forkserver (Windows). The server is one per build process (`preload` is set
    before it starts: start_forkserver); it ends when this process does."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return spawn_context()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


def start_forkserver(preload: list[str]) -> None:
    """Start forkserver_context(preload)'s server now, without waiting for its imports: they run
    meanwhile, and the first helper forked waits for them only if they have not finished."""
    if forkserver_context(preload).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def end_with_parent() -> None:
    """In a helper process at its start (Linux): die with the build process instead of running on
    as an orphan when the build is killed. Elsewhere nothing: the pool's own shutdown ends it.

    A helper forked by a fork server (forkserver_context) has that server as its parent: a thread
    then waits for the build process's end instead (multiprocessing's sentinel of the process that
    started it). The server itself runs while any of its helpers does, so it ends after them."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    starter = multiprocessing.parent_process()
    if starter is not None and starter.pid != os.getppid() and starter.sentinel is not None:
        threading.Thread(target=_end_when_ready, args=(starter.sentinel,), name="end-with-build", daemon=True).start()


def _end_when_ready(sentinel: int) -> None:
    import signal
    from multiprocessing.connection import wait

    wait([sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def run_ending_with_parent(target, *args) -> None:
    """A helper process's target: end_with_parent(), then target(*args) (for a Process; a Pool
    takes end_with_parent as its initializer)."""
    end_with_parent()
    target(*args)
