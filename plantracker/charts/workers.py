"""Chart jobs -> their files, rendered in worker processes in the background (or here, when few).

SVGs are drawn by the V8 engine (charts.engine: vl-convert 1.9's own Vega, same bytes, a third of
the cost) where it can start, by vl-convert otherwise, and by vl-convert for any chart with a
character the chart font lacks. Each process keeps its own engine and closes it when it ends.
"""
from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import vl_convert

from ..model import Chart
from ..processes import end_with_parent, forkserver_context, start_forkserver
from . import fonts
from .files import ChartFiles, planned_files, write_chart

# Below this many charts one process is faster: a worker costs about a second to start (imports,
# V8 with the Vega bundle, or the vl-convert engine's ~0.7 s warm-up), a chart 50-100 ms once warm.
PARALLEL_MIN_CHARTS = 24
ENGINE, VL_CONVERT = "v8", "vl-convert"
# What every worker imports (Altair for the specs, fontTools for the PNGs' glyphs, the SVG engine):
# imported once by the server the workers fork from (processes.forkserver_context), not by each
# worker: about 0.35 CPU s a worker.
WORKER_IMPORTS = ["plantracker.charts.workers", "plantracker.charts.kinds", "plantracker.charts.outlines",
                  "plantracker.charts.engine", "fontTools.ttLib"]


class _Renderer:
    """This process's SVG renderer: the V8 engine when it started, else vl-convert; counts which drew what."""

    engine = None
    note = "no Vega bundle given"  # why vl-convert draws, when the engine did not start
    fallbacks = 0  # SVGs drawn by vl-convert although the engine runs (a character the font lacks, a JS error)
    font: Path | None = None  # the chart font's file, whose outlines draw the PNGs' text (charts.outlines)
    code_points: frozenset[int] | None = None
    kept = False  # renders here leave the engine open for the next ones (keep_engine_open: the preview)
    opened_with: tuple = (None, None, frozenset())  # (bundle, font, code points) of the open engine
    # A worker's (subset folder, source font, code points) for vl-convert (fonts.subset_dir): the
    # subset is made and registered at vl-convert's first render in the process, if any.
    subset: tuple[Path, Path, list[int]] | None = None

    @classmethod
    def register_subset(cls) -> None:
        """Make the chart font's subset (fonts.ensure_subset) and register it with vl-convert,
        once: vl-convert draws a third faster with it, and only vl-convert uses it."""
        if cls.subset is None:
            return
        font, cls.subset = cls.subset, None
        try:
            vl_convert.register_font_directory(str(fonts.ensure_subset(*font).parent))
        except Exception:  # noqa: BLE001 - without the subset renders are slower, never different
            pass

    @classmethod
    def open(cls, bundle: Path | None, font: Path | None, code_points: frozenset[int] | None = None) -> None:
        cls.font, cls.code_points = font, code_points
        if bundle is None or font is None:
            cls.note = "no Vega bundle given" if bundle is None else "no chart font to measure text with"
            return
        from .engine import SvgEngine

        try:
            cls.engine = SvgEngine(bundle, font, code_points)
            cls.opened_with = (bundle, font, code_points)
        except Exception as error:  # noqa: BLE001 - vl-convert draws the same SVGs, only slower
            cls.note = f"{type(error).__name__}: {error}"

    @classmethod
    def open_here(cls, bundle: Path | None, font: Path | None, code_points: frozenset[int] | None) -> None:
        """Open the engine for renders in this process; a kept engine opened with the same bundle and
        font for these code points or more stays (more characters measured give the same widths:
        a text's width reads only its own characters and their pairs), else it opens again for
        both sets."""
        if cls.kept and cls.engine is not None and cls.opened_with[:2] == (bundle, font):
            have = cls.opened_with[2]  # None: every character of the font
            if have is None or (code_points is not None and code_points <= have):
                return
            code_points = None if code_points is None else code_points | have
        cls.close()
        cls.open(bundle, font, code_points)

    @classmethod
    def svg(cls, spec: dict) -> str:
        if cls.engine is not None:
            try:
                svg = cls.engine.render(spec)
            except Exception:  # noqa: BLE001 - vl-convert draws it, or reports what is wrong with the spec
                svg = None
            if svg is not None:
                return svg
            cls.fallbacks += 1
        cls.register_subset()
        return vl_convert.vegalite_to_svg(spec)

    @classmethod
    def png(cls, svg: str) -> bytes:
        """The full SVG -> its PNG at 2x, text drawn from the chart font's outlines (the same pixels
        as vl-convert's own route: tests/test_png_outlines.py), or by vl-convert without a font."""
        from .outlines import svg_to_png  # here: fontTools' pens, for chart renders only

        return svg_to_png(svg, cls.font, cls.code_points)

    @classmethod
    def close(cls) -> None:
        cls.font = cls.code_points = None
        if cls.engine is not None:
            cls.engine.close()
            cls.engine = None
            cls.opened_with = (None, None, frozenset())


def _write_job(job: tuple[Chart, Path]) -> tuple[ChartFiles, int, float, str, int]:
    chart, dest_dir = job
    start, fallbacks = time.process_time(), _Renderer.fallbacks
    files = write_chart(chart, dest_dir, _Renderer.svg, _Renderer.png)
    engine = ENGINE if _Renderer.engine is not None else f"{VL_CONVERT} ({_Renderer.note})"
    return files, os.getpid(), time.process_time() - start, engine, _Renderer.fallbacks - fallbacks


def keep_engine_open(bundle: Path | None = None) -> None:
    """For a long-running process (the preview): charts rendered in this process leave the SVG
    engine open for the next render (starting it costs about as much as two charts); it closes
    when the interpreter ends. With the Vega bundle it opens now, measuring every character of
    the chart font (a third of a second more), so no later render opens it again."""
    if not _Renderer.kept:
        _Renderer.kept = True
        atexit.register(_Renderer.close)  # before the interpreter ends: mini-racer's thread may otherwise hold it
    if bundle is not None:
        _Renderer.open_here(bundle, fonts.source_font(), None)


def render_here(jobs: list[tuple[Chart, Path]]) -> list[ChartFiles]:
    """Chart jobs -> their files, rendered in this process by its SVG engine (or vl-convert)."""
    return [_write_job(job)[0] for job in jobs]


def start_worker_server() -> None:
    """Start the server the chart workers fork from now (a build that will render every chart calls
    it at its start): its imports then run while the build validates and loads."""
    start_forkserver(WORKER_IMPORTS)


def _start_worker(font: tuple[Path, Path, list[int]] | None, bundle: Path | None) -> None:
    end_with_parent()
    # The engine measures with the source font itself (only the jobs' characters), and the PNGs'
    # text is drawn from its outlines: the subset is made only if vl-convert draws (_Renderer.svg).
    _Renderer.subset = font
    if font is None:
        _Renderer.open(bundle, None)
    else:
        _Renderer.open(bundle, font[1], frozenset(font[2]))
    if _Renderer.engine is None:
        _Renderer.register_subset()
    # Before the worker's interpreter ends: mini-racer's thread may otherwise hold it.
    multiprocessing.util.Finalize(None, _Renderer.close, exitpriority=10)


def _font_texts(jobs: list[tuple[Chart, Path]]) -> list[str]:
    """Every text the jobs' renders may draw: their rows and labels, and the chart code's literals."""
    code = [(Path(__file__).parent / name).read_text(encoding="utf-8") for name in ("kinds.py", "tile_map.py")]
    return code + [json.dumps([chart.rows, chart.labels], ensure_ascii=False, default=str) for chart, _ in jobs]


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class RenderedCharts:
    files: list[ChartFiles]
    processes: int  # how many processes rendered them (1: this one)
    seconds: float = 0.0  # wall time from the renders' start (workers included) to the last one's end
    cpu_seconds: float = 0.0  # CPU time the renders took, summed over processes
    engines: dict = field(default_factory=dict)  # what drew the SVGs -> how many charts
    fallbacks: int = 0  # SVGs drawn by vl-convert although the engine ran (characters the font lacks)


class ChartRendering:
    """Chart jobs rendering, on every core when there are enough of them to pay for the workers'
    start-up (each worker keeps its own vl-convert engine), else in this process at once (with
    `background`, in worker processes whenever this machine has a core besides this process's).

    `files` holds every job's ChartFiles as soon as it is known: at once for kinds with a fixed
    size (planned_files), after their render for the others, which go to the workers first so
    `sized()` returns soon. The caller goes on (pages, MkDocs) while the rest renders, and calls
    `finish()` before it needs the files on disk; `close()` stops the workers on any failure.
    """

    def __init__(self, jobs: list[tuple[Chart, Path]], workers: int | None = None,
                 font_cache: Path | None = None, bundle: Path | None = None, background: bool = False):
        self._start = time.perf_counter()
        self.result: RenderedCharts | None = None
        self.files: list[ChartFiles | None] = [planned_files(chart) for chart, _ in jobs]
        workers = workers or min(_cores(), len(jobs) // PARALLEL_MIN_CHARTS)
        self._pool = None
        self._closing = threading.Lock()
        self._futures: list = []
        # With `background` (a build that goes on meanwhile), few charts render in one worker on
        # another core: here they would hold the build up for the renderer's start-up and the
        # renders (about a second for a data commit's two charts: Altair's import, V8, the bundle).
        if workers <= 1 and not (background and jobs and _cores() > 1):
            self._done(self._render_here(jobs, bundle))
            return
        workers = max(workers, 1)
        context = forkserver_context(WORKER_IMPORTS)
        # Each worker's engine measures text with the source font's tables for these jobs'
        # characters; the subset in font_cache (made by the first worker that needs it, kept for
        # the next build with the same characters) is made only where vl-convert draws.
        font = fonts.subset_dir(font_cache, _font_texts(jobs)) if font_cache is not None else None
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                         initializer=_start_worker, initargs=(font, bundle))
        order = sorted(range(len(jobs)), key=lambda i: self.files[i] is not None)  # unknown sizes first
        futures = {i: self._pool.submit(_write_job, jobs[i]) for i in order}
        self._futures = [futures[i] for i in range(len(jobs))]

    @staticmethod
    def _render_here(jobs: list[tuple[Chart, Path]], bundle: Path | None) -> list:
        """Few jobs: rendered in this process, the engine measuring with the source font's
        characters that the jobs may draw, and closed after them."""
        if not jobs:
            return []
        source = fonts.source_font()
        _Renderer.open_here(bundle, source, frozenset(fonts.characters(_font_texts(jobs))) if source else None)
        try:
            return [_write_job(job) for job in jobs]
        finally:
            if not _Renderer.kept:
                _Renderer.close()

    def _done(self, results: list[tuple[ChartFiles, int, float, str, int]]) -> None:
        self.files = [files for files, *_ in results]
        engines: dict[str, int] = {}
        for _, _, _, engine, _ in results:
            engines[engine] = engines.get(engine, 0) + 1
        self.result = RenderedCharts(self.files, len({pid for _, pid, *_ in results}) if results else 0,
                                     time.perf_counter() - self._start, sum(cpu for _, _, cpu, *_ in results),
                                     engines, sum(fallbacks for *_, fallbacks in results))

    @property
    def pending(self) -> bool:
        """True while renders may still be running in the workers."""
        return self.result is None

    def sized(self, wait: bool = True) -> list[ChartFiles | None]:
        """Every job's ChartFiles (paths and size), waiting only for charts whose size the render
        decides; wait=False: those not rendered yet are None."""
        for i, files in enumerate(self.files):
            if files is None and (wait or self._futures[i].done()):
                self.files[i] = self._futures[i].result()[0]
        return list(self.files)

    def finish(self) -> RenderedCharts:
        """Wait for every render (re-raising the first failure) -> what was rendered."""
        if self.result is None:
            try:
                self._done([future.result() for future in self._futures])
            finally:
                self.close(wait=self.result is None)
        return self.result

    def close(self, wait: bool = True) -> None:
        """Stop the workers: cancel what has not started (finish() then raises CancelledError) and
        wait for them to end; wait=False (every render done, its files written) lets them end on
        their own meanwhile: a worker's interpreter takes about 0.2 s to tear down, which the build
        need not wait for. Safe to call from another thread while finish() waits (a MkDocs failure:
        mkdocs_build.build_site's stop_static)."""
        with self._closing:  # held through the shutdown: a second caller returns only after it
            if self._pool is not None:
                self._pool.shutdown(wait=wait, cancel_futures=True)
                self._pool = None

