"""How pages word a plan's things, shared by every page builder: source references, target titles
and texts, the plan's name and link."""
from __future__ import annotations

from ..query import PlanData
from ..site_map import Linker
from ..text_safety import web_address


def source_ref(plan: PlanData, source_id: str | None, link: Linker) -> dict | None:
    """Source id -> {id, title, publisher, href to the plan's sources page, url}; None for no source."""
    if not source_id:
        return None
    source = plan.sources[source_id]
    return {"id": source_id, "title": source["title"], "publisher": source["publisher"],
            "href": link.page(f"{plan.plan_id}/sources", f"src-{source_id}"), "url": web_address(source["url"])}


def target_title(plan: PlanData, target: dict, lang: str) -> str:
    """Target -> "indicator · region" in the language."""
    indicator = plan.indicators[target["indicator_id"]]
    return f"{plan.name(indicator, lang)} · {plan.name(plan.regions[target['region_id']], lang)}"


def target_text(plan: PlanData, target: dict, progress: dict, lang: str, t: dict) -> str:
    """"at least 8亿吨" -> the comparison word and the target in display units."""
    value = plan.units.quantity(progress["target_value"], progress["dimension"], lang)
    return f"{t['comparison_' + target['comparison']]} {value}" if lang == "en" else f"{t['comparison_' + target['comparison']]}{value}"


def plan_ref(plan: PlanData, lang: str, link: Linker) -> dict:
    """What a page inside a plan's section shows of the plan: id, titles and a link to its overview."""
    return {"id": plan.plan_id, "title": plan.text(plan.plan["title"], lang),
            "short_title": plan.text(plan.plan.get("short_title"), lang),
            "href": link.page(f"{plan.plan_id}/index")}
