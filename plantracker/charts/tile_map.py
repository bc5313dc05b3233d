"""Tile rows + labels -> a schematic tile map (Altair): equal squares placed by tile_x/tile_y.

Colour is a sequential single-hue scale in a few equal classes (ColorBrewer blues, darkest step
deepened so white text on it passes WCAG AA: charts.style); every tile also carries its value as text, and a
tile without a figure is light grey, hatched, and says "no data", so colour is never the only
carrier. Fill and text colour per tile are chosen by the page (pages.map) and arrive in the rows.
"""
from __future__ import annotations

import altair as alt

from .layering import layered
from .style import FONT, FULL, GAP, HATCH, TILE_STROKE, Layout, legend_columns, line_height, title_lines, wrap


def hatch_segments(x: float, y: float, size: float = 1 - GAP, step: float = 0.16) -> list[dict]:
    """A tile's top-left corner -> diagonal line segments (x, y, x2, y2) filling the square."""
    segments, c = [], -size + step
    while c < size:
        u0, u1 = max(0.0, -c), min(size, size - c)
        segments.append({"x": x + u0, "y": y + u0 + c, "x2": x + u1, "y2": y + u1 + c})
        c += step
    return segments


MAP_TITLE_SIZES = (18, 14)  # the map's type is larger than the other charts'
PHONE_TITLE_SIZES = (16, 12)
PHONE_SYMBOL = 160  # legend squares' area (px²)
MAP_FRAME = 12  # the render's width besides the tiles: 5 px padding and 1 px of stroke, each side
# The text on each tile, by layout: (field, dy from the tile's centre, font size, weight). On a phone
# the name is wrapped to the tile (two lines at most for the shipped names) and grows upwards.
TILE_TEXT = {"full": (("name", -30, 22, "bold"), ("tile_text", 2, 19, "normal"), ("sites_text", 32, 16, "normal")),
             "phone": (("name_lines", -6, 15, "bold"), ("tile_text", 4, 14, "normal"), ("sites_text", 23, 12, "normal"))}


def _title(labels: dict, width: int, sizes: tuple[int, int]) -> alt.Title:
    """The map's title and subtitle lines (style.title_lines), wrapped to the map's width."""
    title, subtitle = title_lines(labels, width, sizes)
    return alt.Title(title, subtitle=subtitle or "")


def _legend(labels: dict, layout: Layout, width: int) -> dict:
    """The legend's layout: three columns of squares (full); on a phone as many columns as fit the
    map's width, and no label cut."""
    if layout == FULL:
        return {"columns": 3, "symbolSize": 260, "labelLimit": 170, "titleLimit": 520}
    return {"columns": legend_columns(labels["classes"], width, 12, PHONE_SYMBOL), "symbolSize": PHONE_SYMBOL,
            "labelLimit": width, "titleLimit": width}


def tile_map(rows: list[dict], labels: dict, layout: Layout = FULL) -> alt.TopLevelMixin:
    """Rows (tile_x, tile_y, name, value_text, tile_text, class_label, fill, ink, sites_text, year, source,
    sites) -> squares coloured by class, with name, value and site count written on each.

    labels: title, subtitle, description (the text summary), legend (title), classes (class labels, light to dark, then the
    no-data label), colours (fills in the same order), region, value, year, source, sites.
    """
    cols = max(r["tile_x"] for r in rows) + 1
    nrows = max(r["tile_y"] for r in rows) + 1
    full = layout == FULL
    # A tile's side in the static render: three fill the width (on a phone, the whole render's width:
    # padding and the outer tiles' stroke take MAP_FRAME more).
    tile = (layout.width - (0 if full else MAP_FRAME)) / 3
    width = round(tile * max(cols, 3))
    height = round(width / max(cols, 3) * nrows)
    tiles = [{**r, "x2": r["tile_x"] + 1 - GAP, "y2": r["tile_y"] + 1 - GAP} for r in rows]
    name_dy = 0
    if not full:  # names wrapped to the tile (less 4 px each side), their last line just above the value
        size = TILE_TEXT["phone"][0][2]
        names = [wrap(r["name"], tile * (1 - GAP) - 8, size) for r in tiles]
        most = max(len(lines) for lines in names)
        # As many lines each, blank ones first: Vega writes a text's lines downwards from its first.
        tiles = [{**r, "name_lines": "\n".join([""] * (most - len(lines)) + lines)} for r, lines in zip(tiles, names)]
        name_dy = -most * line_height(size)
    x_scale = alt.Scale(domain=[0, max(cols, 3) - GAP], nice=False, zero=True)
    y_scale = alt.Scale(domain=[0, nrows - GAP], nice=False, reverse=True)
    x = alt.X("tile_x:Q", axis=None, scale=x_scale)
    y = alt.Y("tile_y:Q", axis=None, scale=y_scale)
    tooltip = [alt.Tooltip("name:N", title=labels["region"]), alt.Tooltip("value_text:N", title=labels["value"]),
               alt.Tooltip("year:N", title=labels["year"]), alt.Tooltip("sites:N", title=labels["sites"]),
               alt.Tooltip("source:N", title=labels["source"])]
    fill = alt.Fill("class_label:N", title=labels["legend"],
                    scale=alt.Scale(domain=labels["classes"], range=labels["colours"]),
                    legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="square",
                                      symbolStrokeColor=TILE_STROKE, **_legend(labels, layout, width)))
    # The tiles are the top-level data, attached last (see kinds._configure); the layers inherit them.
    squares = alt.Chart().mark_rect(stroke=TILE_STROKE, strokeWidth=1).encode(
        x=x, x2=alt.X2("x2:Q"), y=y, y2=alt.Y2("y2:Q"), fill=fill, tooltip=tooltip)
    hatches = [s for r in rows if r["class_label"] == labels["classes"][-1]
               for s in hatch_segments(r["tile_x"], r["tile_y"])]
    layers = [squares]
    if hatches:
        layers.append(alt.Chart(alt.Data(values=hatches)).mark_rule(color=HATCH, strokeWidth=1).encode(
            x=alt.X("x:Q", scale=x_scale, axis=None), x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=y_scale, axis=None), y2=alt.Y2("y2:Q")))
    for field, dy, size, weight in TILE_TEXT[layout.name]:
        # Full: every text centred on its line; phone: the name's lines stand on the value.
        lines = {} if field != "name_lines" else {"baseline": "top", "lineBreak": "\n", "dy": dy + name_dy}
        layers.append(alt.Chart().transform_calculate(cx=f"datum.tile_x + {(1 - GAP) / 2}",
                                                            cy=f"datum.tile_y + {(1 - GAP) / 2}")
                      .mark_text(**{"dy": dy, "fontSize": size, "fontWeight": weight, "baseline": "middle",
                                    "align": "center", **lines})
                      .encode(x=alt.X("cx:Q", scale=x_scale, axis=None), y=alt.Y("cy:Q", scale=y_scale, axis=None),
                              text=alt.Text(f"{field}:N"), color=alt.Color("ink:N", scale=None), tooltip=tooltip))
    # One constructor call, not chained methods: each of those deep-copies the chart (kinds._configure).
    chart = layered(*layers,
                      # description: Vega makes it the interactive view's accessible name (else "Vega visualization").
                      # (a phone's title lines leave the padding free: the render must not outgrow the screen)
                      title=_title(labels, width if full else layout.text_width, MAP_TITLE_SIZES if full else PHONE_TITLE_SIZES),
                      description=labels.get("description", labels["title"]), width=width, height=height,
                      config=alt.Config(
                          font=FONT, background="white", view=alt.ViewConfig(stroke=None),
                          legend=alt.LegendConfig(labelFontSize=14 if full else 12, titleFontSize=14 if full else 12,
                                                  labelColor="#222", titleColor="#222"),
                          title=alt.TitleConfig(fontSize=(MAP_TITLE_SIZES if full else PHONE_TITLE_SIZES)[0],
                                                subtitleFontSize=(MAP_TITLE_SIZES if full else PHONE_TITLE_SIZES)[1],
                                                anchor="start", subtitleColor="#333",
                                                limit=0)))
    chart.data = alt.Data(values=tiles)
    return chart

