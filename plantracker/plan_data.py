"""DuckDB tables -> one PlanData per plan: lookups (regions, indicators, sources, units) and progress."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .load import PlanPackage
from .numbers import UnitBook
from .query import run_query


def _rows(con: duckdb.DuckDBPyConnection, table: str, plan_id: str) -> list[dict]:
    # Table names come from the fixed resource list, never from the data.
    cursor = con.execute(f"select * from {table} where plan_id = ? order by source_row", [plan_id])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


@dataclass
class PlanData:
    """Everything about one plan that pages need, keyed for lookup."""

    package: PlanPackage
    units: UnitBook
    regions: dict[str, dict]
    indicators: dict[str, dict]
    targets: dict[str, dict]
    sources: dict[str, dict]
    sites: list[dict]
    progress: dict[str, dict]
    reporting_grid: dict[str, list[dict]]

    @property
    def plan_id(self) -> str:
        return self.package.plan_id

    @property
    def plan(self) -> dict:
        return self.package.plan

    def text(self, mapping: dict | None, lang: str) -> str:
        """A {"zh": ..., "en": ...} value from the plan metadata -> the language's text."""
        return (mapping or {}).get(lang) or ""

    def name(self, row: dict | None, lang: str) -> str:
        return "" if row is None else (row.get(f"name_{lang}") or row.get("name_zh") or "")

    def members(self, region_id: str) -> list[dict]:
        """The provinces of a plan region (a subregion such as Beijing-Tianjin-Hebei is not one)."""
        return [r for r in self.regions.values() if r.get("member_of") == region_id and r["kind"] == "province"]


def load_plan_data(con: duckdb.DuckDBPyConnection, packages: list[PlanPackage]) -> list[PlanData]:
    """(connection, packages) -> PlanData per plan, in the packages' order."""
    progress = run_query(con, "target_progress")
    plans = []
    for package in packages:
        pid = package.plan_id
        grid: dict[str, list[dict]] = {}
        for row in run_query(con, "reporting_grid", plan_id=pid):
            grid.setdefault(row["target_id"], []).append(row)
        plans.append(PlanData(
            package=package,
            units=UnitBook(_rows(con, "units", pid)),
            regions={r["region_id"]: r for r in _rows(con, "regions", pid)},
            indicators={r["indicator_id"]: r for r in _rows(con, "indicators", pid)},
            targets={r["target_id"]: r for r in _rows(con, "targets", pid)},
            sources={r["source_id"]: r for r in _rows(con, "sources", pid)},
            sites=_rows(con, "sites", pid),
            progress={r["target_id"]: r for r in progress if r["plan_id"] == pid},
            reporting_grid=grid,
        ))
    return plans
