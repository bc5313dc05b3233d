"""Load stage: validated data packages -> one DuckDB database, a table per resource, all plans stacked.

This release's packages load into the `main` schema; the previous release's (for "What changed")
into the schema `previous` of the same connection, so one query can compare the two.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Table Schema types -> DuckDB column types.
DUCKDB_TYPES = {
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
PREVIOUS = "previous"


@dataclass
class PlanPackage:
    """One data package as the later stages need it: its id, folder, descriptor and plan metadata."""

    plan_id: str
    folder: Path
    descriptor: dict
    plan: dict = field(default_factory=dict)


@dataclass
class Database:
    """The loaded data: the connection, this release's packages, and the previous release's
    version and packages when one was loaded into the `previous` schema (None: first release)."""

    con: duckdb.DuckDBPyConnection
    packages: list[PlanPackage]
    previous_packages: list[PlanPackage] | None = None
    previous_version: str | None = None

    def close(self) -> None:
        self.con.close()


def read_packages(data_dir: Path) -> list[PlanPackage]:
    """data_dir -> every package under it, ordered by the plan's `order` then id."""
    packages = []
    for descriptor_path in sorted(Path(data_dir).glob("*/datapackage.json")):
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        packages.append(PlanPackage(descriptor["name"], descriptor_path.parent, descriptor,
                                    descriptor.get("plan", {})))
    return sorted(packages, key=lambda p: (p.plan.get("order", 0), p.plan_id))


def _columns(resource: dict) -> dict[str, str]:
    return {f["name"]: DUCKDB_TYPES.get(f.get("type", "string"), "VARCHAR")
            for f in resource["schema"]["fields"]}


def load_packages(data_dir: Path, con: duckdb.DuckDBPyConnection, schema: str = "main") -> list[PlanPackage]:
    """data_dir -> its packages, loaded into `schema` of con: one table per resource plus `plans`.

    Every table starts with `plan_id` and `source_row` (the spreadsheet row: header = 1), so any
    figure on the site can be traced back to its file and row.
    """
    packages = read_packages(data_dir)
    con.execute(f"create schema if not exists {schema}")  # schema: "main" or PREVIOUS, never data
    for name in RESOURCES:
        selects, params = [], []
        for package in packages:
            resource = next(r for r in package.descriptor["resources"] if r["name"] == name)
            # read_csv takes its column types from the Table Schema, never from sniffing.
            selects.append(
                "select ? as plan_id, (row_number() over () + 1)::integer as source_row, * "
                "from read_csv(?, header = true, columns = ?, auto_detect = false, "
                "quote = '\"', escape = '\"', delim = ',', nullstr = '', encoding = 'utf-8')")
            params += [package.plan_id, str(package.folder / resource["path"]), _columns(resource)]
        con.execute(f"create table {schema}.{name} as " + " union all by name ".join(selects), params)
    plan_rows = [(p.plan_id, json.dumps(p.plan, ensure_ascii=False), json.dumps(p.descriptor, ensure_ascii=False))
                 for p in packages]
    con.execute(f"create table {schema}.plans (plan_id varchar, plan json, descriptor json)")
    con.executemany(f"insert into {schema}.plans values (?, ?, ?)", plan_rows)
    return packages


def load(data_dir: Path, previous: tuple[str, Path] | None = None) -> Database:
    """This release's packages (and the previous release's: (version, folder)) -> Database."""
    con = duckdb.connect()
    packages = load_packages(data_dir, con)
    db = Database(con, packages)
    if previous is not None:
        version, folder = previous
        db.previous_packages = load_packages(folder, con, PREVIOUS)
        db.previous_version = version or None
    return db
