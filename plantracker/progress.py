"""Progress of a run's named steps on stderr: a live display on a terminal, one line per step
with its time otherwise (CI logs). Stage-neutral: the build, the preview and publish share it."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager

import click


class Progress:
    """Stage progress: `with progress("render"): ...` shows the step while it runs, then prints
    `render      1.23 s` on stderr (nothing with quiet) and keeps the time in `timings`."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        if self.tty and not self.quiet:
            from rich.console import Console

            with Console(stderr=True).status(f"{name} …"):
                yield
        else:
            yield
        self.timings[name] = time.perf_counter() - start
        if not self.quiet:
            click.echo(f"{name:<9} {self.timings[name]:6.2f} s", err=True)
