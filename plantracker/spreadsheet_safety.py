"""Text -> text a spreadsheet shows as text: formula neutralization and the safe CSV writer.

Spreadsheet programs (Excel, WPS, LibreOffice, Google Sheets) run a cell as a formula when its text
begins with `=`, `+`, `-` or `@` (and some strip a leading tab or carriage return first). Every file
meant to be opened in a spreadsheet (the spreadsheet CSVs, the XLSX, per-chart CSVs) passes each
text cell through `neutralize_cell`, which puts an apostrophe in front, as OWASP recommends. Files
meant for programs (the package CSV, JSON, Parquet, the zip) keep the text exactly.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

# Half-width prefixes from OWASP's CSV injection guidance, plus the full-width forms that
# CJK input methods produce and some spreadsheet versions also accept as formula starts.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NEUTRALIZER = "'"

# A plain decimal number as the Table Schema writes it: safe to leave as is in a numeric column.
NUMBER_LITERAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Excel refuses cells longer than this; XML 1.0 forbids these control characters.
XLSX_MAX_CHARS = 32767
XLSX_TRUNCATION_MARK = "… [truncated 已截断]"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The Excel dialect, with CRLF rows as RFC 4180 says; a BOM so Excel reads UTF-8 (see write_rows_csv).
SPREADSHEET_CSV_ENCODING = "utf-8-sig"


def neutralize_cell(value: Any) -> Any:
    """Cell value -> the same value, with a text starting with a formula prefix behind an apostrophe.

    Numbers, booleans, dates and None come back unchanged: only text can be read as a formula.
    """
    # Leading spaces too: some programs trim a cell before reading it (" =1+1" becomes a formula).
    if isinstance(value, str) and value.lstrip(" \u3000\u00a0").startswith(FORMULA_PREFIXES):
        return NEUTRALIZER + value
    return value


def spreadsheet_csv_cell(text: str, numeric: bool) -> str:
    """One cell of a package CSV -> the same cell for the spreadsheet CSV (numbers stay numbers)."""
    if numeric and NUMBER_LITERAL.fullmatch(text):
        return text
    return neutralize_cell(text)


def xlsx_text(text: str) -> str:
    """Text -> text an XLSX string cell can hold: neutralized, LF line ends, no XML-illegal
    characters (replaced by U+FFFD), at most 32,767 characters (cut with a visible mark)."""
    text = neutralize_cell(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _XML_ILLEGAL.sub("\ufffd", text)
    if len(text) > XLSX_MAX_CHARS:
        text = text[: XLSX_MAX_CHARS - len(XLSX_TRUNCATION_MARK)] + XLSX_TRUNCATION_MARK
    return text


def format_csv_value(value: Any) -> str:
    """Python value -> CSV cell text: None empty, booleans true/false, whole floats without '.0',
    dates ISO, text neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to a CSV cell")
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return neutralize_cell(str(value))


def write_spreadsheet_csv(header: list[str], rows: Iterable[list[str]], path: Path) -> None:
    """Header and rows of cell texts (already made safe) -> a UTF-8 CSV with BOM and CRLF rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=SPREADSHEET_CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, dialect="excel", lineterminator="\r\n")
        writer.writerow([neutralize_cell(name) for name in header])
        writer.writerows(rows)


def write_rows_csv(rows: list[dict], columns: list[str], path: Path) -> None:
    """Rows (dicts) and the columns to show -> a spreadsheet-safe CSV at path.

    UTF-8 with a BOM (without one, Excel on Chinese Windows reads UTF-8 as GBK and garbles the
    Chinese), CRLF rows, text cells neutralized, numbers written as numbers. Keys not in columns
    are left out; a missing key is an empty cell.
    """
    write_spreadsheet_csv(columns, ([format_csv_value(row.get(c)) for c in columns] for row in rows), path)
