"""Plans and pages -> the site navigation (titles per language, doc path or children)."""
from __future__ import annotations

from ..site_map import LANGUAGES

# Beyond this many plans the navigation lists one "Plans" page instead of a section per plan.
# A sidebar of dozens of plans is no help on a phone, and Material writes every listed section
# into every page: at 200 plans pages weighed 150 KB (48 KB with 2) and half of the MkDocs build
# went into drawing the navigation, so the build grew with the square of the plans.
NAV_PLAN_SECTIONS_MAX = 10


def plans_in_nav(plans: list) -> bool:
    """True: each plan is a section of the navigation; False: one "Plans" page lists them all."""
    return len(plans) <= NAV_PLAN_SECTIONS_MAX


def nav_sections(plans, strings: dict, page_titles: dict[str, dict]) -> list:
    """Plans -> nav tree, listing only rendered pages."""
    def both(key):
        return {lang: strings[lang][key] for lang in LANGUAGES}

    sections = [(both("site_home"), "index")]
    if not plans_in_nav(plans):
        # Each plan's pages stay reachable from this page, through each plan's overview.
        sections.append((both("plans"), "plans"))
    else:
        for plan in plans:
            sections.append(_plan_section(plan, both, page_titles))
    sections += [(both("data"), "data"), (both("changes"), "changes"), (both("api"), "api"),
                 (both("methodology"), "methodology"), (both("about"), "about")]
    return sections


def _plan_section(plan, both, page_titles: dict[str, dict]) -> tuple:
    pid = plan.plan_id
    title = {lang: plan.text(plan.plan.get("short_title"), lang) or plan.text(plan.plan["title"], lang)
             for lang in LANGUAGES}
    targets = [(page_titles[f"{pid}/targets/{tid}"], f"{pid}/targets/{tid}") for tid in plan.targets]
    regions = [({lang: plan.name(r, lang) for lang in LANGUAGES}, f"{pid}/regions/{r['region_id']}")
               for r in plan.regions.values() if f"{pid}/regions/{r['region_id']}" in page_titles]
    return (title, [
        (both("plan_overview"), f"{pid}/index"),
        (both("missing_title"), f"{pid}/missing"),
        (both("target_pages"), targets),
        (both("region_pages"), regions),
        (both("sites"), f"{pid}/sites"),
        *([(both("map"), f"{pid}/map")] if f"{pid}/map" in page_titles else []),
        (both("sources"), f"{pid}/sources"),
    ])
