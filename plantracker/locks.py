"""Folders a build writes -> exclusive locks, so two builds (or a build and a publish) never share one.

Two builds in one work folder mix their outputs (one site showed 1.38 on a page and 1.37 in its
downloads); two builds into one output folder swap it under each other. Each takes a lock for its
whole length: `<work>/.lock` on the work folder and `.<out>.lock` beside the output folder (beside,
not inside: the output folder is replaced whole). The locks are `flock` locks, which the kernel
releases when the process ends, so a killed build never leaves a stale lock; the lock files stay.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Iterator

from .problems import InputError, problem

WORK_LOCK = ".lock"


def output_lock_path(out_dir: Path) -> Path:
    """Output folder -> its lock file, beside it: `site/` -> `.site.lock`."""
    out_dir = Path(out_dir).resolve()
    return out_dir.with_name(f".{out_dir.name}.lock")


@contextmanager
def folder_lock(lock_file: Path, folder: Path, code: str) -> Iterator[None]:
    """Hold an exclusive lock on lock_file while the block runs; raises InputError (problem `code`
    of the catalogue, naming folder) at once when another process holds it."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError([problem(code, str(folder))]) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def build_locks(work_dir: Path, out_dir: Path) -> Iterator[None]:
    """Lock the work folder (`work-folder-busy`), then the output folder (`output-folder-busy`)."""
    with folder_lock(Path(work_dir) / WORK_LOCK, work_dir, "work-folder-busy"):
        with output_lock(out_dir):
            yield


def output_lock(out_dir: Path) -> AbstractContextManager[None]:
    """Lock the output folder (`output-folder-busy`): a build replacing it, a publish reading it."""
    return folder_lock(output_lock_path(out_dir), out_dir, "output-folder-busy")
