"""Chart requests -> files in the staging folder: Vega-Lite spec, static SVG and PNG (vl-convert)
and a CSV of exactly the rows the chart shows."""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import vl_convert

from . import chart_fonts
from .spreadsheet_safety import write_rows_csv


# Static render size (px). Kinds in STATIC_SIZE are drawn at exactly this size (charts._configure).
WIDTH = 560
HEIGHT = 280
# The kinds whose spec fixes their static size (autosize "fit", padding included): pages can be
# written before they are rendered. The tile map's size depends on its rows, so it is not here;
# write_chart checks every render against this.
STATIC_SIZE = {kind: (WIDTH, HEIGHT) for kind in ("target_progress", "region_bars", "plan_comparison")}


@dataclass
class ChartRequest:
    """One chart in one language: what to draw and the rows behind it."""

    plan_id: str
    chart_id: str
    kind: str
    lang: str
    rows: list[dict]
    labels: dict
    table_columns: list[str] = field(default_factory=list)  # the CSV's columns, in order


@dataclass(frozen=True)
class ChartFiles:
    """Where a chart's files live, relative to the site root."""

    spec: str
    svg: str
    png: str
    csv: str
    width: int
    height: int


def chart_base(plan_id: str, chart_id: str) -> str:
    return f"assets/charts/{plan_id}/{chart_id}"


def _size(svg: str) -> tuple[int, int]:
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    return (round(float(match.group(1))), round(float(match.group(2)))) if match else (WIDTH, 300)


def planned_files(request: ChartRequest) -> ChartFiles | None:
    """Chart request -> its files, known before rendering when its kind has a fixed static size
    (STATIC_SIZE); None when only the render can tell the size."""
    size = STATIC_SIZE.get(request.kind)
    if size is None:
        return None
    base, lang = chart_base(request.plan_id, request.chart_id), request.lang
    return ChartFiles(f"{base}.vegalite.{lang}.json", f"{base}.{lang}.svg", f"{base}.{lang}.png",
                      f"{base}.{lang}.csv", *size)


def static_spec(spec: dict) -> dict:
    """Interactive spec -> the one vl-convert renders: a fixed width ("container" has no container
    outside a page), and the chart font's subset named first (chart_fonts: faster renders, same
    metrics; where it is not registered the next font in the list, its source, is used)."""
    config = spec.get("config") or {}
    if config.get("font"):
        config = {**config, "font": f"{chart_fonts.SUBSET_FAMILY}, {config['font']}"}
    return {**spec, "width": WIDTH, "config": config}


def write_chart(request: ChartRequest, static_dir: Path) -> ChartFiles:
    """ChartRequest -> spec (interactive), SVG and PNG (static) and CSV files under static_dir."""
    from altair.utils.schemapi import debug_mode

    from .charts import CHART_KINDS  # here: Altair takes a third of a second to import, and a
    # build whose charts all come from the cache never needs it

    # Unvalidated, neither as built (Altair's debug mode checks every object it makes against the
    # schema) nor as a whole: tests/test_gates.py checks every spec, not each build.
    with debug_mode(False):
        spec = CHART_KINDS[request.kind](request.rows, request.labels).to_dict(validate=False)
    base = chart_base(request.plan_id, request.chart_id)
    target = static_dir / base
    target.parent.mkdir(parents=True, exist_ok=True)
    spec_path = f"{base}.vegalite.{request.lang}.json"
    svg_path = f"{base}.{request.lang}.svg"
    png_path = f"{base}.{request.lang}.png"
    csv_path = f"{base}.{request.lang}.csv"
    (static_dir / spec_path).write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(static_spec(spec))
    (static_dir / svg_path).write_text(svg, encoding="utf-8")
    # Rasterize the SVG already rendered (same pixels as vegalite_to_png, without running Vega twice).
    (static_dir / png_path).write_bytes(vl_convert.svg_to_png(svg, scale=2))
    write_rows_csv(request.rows, request.table_columns or list(request.rows[0]), static_dir / csv_path)
    files = ChartFiles(spec_path, svg_path, png_path, csv_path, *_size(svg))
    planned = planned_files(request)
    if planned is not None and planned != files:
        # Pages were written with the planned size while this chart rendered: they must agree.
        raise RuntimeError(f"chart {request.plan_id}/{request.chart_id}.{request.lang} rendered at "
                           f"{files.width}x{files.height}, not its kind's fixed size {planned.width}x{planned.height}")
    return files


# Below this many charts one process is faster: a worker costs about a second to start (imports
# plus the vl-convert engine's ~0.7 s warm-up), a chart 30-70 ms per render once warm.
PARALLEL_MIN_CHARTS = 24


def _write_job(job: tuple[ChartRequest, Path]) -> tuple[ChartFiles, int, float]:
    request, dest_dir = job
    start = time.process_time()
    files = write_chart(request, dest_dir)
    return files, os.getpid(), time.process_time() - start


def _start_worker(font: tuple[Path, Path, list[int]] | None) -> None:
    _end_with_parent()
    if font is not None:
        try:
            vl_convert.register_font_directory(str(chart_fonts.ensure_subset(*font).parent))
        except Exception:  # noqa: BLE001 - without the subset renders are slower, never different
            pass


def _font_texts(jobs: list[tuple[ChartRequest, Path]]) -> list[str]:
    """Every text the jobs' renders may draw: their rows and labels, and the chart code's literals."""
    code = [(Path(__file__).parent / name).read_text(encoding="utf-8") for name in ("charts.py", "charts_map.py")]
    return code + [json.dumps([request.rows, request.labels], ensure_ascii=False, default=str) for request, _ in jobs]


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

    def __init__(self, jobs: list[tuple[ChartRequest, Path]], workers: int | None = None,
                 font_cache: Path | None = None):
        self._start = time.perf_counter()
        self.result: RenderedCharts | None = None
        self.files: list[ChartFiles | None] = [planned_files(request) for request, _ in jobs]
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
        font = chart_fonts.subset_dir(font_cache, _font_texts(jobs)) if font_cache is not None else None
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

