"""Validation stage: a folder of data packages -> every problem found in them (an empty list when all is well).

Each package is checked against the contract (plantracker/contract.yml): its descriptor
(`descriptor`), its files (`files`), each table read exactly as the load stage reads it
(contract.read_table) plus the constraints of the package's own schema (`tables`), and the rows
across tables (`rows`). What this accepts, the build can load and build.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Collection

from ..contract import CONTRACT, Table, read_table
from ..problems import Problem, did_you_mean, problem, sort_key
from . import descriptor as checks
from .cells import cell_spelling
from .figures import baseline_evidence, conflicting_figures, forecast_baselines, whole_baselines
from .files import read_text, resource_path
from .structure import parse_descriptor
from .rows import (amounts_with_units, circle, concept_uses, count_words, cycles, plan_ids, references,
                   shared_concepts, target_frame, tiles, unique_keys, units_and_amounts)
from .tables import schema_problems

MAX_DESCRIPTOR_BYTES = 1 * 2**20
MAX_CSV_BYTES = 50 * 2**20


def validate_packages(data_dir: Path, unchanged: Collection[str] = ()) -> list[Problem]:
    """Folder holding `<plan-id>/datapackage.json` packages -> all problems, sorted by file and row.

    Files are named relative to the parent of `data_dir` (e.g. `datapackages/plan/data/targets.csv`).
    `unchanged`: package folders that passed before byte for byte (the build's cache knows): only
    their predecessor is read, for the checks across packages.
    """
    data_dir = Path(data_dir)
    root = data_dir.resolve().name
    descriptors = sorted(data_dir.glob("*/datapackage.json")) if data_dir.is_dir() else []
    if not descriptors:
        return [problem("no-packages", root, folder=data_dir)]
    problems: list[Problem] = []
    plans: dict[str, dict] = {}  # plan id -> its plan object ({} when unreadable)
    concepts: dict[str, list] = {}  # plan id -> its indicators' concepts (rows.concept_uses)
    for descriptor_path in descriptors:
        plan_id = descriptor_path.parent.name
        if plan_id in unchanged:
            plan, concepts[plan_id] = _passed_package(descriptor_path.parent, f"{root}/{plan_id}")
        else:
            plan, concepts[plan_id] = _validate_package(descriptor_path.parent, f"{root}/{plan_id}", problems)
        plans[plan_id] = plan if isinstance(plan, dict) else {}
    problems += _plan_folders(plans, root) + shared_concepts(concepts)
    return sorted(problems, key=sort_key)


def _plan_folders(plans: dict[str, dict], root: str) -> list[Problem]:
    """Every package's predecessor is another package, and an earlier plan; no two plan ids differ
    only in case."""
    problems = []
    folded: dict[str, str] = {}
    predecessors = {plan_id: plan.get("predecessor") for plan_id, plan in plans.items()}
    for plan_id, predecessor in predecessors.items():
        file = f"{root}/{plan_id}/datapackage.json"
        if plan_id.casefold() in folded:
            problems.append(problem("duplicate-plan-id", file, None, "name", plan=plan_id, other=folded[plan_id.casefold()]))
        folded.setdefault(plan_id.casefold(), plan_id)
        if isinstance(predecessor, str) and predecessor not in predecessors:
            problems.append(problem("unknown-plan", file, None, "plan.predecessor", plan=predecessor,
                                    suggestion=did_you_mean(predecessor, [p for p in predecessors if p != plan_id])))
        chain = circle(plan_id, predecessors)
        if chain:
            problems.append(problem("circular-reference", file, None, "plan.predecessor", what=f'plan "{plan_id}"',
                                    chain=" → ".join(chain), how="a predecessor is an earlier plan: correct or "
                                    "remove the predecessor of one of these plans"))
        elif isinstance(predecessor, str) and predecessor in plans:
            # The site lists a plan after its predecessor and sets their targets side by side as
            # earlier and later: a predecessor that starts no earlier would be read backwards.
            start, before = plans[plan_id].get("period_start"), plans[predecessor].get("period_start")
            if _year(start) and _year(before) and before >= start:
                problems.append(problem("predecessor-not-earlier", file, None, "plan.predecessor", plan=predecessor,
                                        start=start, predecessor_start=before))
    return problems


def _year(value) -> bool:
    # A period year as the contract takes it (an int in its range, not a bool); anything else has
    # its own problem (year-out-of-range, invalid-plan-value), and needs no second one.
    return (isinstance(value, int) and not isinstance(value, bool)
            and CONTRACT.year_minimum <= value <= CONTRACT.year_maximum)


def _passed_package(package_dir: Path, folder: str) -> tuple[object, list]:
    """A package that passed before, unchanged -> (its plan object, its indicators' concepts), for
    the checks across packages; its own checks are not run again."""
    descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    file = f"{folder}/datapackage.json"
    resources = {r["name"]: r for r in descriptor["resources"] if r["name"] in ("indicators", "units")}
    tables = {}
    for name, resource in resources.items():
        local, shown, _ = resource_path(resource, package_dir, folder, file)
        tables[name], _ = read_table(local.read_text(encoding="utf-8"), name, resource["schema"]["fields"], shown)
    return descriptor.get("plan"), concept_uses(tables)


def _validate_package(package_dir: Path, folder: str, problems: list[Problem]) -> tuple[object, list]:
    """One package folder -> its problems, appended to `problems`; returns its plan object (or None)
    and its indicators' concepts (rows.concept_uses)."""
    file = f"{folder}/datapackage.json"
    text, found = read_text(package_dir / "datapackage.json", file, MAX_DESCRIPTOR_BYTES)
    descriptor, more = parse_descriptor(text, file) if text is not None else (None, [])
    problems += found + more
    if descriptor is None:
        return None, []
    problems += checks.check_package_metadata(descriptor, package_dir.name, file)
    problems += checks.check_descriptor_text(descriptor, file)
    problems += checks.check_plan(descriptor, file)
    resources, found = checks.check_resource_list(descriptor, file)
    problems += found
    tables: dict[str, Table] = {}
    for name, resource in resources.items():
        table = _validate_resource(name, resource, resources, package_dir, folder, file, problems)
        if table is not None:
            tables[name] = table
    for table in tables.values():
        problems += unique_keys(table)
    problems += references(tables, {name: resources[name]["schema"] for name in tables})
    problems += amounts_with_units(tables)
    problems += cycles(tables) + tiles(tables)
    problems += units_and_amounts(tables) + count_words(tables)
    problems += plan_ids(descriptor.get("plan"), tables, file)
    problems += target_frame(descriptor.get("plan"), tables)
    problems += whole_baselines(tables) + baseline_evidence(tables) + forecast_baselines(tables)
    problems += conflicting_figures(tables)
    return descriptor.get("plan"), concept_uses(tables)


def _validate_resource(name: str, resource: dict, resources: dict, package_dir: Path, folder: str, file: str,
                       problems: list[Problem]) -> Table | None:
    """One resource -> its Table read by the contract (None when it cannot be read), problems appended."""
    local, shown, found = resource_path(resource, package_dir, folder, file)
    schema_found = checks.check_schema(resource, resources, file)
    problems += found + schema_found
    if local is None or schema_found:
        return None
    text, found = read_text(local, shown, MAX_CSV_BYTES)
    problems += found
    if text is None:
        return None
    if not text.strip():
        problems.append(problem("empty-file", shown))
        return None
    table, found = read_table(text, name, resource["schema"]["fields"], shown)
    problems += cell_spelling(table, text, found)
    if table.readable:
        problems += schema_problems(table, resource, package_dir)
    return table
