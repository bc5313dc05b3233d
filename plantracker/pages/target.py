"""A target of a plan -> its page context (finished values) and the charts it shows."""
from __future__ import annotations

from ..query import PlanData, SiteData
from ..site_map import Linker
from .model import Chart
from .wording import in_year, printed_figure, qualified, source_ref, target_text, target_title

SERIES_ORDER = ("reported", "baseline", "target_baseline", "target")


def status_summary(plan: PlanData, target: dict, progress: dict, lang: str, t: dict) -> str:
    """The chart's text alternative: target, baseline, latest figure and status in words."""
    dim = progress["dimension"]
    indicator = plan.indicators.get(target["indicator_id"])
    parts = [t["summary_target"].format(target=target_text(plan, target, progress, lang, t), year=target["target_year"])]
    if progress["baseline_value"] is not None:
        parts.append(t["summary_baseline"].format(value=plan.units.quantity(progress["baseline_value"], dim, lang,
                                                                           indicator=indicator),
                                                  year=progress["baseline_year"]))
    if progress["latest_value"] is not None:
        parts.append(t["summary_latest"].format(value=plan.units.quantity(progress["latest_value"], dim, lang,
                                                                         indicator=indicator),
                                                year=progress["latest_year"]))
    else:
        parts.append(t["summary_none"])
    parts.append(t["summary_status"].format(status=t["status_" + progress["status"]]))
    return t["sentence_separator"].join(parts)


def _series_rows(plan: PlanData, target: dict, progress: dict, lang: str, t: dict, link: Linker):
    series = plan.series.get(target["target_id"], [])
    unit = plan.units.choose(progress["target_value"], progress["dimension"], lang)
    indicator = plan.indicators.get(target["indicator_id"])
    seen, table, chart = set(), [], []
    for row in series:
        key = (row["year"], row["value"])
        # The plan's own baseline repeats a baseline observation when both exist: plot it once.
        if row["series"] == "target_baseline" and key in seen:
            continue
        seen.add(key)
        source = source_ref(plan, row["source_id"], link)
        value_text = plan.units.quantity(row["value"], progress["dimension"], lang, unit, indicator=indicator)
        table.append({"year": row["year"], "series": t["series_" + row["series"]], "value": value_text,
                      "printed": printed_figure(plan, row, lang, t, indicator),
                      "source": source, "outside_period": row["outside_period"], "id": row["figure_id"]})
        chart.append({"year": row["year"], "value": round(row["value"] / unit.factor, 6), "series": row["series"],
                      "series_label": t["series_" + row["series"]], "value_text": value_text,
                      "source": source["title"] if source else "", "figure_id": row["figure_id"]})
    if progress["baseline_value"] is not None:
        for year, value in ((progress["baseline_year"], progress["baseline_value"]),
                            (target["target_year"], progress["target_value"])):
            chart.append({"year": year, "value": round(value / unit.factor, 6), "series": "path",
                          "series_label": t["series_path"],
                          "value_text": plan.units.quantity(value, progress["dimension"], lang, unit, indicator=indicator),
                          "source": "", "figure_id": ""})
    return table, chart, unit


def target_context(site: SiteData, plan: PlanData, target_id: str, lang: str, t: dict,
                   link: Linker) -> tuple[dict, list[Chart]]:
    """One target in one language -> (template context, the charts the page shows)."""
    target = plan.targets[target_id]
    progress = plan.progress[target_id]
    dim = progress["dimension"]
    indicator = plan.indicators[target["indicator_id"]]
    table, chart_rows, unit = _series_rows(plan, target, progress, lang, t, link)
    title = target_title(plan, target, lang)
    years = sorted({r["year"] for r in chart_rows} | {plan.plan["period_start"], target["target_year"]})
    chart_id = f"target-{target_id}"
    summary = status_summary(plan, target, progress, lang, t)
    labels = {"title": title, "subtitle": in_year(target_text(plan, target, progress, lang, t), target["target_year"], t),
              "series_order": [t["series_" + s] for s in SERIES_ORDER if any(r["series"] == s for r in chart_rows)],
              "legend": t["kind"], "x": t["year"], "y": plan.units.unit_name(unit, dim, lang, indicator),
              "value": t["value"], "source": t["source"],
              "years": list(range(years[0], years[-1] + 1)), "description": summary}
    page = f"{plan.plan_id}/targets/{target_id}"
    charts = [Chart(plan.plan_id, chart_id, "target_progress", lang, page, title, summary, chart_rows, labels,
                    ["year", "series", "value", "value_text", "source", "figure_id"], table)]
    related = []
    for row in plan.related.get(target_id, []):
        shown = plan.indicators.get(row["indicator_id"])
        related.append({
            "region": plan.name(plan.regions[row["region_id"]], lang), "year": row["year"],
            "indicator": row[f"indicator_{lang}"], "kind": t["kind_" + row["kind"]],
            "value": plan.units.quantity(row["value"], plan.units.dimension(row["printed_unit_id"]), lang,
                                         indicator=shown),
            "printed": printed_figure(plan, row, lang, t, shown),
            "source": source_ref(plan, row["source_id"], link), "note": row[f"note_{lang}"] or "",
            "comparability": row[f"comparability_{lang}"] or "", "outside_period": row["outside_period"],
            "same_series": row["same_series"], "region_kind": row["region_kind"], "in_plan_region": row["in_plan_region"],
            "indicator_id": row["indicator_id"], "base_value": row["value"], "region_id": row["region_id"],
        })
    if indicator.get("concept"):
        comparison = plan_comparison_chart(site, plan, target, indicator["concept"], lang, t)
        if comparison:
            charts.append(comparison)
    province_charts, totals = province_view(plan, target, related, lang, t, link)
    charts += province_charts
    grid = [{"year": g["year"], "reported": g["reported_count"] > 0} for g in plan.reporting_grid.get(target_id, [])]
    context = {
        "target": {
            "id": target_id, "title": title, "wording_zh": target["wording_zh"], "summary_en": target["summary_en"],
            "target_text": target_text(plan, target, progress, lang, t), "target_year": target["target_year"],
            "quote": target["quote"], "source": source_ref(plan, target["source_id"], link),
            "note": target[f"note_{lang}"] or "",
            "indicator": plan.name(indicator, lang), "definition": indicator.get(f"definition_{lang}") or "",
            "region": plan.name(plan.regions[target["region_id"]], lang),
            "region_href": link.page(f"{plan.plan_id}/regions/{target['region_id']}"),
        },
        "status": progress["status"], "status_label": t["status_" + progress["status"]],
        "status_reason": t["reason_" + progress["status_reason"]],
        "inputs": {
            "target": target_text(plan, target, progress, lang, t),
            "baseline": (in_year(plan.units.quantity(progress["baseline_value"], dim, lang, indicator=indicator),
                                 progress["baseline_year"], t)
                         if progress["baseline_value"] is not None else None),
            "baseline_source": source_ref(plan, target.get("baseline_source_id"), link),
            "latest": (in_year(plan.units.quantity(progress["latest_value"], dim, lang, indicator=indicator),
                               progress["latest_year"], t)
                       if progress["latest_value"] is not None else None),
            "latest_source": source_ref(plan, progress["latest_source_id"], link),
            "share": None if progress["share_reached"] is None else f"{progress['share_reached'] * 100:.1f}%",
            "required": (plan.units.quantity(progress["required_value"], dim, lang, indicator=indicator)
                         if progress["required_value"] is not None else None),
        },
        "grid": grid, "missing_years": [g["year"] for g in grid if not g["reported"]],
        "related": related, "totals": totals,
    }
    return context, charts


def province_view(plan: PlanData, target: dict, related: list[dict], lang: str, t: dict, link: Linker):
    """Province figures related to a plan-region target -> (bar charts per indicator and year,
    the site's own sums over provinces, each labelled as computed and showing what it adds up)."""
    if not plan.members(target["region_id"]):
        return [], []
    indicators = {r["indicator_id"] for r in related if r["in_plan_region"]}
    charts, totals = [], []
    for total in plan.province_totals.get(target["region_id"], []):
        if total["indicator_id"] not in indicators:
            continue
        indicator = plan.indicators[total["indicator_id"]]
        dim = plan.units.dimension(indicator["unit_id"])
        rows = [r for r in related if r["indicator_id"] == total["indicator_id"] and r["year"] == total["year"]
                and r["in_plan_region"] and r["kind"] == t["kind_reported"]]
        totals.append({
            "indicator": plan.name(indicator, lang), "year": total["year"],
            "value": plan.units.quantity(total["total_value"], dim, lang, indicator=indicator),
            "coverage": t["coverage_of"].format(n=total["regions_reporting"], m=total["region_members"]),
            "complete": total["complete"], "observations": total["observation_ids"].split(" "),
            "outside_period": total["year"] > plan.plan["period_end"],
        })
        if len(rows) < 2:
            continue
        unit = plan.units.choose(max(r["base_value"] for r in rows), dim, lang)
        chart_rows = [{"region_label": r["region"], "value": round(r["base_value"] / unit.factor, 6),
                       "value_text": plan.units.quantity(r["base_value"], dim, lang, unit, indicator=indicator),
                       "year": r["year"],
                       "source": r["source"]["title"] if r["source"] else ""} for r in rows]
        title = f"{plan.name(indicator, lang)} · {total['year']}"
        labels = {"title": title, "subtitle": t["province_view"], "x": t["region"],
                  "y": plan.units.unit_name(unit, dim, lang, indicator),
                  "value": t["value"], "year": t["year"], "source": t["source"]}
        chart_id = f"target-{target['target_id']}-{total['indicator_id']}-{total['year']}"
        ranked = sorted(rows, key=lambda r: -r["base_value"])
        summary = t["clause_separator"].join(f"{r['region']} {r['value']}" for r in ranked)
        labels["description"] = t["titled_summary"].format(title=title, summary=summary)
        table = [{"year": r["year"], "series": r["region"], "value": r["value"], "printed": r["printed"],
                  "source": r["source"], "outside_period": r["outside_period"], "id": ""} for r in ranked]
        charts.append(Chart(plan.plan_id, chart_id, "region_bars", lang, f"{plan.plan_id}/targets/{target['target_id']}",
                            title, labels["description"], chart_rows, labels,
                            ["region_label", "year", "value", "value_text", "source"], table))
    return charts, totals


def plan_comparison_chart(site: SiteData, plan: PlanData, target: dict, concept: str, lang: str, t: dict) -> Chart | None:
    """Targets of several plans measuring the same thing (shared `concept`) -> a side-by-side chart."""
    rows = site.concept_targets.get(concept, [])
    dims = {r["dimension"] for r in rows}
    if len({r["plan_id"] for r in rows}) < 2 or len(dims) != 1:
        return None
    dim = dims.pop()
    unit = plan.units.choose(max(r["target_value"] for r in rows), dim, lang)
    # The targets share a concept, so this plan's indicator names what the other plans' count too.
    indicator = plan.indicators.get(target["indicator_id"])
    chart_rows = [{"plan_label": in_year(r["plan_" + lang], r["target_year"], t),
                   "value": round(r["target_value"] / unit.factor, 6), "target_year": r["target_year"],
                   "value_text": qualified(t["comparison_" + r["comparison"]],
                                           plan.units.quantity(r["target_value"], dim, lang, unit, indicator=indicator), t),
                   "target_id": r["target_id"], "plan_id": r["plan_id"]} for r in rows]
    title = t["plans_compared"]
    labels = {"title": title, "subtitle": plan.name(plan.indicators[target["indicator_id"]], lang), "x": t["plans"],
              "y": plan.units.unit_name(unit, dim, lang, indicator), "value": t["target_value"], "year": t["target_year"]}
    summary = t["clause_separator"].join(t["label_value"].format(label=r["plan_label"], value=r["value_text"])
                                         for r in chart_rows)
    labels["description"] = t["titled_summary"].format(title=title, summary=summary)
    table = [{"year": r["target_year"], "series": r["plan_label"], "value": r["value_text"], "printed": "",
              "source": None, "outside_period": False, "id": r["target_id"]} for r in chart_rows]
    return Chart(plan.plan_id, f"compare-{target['target_id']}", "plan_comparison", lang,
                 f"{plan.plan_id}/targets/{target['target_id']}", title, labels["description"], chart_rows, labels,
                 ["plan_id", "target_id", "plan_label", "target_year", "value", "value_text"], table)
