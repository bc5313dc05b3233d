"""One data package resource -> its download files: spreadsheet CSV, JSON, Parquet; package -> zip.

Typed values come from the tables the load stage built, so the JSON, the Parquet, the XLSX and the
site agree with each other.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import duckdb

from ..query import sql_text
from ..settings import Release
from ..spreadsheet_safety import spreadsheet_csv_cell, write_spreadsheet_csv

NUMERIC_TYPES = {"number", "integer", "year"}


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, plan_id: str, columns: list[str], path: Path,
                  release: Release, licence: str, attribution: str = "") -> None:
    """A loaded resource table of one plan -> Parquet with its column types, written by DuckDB COPY
    (download_parquet.sql); the licence and attribution travel with the file as key-value metadata."""
    params = {"table": table, "plan_id": plan_id, "columns": columns, "out": str(path), "version": release.version,
              "url": release.url, "licence": licence, "attribution": attribution}
    con.execute(sql_text("download_parquet"), params)


def write_spreadsheet_copy(csv_path: Path, fields: list[dict], path: Path) -> None:
    """A package CSV -> the same table as a spreadsheet-safe CSV (BOM, CRLF, text neutralized)."""
    numeric = [f.get("type") in NUMERIC_TYPES for f in fields]
    reader = csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8"), newline=""))
    header = next(reader)
    rows = [[spreadsheet_csv_cell(cell, numeric[i] if i < len(numeric) else False)
             for i, cell in enumerate(row)] for row in reader]
    write_spreadsheet_csv(header, rows, path)


def json_value(value: Any) -> Any:
    """A typed cell -> a JSON value: whole floats as integers, dates and times as ISO text."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON form")
        return int(value) if value.is_integer() and abs(value) < 1e16 else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def write_json(descriptor: dict, resource: dict, rows: list[tuple], release: Release, path: Path) -> None:
    """One resource's typed rows -> JSON: release, licences, Table Schema fields and row objects.

    Shape: {"plan_id", "resource", "title", "description", "release": {"version", "date", "url"},
    "licenses" (the package's, as in datapackage.json), "sources" (the package's), "fields" (the
    Table Schema fields), "rows": [{field: value}]}. Text is exact (not neutralized), missing is null.
    """
    names = [f["name"] for f in resource["schema"]["fields"]]
    document = {
        "plan_id": descriptor["name"],
        "resource": resource["name"],
        "title": resource.get("title", resource["name"]),
        "description": resource.get("description", ""),
        "release": {"version": release.version, "date": release.date.isoformat(), "url": release.url},
        "licenses": descriptor.get("licenses", []),
        "sources": descriptor.get("sources", []),
        "fields": resource["schema"]["fields"],
        "rows": [{n: json_value(v) for n, v in zip(names, row)} for row in rows],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hashed_descriptor(package_dir: Path, descriptor: dict) -> dict:
    """A package descriptor -> a copy whose resources carry `bytes` and `hash` ("sha256:<hex>",
    the form Frictionless 5 checks), placed right after `path`."""
    resources = []
    for resource in descriptor["resources"]:
        data = (package_dir / resource["path"]).read_bytes()
        updated = {}
        for key, value in resource.items():
            if key in ("bytes", "hash"):
                continue
            updated[key] = value
            if key == "path":
                updated["bytes"] = len(data)
                updated["hash"] = f"sha256:{sha256_hex(data)}"
        resources.append(updated)
    return {**descriptor, "resources": resources}


def write_reproducible_zip(entries: dict[str, bytes], date: dt.date, path: Path,
                           order: list[str] | None = None) -> None:
    """{name: bytes} -> a zip with entries in sorted (or the given) order, all stamped with `date`
    00:00 and mode 0644, so the same entries always give the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order or sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(date.year, date.month, date.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)


def write_package_zip(package_dir: Path, descriptor: dict, release: Release, path: Path) -> None:
    """A data package -> a zip of datapackage.json (with bytes and hash) and its data files, unchanged."""
    hashed = hashed_descriptor(package_dir, descriptor)
    entries = {"datapackage.json": (json.dumps(hashed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    for resource in descriptor["resources"]:
        entries[resource["path"]] = (package_dir / resource["path"]).read_bytes()
    write_reproducible_zip(entries, release.date, path)
