"""The chart font's glyphs for charts.outlines: a line of text -> its glyphs' positions (advance plus
pair kerning, as rustybuzz shapes this font in vl-convert 1.9's usvg) and one path of their outlines.

Why a module of its own: reading outlines (fontTools) and placing glyphs is about the font, not the
SVG; charts.outlines decides which texts are drawn this way and writes them into the SVG.
"""
from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.pens.basePen import BasePen

from . import fonts

# Bidi classes that lay out left to right in a left-to-right paragraph without reordering.
_LEFT_TO_RIGHT = {"L", "EN", "ES", "ET", "CS", "ON", "WS"}


class GlyphOutlines:
    """One font (the first face of a collection) -> glyph outlines and positions in font units.
    Outlines are read on first use and kept for the life of the process (the shipped charts use
    about three hundred glyphs; charts reuse most of them)."""

    def __init__(self, font_file: Path, code_points: frozenset[int] | None = None):
        from fontTools import ttLib

        tables = fonts.shaping_tables(str(font_file), code_points)  # UnsupportedShaping: not this font
        self.upem: int = tables["upem"]
        self._advance, self._glyph, self._kern = tables["adv"], tables["gid"], tables["kern"]
        # Read into memory: no file stays open for the life of the process (the source font: 5 MB per worker).
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
            parts.append(f"M{number(pen + fx)},{number(fy)}" if not parts else f"m{number(pen + fx - at[0])},{number(fy - at[1])}")
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


def number(value: float) -> str:
    """A coordinate as SVG writes it: whole numbers without ".0", others exactly (repr)."""
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
            self._parts.append(f"m{number(point[0] - self._at[0])},{number(point[1] - self._at[1])}")
        self._at = self._start = point

    def _lineTo(self, point):
        self._parts.append(f"l{number(point[0] - self._at[0])},{number(point[1] - self._at[1])}")
        self._at = point

    def _qCurveToOne(self, control, point):
        x, y = self._at
        self._parts.append(f"q{number(control[0] - x)},{number(control[1] - y)} {number(point[0] - x)},{number(point[1] - y)}")
        self._at = point

    def _curveToOne(self, c1, c2, point):
        x, y = self._at
        self._parts.append(f"c{number(c1[0] - x)},{number(c1[1] - y)} {number(c2[0] - x)},{number(c2[1] - y)} "
                           f"{number(point[0] - x)},{number(point[1] - y)}")
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
