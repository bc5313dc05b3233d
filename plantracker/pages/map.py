"""A plan -> its map page: provinces as a schematic tile map coloured by one reported indicator, one
map per year it was reported in (one colour scale for all, so years compare), each carrying the
series' caveats; a table with a column per year; the plan's sites per province."""
from __future__ import annotations

import math

from ..charts.style import BLUES, NO_DATA_FILL, ink_for
from ..numbers import DisplayUnit, format_number, join_unit, plain_value
from ..query import PlanData
from ..site_map import LANGUAGES, Linker
from .evidence import CSV_EVIDENCE, csv_evidence, flags_used, observation_evidence, series_caveat
from ..model import Chart, Page
from .wording import counted, in_sentence, plan_ref, printed_figure, qualified, qualified_quantity, target_title

MAX_CLASSES = len(BLUES)


def class_edges(values: list[float], unit: DisplayUnit) -> list[float]:
    """Base values -> class upper edges (base units): equal steps from zero, the step a round
    number in the display unit (1, 2, 2.5 or 5 times a power of ten)."""
    top = max(values) / unit.factor
    if top <= 0:
        return [unit.factor]
    wanted = min(MAX_CLASSES, len(set(values)))
    raw = top / wanted
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = max(1, math.ceil(top / step - 1e-9))
    return [(i + 1) * step * unit.factor for i in range(count)]


def class_of(value: float, edges: list[float], unit: DisplayUnit) -> int:
    """A base value -> the index of its class: the first whose upper edge is above it (a class holds
    its lower edge, not its upper one), the top class also its upper edge. Compared in the display
    unit as the legend prints the edges, so 2亿吨 falls in "2至2.5亿吨" whatever 4 x 0.5e8 rounds to."""
    shown = round(value / unit.factor, 9)
    return next((i for i, edge in enumerate(edges) if shown < round(edge / unit.factor, 9)), len(edges) - 1)


def _class_labels(edges: list[float], unit: DisplayUnit, name: str, lang: str, t: dict) -> list[str]:
    """Class edges -> legend labels that say which side holds the edge: "1.5至不足2亿吨", "150–<200
    million tonnes", the top class both ("2–2.5"), as class_of sorts values."""
    bounds = [0.0, *edges]
    labels = []
    for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        words = t["map_class_range_last" if i == len(edges) - 1 else "map_class_range"]
        labels.append(join_unit(words.format(low=format_number(lo / unit.factor, lang),
                                             high=format_number(hi / unit.factor, lang)), name, lang))
    return labels


def _class_colours(count: int) -> list[str]:
    # Spread the classes over the whole scale so two classes never look alike.
    if count == 1:
        return [BLUES[2]]
    return [BLUES[round(i * (len(BLUES) - 1) / (count - 1))] for i in range(count)]


def _site_rows(plan: PlanData, region_id: str, lang: str, t: dict, link: Linker) -> list[dict]:
    rows = []
    for site in plan.sites:
        if site["region_id"] != region_id:
            continue
        target = plan.targets.get(site["target_id"]) if site.get("target_id") else None
        rows.append({"name": site[f"name_{lang}"] or site["name_zh"], "kind": site[f"kind_{lang}"] or "",
                     "named_in_plan": bool(site["named_in_plan"]),
                     "target": target_title(plan, target, lang) if target else "",
                     "target_href": link.page(f"{plan.plan_id}/targets/{site['target_id']}") if target else ""})
    return rows


def _scale(plan: PlanData, figures: list[dict], lang: str, t: dict) -> dict:
    """Every year's figures -> one colour scale: display unit, class edges, labels and colours."""
    first = figures[0] if figures else {}
    dim = plan.units.dimension(first["indicator_unit_id"]) if first.get("indicator_unit_id") else None
    indicator = plan.indicators.get(first.get("indicator_id"))
    values = [f["value"] for f in figures if f["value"] is not None]
    unit = plan.units.choose(max(values), dim, lang) if values else None
    edges = class_edges(values, unit) if values else []
    name = plan.units.unit_name(unit, dim, lang, indicator) if values else ""
    return {"dimension": dim, "unit": unit, "unit_name": name, "indicator": indicator, "edges": edges,
            "labels": _class_labels(edges, unit, name, lang, t) if values else [], "colours": _class_colours(len(edges))}


def _tiles(plan: PlanData, figures: list[dict], scale: dict, lang: str, t: dict, link: Linker) -> list[dict]:
    """One year's query rows -> province rows with finished text, evidence and colour class."""
    provinces = []
    for f in figures:
        has = f["value"] is not None
        index = class_of(f["value"], scale["edges"], scale["unit"]) if has else None
        fill = scale["colours"][index] if has else NO_DATA_FILL
        qualifier = t.get(f"qualifier_{f['qualifier']}", "") if f["qualifier"] else ""
        evidence = observation_evidence(plan, f["observation_id"], lang, t, link) if has else None
        # Each figure in its own display unit, as the site's tables write it ("114万吨", not
        # "0.0114亿吨" on a map whose legend counts 亿吨); the classes keep the map's one unit.
        value = (qualified_quantity(plan, f["value"], scale["dimension"], f["qualifier"], lang, t,
                                    indicator=scale["indicator"], printed_unit_id=f["printed_unit_id"])
                 if has else t["map_no_data"])
        # As printed, where that differs from the value shown ("184万吨（原单位数值：184万吨）" said it twice).
        printed = printed_figure(plan, f, lang, t, scale["indicator"]) if has else ""
        provinces.append({
            "id": f["region_id"], "name": plan.name(f, lang), "tile_x": f["tile_x"], "tile_y": f["tile_y"],
            "href": link.page(f"{plan.plan_id}/regions/{f['region_id']}"),
            "has_value": has, "year": f["map_year"],
            "number": qualified(qualifier, format_number(f["value"] / scale["unit"].factor, lang), t) if has else value,
            "value": value,
            "printed": "" if printed == value else printed,
            "base_value": f["value"], "evidence": evidence,
            "class_label": scale["labels"][index] if has else t["map_no_data"], "fill": fill, "ink": ink_for(fill),
            "sites": _site_rows(plan, f["region_id"], lang, t, link),
        })
    # On the tiles, numbers alone when every figure is in the map's unit (named in the subtitle and
    # legend; long English units would run past a tile's edge); else every tile with its unit, as
    # the table writes it: "2.232" beside "114万吨" read as two units.
    if any(p["has_value"] and plan.units.choose(p["base_value"], scale["dimension"], lang) != scale["unit"]
           for p in provinces):
        for province in provinces:
            province["number"] = province["value"]
    return provinces


def _summary(provinces: list[dict], t: dict) -> str:
    """Provinces -> "Hebei 230.34 million tonnes; ...; no data: A, B." (largest first)."""
    ranked = sorted((p for p in provinces if p["has_value"]), key=lambda p: -p["base_value"])
    parts = [f"{p['name']} {p['value']}" for p in ranked]
    missing = [p["name"] for p in provinces if not p["has_value"]]
    if missing:
        parts.append(t["label_value"].format(label=t["map_no_data"], value=t["list_separator"].join(missing)))
    return t["clause_separator"].join(parts) + t["full_stop"]


def _year_chart(plan: PlanData, provinces: list[dict], scale: dict, indicator: str | None, indicator_id: str | None,
                year, lang: str, t: dict) -> tuple[Chart, dict]:
    """One year's provinces -> (its tile map, what the page says of it)."""
    unit_label = scale["unit_name"] if scale["unit"] else ""
    colour_by = (t["map_colour_by"].format(indicator=in_sentence(indicator, lang), year=year, unit=unit_label) if indicator
                 else t["map_no_figures"])
    caveats = series_caveat(plan, indicator_id, None, year, lang, t) if indicator_id else []
    evidence = [p["evidence"] for p in provinces if p["evidence"]]
    shared = set.intersection(*(set(f["key"] for f in e["flags"]) for e in evidence)) if evidence else set()
    flags = [f for f in evidence[0]["flags"] if f["key"] in shared] if evidence else []
    if flags:
        caveats.append(t["caveat_flags"].format(flags=t["list_separator"].join(f["label"] for f in flags)))
    plan_title = plan.text(plan.plan.get("short_title"), lang) or plan.text(plan.plan["title"], lang)
    title = t["map_chart_title"].format(plan=plan_title) + (f" · {year}" if year else "")
    # `value` in the map's one unit (`unit`), a number for spreadsheets, as the other charts' CSVs
    # have it; `value_text` each figure as the page writes it, in its own unit (114万吨).
    rows = [{"tile_x": p["tile_x"], "tile_y": p["tile_y"], "name": p["name"], "value_text": p["value"],
             "value": plain_value(p["base_value"] / scale["unit"].factor) if p["has_value"] and scale["unit"] else None,
             "tile_text": p["number"],
             "class_label": p["class_label"], "fill": p["fill"], "ink": p["ink"],
             "sites_text": counted("map_sites_count", len(p["sites"]), t) if p["sites"] else "",
             "sites": t["map_sites_separator"].join(s["name"] for s in p["sites"]) or "—",
             "year": str(year or ""), "unit": unit_label, **csv_evidence(p["evidence"]),
             "region_id": p["id"]} for p in provinces]
    labels = {"title": title, "subtitle": [colour_by, t["map_schematic"]], "caveats": caveats, "legend": t["map_legend"],
              "classes": [*scale["labels"], t["map_no_data"]], "colours": [*scale["colours"], NO_DATA_FILL],
              "region": t["region"], "value": t["value"], "year": t["year"], "source": t["source"], "sites": t["map_sites"]}
    summary = t["sentence_separator"].join([t["map_schematic_short"], colour_by, *caveats, _summary(provinces, t)])
    labels["description"] = summary
    chart = Chart(plan.plan_id, f"map-{year}" if year else "map", "tile_map", lang, f"{plan.plan_id}/map", title,
                  summary, rows, labels,
                  ["region_id", "name", "tile_x", "tile_y", "year", "value", "unit", "value_text", "class_label", "sites",
                   *CSV_EVIDENCE],
                  caveats=caveats)
    return chart, {"year": year, "chart_id": chart.chart_id, "colour_by": colour_by, "caveats": caveats,
                   "reporting": t["coverage_of"].format(n=sum(p["has_value"] for p in provinces), m=len(provinces))}


def map_context(plan: PlanData, figures: list[dict], lang: str, t: dict, link: Linker) -> tuple[dict, list[Chart]]:
    """Map query rows for one plan in one language -> (template context, a map chart per year)."""
    placed = [f for f in figures if f["tile_x"] is not None and f["tile_y"] is not None]
    scale = _scale(plan, placed, lang, t)
    first = figures[0] if figures else {}
    indicator = first.get(f"indicator_{lang}") or first.get("indicator_zh")
    years = list(dict.fromkeys(f["map_year"] for f in placed))
    charts, maps, by_year = [], [], {}
    for year in years:
        provinces = _tiles(plan, [f for f in placed if f["map_year"] == year], scale, lang, t, link)
        chart, view = _year_chart(plan, provinces, scale, indicator, first.get("indicator_id"), year, lang, t)
        charts.append(chart)
        maps.append(view)
        by_year[year] = {p["id"]: p for p in provinces}
    order = list(by_year[years[0]]) if years else []
    rows = [{"id": rid, "name": by_year[years[0]][rid]["name"], "href": by_year[years[0]][rid]["href"],
             "sites": by_year[years[0]][rid]["sites"], "years": [by_year[y][rid] for y in years]} for rid in order]
    plan_title = plan.text(plan.plan.get("short_title"), lang) or plan.text(plan.plan["title"], lang)
    context = {
        "plan": {**plan_ref(plan, lang, link), "short_title": plan_title},
        # A column per year; a plan with no figure has one column of "no data", headed "value".
        "map": {"indicator": indicator or "", "years": [str(y) if y else t["value"] for y in years], "maps": maps,
                # figures holds a row per region and year: each region without a tile is named once
                "unplaced": list({f["region_id"]: plan.name(f, lang) for f in figures
                                  if f["tile_x"] is None or f["tile_y"] is None}.values()),
                "sites_href": link.page(f"{plan.plan_id}/sites")},
        "provinces": rows,
        "flags": flags_used(*([p["evidence"] for p in by_year[y].values()] for y in years)),
    }
    return context, charts


def map_pages(plan: PlanData, strings: dict) -> list[Page]:
    """One plan -> [its map page], or [] when none of its provinces has a tile position."""
    figures = plan.map_figures
    if not any(f["tile_x"] is not None and f["tile_y"] is not None for f in figures):
        return []
    page = Page(f"{plan.plan_id}/map", "map")
    for lang in LANGUAGES:
        t, link = strings[lang], Linker(page.path, lang)
        context, charts = map_context(plan, figures, lang, t, link)
        page.contexts[lang], page.titles[lang] = context, t["map"]
        page.charts += charts
    return [page]
