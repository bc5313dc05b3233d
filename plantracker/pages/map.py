"""A plan -> its map page: provinces as a schematic tile map coloured by one reported indicator,
with the plan's sites listed per province (finished values per language, one chart request each)."""
from __future__ import annotations

import math

from ..charts.style import BLUES, NO_DATA_FILL, ink_for
from ..numbers import DisplayUnit, format_number, join_unit
from ..query import PlanData
from ..site_map import LANGUAGES, Linker
from .model import Chart, Page
from .wording import counted, plan_ref, printed_figure, source_ref, target_title

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


def _class_labels(edges: list[float], unit: DisplayUnit, name: str, lang: str) -> list[str]:
    bounds = [0.0, *edges]
    return [f"{format_number(lo / unit.factor, lang)}–{join_unit(format_number(hi / unit.factor, lang), name, lang)}"
            for lo, hi in zip(bounds, bounds[1:])]


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


def _tiles(plan: PlanData, figures: list[dict], lang: str, t: dict, link: Linker) -> tuple[list[dict], dict]:
    """Query rows -> (province rows with finished text and class, the colour key)."""
    first = figures[0] if figures else {}
    dim = plan.units.dimension(first["indicator_unit_id"]) if first.get("indicator_unit_id") else None
    indicator = plan.indicators.get(first.get("indicator_id"))
    values = [f["value"] for f in figures if f["value"] is not None]
    unit = plan.units.choose(max(values), dim, lang) if values else None
    edges = class_edges(values, unit) if values else []
    name = plan.units.unit_name(unit, dim, lang, indicator) if values else ""
    labels = _class_labels(edges, unit, name, lang) if values else []
    colours = _class_colours(len(edges))
    provinces = []
    for f in figures:
        has = f["value"] is not None
        index = next((i for i, edge in enumerate(edges) if f["value"] < edge), len(edges) - 1) if has else None
        fill = colours[index] if has else NO_DATA_FILL
        sites = _site_rows(plan, f["region_id"], lang, t, link)
        provinces.append({
            "id": f["region_id"], "name": plan.name(f, lang), "tile_x": f["tile_x"], "tile_y": f["tile_y"],
            "href": link.page(f"{plan.plan_id}/regions/{f['region_id']}"),
            "has_value": has, "number": format_number(f["value"] / unit.factor, lang) if has else t["map_no_data"],
            "value": plan.units.quantity(f["value"], dim, lang, unit, indicator=indicator) if has else t["map_no_data"],
            "printed": printed_figure(plan, f, lang, t, indicator) if has else "",
            "base_value": f["value"], "year": f["map_year"] if has else "",
            "source": source_ref(plan, f["source_id"], link),
            "class_label": labels[index] if has else t["map_no_data"], "fill": fill, "ink": ink_for(fill),
            "sites": sites,
        })
    key = {"unit": name, "classes": [*labels, t["map_no_data"]],
           "colours": [*colours, NO_DATA_FILL]}
    return provinces, key


def _summary(provinces: list[dict], t: dict) -> str:
    """Provinces -> "Hebei 230.34 million tonnes; ...; no data: A, B." (largest first)."""
    ranked = sorted((p for p in provinces if p["has_value"]), key=lambda p: -p["base_value"])
    parts = [f"{p['name']} {p['value']}" for p in ranked]
    missing = [p["name"] for p in provinces if not p["has_value"]]
    if missing:
        parts.append(t["label_value"].format(label=t["map_no_data"], value=t["list_separator"].join(missing)))
    return t["clause_separator"].join(parts) + t["full_stop"]


def map_context(plan: PlanData, figures: list[dict], lang: str, t: dict, link: Linker) -> tuple[dict, Chart]:
    """Map query rows for one plan in one language -> (template context, the map chart)."""
    placed = [f for f in figures if f["tile_x"] is not None and f["tile_y"] is not None]
    provinces, key = _tiles(plan, placed, lang, t, link)
    first = figures[0] if figures else {}
    indicator = first.get(f"indicator_{lang}") or first.get("indicator_zh")
    plan_title = plan.text(plan.plan.get("short_title"), lang) or plan.text(plan.plan["title"], lang)
    if indicator:
        colour_by = t["map_colour_by"].format(indicator=indicator, year=first["map_year"], unit=key["unit"])
    else:
        colour_by = t["map_no_figures"]
    title = t["map_chart_title"].format(plan=plan_title)
    # On the tile the number alone (the unit is in the subtitle and legend): long English units
    # would run past a tile's edge; the tooltip, table and summary keep the unit.
    rows = [{"tile_x": p["tile_x"], "tile_y": p["tile_y"], "name": p["name"], "value_text": p["value"],
             "tile_text": p["number"],
             "class_label": p["class_label"], "fill": p["fill"], "ink": p["ink"],
             "sites_text": counted("map_sites_count", len(p["sites"]), t) if p["sites"] else "",
             "sites": t["map_sites_separator"].join(s["name"] for s in p["sites"]) or "—",
             "year": str(p["year"]), "source": p["source"]["title"] if p["source"] else "",
             "region_id": p["id"]} for p in provinces]
    labels = {"title": title, "subtitle": [colour_by, t["map_schematic"]], "legend": t["map_legend"],
              "classes": key["classes"], "colours": key["colours"], "region": t["region"], "value": t["value"],
              "year": t["year"], "source": t["source"], "sites": t["map_sites"]}
    summary = t["sentence_separator"].join([t["map_schematic_short"], colour_by, _summary(provinces, t)])
    labels["description"] = summary
    chart = Chart(plan.plan_id, "map", "tile_map", lang, f"{plan.plan_id}/map", title, summary, rows, labels,
                  ["region_id", "name", "tile_x", "tile_y", "year", "value_text", "class_label", "sites", "source"])
    unplaced = [plan.name(f, lang) for f in figures if f["tile_x"] is None or f["tile_y"] is None]
    context = {
        "plan": {**plan_ref(plan, lang, link), "short_title": plan_title},
        "map": {"colour_by": colour_by, "indicator": indicator or "", "year": first.get("map_year") or "",
                "reporting": t["coverage_of"].format(n=sum(p["has_value"] for p in provinces), m=len(provinces)),
                "unplaced": unplaced, "sites_href": link.page(f"{plan.plan_id}/sites")},
        "provinces": provinces,
    }
    return context, chart


def map_pages(plan: PlanData, strings: dict) -> list[Page]:
    """One plan -> [its map page], or [] when none of its provinces has a tile position."""
    figures = plan.map_figures
    if not any(f["tile_x"] is not None and f["tile_y"] is not None for f in figures):
        return []
    page = Page(f"{plan.plan_id}/map", "map")
    for lang in LANGUAGES:
        t, link = strings[lang], Linker(page.path, lang)
        context, chart = map_context(plan, figures, lang, t, link)
        page.contexts[lang], page.titles[lang] = context, t["map"]
        page.charts.append(chart)
    return [page]
