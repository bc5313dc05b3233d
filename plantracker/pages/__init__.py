"""Page stage: query results -> every page of the site, each with a finished context per language and
the Charts it shows. Nothing here reads the database or writes a file; nothing changes a page after.

Modules: `plan` (a plan's section), `target`, `map`, `changes`, `api` (page builders), `wording`
(how targets, sources and plans are worded everywhere), `nav` (the navigation), `model` (Page, Chart).
"""
from __future__ import annotations

from ..cache import ObjectMemo, digest
from ..changes import Changes
from ..contract import CONTRACT
from ..numbers import format_share
from ..query import PlanData, SiteData
from ..settings import Release
from ..site_map import LANGUAGES, Linker
from .api import api_page_context
from .changes import changes_page_context
from .map import map_pages
from ..model import Chart, Page
from .nav import nav_sections, plans_in_nav
from .evidence import flags_used
from .plan import plan_pages, plan_summary

__all__ = ["Chart", "Page", "build_pages", "nav_sections", "plan_section", "section_inputs"]


def _about_band(lang: str) -> dict:
    """Language -> the uncertainty of "about X" as the methodology page states it, from the one value
    the status query also receives (contract.yml): {"about_band": "5%", "about_floor": "95%",
    "about_ceiling": "105%"}."""
    band = CONTRACT.about_band
    return {"about_band": format_share(band, lang), "about_floor": format_share(1 - band, lang),
            "about_ceiling": format_share(1 + band, lang)}


def _site_pages(site: SiteData, strings: dict, memo: ObjectMemo | None = None) -> list[Page]:
    """The pages shared by the whole site: home, methodology, about, and the list of plans when
    there are too many for a navigation section each (nav.plans_in_nav). `memo`: each plan's
    summary kept while its PlanData is the same object (see build_pages)."""
    pages = [Page("index", "home"), Page("methodology", "methodology"), Page("about", "about")]
    if not plans_in_nav(site.plans):
        pages.append(Page("plans", "plans"))
    words = digest(strings) if memo is not None else ""
    memo = memo or ObjectMemo()
    for page in pages:
        for lang in LANGUAGES:
            t, link = strings[lang], Linker(page.path, lang)
            summaries = [memo.get(p, ("plan summary", words, lang, page.path), lambda: plan_summary(p, lang, t, link))
                         for p in site.plans]
            page.contexts[lang] = {"plans": summaries, "flags": flags_used(
                *(s["provincial"] for s in summaries), *([r["latest_evidence"] for r in s["headline"]] for s in summaries))}
            if page.template == "methodology":
                page.contexts[lang].update(_about_band(lang))
            page.titles[lang] = {"home": t["site_home"], "methodology": t["methodology"], "about": t["about"],
                                 "plans": t["plans"]}[page.template]
    return pages


def _both(strings: dict, key: str) -> dict:
    return {lang: strings[lang][key] for lang in LANGUAGES}


def plan_section(site: SiteData, plan: PlanData, strings: dict) -> list[Page]:
    """One plan -> its pages (plan_pages, then its map page when it has one). They read that plan's
    data, the strings, and of other plans only those sharing a concept with it (section_inputs)."""
    maps = map_pages(plan, strings)  # none when no province has a tile position
    return plan_pages(site, plan, strings, has_map=bool(maps)) + maps


def section_inputs(site: SiteData, plan: PlanData) -> tuple[list[str], list[dict]]:
    """One plan -> (ids of the plans its section reads: itself and those sharing an indicator concept
    with it, the concept_targets rows it reads): with the strings, all plan_section depends on."""
    concepts = sorted({i["concept"] for i in plan.indicators.values() if i.get("concept")})
    rows = [row for concept in concepts for row in site.concept_targets.get(concept, [])]
    return sorted({plan.plan_id} | {row["plan_id"] for row in rows}), rows


def build_pages(site: SiteData, changes: Changes, release: Release, strings: dict,
                sections: dict[str, list[Page]] | None = None, memo: ObjectMemo | None = None) -> list[Page]:
    """(query results, changes since the previous release, release, interface strings) -> every page.
    `sections`: plan id -> that plan's pages from an earlier call with the same section_inputs and
    strings (the preview keeps them), taken instead of making them again; `memo`: the plans'
    summaries on the site's own pages, kept while a plan's PlanData is the same object (the
    preview's PlanData of an unchanged package is: PlanData is never changed after the query).

    The data page's download list (sizes, checksums) and each chart's files are not part of any
    context: the render stage receives them from the assets and chart stages.
    """
    pages = _site_pages(site, strings, memo)
    for plan in site.plans:
        pages += (sections or {}).get(plan.plan_id) or plan_section(site, plan, strings)
    previous_url = f"{release.site_url}{changes.previous_version}/" if changes.previous_version else None
    pages.append(Page("changes", "changes", titles=_both(strings, "changes"),
                      contexts={lang: changes_page_context(changes, lang, previous_url=previous_url)
                                for lang in LANGUAGES}))
    api = api_page_context([plan.plan_id for plan in site.plans], release)
    pages.append(Page("api", "api", titles=_both(strings, "api"), contexts={lang: {"api": api} for lang in LANGUAGES}))
    pages.append(Page("data", "data", titles=_both(strings, "data"), contexts={lang: {} for lang in LANGUAGES}))
    return pages
