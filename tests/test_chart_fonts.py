"""The chart font's subset (plantracker.chart_fonts) changes how fast charts render, never what
they look like. vl-convert's font database belongs to its process, so each case renders in a
fresh Python process."""
from __future__ import annotations

import hashlib
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


def _tables_from_the_font(font: str, code_points: frozenset[int]) -> dict:
    """The shaping tables read straight from the font with fontTools, cut to code_points: what
    shaping_tables gave before its whole-font tables were kept in the machine's cache."""
    from fontTools import ttLib

    font_ = ttLib.TTFont(font, fontNumber=0, lazy=True)
    order = {name: i for i, name in enumerate(font_.getGlyphOrder())}
    cmap = {cp: name for cp, name in font_.getBestCmap().items() if cp in code_points}
    metrics, names = font_["hmtx"].metrics, set(cmap.values())
    kern: dict[str, int] = {}
    for lookup in font_["GPOS"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            sub = sub.ExtSubTable if lookup.LookupType == 9 else sub
            for first, pairs in zip(sub.Coverage.glyphs, sub.PairSet):
                for pair in pairs.PairValueRecord if first in names else ():
                    value = getattr(pair.Value1, "XAdvance", 0) if pair.Value1 else 0
                    if value and pair.SecondGlyph in names:
                        kern.setdefault(f"{order[first]},{order[pair.SecondGlyph]}", value)
    return {"upem": font_["head"].unitsPerEm, "adv": {cp: metrics[name][0] for cp, name in cmap.items()},
            "gid": {cp: order[name] for cp, name in cmap.items()}, "kern": kern}


def test_the_fonts_shaping_tables_are_read_once_a_machine_and_cut_to_the_characters(tmp_path, monkeypatch):
    """Each chart worker measures text with the font's shaping tables (0.2 CPU s to read): the whole
    font's are kept in the machine's cache, and each build cuts them to its characters. The cut
    must equal reading the font for those characters (the SVG engine receives these bytes), a
    second process must read the file, not the font, and a damaged file is made again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    font = str(chart_fonts.source_font())
    code_points = frozenset(map(ord, "".join(TEXTS) + "AVAT To Wa 0123456789,.%")) | frozenset(range(0x4E00, 0x4F00))
    expected = _tables_from_the_font(font, code_points)
    assert expected["kern"]  # these characters kern: the cut of the pairs is checked too
    made = chart_fonts.shaping_tables.__wrapped__(font, code_points)
    assert json.dumps(made) == json.dumps(expected)
    [kept] = (tmp_path / "plantracker" / "font-tables").glob("*.json")

    read_again = [sys.executable, "-c", "import json, sys\nfrom plantracker.charts import fonts\n"
                  "fonts.read_font_tables = None  # the font is not read again\n"
                  "print(json.dumps(fonts.shaping_tables(sys.argv[1], frozenset(json.loads(sys.argv[2])))))",
                  font, json.dumps(sorted(code_points))]
    environment = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    found = subprocess.run(read_again, capture_output=True, text=True, check=True, cwd=REPO, env=environment)
    assert found.stdout.strip() == json.dumps({key: {str(k): v for k, v in value.items()} if isinstance(value, dict)
                                               else value for key, value in expected.items()})
    whole = kept.read_bytes()
    checksum = kept.with_name(f"{kept.name}.sha256")
    assert checksum.read_text(encoding="ascii") == hashlib.sha256(whole).hexdigest()

    def signed(value: object) -> tuple[bytes, str]:  # a file whose checksum holds, of another shape
        body = json.dumps(value).encode()
        return body, hashlib.sha256(body).hexdigest()

    tables, right = json.loads(whole), checksum.read_text(encoding="ascii")
    damaged = [(whole[:1000], right),  # cut short
               (whole.replace(b'"upem":', b'"upem":1', 1), right),  # one number changed
               signed({"upem": 1000}), signed({**tables, "upem": True}),  # True would blow widths up
               signed({**tables, "kern": {"a,b": 1}}), signed({**tables, "glyphs": [[32, "x", 1]]})]
    for content, sha in damaged:
        kept.write_bytes(content)
        checksum.write_text(sha, encoding="ascii")
        assert json.dumps(chart_fonts.shaping_tables.__wrapped__(font, code_points)) == json.dumps(expected)
        assert kept.read_bytes() == whole and checksum.read_text(encoding="ascii") == right  # made again
