"""A target of a plan -> its page context (finished values) and the charts it shows.

Every figure on the page carries its evidence (pages.evidence: source, authority, the source's own
words, confidence flags); a series that is not the target's own measure, or lies outside the plan
period, carries its caveats into its chart's subtitle, caption and summary, and beside any sum the
site computes from it. A computed figure never stands where the target's reported figure would.
"""
from __future__ import annotations

from ..numbers import count_noun, format_share, plain_value
from ..query import PlanData, SiteData
from ..site_map import LANGUAGES, Linker
from .evidence import CSV_EVIDENCE, csv_evidence, flags_used, observation_evidence, series_caveat, source_view, target_evidence
from ..model import Chart
from .wording import in_year, printed_figure, qualified, qualified_quantity, target_text, target_title

SERIES_ORDER = ("reported", "forecast", "baseline", "target_baseline", "target")


def status_summary(plan: PlanData, target: dict, progress: dict, lang: str, t: dict) -> str:
    """The chart's text alternative: target, baseline, latest figure and status in words."""
    dim = progress["dimension"]
    indicator = plan.indicators.get(target["indicator_id"])
    parts = [t["summary_target"].format(target=target_text(plan, target, progress, lang, t), year=target["target_year"])]
    if progress["baseline_value"] is not None:
        parts.append(t["summary_baseline"].format(
            value=qualified_quantity(plan, progress["baseline_value"], dim, progress["baseline_qualifier"], lang, t,
                                     indicator=indicator),
            year=progress["baseline_year"]))
    if progress["latest_value"] is not None:
        parts.append(t["summary_latest"].format(
            value=qualified_quantity(plan, progress["latest_value"], dim, progress.get("latest_qualifier"), lang, t,
                                     indicator=indicator),
            year=progress["latest_year"]))
    else:
        parts.append(t["summary_none"])
    parts.append(t["summary_status"].format(status=t["status_" + progress["status"]]))
    return t["sentence_separator"].join(parts)


def _evidence(plan: PlanData, row: dict, target: dict, lang: str, t: dict, link: Linker) -> dict | None:
    """A row of target_series.sql -> its figure's evidence (an observation's, or the target's)."""
    if row["series"] in ("reported", "forecast", "baseline"):
        return observation_evidence(plan, row["figure_id"], lang, t, link)
    if row["series"] == "target":
        return target_evidence(plan, target, lang, t, link)
    source = source_view(plan, row["source_id"], lang, t, link)
    return {"id": row["figure_id"], "source": source, "quote": None, "flags": [], "forecast": False, "note": ""}


def _series_rows(plan: PlanData, target: dict, progress: dict, lang: str, t: dict, link: Linker):
    series = plan.series.get(target["target_id"], [])
    unit = plan.units.choose(progress["target_value"], progress["dimension"], lang)
    indicator = plan.indicators.get(target["indicator_id"])
    unit_name = plan.units.unit_name(unit, progress["dimension"], lang, indicator)
    seen, table, chart = set(), [], []
    for row in series:
        key = (row["year"], row["value"])
        # The plan's own baseline repeats a baseline observation when both exist: plot it once.
        if row["series"] == "target_baseline" and key in seen:
            continue
        seen.add(key)
        evidence = _evidence(plan, row, target, lang, t, link)
        if row["series"] == "target":  # the target as the plan words it: "more than 9000亿元", "约2200亿元"
            word = t["comparison_" + target["comparison"]]
            value_text = qualified(word, plan.units.quantity(row["value"], progress["dimension"], lang, unit,
                                                             indicator=indicator), t)
            printed = qualified(word, plan.units.printed(row["printed_value"], row["printed_unit_id"], lang,
                                                         indicator=indicator), t)
        else:
            qualifier = progress["baseline_qualifier"] if row["series"] == "target_baseline" else row["qualifier"]
            value_text = qualified_quantity(plan, row["value"], progress["dimension"], qualifier, lang, t, unit,
                                            indicator=indicator)
            printed = printed_figure(plan, {**row, "qualifier": qualifier}, lang, t, indicator)
        table.append({"year": row["year"], "series": t["series_" + row["series"]], "value": value_text,
                      "printed": printed,
                      "source": evidence["source"] if evidence else None, "evidence": evidence,
                      "outside_period": row["outside_period"], "id": row["figure_id"]})
        chart.append({"year": row["year"], "value": plain_value(row["value"] / unit.factor), "unit": unit_name,
                      "series": row["series"], "series_label": t["series_" + row["series"]], "value_text": value_text,
                      **csv_evidence(evidence), "figure_id": row["figure_id"]})
    if progress["baseline_value"] is not None:
        for year, value in ((progress["baseline_year"], progress["baseline_value"]),
                            (target["target_year"], progress["target_value"])):
            chart.append({"year": year, "value": plain_value(value / unit.factor), "unit": unit_name, "series": "path",
                          "series_label": t["series_path"],
                          "value_text": plan.units.quantity(value, progress["dimension"], lang, unit, indicator=indicator),
                          **csv_evidence(None), "figure_id": ""})
    return table, chart, unit


def _inputs(plan: PlanData, target: dict, progress: dict, table: list[dict], lang: str, t: dict, link: Linker) -> dict:
    """What the status was judged from, each figure with its evidence."""
    dim = progress["dimension"]
    indicator = plan.indicators.get(target["indicator_id"])
    baseline = next((r for r in table if r["id"] and r["year"] == progress["baseline_year"]
                     and r["series"] == t["series_baseline"]), None)
    latest = progress["latest_observation_id"]
    forecast = progress.get("forecast_observation_id")

    def dated(value, year, qualifier=None):
        return in_year(qualified_quantity(plan, value, dim, qualifier, lang, t, indicator=indicator), year, t)

    return {
        "target": target_text(plan, target, progress, lang, t),
        "baseline": (dated(progress["baseline_value"], progress["baseline_year"], progress["baseline_qualifier"])
                     if progress["baseline_value"] is not None else None),
        "baseline_evidence": (baseline["evidence"] if baseline else
                              {"source": source_view(plan, target.get("baseline_source_id"), lang, t, link),
                               "quote": None, "flags": []}),
        "latest": (dated(progress["latest_value"], progress["latest_year"], progress.get("latest_qualifier"))
                   if progress["latest_value"] is not None else None),
        "latest_evidence": observation_evidence(plan, latest, lang, t, link) if latest else None,
        "forecast": dated(progress["forecast_value"], progress["forecast_year"], "expected") if forecast else None,
        "forecast_evidence": observation_evidence(plan, forecast, lang, t, link) if forecast else None,
        "share": None if progress["share_reached"] is None else format_share(progress["share_reached"], lang),
        # A point on a straight line, not a sum of printed figures: its digits past the sixth are
        # the division's, not the data's.
        "required": (plan.units.quantity(progress["required_value"], dim, lang, indicator=indicator, significant=6)
                     if progress["required_value"] is not None else None),
    }


def _related(plan: PlanData, target: dict, lang: str, t: dict, link: Linker) -> list[dict]:
    """Figures that bear on the target without being its own series -> rows with evidence."""
    rows = []
    for row in plan.related.get(target["target_id"], []):
        shown = plan.indicators.get(row["indicator_id"])
        rows.append({
            "region": plan.name(plan.regions[row["region_id"]], lang), "year": row["year"],
            "indicator": row[f"indicator_{lang}"], "kind": t["kind_" + row["kind"]],
            "value": qualified_quantity(plan, row["value"], plan.units.dimension(row["printed_unit_id"]), row["qualifier"],
                                        lang, t, indicator=shown, printed_unit_id=row["printed_unit_id"]),
            "printed": printed_figure(plan, row, lang, t, shown),
            "evidence": observation_evidence(plan, row["observation_id"], lang, t, link),
            "comparability": row[f"comparability_{lang}"] or "", "outside_period": row["outside_period"],
            "same_series": row["same_series"], "region_kind": row["region_kind"], "in_plan_region": row["in_plan_region"],
            "indicator_id": row["indicator_id"], "base_value": row["value"], "region_id": row["region_id"],
        })
    return rows


def _related_groups(plan: PlanData, target: dict, related: list[dict], totals: list[dict], lang: str,
                    t: dict) -> list[dict]:
    """Related figures -> one group per indicator: its caveats and comparability note once, its
    figures, and the site's own sums over provinces (each carrying the same caveats)."""
    groups: dict[str, dict] = {}
    for row in related:
        group = groups.setdefault(row["indicator_id"], {
            "indicator": row["indicator"], "comparability": row["comparability"],
            "caveats": series_caveat(plan, row["indicator_id"], target, None, lang, t),
            "figures": [], "totals": [], "chart_ids": []})
        group["figures"].append(row)
    for total in totals:
        groups[total["indicator_id"]]["totals"].append(total)
        if total["chart_id"]:
            groups[total["indicator_id"]]["chart_ids"].append(total["chart_id"])
    return list(groups.values())


def target_context(site: SiteData, plan: PlanData, target_id: str, lang: str, t: dict,
                   link: Linker) -> tuple[dict, list[Chart]]:
    """One target in one language -> (template context, the charts the page shows)."""
    target = plan.targets[target_id]
    progress = plan.progress[target_id]
    indicator = plan.indicators[target["indicator_id"]]
    table, chart_rows, unit = _series_rows(plan, target, progress, lang, t, link)
    title = target_title(plan, target, lang)
    years = sorted({r["year"] for r in chart_rows} | {plan.plan["period_start"], target["target_year"]})
    summary = status_summary(plan, target, progress, lang, t)
    labels = {"title": title, "subtitle": in_year(target_text(plan, target, progress, lang, t), target["target_year"], t),
              "series_order": [t["series_" + s] for s in SERIES_ORDER if any(r["series"] == s for r in chart_rows)],
              "legend": t["kind"], "x": t["year"], "y": plan.units.unit_name(unit, progress["dimension"], lang, indicator),
              "value": t["value"], "source": t["source"],
              "years": list(range(years[0], years[-1] + 1)), "description": summary}
    page = f"{plan.plan_id}/targets/{target_id}"
    charts = [Chart(plan.plan_id, f"target-{target_id}", "target_progress", lang, page, title, summary, chart_rows,
                    labels, ["year", "series", "value", "unit", "value_text", *CSV_EVIDENCE, "figure_id"], table)]
    related = _related(plan, target, lang, t, link)
    comparison = None
    if indicator.get("concept"):
        comparison = plan_comparison_chart(site, plan, target, indicator["concept"], lang, t, link)
        if comparison:
            charts.append(comparison)
    province_charts, totals = province_view(plan, target, related, lang, t)
    charts += province_charts
    inputs = _inputs(plan, target, progress, table, lang, t, link)
    grid = [{"year": g["year"], "reported": g["reported_count"] > 0} for g in plan.reporting_grid.get(target_id, [])]
    context = {
        "target": {
            "id": target_id, "title": title, "wording_zh": target["wording_zh"], "summary_en": target["summary_en"],
            "target_text": target_text(plan, target, progress, lang, t), "target_year": target["target_year"],
            "evidence": target_evidence(plan, target, lang, t, link), "note": target[f"note_{lang}"] or "",
            "indicator": plan.name(indicator, lang), "definition": indicator.get(f"definition_{lang}") or "",
            "region": plan.name(plan.regions[target["region_id"]], lang),
            "region_href": link.page(f"{plan.plan_id}/regions/{target['region_id']}"),
        },
        "status": progress["status"], "status_label": t["status_" + progress["status"]],
        "status_reason": t["reason_" + progress["status_reason"]],
        "inputs": inputs, "progress_chart": charts[0].chart_id,
        "comparison_chart": comparison.chart_id if comparison else None,
        "grid": grid, "missing_years": [g["year"] for g in grid if not g["reported"]],
        "related_groups": _related_groups(plan, target, related, totals, lang, t),
        "flags": flags_used([inputs["latest_evidence"], inputs["baseline_evidence"], inputs["forecast_evidence"]],
                            [row.get("evidence") for row in table], [row["evidence"] for row in related]),
    }
    return context, charts


def _flag_caveat(evidence: list[dict], t: dict) -> list[str]:
    """Figures' evidence -> one caveat naming the flags all of them carry ("one copy only, year inferred")."""
    keys = [set(f["key"] for f in e["flags"]) for e in evidence]
    shared = set.intersection(*keys) if keys else set()
    flags = [f for f in evidence[0]["flags"] if f["key"] in shared] if evidence else []
    return [t["caveat_flags"].format(flags=t["list_separator"].join(f["label"] for f in flags))] if flags else []


def province_view(plan: PlanData, target: dict, related: list[dict], lang: str, t: dict):
    """Province figures related to a plan-region target -> (bar charts per indicator and year,
    the site's own sums over provinces, each labelled as computed and showing what it adds up).
    Each chart and sum carries the series' caveats (other series, outside the plan period, flags)."""
    if not plan.members(target["region_id"]):
        return [], []
    indicators = {r["indicator_id"] for r in related if r["in_plan_region"]}
    charts, totals = [], []
    for total in plan.province_totals.get(target["region_id"], []):
        if total["indicator_id"] not in indicators:
            continue
        indicator = plan.indicators[total["indicator_id"]]
        dim = plan.units.dimension(indicator["unit_id"])
        # Exactly the figures the sum adds (province_totals.sql: one a province, never a forecast).
        summed = set(total["observation_ids"].split(" "))
        rows = [r for r in related if r["indicator_id"] == total["indicator_id"] and r["year"] == total["year"]
                and r["in_plan_region"] and r["evidence"]["id"] in summed]
        caveats = (series_caveat(plan, total["indicator_id"], target, total["year"], lang, t)
                   + _flag_caveat([r["evidence"] for r in rows], t)
                   + ([t["caveat_sum_qualified"].format(n=total["qualified_parts"])] if total["qualified_parts"] else []))
        # What the sum adds, as the related figures' table writes each (province and figure; the
        # observation ids named no row a reader could see), largest first, as the chart ranks them.
        ranked = sorted(rows, key=lambda r: -r["base_value"])
        addends = [t["label_value"].format(label=r["region"], value=r["value"]) for r in ranked]
        totals.append({
            "indicator_id": total["indicator_id"], "indicator": plan.name(indicator, lang), "year": total["year"],
            "value": plan.units.quantity(total["total_value"], dim, lang, indicator=indicator),
            "coverage": t["coverage_of"].format(n=total["regions_reporting"], m=total["region_members"]),
            "complete": total["complete"], "addends": addends,
            "outside_period": total["year"] > plan.plan["period_end"], "caveats": caveats,
            "chart_id": f"target-{target['target_id']}--{total['indicator_id']}-{total['year']}" if len(rows) >= 2 else None,
        })
        if len(rows) < 2:
            continue
        unit = plan.units.choose(max(r["base_value"] for r in rows), dim, lang)
        unit_name = plan.units.unit_name(unit, dim, lang, indicator)
        # The axis (and `value`, `unit`) in the largest figure's unit; each bar's label as the table
        # below writes it, in its own unit: "114万吨", not "0.0114亿吨" beside "2.232亿吨".
        chart_rows = [{"region_label": r["region"], "value": plain_value(r["base_value"] / unit.factor), "unit": unit_name,
                       "value_text": r["value"],
                       "year": r["year"], **csv_evidence(r["evidence"]), "figure_id": r["evidence"]["id"]} for r in rows]
        title = f"{plan.name(indicator, lang)} · {total['year']}"
        labels = {"title": title, "subtitle": t["province_view"], "caveats": caveats, "x": t["region"],
                  "y": unit_name, "value": t["value"], "year": t["year"], "source": t["source"]}
        chart_id = totals[-1]["chart_id"]
        listed = t["clause_separator"].join(addends)
        # The title stands beside the summary wherever it is shown (caption, embed page): not again in it.
        summary = t["sentence_separator"].join([t["summary_sentence"].format(summary=listed), *caveats])
        labels["description"] = summary
        table = [{"year": r["year"], "series": r["region"], "value": r["value"], "printed": r["printed"],
                  "source": r["evidence"]["source"], "evidence": r["evidence"], "outside_period": r["outside_period"],
                  "id": r["evidence"]["id"]} for r in ranked]
        charts.append(Chart(plan.plan_id, chart_id, "region_bars", lang, f"{plan.plan_id}/targets/{target['target_id']}",
                            title, summary, chart_rows, labels,
                            ["region_label", "year", "value", "unit", "value_text", *CSV_EVIDENCE, "figure_id"], table, caveats))
    return charts, totals


def _plan_differences(site: SiteData, rows: list[dict], bar_labels: list[str], lang: str, t: dict) -> list[str]:
    """Targets of several plans side by side -> what differs between them, from the data: each
    plan's region (its provinces) and its own wording of the target, each plan named in full after
    its bar's short label, so the reader can tell which bar is which plan."""
    plans = {p.plan_id: p for p in site.plans}
    differences = []
    for row, label in zip(rows, bar_labels):
        other = plans[row["plan_id"]]
        target = other.targets[row["target_id"]]
        region = other.regions[target["region_id"]]
        members = other.members(region["region_id"])
        # The target's own words ("到2022年,区域年综合利用工业固废量8亿吨"), not only the indicator's name.
        wording = target["wording_zh"] or other.indicators[target["indicator_id"]].get("plan_wording_zh")
        named = t["compare_plan_named"].format(label=label, plan=row[f"plan_{lang}"])
        # A province's target has no member provinces to list ("0 provincial units").
        differences.append(t["compare_plan_scope" if members else "compare_plan_scope_region"].format(
            plan=named, region=other.name(region, lang), count=len(members),
            members=t["list_separator"].join(other.name(m, lang) for m in members), wording=wording))
    return differences


def _printed_target(plan: PlanData, target_id: str, indicator: dict | None, lang: str, t: dict) -> str:
    """A target -> its value in its source's unit, as the plan words it ("约2200亿元")."""
    target = plan.targets[target_id]
    return qualified(t["comparison_" + target["comparison"]],
                     plan.units.printed(target["value"], target["unit_id"], lang, indicator=indicator), t)


def _bar_labels(site: SiteData, rows: list[dict], lang: str, t: dict) -> list[str]:
    """Targets of several plans -> one short label per bar, the shortest that tells every bar apart:
    each plan's period ("2015–2017 plan"); with its target year when a period has more than one
    target; else with the target's id, and the plan's id where two plans share period and id. The
    plans' names begin alike ("JJJ industrial resource utilization ..."), so an axis cut them off
    before the part that differs; the full names stay in the subtitle."""
    plans = {p.plan_id: p.plan for p in site.plans}
    period = [t["compare_plan_label"].format(start=plans[r["plan_id"]]["period_start"],
                                             end=plans[r["plan_id"]]["period_end"]) for r in rows]
    # A plan may set several targets of one concept (a region and a province, or two years). Past
    # the year, the target's id tells them apart: short, so the axis never cuts it (a region's name
    # could be cut to the part all bars share), and the subtitle says what each label stands for.
    for labels in (period, [in_year(p, r["target_year"], t) for p, r in zip(period, rows)],
                   [f"{p} · {r['target_id']}" for p, r in zip(period, rows)]):
        if len(set(labels)) == len(labels):
            return labels
    # Target ids are unique within a plan only.
    return [f"{p} · {r['plan_id']} {r['target_id']}" for p, r in zip(period, rows)]


def _count_nouns_differ(indicators: list[dict | None]) -> bool:
    """Indicators of bars side by side -> whether, in any language, they count things by other
    nouns ("demonstration bases", "utilization bases"): then no one noun names the axis, in
    either language, so both languages' charts title it alike."""
    return any(len({(noun.one, noun.other) if (noun := count_noun(indicator, lang)) else None
                    for indicator in indicators}) > 1 for lang in LANGUAGES)


def plan_comparison_chart(site: SiteData, plan: PlanData, target: dict, concept: str, lang: str, t: dict,
                          link: Linker) -> Chart | None:
    """Targets of several plans measuring the same thing (shared `concept`) -> a side-by-side chart
    that states what differs between them (region, wording) and cites each target's source."""
    rows = site.concept_targets.get(concept, [])
    dims = {r["dimension"] for r in rows}
    if len({r["plan_id"] for r in rows}) < 2 or len(dims) != 1:
        return None
    dim = dims.pop()
    unit = plan.units.choose(max(r["target_value"] for r in rows), dim, lang)
    plans = {p.plan_id: p for p in site.plans}
    evidence = {r["target_id"]: target_evidence(plans[r["plan_id"]], plans[r["plan_id"]].targets[r["target_id"]], lang, t, link)
                for r in rows}
    # A shared concept is not a shared noun: each plan counts its own things ("utilization bases",
    # "demonstration bases"), so each bar is worded with its own plan's indicator.
    indicators = {r["target_id"]: plans[r["plan_id"]].indicators.get(plans[r["plan_id"]].targets[r["target_id"]]["indicator_id"])
                  for r in rows}
    unit_names = {tid: plan.units.unit_name(unit, dim, lang, shown) for tid, shown in indicators.items()}
    bar_labels = _bar_labels(site, rows, lang, t)
    # Each bar's value in its own display unit, as the site's tables write a figure; the axis and
    # the `value` column keep the one unit chosen from the largest.
    chart_rows = [{"plan_label": label, "plan": r["plan_" + lang],
                   "value": plain_value(r["target_value"] / unit.factor), "unit": unit_names[r["target_id"]],
                   "target_year": r["target_year"],
                   "value_text": qualified(t["comparison_" + r["comparison"]],
                                           plan.units.quantity(r["target_value"], dim, lang,
                                                               indicator=indicators[r["target_id"]]), t),
                   "target_id": r["target_id"], "plan_id": r["plan_id"], **csv_evidence(evidence[r["target_id"]])}
                  for r, label in zip(rows, bar_labels)]
    # The axis names the nouns only when every plan's is the same; when they differ, a neutral word
    # ("Number": "count" would name no thing); else the unit (亿吨, or 个 for a count without nouns).
    axis = set(unit_names.values())
    if _count_nouns_differ(list(indicators.values())):
        axis_name = t["compare_axis_count"]
    else:
        axis_name = axis.pop() if len(axis) == 1 else plan.units.unit_name(unit, dim, lang)
    title = t["plans_compared"]
    caveats = [t["compare_caveat"], *_plan_differences(site, rows, bar_labels, lang, t)]
    labels = {"title": title, "subtitle": plan.name(plan.indicators[target["indicator_id"]], lang), "caveats": caveats,
              "x": t["plans"], "y": axis_name, "value": t["target_value"], "year": t["target_year"]}
    listed = t["clause_separator"].join(t["label_value"].format(label=r["plan_label"], value=r["value_text"])
                                        for r in chart_rows)
    summary = t["sentence_separator"].join([t["summary_sentence"].format(summary=listed), *caveats])
    labels["description"] = summary
    table = [{"year": r["target_year"], "series": r["plan_label"], "value": r["value_text"],
              "printed": _printed_target(plans[r["plan_id"]], r["target_id"], indicators[r["target_id"]], lang, t),
              "source": evidence[r["target_id"]]["source"], "evidence": evidence[r["target_id"]], "outside_period": False,
              "id": r["target_id"]} for r in chart_rows]
    # Where the title stands alone (caption, embed page, table) it names what is compared; the chart
    # draws that as its subtitle.
    named = f"{labels['subtitle']} · {title}"
    return Chart(plan.plan_id, f"compare-{target['target_id']}", "plan_comparison", lang,
                 f"{plan.plan_id}/targets/{target['target_id']}", named, summary, chart_rows, labels,
                 ["plan_id", "target_id", "plan_label", "plan", "target_year", "value", "unit", "value_text",
                  *CSV_EVIDENCE],
                 table, caveats)
