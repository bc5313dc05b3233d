"""One Chart -> its files: Vega-Lite specs (interactive, full and phone layout), static SVGs (full and
phone) and PNG (full size, for downloads), and a CSV of exactly the rows the chart shows."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import vl_convert

from ..model import Chart
from ..spreadsheet_safety import write_rows_csv
from . import fonts
from .style import FULL, LAYOUTS, PHONE, Layout, phone_media, static_size


@dataclass(frozen=True)
class ChartFiles:
    """Where a chart's files live, relative to the site root, and the static renders' sizes (px)."""

    spec: str
    svg: str
    png: str
    csv: str
    width: int
    height: int
    phone_spec: str
    phone_svg: str
    phone_width: int
    phone_height: int

    @property
    def phone_media(self) -> str:
        """The media query under which a page shows the phone SVG (style.phone_media)."""
        return phone_media(self.width)


# Each layout's spec and SVG, as ChartFiles' fields.
LAYOUT_FILES = {FULL.name: ("spec", "svg"), PHONE.name: ("phone_spec", "phone_svg")}


def chart_base(plan_id: str, chart_id: str) -> str:
    return f"assets/charts/{plan_id}/{chart_id}"


def chart_paths(chart: Chart) -> dict[str, str]:
    """Chart -> the paths of its files (ChartFiles' fields), relative to the site root."""
    base, lang = chart_base(chart.plan_id, chart.chart_id), chart.lang
    return {"spec": f"{base}.vegalite.{lang}.json", "svg": f"{base}.{lang}.svg", "png": f"{base}.{lang}.png",
            "csv": f"{base}.{lang}.csv", "phone_spec": f"{base}.vegalite.{lang}{PHONE.suffix}.json",
            "phone_svg": f"{base}.{lang}{PHONE.suffix}.svg"}


def svg_size(svg: str) -> tuple[int, int]:
    """A rendered SVG -> its (width, height) in px."""
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    return (round(float(match.group(1))), round(float(match.group(2)))) if match else (FULL.width, 300)


def planned_files(chart: Chart) -> ChartFiles | None:
    """Chart -> its files, known before rendering when its kind has a fixed static size in every
    layout (style.static_size); None when only the render can tell the size."""
    full = static_size(chart.kind, chart.labels, FULL, chart.rows)
    phone = static_size(chart.kind, chart.labels, PHONE, chart.rows)
    if full is None or phone is None:
        return None
    return ChartFiles(**chart_paths(chart), width=full[0], height=full[1], phone_width=phone[0], phone_height=phone[1])


def static_spec(spec: dict, layout: Layout = FULL) -> dict:
    """Interactive spec -> the one the renderer draws: the layout's width for a chart as wide as its
    container (there is none outside a page; the tile map's width is its own), and the chart font's subset named first (chart_fonts: faster renders, same
    metrics; where it is not registered the next font in the list, its source, is used)."""
    config = spec.get("config") or {}
    if config.get("font"):
        config = {**config, "font": f"{fonts.SUBSET_FAMILY}, {config['font']}"}
    return {**spec, "width": layout.width if spec.get("width") == "container" else spec.get("width"), "config": config}


def one_line_labels(labels: dict) -> dict:
    """A chart's labels -> the same with every text on one line: Vega-Lite copies axis and legend
    titles into expressions (the marks' ARIA descriptions) without escaping line breaks, and a
    title with one fails the render. Lists (scale domains) must match the rows, so stay as they are."""
    return {key: " ".join(value.split()) if isinstance(value, str) else value for key, value in labels.items()}


def chart_specs(chart: Chart) -> dict[Layout, dict]:
    """Chart -> its interactive Vega-Lite spec in each layout (Altair)."""
    from altair.utils.schemapi import debug_mode

    from .kinds import CHART_KINDS  # here, not at the top: Altair takes a third of a second to
    # import, and a build whose charts all come from the cache never needs it

    # Unvalidated, neither as built (Altair's debug mode checks every object it makes against the
    # schema) nor as a whole: tests/test_gates.py checks every spec, not each build.
    labels = one_line_labels(chart.labels)
    with debug_mode(False):
        return {layout: CHART_KINDS[chart.kind](chart.rows, labels, layout).to_dict(validate=False)
                for layout in LAYOUTS}


def _vl_convert_png(svg: str) -> bytes:
    return vl_convert.svg_to_png(svg, scale=2)


def write_chart(chart: Chart, static_dir: Path, render_svg: Callable[[dict], str] | None = None,
                render_png: Callable[[str], bytes] | None = None) -> ChartFiles:
    """Chart -> specs (interactive), SVGs (static, full and phone), PNG (full) and CSV files under
    static_dir. render_svg: a static spec -> its SVG (default: vl-convert; see charts.engine).
    render_png: the full SVG -> its PNG at 2x (default: vl-convert's; see charts.outlines)."""
    render_svg = render_svg or vl_convert.vegalite_to_svg
    render_png = render_png or _vl_convert_png
    paths = chart_paths(chart)
    (static_dir / paths["spec"]).parent.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for layout, spec in chart_specs(chart).items():
        spec_path, svg_path = LAYOUT_FILES[layout.name]
        (static_dir / paths[spec_path]).write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True),
                                                   encoding="utf-8")
        svg = render_svg(static_spec(spec, layout))
        (static_dir / paths[svg_path]).write_text(svg, encoding="utf-8")
        sizes[layout] = svg_size(svg)
        if layout == FULL:
            # Rasterize the SVG already rendered (same pixels as vegalite_to_png, without running Vega
            # twice). Full size only: the PNG is a download, for print and reuse.
            (static_dir / paths["png"]).write_bytes(render_png(svg))
    write_rows_csv(chart.rows, chart.columns or list(chart.rows[0]), static_dir / paths["csv"])
    files = ChartFiles(**paths, width=sizes[FULL][0], height=sizes[FULL][1],
                       phone_width=sizes[PHONE][0], phone_height=sizes[PHONE][1])
    planned = planned_files(chart)
    if planned is not None and planned != files:
        # Pages were written with the planned size while this chart rendered: they must agree.
        raise RuntimeError(f"chart {chart.plan_id}/{chart.chart_id}.{chart.lang} rendered at "
                           f"{files.width}x{files.height} (phone {files.phone_width}x{files.phone_height}), not its "
                           f"kind's fixed size {planned.width}x{planned.height} "
                           f"(phone {planned.phone_width}x{planned.phone_height})")
    return files
