"""What every chart shares: static sizes (full and phone), font, palettes, the tile map's colours, and
how titles and labels wrap.

Kept apart from the Altair code so that pages (which pick class colours for the map's table and
know each chart's size before it is rendered) need neither Altair nor the renderer.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache

from .fonts import source_font


@dataclass(frozen=True)
class Layout:
    """A size a chart is drawn at: FULL for pages on wider screens and the PNG, PHONE for phones.
    The interactive view uses the same spec at its container's width."""

    name: str          # "full" or "phone"; a phone file's name carries ".phone"
    width: int         # the static render's width (px)
    height: int        # fixed-size kinds: the static height with one title and one subtitle line
    text_size: int     # text marks (values written on the chart)

    @property
    def text_width(self) -> int:
        """Room for a title line in the static render (padding off)."""
        return self.width - 16

    @property
    def suffix(self) -> str:
        """What the layout adds to a chart's file names: "" or ".phone"."""
        return "" if self.name == "full" else f".{self.name}"


# Static render size (px). Fixed-size kinds are drawn at exactly their static_size (Vega-Lite
# autosize "fit", padding included), so pages can be written before their charts are rendered. The
# tile map's size depends on its rows, so it is not one of them; charts.files.write_chart checks
# every render.
WIDTH = 560
HEIGHT = 280
FULL = Layout("full", WIDTH, HEIGHT, 11)
# Phones: Material's column at a 360 px screen is 360 - 2 x 16 px (.md-content__inner's 0.8rem
# margins at its 20 px root size), so a 328 px render is shown at 1:1 and its smallest text, 12 px,
# at 12 CSS px (the goal is >= 11).
PHONE_SCREEN, PAGE_PADDING = 360, 16
PHONE = Layout("phone", PHONE_SCREEN - 2 * PAGE_PADDING, HEIGHT, 12)
LAYOUTS = (FULL, PHONE)
FIXED_SIZE_KINDS = ("target_progress", "region_bars", "plan_comparison")
TITLE_SIZE, SUBTITLE_SIZE = 15, 12
# Height (px) each title and subtitle line past the first adds to a full render: 2 and 1 px more
# than Vega's line heights (line_height), which lets its plot grow a little; kept, as the full
# renders' sizes are. Phone renders use Vega's own (static_size).
TITLE_LINE, SUBTITLE_LINE = 19, 15
TEXT_WIDTH = FULL.text_width


def phone_media(width: int, padding: int = PAGE_PADDING) -> str:
    """A full render's width and the page's side padding -> the media query under which the phone
    render is shown instead: wherever the full one would be shrunk below its own size."""
    return f"(max-width: {width + 2 * padding - 1}px)"


FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
# Okabe-Ito, chosen for colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000"]

# Tile map classes, light to dark (ColorBrewer blues, darkest step deepened so white text on it
# passes WCAG AA). Text on the first three is INK_DARK (>= 7:1), on the last two INK_LIGHT (>= 5:1).
BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b"]
INK_DARK, INK_LIGHT = "#1a1a1a", "#ffffff"
NO_DATA_FILL, HATCH = "#f2f2f2", "#bdbdbd"
TILE_STROKE = "#4d4d4d"          # tile edges 8:1 on white: the lightest class still has an outline
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
    return size * sum(map(_em, text))


@cache
def _em(character: str) -> float:
    """A character's advance width in em (text_width); kept: titles are wrapped by measuring each
    line again as it grows, half a million lookups for the shipped charts."""
    return _advances().get(ord(character)) or (1.0 if unicodedata.east_asian_width(character) in "WF" else 0.6)


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


# Phone bar charts (region_bars, plan_comparison) write each bar's label and value above it, wrapped
# to the width, instead of beside it: nothing is cut or shrunk, whatever the labels' length.
BAR_LABEL_FIELDS = {"region_bars": "region_label", "plan_comparison": "plan_label"}
BAR_SIZE, BAR_GAP, BAR_TOP = 14, 10, 2  # a bar's thickness, the room under it and above its label (px)
BAR_LABEL_WIDTH = PHONE.text_width - 8  # the plot's width less the x axis' last label overhang
BARS_FRAME = 76  # phone bar chart: height besides the bars with one title and subtitle line (x axis, padding)
# Full plan comparison: height besides the plot with one title and one subtitle line (title,
# x axis labels and title, padding), as Vega lays it out: the plot is at least the rest.
COLUMNS_FRAME = 82
LEGEND_ROW = 17                         # a legend row's height at 12 px (symbol and label)


def line_height(size: float) -> float:
    """Vega's default line height for multi-line text."""
    return size + 2


def bar_label(name: str, value: str, width: float = BAR_LABEL_WIDTH, size: float = PHONE.text_size) -> str:
    """A bar's name and value text -> its label above the bar, lines joined by "\n": "name · value"
    on one line when it fits, else the name's lines then the value's."""
    one = f"{name} · {value}"
    if text_width(one, size) <= width:
        return one
    return "\n".join(wrap(name, width, size) + wrap(value, width, size))


def bar_step(labels: list[str], size: float = PHONE.text_size) -> float:
    """Phone bar labels -> the height (px) of each bar's band: its label's lines (the most any bar
    has), the bar and the gap under it."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return BAR_TOP + lines * line_height(size) + 3 + BAR_SIZE + BAR_GAP


def legend_columns(entries: list[str], width: float, size: float = 12, symbol: float = 100) -> int:
    """Legend labels -> how many columns fit the width: each column as wide as the widest entry
    (the symbol's box, Vega's 4 px label offset, the label and 4 px to spare for the renderer's
    own measure), 10 px between columns (Vega's defaults). symbol: the symbols' area (px²)."""
    entry = math.ceil(math.sqrt(symbol)) + 2 + 4 + max((text_width(e, size) for e in entries), default=0) + 4
    return max(1, min(len(entries), int((width + 10) // (entry + 10))))


def static_size(kind: str, labels: dict, layout: Layout = FULL, rows: list[dict] | None = None
                ) -> tuple[int, int] | None:
    """A chart kind, its labels (and rows) -> its static render's (width, height) in a layout, known
    before it is rendered: the plot keeps its height and every title or subtitle line past the first
    of each adds its own (phone: every legend row past the first too; bar charts grow with their
    bars); None for a kind whose size only its render tells (the tile map)."""
    if kind not in FIXED_SIZE_KINDS:
        return None
    title, subtitle = title_lines(labels, layout.text_width)
    if layout.name == "full":
        return layout.width, layout.height + TITLE_LINE * (len(title) - 1) + SUBTITLE_LINE * max(0, len(subtitle) - 1)
    # Phone: Vega's own line heights, so that the plot keeps exactly the height planned for it
    # (TITLE_LINE and SUBTITLE_LINE are 2 and 1 px more: the full render's plot grows a little
    # with each line, which changes nothing there but would move the phone bars off their labels).
    extra = line_height(TITLE_SIZE) * (len(title) - 1) + line_height(SUBTITLE_SIZE) * max(0, len(subtitle) - 1)
    if kind in BAR_LABEL_FIELDS:
        bars = [bar_label(row[BAR_LABEL_FIELDS[kind]], row["value_text"]) for row in rows or []]
        return layout.width, BARS_FRAME + math.ceil(len(bars) * bar_step(bars)) + extra
    entries = labels.get("series_order") or []
    rows_of_legend = math.ceil(len(entries) / legend_columns(entries, layout.text_width)) if entries else 1
    return layout.width, layout.height + extra + LEGEND_ROW * (rows_of_legend - 1)
