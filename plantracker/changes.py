"""Previous release's data + this release's (both in one database) -> Changes: figures added,
revised and removed, and targets whose status changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from .load import PREVIOUS, Database
from .numbers import UnitBook, format_number, join_unit
from .query import run_query, target_progress


@dataclass(frozen=True)
class Changes:
    """Rows of changes_figures.sql and the targets whose status changed, and what was compared.

    `status_changes` rows: plan_id, plan_zh, plan_en, target_id, target_year, indicator_zh,
    indicator_en, region_zh, region_en, old_status, new_status (labels from this release).
    `units`: each plan's UnitBook (this release's units), to word values as pages do.
    """

    previous_version: str | None  # None: the previous data came from a plain folder, or none at all
    first_release: bool
    figures: list[dict] = field(default_factory=list)
    status_changes: list[dict] = field(default_factory=list)
    units: dict[str, UnitBook] = field(default_factory=dict)

    def of_kind(self, change: str) -> list[dict]:
        """'added' | 'revised' | 'removed' -> those figure rows."""
        return [row for row in self.figures if row["change"] == change]

    def value_text(self, row: dict, side: str, lang: str) -> str | None:
        """A figure row's "old" or "new" value -> as printed, worded as the pages word it ("9,000
        亿元 (900 billion yuan)"); None for no value. A unit this release no longer has (a removed
        figure's) is shown by its label from the previous release."""
        value, unit_id = row[f"{side}_value"], row[f"{side}_unit_id"]
        if value is None:
            return None
        units = self.units.get(row["plan_id"])
        if units is not None and unit_id in units.units:
            return units.printed(value, unit_id, lang)
        return join_unit(format_number(value, lang, significant=12), row[f"{side}_unit_{lang}"] or unit_id or "", lang)


def compare_releases(db: Database, progress: list[dict], plans: list) -> Changes:
    """(database with the previous release in schema `previous`, this release's target_progress
    rows, its PlanData) -> Changes. No previous release loaded: the first release, nothing to list."""
    if db.previous_packages is None:
        return Changes(previous_version=None, first_release=True)
    figures = run_query(db.con, "changes_figures")
    # This build's status rule run against the previous release's data: a status changes only when
    # the data did (a change of the rule itself is not reported as a change).
    db.con.execute(f"set search_path = '{PREVIOUS}'")  # a constant, never data
    try:
        previous = {(r["plan_id"], r["target_id"]): r["status"] for r in target_progress(db.con)}
    finally:
        db.con.execute("reset search_path")
    return Changes(db.previous_version, False, figures, _status_changes(progress, previous, plans),
                   units={plan.plan_id: plan.units for plan in plans})


def _status_changes(progress: list[dict], previous: dict, plans: list) -> list[dict]:
    """Targets in both releases whose status differs -> labelled rows, by plan id then target id."""
    by_plan = {plan.plan_id: plan for plan in plans}
    rows = []
    for row in progress:
        key = (row["plan_id"], row["target_id"])
        if key not in previous or previous[key] == row["status"]:
            continue
        plan = by_plan[row["plan_id"]]
        target = plan.targets[row["target_id"]]
        indicator = plan.indicators.get(target["indicator_id"]) or {}
        region = plan.regions.get(target["region_id"]) or {}
        short = plan.plan.get("short_title") or {}
        rows.append({
            "plan_id": row["plan_id"], "plan_zh": short.get("zh"), "plan_en": short.get("en"),
            "target_id": row["target_id"], "target_year": target["target_year"],
            "indicator_zh": indicator.get("name_zh"), "indicator_en": indicator.get("name_en"),
            "region_zh": region.get("name_zh"), "region_en": region.get("name_en"),
            "old_status": previous[key], "new_status": row["status"],
        })
    return sorted(rows, key=lambda r: (r["plan_id"], r["target_id"]))
