"""A CSV file edited in place: path -> header and numbered rows; rows appended or replaced, every other byte kept.

A person edits the package CSVs by hand and git shows every byte, so a program that adds rows must not
re-quote, re-order or re-terminate the rows it did not change. Rows are read with the csv module, but
written back by splicing the text: each record's span in the file is known, so a replaced row takes
exactly its old place and new rows go after the last one, in the file's own line ending.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CsvFile:
    """One CSV file as read: its text, line ending, the span of each record and the rows by column."""

    path: Path
    text: str
    newline: str                          # "\r\n" when the file uses it, else "\n"
    spans: list[tuple[int, int]]          # record i (spreadsheet row i + 1) is text[start:end], without its line end
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, column -> cell); header = row 1, blank lines skipped


def read_csv(path: Path) -> CsvFile:
    """UTF-8 CSV file -> CsvFile. Raises UnicodeDecodeError when it is not UTF-8 (the caller names the file)."""
    text = path.read_bytes().decode("utf-8")
    spans = _record_spans(text)
    records = [_parse_record(text[start:end]) for start, end in spans]
    header = records[0] if records else []
    rows = [(n, _as_dict(header, cells)) for n, cells in enumerate(records[1:], start=2) if cells]
    return CsvFile(path, text, "\r\n" if "\r\n" in text else "\n", spans, header, rows)


def format_row(header: list[str], values: dict[str, str]) -> str:
    """Column -> value (missing columns empty) -> one CSV record in the header's order, quoted only where needed."""
    buffer = io.StringIO()
    # with "\r\n" as terminator the writer quotes a cell holding either character, whichever the file uses
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(
        [values.get(column, "") for column in header])
    return buffer.getvalue()[:-2]


def edited_text(table: CsvFile, appended: list[dict[str, str]], replaced: dict[int, dict[str, str]]) -> str:
    """The file's text with rows `replaced` (spreadsheet row -> new values) in place and `appended` at the end."""
    pieces, position = [], 0
    for row in sorted(replaced):
        start, end = table.spans[row - 1]
        pieces += [table.text[position:start], format_row(table.header, replaced[row])]
        position = end
    pieces.append(table.text[position:])
    text = "".join(pieces)
    if appended and text and not text.endswith("\n"):
        text += table.newline  # the last row had no line end: end it before adding rows
    text += "".join(format_row(table.header, values) + table.newline for values in appended)
    return text


def write_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to a temporary file beside `path`, then rename it over `path` (never half written)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _record_spans(text: str) -> list[tuple[int, int]]:
    """CSV text -> (start, end) of each record; a line end inside quotes belongs to the record (RFC 4180)."""
    spans, start, quoted = [], 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
        elif char == "\n" and not quoted:
            end = index - 1 if index > start and text[index - 1] == "\r" else index
            spans.append((start, end))
            start = index + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _parse_record(record: str) -> list[str]:
    return next(csv.reader(io.StringIO(record, newline="")), [])


def _as_dict(header: list[str], cells: list[str]) -> dict[str, str]:
    return {column: cells[i] if i < len(cells) else "" for i, column in enumerate(header)}
