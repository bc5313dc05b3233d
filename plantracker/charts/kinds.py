"""Chart rows + labels -> Altair charts; a registry maps the chart kinds named by pages to functions.

Every function takes plain rows (already in display units) and a dict of labels in one language,
and returns an Altair chart. Colours are the Okabe-Ito palette (colour-blind safe); marks also
differ by shape and dash, so no meaning rests on colour alone.
"""
from __future__ import annotations

import altair as alt

from .style import FONT, PALETTE, SUBTITLE_SIZE, TITLE_SIZE, static_size, title_lines
from .tile_map import tile_map


def _configure(layers: list, labels: dict, rows: list[dict]) -> alt.LayerChart:
    """Layers without data -> one layered chart, titled, sized and styled, with the rows at the top.

    Built in one constructor call, rows assigned last: every Altair method (properties,
    configure_*) returns a deep copy of the whole chart, which cost more than half a spec's time.
    """
    # Titles and subtitles arrive wrapped into lines (style.title_lines): Vega cuts a long line off.
    title, subtitle = title_lines(labels)
    _, height = static_size("target_progress", labels)
    # `description` names the interactive view for screen readers (Vega sets it as the SVG's label).
    chart = alt.layer(*layers, title=alt.Title(title, subtitle=subtitle or ""),
                      description=labels.get("description", labels["title"]),
                      width="container", height=height, autosize=alt.AutoSizeParams(type="fit", contains="padding"),
                      config=alt.Config(
                          font=FONT, background="white",
                          axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12, labelColor="#222", titleColor="#222"),
                          legend=alt.LegendConfig(orient="bottom", labelFontSize=12, titleFontSize=12, labelLimit=400),
                          title=alt.TitleConfig(fontSize=TITLE_SIZE, subtitleFontSize=SUBTITLE_SIZE, anchor="start",
                                                subtitleColor="#333", limit=0)))
    chart.data = alt.Data(values=rows)
    return chart


def target_progress(rows: list[dict], labels: dict) -> alt.TopLevelMixin:
    """Rows (year, value, series, series_label, value_text, source) -> points over the years
    against a rule at the target and the straight-line path from the baseline."""
    series_order = labels["series_order"]
    colour = alt.Color("series_label:N", title=labels["legend"],
                       scale=alt.Scale(domain=series_order, range=PALETTE[: len(series_order)]))
    shape = alt.Shape("series_label:N", title=labels["legend"],
                      scale=alt.Scale(domain=series_order,
                                      range=["circle", "square", "diamond", "triangle-up", "cross"][: len(series_order)]))
    x = alt.X("year:O", title=labels["x"], axis=alt.Axis(labelAngle=0), scale=alt.Scale(domain=labels["years"]))
    y = alt.Y("value:Q", title=labels["y"], scale=alt.Scale(zero=True))
    tooltip = [alt.Tooltip("series_label:N", title=labels["legend"]), alt.Tooltip("year:O", title=labels["x"]),
               alt.Tooltip("value_text:N", title=labels["value"]), alt.Tooltip("source:N", title=labels["source"])]
    path = (alt.Chart().transform_filter(alt.datum.series == "path")
            .mark_line(strokeDash=[6, 4], color=PALETTE[6], aria=False).encode(x=x, y=y))
    target_rule = (alt.Chart().transform_filter(alt.datum.series == "target")
                   .mark_rule(color=PALETTE[3], strokeWidth=2).encode(y=y))
    points = (alt.Chart().transform_filter(alt.datum.series != "path")
              .mark_point(size=110, filled=True, opacity=1)
              .encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip))
    return _configure([path, target_rule, points], labels, rows)


def region_bars(rows: list[dict], labels: dict) -> alt.TopLevelMixin:
    """Rows (region_label, value, value_text, year, source) -> one bar per region."""
    bars = alt.Chart().mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("region_label:N", title=labels["x"], sort="-x"),
        x=alt.X("value:Q", title=labels["y"]),
        tooltip=[alt.Tooltip("region_label:N", title=labels["x"]), alt.Tooltip("value_text:N", title=labels["value"]),
                 alt.Tooltip("year:O", title=labels["year"]), alt.Tooltip("source:N", title=labels["source"])])
    text = bars.mark_text(align="left", dx=4, color="#222").encode(text="value_text:N")
    return _configure([bars, text], labels, rows)


def plan_comparison(rows: list[dict], labels: dict) -> alt.TopLevelMixin:
    """Rows (plan_label, value, value_text, target_year) -> one bar per plan's target."""
    bars = alt.Chart().mark_bar().encode(
        x=alt.X("plan_label:N", title=labels["x"], sort=None, axis=alt.Axis(labelAngle=0, labelLimit=260)),
        y=alt.Y("value:Q", title=labels["y"]),
        color=alt.Color("plan_label:N", legend=None, scale=alt.Scale(range=PALETTE)),
        tooltip=[alt.Tooltip("plan_label:N", title=labels["x"]), alt.Tooltip("value_text:N", title=labels["value"]),
                 alt.Tooltip("target_year:O", title=labels["year"])])
    text = bars.mark_text(baseline="bottom", dy=-3, color="#222").encode(text="value_text:N")
    return _configure([bars, text], labels, rows)


CHART_KINDS = {
    "target_progress": target_progress,
    "region_bars": region_bars,
    "plan_comparison": plan_comparison,
    "tile_map": tile_map,
}
