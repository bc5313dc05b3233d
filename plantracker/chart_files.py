"""Chart requests -> files in the staging folder: Vega-Lite spec, static SVG and PNG (vl-convert)
and a CSV of exactly the rows the chart shows."""
from __future__ import annotations

import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import vl_convert

from .charts import CHART_KINDS, WIDTH
from .spreadsheet_safety import write_rows_csv


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


def write_chart(request: ChartRequest, static_dir: Path) -> ChartFiles:
    """ChartRequest -> spec (interactive), SVG and PNG (static) and CSV files under static_dir."""
    spec = CHART_KINDS[request.kind](request.rows, request.labels).to_dict()
    # The static renders get a fixed width: "container" has no container outside a page.
    static_spec = {**spec, "width": WIDTH}
    base = chart_base(request.plan_id, request.chart_id)
    target = static_dir / base
    target.parent.mkdir(parents=True, exist_ok=True)
    spec_path = f"{base}.vegalite.{request.lang}.json"
    svg_path = f"{base}.{request.lang}.svg"
    png_path = f"{base}.{request.lang}.png"
    csv_path = f"{base}.{request.lang}.csv"
    (static_dir / spec_path).write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(static_spec)
    (static_dir / svg_path).write_text(svg, encoding="utf-8")
    # Rasterize the SVG already rendered (same pixels as vegalite_to_png, without running Vega twice).
    (static_dir / png_path).write_bytes(vl_convert.svg_to_png(svg, scale=2))
    write_rows_csv(request.rows, request.table_columns or list(request.rows[0]), static_dir / csv_path)
    width, height = _size(svg)
    return ChartFiles(spec_path, svg_path, png_path, csv_path, width, height)


# Below this many charts one process is faster: a worker costs about a second to start (imports
# plus the vl-convert engine's ~0.7 s warm-up), a chart 30-70 ms per render once warm.
PARALLEL_MIN_CHARTS = 24


@dataclass
class RenderedCharts:
    files: list[ChartFiles]
    processes: int  # how many processes rendered them (1: this one)


def _write_job(job: tuple[ChartRequest, Path]) -> tuple[ChartFiles, int]:
    request, dest_dir = job
    return write_chart(request, dest_dir), os.getpid()


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


def write_charts(jobs: list[tuple[ChartRequest, Path]], workers: int | None = None) -> RenderedCharts:
    """(request, dest dir) pairs -> their ChartFiles in order; rendered on every core when there are
    enough charts to pay for the workers' start-up (each worker keeps its own vl-convert engine)."""
    workers = workers or min(_cores(), len(jobs) // PARALLEL_MIN_CHARTS)
    if workers <= 1:
        return RenderedCharts([write_chart(request, dest) for request, dest in jobs], 1 if jobs else 0)
    # spawn, not fork: the parent may already run vl-convert's and DuckDB's threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_end_with_parent) as pool:
        results = list(pool.map(_write_job, jobs, chunksize=max(1, len(jobs) // (workers * 16))))
    return RenderedCharts([files for files, _ in results], len({pid for _, pid in results}))
