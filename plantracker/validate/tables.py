"""A resource's own Table Schema, checked by Frictionless: the constraints a package adds beyond the
contract (patterns, enums, ranges, unique fields) -> problems.

The contract's reading (contract.read_table) is the authority on types, header, row shape and the
contract's own constraints; this adds only what a package's schema asks for besides, and never a
second problem for a cell the contract's reading already refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..contract import Table, allowed_range
from ..problems import Problem, did_you_mean, problem

# Frictionless error types the contract's reading already covers (type, header and row shape).
_COVERED = {"type-error", "missing-cell", "extra-cell", "blank-row", "blank-label", "primary-key",
            "incorrect-label", "missing-label", "extra-label", "duplicate-label", "blank-header"}


def schema_problems(table: Table, descriptor: dict, package_dir: Path) -> list[Problem]:
    """A resource read by the contract (its Table) and its descriptor -> problems with the
    constraints of the package's own schema, one per cell at most, none where the contract's
    reading refused the cell or the row."""
    from frictionless import FrictionlessException, Resource  # here: half a second to import, and
    # only validation needs it

    schema = {k: v for k, v in descriptor["schema"].items() if k not in ("foreignKeys", "primaryKey")}
    fields = {f["name"]: f for f in schema["fields"]}
    frictionless_descriptor = {"name": table.name, "path": descriptor["path"], "format": "csv", "encoding": "utf-8",
                               "dialect": {"csv": {"delimiter": ",", "quoteChar": '"'}}, "schema": schema}
    read_rows = {n for n, _ in table.rows}
    problems, seen = [], set(table.bad_cells)
    try:
        with Resource(frictionless_descriptor, basepath=str(package_dir)) as resource:
            for row in resource.row_stream:
                for error in row.errors:
                    name = getattr(error, "field_name", None)
                    if error.type in _COVERED or row.row_number not in read_rows or (row.row_number, name) in seen:
                        continue
                    seen.add((row.row_number, name))
                    problems.append(_cell_problem(table.file, row.row_number, error, fields))
    except FrictionlessException:
        pass  # the contract's reading has reported why the table cannot be read
    return problems


def _cell_problem(file: str, n: int, error, fields: dict) -> Problem:
    name, cell = error.field_name, error.cell
    constraints = fields.get(name, {}).get("constraints", {})
    if error.type == "unique-error":
        return problem("duplicate-value", file, n, name, cell=cell)
    which = re.match(r'constraint "(\w+)"', error.note or "")
    kind = which.group(1) if which else ""
    if kind == "required":
        return problem("missing-value", file, n, name)
    if kind == "enum":
        allowed = constraints.get("enum", [])
        return problem("invalid-choice", file, n, name, cell=cell, choices=", ".join(map(str, allowed)),
                       suggestion=did_you_mean(cell, allowed))
    if kind == "pattern":
        return problem("pattern-mismatch", file, n, name, cell=cell, pattern=constraints.get("pattern"))
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low = constraints.get("minimum", constraints.get("exclusiveMinimum"))
        return problem("out-of-range", file, n, name, cell=cell, range=allowed_range(
            low, constraints.get("maximum", constraints.get("exclusiveMaximum")), "exclusiveMinimum" in constraints))
    if kind in ("minLength", "maxLength"):
        return problem("length-out-of-range", file, n, name, cell=cell,
                       range=allowed_range(constraints.get("minLength"), constraints.get("maxLength")))
    return problem("schema-constraint", file, n, name, why=error.message)
