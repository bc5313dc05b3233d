"""The V8 SVG engine (charts.engine) draws exactly what vl-convert 1.9 draws: real charts of the
shipped data, every kind, both languages and both layouts, rendered both ways give the same SVG
bytes and the same PNG bytes; a character the font lacks sends that chart to vl-convert; the real
build draws every chart with the engine."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import vl_convert

from plantracker.vega_bundle import write_chart_bundle
from plantracker.cache import read_record
from plantracker.charts import fonts
from plantracker.charts.engine import EngineError, SvgEngine, bundle_script
from plantracker.charts.files import chart_specs, static_spec
from plantracker.charts.style import FULL
from plantracker.charts.workers import ENGINE, ChartRendering
from plantracker.model import Chart
from plantracker.settings import load_release

from stages import REPO_ROOT, pages_of

pytestmark = pytest.mark.skipif(fonts.source_font() is None,
                                reason="needs fonts-wqy-microhei, the charts' font (installed by setup.sh)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The site's Vega bundle file, as the build writes it (the engine runs this file)."""
    return write_chart_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="module")
def sample() -> list:
    """Real charts: the first two of each kind in each language (maps, progress, bars, comparisons)."""
    charts = [chart for page in pages_of(REPO_ROOT / "datapackages", load_release(REPO_ROOT / "release.toml"))
              for chart in page.charts]
    chosen, seen = [], {}
    for chart in charts:
        key = (chart.kind, chart.lang)
        if seen.get(key, 0) < 2:
            seen[key] = seen.get(key, 0) + 1
            chosen.append(chart)
    assert {kind for kind, _ in seen} == {"target_progress", "region_bars", "plan_comparison", "tile_map"}
    return chosen


@pytest.fixture(scope="module")
def engine(bundle):
    engine = SvgEngine(bundle, fonts.source_font())
    yield engine
    engine.close()


def test_the_engine_draws_the_same_svg_and_png_as_vl_convert(engine, sample):
    compared = 0
    for chart in sample:
        for layout, spec in chart_specs(chart).items():
            static = static_spec(spec, layout)
            ours, theirs = engine.render(static), vl_convert.vegalite_to_svg(static)
            name = f"{chart.plan_id}/{chart.chart_id}.{chart.lang} ({layout.name})"
            assert ours is not None, f"{name}: characters missing from the font: {engine.missing}"
            assert ours == theirs, name
            assert vl_convert.svg_to_png(ours, scale=2) == vl_convert.svg_to_png(theirs, scale=2), name
            compared += 1
    assert compared == 2 * len(sample)


def test_a_render_that_waits_on_a_timer_is_awaited(bundle, sample):
    """The engine reads a render's result without awaiting it when it settled with the script that
    started it (promise jobs only); a render that also waits on a timer is awaited instead."""
    engine = SvgEngine(bundle, fonts.source_font())
    try:
        engine._context.eval("""const toSVG = vega.View.prototype.toSVG;
            vega.View.prototype.toSVG = function (...args) {
              return new Promise((resolve) => setTimeout(resolve, 5)).then(() => toSVG.apply(this, args)); }; 1""")
        static = static_spec(chart_specs(sample[0])[FULL], FULL)
        assert engine.render(static) == vl_convert.vegalite_to_svg(static)
    finally:
        engine.close()


def test_a_character_the_font_lacks_is_left_to_vl_convert(engine):
    spec = {"data": {"values": [{"t": "河北 \U0001F600", "v": 1}]}, "mark": "bar",
            "encoding": {"y": {"field": "t", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}},
            "config": {"font": f"{fonts.SOURCE_FAMILY}, sans-serif"}}
    assert engine.render(spec) is None
    assert 0x1F600 in engine.missing


def test_a_worker_leaves_such_a_chart_to_vl_convert_with_the_subset(bundle, tmp_path):
    """In a worker, the chart whose label has a character the font lacks is drawn by vl-convert,
    which gets the chart font's subset then (made only when vl-convert draws): the same SVG as
    vl-convert's own; the other chart is the engine's."""
    rows = [{"region_label": "河北", "value": 1, "value_text": "1", "year": 2020, "source": "s"}]
    labels = {"title": "t", "x": "x", "y": "y", "value": "v", "year": "year", "source": "source"}
    plain = Chart("p", "plain", "region_bars", "zh", "p/index", "t", "t", rows, labels, [])
    odd = Chart("p", "odd", "region_bars", "zh", "p/index", "t", "t",
                [{**rows[0], "region_label": "河北 \U0001F600"}], labels, [])
    rendering = ChartRendering([(plain, tmp_path / "a"), (odd, tmp_path / "b")], workers=2,
                               font_cache=tmp_path / "fonts", bundle=bundle)
    done = rendering.finish()
    assert done.fallbacks == 2 and done.engines == {ENGINE: 2}  # the odd chart's full and phone SVG
    assert len(list((tmp_path / "fonts").glob("*/chart-font.ttf"))) == 1
    drawn = (tmp_path / "b" / done.files[1].svg).read_text(encoding="utf-8")
    assert drawn == vl_convert.vegalite_to_svg(static_spec(chart_specs(odd)[FULL], FULL))


def test_an_unknown_bundle_fails_loudly(tmp_path):
    with pytest.raises(EngineError):
        bundle_script("(function(){\nconst x = 1;\n})();\n")


def test_a_process_with_an_engine_ends(bundle):
    """Closed explicitly, the engine lets the interpreter end (mini-racer's thread could hold it)."""
    code = ("import sys; from pathlib import Path; from plantracker.charts import fonts; "
            "from plantracker.charts.engine import SvgEngine; "
            "e = SvgEngine(Path(sys.argv[1]), fonts.source_font()); "
            "print(e.render({'mark': 'point', 'data': {'values': [{'a': 1}]}, 'encoding': {'x': {'field': 'a', 'type': 'quantitative'}}})[:4]); "
            "e.close()")
    done = subprocess.run([sys.executable, "-c", code, str(bundle)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "<svg", done.stderr[-2000:]


def test_the_build_draws_every_chart_with_the_engine(real_site):
    last = read_record(real_site.work_dir)["last_build"]
    assert last["svg_engines"] == {ENGINE: real_site.result.charts}, last["svg_engines"]
    assert last["svg_fallbacks"] == 0
