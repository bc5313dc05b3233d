"""An NBS data portal export (国家数据, 分省年度数据: one indicator by province and year) -> its lines and cells, as printed.

The layout (DATA.md, "Import a table from the NBS data portal"):

    数据库：分省年度数据
    指标：地区生产总值(亿元)
    时间：最近20年
    地区,2024年,2023年,...
    北京市,49670.2,47353.7,...          one row per region; an empty cell is no figure, never zero
    注：...                              optional footnotes (a footnote may go on over further one-cell rows)
    数据来源：国家统计局

Files: CSV in UTF-8 (with or without BOM) or GBK/GB18030, and Excel .xlsx/.xls (first sheet) read
with python-calamine. Rows are the export's own: a CSV's line, a sheet's row, the first being 1.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ..contract import shown
from ..problems import InputError, Problem, problem
from .formulas import formula_cells

DATABASE = "分省年度数据"
CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsm")
MAX_EXPORT_BYTES = 20 * 2**20

_LABEL = r"\s*[：:]\s*"  # the portal writes a full-width colon; accept a half-width one too
_INDICATOR = re.compile(rf"^指标{_LABEL}(?P<name>.+?)\s*[(（](?P<unit>[^()（）]+)[)）]\s*$")
_YEAR = re.compile(r"^(\d{4})年$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Cell:
    """One figure as printed: region and year as in the export, value with its digits untouched."""

    row: int
    column: int
    region: str
    year: int
    year_label: str  # the header cell, e.g. 2024年
    value: str       # e.g. "49670.2"


@dataclass
class RegionRow:
    """One region's row: its figures and the years it leaves empty."""

    row: int
    name: str                                             # as printed, e.g. 内蒙古自治区
    cells: list[Cell] = field(default_factory=list)       # the non-empty cells
    empty_years: list[str] = field(default_factory=list)  # header labels of the empty cells


@dataclass
class Export:
    """The export file read: metadata lines as printed, region rows, footnotes."""

    file: str
    indicator_line: str   # e.g. 指标：地区生产总值(亿元)
    indicator_row: int
    indicator: str        # e.g. 地区生产总值
    unit_label: str       # e.g. 亿元
    period_line: str      # e.g. 时间：最近20年
    years: list[str]      # header labels, e.g. ["2024年", "2023年"]
    regions: list[RegionRow]
    footnotes: list[str]  # 注：... lines as printed (continuation rows kept as their own lines)
    source_line: str | None
    header_row: int = 0   # the 地区,2024年,... row
    footnote_rows: list[int] = field(default_factory=list)  # the row of each footnote line


def read_export(path: Path) -> Export:
    """Export file (.csv, .xlsx, .xls) -> Export. Raises InputError naming the export's row and column."""
    file = path.name
    if not path.is_file():
        raise InputError([problem("export-missing-file", file, path=path)])
    if path.stat().st_size > MAX_EXPORT_BYTES:
        raise InputError([problem("export-file-too-large", file, limit=f"{MAX_EXPORT_BYTES // 2**20} MB")])
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        grid = _excel_grid(path, file)
    elif suffix in CSV_SUFFIXES:
        grid = _csv_grid(path.read_bytes(), file)
    else:
        raise InputError([problem("unsupported-file", file, suffix=suffix or path.name)])
    return _parse(grid, file)


# ---- reading: file -> rows of text cells, numbered as the file numbers them ----

def _csv_grid(data: bytes, file: str) -> list[tuple[int, list[str]]]:
    """CSV bytes -> (line, cells) per record. UTF-8 (BOM or not) is tried first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError([problem("unknown-encoding", file)])
    reader = csv.reader(io.StringIO(text, newline=""))
    grid = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return grid
        except csv.Error as error:
            raise InputError([problem("export-unreadable-table", file, line, error=error)]) from None
        grid.append((line, [cell.strip() for cell in cells]))


def _excel_grid(path: Path, file: str) -> list[tuple[int, list[str]]]:
    """Workbook -> (sheet row, cells) of its first sheet, every cell as text."""
    from python_calamine import CalamineError, load_workbook

    try:
        sheet = load_workbook(str(path)).get_sheet_by_index(0)
        # skip_empty_area=False keeps leading empty rows, so row numbers are the sheet's own
        values = sheet.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as error:
        raise InputError([problem("unreadable-workbook", file, error=error)]) from None
    formulas = formula_cells(path) if path.suffix.lower() in (".xlsx", ".xlsm") else []
    if formulas:
        raise InputError([problem("export-formula", file, row, f"column {column_letter(column)}", formula=shown(formula))
                          for row, column, formula in formulas])
    return [(n, [_excel_text(value) for value in row]) for n, row in enumerate(values, start=1)]


def _excel_text(value) -> str:
    """A cell's value -> text. Excel keeps numbers, not the digits shown: a number is written in its
    shortest exact decimal form (49670.2 stays 49670.2; 37767.0 becomes 37767)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # repr is the shortest round trip; "f" avoids 1e-05
    if isinstance(value, (datetime, date, time, timedelta)):
        return value.isoformat() if not isinstance(value, timedelta) else str(value)
    return str(value).strip()


# ---- parsing: rows of text -> Export ----

def _parse(grid: list[tuple[int, list[str]]], file: str) -> Export:
    rows = [(n, _trim(cells)) for n, cells in grid]
    rows = [(n, cells) for n, cells in rows if cells]  # blank lines carry nothing
    if not rows:
        raise InputError([problem("empty-export", file)])
    position = iter(rows)
    _database_line(next(position), file)
    indicator_row, indicator_line, indicator, unit = _indicator_line(_next(position, file, "指标"), file)
    period_line = _line_text(_expect(_next(position, file, "时间"), "时间", file)[1])
    header_row, header = _next(position, file, "地区")
    years = _years(header_row, header, file)
    regions, footnotes, source_line = _body(position, years, file)
    return Export(file, indicator_line, indicator_row, indicator, unit, period_line, years, regions,
                  [text for _, text in footnotes], source_line, header_row, [n for n, _ in footnotes])


def _trim(cells: list[str]) -> list[str]:
    """Cells -> the same without the empty cells at the end (spreadsheets pad rows to the table's width)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _line_text(cells: list[str]) -> str:
    """A one-line row (数据库, 指标, 注 ...) -> its text; a comma in it had split it into cells in a CSV."""
    return ",".join(cells)


def _next(position, file: str, expected: str) -> tuple[int, list[str]]:
    row = next(position, None)
    if row is None:
        raise InputError([problem("truncated-export", file, expected=expected)])
    return row


def _expect(row: tuple[int, list[str]], label: str, file: str) -> tuple[int, list[str]]:
    n, cells = row
    if not re.match(rf"^{label}{_LABEL}", _line_text(cells)):
        code = {"数据库": "missing-database-line", "指标": "missing-indicator-line",
                "时间": "missing-period-line"}[label]
        raise InputError([problem(code, file, n, label=label, found=_line_text(cells)[:40])])
    return row


def _database_line(row: tuple[int, list[str]], file: str) -> None:
    n, cells = _expect(row, "数据库", file)
    database = re.sub(rf"^数据库{_LABEL}", "", _line_text(cells)).strip()
    if database != DATABASE:
        raise InputError([problem("unsupported-database", file, n, database=database, expected=DATABASE)])


def _indicator_line(row: tuple[int, list[str]], file: str) -> tuple[int, str, str, str]:
    n, cells = _expect(row, "指标", file)
    line = _line_text(cells)
    match = _INDICATOR.match(line)
    if not match:
        raise InputError([problem("missing-unit", file, n, "指标", line=line)])
    return n, line, match["name"], match["unit"].strip()


def _years(n: int, header: list[str], file: str) -> list[str]:
    if not header or header[0] != "地区":
        raise InputError([problem("missing-header", file, n, found=_line_text(header)[:40])])
    problems, seen = [], set()
    for column, label in enumerate(header[1:], start=2):
        if not _YEAR.match(label) or label in seen:
            why = "appears twice" if label in seen else "is not a year such as 2024年"
            problems.append(problem("not-a-year", file, n, f"column {column_letter(column)}", label=label, why=why))
        seen.add(label)
    if len(header) < 2:
        problems.append(problem("no-years", file, n))
    if problems:
        raise InputError(problems)
    return header[1:]


def _body(position, years: list[str], file: str) -> tuple[list[RegionRow], list[tuple[int, str]], str | None]:
    """Rows after the header -> region rows, (row, footnote) and the 数据来源 line; every bad cell is a problem."""
    regions, footnotes, source_line, problems = [], [], None, []
    for n, cells in position:
        text = _line_text(cells)
        if text.startswith(("注：", "注:")) or text.startswith("数据来源") or (footnotes and len(cells) == 1):
            if text.startswith("数据来源"):
                source_line = text
            else:
                footnotes.append((n, text))
            continue
        if footnotes or source_line:
            problems.append(problem("row-after-footnotes", file, n, text=text[:40]))
            continue
        regions.append(_region_row(n, cells, years, file, problems))
    if not regions:
        problems.append(problem("no-regions", file))
    if problems:
        raise InputError(problems)
    return regions, footnotes, source_line


def _region_row(n: int, cells: list[str], years: list[str], file: str, problems: list[Problem]) -> RegionRow:
    region = RegionRow(n, cells[0])
    if not cells[0]:
        problems.append(problem("missing-region", file, n, "column A"))
    if len(cells) > len(years) + 1:
        problems.append(problem("export-extra-cell", file, n, f"column {column_letter(len(years) + 2)}",
                                extra=len(cells) - 1 - len(years)))
    for column, label in enumerate(years, start=2):
        value = cells[column - 1] if column - 1 < len(cells) else ""
        if not value:
            region.empty_years.append(label)  # nothing was published: no figure, never zero
        elif _NUMBER.match(value):
            region.cells.append(Cell(n, column, cells[0], int(label[:4]), label, value))
        else:
            problems.append(problem("not-a-number", file, n, f"column {column_letter(column)} ({label})", cell=value))
    return region


def column_letter(column: int) -> str:
    """1 -> A, 27 -> AA: how a spreadsheet names a column."""
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
