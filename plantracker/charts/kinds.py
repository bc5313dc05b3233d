"""Chart rows + labels (+ layout) -> Altair charts; a registry maps the chart kinds named by pages to functions.

Every function takes plain rows (already in display units), a dict of labels in one language and a
layout (style.FULL or style.PHONE), and returns an Altair chart. Encodings are channel objects
(alt.Text, alt.X2, alt.XValue...), never shorthand strings or alt.value() dicts: Altair turns
those into channels through from_dict, which hashes its whole schema each time (about 7 ms, most
of a spec's cost). Colours are the Okabe-Ito palette
(colour-blind safe); marks also differ by shape and dash, so no meaning rests on colour alone.

On a phone the text keeps its size and the layout changes instead: titles wrap to the narrower
width, legends take as many rows as their entries need, crowded year labels are thinned, and bars
carry their label and value above them rather than beside them.
"""
from __future__ import annotations

import altair as alt

from .layering import layered
from .style import (BAR_LABEL_FIELDS, BAR_SIZE, BAR_TOP, COLUMNS_FRAME, FONT, FULL, PALETTE, SUBTITLE_SIZE,
                    TITLE_SIZE, Layout, bar_label, bar_step, legend_columns, line_height, static_size,
                    text_width, title_lines)
from .tile_map import tile_map


def _configure(layers: list, labels: dict, rows: list[dict], layout: Layout, kind: str,
               legend: alt.LegendConfig | None = None) -> alt.LayerChart:
    """Layers without data -> one layered chart, titled, sized and styled, with the rows at the top.

    Built in one constructor call, rows assigned last: every Altair method (properties,
    configure_*) returns a deep copy of the whole chart, which cost more than half a spec's time.
    """
    # Titles and subtitles arrive wrapped into lines (style.title_lines): Vega cuts a long line off.
    title, subtitle = title_lines(labels, layout.text_width)
    _, height = static_size(kind, labels, layout, rows)
    # `description` names the interactive view for screen readers (Vega sets it as the SVG's label).
    chart = layered(*layers, title=alt.Title(title, subtitle=subtitle or ""),
                      description=labels.get("description", labels["title"]),
                      width="container", height=height, autosize=alt.AutoSizeParams(type="fit", contains="padding"),
                      config=alt.Config(
                          font=FONT, background="white",
                          axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12, labelColor="#222", titleColor="#222"),
                          legend=legend or alt.LegendConfig(orient="bottom", labelFontSize=12, titleFontSize=12,
                                                            labelLimit=400),
                          title=alt.TitleConfig(fontSize=TITLE_SIZE, subtitleFontSize=SUBTITLE_SIZE, anchor="start",
                                                subtitleColor="#333", limit=0)))
    chart.data = alt.Data(values=rows)
    return chart


def target_progress(rows: list[dict], labels: dict, layout: Layout = FULL) -> alt.TopLevelMixin:
    """Rows (year, value, series, series_label, value_text, source) -> points over the years
    against a rule at the target and the straight-line path from the baseline."""
    series_order = labels["series_order"]
    colour = alt.Color("series_label:N", title=labels["legend"],
                       scale=alt.Scale(domain=series_order, range=PALETTE[: len(series_order)]))
    shape = alt.Shape("series_label:N", title=labels["legend"],
                      scale=alt.Scale(domain=series_order,
                                      range=["circle", "square", "diamond", "triangle-up", "cross"][: len(series_order)]))
    # Phone: every other year label goes when they would overlap (many years in a narrow plot).
    axis = alt.Axis(labelAngle=0) if layout == FULL else alt.Axis(labelAngle=0, labelOverlap="parity")
    x = alt.X("year:O", title=labels["x"], axis=axis, scale=alt.Scale(domain=labels["years"]))
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
    legend = None
    if layout != FULL:  # as many rows as the entries need, none cut (style.static_size adds their height)
        legend = alt.LegendConfig(orient="bottom", labelFontSize=12, titleFontSize=12, labelLimit=layout.text_width,
                                  columns=legend_columns(series_order, layout.text_width))
    return _configure([path, target_rule, points], labels, rows, layout, "target_progress", legend)


def _labelled_bars(rows: list[dict], labels: dict, layout: Layout, kind: str, colour: alt.Color | alt.ColorValue,
                   tooltip: list, sort: str | None) -> alt.TopLevelMixin:
    """Phone bars: one horizontal bar per row, its name and value written above it (style.bar_label),
    wrapped to the width, so neither is cut and no label overlaps another."""
    field = BAR_LABEL_FIELDS[kind]
    texts = [bar_label(row[field], row["value_text"]) for row in rows]
    lines = max(text.count("\n") + 1 for text in texts)
    # Every label as many lines as the longest, blank ones first: Vega writes a text's lines
    # downwards from its first, so this puts each label's last line just above its bar.
    rows = [{**row, "bar_label": "\n" * (lines - 1 - text.count("\n")) + text} for row, text in zip(rows, texts)]
    text_top = -bar_step(texts) / 2 + BAR_TOP  # from the band's centre
    bar_centre = text_top + lines * line_height(layout.text_size) + 3 + BAR_SIZE / 2
    y = alt.Y(f"{field}:N", axis=None, sort=sort, scale=alt.Scale(paddingInner=0, paddingOuter=0))
    bars = alt.Chart().mark_bar(size=BAR_SIZE, yOffset=round(bar_centre, 2)).encode(
        y=y, x=alt.X("value:Q", title=labels["y"], axis=alt.Axis(tickCount=4)), color=colour, tooltip=tooltip)
    text = alt.Chart().mark_text(align="left", baseline="top", lineBreak="\n", fontSize=layout.text_size,
                                 color="#222", yOffset=round(text_top, 2), aria=False).encode(
        y=y, x=alt.XValue(0), text=alt.Text("bar_label:N"))
    return _configure([bars, text], labels, rows, layout, kind)


def region_bars(rows: list[dict], labels: dict, layout: Layout = FULL) -> alt.TopLevelMixin:
    """Rows (region_label, value, value_text, year, source) -> one bar per region, longest first."""
    tooltip = [alt.Tooltip("region_label:N", title=labels["x"]), alt.Tooltip("value_text:N", title=labels["value"]),
               alt.Tooltip("year:O", title=labels["year"]), alt.Tooltip("source:N", title=labels["source"])]
    if layout != FULL:
        return _labelled_bars(sorted(rows, key=lambda row: -row["value"]), labels, layout, "region_bars",
                              alt.ColorValue(PALETTE[0]), tooltip, None)
    bars = alt.Chart().mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("region_label:N", title=labels["x"], sort="-x"),
        x=alt.X("value:Q", title=labels["y"], scale=alt.Scale(domainMax=_room_for_values(rows, layout))),
        tooltip=tooltip)
    text = bars.mark_text(align="left", dx=4, color="#222").encode(text=alt.Text("value_text:N"))
    return _configure([bars, text], labels, rows, layout, "region_bars")


def _room_for_values(rows: list[dict], layout: Layout) -> float:
    """Full region bars -> the x scale's top: far enough past the longest bar that its value,
    written after it, stays inside the plot (Vega's autosize does not make room for it). The plot's
    width is taken as the render's less the region labels and the y axis title (about 40 px more)."""
    top = max((row["value"] for row in rows), default=0) or 1
    plot = layout.width - 10 - max(text_width(row["region_label"], 12) for row in rows) - 40
    value = max(text_width(row["value_text"], layout.text_size) for row in rows) + 4 + 6  # dx, and room to spare
    return top * plot / max(plot - value, plot / 3)


def _room_above(rows: list[dict], layout: Layout) -> float:
    """Full plan comparison -> the y scale's top: far enough above the tallest bar that its value,
    written on top of it, stays inside the plot (Vega's autosize does not make room for it; a
    scale that ends at the tallest bar put its label on the plot's top edge)."""
    top = max((row["value"] for row in rows), default=0) or 1
    plot = layout.height - COLUMNS_FRAME
    value = line_height(layout.text_size) + 3 + 4  # the label's line, its dy, and room to spare
    return top * plot / (plot - value)


def plan_comparison(rows: list[dict], labels: dict, layout: Layout = FULL) -> alt.TopLevelMixin:
    """Rows (plan_label, value, value_text, target_year) -> one bar per plan's target."""
    colour = alt.Color("plan_label:N", legend=None, scale=alt.Scale(range=PALETTE))
    tooltip = [alt.Tooltip("plan_label:N", title=labels["x"]), alt.Tooltip("value_text:N", title=labels["value"]),
               alt.Tooltip("target_year:O", title=labels["year"])]
    if layout != FULL:  # plans in their own order (older first), as on the full chart
        return _labelled_bars(rows, labels, layout, "plan_comparison", colour, tooltip, None)
    bars = alt.Chart().mark_bar().encode(
        x=alt.X("plan_label:N", title=labels["x"], sort=None, axis=alt.Axis(labelAngle=0, labelLimit=260)),
        y=alt.Y("value:Q", title=labels["y"], scale=alt.Scale(domainMax=_room_above(rows, layout))),
        color=colour, tooltip=tooltip)
    text = bars.mark_text(baseline="bottom", dy=-3, color="#222").encode(text=alt.Text("value_text:N"))
    return _configure([bars, text], labels, rows, layout, "plan_comparison")


CHART_KINDS = {
    "target_progress": target_progress,
    "region_bars": region_bars,
    "plan_comparison": plan_comparison,
    "tile_map": tile_map,
}
