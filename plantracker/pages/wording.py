"""How pages word a plan's things, shared by every page builder: source references, target titles
and texts, the plan's name and link."""
from __future__ import annotations

from ..query import PlanData
from ..site_map import Linker
from ..text_safety import web_address


def source_ref(plan: PlanData, source_id: str | None, link: Linker) -> dict | None:
    """Source id -> {id, title, publisher, href to the plan's sources page, url, lang (the language
    the title is written in)}; None for no source."""
    if not source_id:
        return None
    source = plan.sources[source_id]
    return {"id": source_id, "title": source["title"], "publisher": source["publisher"],
            "href": link.page(f"{plan.plan_id}/sources", f"src-{source_id}"), "url": web_address(source["url"]),
            "lang": source.get("language") or ""}


def target_title(plan: PlanData, target: dict, lang: str) -> str:
    """Target -> "indicator · region" in the language."""
    indicator = plan.indicators[target["indicator_id"]]
    return f"{plan.name(indicator, lang)} · {plan.name(plan.regions[target['region_id']], lang)}"


def target_text(plan: PlanData, target: dict, progress: dict, lang: str, t: dict) -> str:
    """"at least 8亿吨" -> the comparison word and the target in display units (a count with the
    indicator's noun: "at least 30 agglomeration areas")."""
    value = plan.units.quantity(progress["target_value"], progress["dimension"], lang,
                                indicator=plan.indicators.get(target["indicator_id"]))
    return qualified(t["comparison_" + target["comparison"]], value, t)


def qualified(word: str, value: str, t: dict) -> str:
    """A word before a figure ("at least", "约") -> "at least 8 million tonnes", "约8亿吨"; the figure
    alone without a word. The string table says how the language joins them."""
    return t["qualified_value"].format(word=word, value=value) if word else value


def qualified_quantity(plan: PlanData, value: float | None, dimension: str, qualifier: str | None, lang: str,
                       t: dict, unit=None, indicator: dict | None = None, printed_unit_id: str | None = None) -> str:
    """A base-unit value and its observation qualifier -> "about 150 million tonnes", "约1.5亿吨": the
    qualifier is shown wherever the value is. A source's figure gives the unit it was printed in
    (numbers.UnitBook.quantity: its 0 keeps that unit)."""
    word = t.get(f"qualifier_{qualifier}", "") if qualifier else ""
    return qualified(word, plan.units.quantity(value, dimension, lang, unit, indicator=indicator,
                                               printed_unit_id=printed_unit_id), t)


def printed_figure(plan: PlanData, row: dict, lang: str, t: dict, indicator: dict | None = None) -> str:
    """A query row's figure as its source printed it (printed_value, printed_unit_id, qualifier) ->
    "1.5 亿吨 (150 million tonnes)", "约150 million tonnes（1.5亿吨）"."""
    word = t.get(f"qualifier_{row['qualifier']}", "") if row.get("qualifier") else ""
    return qualified(word, plan.units.printed(row["printed_value"], row["printed_unit_id"], lang, indicator=indicator), t)


def counted(key: str, n: int, t: dict) -> str:
    """A string with a count in it -> its form for n: `<key>_one` for exactly one (CLDR's English
    "one"), `<key>` otherwise ("1 place", "3 places")."""
    return t[f"{key}_one" if n == 1 else key].format(n=n)


def in_year(value: str, year, t: dict) -> str:
    """A figure and its year -> "8亿吨（2022年）", "800 million tonnes (2022)"."""
    return value + t["in_year"].format(year=year)


def plan_ref(plan: PlanData, lang: str, link: Linker) -> dict:
    """What a page inside a plan's section shows of the plan: id, titles and a link to its overview."""
    return {"id": plan.plan_id, "title": plan.text(plan.plan["title"], lang),
            "short_title": plan.text(plan.plan.get("short_title"), lang),
            "href": link.page(f"{plan.plan_id}/index")}


def in_sentence(name: str, lang: str) -> str:
    """A name as it reads inside an English sentence: its capital dropped when it only begins the
    name ("not the measure of industrial solid waste ..."), kept for an acronym or a proper noun's
    run of capitals ("GDP"); Chinese unchanged. Names are written capitalized, as titles."""
    if lang != "en" or len(name) < 2 or not name[0].isupper() or not name[1].islower():
        return name
    return name[0].lower() + name[1:]
