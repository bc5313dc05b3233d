"""A data package's typed tables -> one reproducible XLSX: an "About" sheet in both languages ("说明 About",
its words from templates/strings.d/downloads.yml), then one sheet per resource."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from .data_dictionary import describe_field, describe_resource
from .exports import write_reproducible_zip
from ..settings import COMPILATION_LICENCE, COMPILATION_LICENCE_URL, Release
from ..spreadsheet_safety import XLSX_MAX_CHARS, neutralize_cell, xlsx_text

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet, row: int, column: int, value, bold: bool = False) -> None:
    """Write one cell: text always as a string cell (never a formula), numbers and booleans as such."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl would otherwise take text starting with '=' for a formula
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, dt.time):
        cell.value = value.isoformat()
        cell.data_type = "s"
    else:
        cell.value = value  # int, float, bool or None
    if bold:
        cell.font = BOLD


def _rows(sheet, start: int, rows: list[list], bold: bool = False) -> int:
    """Write rows from `start`; -> the next free row."""
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            _put(sheet, start + offset, column, value, bold)
    return start + len(rows)


def _both(words: dict, key: str) -> str:
    """A label in both languages, as every row of the About sheet gives it: "标题 Title"."""
    return f"{words['zh'][key]} {words['en'][key]}"


def _licence_texts(plan: dict, words: dict) -> list[str]:
    """The package's licence_note, else the site's licence text -> the licence in zh and en.

    One statement per language, not both: the shipped packages' notes restate the site's text (the
    licence, the sources' own terms) and add to it ("quotes are short excerpts"), so printing both
    said the licence twice. The package's words are kept, as the package's own terms; the site's
    text stands in for a language whose note is empty (the contract allows that). The licence's id
    and address follow in cells of their own, so the row names it whatever a note says.
    """
    note = plan.get("licence_note") or {}
    return [note.get(lang) or words[lang]["workbook_licence_text"].format(licence=COMPILATION_LICENCE)
            for lang in ("zh", "en")]


def _about_rows(descriptor: dict, release: Release, words: dict) -> list[list]:
    plan = descriptor.get("plan", {})
    title = plan.get("title", {})
    issuer = plan.get("issuer", {})
    zh, en = words["zh"], words["en"]
    rows = [
        [_both(words, "workbook_title"), title.get("zh", descriptor.get("title", "")), title.get("en", "")],
        [_both(words, "workbook_issuer"), issuer.get("zh", ""), issuer.get("en", "")],
        [_both(words, "workbook_release"), release.version, release.date.isoformat(), release.url],
        [_both(words, "workbook_licence"), *_licence_texts(plan, words), COMPILATION_LICENCE, COMPILATION_LICENCE_URL],
        [_both(words, "workbook_attribution"),
         *(w["workbook_attribution_text"].format(publisher=w["site_title"], title=title.get(lang, ""),
                                                 version=release.version, url=release.url)
           for lang, w in (("zh", zh), ("en", en)))],
        [_both(words, "workbook_formulas"), zh["workbook_formulas_text"], en["workbook_formulas_text"]],
        [_both(words, "workbook_long_text"), zh["workbook_long_text_text"].format(n=XLSX_MAX_CHARS),
         en["workbook_long_text_text"].format(n=XLSX_MAX_CHARS)],
    ]
    for source in descriptor.get("sources", []):
        rows.append([_both(words, "workbook_source"), source.get("title", ""), source.get("path", "")])
    return rows


def _about_sheet(sheet, descriptor: dict, release: Release, tables: dict, words: dict) -> None:
    """Title, release, licence, sources, units and field descriptions, in zh and en."""
    row = _rows(sheet, 1, _about_rows(descriptor, release, words)) + 1
    if "units" in tables:
        fields, data = tables["units"]
        names = [f["name"] for f in fields]
        row = _rows(sheet, row, [[_both(words, "workbook_units")]], bold=True)
        row = _rows(sheet, row, [names], bold=True)
        row = _rows(sheet, row, [list(r) for r in data]) + 1
    row = _rows(sheet, row, [[_both(words, "workbook_fields")]], bold=True)
    row = _rows(sheet, row, [[_both(words, "workbook_col_table"), _both(words, "workbook_col_field"),
                              _both(words, "workbook_col_type"), words["zh"]["workbook_col_description"],
                              words["en"]["workbook_col_description"],
                              _both(words, "workbook_col_package_description")]], bold=True)
    for resource, (fields, _) in tables.items():
        zh, en = describe_resource(resource)
        row = _rows(sheet, row, [[resource, "", "", zh, en, ""]], bold=True)
        for field in fields:
            zh, en = describe_field(resource, field["name"])
            row = _rows(sheet, row, [[resource, field["name"], field.get("type", "string"), zh, en,
                                      field.get("description", "")]])
    for column, width in zip("ABCDEF", (18, 22, 10, 48, 48, 30)):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = WRAP


def _table_sheet(sheet, fields: list[dict], rows: list[tuple]) -> None:
    """Header of field names, then the typed rows; header frozen and filterable."""
    _rows(sheet, 1, [[f["name"] for f in fields]], bold=True)
    _rows(sheet, 2, [list(r) for r in rows])
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def write_xlsx(descriptor: dict, tables: dict[str, tuple[list[dict], list[tuple]]], release: Release,
               path: Path, words: dict) -> None:
    """Package descriptor, {resource: (fields, typed rows)} and the workbook strings
    (downloads.workbook_strings) -> an XLSX whose bytes depend only on them."""
    workbook = Workbook()
    about = workbook.active
    about.title = _both(words, "workbook_about_sheet")
    _about_sheet(about, descriptor, release, tables, words)
    for resource, (fields, rows) in tables.items():
        _table_sheet(workbook.create_sheet(resource[:31]), fields, rows)
    stamp = dt.datetime.combine(release.date, dt.time())
    props = workbook.properties
    props.created = props.modified = stamp
    props.creator = neutralize_cell(words["en"]["site_title"])  # the compiler, as the citation names it
    props.lastModifiedBy = None
    props.title = neutralize_cell(descriptor.get("title", descriptor["name"]))
    props.version = release.version
    # ExcelWriter rather than Workbook.save: save() overwrites `modified` with the current time.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    write_reproducible_zip(entries, release.date, path, order=list(entries))
