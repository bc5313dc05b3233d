"""The PNG drawn with text as glyph outlines (charts.outlines) is the PNG vl-convert 1.9 draws from
the real text: every shipped chart (zh and en) rasterized both ways, decoded and compared pixel by
pixel; a PNG whose text went missing would fail; texts this module does not copy stay text.

Tolerance: none. Measured on the 70 shipped charts (2026-12, vl-convert 1.9.0, fontTools 4.68):
identical pixels on 70/70 (max channel difference 0, no pixel differs; the PNG bytes are the
same too), with the subset font registered (bench/chart_cost.py) and with the source font (here).
usvg fills each line's glyphs as one path, which is what charts.outlines hands it, so even a
sub-pixel drift of baseline, anchor or kerning would show here as a difference at glyph edges.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import vl_convert
from PIL import Image, ImageChops

from plantracker.charts import fonts, outlines
from plantracker.charts.glyphs import glyph_outlines
from plantracker.charts.files import chart_specs, static_spec
from plantracker.charts.style import FULL
from plantracker.settings import load_release

from stages import REPO_ROOT, pages_of

pytestmark = pytest.mark.skipif(fonts.source_font() is None,
                                reason="needs fonts-wqy-microhei, the charts' font (installed by setup.sh)")

FAMILY = f"{fonts.SUBSET_FAMILY}, {fonts.SOURCE_FAMILY}, sans-serif"


def pixel_difference(a: bytes, b: bytes) -> tuple[int, float, float]:
    """Two PNGs of the same size -> (max channel difference 0-255, share of pixels that differ at
    all, share that differ by more than 16/255 in some channel)."""
    first, second = (Image.open(io.BytesIO(png)).convert("RGBA") for png in (a, b))
    assert first.size == second.size
    channels = ImageChops.difference(first, second).split()
    largest = channels[0]
    for channel in channels[1:]:
        largest = ImageChops.lighter(largest, channel)
    histogram, pixels = largest.histogram(), first.size[0] * first.size[1]
    return (max(i for i, count in enumerate(histogram) if count),
            (pixels - histogram[0]) / pixels, sum(histogram[17:]) / pixels)


def without_text(svg: str) -> str:
    root = ET.fromstring(svg)
    for parent in list(root.iter()):
        for child in [c for c in parent if c.tag == f"{{{outlines.SVG_NS}}}text"]:
            parent.remove(child)
    return ET.tostring(root, encoding="unicode")


@pytest.fixture(scope="module")
def shipped_svgs() -> dict[str, str]:
    """Every shipped chart's full static SVG (both languages), as vl-convert draws it."""
    charts = [chart for page in pages_of(REPO_ROOT / "datapackages", load_release(REPO_ROOT / "release.toml"))
              for chart in page.charts]
    return {f"{chart.plan_id}/{chart.chart_id}.{chart.lang}":
            vl_convert.vegalite_to_svg(static_spec(chart_specs(chart)[FULL], FULL)) for chart in charts}


@pytest.fixture(scope="module")
def font() -> str:
    return str(fonts.source_font())


def test_every_shipped_chart_has_the_same_pixels_with_outlined_text(shipped_svgs, font):
    assert len(shipped_svgs) >= 70
    outlined_texts = 0
    for name, svg in shipped_svgs.items():
        drawn, outlined, kept = outlines.outline_text(svg, glyph_outlines(font))
        assert kept == 0, f"{name}: {kept} texts left to vl-convert"
        outlined_texts += outlined
        old, new = vl_convert.svg_to_png(svg, scale=2), outlines.svg_to_png(svg, font)
        largest, differ, over = pixel_difference(old, new)
        assert largest == 0, f"{name}: max channel difference {largest}, {differ:.4%} of pixels differ, {over:.4%} by > 16"
    assert outlined_texts > 10 * len(shipped_svgs)


def test_a_png_without_its_text_would_fail(shipped_svgs, font):
    # Measured on the 70: without its text a chart's PNG differs in 1.6-8.2 % of its pixels (1.5-7.9 %
    # by more than 16/255); a PNG that lost some of its text fails too, down to about a fifth of it.
    for name, svg in shipped_svgs.items():
        _, differ, over = pixel_difference(outlines.svg_to_png(svg, font), vl_convert.svg_to_png(without_text(svg), scale=2))
        assert differ > 0.005 and over > 0.005, f"{name}: only {differ:.4%} of pixels hold text"


def one_text(attributes: str, content: str, parent: str = "", family: str = FAMILY) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"><rect width="240" height="120" '
            f'fill="white"/><g {parent}><text font-family="{family}" font-size="16px" fill="#333" {attributes}>'
            f'{content}</text></g></svg>')


def assert_as_vl_convert(svg: str, font: str, outlined: int) -> None:
    drawn, done, _ = outlines.outline_text(svg, glyph_outlines(font))
    assert done == outlined, drawn
    assert pixel_difference(vl_convert.svg_to_png(svg, scale=2), outlines.svg_to_png(svg, font))[0] == 0


def test_pair_kerning_moves_the_next_glyph(font):
    # The anchor test's "AVAT To" is drawn with kerning only if the font kerns these pairs.
    glyphs = glyph_outlines(font)
    (_, first), (_, second) = glyphs.layout("AV")[0]
    assert first == 0 and second < glyphs.layout("A")[1]
    assert glyphs.layout("A\U0001F600") is None and glyphs.layout("\u05d0") is None  # lacking; right to left


@pytest.mark.parametrize("anchor", ["start", "middle", "end"])
def test_text_anchor(anchor, font):
    assert_as_vl_convert(one_text(f'text-anchor="{anchor}" transform="translate(120,40)"', "AVAT To 河北 1,234"), font, 1)


def test_rotated_text_as_vega_writes_axis_titles(font):
    assert_as_vl_convert(one_text('text-anchor="middle" transform="translate(30,60) rotate(-90) translate(0,-2)"',
                                  "百万吨 Mt"), font, 1)


def test_lines_bold_opacity_and_white_space(font):
    svg = one_text('text-anchor="start" transform="translate(4,20)" font-weight="bold" opacity="0.7" fill-opacity="0.8"',
                   '<tspan>Renewable \n\t industrial   parks</tspan><tspan x="0" dy="17">区域 areas</tspan>'
                   '<tspan x="10" dy="20">third</tspan>')
    assert_as_vl_convert(svg, font, 1)
    assert_as_vl_convert(one_text('transform="translate(4,40)" font-style="italic"', "\n  leading and trailing  \n"), font, 1)


def test_what_is_not_copied_stays_text(font):
    kept = [
        one_text('transform="translate(4,40)"', "emoji \U0001F600"),  # a character the font lacks
        one_text('transform="translate(4,40)" letter-spacing="2"', "spaced"),  # an attribute not copied
        one_text('transform="translate(4,40)"', "inherited stroke", parent='stroke="#f00"'),
        one_text('transform="translate(4,40)"', "inherited size", parent='font-size="20"'),
        one_text('transform="translate(4,40)"', "another font first", family="DejaVu Sans, " + FAMILY),
        one_text('transform="translate(4,40)"', "a <tspan>nested</tspan> span"),
        one_text('transform="translate(4,40)"', "עברית right to left"),
    ]
    for svg in kept:
        drawn, outlined, left = outlines.outline_text(svg, glyph_outlines(font))
        assert (outlined, left) == (0, 1) and drawn is svg
        assert outlines.svg_to_png(svg, font) == vl_convert.svg_to_png(svg, scale=2)
    # Each text is decided alone: the one it can copy is outlined, the other left to vl-convert.
    both = one_text('transform="translate(4,40)"', "outlined").replace(
        "</g>", f'<text font-family="{FAMILY}" font-size="16px" transform="translate(4,80)">kept \U0001F600</text></g>')
    assert outlines.outline_text(both, glyph_outlines(font))[1:] == (1, 1)
    assert_as_vl_convert(both, font, 1)


def test_only_the_outlined_texts_change_in_the_svg(font):
    svg = one_text('transform="translate(4,40)" aria-label="a &gt; b"', "outlined").replace(
        "<rect", '<text font-family="x"/><rect')
    drawn, outlined, kept = outlines.outline_text(svg, glyph_outlines(font))
    before, after = svg.split("<text font-family=\"" + FAMILY)
    assert (outlined, kept) == (1, 1)
    assert drawn.startswith(before) and drawn.endswith(after.split("</text>", 1)[1])
    assert "<text" not in drawn.removeprefix(before)
    # A document whose SVG elements carry a prefix: unprefixed outlines would not be SVG there.
    prefixed = ('<s:svg xmlns:s="http://www.w3.org/2000/svg" width="120" height="40"><s:text font-family="'
                f'{FAMILY}" font-size="16" transform="translate(4,30)">prefixed</s:text></s:svg>')
    assert outlines.outline_text(prefixed, glyph_outlines(font)) == (prefixed, 0, 1)


def test_a_document_it_cannot_read_goes_to_vl_convert_as_it_is(font):
    styled = one_text('transform="translate(4,40)"', "styled").replace("<rect", "<style>text { fill: red }</style><rect")
    assert outlines.outline_text(styled, glyph_outlines(font)) == (styled, 0, 1)
    assert outlines.svg_to_png(styled, font) == vl_convert.svg_to_png(styled, scale=2)
    with pytest.raises(ET.ParseError):
        outlines.outline_text("<svg", glyph_outlines(font))
    assert outlines.svg_to_png(one_text("", "no font"), None) == vl_convert.svg_to_png(one_text("", "no font"), scale=2)
