"""Errors -> the command line's exit statuses (build.py): bad input prints every problem and exits 2;
any other error is an internal fault, one line, exit 1. Tracebacks only with --debug."""
from __future__ import annotations

import signal
import sys
import threading
import traceback
from typing import NoReturn

import click

from .problems import InputError, Problem, problems_report

EXIT_BAD_INPUT = 2
EXIT_FAULT = 1


def exit_on_problems(problems: list[Problem], as_json: bool = False) -> NoReturn:
    """Problems -> printed, then exit status 2. Text (stderr): one `Problem.line()` per problem, then
    "<n> problem(s) found; nothing was built or changed."; as_json (stdout): the problems_json document
    {"valid": false, "count": n, "problems": [{file, row, field, code, message, hint}]}."""
    click.echo(problems_report(problems, as_json), err=not as_json)
    sys.exit(EXIT_BAD_INPUT)


class ExitStatusGroup(click.Group):
    """A click group whose commands' errors become exit statuses: InputError -> exit_on_problems
    (as JSON when the command set ctx.obj["json"]); any other exception -> "internal error: ..."
    and exit 1, or the traceback when ctx.obj["debug"]. Click's own (usage, --help) pass through."""

    def invoke(self, ctx: click.Context):
        interrupted = _InterruptSeen()
        try:
            with interrupted:
                return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except InputError as error:
            if ctx.obj.get("debug"):
                traceback.print_exc()
            exit_on_problems(error.problems, ctx.obj.get("json", False))
        except Exception as error:  # an internal fault, not the data's: say so, trace only on --debug
            if interrupted.seen:
                # Ctrl-C reached code that turned it into its own error (DuckDB: "Query interrupted").
                raise click.Abort() from error
            if ctx.obj.get("debug"):
                raise
            click.echo(f"internal error: {type(error).__name__}: {error} (rerun with --debug for a traceback)", err=True)
            sys.exit(EXIT_FAULT)


class _InterruptSeen:
    """While in effect (main thread only): Ctrl-C (SIGINT) raises KeyboardInterrupt as Python's own
    handler does, and `seen` records that it came, so an error that code made of it is an abort."""

    def __init__(self):
        self.seen = False
        self._before = None

    def _handler(self, signum, frame):
        self.seen = True
        signal.default_int_handler(signum, frame)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._before = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._before is not None:
            signal.signal(signal.SIGINT, self._before)
        return False
