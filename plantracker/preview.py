"""Data packages -> a local preview on 127.0.0.1: rebuilt when data, templates, site_src or the release
file change, and the open browser tab reloads itself.

MkDocs' live-reload server serves the preview's site folder and injects its reload script into each
HTML page as it is served (the files on disk are a clean build's bytes); watchdog's native observer
(inotify on Linux) reports changes as they happen, instead of the server's default polling. Each
rebuild runs the build's stages with a PreviewMemory in this long-running process, so only what a
change reaches is recomputed, and MkDocs rebuilds only the changed pages in place (preview_site).
A rebuild that fails prints its problems and keeps serving the last good site; Enter in the
terminal asks for a clean build. The preview's files live in <work>/preview/.
"""
from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer

from .cache import read_record
from .pipeline import REPO_ROOT, BuildOptions, build
from .preview_memory import PreviewMemory
from .preview_site import PreviewSite
from .problems import InputError

CODE_DIR = REPO_ROOT / "plantracker"


class _Handler(watchdog.events.FileSystemEventHandler):
    """File events -> on_change(path) for files, and for folders moved or deleted (a folder moved out
    of the watched tree reports nothing for its files; its other events are left out: each file in
    it reports)."""

    def __init__(self, on_change: Callable[[str], None], only: str | None = None):
        self.on_change, self.only = on_change, only

    def on_any_event(self, event):
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type not in ("moved", "deleted"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if self.only is None or self.only in paths:
            self.on_change(event.src_path)


class PreviewServer(LiveReloadServer):
    """LiveReloadServer, watching with watchdog's native observer; `request_build()` asks for a
    build as a file change does."""

    def __init__(self, builder: Callable[[], None], port: int, root: Path):
        super().__init__(builder, "127.0.0.1", port, str(root))
        self.observer = watchdog.observers.Observer()  # events from the kernel, not a poll of the tree
        # How long the builder waits for more file events before it builds (MkDocs' 0.1 s): one
        # save gives two or three events within milliseconds; a burst of writes still coalesces.
        self.build_delay = 0.05

    def watch_path(self, path: Path, on_change: Callable[[str], None] | None = None) -> None:
        """A folder (recursively) or one file -> on_change(path), by default a build, on any change."""
        path = Path(path).resolve()
        handler = _Handler(on_change or (lambda _: self.request_build()), None if path.is_dir() else str(path))
        self.observer.schedule(handler, str(path if path.is_dir() else path.parent), recursive=path.is_dir())
        self._watched_paths[str(path)] = 1  # serve() starts the observer only when something is watched

    def request_build(self) -> None:
        # LiveReloadServer's own trigger (mkdocs/livereload/__init__.py, watch(): callback).
        with self._rebuild_cond:
            self._want_rebuild = True
            self._rebuild_cond.notify_all()


class Preview:
    """The preview's builds: the first one, then one per change, each reusing the last good one."""

    def __init__(self, options: BuildOptions, debug: bool = False):
        self.options, self.debug = options, debug
        self.memory = PreviewMemory(PreviewSite(options.work_dir / "preview" / "site"))
        self.clean_requested = False

    def first_build(self, step: Callable[[str], object]) -> None:
        """The first build, with progress; raises InputError on bad input (nothing to serve)."""
        build(self.options, step, preview=self.memory)
        _warm_up(self.options, self.memory)
        _keep_long_lived()
        self.memory.site.finish_in_background()

    def rebuild(self) -> None:
        """One rebuild after a change: a line saying what it did, or the problems found (then the
        last good site stays served: nothing in the site folder is touched before the data pass)."""
        if self.clean_requested:
            self.clean_requested = False
            self.memory.forget()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            build(self.options, preview=self.memory)
        except InputError as error:
            for problem in error.problems:
                print(problem.line(), file=sys.stderr, flush=True)
            print(f"{len(error.problems)} problem(s) found; still serving the last good site", file=sys.stderr,
                  flush=True)
            return
        except Exception as error:  # noqa: BLE001 - a fault must not stop the preview
            self.memory.site.clean_next = True  # the site folder may be half updated: build it clean next
            if self.debug:
                traceback.print_exc()
            print(f"internal error: {type(error).__name__}: {error}; still serving the last good site",
                  file=sys.stderr, flush=True)
            return
        last = read_record(self.options.work_dir)["last_build"]
        if last.get("mkdocs") == "clean":
            _keep_long_lived()
        print(f"rebuilt in {time.perf_counter() - start:.2f} s ({time.process_time() - cpu:.2f} s of CPU): validated {last.get('packages_validated', 0)} "
              f"package(s), {last.get('charts_rendered', 0)} chart(s) rendered, {last.get('pages_rendered', 0)} "
              f"page(s) rendered, MkDocs {last.get('mkdocs')}", file=sys.stderr, flush=True)
        self.memory.site.finish_in_background()  # the search index, while the server answers

    def ask_for_clean_build(self, server: PreviewServer) -> None:
        self.clean_requested = True
        server.request_build()


def _warm_up(options: BuildOptions, memory: PreviewMemory) -> None:
    """Start what the first rebuild would otherwise start: Altair and the chart kinds (a third of a
    second to import), vl-convert's engine (about 0.7 s on its first render), openpyxl (a quarter
    second: a changed package's spreadsheet), the validation and Frictionless (a quarter second to
    import, and their first package validated is twice as slow as the next: one is validated, its
    result thrown away), and the SVG engine, kept open between rebuilds (half a second to start,
    and its first render of each kind of chart twice as long as the next)."""
    import openpyxl  # noqa: F401
    import vl_convert

    from .cache import Store
    from .charts import keep_engine_warm, kinds  # noqa: F401
    from .validate import validate_packages

    folders = sorted(path.parent.name for path in options.data_dir.glob("*/datapackage.json"))
    validate_packages(options.data_dir, unchanged=folders[1:])

    keep_engine_warm(Store(options.work_dir), [chart for _, pages in memory.sections.values() for page in pages
                                       for chart in page.charts])

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}})


def _keep_long_lived() -> None:
    """After a clean build: what the preview keeps until the next one (its memory and the warm MkDocs,
    millions of objects at 10x the data) set aside from the garbage collector (gc.freeze), so the
    full collections that rebuilds set off walk only what they made (0.15-0.2 s each at 10x).
    What the last clean build kept is collected first (unfrozen: its cycles would stay forever)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _code_changed(path: str) -> None:
    # The code runs in this process as it was imported: say so rather than rebuild with the old code.
    if path.endswith((".py", ".sql", ".yml")):
        print(f"{os.path.relpath(path, REPO_ROOT)} changed: restart the preview to use the new code",
              file=sys.stderr, flush=True)


def _read_enter(preview: Preview, server: PreviewServer) -> None:
    for _ in sys.stdin:
        print("clean build requested", file=sys.stderr, flush=True)
        preview.ask_for_clean_build(server)


def serve_and_rebuild(options: BuildOptions, port: int, step: Callable[[str], object], debug: bool = False) -> None:
    """Build (raising InputError on bad input), then serve on 127.0.0.1:port and rebuild on every
    change under the data, templates and site_src folders and of the release file, until Ctrl-C."""
    preview = Preview(options, debug)
    preview.first_build(step)
    server = PreviewServer(preview.rebuild, port, preview.memory.site.site_dir)
    for path in (options.data_dir, options.templates_dir, options.site_src, options.release_file):
        server.watch_path(path)
    server.watch_path(CODE_DIR, _code_changed)
    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=_read_enter, args=(preview, server), daemon=True).start()
    print(f"serving the preview of {options.data_dir} at http://127.0.0.1:{port}/ "
          f"(Enter: a clean build; Ctrl-C: stop)", file=sys.stderr, flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        preview.memory.site.wait_for_index()
