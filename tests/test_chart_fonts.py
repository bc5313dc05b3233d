"""The chart font's subset (plantracker.chart_fonts) changes how fast charts render, never what
they look like. vl-convert's font database belongs to its process, so each case renders in a
fresh Python process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plantracker.charts import fonts as chart_fonts

REPO = Path(__file__).resolve().parent.parent
# A chart whose layout depends on text widths: the y axis' label column sets the plot's offset.
TEXTS = ["河北省", "内蒙古 − 1,234…", "A Latin label, the widest of the three"]
RENDER = """
import hashlib, json, sys, vl_convert
from pathlib import Path
from plantracker.charts import fonts as chart_fonts
cache, family, texts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if cache:
    found = chart_fonts.subset_dir(Path(cache), texts)
    vl_convert.register_font_directory(str(chart_fonts.ensure_subset(*found).parent))
spec = {"data": {"values": [{"t": t, "v": i + 1} for i, t in enumerate(texts)]}, "mark": "bar",
        "encoding": {"y": {"field": "t", "type": "nominal"}, "x": {"field": "v", "type": "quantitative"}},
        "config": {"font": family}}
svg = vl_convert.vegalite_to_svg(spec)
png = vl_convert.svg_to_png(svg, scale=2)
print(json.dumps([svg.replace(family, "FAMILY"), hashlib.sha256(png).hexdigest()]))
"""

pytestmark = pytest.mark.skipif(chart_fonts.source_font() is None,
                                reason="needs fonts-wqy-microhei, the charts' font (installed by .ci/run)")


def _render(cache: Path | str, family: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", RENDER, str(cache), family, json.dumps(TEXTS, ensure_ascii=False)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_subset_renders_exactly_like_its_source_font(tmp_path):
    whole = _render("", chart_fonts.SOURCE_FAMILY)
    # Named first with the subset registered (the chart workers), and named first without it
    # registered (renders in the build process fall through to the source font).
    listed = f"{chart_fonts.SUBSET_FAMILY}, {chart_fonts.SOURCE_FAMILY}, sans-serif"
    assert _render(tmp_path / "fonts", listed) == whole
    assert _render("", listed) == whole
    # The comparison can fail: another font's widths move the plot.
    assert _render("", "DejaVu Sans")[0] != whole[0]


def test_the_subset_is_made_once_and_only_the_current_one_is_kept(tmp_path):
    cache = tmp_path / "fonts"
    folder, source, code_points = chart_fonts.subset_dir(cache, TEXTS)
    font = chart_fonts.ensure_subset(folder, source, code_points)
    made = font.stat().st_mtime_ns
    assert chart_fonts.ensure_subset(folder, source, code_points).stat().st_mtime_ns == made
    assert {ord(c) for c in "".join(TEXTS)} <= set(code_points)
    # New characters: a new subset, and the old one is removed.
    other, _, _ = chart_fonts.subset_dir(cache, TEXTS + ["山西"])
    assert other != folder and not folder.exists()
    assert chart_fonts.ensure_subset(other, source, chart_fonts.characters(TEXTS + ["山西"])).exists()
