"""Text from the data -> text that is inert in every output: no control characters, no link but a web address.

Validation refuses control characters in the data; this is the defence behind it, so that no output
(HTML, XML feeds, SVG, JSON, CSV) ever carries them, whatever reached the build. Escaping for each
context (HTML, attribute, Markdown, YAML) is done where the text is written: Jinja autoescape and
the `md` filter (render.py), yaml.safe_dump (mkdocs_build.py), json.dumps, ElementTree.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

# C0 controls but tab, line feed and carriage return; DEL; C1 controls. HTML forbids them, XML 1.0
# forbids most of them, terminals act on ESC, and Markdown uses two of them as internal markers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same class for DuckDB's regexp_replace (RE2 syntax).
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{7f}-\x{9f}]"
WEB_SCHEMES = ("https://", "http://")


def without_control_characters(text: str) -> str:
    """Text -> the same text without C0/C1 control characters (tab, LF and CR kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def printed_value(value: Any) -> Any:
    """Jinja `finalize` of every template environment: each value a template prints -> the same
    without control characters. Markup stays Markup: every character that makes HTML (`<`, `&`,
    quotes) was escaped before, so dropping characters cannot make markup."""
    if isinstance(value, Markup):
        return Markup(without_control_characters(str(value)))
    if isinstance(value, str):
        return without_control_characters(value)
    return value


def scrubbed(value: Any) -> Any:
    """A JSON-like value (str, dict, list, tuple, other) -> the same shape, every string (keys too)
    without control characters."""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, dict):
        return {scrubbed(k): scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrubbed(v) for v in value)
    return value


def web_address(url: str | None) -> str | None:
    """A URL from the data -> itself when it is an http(s) address, else None (never `javascript:`,
    `data:` and the like become a link)."""
    return url if isinstance(url, str) and url.lower().startswith(WEB_SCHEMES) else None


def scrub_database(db) -> None:
    """Loaded data (load.Database) -> the same data with control characters dropped from every text
    column of every table, and from the packages' descriptors: every stage after the load (pages,
    charts, API, feeds, downloads written from the tables) works on clean text."""
    con = db.con
    tables: dict[str, list[str]] = {}
    for schema, table, column in con.execute("select table_schema, table_name, column_name from "
                                             "information_schema.columns where data_type = 'VARCHAR' order by all").fetchall():
        # Identifiers come from the database's own catalogue (the contract's names), quoted anyway.
        tables.setdefault(f'"{schema}"."{table}"', []).append(f'"{column}"')
    for table, columns in tables.items():
        # One scan per table finds the columns holding any (almost always none: nothing to update).
        found = con.execute("select " + ", ".join(f"coalesce(bool_or(regexp_matches({c}, $p)), false)" for c in columns)
                            + f" from {table}", {"p": _CONTROL_RE2}).fetchone()
        for column in (c for c, hit in zip(columns, found) if hit):
            con.execute(f"update {table} set {column} = regexp_replace({column}, $p, '', 'g')", {"p": _CONTROL_RE2})
    for schema, packages in (("main", db.packages), ("previous", db.previous_packages or [])):
        for package in packages:
            package.descriptor = scrubbed(package.descriptor)
            package.plan = package.descriptor.get("plan", {})
            con.execute(f'update "{schema}".plans set plan = ?, descriptor = ? where plan_id = ?',
                        [json.dumps(package.plan, ensure_ascii=False),
                         json.dumps(package.descriptor, ensure_ascii=False), package.plan_id])


def clean_file_bytes(path: Path) -> bytes:
    """A package file -> its bytes, unchanged unless they hold control characters (which validation
    refuses): then the UTF-8 text without them."""
    data = Path(path).read_bytes()
    text = data.decode("utf-8", errors="surrogateescape")
    if CONTROL_CHARACTERS.search(text) is None:
        return data
    return without_control_characters(text).encode("utf-8", errors="surrogateescape")
