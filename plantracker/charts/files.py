"""One Chart -> its files: Vega-Lite spec (interactive), static SVG and PNG (vl-convert) and a CSV of
exactly the rows the chart shows."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import vl_convert

from ..pages.model import Chart
from ..spreadsheet_safety import write_rows_csv
from . import fonts
from .style import WIDTH, static_size


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


def planned_files(chart: Chart) -> ChartFiles | None:
    """Chart -> its files, known before rendering when its kind has a fixed static size
    (style.static_size); None when only the render can tell the size."""
    size = static_size(chart.kind, chart.labels)
    if size is None:
        return None
    base, lang = chart_base(chart.plan_id, chart.chart_id), chart.lang
    return ChartFiles(f"{base}.vegalite.{lang}.json", f"{base}.{lang}.svg", f"{base}.{lang}.png",
                      f"{base}.{lang}.csv", *size)


def static_spec(spec: dict) -> dict:
    """Interactive spec -> the one vl-convert renders: a fixed width ("container" has no container
    outside a page), and the chart font's subset named first (chart_fonts: faster renders, same
    metrics; where it is not registered the next font in the list, its source, is used)."""
    config = spec.get("config") or {}
    if config.get("font"):
        config = {**config, "font": f"{fonts.SUBSET_FAMILY}, {config['font']}"}
    return {**spec, "width": WIDTH, "config": config}


def one_line_labels(labels: dict) -> dict:
    """A chart's labels -> the same with every text on one line: Vega-Lite copies axis and legend
    titles into expressions (the marks' ARIA descriptions) without escaping line breaks, and a
    title with one fails the render. Lists (scale domains) must match the rows, so stay as they are."""
    return {key: " ".join(value.split()) if isinstance(value, str) else value for key, value in labels.items()}


def write_chart(chart: Chart, static_dir: Path) -> ChartFiles:
    """Chart -> spec (interactive), SVG and PNG (static) and CSV files under static_dir."""
    from altair.utils.schemapi import debug_mode

    from .kinds import CHART_KINDS  # here, not at the top: Altair takes a third of a second to
    # import, and a build whose charts all come from the cache never needs it

    # Unvalidated, neither as built (Altair's debug mode checks every object it makes against the
    # schema) nor as a whole: tests/test_gates.py checks every spec, not each build.
    with debug_mode(False):
        spec = CHART_KINDS[chart.kind](chart.rows, one_line_labels(chart.labels)).to_dict(validate=False)
    base = chart_base(chart.plan_id, chart.chart_id)
    target = static_dir / base
    target.parent.mkdir(parents=True, exist_ok=True)
    spec_path = f"{base}.vegalite.{chart.lang}.json"
    svg_path = f"{base}.{chart.lang}.svg"
    png_path = f"{base}.{chart.lang}.png"
    csv_path = f"{base}.{chart.lang}.csv"
    (static_dir / spec_path).write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    svg = vl_convert.vegalite_to_svg(static_spec(spec))
    (static_dir / svg_path).write_text(svg, encoding="utf-8")
    # Rasterize the SVG already rendered (same pixels as vegalite_to_png, without running Vega twice).
    (static_dir / png_path).write_bytes(vl_convert.svg_to_png(svg, scale=2))
    write_rows_csv(chart.rows, chart.columns or list(chart.rows[0]), static_dir / csv_path)
    files = ChartFiles(spec_path, svg_path, png_path, csv_path, *_size(svg))
    planned = planned_files(chart)
    if planned is not None and planned != files:
        # Pages were written with the planned size while this chart rendered: they must agree.
        raise RuntimeError(f"chart {chart.plan_id}/{chart.chart_id}.{chart.lang} rendered at "
                           f"{files.width}x{files.height}, not its kind's fixed size {planned.width}x{planned.height}")
    return files
