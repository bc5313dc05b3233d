"""The formula cells of a workbook's first sheet: .xlsx/.xlsm file -> [(row, column, formula)].

The portal's exports hold values. A formula means the file was edited after the export, and a reader
sees only the value Excel cached for it, or nothing when none was cached (a file written by a script):
python-calamine does not tell formulas apart, so the sheet's XML is read for its <f> elements.
Legacy .xls (BIFF) files are not read here.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REFERENCE = re.compile(r"^([A-Z]+)([0-9]+)$")


def formula_cells(path: Path) -> list[tuple[int, int, str]]:
    """Workbook (.xlsx, .xlsm) -> (sheet row, column number (A = 1), "=formula") of each formula cell of its first
    sheet, in sheet order; [] when the file cannot be read as one (the reader reports that itself)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheet = _first_sheet(archive)
            if sheet is None:
                return []
            with archive.open(sheet) as stream:
                return _formulas(stream)
    except (zipfile.BadZipFile, KeyError, ParseError, OSError):
        return []


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part name of the first sheet in workbook.xml's order (the sheet the reader takes)."""
    first = None
    for _, element in iterparse(archive.open("xl/workbook.xml")):
        if element.tag == f"{_MAIN}sheet":
            first = element.get(_RELATIONSHIP)
            break
    if first is None:
        return None
    for _, element in iterparse(archive.open("xl/_rels/workbook.xml.rels")):
        if element.get("Id") == first:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _formulas(stream) -> list[tuple[int, int, str]]:
    found, row, column = [], 0, 0
    for event, element in iterparse(stream, events=("start", "end")):
        if event == "start" and element.tag == f"{_MAIN}row":
            row, column = int(element.get("r") or row + 1), 0
        elif event == "start" and element.tag == f"{_MAIN}c":
            match = _REFERENCE.match(element.get("r") or "")
            column = _column_number(match[1]) if match else column + 1
        elif event == "end" and element.tag == f"{_MAIN}c":
            formula = element.find(f"{_MAIN}f")
            if formula is not None:
                found.append((row, column, f"={formula.text or ''}"))
            element.clear()
    return found


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number

