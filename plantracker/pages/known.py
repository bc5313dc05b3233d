"""What is known and what is missing, per plan: the facts the home page leads with, and the page
that lists, for each series x region x year, the figure found or the official table that would
fill the gap."""
from __future__ import annotations

from ..query import PlanData
from ..site_map import Linker
from .evidence import flag_views, series_caveat
from .wording import counted, printed_figure


def _relevant_indicators(plan: PlanData) -> list[str]:
    """Indicators a target measures or is comparable to, then those an official table publishes,
    in the indicators table's order."""
    measured = {target["indicator_id"] for target in plan.targets.values()}
    return [iid for iid, i in plan.indicators.items()
            if iid in measured or i.get("comparable_to") in measured or i.get("official_table")]


def provincial_figures(plan: PlanData, lang: str, t: dict) -> list[dict]:
    """Reported provincial figures of a target's series or a related one -> one line per indicator x
    year: how many provinces, the grade of their sources (official, reprint, ...), the flags all of
    them carry, and the caveats that travel with them."""
    measured = {target["indicator_id"] for target in plan.targets.values()}
    provinces = {r["region_id"] for r in plan.members(plan.plan["region_id"])}
    groups: dict[tuple, list[dict]] = {}
    for row in plan.observations.values():
        indicator = plan.indicators[row["indicator_id"]]
        related = row["indicator_id"] in measured or indicator.get("comparable_to") in measured
        if row["kind"] == "reported" and related and row["region_id"] in provinces:
            groups.setdefault((row["indicator_id"], row["year"]), []).append(row)
    lines = []
    for (indicator_id, year), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        flags = [set((r.get("confidence") or "").split(";")) - {""} for r in rows]
        shared = ";".join(sorted(set.intersection(*flags))) if flags else ""
        lines.append({"indicator": plan.name(plan.indicators[indicator_id], lang), "year": year,
                      "coverage": t["coverage_of"].format(n=len({r["region_id"] for r in rows}), m=len(provinces)),
                      "authority": t["list_separator"].join(dict.fromkeys(
                          t[f"authority_{plan.sources[r['source_id']]['authority']}"] for r in rows)),
                      "flags": flag_views(shared, t),
                      "caveats": series_caveat(plan, indicator_id, None, year, lang, t)})
    return lines


def missing_summary(plan: PlanData, lang: str, t: dict) -> dict:
    """A plan's targets -> how many have no figure of their own measure for any year of the period,
    and the years of the period with none for any target."""
    grids = plan.reporting_grid
    without = [tid for tid in plan.targets if not any(g["reported_count"] for g in grids.get(tid, []))]
    years = sorted({g["year"] for rows in grids.values() for g in rows})
    empty_years = [y for y in years if not any(g["year"] == y and g["reported_count"] for rows in grids.values() for g in rows)]
    return {"targets_without": len(without), "targets": len(plan.targets),
            "text": t["missing_summary"].format(n=len(without), m=len(plan.targets),
                                                years=t["list_separator"].join(map(str, empty_years)) or "—")}


def missing_grid(plan: PlanData, lang: str, t: dict, link: Linker) -> list[dict]:
    """The plan's series x region x year grid -> per indicator: its official table, the years, and
    one row per region with each cell filled (value, flags) or missing (what would fill it)."""
    start, end = plan.plan["period_start"], plan.plan["period_end"]
    provinces = plan.members(plan.plan["region_id"])
    grids = []
    for indicator_id in _relevant_indicators(plan):
        indicator = plan.indicators[indicator_id]
        own_regions = [plan.regions[t_["region_id"]] for t_ in plan.targets.values() if t_["indicator_id"] == indicator_id]
        regions = list({r["region_id"]: r for r in own_regions + provinces}.values())
        figures = {(o["region_id"], o["year"]): o for o in plan.observations.values()
                   if o["indicator_id"] == indicator_id and o["kind"] == "reported" and o.get("qualifier") != "expected"}
        years = sorted(set(range(start, end + 1)) | {y for (_, y) in figures})
        table = indicator.get("official_table") or ""
        rows = []
        for region in regions:
            cells = []
            for year in years:
                found = figures.get((region["region_id"], year))
                cells.append({"year": year, "filled": found is not None, "outside_period": not start <= year <= end,
                              "value": (printed_figure(plan, {**found, "printed_value": found["value"],
                                                              "printed_unit_id": found["unit_id"]}, lang, t, indicator)
                                        if found else ""),
                              "flags": flag_views(found.get("confidence"), t) if found else [],
                              "id": found["observation_id"] if found else ""})
            missing = sum(not c["filled"] and not c["outside_period"] for c in cells)
            rows.append({"name": plan.name(region, lang), "href": link.page(f"{plan.plan_id}/regions/{region['region_id']}"),
                         "cells": cells, "missing": counted("missing_count", missing, t) if missing else ""})
        # A series no official table publishes (a plan's own measure): name the nearest that one does.
        nearest = [t["missing_nearest"].format(name=plan.name(other, lang), table=other["official_table"])
                   for other in plan.indicators.values()
                   if other.get("comparable_to") == indicator_id and other.get("official_table")] if not table else []
        grids.append({"indicator": plan.name(indicator, lang), "id": indicator_id, "years": years,
                      "official_table": table, "nearest": nearest, "rows": rows,
                      "caveats": series_caveat(plan, indicator_id, None, None, lang, t)})
    return grids
