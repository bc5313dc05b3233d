"""Load stage: validated data packages -> one DuckDB database, a table per resource, all plans stacked.

Every cell is read by the contract (contract.read_table: the same reading validation does), so the
tables hold exactly the values validation accepted. This release's packages load into the `main`
schema; the previous release's (for "What changed") into the schema `previous` of the same
connection, so one query can compare the two.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .contract import CONTRACT, Table, read_table
from .problems import InputError, problem

# Contract types -> DuckDB column types (a package's own extra columns are text).
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
                "date": "DATE", "year": "INTEGER"}
RESOURCES = tuple(CONTRACT.resources)
PREVIOUS = "previous"


@dataclass
class PlanPackage:
    """One data package as the later stages need it: its id, folder, descriptor and plan metadata."""

    plan_id: str
    folder: Path
    descriptor: dict
    plan: dict = field(default_factory=dict)

    def resource(self, name: str) -> dict | None:
        """The resource of that name, or None (an earlier release may lack one)."""
        resources = self.descriptor.get("resources")
        return next((r for r in resources if isinstance(r, dict) and r.get("name") == name), None) \
            if isinstance(resources, list) else None

    def columns(self, name: str) -> list[str]:
        """The resource's columns as the package's schema lists them."""
        return [f["name"] for f in self.resource(name)["schema"]["fields"]]


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


def read_packages(data_dir: Path, strict: bool = True) -> list[PlanPackage]:
    """data_dir -> every package under it, ordered by the plan's `order` then id. Not strict (an
    earlier release's, never validated here): a folder without packages, or a descriptor that is
    no JSON object, is an InputError; a lone surrogate in its text is read as U+FFFD."""
    packages = []
    paths = sorted(Path(data_dir).glob("*/datapackage.json"))
    if not strict and not paths:
        raise InputError([problem("previous-data-unreadable", str(data_dir),
                                  why="it holds no <plan-id>/datapackage.json")])
    for descriptor_path in paths:
        text = descriptor_path.read_text(encoding="utf-8", errors="strict" if strict else "replace")
        if strict:
            descriptor = json.loads(text)
        else:
            try:
                descriptor = _without_lone_surrogates(json.loads(text))
            except (ValueError, RecursionError) as error:
                descriptor = f"not readable JSON ({error})"
            if not isinstance(descriptor, dict):
                why = descriptor if isinstance(descriptor, str) else "it is not a JSON object"
                raise InputError([problem("previous-data-unreadable", str(descriptor_path), why=why)])
        plan = descriptor.get("plan")
        name = descriptor.get("name")
        packages.append(PlanPackage(name if isinstance(name, str) else descriptor_path.parent.name,
                                    descriptor_path.parent, descriptor, plan if isinstance(plan, dict) else {}))
    return sorted(packages, key=lambda p: (_order(p.plan.get("order")), p.plan_id))


def _order(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _without_lone_surrogates(value):
    """A parsed descriptor -> the same with each lone surrogate ("\\udc80", half of a character no
    database text can hold) replaced by U+FFFD, in keys and strings."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _read(package: PlanPackage, name: str, data_dir: Path, strict: bool,
          tables: tuple[dict, dict] | None = None) -> Table:
    """One resource of a package -> its Table. Strict (this release): any problem stops the build.
    Not strict (a published release, checked by the rules of its day): a cell today's rules
    refuse is left empty rather than failing a build over data that is already public.
    `tables`: (Tables an earlier load read, Tables this one read), by all they are read from."""
    resource = package.resource(name)
    if not strict and not _readable_resource(package, resource):
        # An earlier release without this resource (or its file): nothing of it to compare.
        return Table(name, f"{package.folder.name}/{name}", CONTRACT.resources[name].columns, readable=True)
    path = package.folder / resource["path"]
    shown = f"{Path(data_dir).resolve().name}/{package.folder.name}/{resource['path']}"
    data = path.read_bytes()
    key = (name, shown, strict, json.dumps(resource["schema"]["fields"], sort_keys=True), data)
    known = None if tables is None else tables[0].get(key) or tables[1].get(key)
    if known is not None:
        tables[1][key] = known
        return known
    table, problems = read_table(data.decode("utf-8", errors="replace" if not strict else "strict"),
                                 name, resource["schema"]["fields"], shown)
    if problems and strict:
        raise InputError(problems)
    if tables is not None:
        tables[1][key] = table
    return table


def _readable_resource(package: PlanPackage, resource: dict | None) -> bool:
    """An earlier release's resource -> whether it names a file of the package with a list of fields."""
    if resource is None or not isinstance(resource.get("path"), str) or not isinstance(resource.get("schema"), dict):
        return False
    fields = resource["schema"].get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
        return False
    path = (package.folder / resource["path"]).resolve()
    return path.is_relative_to(package.folder.resolve()) and path.is_file()


def _create_table(con: duckdb.DuckDBPyConnection, schema: str, name: str, tables: list[tuple[str, Table]]) -> None:
    """Typed rows of every plan -> table `schema.name`: plan_id, source_row, the contract's fields in
    its order, then any extra columns a package has (as text)."""
    contract = CONTRACT.resources[name]
    columns = {"plan_id": "VARCHAR", "source_row": "INTEGER"}
    columns.update({f: DUCKDB_TYPES.get(spec.type, "VARCHAR") for f, spec in contract.fields.items()})
    for _, table in tables:
        columns.update({c: "VARCHAR" for c in table.columns if c not in columns})
    # The DDL is made from the contract's names and the validated schema's, quoted; values are bound.
    target = f"{schema}.{_quoted(name)}"
    con.execute(f"create table {target} ({', '.join(f'{_quoted(c)} {t}' for c, t in columns.items())})")
    values = {c: [] for c in columns}
    for plan_id, table in tables:
        for n, row in table.rows:
            values["plan_id"].append(plan_id)
            values["source_row"].append(n)
            for column in columns:
                if column not in ("plan_id", "source_row"):
                    value = row.get(column)
                    values[column].append(value if columns[column] != "VARCHAR" or value is None else str(value))
    if values["plan_id"]:
        selects = ", ".join(f"unnest(${i}::{t}[]) as {_quoted(c)}" for i, (c, t) in enumerate(columns.items(), 1))
        con.execute(f"insert into {target} select {selects}", list(values.values()))


def load_packages(data_dir: Path, con: duckdb.DuckDBPyConnection, schema: str = "main",
                  strict: bool = True, tables: tuple[dict, dict] | None = None) -> list[PlanPackage]:
    """data_dir -> its packages, loaded into `schema` of con: one table per resource plus `plans`.

    Every table starts with `plan_id` and `source_row` (the spreadsheet row: header = 1), so any
    figure on the site can be traced back to its file and row. Raises InputError if a cell cannot
    be read (validation reports the same problems first), unless not strict (see _read).
    """
    packages = read_packages(data_dir, strict)
    con.execute(f"create schema if not exists {schema}")  # schema: "main" or PREVIOUS, never data
    for name in RESOURCES:
        _create_table(con, schema, name, [(p.plan_id, _read(p, name, data_dir, strict, tables)) for p in packages])
    plan_rows = [[p.plan_id for p in packages], [json.dumps(p.plan, ensure_ascii=False) for p in packages],
                 [json.dumps(p.descriptor, ensure_ascii=False) for p in packages]]
    con.execute(f"create table {schema}.plans (plan_id varchar, plan json, descriptor json)")
    if packages:
        con.execute(f"insert into {schema}.plans select unnest($1::varchar[]), unnest($2::json[]), unnest($3::json[])",
                    plan_rows)
    return packages


def load(data_dir: Path, previous: tuple[str, Path] | None = None, tables: dict | None = None) -> Database:
    """This release's packages (and the previous release's: (version, folder)) -> Database.
    `tables`: the files' Tables from an earlier load in this process (the preview keeps them),
    each taken again when its file's bytes, resource, schema fields and shown name are the same
    (reading every cell by the contract is most of the load); left holding this load's."""
    con = duckdb.connect()
    read: dict = {}
    remember = None if tables is None else (tables, read)
    packages = load_packages(data_dir, con, tables=remember)
    db = Database(con, packages)
    if previous is not None:
        version, folder = previous
        db.previous_packages = load_packages(folder, con, PREVIOUS, strict=False, tables=remember)
        db.previous_version = version or None
    if tables is not None:
        tables.clear()
        tables.update(read)
    return db

