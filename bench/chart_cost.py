"""Per-chart CPU cost of each chart form (issue 19 item 2): the Vega-Lite specs (Altair, full and
phone layout), the static SVG, the phone SVG and the PNG, for the route the build uses (the V8
engine, charts.engine; the PNG's text drawn from glyph outlines, charts.outlines) and for vl-convert
1.9 measured in the same run, with their ratio. Goal: <= 60 ms a chart for spec, SVG and PNG
together (issue 19). Not a test: timings depend on the machine and its load.

    python bench/chart_cost.py              # the shipped data packages
    python bench/chart_cost.py --data DIR --passes 3

The charts are those of the page stage on the data (no build needed). Each route renders them in a
fresh process of its own (vl-convert's font database belongs to its process), as a chart worker of
the build does: the chart font's subset registered with vl-convert (and, for the engine, its
widths), the site's Vega bundle loaded once. Costs are CPU time of that process (all its threads:
vl-convert's and V8's included), per chart, file writes excluded. Pass 1 renders every chart once
after a warm-up chart, which is what a build pays; later passes, if asked, render them again.
Start-up (engine, first render) is reported apart. Both routes' SVGs are compared byte for byte.

The PNG is measured both ways in the engine's process, on the same SVG, one after the other
(which goes first alternates by chart): vl-convert's svg_to_png of the SVG as it is (the route
before charts.outlines) and the outlines route (the SVG's text made glyph paths, then svg_to_png).
Their PNG bytes are compared too.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
ROUTES = {"vl-convert": "vl-convert 1.9 (before: vegalite_to_svg)", "v8": "V8 engine (the build's route now)"}
FORMS = ("spec", "phone_spec", "svg", "phone_svg", "png")
# The engine's process measures the PNG both ways; "png" is the route the build takes there.
PNG_ROUTES = ("png_vl_convert", "png_outlines")
WARM_UP = {"data": {"values": [{"t": "河北 Hebei 1,234", "v": 1}, {"t": "内蒙古", "v": 2}]}, "mark": "bar",
           "encoding": {"y": {"field": "t", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}},
           "config": {"font": "WenQuanYi Micro Hei Subset, WenQuanYi Micro Hei, sans-serif"}}


def page_charts(data: Path) -> list:
    """Data packages -> every Chart the page stage makes (both languages)."""
    sys.path.insert(0, str(REPO))
    from plantracker.changes import compare_releases
    from plantracker.load import load
    from plantracker.pages import build_pages
    from plantracker.query import query_site
    from plantracker.settings import load_release
    from plantracker.strings import load_strings

    db = load(data)
    try:
        site = query_site(db)
        pages = build_pages(site, compare_releases(db, site.progress, site.plans),
                            load_release(REPO / "release.toml"), load_strings(REPO / "templates"))
    finally:
        db.close()
    return [chart for page in pages for chart in page.charts]


def route(name: str, charts_file: Path, bundle: Path, fonts_dir: Path, out: Path, passes: int) -> dict:
    """Inside a fresh process: render every chart the route's way, timing each form."""
    cpu = time.process_time
    started = cpu()
    sys.path.insert(0, str(REPO))
    import vl_convert
    from altair.utils.schemapi import debug_mode

    from plantracker.charts import fonts
    from plantracker.charts.files import one_line_labels, static_spec
    from plantracker.charts.kinds import CHART_KINDS
    from plantracker.charts.style import FULL, PHONE
    from plantracker.charts.workers import _font_texts

    charts = pickle.loads(charts_file.read_bytes())
    startup = {"imports_ms": (cpu() - started) * 1000}
    c = cpu()
    subset = fonts.ensure_subset(*fonts.subset_dir(fonts_dir, _font_texts([(chart, None) for chart in charts])))
    vl_convert.register_font_directory(str(subset.parent))
    startup["register_subset_ms"] = (cpu() - c) * 1000
    engine = outlines = None
    if name == "v8":
        from plantracker.charts import outlines as outlines_module
        from plantracker.charts.glyphs import GlyphOutlines, glyph_outlines
        from plantracker.charts.engine import SvgEngine

        c = cpu()
        engine = SvgEngine(bundle, subset)
        startup["engine_ms"] = (cpu() - c) * 1000
        render = engine.render
        c = cpu()
        outlines = glyph_outlines(str(subset))  # after the engine: the shaping tables are shared
        startup["glyph_outlines_ms"] = (cpu() - c) * 1000
        c = cpu()
        every = GlyphOutlines(subset)
        every.path_data([(glyph, 0) for glyph in range(every.glyph_count)])
        startup["outline_every_glyph_ms"] = (cpu() - c) * 1000  # the most a process's glyph cache can cost
        subset_glyphs = every.glyph_count
    else:
        render = vl_convert.vegalite_to_svg
    try:
        c = cpu()
        svg = render(WARM_UP)
        startup["first_svg_ms"] = (cpu() - c) * 1000
        c = cpu()
        vl_convert.svg_to_png(svg, scale=2)
        startup["first_png_ms"] = (cpu() - c) * 1000
        all_passes, fallbacks, texts = [], 0, {"outlined": 0, "left as text": 0, "same PNG bytes": 0}
        for number in range(passes):
            rows = []
            for chart in charts:
                labels, row = one_line_labels(chart.labels), {}
                specs = {}
                for layout, form in ((FULL, "spec"), (PHONE, "phone_spec")):
                    c = cpu()
                    with debug_mode(False):
                        specs[layout] = CHART_KINDS[chart.kind](chart.rows, labels, layout).to_dict(validate=False)
                    row[form] = (cpu() - c) * 1000
                svgs = {}
                for layout, form in ((FULL, "svg"), (PHONE, "phone_svg")):
                    static = static_spec(specs[layout], layout)
                    c = cpu()
                    svgs[layout] = render(static)
                    if svgs[layout] is None:  # a character the font lacks: vl-convert draws it, as in a build
                        fallbacks += 1
                        svgs[layout] = vl_convert.vegalite_to_svg(static)
                    row[form] = (cpu() - c) * 1000
                if outlines is None:
                    c = cpu()
                    vl_convert.svg_to_png(svgs[FULL], scale=2)
                    row["png"] = (cpu() - c) * 1000
                else:
                    pngs = {}
                    order = PNG_ROUTES if len(rows) % 2 == 0 else PNG_ROUTES[::-1]
                    for png_route in order:
                        c = cpu()
                        if png_route == "png_vl_convert":
                            pngs[png_route] = vl_convert.svg_to_png(svgs[FULL], scale=2)
                        else:
                            outlined, done, kept = outlines_module.outline_text(svgs[FULL], outlines)
                            row["outline_text"] = (cpu() - c) * 1000
                            pngs[png_route] = vl_convert.svg_to_png(outlined, scale=2)
                        row[png_route] = (cpu() - c) * 1000
                    row["png"] = row["png_outlines"]
                    if number == 0:
                        texts["outlined"] += done
                        texts["left as text"] += kept
                        texts["same PNG bytes"] += pngs["png_vl_convert"] == pngs["png_outlines"]
                if number == 0:
                    for layout in (FULL, PHONE):
                        name_ = f"{chart.plan_id}__{chart.chart_id}.{chart.lang}{layout.suffix}.svg"
                        (out / name_).write_text(svgs[layout], encoding="utf-8")
                rows.append(row)
            all_passes.append(rows)
    finally:
        if engine is not None:
            engine.close()
    if outlines is not None:
        texts["glyphs outlined"], texts["subset glyphs"] = outlines.outlined_glyphs, subset_glyphs
    return {"startup": startup, "passes": all_passes, "fallbacks": fallbacks, "process_cpu_ms": cpu() * 1000,
            "texts": texts if outlines is not None else None}


def run_route(name: str, charts_file: Path, bundle: Path, scratch: Path, passes: int) -> dict:
    out = scratch / name
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--route", name, "--charts-file", str(charts_file),
                           "--bundle", str(bundle), "--scratch", str(scratch), "--passes", str(passes)],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"route {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mean(rows: list[dict], form: str) -> float:
    return statistics.mean(row[form] for row in rows)


def report(results: dict, charts: int, passes: int, same: int, compared: int, bundle_ms: float) -> str:
    base, new = results["vl-convert"], results["v8"]
    lines = [f"{charts} charts (shipped data, zh + en), pass 1 = each chart once after a warm-up chart; "
             f"CPU ms per chart; machine: {machine()}", "",
             "| form | vl-convert 1.9 | V8 engine + outlines | ratio |", "|---|---:|---:|---:|"]

    def row(label: str, forms: tuple[str, ...], which: int = 0) -> None:
        a = sum(_mean(base["passes"][which], f) for f in forms)
        b = sum(_mean(new["passes"][which], f) for f in forms)
        lines.append(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f}x |")

    row("spec (Altair, full layout)", ("spec",))
    row("spec (Altair, phone layout)", ("phone_spec",))
    row("SVG (full)", ("svg",))
    row("SVG (phone)", ("phone_svg",))
    row("PNG (full SVG at 2x; right: text as glyph outlines)", ("png",))
    row("**spec + SVG + PNG** (the three forms; goal <= 60)", ("spec", "svg", "png"))
    row("**all five** (both specs, both SVGs, PNG: what a build renders)", FORMS)
    for which in range(1, passes):
        row(f"all five, pass {which + 1} (same charts again)", FORMS, which)
    first = new["passes"][0]
    old_png, new_png = _mean(first, "png_vl_convert"), _mean(first, "png_outlines")
    three = sum(_mean(first, f) for f in ("spec", "svg"))
    lines += ["", "The PNG both ways in the engine's process, same SVGs, same run (CPU ms per chart, pass 1):", "",
              "| PNG of the full SVG at 2x | ms | ratio |", "|---|---:|---:|",
              f"| vl-convert svg_to_png of the SVG (before) | {old_png:.1f} | 1.00x |",
              f"| text as glyph outlines, then svg_to_png (now) | {new_png:.1f} | {new_png / old_png:.2f}x |",
              f"| of which outline_text (parse, lay out, write the SVG) | {_mean(first, 'outline_text'):.1f} | |",
              "", "| per chart, spec + SVG + PNG (goal <= 60) | ms |", "|---|---:|",
              f"| PNG by vl-convert (before) | {three + old_png:.1f} |",
              f"| PNG from outlines (now) | {three + new_png:.1f} |"]
    texts = new["texts"]
    lines.append(f"\nTexts drawn as outlines: {texts['outlined']}, left to vl-convert as text: {texts['left as text']}; "
                 f"PNG bytes identical between the two PNG routes: {texts['same PNG bytes']}/{charts}. "
                 f"Glyphs outlined (and kept) by the process: {texts['glyphs outlined']} of the subset's "
                 f"{texts['subset glyphs']}; outlining all of them costs outline_every_glyph below.")
    for name, found in (("vl-convert 1.9", base), ("V8 engine", new)):
        lines.append(f"\n{name} start-up (CPU ms, once a process): "
                     + ", ".join(f"{k.removesuffix('_ms')} {v:.0f}" for k, v in found["startup"].items())
                     + (f"; SVGs left to vl-convert: {found['fallbacks']}" if name == "V8 engine" else ""))
    lines.append(f"\nSVG bytes identical between the routes: {same}/{compared}. The Vega bundle the engine runs "
                 f"(vl_convert.javascript_bundle(), cached by the build's content store): {bundle_ms:.0f} ms CPU here, once.")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(REPO / "datapackages"))
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--route", help=argparse.SUPPRESS)
    parser.add_argument("--charts-file", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.route:
        found = route(args.route, Path(args.charts_file), Path(args.bundle), Path(args.scratch) / "fonts",
                      Path(args.scratch) / args.route, args.passes)
        print(json.dumps(found))
        return
    charts = page_charts(Path(args.data))
    with tempfile.TemporaryDirectory(prefix="chart-cost-") as temp:
        scratch = Path(temp)
        charts_file = scratch / "charts.pickle"
        charts_file.write_bytes(pickle.dumps(charts))
        from plantracker.vega_bundle import write_chart_bundle
        from plantracker.charts import fonts
        from plantracker.charts.workers import _font_texts

        c = time.process_time()
        bundle = write_chart_bundle(scratch / "site")
        bundle_ms = (time.process_time() - c) * 1000
        # The chart font's subset, made once as the build's first worker makes it; both routes reuse it.
        fonts.ensure_subset(*fonts.subset_dir(scratch / "fonts", _font_texts([(chart, None) for chart in charts])))
        results = {name: run_route(name, charts_file, bundle, scratch, args.passes) for name in ROUTES}
        names = sorted(p.name for p in (scratch / "vl-convert").glob("*.svg"))
        same = sum((scratch / "vl-convert" / n).read_bytes() == (scratch / "v8" / n).read_bytes() for n in names)
    print(report(results, len(charts), args.passes, same, len(names), bundle_ms))


if __name__ == "__main__":
    main()
