"""Query stage: the loaded database -> SiteData, every row the pages and assets need, each query run once.

Queries live in `plantracker/sql/<name>.sql` (one query per file, named after its result, a header
stating its grain and parameters) and run with DuckDB named parameters. Later stages never touch
the database for page content: they read SiteData.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Mapping

import duckdb

from .contract import CONTRACT
from .load import Database, PlanPackage
from .numbers import UnitBook

SQL_DIR = Path(__file__).parent / "sql"
# The resources whose rows PlanData keeps, keyed by their id where they have one.
_KEYED = {"units": None, "regions": "region_id", "indicators": "indicator_id", "targets": "target_id",
          "sources": "source_id", "sites": None, "observations": "observation_id"}


@cache
def sql_text(name: str) -> str:
    """Query name -> its SQL text (read once per process)."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params) -> list[dict]:
    """(connection, query name, named parameters) -> list of row dicts in the query's column order."""
    cursor = con.execute(sql_text(name), params) if params else con.execute(sql_text(name))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def grouped(rows: list[dict], column: str) -> dict:
    """Rows -> {value of column: rows with that value}, in the rows' order."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


@dataclass
class PlanData:
    """Everything about one plan that pages and assets need, keyed for lookup.

    Lookups: regions, indicators, targets, sources, observations by id; units as a UnitBook; sites
    in file order.
    Query rows: `progress` (target_progress.sql, by target id), `reporting_grid`, `series`
    (target_series.sql) and `related` (related_figures.sql) by target id, `region_figures` by
    region id, `province_totals` by plan region id, `map_figures` (rows of map_figures.sql).
    """

    package: PlanPackage
    units: UnitBook
    regions: dict[str, dict]
    indicators: dict[str, dict]
    targets: dict[str, dict]
    sources: dict[str, dict]
    observations: dict[str, dict]
    sites: list[dict]
    progress: dict[str, dict]
    reporting_grid: dict[str, list[dict]] = field(default_factory=dict)
    series: dict[str, list[dict]] = field(default_factory=dict)
    related: dict[str, list[dict]] = field(default_factory=dict)
    region_figures: dict[str, list[dict]] = field(default_factory=dict)
    province_totals: dict[str, list[dict]] = field(default_factory=dict)
    map_figures: list[dict] = field(default_factory=list)

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


@dataclass
class SiteData:
    """What the query stage found: one PlanData per plan (in the packages' order), the targets of
    several plans that share an indicator concept (by concept), and every target's progress row."""

    plans: list[PlanData]
    concept_targets: dict[str, list[dict]]
    progress: list[dict]


def _plan_data(con: duckdb.DuckDBPyConnection, package: PlanPackage, progress: list[dict]) -> PlanData:
    pid = package.plan_id
    tables = {name: run_query(con, "plan_table", table=name, plan_id=pid) for name in _KEYED}
    lookups = {name: {row[key]: row for row in tables[name]} for name, key in _KEYED.items() if key}
    return PlanData(
        package=package, units=UnitBook(tables["units"]), sites=tables["sites"],
        progress={row["target_id"]: row for row in progress if row["plan_id"] == pid},
        reporting_grid=grouped(run_query(con, "reporting_grid", plan_id=pid), "target_id"),
        series=grouped(run_query(con, "target_series", plan_id=pid), "target_id"),
        related=grouped(run_query(con, "related_figures", plan_id=pid), "for_target"),
        region_figures=grouped(run_query(con, "region_figures", plan_id=pid), "region_id"),
        province_totals=grouped(run_query(con, "province_totals", plan_id=pid), "parent_region_id"),
        map_figures=run_query(con, "map_figures", plan_id=pid, region_id=package.plan["region_id"]),
        **lookups,
    )


def target_progress(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Connection -> target_progress.sql's rows for the tables on its search path (this release's,
    or the previous release's for "What changed"), with the contract's one `about` band."""
    return run_query(con, "target_progress", about_band=CONTRACT.about_band)


def _reused(plan: PlanData, package: PlanPackage) -> PlanData:
    """A reused plan, given this build's PlanPackage when it was read from another folder (the same
    bytes: a content store restored elsewhere). The same object otherwise: the preview keeps what
    it derives from a plan per PlanData object."""
    return plan if plan.package.folder == package.folder else dataclasses.replace(plan, package=package)


def query_site(db: Database, reuse: Mapping[str, PlanData] | None = None) -> SiteData:
    """Loaded database -> SiteData (target_progress.sql runs once for every plan). `reuse`: plan id
    -> PlanData from an earlier call on the same package bytes (a long-running preview keeps them:
    every per-plan query reads that plan's rows only), taken instead of querying again."""
    progress = target_progress(db.con)
    reuse = reuse or {}
    return SiteData(plans=[_reused(reuse[package.plan_id], package) if package.plan_id in reuse
                           else _plan_data(db.con, package, progress) for package in db.packages],
                    concept_targets=grouped(run_query(db.con, "concept_targets"), "concept"),
                    progress=progress)


# The content store's kind for query results kept between builds (cache.Store).
STORE_KIND = "plans"
_STORED = "plan.pickle"


def plan_query_keys(db: Database, packages: Mapping[str, str]) -> dict[str, str]:
    """Loaded database, {package folder: package digest} -> {package folder: what a plan's PlanData
    is made from}: its package's bytes and the loaded tables' columns. Per-plan queries read that
    plan's rows only, but `select *` of a table shared by every plan also returns the columns other
    packages add (empty for this plan), so those count too."""
    from .cache import digest

    columns = db.con.execute("select table_schema, table_name, column_name, data_type from "
                             "information_schema.columns order by all").fetchall()
    return {folder: digest(package, columns) for folder, package in packages.items()}


def _store_keys(packages: Mapping[str, str]) -> dict[str, str]:
    """{package folder name: plan_query_keys' key} -> {folder name: store key}: the package's bytes,
    the loaded tables' columns and every line of this project's code and DuckDB's version (a change to any query, to loading or
    to the contract queries every plan again)."""
    from .cache import code_version, digest

    code = code_version(["."], ["duckdb"])
    return {folder: digest(code, folder, package) for folder, package in packages.items()}


def stored_plans(store, packages: Mapping[str, str]) -> dict[str, PlanData]:
    """Content store (cache.Store), {package folder: plan_query_keys' key} -> {plan id: PlanData}
    kept by an earlier build from the same package bytes and table columns (reuse for query_site: every per-plan query reads
    that plan's rows only). A CI publish restores the store, so a data commit queries only the
    plans it changed. An entry that cannot be read is ignored (queried again)."""
    import pickle

    found = {}
    for folder, key in _store_keys(packages).items():
        entry = store.entry(STORE_KIND, key)
        if entry is None:
            continue
        try:
            plan = pickle.loads((entry / _STORED).read_bytes())
        except Exception:  # noqa: BLE001 - a damaged entry is only a cache miss
            continue
        if isinstance(plan, PlanData) and plan.package.folder.name == folder:
            found[plan.plan_id] = plan
    return found


def keep_plans(store, packages: Mapping[str, str], plans: list[PlanData]) -> None:
    """After the query stage: the plans it queried into the content store (stored_plans reads them)."""
    import pickle

    keys = _store_keys(packages)
    for plan in plans:
        partial = store.fill(STORE_KIND, keys[plan.package.folder.name])
        (partial / _STORED).write_bytes(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
        store.commit(STORE_KIND, keys[plan.package.folder.name], partial)
