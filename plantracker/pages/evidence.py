"""Where a figure comes from, as every page shows it: its source (linked, with its authority), the
source's own words (in the source's language, labelled on the other language's pages), the flags
that say how sure it is, and the caveats that travel with a series that is not a target's own."""
from __future__ import annotations

from ..query import PlanData
from ..site_map import Linker
from .wording import in_sentence, source_ref

# What every chart CSV carries of a figure's evidence (csv_evidence), after its value columns.
CSV_EVIDENCE = ("source", "source_url", "authority", "quote", "confidence")


def source_view(plan: PlanData, source_id: str | None, lang: str, t: dict, link: Linker) -> dict | None:
    """Source id -> source_ref plus `authority` (its grade, in words) and `language`; None for none."""
    ref = source_ref(plan, source_id, link)
    if ref is None:
        return None
    source = plan.sources[source_id]
    return {**ref, "authority": t.get(f"authority_{source['authority']}", source["authority"]),
            "authority_key": source["authority"], "language": source.get("language") or "zh"}


def quote_view(text: str | None, source_language: str, lang: str, t: dict) -> dict | None:
    """A source's words -> {text, lang, label}: `label` names the language when it is not the page's."""
    if not text:
        return None
    label = "" if source_language == lang else t.get(f"quote_in_{source_language}", t["quote_in_other"])
    return {"text": text, "lang": source_language, "label": label}


def flag_views(confidence: str | None, t: dict) -> list[dict]:
    """An observation's confidence flags ("single_copy;year_inferred") -> [{key, label, why}] in order."""
    return [{"key": key, "label": t[f"flag_{key}"], "why": t[f"flag_{key}_why"]}
            for key in (confidence or "").split(";") if key]


def observation_evidence(plan: PlanData, observation_id: str, lang: str, t: dict, link: Linker) -> dict:
    """An observation -> {id, source, quote, flags, forecast, note}: what shows where its figure came from."""
    row = plan.observations[observation_id]
    source = source_view(plan, row["source_id"], lang, t, link)
    return {"id": observation_id, "source": source,
            "quote": quote_view(row["quote"], source["language"] if source else "zh", lang, t),
            "flags": flag_views(row.get("confidence"), t), "forecast": row.get("qualifier") == "expected",
            "note": row.get(f"note_{lang}") or ""}


def target_evidence(plan: PlanData, target: dict, lang: str, t: dict, link: Linker) -> dict:
    """A target -> the same shape as observation_evidence, for the figure the plan set."""
    source = source_view(plan, target["source_id"], lang, t, link)
    return {"id": target["target_id"], "source": source,
            "quote": quote_view(target["quote"], source["language"] if source else "zh", lang, t),
            "flags": [], "forecast": False, "note": target.get(f"note_{lang}") or ""}


def flags_used(*evidence_lists) -> list[dict]:
    """Evidence of a page's figures -> each flag they carry, once, in first-seen order (the page's legend)."""
    seen: dict[str, dict] = {}
    for evidence in evidence_lists:
        for item in evidence:
            for flag in (item or {}).get("flags", []):
                seen.setdefault(flag["key"], flag)
    return list(seen.values())


def series_caveat(plan: PlanData, indicator_id: str, target: dict | None, year: int | None, lang: str, t: dict) -> list[str]:
    """A series shown beside a target (or on a map) -> the caveats that travel with it: not the
    target's own measure (its comparability note), and outside the plan period."""
    caveats = []
    indicator = plan.indicators[indicator_id]
    if target is not None and indicator_id != target["indicator_id"]:
        target_indicator = plan.indicators[target["indicator_id"]]
        caveats.append(t["caveat_other_series"].format(series=plan.name(indicator, lang),
                                                        target=in_sentence(plan.name(target_indicator, lang), lang)))
    elif target is None and indicator.get("comparable_to"):
        measured = plan.indicators[indicator["comparable_to"]]
        caveats.append(t["caveat_other_series"].format(series=plan.name(indicator, lang),
                                                        target=in_sentence(plan.name(measured, lang), lang)))
    if year is not None and not plan.plan["period_start"] <= year <= plan.plan["period_end"]:
        caveats.append(t["caveat_outside_period"].format(year=year, start=plan.plan["period_start"],
                                                         end=plan.plan["period_end"]))
    return caveats


def csv_evidence(evidence: dict | None) -> dict:
    """A figure's evidence -> the columns a chart's CSV carries for it: source title and URL, its
    authority, the source's own words, the confidence flags (their keys, as the data has them)."""
    if not evidence or not evidence.get("source"):
        return {"source": "", "source_url": "", "authority": "", "quote": "", "confidence": ""}
    return {"source": evidence["source"]["title"], "source_url": evidence["source"]["url"],
            "authority": evidence["source"]["authority"], "quote": (evidence.get("quote") or {}).get("text", ""),
            "confidence": ";".join(f["key"] for f in evidence.get("flags", []))}
