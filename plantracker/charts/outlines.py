"""A static chart SVG -> its PNG at 2x, as vl-convert 1.9 draws it at about 0.6 of its CPU: in
the copy of the SVG handed to the rasterizer each <text> becomes the outlines of its glyphs
(<path>s), laid out as usvg 0.45 (vl-convert 1.9's SVG library) lays them out. The published SVG
keeps its real text (read aloud, selectable, searchable); only the raster is made from outlines.

Why: vl-convert 1.9 outlines every glyph through a font database that opens and maps the font file
anew for each glyph (bench/CHART_COST.md: about 80 % of a PNG's CPU is its text). Here each glyph's
outline is read once a process with fontTools and kept (charts/glyphs.py).

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

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

import vl_convert

from . import fonts
from .glyphs import GlyphOutlines, glyph_outlines, number

SCALE = 2  # the PNG is a download, for print and reuse: twice the SVG's pixel size

SVG_NS = "http://www.w3.org/2000/svg"
_TEXT, _TSPAN, _STYLE = f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}tspan", f"{{{SVG_NS}}}style"

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

def outline_text(svg: str, outlines: GlyphOutlines) -> tuple[str, int, int]:
    """A static chart SVG -> (the same SVG with its <text>s drawn as outlines, texts outlined,
    texts left as text). Only the outlined <text> elements change: every other byte is the input's.
    The SVG comes back unchanged (same string) when no text was outlined, or when it has a <style>
    sheet (CSS could restyle text in ways not copied here). Raises xml.etree.ElementTree.ParseError
    (or xml.parsers.expat.ExpatError) for a document that is not XML."""
    root = ET.fromstring(svg)
    texts = list(root.iter(_TEXT))
    if not texts or root.find(f".//{_STYLE}") is not None:
        return svg, 0, len(texts)
    drawn: dict[int, str] = {}  # position among the document's texts -> its outlines' markup
    _draw_texts(root, outlines, root.get("stroke"), _sets_text_properties(root), {id(t): i for i, t in enumerate(texts)},
                drawn)
    if not drawn:
        return svg, 0, len(texts)
    data = svg.encode("utf-8")
    places = _text_places(data)
    if len(places) != len(texts):
        return svg, 0, len(texts)
    pieces, done = [], 0
    for index, markup in sorted(drawn.items()):
        start, end = places[index]
        if end is None:
            continue  # written <text .../>: draws nothing, and its end is not where expat says
        pieces += [data[done:start], markup.encode("utf-8")]
        done = end
    pieces.append(data[done:])
    outlined = len(drawn) - sum(places[index][1] is None for index in drawn)
    return b"".join(pieces).decode("utf-8"), outlined, len(texts) - outlined


def _text_places(data: bytes) -> list[tuple[int, int | None]]:
    """SVG bytes -> each <text> element's (first byte, byte after its end tag), in document order;
    end None for an empty-element tag. Only unprefixed <text> tags (in the default namespace, which
    the outlines' unprefixed <g> and <path> then share) count; others are (start, None)."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    places: list[list] = []
    depth = [0]  # inside a <text>: how deep
    nested = []

    def start(name, _attributes):
        if name == f"{SVG_NS} text":
            if depth[0]:
                nested.append(True)  # a text in a text: positions would not pair with ElementTree's
            unprefixed = data.startswith(b"<text", parser.CurrentByteIndex)
            places.append([parser.CurrentByteIndex, None, unprefixed])
            depth[0] = 1
        elif depth[0]:
            depth[0] += 1

    def end(name):
        if name == f"{SVG_NS} text" and depth[0] == 1:
            place = places[-1]
            at = parser.CurrentByteIndex
            # An end tag holds no attributes: its first ">" closes it. An empty-element tag reports
            # its end where it starts.
            if at > place[0] and place[2]:
                place[1] = data.index(b">", at) + 1
            depth[0] = 0
        elif depth[0]:
            depth[0] -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(data, True)
    return [] if nested else [(first, last) for first, last, _ in places]


def _draw_texts(parent: ET.Element, outlines: GlyphOutlines, inherited_stroke: str | None, inherited_text: bool,
                positions: dict[int, int], drawn: dict[int, str]) -> None:
    for child in parent:
        if child.tag == _TEXT:
            markup = None if inherited_text else _text_outlines(child, outlines, inherited_stroke)
            if markup is not None:
                drawn[positions[id(child)]] = markup
        elif len(child):
            _draw_texts(child, outlines, child.get("stroke", inherited_stroke),
                        inherited_text or _sets_text_properties(child), positions, drawn)


def _sets_text_properties(element: ET.Element) -> bool:
    return any(name.startswith(_INHERITED_TEXT) for name in element.attrib)


def _text_outlines(text: ET.Element, outlines: GlyphOutlines, inherited_stroke: str | None) -> str | None:
    """A <text> -> the markup of a <g> (its transform and paint) of one <path> per line, or None:
    leave it as text."""
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
    kept = "".join(f" {name}={quoteattr(text.get(name))}" for name in ("transform", *_PAINT) if name in text.attrib)
    paths = []
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
            paths.append(f'<path transform="translate({number(left)},{number(y)}) scale({number(scale)},{number(-scale)})" d="{data}"/>')
    return f"<g{kept}>{''.join(paths)}</g>"


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
    for line_number, span in enumerate(text):
        if any(name not in ("x", "y", "dy") for name in span.attrib) or (line_number and "x" not in span.attrib):
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
