"""What every chart shares: static size, font, palettes, the tile map's colours, and how titles wrap.

Kept apart from the Altair code so that pages (which pick class colours for the map's table and
know each chart's size before it is rendered) need neither Altair nor the renderer.
"""
from __future__ import annotations

import unicodedata
from functools import cache

from .fonts import source_font

# Static render size (px). Kinds in STATIC_SIZE are drawn at exactly this size (Vega-Lite autosize
# "fit", padding included), so pages can be written before their charts are rendered. The tile
# map's size depends on its rows, so it is not there; charts.files.write_chart checks every render.
WIDTH = 560
HEIGHT = 280
FIXED_SIZE_KINDS = ("target_progress", "region_bars", "plan_comparison")
TITLE_SIZE, SUBTITLE_SIZE = 15, 12
TITLE_LINE, SUBTITLE_LINE = 19, 15     # line heights (px) Vega gives these font sizes
TEXT_WIDTH = WIDTH - 16                # room for a title line in the static render (padding off)

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Okabe-Ito, chosen for colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000"]

# Tile map classes, light to dark (ColorBrewer blues, darkest step deepened so white text on it
# passes WCAG AA). Text on the first three is INK_DARK (>= 7:1), on the last two INK_LIGHT (>= 5:1).
BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b"]
INK_DARK, INK_LIGHT = "#1a1a1a", "#ffffff"
NO_DATA_FILL, HATCH = "#f2f2f2", "#bdbdbd"
TILE_STROKE = "#4d4d4d"          # tile edges 8:1 on white: the lightest class still has an outline
TILE_PIXELS = WIDTH / 3          # a tile's side in the static render
GAP = 0.06                       # gap between tiles, in tile widths


def ink_for(fill: str) -> str:
    """A class colour -> the text colour that stays readable on it."""
    return INK_LIGHT if fill in BLUES[3:] else INK_DARK


@cache
def _advances() -> dict[int, float]:
    """The chart font's advance widths in em, by code point ({} when the font is not installed)."""
    path = source_font()
    if path is None:
        return {}
    from fontTools import ttLib  # here: only the first width measured needs it

    font = ttLib.TTFont(path, fontNumber=0, lazy=True)
    units, metrics = font["head"].unitsPerEm, font["hmtx"]
    return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def text_width(text: str, size: float) -> float:
    """Text -> its width (px) at a font size, from the chart font's own advance widths (the
    renderer's font); without the font, CJK and full-width characters one em, others 0.6 em."""
    advances = _advances()
    return size * sum(advances.get(ord(c)) or (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6)
                      for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Text -> lines no wider than `width` px: broken at spaces between Latin words, anywhere
    between CJK characters, never cut off (a title that does not fit takes another line)."""
    lines, line = [], ""
    for token in _tokens(text):
        if line.strip(" ") and text_width((line + token).rstrip(" "), size) > width:
            lines.append(line.rstrip(" "))
            line = token.lstrip(" ")
        else:
            line += token
    if line.strip(" ") or not lines:
        lines.append(line.rstrip(" "))
    return lines


# Chinese line breaking (kinsoku): closing punctuation never starts a line, opening never ends one.
NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’")
NO_LINE_END = frozenset("（「『【《〈“‘")


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, and each CJK character on its own (closing punctuation
    with the token before it, opening punctuation with the one after it)."""
    tokens, word = [], ""
    for c in text:
        if c in NO_LINE_START and (word or tokens):
            if word:
                word += c
            else:
                tokens[-1] += c
        elif c in NO_LINE_END:
            if word and not set(word) <= NO_LINE_END:
                tokens.append(word)
                word = ""
            word += c
        elif unicodedata.east_asian_width(c) in "WF":
            if word and not set(word) <= NO_LINE_END:
                tokens.append(word)
                word = ""
            tokens.append(word + c)
            word = ""
        else:
            word += c
            if c == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def title_lines(labels: dict, width: float = TEXT_WIDTH, sizes: tuple[float, float] = (TITLE_SIZE, SUBTITLE_SIZE)
                ) -> tuple[list[str], list[str]]:
    """A chart's labels -> (title lines, subtitle lines): the title, then the subtitle (a text or a
    list of texts) and the caveats that travel with the figure, each wrapped to the width at the
    title's and subtitle's font sizes."""
    subtitle = labels.get("subtitle") or []
    parts = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    parts += labels.get("caveats") or []
    return (wrap(labels["title"], width, sizes[0]),
            [line for part in parts if part for line in wrap(part, width, sizes[1])])


def static_size(kind: str, labels: dict) -> tuple[int, int] | None:
    """A chart kind and its labels -> its static render's (width, height), known before it is
    rendered: the plot keeps its height and every title or subtitle line past the first of each
    adds its own; None for a kind whose size only its render tells (the tile map)."""
    if kind not in FIXED_SIZE_KINDS:
        return None
    title, subtitle = title_lines(labels)
    return WIDTH, HEIGHT + TITLE_LINE * (len(title) - 1) + SUBTITLE_LINE * max(0, len(subtitle) - 1)
