"""What an import would write, held to validation's rules before anything is written.

- `value_problems`: the rows to write -> every cell the contract's own cell reader (contract.parse_cell:
  types, year range, number limits, text rules) refuses, named where it came from: the export's row and
  column for a figure, its year column, a footnote's row; the sources table for a new source's row.
  The preview reports them, so what it accepts, the write does not refuse for them.
- `write_validated`: edited texts -> written into a copy of the data folder and validated there (all
  checks, across rows and tables too); only a valid copy lets the real files be replaced, each atomically.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..contract import field_specs, parse_cell
from ..problems import InputError, Problem, problem
from .csv_file import write_atomically
from .export import Export, column_letter
from .matching import Package

_FROM_THE_CELL = ("value", "quote")  # the figure as printed, and the quote that repeats it


def value_problems(export: Export, figures: list, new_source: dict | None, package: Package) -> list[Problem]:
    """Figures to add or replace (Figure: values + the export cell) and a new sources row -> the problems
    validation would find in their cells, one per place in the export (or column of sources.csv)."""
    specs = field_specs("observations", list(package.fields["observations"].values()))
    found: dict[tuple, Problem] = {}

    def note(check: tuple | None, file: str, row: int | None, where: str) -> bool:
        if check:
            code, values = check
            found.setdefault((file, row, where, code), problem(code, file, row, where, **values))
        return bool(check)

    for figure in figures:
        cell, values = figure.cell, figure.values
        label = f"column {column_letter(cell.column)} ({cell.year_label})"
        if "year" in specs:
            note(parse_cell(specs["year"], values["year"])[1], export.file, export.header_row,
                 f"column {column_letter(cell.column)}")
        if not note(parse_cell(specs["value"], values["value"])[1] if "value" in specs else None,
                    export.file, cell.row, label) and "quote" in specs:
            note(parse_cell(specs["quote"], values["quote"])[1], export.file, cell.row, f"{label}, its quote")
        if "note_zh" in specs and parse_cell(specs["note_zh"], values["note_zh"])[1]:
            _footnote_problems(export, specs["note_zh"], values["note_zh"], note)
        for column, text in values.items():
            if column in specs and column not in (*_FROM_THE_CELL, "year", "note_zh"):
                note(parse_cell(specs[column], text)[1], package.files["observations"], None, column)
    if new_source:
        source_specs = field_specs("sources", list(package.fields["sources"].values()))
        for column, text in new_source.items():
            if column in source_specs:
                note(parse_cell(source_specs[column], text)[1], package.files["sources"], None, column)
    return list(found.values())


def _footnote_problems(export: Export, spec, joined: str, note) -> None:
    """note_zh refused -> the footnote lines it comes from that are refused alone, else the first one
    (the lines together are too long)."""
    if not any([note(parse_cell(spec, text)[1], export.file, row, "注 (note_zh)")
                for row, text in zip(export.footnote_rows, export.footnotes)]):
        note(parse_cell(spec, joined)[1], export.file, export.footnote_rows[0] if export.footnote_rows else None,
             "注 (note_zh)")


def write_validated(package_dir: Path, texts: dict[Path, str]) -> None:
    """Package folder + new text of some of its files -> the files replaced, each atomically, once a copy of
    the data folder holding them passes validation. Raises InputError (nothing written) with the copy's
    problems, named as in the real folder."""
    from ..validate import validate_packages  # frictionless: only when something is to be written

    data_dir = package_dir.resolve().parent
    with tempfile.TemporaryDirectory(prefix="plantracker-import-") as scratch:
        copy = Path(scratch) / data_dir.name  # the same name: problems name the files as in data_dir
        copy.mkdir()
        for descriptor in data_dir.glob("*/datapackage.json"):
            shutil.copytree(descriptor.parent, copy / descriptor.parent.name)
        for path, text in texts.items():
            (copy / path.resolve().relative_to(data_dir)).write_text(text, encoding="utf-8", newline="")
        problems = validate_packages(copy)
    if problems:
        raise InputError([*problems, problem("import-leaves-problems", f"{data_dir.name}/{package_dir.name}",
                                             count=len(problems))])
    for path, text in texts.items():
        write_atomically(path, text)
