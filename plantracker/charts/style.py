"""What every chart shares: static size, font, palettes and the tile map's colours.

Kept apart from the Altair code so that pages (which pick class colours for the map's table and
know each chart's size before it is rendered) need neither Altair nor the renderer.
"""
from __future__ import annotations

# Static render size (px). Kinds in STATIC_SIZE are drawn at exactly this size (Vega-Lite autosize
# "fit", padding included), so pages can be written before their charts are rendered. The tile
# map's size depends on its rows, so it is not there; charts.files.write_chart checks every render.
WIDTH = 560
HEIGHT = 280
STATIC_SIZE = {kind: (WIDTH, HEIGHT) for kind in ("target_progress", "region_bars", "plan_comparison")}

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
