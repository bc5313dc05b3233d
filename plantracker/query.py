"""Named SQL files -> rows: runs `plantracker/sql/<name>.sql` with DuckDB parameters."""
from __future__ import annotations

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
