"""Named SQL files -> rows: runs `plantracker/sql/<name>.sql` with DuckDB parameters."""
from __future__ import annotations

import weakref
from functools import cache
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql_text(name: str) -> str:
    """Query name -> its SQL text (read once per process)."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params) -> list[dict]:
    """(connection, query name, named parameters) -> list of row dicts in the query's column order."""
    cursor = con.execute(sql_text(name), params) if params else con.execute(sql_text(name))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


# Results per connection, for the page stage: each page is built once per language and would
# otherwise run the same queries twice. Tables are not written after loading, so a result stays true.
_RESULTS: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict]" = weakref.WeakKeyDictionary()


def cached_query(con: duckdb.DuckDBPyConnection, name: str, **params) -> list[dict]:
    """run_query, answered from memory when this connection already ran it with these parameters.
    Callers must treat the rows as read-only (they are shared)."""
    results = _RESULTS.setdefault(con, {})
    key = (name, tuple(sorted(params.items())))
    if key not in results:
        results[key] = run_query(con, name, **params)
    return results[key]


def cached_rows_of(con: duckdb.DuckDBPyConnection, name: str, column: str, value, **params) -> list[dict]:
    """The rows of a whole-plan query whose `column` equals value (in the query's order). The query
    runs once per connection and parameters: one query per target or region instead cost a few
    milliseconds each, and grew with targets times plans. Rows are shared: read-only."""
    results = _RESULTS.setdefault(con, {})
    key = (name, column, tuple(sorted(params.items())))
    if key not in results:
        groups: dict = {}
        for row in run_query(con, name, **params):
            groups.setdefault(row[column], []).append(row)
        results[key] = groups
    return results[key].get(value, [])
