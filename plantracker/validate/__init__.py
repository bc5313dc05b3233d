"""Validation stage: a folder of data packages -> every problem found in them (an empty list when all is well)."""
from __future__ import annotations

import json
from pathlib import Path

from ..problems import Problem, sort_key
from .descriptor import (
    CONTRACT_FIELDS, check_package_metadata, check_plan, check_resource_list, check_resource_path, check_schema,
    foreign_keys,
)
from .tables import Table, check_references, check_years, did_you_mean, read_table, read_text

MAX_DESCRIPTOR_BYTES = 1 * 2**20
MAX_CSV_BYTES = 50 * 2**20


def validate_packages(data_dir: Path) -> list[Problem]:
    """Folder holding `<plan-id>/datapackage.json` packages -> all problems, sorted by file and row.

    Files are named relative to the parent of `data_dir` (e.g. `datapackages/plan/data/targets.csv`).
    """
    data_dir = Path(data_dir)
    root = data_dir.resolve().name
    descriptors = sorted(data_dir.glob("*/datapackage.json")) if data_dir.is_dir() else []
    if not descriptors:
        return [Problem(root, None, None, "no-packages", f'no data package found in "{data_dir}"',
                        "each plan needs a folder <plan-id>/ with a datapackage.json")]
    problems: list[Problem] = []
    predecessors = {}
    for descriptor_path in descriptors:
        plan_id = descriptor_path.parent.name
        predecessors[plan_id] = _validate_package(descriptor_path.parent, f"{root}/{plan_id}", problems)
    for plan_id, predecessor in predecessors.items():
        if isinstance(predecessor, str) and predecessor not in predecessors:
            problems.append(Problem(f"{root}/{plan_id}/datapackage.json", None, "plan.predecessor", "unknown-plan",
                                    f'unknown plan "{predecessor}"',
                                    did_you_mean(predecessor, [p for p in predecessors if p != plan_id],
                                                 "name the plan id of another package here, or use null")))
    return sorted(problems, key=sort_key)


def _validate_package(package_dir: Path, folder: str, problems: list[Problem]) -> object:
    """One package folder -> its problems, appended to `problems`; returns its plan's predecessor (or None)."""
    file = f"{folder}/datapackage.json"
    descriptor = _read_descriptor(package_dir / "datapackage.json", file, problems)
    if descriptor is None:
        return None
    problems.extend(check_package_metadata(descriptor, package_dir.name, file))
    problems.extend(check_plan(descriptor, file))
    resources, found = check_resource_list(descriptor, file)
    problems.extend(found)
    tables: dict[str, Table] = {}
    for name, resource in resources.items():
        local, shown, found = check_resource_path(resource, package_dir, folder, file)
        schema_problems = check_schema(resource, resources, file)
        problems.extend(found + schema_problems)
        if local is None or schema_problems:
            continue
        text, found = read_text(local, shown, MAX_CSV_BYTES)
        problems.extend(found)
        if text is None:
            continue
        if not text.strip():
            problems.append(Problem(shown, None, None, "empty-resource", "file is empty",
                                    "write the header row and the data rows"))
            continue
        tables[name], found = read_table(name, resource, package_dir, shown)
        problems.extend(found)
    problems.extend(_check_rows(tables, resources))
    problems.extend(_check_plan_ids(descriptor.get("plan"), tables, file))
    plan = descriptor.get("plan")
    return plan.get("predecessor") if isinstance(plan, dict) else None


def _read_descriptor(path: Path, file: str, problems: list[Problem]) -> dict | None:
    text, found = read_text(path, file, MAX_DESCRIPTOR_BYTES)
    problems.extend(found)
    if text is None:
        return None
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(Problem(file, error.lineno, None, "invalid-json",
                                f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                                "look for a missing comma or quote just before that place"))
        return None
    if not isinstance(descriptor, dict):
        problems.append(Problem(file, None, None, "invalid-descriptor", "descriptor is not a JSON object",
                                "write the package as {...} with name, resources and plan"))
        return None
    return descriptor


def _check_rows(tables: dict[str, Table], resources: dict[str, dict]) -> list[Problem]:
    """Tables read -> problems across rows: years, foreign keys, units of the wrong dimension."""
    problems = []
    for name, table in tables.items():
        problems.extend(check_years(table))
        for fields, target, target_fields in foreign_keys(name, resources[name]["schema"]):
            if target not in tables or not tables[target].readable:
                continue  # its own problems are reported; do not pile up follow-on errors
            singular = target[:-1] if target.endswith("s") else target
            code = f"unknown-{singular}" if target in CONTRACT_FIELDS else "unknown-reference"
            hint = f"use an id listed in {tables[target].file} or add it there"
            problems.extend(check_references(table, fields, tables[target], target_fields, code, lambda: hint))
    problems.extend(_check_unit_dimensions(tables))
    return problems


def _check_unit_dimensions(tables: dict[str, Table]) -> list[Problem]:
    """Targets and observations -> a problem where a unit measures another thing than its indicator's unit."""
    if not all(n in tables for n in ("units", "indicators")):
        return []
    dimension = {v.get("unit_id"): v.get("dimension") for _, v in tables["units"].rows}
    indicator_unit = {v.get("indicator_id"): v.get("unit_id") for _, v in tables["indicators"].rows}
    problems = []
    for name, unit_fields in (("targets", ("unit_id", "baseline_unit_id")), ("observations", ("unit_id",))):
        table = tables.get(name)
        for n, values in table.rows if table else []:
            expected = indicator_unit.get(values.get("indicator_id"))
            for field in unit_fields:
                unit = values.get(field)
                if unit in dimension and expected in dimension and dimension[unit] != dimension[expected]:
                    problems.append(Problem(
                        table.file, n, field, "unit-dimension-mismatch",
                        f'unit "{unit}" measures {dimension[unit]}, but indicator "{values.get("indicator_id")}" '
                        f'is in "{expected}" ({dimension[expected]})',
                        f"use a {dimension[expected]} unit, or check the indicator"))
    return problems


def _check_plan_ids(plan, tables: dict[str, Table], file: str) -> list[Problem]:
    """The plan's region_id and source_id -> a problem for each not found in its table."""
    if not isinstance(plan, dict):
        return []
    problems = []
    for key, table_name, code in (("region_id", "regions", "unknown-region"), ("source_id", "sources", "unknown-source")):
        value, table = plan.get(key), tables.get(table_name)
        if not isinstance(value, str) or table is None or not table.readable:
            continue
        known = [v.get(key) for _, v in table.rows]
        if value not in known:
            problems.append(Problem(file, None, f"plan.{key}", code, f'unknown {code[8:]} "{value}"',
                                    did_you_mean(value, known, f"use an id listed in {table.file} or add it there")))
    return problems
