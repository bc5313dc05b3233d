"""A plan -> its section of the site: overview, a page per target and region, sites, sources; and the
plan summaries the home, about and plans pages show."""
from __future__ import annotations

from ..query import PlanData, SiteData
from ..site_map import LANGUAGES, Linker
from ..strings import written_in
from ..text_safety import web_address
from ..model import Page
from .evidence import flags_used, observation_evidence, series_caveat
from .known import missing_grid, missing_summary, provincial_figures
from .target import target_context
from .wording import in_year, plan_ref, printed_figure, qualified_quantity, source_ref, target_text, target_title


# Every status target_progress.sql gives, best first: the order of the "at a glance" counts.
STATUSES = ("achieved", "about_reached", "on_track", "off_track", "no_data")


def status_rows(plan: PlanData, lang: str, t: dict, link: Linker, headline_only: bool = False,
                region_id: str | None = None) -> list[dict]:
    """A plan's targets (headline ones only, or those of one region) -> table rows: title, target,
    latest reported figure with its qualifier and source, status. A table of one region does not
    repeat the region's name in each title."""
    rows = []
    for target_id, target in plan.targets.items():
        if headline_only and not target["headline"] or region_id and target["region_id"] != region_id:
            continue
        progress = plan.progress[target_id]
        shown_region = region_id or plan.plan["region_id"]
        latest = progress["latest_observation_id"]
        rows.append({
            "id": target_id, "href": link.page(f"{plan.plan_id}/targets/{target_id}"),
            "title": (plan.name(plan.indicators[target["indicator_id"]], lang) if target["region_id"] == shown_region
                      else target_title(plan, target, lang)),
            "target": target_text(plan, target, progress, lang, t), "year": target["target_year"],
            "latest": (in_year(qualified_quantity(plan, progress["latest_value"], progress["dimension"],
                                                  progress.get("latest_qualifier"), lang, t,
                                                  indicator=plan.indicators.get(target["indicator_id"])),
                               progress["latest_year"], t)
                       if progress["latest_value"] is not None else None),
            "latest_evidence": observation_evidence(plan, latest, lang, t, link) if latest else None,
            "status": progress["status"], "status_label": t["status_" + progress["status"]],
        })
    return rows


def _status_counts(plan: PlanData, t: dict) -> list[dict]:
    """Plan -> how many of its targets have each status, in a fixed order, zero counts left out."""
    counts = {}
    for progress in plan.progress.values():
        counts[progress["status"]] = counts.get(progress["status"], 0) + 1
    return [{"status": s, "label": t["status_" + s], "count": counts[s]}
            for s in STATUSES if s in counts]


def plan_summary(plan: PlanData, lang: str, t: dict, link: Linker) -> dict:
    """The plan as its overview, the home and the about page show it: facts, headline targets, status counts."""
    region = plan.regions[plan.plan["region_id"]]
    return {
        **plan_ref(plan, lang, link),
        "description": plan.text(plan.plan.get("description"), lang),
        "issuer": plan.text(plan.plan.get("issuer"), lang), "issued": plan.plan.get("issued") or t["not_stated"],
        "issued_note": plan.text(plan.plan.get("issued_note"), lang),
        "period": f"{plan.plan['period_start']}–{plan.plan['period_end']}",
        "region": plan.name(region, lang),
        "members": [{"name": plan.name(r, lang), "href": link.page(f"{plan.plan_id}/regions/{r['region_id']}")}
                    for r in plan.members(region["region_id"])],
        "headline": status_rows(plan, lang, t, link, headline_only=True),
        "status_counts": _status_counts(plan, t),
        "licence_note": plan.text(plan.plan.get("licence_note"), lang),
        "source": source_ref(plan, plan.plan.get("source_id"), link),
        "provincial": provincial_figures(plan, lang, t), "missing": missing_summary(plan, lang, t),
        "missing_href": link.page(f"{plan.plan_id}/missing"),
    }


def _regions_shown(plan: PlanData) -> list[dict]:
    """The plan region, its provinces, then any other region with figures (e.g. the nation)."""
    region_id = plan.plan["region_id"]
    first = [plan.regions[region_id], *plan.members(region_id)]
    shown = {r["region_id"] for r in first}
    return first + [r for r in plan.regions.values() if r["region_id"] not in shown]


def _region_series(plan: PlanData, region: dict, lang: str, t: dict, link: Linker) -> list[dict]:
    """Every figure reported for a region -> one series per indicator, by year, each figure with its
    evidence and flags, each series with its caveats (a related series, years outside the period)."""
    series: dict[str, dict] = {}
    for row in plan.region_figures.get(region["region_id"], []):
        indicator = plan.indicators[row["indicator_id"]]
        group = series.setdefault(row["indicator_id"], {
            "indicator": row[f"indicator_{lang}"], "definition": indicator.get(f"definition_{lang}") or "",
            "comparability": indicator.get(f"comparability_{lang}") or "",
            "caveats": series_caveat(plan, row["indicator_id"], None, None, lang, t), "figures": []})
        group["figures"].append({
            "year": row["year"], "kind": t["kind_" + row["kind"]], "outside_period": row["outside_period"],
            "value": qualified_quantity(plan, row["value"], plan.units.dimension(row["printed_unit_id"]), row["qualifier"],
                                        lang, t, indicator=indicator, printed_unit_id=row["printed_unit_id"]),
            "printed": printed_figure(plan, row, lang, t, indicator),
            "evidence": observation_evidence(plan, row["observation_id"], lang, t, link)})
    return list(series.values())


def _region_context(plan: PlanData, region: dict, lang: str, t: dict, link: Linker) -> dict:
    series = _region_series(plan, region, lang, t, link)
    return {"region": {"name": plan.name(region, lang), "id": region["region_id"], "note": region.get(f"note_{lang}") or "",
                       "members": [plan.name(r, lang) for r in plan.members(region["region_id"])]},
            "series": series, "targets": status_rows(plan, lang, t, link, region_id=region["region_id"]),
            "flags": flags_used(*([f["evidence"] for f in s["figures"]] for s in series)),
            "sites": [_site_row(plan, s, lang, t, link) for s in plan.sites if s["region_id"] == region["region_id"]]}


def _site_row(plan: PlanData, site: dict, lang: str, t: dict, link: Linker) -> dict:
    target = plan.targets.get(site["target_id"]) if site.get("target_id") else None
    return {"name": site[f"name_{lang}"] or site["name_zh"], "city": site[f"city_{lang}"] or "",
            "kind": site[f"kind_{lang}"] or "", "region": plan.name(plan.regions[site["region_id"]], lang),
            "region_id": site["region_id"], "year": site["year"] or "", "named_in_plan": site["named_in_plan"],
            "target": target_title(plan, target, lang) if target else "",
            "target_href": link.page(f"{plan.plan_id}/targets/{site['target_id']}") if target else "",
            "source": source_ref(plan, site["source_id"], link), "note": site[f"note_{lang}"] or ""}


def _sites_context(plan: PlanData, lang: str, t: dict, link: Linker) -> dict:
    """Named places grouped by province, and for each target with places how many the plan named."""
    rows = [_site_row(plan, s, lang, t, link) for s in plan.sites]
    provinces = []
    for region in _regions_shown(plan):
        here = [r for r in rows if r["region_id"] == region["region_id"]]
        if here:
            provinces.append({"name": plan.name(region, lang), "id": region["region_id"],
                              "named": [r for r in here if r["named_in_plan"]],
                              "other": [r for r in here if not r["named_in_plan"]]})
    named_counts = []
    for target_id, target in plan.targets.items():
        named = [s for s in plan.sites if s.get("target_id") == target_id and s["named_in_plan"]]
        progress = plan.progress[target_id]
        if named and progress["dimension"] == "count":
            named_counts.append({"title": target_title(plan, target, lang),
                                 "href": link.page(f"{plan.plan_id}/targets/{target_id}"),
                                 "target": target_text(plan, target, progress, lang, t),
                                 "named": len(named)})
    return {"provinces": provinces, "named_counts": named_counts}


# contract.yml: a source's `note` is written in English only.
SOURCE_NOTE_LANGUAGE = "en"


def _sources_context(plan: PlanData, lang: str, t: dict, link: Linker) -> dict:
    cited: dict[str, int] = {}
    for table in (plan.targets.values(), plan.sites):
        for row in table:
            cited[row["source_id"]] = cited.get(row["source_id"], 0) + 1
    rows = []
    for source_id, source in plan.sources.items():
        rows.append({"id": source_id, "anchor": f"src-{source_id}", "title": source["title"], "publisher": source["publisher"],
                     "publisher_lang": written_in(source["publisher"]) if source["publisher"] else "",
                     "url": source["url"], "link": web_address(source["url"]), "published": str(source["published"] or t["not_stated"]),
                     "accessed": str(source["accessed"] or t["not_recorded"]),
                     "authority": t.get(f"authority_{source['authority']}", source["authority"]),
                     "reprint_of": source_ref(plan, source.get("reprint_of"), link),
                     "original": source.get("original") or "", "note": source.get("note") or "",
                     "note_lang": SOURCE_NOTE_LANGUAGE, "lang": source["language"],
                     "language": t.get(f"language_{source['language']}", source["language"])})
    return {"sources": rows}


def plan_pages(site: SiteData, plan: PlanData, strings: dict, has_map: bool = False) -> list[Page]:
    """One plan -> its section: overview, a page per target and region, sites, sources (and a link
    to its map page when it has one)."""
    pid = plan.plan_id
    pages = [Page(f"{pid}/index", "plan"), Page(f"{pid}/missing", "missing"), Page(f"{pid}/sites", "sites"),
             Page(f"{pid}/sources", "sources")]
    pages += [Page(f"{pid}/targets/{tid}", "target", specific=tid) for tid in plan.targets]
    pages += [Page(f"{pid}/regions/{r['region_id']}", "region", specific=r["region_id"]) for r in _regions_shown(plan)]
    for page in pages:
        for lang in LANGUAGES:
            t, link = strings[lang], Linker(page.path, lang)
            # Only the overview shows the plan's facts and headline targets; other pages name it.
            context = {"plan": plan_summary(plan, lang, t, link) if page.template == "plan"
                       else plan_ref(plan, lang, link)}
            if page.template == "plan":
                page.titles[lang] = context["plan"]["short_title"] or context["plan"]["title"]
                context["targets"] = status_rows(plan, lang, t, link)
                context["regions"] = [{"name": plan.name(r, lang), "href": link.page(f"{pid}/regions/{r['region_id']}")}
                                      for r in _regions_shown(plan)]
                context["map_href"] = link.page(f"{pid}/map") if has_map else None
                context["flags"] = flags_used(context["plan"]["provincial"], [r["latest_evidence"] for r in context["targets"]])
            elif page.template == "target":
                extra, charts = target_context(site, plan, page.specific, lang, t, link)
                context.update(extra)
                page.charts += charts
                page.titles[lang] = extra["target"]["title"]
            elif page.template == "region":
                context.update(_region_context(plan, plan.regions[page.specific], lang, t, link))
                page.titles[lang] = context["region"]["name"]
            elif page.template == "missing":
                context["grids"] = missing_grid(plan, lang, t, link)
                context["summary"] = missing_summary(plan, lang, t)
                context["flags"] = flags_used(*([c for row in g["rows"] for c in row["cells"]] for g in context["grids"]))
                page.titles[lang] = t["missing_title"]
            elif page.template == "sites":
                context.update(_sites_context(plan, lang, t, link))
                page.titles[lang] = t["sites"]
            elif page.template == "sources":
                context.update(_sources_context(plan, lang, t, link))
                page.titles[lang] = t["sources"]
            page.contexts[lang] = context
    return pages
