"""Cells the contract reads but a person should write otherwise -> problems: a year with a sign or
leading zeros ("+2020", "02020": a year has four digits), and a unit factor past the limit, told
how to put a factor right (not a figure's fix)."""
from __future__ import annotations

import csv
import io
import re

from ..contract import CONTRACT, Table
from ..problems import Problem, problem

# A cell starting with a sign or a zero, then a digit: the only years worth reading the file again for.
_SUSPECT = re.compile(r'(?:^|[,\n"])[+0][0-9]')


def _raw_rows(text: str, width: int):
    """A CSV's text -> (row number, cells) as read_table numbers them, rows of the header's width only."""
    for offset, cells in enumerate(csv.reader(io.StringIO(text, newline=""), strict=False)):
        if offset and len(cells) == width:
            yield offset + 1, cells


def cell_spelling(table: Table, text: str, found: list[Problem]) -> list[Problem]:
    """A table read by the contract, its text and the problems reading it found -> those problems
    (a factor's number-too-large given a factor's fix) plus years not written with four digits."""
    spec = CONTRACT.resources.get(table.name)
    if spec is None or not table.readable:
        return found
    years = [i for i, name in enumerate(table.columns) if name in spec.fields and spec.fields[name].role == "year"]
    factor_rows = {p.row for p in found if p.code == "number-too-large" and p.field == "factor"}
    if not factor_rows and not (years and _SUSPECT.search(text)):
        return found
    found = [p for p in found if p.row not in factor_rows or p.field != "factor" or p.code != "number-too-large"]
    try:
        for n, cells in _raw_rows(text, len(table.columns)):
            if n in factor_rows:
                found.append(problem("factor-too-large", table.file, n, "factor", cell=cells[table.columns.index("factor")],
                                     limit=f"{CONTRACT.number_max:g}"))
            for i in years:
                cell = cells[i]
                if cell[:1] in ("+", "0") and cell[1:].isdigit() and (n, table.columns[i]) not in table.bad_cells:
                    found.append(problem("wrong-type", table.file, n, table.columns[i], cell=cell,
                                         what="a four-digit year", how="write the year with four digits, e.g. 2020: no sign, no leading zero"))
    except csv.Error:
        pass  # read_table reported the file as unreadable
    return found
