"""A static chart SVG -> its PNG at 2x, as vl-convert 1.9 draws it at about a third of the cost: in
the copy of the SVG handed to the rasterizer each <text> becomes the outlines of its glyphs
(<path>s), laid out as usvg 0.45 (vl-convert 1.9's SVG library) lays them out. The published SVG
keeps its real text (read aloud, selectable, searchable); only the raster is made from outlines.

Why: vl-convert 1.9 outlines every glyph through a font database that opens and maps the font file
anew for each glyph (bench/CHART_COST.md: about 80 % of a PNG's CPU is its text). Here each glyph's
outline is read once a process with fontTools and kept.

What is copied (usvg 0.45: parser/svgtree/text.rs, text/layout.rs, text/flatten.rs): white space
as xml:space="default" (line breaks and tabs as spaces, runs of spaces as one, one leading and one
trailing space dropped); each line (a <tspan> with its own x) laid out from its own start with its
text-anchor applied to its width; glyphs placed by advance plus pair kerning from the font
(fonts.shaping_tables, the tables the SVG engine measures with), at the alphabetic baseline, scaled
by font-size / units per em; all glyphs of a line filled as one path with the text's fill,
fill-opacity and opacity. font-weight and font-style change nothing: the font has one face and
usvg synthesizes neither bold nor italic (tests/test_png_outlines.py checks the pixels).

What is not: a <text> with anything else (stroke, letter-spacing, a character the font lacks,
right-to-left or combining characters, a gradient fill, another font first in its family list,
positions by character, ...) stays text, so vl-convert draws it as before. A document this module
cannot read goes to vl-convert as it is. The result is compared with vl-convert's own raster of
every shipped chart in tests/test_png_outlines.py.
"""
from __future__ import annotations

import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import vl_convert
from fontTools.pens.basePen import BasePen

from . import fonts

SCALE = 2  # the PNG is a download, for print and reuse: twice the SVG's pixel size

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_TEXT, _TSPAN, _STYLE = f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}tspan", f"{{{SVG_NS}}}style"
# Serialize SVG elements without a prefix, as the renderers write them.
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# A <text>'s attributes this module copies into the outlines, or which draw nothing.
_PAINT = ("fill", "fill-opacity", "opacity")
_LAYOUT = {"text-anchor", "transform", "font-family", "font-size", "font-weight", "font-style", "x", "y", "dy"}
_SILENT = {"role", "class", "id", "pointer-events", "cursor"}
_ANCHORS = {"start": 0.0, "middle": 0.5, "end": 1.0}
# Inherited properties that change how a <text> draws when an ancestor sets them; where one is set
# above a text, that text stays text. (fill, fill-opacity and visibility inherit the same way into
# the outlines, which stay where the text was; stroke is looked at apart: only "none" is copied.)
_INHERITED_TEXT = ("font", "text-", "letter-spacing", "word-spacing", "kerning", "dominant-baseline",
                   "alignment-baseline", "baseline-shift", "writing-mode", "direction", "unicode-bidi",
                   "shape-rendering", "fill-rule", "paint-order", "style", "{http://www.w3.org/XML/1998/namespace}space")
_PX = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:px)?\s*")
# Bidi classes that lay out left to right in a left-to-right paragraph without reordering.
_LEFT_TO_RIGHT = {"L", "EN", "ES", "ET", "CS", "ON", "WS"}


class GlyphOutlines:
    """One font (the first face of a collection) -> glyph outlines and positions in font units.
    Outlines are read on first use and kept for the life of the process (a chart font's subset
    holds about a thousand glyphs; charts reuse most of them)."""

    def __init__(self, font_file: Path, code_points: frozenset[int] | None = None):
        from fontTools import ttLib

        tables = fonts.shaping_tables(str(font_file), code_points)  # UnsupportedShaping: not this font
        self.upem: int = tables["upem"]
        self._advance, self._glyph, self._kern = tables["adv"], tables["gid"], tables["kern"]
        # Read from memory: no file stays open for the life of the process (the font is small).
        self._font = ttLib.TTFont(io.BytesIO(Path(font_file).read_bytes()), fontNumber=0, lazy=True)
        self._glyph_set = self._font.getGlyphSet()
        self._names = self._font.getGlyphOrder()
        self.glyph_count = len(self._names)
        self._paths: dict[int, tuple[tuple[float, float], str, tuple[float, float]] | None] = {}

    def layout(self, text: str) -> tuple[list[tuple[int, int]], int] | None:
        """A line of text -> ([(glyph id, pen position)], width), font units; None when a character
        is not in the font or is not plain left-to-right (usvg would fall back or reorder)."""
        placed, pen, previous = [], 0, None
        for char in text:
            code = ord(char)
            advance = self._advance.get(code)
            if advance is None or not _plain(char):
                return None
            glyph = self._glyph[code]
            if previous is not None:
                # Pair kerning moves the second glyph (rustybuzz adds it to the first one's advance).
                pen += self._kern.get(f"{previous},{glyph}", 0)
            placed.append((glyph, pen))
            pen += advance
            previous = glyph
        return placed, pen

    def path_data(self, placed: list[tuple[int, int]]) -> str:
        """Glyphs at pen positions (font units) -> one path's data in font units, y up: each glyph's
        kept outline in relative commands, joined by one relative move (no point is recomputed)."""
        parts, at = [], (0.0, 0.0)  # at: the current point after the last glyph drawn
        for glyph, pen in placed:
            outline = self._outline(glyph)
            if outline is None:  # a space: nothing to draw
                continue
            (fx, fy), body, (ex, ey) = outline
            parts.append(f"M{_n(pen + fx)},{_n(fy)}" if not parts else f"m{_n(pen + fx - at[0])},{_n(fy - at[1])}")
            parts.append(body)
            at = (pen + ex, ey)
        return "".join(parts)

    @property
    def outlined_glyphs(self) -> int:
        """How many glyphs' outlines this process has read and keeps."""
        return len(self._paths)

    def _outline(self, glyph: int):
        if glyph not in self._paths:
            pen = _RelativePathPen(self._glyph_set)
            self._glyph_set[self._names[glyph]].draw(pen)
            self._paths[glyph] = pen.result()
        return self._paths[glyph]


def _plain(char: str) -> bool:
    # Combining marks, format and control characters and right-to-left text are shaped otherwise by
    # rustybuzz (mark positioning, default-ignorables hidden, bidi reordering).
    return unicodedata.category(char)[0] not in "MC" and unicodedata.bidirectional(char) in _LEFT_TO_RIGHT


def _n(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


class _RelativePathPen(BasePen):
    """Glyph outline -> (first point, the rest as relative SVG path commands, the current point at
    the end), font units, y up. BasePen implies the on-curve points of quadratic contours where
    ttf-parser (usvg's outliner) does: half-way between two off-curve points."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self._parts: list[str] = []
        self._first = None
        self._at = self._start = (0.0, 0.0)

    def _moveTo(self, point):
        if self._first is None:
            self._first = point  # the caller moves here from wherever the previous glyph ended
        else:
            self._parts.append(f"m{_n(point[0] - self._at[0])},{_n(point[1] - self._at[1])}")
        self._at = self._start = point

    def _lineTo(self, point):
        self._parts.append(f"l{_n(point[0] - self._at[0])},{_n(point[1] - self._at[1])}")
        self._at = point

    def _qCurveToOne(self, control, point):
        x, y = self._at
        self._parts.append(f"q{_n(control[0] - x)},{_n(control[1] - y)} {_n(point[0] - x)},{_n(point[1] - y)}")
        self._at = point

    def _curveToOne(self, c1, c2, point):
        x, y = self._at
        self._parts.append(f"c{_n(c1[0] - x)},{_n(c1[1] - y)} {_n(c2[0] - x)},{_n(c2[1] - y)} "
                           f"{_n(point[0] - x)},{_n(point[1] - y)}")
        self._at = point

    def _closePath(self):
        self._parts.append("z")
        self._at = self._start  # after z the current point is the contour's start

    _endPath = _closePath  # an open contour is filled as if closed (SVG and usvg alike)

    def result(self):
        return None if self._first is None else (self._first, "".join(self._parts), self._at)


@lru_cache(maxsize=4)  # a worker uses one; a long test process meets a few character sets
def glyph_outlines(font_file: str, code_points: frozenset[int] | None = None) -> GlyphOutlines:
    """This process's outlines of a font file (one reader, and its outlines, per file and character set)."""
    return GlyphOutlines(Path(font_file), code_points)


def outline_text(svg: str, outlines: GlyphOutlines) -> tuple[str, int, int]:
    """A static chart SVG -> (the same SVG with its <text>s drawn as outlines, texts outlined,
    texts left as text). The SVG comes back unchanged (same string) when no text was outlined, or
    when it has a <style> sheet (CSS could restyle text in ways not copied here). Raises
    xml.etree.ElementTree.ParseError for a document that is not XML."""
    root = ET.fromstring(svg)
    if root.find(f".//{_STYLE}") is not None:
        return svg, 0, sum(1 for _ in root.iter(_TEXT))
    counts = [0, 0]
    _replace_texts(root, outlines, root.get("stroke"), _sets_text_properties(root), counts)
    if not counts[0]:
        return svg, 0, counts[1]
    return ET.tostring(root, encoding="unicode"), counts[0], counts[1]


def _replace_texts(parent: ET.Element, outlines: GlyphOutlines, inherited_stroke: str | None,
                   inherited_text: bool, counts: list[int]) -> None:
    for index, child in enumerate(parent):
        if child.tag == _TEXT:
            drawn = None if inherited_text else _text_outlines(child, outlines, inherited_stroke)
            if drawn is None:
                counts[1] += 1
            else:
                drawn.tail = child.tail
                parent[index] = drawn
                counts[0] += 1
        elif len(child):
            _replace_texts(child, outlines, child.get("stroke", inherited_stroke),
                           inherited_text or _sets_text_properties(child), counts)


def _sets_text_properties(element: ET.Element) -> bool:
    return any(name.startswith(_INHERITED_TEXT) for name in element.attrib)


def _text_outlines(text: ET.Element, outlines: GlyphOutlines, inherited_stroke: str | None) -> ET.Element | None:
    """A <text> -> a <g> of one <path> per line, or None: leave it as text."""
    stroke = text.get("stroke", inherited_stroke)
    if stroke not in (None, "none"):
        return None  # a stroke would be scaled with the outlines' font units
    if any(name not in _LAYOUT and name not in _PAINT and name not in _SILENT and not name.startswith("aria-")
           for name in text.attrib):
        return None
    if (text.get("fill") or "").startswith("url("):
        return None  # a gradient's box would be the glyph metrics' box, not the outlines'
    families = [family.strip().strip("'\"") for family in text.get("font-family", "").split(",")]
    if families[0] not in (fonts.SUBSET_FAMILY, fonts.SOURCE_FAMILY):
        return None
    size = _px(text.get("font-size"))
    if size is None or size <= 0:
        return None
    lines = _lines(text)
    if lines is None:
        return None
    anchor = _ANCHORS.get(text.get("text-anchor", "start"))
    if anchor is None:
        return None
    scale = size / outlines.upem
    group = ET.Element(f"{{{SVG_NS}}}g", {name: text.get(name) for name in ("transform", *_PAINT) if name in text.attrib})
    for x, y, line in lines:
        laid = outlines.layout(line)
        if laid is None:
            return None
        placed, width = laid
        data = outlines.path_data(placed)
        if data:
            # usvg: x = the line's x - anchor share of its width (px), baseline at y; glyphs scaled
            # by size / units per em and mirrored (font outlines have y up).
            left = x - anchor * width * scale
            ET.SubElement(group, f"{{{SVG_NS}}}path",
                          {"transform": f"translate({_n(left)},{_n(y)}) scale({_n(scale)},{_n(-scale)})", "d": data})
    return group


def _lines(text: ET.Element) -> list[tuple[float, float, str]] | None:
    """A <text> -> [(x, baseline y, characters)] per line (usvg's text chunks), or None when its
    content or positions are other than: characters only, or <tspan>s each holding characters,
    every one after the first with its own x (a new line), positions single numbers."""
    x, y = _px(text.get("x", "0")), _px(text.get("y", "0"))
    dy = _px(text.get("dy", "0"))
    if x is None or y is None or dy is None:
        return None
    if not len(text):
        value = _collapse(text.text or "")
        value = value[1:] if value.startswith(" ") else value
        value = value[:-1] if value.endswith(" ") else value
        return [(x, y + dy, value)] if value else []
    if text.text or any(span.tag != _TSPAN or len(span) or span.tail for span in text):
        return None  # text between tspans, or nested elements: other chunking and white space rules
    if any(name in text.attrib for name in ("x", "y", "dy")):
        return None  # the first tspan's own position would replace the text's, not add to it
    lines, baseline = [], y + dy
    for number, span in enumerate(text):
        if any(name not in ("x", "y", "dy") for name in span.attrib) or (number and "x" not in span.attrib):
            return None
        span_x, span_y, span_dy = _px(span.get("x", str(x))), _px(span.get("y", str(baseline))), _px(span.get("dy", "0"))
        if span_x is None or span_y is None or span_dy is None:
            return None
        value = _collapse(span.text or "")
        if not value or value[0] == " " or value[-1] == " ":
            return None  # usvg trims spaces across text nodes by rules not copied here
        x, baseline = span_x, span_y + span_dy
        lines.append((x, baseline, value))
    return lines


def _collapse(value: str) -> str:
    # usvg's trim_text (xml:space default): line breaks and tabs become spaces, runs of spaces one.
    value = value.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    while "  " in value:
        value = value.replace("  ", " ")
    return value


def _px(value: str | None) -> float | None:
    """"12px" or "12" -> 12.0; None for anything else (other units, lists of positions)."""
    if value is None:
        return None
    found = _PX.fullmatch(value)
    return float(found.group(1)) if found else None


def svg_to_png(svg: str, font_file: Path | None, code_points: frozenset[int] | None = None) -> bytes:
    """A static chart SVG -> PNG bytes at 2x, as vl_convert.svg_to_png(svg, scale=2) draws it, its
    texts drawn from font_file's outlines (None: no outlines, vl-convert's own route). Any
    failure to read the SVG or the font leaves the SVG to vl-convert as it is."""
    if font_file is not None:
        try:
            svg = outline_text(svg, glyph_outlines(str(font_file), code_points))[0]
        except Exception:  # noqa: BLE001 - the outlines only save time: vl-convert draws the same pixels
            pass
    return vl_convert.svg_to_png(svg, scale=SCALE)
