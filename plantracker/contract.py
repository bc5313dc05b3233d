"""The data-package contract (contract.yml), and the one way a package's CSV becomes typed rows.

`CONTRACT` holds the resources, fields, roles, limits and word lists every package must meet.
`read_table(text, ...)` turns a CSV's text into typed rows by it, and reports each cell it cannot
type as a Problem: validation and the load stage call the same function, so whatever validation
accepts, the build can load.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem, problem
from .text_safety import CONTROL_CLASS

CONTRACT_FILE = Path(__file__).resolve().parent / "contract.yml"
# Table Schema field types (a schema naming another is refused).
TABLE_SCHEMA_TYPES = ("string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
                      "year", "yearmonth", "duration", "geopoint", "geojson", "any")
# Table Schema's default true and false values.
TRUE_VALUES, FALSE_VALUES = ("true", "True", "TRUE", "1"), ("false", "False", "FALSE", "0")
# Plain decimal numbers as the Table Schema writes them, in ASCII digits only.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.ASCII)
# Control characters (text_safety's, bidirectional controls included) have no place in any text;
# line breaks and tabs do in notes and quotes. Input also refuses the line and paragraph separators
# and a byte order mark inside a cell.
CONTROL_CHARACTERS = re.compile(f"[{CONTROL_CLASS}\u2028\u2029\ufeff]")
_DASHES = {"-", "—", "–", "－", "―", "‐", "/", "N/A", "n/a", "NA", "..", "...", "…", "无", "空"}
_SPACES = {" ": "a space", "\u00a0": "a no-break space (U+00A0)", "\u3000": "a full-width space (U+3000)",
           "\t": "a tab", "\u2009": "a thin space (U+2009)", "\u202f": "a narrow no-break space (U+202F)"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of the contract. See contract.yml for what each attribute means."""

    name: str
    type: str = "string"
    role: str = ""
    required: bool = False
    enum: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    max_length: int | None = None
    references: str | None = None
    optional_column: bool = False
    unit_field: str = "unit_id"
    qualifier_field: str = ""
    flag_set: str = ""
    description: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    primary_key: str
    fields: dict[str, FieldSpec]
    description: dict

    @property
    def columns(self) -> list[str]:
        """Every contract field, in the contract's order (the order of the loaded table)."""
        return list(self.fields)

    @property
    def required_columns(self) -> list[str]:
        return [name for name, spec in self.fields.items() if not spec.optional_column]


@dataclass(frozen=True)
class Contract:
    resources: dict[str, ResourceSpec]
    plan_keys: dict[str, FieldSpec]
    plan_description: dict
    dimensions: dict[str, dict]
    qualifiers: dict[str, dict]
    confidence_flags: dict[str, dict]
    reserved_plan_ids: tuple[str, ...]
    id_pattern: re.Pattern
    id_max_length: int
    year_minimum: int
    year_maximum: int
    number_max: float
    integer_max: int
    text_max_length: int
    name_max_length: int
    url_max_length: int

    @cached_property
    def resource_names(self) -> tuple[str, ...]:
        return tuple(self.resources)

    @property
    def about_band(self) -> float:
        """The relative uncertainty of "about X" (0.05: X ± 5 %), declared once under qualifiers.about."""
        return self.qualifiers["about"]["band"]

    def word_list(self, name: str) -> dict[str, dict]:
        """A list named by a field's `enum_from`/`flag_set` ("qualifiers", "confidence_flags")."""
        return {"qualifiers": self.qualifiers, "confidence_flags": self.confidence_flags}[name]


def _field(name: str, raw: dict, lists: dict) -> FieldSpec:
    raw = dict(raw)
    if "enum_from" in raw:
        raw["enum"] = list(lists[raw.pop("enum_from")])
    raw["enum"] = tuple(raw.get("enum", ()))
    return FieldSpec(name=name, **raw)


def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    """contract.yml -> Contract."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: a tenth of the time
    lists = {"qualifiers": raw["qualifiers"], "confidence_flags": raw["confidence_flags"]}
    band = raw["qualifiers"]["about"].get("band")
    # A band of 0 would make "about X" exact and 1 or more would let "about X" reach zero: either is
    # a slip in this file, refused before any page states it.
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not 0 < band < 1:
        raise ValueError(f"{path}: qualifiers.about.band must be a number between 0 and 1, not {band!r}")
    resources = {}
    for name, spec in raw["resources"].items():
        fields = {field_name: _field(field_name, f, lists) for field_name, f in spec["fields"].items()}
        resources[name] = ResourceSpec(name, spec["primary_key"], fields, spec["description"])
    return Contract(
        resources=resources,
        plan_keys={key: _field(key, f, lists) for key, f in raw["plan"]["keys"].items()},
        plan_description=raw["plan"]["description"], dimensions=raw["dimensions"], qualifiers=raw["qualifiers"],
        confidence_flags=raw["confidence_flags"], reserved_plan_ids=tuple(str(i) for i in raw["reserved_plan_ids"]),
        id_pattern=re.compile(raw["id_pattern"], re.ASCII), id_max_length=raw["id_max_length"],
        year_minimum=raw["year_minimum"], year_maximum=raw["year_maximum"], number_max=float(raw["number_max"]),
        integer_max=int(raw["integer_max"]),
        text_max_length=raw["text_max_length"], name_max_length=raw["name_max_length"],
        url_max_length=raw["url_max_length"])


CONTRACT = load_contract()


# --- cells -------------------------------------------------------------------------------------

def shown(text: str, limit: int = 60) -> str:
    """A cell as a message quotes it: control characters made visible, long text cut."""
    text = CONTROL_CHARACTERS.sub(lambda m: f"U+{ord(m.group()):04X}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number_problem(text: str, kind: str) -> tuple[str, dict]:
    """A cell that is not a plain ASCII number -> (problem code, values) saying what it is instead."""
    quoted = shown(text)
    stripped = text.strip(" \u00a0\u3000\t\u2009\u202f")
    if text.strip() in _DASHES or stripped in _DASHES:
        return "dash-for-no-figure", {"cell": quoted}
    if stripped.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return "not-finite", {"cell": quoted}
    for space, words in _SPACES.items():
        if space in text and (_NUMBER if kind == "number" else _INTEGER).fullmatch(stripped.replace(space, "")):
            return "space-in-number", {"cell": quoted, "space": words, "plain": stripped.replace(space, "")}
    normalized = unicodedata.normalize("NFKC", text).strip()
    if normalized != text and (_NUMBER if kind == "number" else _INTEGER).fullmatch(normalized):
        return "full-width-number", {"cell": quoted, "plain": normalized}
    if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", stripped, re.ASCII):
        return "thousands-separator", {"cell": quoted, "plain": stripped.replace(",", "")}
    if kind == "integer" and _NUMBER.fullmatch(stripped):
        return "not-whole", {"cell": quoted}
    if kind == "number":
        return "wrong-type", {"cell": quoted, "what": "a number", "how": "write a plain number with a dot for decimals, "
                              "no thousands separators or units (the unit goes in unit_id)"}
    return "wrong-type", {"cell": quoted, "what": "a whole number", "how": "write digits only, no decimals, separators or units"}


def parse_cell(spec: FieldSpec, text: str, contract: Contract = CONTRACT) -> tuple[Any, tuple[str, dict] | None]:
    """A cell's text -> (typed value or None, None) or (None, (problem code, values)) when it
    cannot be read as the contract types it. An empty cell is None (never zero). Checks the type
    and the cell's own limits (range, enum, role); checks across rows and columns are validation's."""
    if text == "":
        return None, None
    control = CONTROL_CHARACTERS.search(text)
    if control:
        return None, ("control-character", {"cell": shown(text), "char": f"U+{ord(control.group()):04X}"})
    kind = spec.type
    if spec.role == "year" or kind in ("integer", "year"):
        if not _INTEGER.fullmatch(text):
            return None, _number_problem(text, "integer")
        if len(text.lstrip("+-0")) > 16:  # past any bound, and int() refuses thousands of digits
            if spec.role == "year" or kind == "year":
                return None, ("year-out-of-range", {"cell": shown(text), "low": contract.year_minimum,
                                                    "high": contract.year_maximum})
            if spec.minimum is not None and spec.maximum is not None:
                return None, ("out-of-range", {"cell": shown(text), "range": allowed_range(spec.minimum, spec.maximum)})
            return None, ("number-too-large", {"cell": shown(text), "limit": f"{contract.number_max:g}"})
        value = int(text)
        if spec.role == "year" or kind == "year":
            if not contract.year_minimum <= value <= contract.year_maximum:
                return None, ("year-out-of-range", {"cell": text, "low": contract.year_minimum,
                                                    "high": contract.year_maximum})
        return _bounded(spec, value, text, contract)
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            return None, _number_problem(text, "number")
        if len(text) > 400:  # no figure needs as many digits; float() of a huge text is slow
            return None, ("number-too-large", {"cell": shown(text), "limit": f"{contract.number_max:g}"})
        value = float(text)
        if not math.isfinite(value):
            return None, ("not-finite", {"cell": text})
        return _bounded(spec, value, text, contract)
    if kind == "boolean":
        if text in TRUE_VALUES or text in FALSE_VALUES:
            return text in TRUE_VALUES, None
        return None, ("wrong-type", {"cell": shown(text), "what": "true or false", "how": "write true or false"})
    if kind == "date":
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, ("wrong-date", {"cell": shown(text)})
    return _string(spec, text, contract)


def visible(text: str) -> bool:
    """Text -> whether it shows anything: a character that is not a space, a line break or an
    invisible format character (U+200B zero-width space, U+2060 word joiner...)."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


def allowed_range(low=None, high=None, low_exclusive: bool = False) -> str:
    """Bounds -> words: "at least 0", "more than 0", "at most 20", "0 to 20"."""
    if low is not None and high is not None and not low_exclusive:
        return f"{low:g} to {high:g}"
    parts = []
    if low is not None:
        parts.append(f"{'more than' if low_exclusive else 'at least'} {low:g}")
    if high is not None:
        parts.append(f"at most {high:g}")
    return " and ".join(parts)


def _bounded(spec: FieldSpec, value, text: str, contract: Contract):
    if abs(value) > contract.number_max:
        return None, ("number-too-large", {"cell": text, "limit": f"{contract.number_max:g}"})
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        return None, ("out-of-range", {"cell": text, "range": allowed_range(spec.minimum, spec.maximum)})
    if spec.exclusive_minimum is not None and value <= spec.exclusive_minimum:
        return None, ("out-of-range", {"cell": text, "range": allowed_range(spec.exclusive_minimum, spec.maximum, True)})
    return value, None


def _string(spec: FieldSpec, text: str, contract: Contract):
    if spec.enum and text not in spec.enum:
        return None, ("invalid-choice", {"cell": shown(text), "choices": ", ".join(spec.enum)})
    role = spec.role
    if role == "id":
        if len(text) > contract.id_max_length or not contract.id_pattern.fullmatch(text):
            return None, ("unsafe-id", {"cell": shown(text), "limit": contract.id_max_length})
    elif role == "name":
        if not any(unicodedata.category(c)[0] in "LN" for c in text):
            return None, ("blank-name", {"cell": shown(text)})
    elif role == "label":
        if not visible(text):
            return None, ("blank-name", {"cell": shown(text)})
    elif role == "text" and spec.required and not visible(text):
        return None, ("blank-text", {"chars": " ".join(f"U+{ord(c):04X}" for c in text[:8]) + (" …" if len(text) > 8 else "")})
    elif role == "url":
        if len(text) > contract.url_max_length or not _URL.fullmatch(text):
            return None, ("invalid-url", {"cell": shown(text)})
    elif role == "flags":
        flags = [flag.strip() for flag in text.split(";")]
        unknown = [flag for flag in flags if flag and flag not in contract.word_list(spec.flag_set)]
        if unknown or not any(flags):
            return None, ("invalid-flag", {"cell": shown(text), "choices": ", ".join(contract.word_list(spec.flag_set))})
        if "" in flags:
            return None, ("empty-flag", {"cell": shown(text)})
        twice = next((flag for n, flag in enumerate(flags) if flag in flags[:n]), None)
        if twice:
            return None, ("duplicate-flag", {"cell": shown(text), "flag": twice})
        return ";".join(flags), None
    limit = spec.max_length or (contract.name_max_length if role in ("name", "label") else contract.text_max_length)
    if len(text) > limit:
        return None, ("text-too-long", {"length": len(text), "limit": limit})
    if role != "text" and ("\n" in text or "\r" in text):
        return None, ("line-break", {"cell": shown(text)})
    return text, None


# --- tables ------------------------------------------------------------------------------------

@dataclass
class Table:
    """One resource of one package read by the contract: typed rows keyed by field, with their
    spreadsheet row numbers (header = row 1), the cells that could not be typed, and whether the
    table as a whole could be read (its header matched its schema)."""

    name: str
    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    bad_cells: set[tuple[int, str]] = field(default_factory=set)
    readable: bool = False
    # Keys of rows left out for their shape (too few or many cells): references to them are not
    # reported again as unknown.
    unread_keys: set[str] = field(default_factory=set)


def field_specs(resource: str, schema_fields: list[dict], contract: Contract = CONTRACT) -> dict[str, FieldSpec]:
    """A package's schema fields for one resource -> the spec each column is read by: the
    contract's for contract fields, plain text for a package's own extra fields."""
    specs = contract.resources[resource].fields if resource in contract.resources else {}
    return {f["name"]: specs.get(f["name"]) or FieldSpec(f["name"], role="text") for f in schema_fields}


def read_table(text: str, resource: str, schema_fields: list[dict], file: str,
               contract: Contract = CONTRACT) -> tuple[Table, list[Problem]]:
    """A CSV's text (UTF-8 already decoded; any mix of CRLF and LF line ends) and the package's
    schema fields for it -> (Table, problems). The header must name the schema's fields in order;
    every cell is typed by the contract (parse_cell); required contract fields must be filled."""
    specs = field_specs(resource, schema_fields, contract)
    names = list(specs)
    table = Table(resource, file, names)
    problems: list[Problem] = []
    records = csv.reader(io.StringIO(text, newline=""), strict=False)  # one record at a time: reading
    # stops at the first row that cannot be read, however much follows
    try:
        header = next(records, None)
        if header is None:
            return table, [problem("empty-file", file)]
        problems += _header_problems(header, names, file)
        if problems:
            return table, problems
        table.readable = True
        _read_rows(table, records, specs, resource, file, problems, contract)
    except csv.Error as error:  # a cell past the CSV reader's limit (131,072 characters): a quote never closed
        table.readable = False
        problems.append(problem("unreadable-csv", file, records.line_num, why=str(error)))
    if not table.rows and not problems:
        problems.append(problem("no-rows", file))
    return table, problems


def _read_rows(table: Table, records, specs: dict[str, FieldSpec], resource: str, file: str, problems: list[Problem],
               contract: Contract) -> None:
    names = list(specs)
    # Empty lines at the very end (an editor's extra line break) are nothing; anywhere else, a blank row.
    blank: list[int] = []
    for offset, cells in enumerate(records):
        n = offset + 2
        if not cells:
            blank.append(n)
            continue
        problems += [problem("blank-row", file, b) for b in blank]
        blank = []
        if not any(cell.strip() for cell in cells):
            problems.append(problem("blank-row", file, n))
            continue
        if len(cells) != len(names):
            problems.append(_length_problem(cells, names, file, n))
            if problems[-1].code == "row-too-long":
                # Stop here: cells past the header have no field to be read by, and a row of many
                # thousand (a run of commas) makes every later reading of the file crawl.
                table.readable = False
                return
            key = contract.resources[resource].primary_key if resource in contract.resources else None
            split = [part for cell in cells for part in cell.split("，")]  # a row typed with full-width commas
            if key in names and names.index(key) < len(split):
                table.unread_keys.add(split[names.index(key)])
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(names, cells):
            spec = specs[name]
            value, found = parse_cell(spec, cell, contract)
            if found:
                code, params = found
                problems.append(problem(code, file, n, name, **params))
                table.bad_cells.add((n, name))
            elif value is None and spec.required:
                problems.append(problem("missing-value", file, n, name))
                table.bad_cells.add((n, name))
            values[name] = value
        table.rows.append((n, values))


def _header_problems(header: list[str], names: list[str], file: str) -> list[Problem]:
    problems = []
    if header and header[-1].strip() == "" and len(header) == len(names) + 1:
        problems.append(problem("empty-column", file, 1, None, position=len(header)))
        header = header[:-1]
    if "，" in "".join(header) and len(header) < len(names):
        return [problem("full-width-commas", file, 1)]
    for position, (label, name) in enumerate(zip(header, names), start=1):
        if label != name:
            problems.append(problem("header-mismatch", file, 1, name, label=shown(label), position=position))
    if len(header) < len(names):
        problems.append(problem("missing-column", file, 1, names[len(header)], columns=", ".join(names[len(header):])))
    elif len(header) > len(names):
        problems.append(problem("extra-column", file, 1, None, label=shown(header[len(names)]),
                                position=len(names) + 1))
    return problems


def _length_problem(cells: list[str], names: list[str], file: str, n: int) -> Problem:
    if "，" in "".join(cells) and len(cells) < len(names):
        return problem("full-width-commas", file, n)
    if len(cells) == len(names) + 1 and cells[-1].strip() == "":
        return problem("empty-column", file, n, None, position=len(cells))
    if len(cells) < len(names):
        return problem("row-too-short", file, n, names[len(cells)], have=len(cells), want=len(names))
    return problem("row-too-long", file, n, None, have=len(cells), want=len(names))
