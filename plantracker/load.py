"""Validated data packages -> one DuckDB database: a table per resource, all plans stacked."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Table Schema types -> DuckDB column types.
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "year": "INTEGER",
    "datetime": "TIMESTAMP",
}
# Every package carries these resources (ARCHITECTURE.md, data package contract).
RESOURCES = ("units", "regions", "indicators", "targets", "observations", "sites", "sources")


@dataclass
class PlanPackage:
    """One data package as the later stages need it: its id, folder, descriptor and plan metadata."""

    plan_id: str
    folder: Path
    descriptor: dict
    plan: dict = field(default_factory=dict)


def read_packages(data_dir: Path) -> list[PlanPackage]:
    """data_dir -> every package under it, ordered by the plan's `order` then id."""
    packages = []
    for descriptor_path in sorted(data_dir.glob("*/datapackage.json")):
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        packages.append(PlanPackage(descriptor["name"], descriptor_path.parent, descriptor,
                                    descriptor.get("plan", {})))
    return sorted(packages, key=lambda p: (p.plan.get("order", 0), p.plan_id))


def _columns(resource: dict) -> dict[str, str]:
    return {f["name"]: _DUCKDB_TYPES.get(f.get("type", "string"), "VARCHAR")
            for f in resource["schema"]["fields"]}


def load_packages(data_dir: Path, database: str = ":memory:") -> tuple[duckdb.DuckDBPyConnection, list[PlanPackage]]:
    """data_dir -> (connection with one table per resource plus `plans`, packages).

    Every table starts with `plan_id` and `source_row` (the spreadsheet row: header = 1), so any
    figure on the site can be traced back to its file and row.
    """
    packages = read_packages(data_dir)
    con = duckdb.connect(database)
    for name in RESOURCES:
        selects, params = [], []
        for package in packages:
            resource = next(r for r in package.descriptor["resources"] if r["name"] == name)
            columns = _columns(resource)
            # read_csv takes its column types from the Table Schema, never from sniffing.
            selects.append(
                "select ? as plan_id, (row_number() over () + 1)::integer as source_row, * "
                "from read_csv(?, header = true, columns = ?, auto_detect = false, "
                "quote = '\"', escape = '\"', delim = ',', nullstr = '', encoding = 'utf-8')")
            params += [package.plan_id, str(package.folder / resource["path"]), columns]
        con.execute(f"create table {name} as " + " union all by name ".join(selects), params)
    plan_rows = [(p.plan_id, json.dumps(p.plan, ensure_ascii=False), json.dumps(p.descriptor, ensure_ascii=False))
                 for p in packages]
    con.execute("create table plans (plan_id varchar, plan json, descriptor json)")
    con.executemany("insert into plans values (?, ?, ?)", plan_rows)
    return con, packages
