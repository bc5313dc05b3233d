"""Chart jobs -> their files, rendered in worker processes in the background (or here, when few)."""
from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import vl_convert

from ..pages.model import Chart
from . import fonts
from .files import ChartFiles, planned_files, write_chart

# Below this many charts one process is faster: a worker costs about a second to start (imports
# plus the vl-convert engine's ~0.7 s warm-up), a chart 30-70 ms per render once warm.
PARALLEL_MIN_CHARTS = 24


def _write_job(job: tuple[Chart, Path]) -> tuple[ChartFiles, int, float]:
    chart, dest_dir = job
    start = time.process_time()
    files = write_chart(chart, dest_dir)
    return files, os.getpid(), time.process_time() - start


def _start_worker(font: tuple[Path, Path, list[int]] | None) -> None:
    _end_with_parent()
    if font is not None:
        try:
            vl_convert.register_font_directory(str(fonts.ensure_subset(*font).parent))
        except Exception:  # noqa: BLE001 - without the subset renders are slower, never different
            pass


def _font_texts(jobs: list[tuple[Chart, Path]]) -> list[str]:
    """Every text the jobs' renders may draw: their rows and labels, and the chart code's literals."""
    code = [(Path(__file__).parent / name).read_text(encoding="utf-8") for name in ("kinds.py", "tile_map.py")]
    return code + [json.dumps([chart.rows, chart.labels], ensure_ascii=False, default=str) for chart, _ in jobs]


def _end_with_parent() -> None:
    """Worker start-up (Linux): die with the build process instead of rendering on as an orphan."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class RenderedCharts:
    files: list[ChartFiles]
    processes: int  # how many processes rendered them (1: this one)
    seconds: float = 0.0  # wall time from the renders' start (workers included) to the last one's end
    cpu_seconds: float = 0.0  # CPU time the renders took, summed over processes


class ChartRendering:
    """Chart jobs rendering, on every core when there are enough of them to pay for the workers'
    start-up (each worker keeps its own vl-convert engine), else in this process at once.

    `files` holds every job's ChartFiles as soon as it is known: at once for kinds with a fixed
    size (planned_files), after their render for the others, which go to the workers first so
    `sized()` returns soon. The caller goes on (pages, MkDocs) while the rest renders, and calls
    `finish()` before it needs the files on disk; `close()` stops the workers on any failure.
    """

    def __init__(self, jobs: list[tuple[Chart, Path]], workers: int | None = None,
                 font_cache: Path | None = None):
        self._start = time.perf_counter()
        self.result: RenderedCharts | None = None
        self.files: list[ChartFiles | None] = [planned_files(chart) for chart, _ in jobs]
        workers = workers or min(_cores(), len(jobs) // PARALLEL_MIN_CHARTS)
        self._pool = None
        self._futures: list = []
        if workers <= 1:
            results = [_write_job(job) for job in jobs]
            self._done(results)
            return
        # spawn, not fork: the parent may already run vl-convert's and DuckDB's threads.
        context = multiprocessing.get_context("spawn")
        # Each worker registers the chart font's subset (made by the first worker that needs it,
        # kept in font_cache for the next build with the same characters).
        font = fonts.subset_dir(font_cache, _font_texts(jobs)) if font_cache is not None else None
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                         initializer=_start_worker, initargs=(font,))
        order = sorted(range(len(jobs)), key=lambda i: self.files[i] is not None)  # unknown sizes first
        futures = {i: self._pool.submit(_write_job, jobs[i]) for i in order}
        self._futures = [futures[i] for i in range(len(jobs))]

    def _done(self, results: list[tuple[ChartFiles, int, float]]) -> None:
        self.files = [files for files, _, _ in results]
        self.result = RenderedCharts(self.files, len({pid for _, pid, _ in results}) if results else 0,
                                     time.perf_counter() - self._start, sum(cpu for _, _, cpu in results))

    @property
    def pending(self) -> bool:
        """True while renders may still be running in the workers."""
        return self.result is None

    def sized(self) -> list[ChartFiles]:
        """Every job's ChartFiles (paths and size), waiting only for charts whose size the render decides."""
        for i, files in enumerate(self.files):
            if files is None:
                self.files[i] = self._futures[i].result()[0]
        return list(self.files)

    def finish(self) -> RenderedCharts:
        """Wait for every render (re-raising the first failure) -> what was rendered."""
        if self.result is None:
            try:
                self._done([future.result() for future in self._futures])
            finally:
                self.close()
        return self.result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

