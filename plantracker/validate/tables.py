"""Checks on files and tables: bytes (size, BOM, encoding) -> text; CSV via Frictionless -> rows and problems."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from frictionless import FrictionlessException, Resource

from ..problems import Problem

YEAR_MIN, YEAR_MAX = 1949, 2100

_TYPE_WORDS = {
    "number": ("a number", "write a plain number with a dot for decimals, no thousands separators or units"),
    "integer": ("a whole number", "write digits only, no decimals, separators or units"),
    "boolean": ("true or false", "write true or false"),
    "date": ("a date", "write the date as YYYY-MM-DD"),
    "year": ("a year", "write a four-digit year"),
}

# Other Frictionless error types -> our codes. Anything not listed keeps a generic code.
_HEADER_CODES = {"incorrect-label", "missing-label", "extra-label", "duplicate-label", "blank-label", "blank-header"}


@dataclass
class Table:
    """One resource read once: typed rows (with spreadsheet row numbers) and whether it could be read."""

    name: str
    file: str
    key: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    readable: bool = False
    bad_cells: set[tuple[int, str]] = field(default_factory=set)


def read_text(path: Path, file: str, limit: int) -> tuple[str | None, list[Problem]]:
    """File -> (its text, []) or (None, [problem]) when it is too large, has a BOM or is not UTF-8."""
    size = path.stat().st_size
    if size > limit:
        return None, [Problem(file, None, None, "file-too-large",
                              f"file is {size:,} bytes, more than the {_megabytes(limit)} limit",
                              "check that it is the right file; split a table that really is this large")]
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(file, None, None, "utf8-bom", "file starts with a UTF-8 byte-order mark (BOM)",
                              'save it as "UTF-8 without BOM" (Excel\'s "CSV UTF-8" adds one)')]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [Problem(file, line, None, "not-utf8",
                              f"text is not UTF-8 (byte 0x{data[error.start]:02x} on line {line}); "
                              f"it looks like {guess_encoding(data)}",
                              'open it in an editor and save it as "UTF-8 without BOM"')]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:g} MB" if size >= 2**20 else f"{size / 2**10:g} KB"


def guess_encoding(data: bytes) -> str:
    """Bytes that are not UTF-8 -> the name of the encoding they most likely are in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.count(b"\x00") > len(data) // 4:
        return "UTF-16"
    # GB2312 is the common core of GBK; Big5 text mostly decodes as GBK too, but rarely as GB2312.
    for codec, name in (("gb2312", "GBK"), ("big5", "Big5"), ("gbk", "GBK"), ("gb18030", "GB18030"),
                        ("cp1252", "Windows-1252")):
        try:
            data.decode(codec)
            return name
        except UnicodeDecodeError:
            continue
    return "Latin-1"


def nearest(value: Any, choices) -> str | None:
    """A value -> the closest of `choices` (as text), or None when nothing is close."""
    match = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    if not match:
        match = [c for c in map(str, choices) if c.lower() == str(value).lower()]
    return match[0] if match else None


def did_you_mean(value: Any, choices, otherwise: str) -> str:
    best = nearest(value, choices)
    return f'did you mean "{best}"? {otherwise}' if best else otherwise


def is_year_field(name: str) -> bool:
    return name == "year" or name.endswith("_year")


def read_table(name: str, descriptor: dict, package_dir: Path, file: str) -> tuple[Table, list[Problem]]:
    """Resource descriptor (already checked) -> its rows and every problem Frictionless finds, in one read."""
    key = descriptor["schema"].get("primaryKey", [])
    table = Table(name, file, [key] if isinstance(key, str) else list(key))
    problems: list[Problem] = []
    schema = {k: v for k, v in descriptor["schema"].items() if k != "foreignKeys"}  # checked on rows later
    frictionless_descriptor = {
        "name": name, "path": descriptor["path"], "format": "csv", "encoding": "utf-8",
        "dialect": {"csv": {"delimiter": ",", "quoteChar": '"'}}, "schema": schema,
    }
    fields = {f["name"]: f for f in schema["fields"]}
    try:
        resource = Resource(frictionless_descriptor, basepath=str(package_dir))
        with resource:
            for error in resource.header.errors:
                problems.append(_header_problem(file, error))
            for row in resource.row_stream:
                problems.extend(_row_problems(table, file, row, fields))
                table.rows.append((row.row_number, row.to_dict()))
    except FrictionlessException as exception:
        for error in exception.to_errors():
            problems.append(Problem(file, None, None, "unreadable-table", error.message,
                                    "check that the file is a comma-separated table with a header row"))
        return table, problems
    table.readable = True
    if not table.rows:
        problems.append(Problem(file, None, None, "empty-resource", "table has a header but no data rows",
                                "add the rows, or remove the resource if it is not used"))
    return table, problems


def _header_problem(file: str, error) -> Problem:
    label, expected = getattr(error, "label", None), getattr(error, "field_name", None)
    messages = {
        "incorrect-label": f'header "{label}" is not the schema field "{expected}"',
        "missing-label": f'header has no column for the schema field "{expected}"',
        "extra-label": f'header "{label}" is not in the schema',
        "duplicate-label": f'header "{label}" appears twice',
        "blank-label": "a header cell is empty",
    }
    return Problem(file, 1, label or expected or None, "header-mismatch", messages.get(error.type, error.message),
                   "make the header row list exactly the fields of the schema, in the same order")


def _row_problems(table: Table, file: str, row, fields: dict) -> list[Problem]:
    n = row.row_number
    errors = list(row.errors)
    if not errors:
        return []
    types = {e.type for e in errors}
    if "blank-row" in types:
        return [Problem(file, n, None, "blank-row", "row is empty", "delete the empty row")]
    problems: list[Problem] = []
    missing = [e.field_name for e in errors if e.type == "missing-cell"]
    if missing:
        problems.append(Problem(file, n, missing[0], "missing-cell",
                                f"row is short: {len(missing)} cell(s) missing from here on",
                                "every row needs as many cells as the header; look for a lost comma"))
    extra = [e for e in errors if e.type == "extra-cell"]
    if extra:
        problems.append(Problem(file, n, None, "extra-cell", f"row has {len(extra)} cell(s) more than the header",
                                'quote text that contains a comma ("a, b"), or remove the extra cells'))
    for error in errors:
        if error.type in ("missing-cell", "extra-cell"):
            continue
        if error.type == "primary-key":
            if "all \"None\"" in (error.note or ""):
                continue  # the empty key cell is reported as a missing value
            problems.append(_duplicate_key(table, file, row, error))
            continue
        if getattr(error, "field_name", None) in missing:
            continue
        problem = _cell_problem(file, n, error, fields)
        table.bad_cells.add((n, problem.field or ""))
        problems.append(problem)
    return problems


def _duplicate_key(table: Table, file: str, row, error) -> Problem:
    first = re.search(r"position (\d+)", error.note or "")
    value = ", ".join(str(row.get(name)) for name in table.key)
    where = f" (first used in row {first.group(1)})" if first else ""
    return Problem(file, row.row_number, ", ".join(table.key), "duplicate-key",
                   f'"{value}" is used twice{where}', "give each row its own id")


def _cell_problem(file: str, n: int, error, fields: dict) -> Problem:
    name = error.field_name
    cell = error.cell
    spec = fields.get(name, {})
    constraints = spec.get("constraints", {})
    if error.type == "type-error":
        what, hint = _TYPE_WORDS.get(spec.get("type"), (f'of type {spec.get("type")}', "correct the value"))
        return Problem(file, n, name, "wrong-type", f'"{cell}" is not {what}', hint)
    if error.type == "unique-error":
        return Problem(file, n, name, "duplicate-value", f'"{cell}" appears in more than one row',
                       "this field must be unique: correct one of the rows")
    if error.type != "constraint-error":
        return Problem(file, n, name, error.type, error.message, "see the Table Schema of this resource")
    which = re.match(r'constraint "(\w+)"', error.note or "")
    kind = which.group(1) if which else ""
    if kind == "required":
        return Problem(file, n, name, "missing-value", "value is required", "fill in the cell")
    if kind == "enum":
        allowed = constraints.get("enum", [])
        return Problem(file, n, name, "invalid-choice", f'"{cell}" is not one of: {", ".join(map(str, allowed))}',
                       did_you_mean(cell, allowed, "use one of the listed values"))
    if kind in ("minimum", "maximum") and is_year_field(name):
        return year_problem(file, n, name, cell)
    if kind in ("minimum", "maximum", "minLength", "maxLength", "exclusiveMinimum", "exclusiveMaximum"):
        return Problem(file, n, name, "out-of-range",
                       f'"{cell}" is outside the allowed range ({kind} is {constraints.get(kind)})',
                       "check the value and its unit")
    if kind == "pattern":
        return Problem(file, n, name, "pattern-mismatch",
                       f'"{cell}" does not match the pattern {constraints.get("pattern")}',
                       "ids use lowercase letters, digits and hyphens (regions: upper-case codes like CN-HE)")
    return Problem(file, n, name, "constraint-error", error.message, "see the Table Schema of this resource")


def year_problem(file: str, row: int | None, name: str, value: Any) -> Problem:
    return Problem(file, row, name, "year-out-of-range", f"year {value} is outside {YEAR_MIN}-{YEAR_MAX}",
                   "check the year: four digits, Gregorian calendar")


def check_years(table: Table) -> list[Problem]:
    """Rows -> a problem for every year outside the sane range that the schema did not already catch."""
    problems = []
    for n, values in table.rows:
        for name, value in values.items():
            if not is_year_field(name) or value is None or (n, name) in table.bad_cells:
                continue
            try:
                year = int(value)
            except (TypeError, ValueError):
                continue
            if not YEAR_MIN <= year <= YEAR_MAX:
                problems.append(year_problem(table.file, n, name, value))
    return problems


def check_references(table: Table, fields: list[str], target: Table, target_fields: list[str],
                     code: str, describe: Callable[[], str]) -> list[Problem]:
    """Rows of `table` -> a problem for every foreign key value not found among `target`'s keys."""
    known = {tuple(values.get(f) for f in target_fields) for _, values in target.rows}
    choices = sorted(", ".join(str(v) for v in k) for k in known)
    hints: dict[str, str] = {}  # one suggestion per distinct unknown value: difflib is slow on big tables
    problems = []
    for n, values in table.rows:
        key = tuple(values.get(f) for f in fields)
        if all(v is None for v in key) or key in known:
            continue
        shown = ", ".join(str(v) for v in key)
        if shown not in hints:
            hints[shown] = did_you_mean(shown, choices, describe())
        problems.append(Problem(table.file, n, ", ".join(fields), code, f'unknown {code[8:]} "{shown}"',
                                hints[shown]))
    return problems
