"""Tile rows + labels -> a schematic tile map (Altair): equal squares placed by tile_x/tile_y.

Colour is a sequential single-hue scale in a few equal classes (ColorBrewer blues, darkest step
deepened so white text on it passes WCAG AA: charts.style); every tile also carries its value as text, and a
tile without a figure is light grey, hatched, and says "no data", so colour is never the only
carrier. Fill and text colour per tile are chosen by the page (pages.map) and arrive in the rows.
"""
from __future__ import annotations

import altair as alt

from .style import FONT, GAP, HATCH, TILE_PIXELS, TILE_STROKE, title_lines


def hatch_segments(x: float, y: float, size: float = 1 - GAP, step: float = 0.16) -> list[dict]:
    """A tile's top-left corner -> diagonal line segments (x, y, x2, y2) filling the square."""
    segments, c = [], -size + step
    while c < size:
        u0, u1 = max(0.0, -c), min(size, size - c)
        segments.append({"x": x + u0, "y": y + u0 + c, "x2": x + u1, "y2": y + u1 + c})
        c += step
    return segments


MAP_TITLE_SIZES = (18, 14)  # the map's type is larger than the other charts'


def _title(labels: dict, width: int) -> alt.Title:
    """The map's title and subtitle lines (style.title_lines), wrapped to the map's width."""
    title, subtitle = title_lines(labels, width, MAP_TITLE_SIZES)
    return alt.Title(title, subtitle=subtitle or "")


def tile_map(rows: list[dict], labels: dict) -> alt.TopLevelMixin:
    """Rows (tile_x, tile_y, name, value_text, tile_text, class_label, fill, ink, sites_text, year, source,
    sites) -> squares coloured by class, with name, value and site count written on each.

    labels: title, subtitle, description (the text summary), legend (title), classes (class labels, light to dark, then the
    no-data label), colours (fills in the same order), region, value, year, source, sites.
    """
    cols = max(r["tile_x"] for r in rows) + 1
    nrows = max(r["tile_y"] for r in rows) + 1
    width = round(TILE_PIXELS * max(cols, 3))
    height = round(width / max(cols, 3) * nrows)
    tiles = [{**r, "x2": r["tile_x"] + 1 - GAP, "y2": r["tile_y"] + 1 - GAP} for r in rows]
    x_scale = alt.Scale(domain=[0, max(cols, 3) - GAP], nice=False, zero=True)
    y_scale = alt.Scale(domain=[0, nrows - GAP], nice=False, reverse=True)
    x = alt.X("tile_x:Q", axis=None, scale=x_scale)
    y = alt.Y("tile_y:Q", axis=None, scale=y_scale)
    tooltip = [alt.Tooltip("name:N", title=labels["region"]), alt.Tooltip("value_text:N", title=labels["value"]),
               alt.Tooltip("year:N", title=labels["year"]), alt.Tooltip("sites:N", title=labels["sites"]),
               alt.Tooltip("source:N", title=labels["source"])]
    fill = alt.Fill("class_label:N", title=labels["legend"],
                    scale=alt.Scale(domain=labels["classes"], range=labels["colours"]),
                    legend=alt.Legend(orient="bottom", direction="horizontal", columns=3, symbolType="square",
                                      symbolStrokeColor=TILE_STROKE, symbolSize=260, labelLimit=170,
                                      titleLimit=520))
    # The tiles are the top-level data, attached last (see kinds._configure); the layers inherit them.
    squares = alt.Chart().mark_rect(stroke=TILE_STROKE, strokeWidth=1).encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q", fill=fill, tooltip=tooltip)
    hatches = [s for r in rows if r["class_label"] == labels["classes"][-1]
               for s in hatch_segments(r["tile_x"], r["tile_y"])]
    layers = [squares]
    if hatches:
        layers.append(alt.Chart(alt.Data(values=hatches)).mark_rule(color=HATCH, strokeWidth=1).encode(
            x=alt.X("x:Q", scale=x_scale, axis=None), x2="x2:Q",
            y=alt.Y("y:Q", scale=y_scale, axis=None), y2="y2:Q"))
    for field, dy, size, weight in (("name", -30, 22, "bold"), ("tile_text", 2, 19, "normal"),
                                    ("sites_text", 32, 16, "normal")):
        layers.append(alt.Chart().transform_calculate(cx=f"datum.tile_x + {(1 - GAP) / 2}",
                                                            cy=f"datum.tile_y + {(1 - GAP) / 2}")
                      .mark_text(dy=dy, fontSize=size, fontWeight=weight, baseline="middle", align="center")
                      .encode(x=alt.X("cx:Q", scale=x_scale, axis=None), y=alt.Y("cy:Q", scale=y_scale, axis=None),
                              text=f"{field}:N", color=alt.Color("ink:N", scale=None), tooltip=tooltip))
    # One constructor call, not chained methods: each of those deep-copies the chart (kinds._configure).
    chart = alt.layer(*layers,
                      # description: Vega makes it the interactive view's accessible name (else "Vega visualization").
                      title=_title(labels, width),
                      description=labels.get("description", labels["title"]), width=width, height=height,
                      config=alt.Config(
                          font=FONT, background="white", view=alt.ViewConfig(stroke=None),
                          legend=alt.LegendConfig(labelFontSize=14, titleFontSize=14, labelColor="#222", titleColor="#222"),
                          title=alt.TitleConfig(fontSize=MAP_TITLE_SIZES[0], subtitleFontSize=MAP_TITLE_SIZES[1],
                                                anchor="start", subtitleColor="#333",
                                                limit=0)))
    chart.data = alt.Data(values=tiles)
    return chart

