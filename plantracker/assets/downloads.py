"""Data packages -> download files in the staging folder (+ SHA256SUMS), and the data page's values.

For each package `datapackages/<plan-id>/`, under `<dest>/downloads/<plan-id>/`:

| file | for | bytes |
|---|---|---|
| `datapackage.json`, `<resource>.csv` | programs; the next release's "What changed" page | exactly the package's files (less control characters, which validation refuses) |
| `<resource>.spreadsheet.csv` | Excel, WPS, LibreOffice | UTF-8 with BOM, CRLF, text cells neutralized |
| `<resource>.json` | programs, browsers | see `exports.write_json` |
| `<resource>.parquet` | analysts (DuckDB, pandas, R) | schema types, written by DuckDB |
| `<plan-id>.xlsx` | spreadsheets | "说明 About" sheet + one sheet per resource |
| `<plan-id>.zip` | everyone | the package, datapackage.json with `bytes` and `hash` |

and `<dest>/downloads/SHA256SUMS` (`sha256sum -c SHA256SUMS` inside `downloads/`). Every byte depends
only on the packages and the release, so two builds of one commit give identical files.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..load import Database, PlanPackage
from ..problems import InputError, problem
from ..query import run_query
from ..settings import COMPILATION_LICENCE, COMPILATION_LICENCE_URL, Release
from ..site_map import DOWNLOADS
from ..strings import written_in
from .data_dictionary import describe_resource
from .exports import write_json, write_package_zip, write_parquet, write_spreadsheet_copy

CHECKSUMS = "SHA256SUMS"
# Per-resource formats, in the order the data page lists them: (format, file name suffix).
RESOURCE_FORMATS = (("csv", ".csv"), ("csv-spreadsheet", ".spreadsheet.csv"), ("json", ".json"),
                    ("parquet", ".parquet"))


@dataclass(frozen=True)
class DownloadFile:
    """One written download. `href` is relative to the site root; `resource` is None for whole-package
    files, `plan_id` None for SHA256SUMS."""

    plan_id: str | None
    resource: str | None
    format: str
    href: str
    bytes: int
    sha256: str


def _checked_path(package_dir: Path, resource: dict) -> Path:
    """A resource's path -> the file inside the package; refuses paths leaving it (as Frictionless does)."""
    path = resource.get("path")
    name = str(package_dir / "datapackage.json")
    if not isinstance(path, str) or "://" in path or path.startswith("/") or ".." in Path(path).parts:
        raise InputError([problem("unsafe-path", name, None, f"resources.{resource.get('name')}.path",
                                  path=repr(path))])
    return package_dir / path


def _record(dest_dir: Path, path: Path, plan_id: str | None, resource: str | None, fmt: str) -> DownloadFile:
    data = path.read_bytes()
    return DownloadFile(plan_id, resource, fmt, path.relative_to(dest_dir).as_posix(), len(data),
                        hashlib.sha256(data).hexdigest())


def _licence_name(descriptor: dict) -> str:
    """The package's licence names ("CC-BY-4.0"), as datapackage.json states them."""
    return ", ".join(l.get("name") or l.get("path", "") for l in descriptor.get("licenses", [])) or COMPILATION_LICENCE


def workbook_strings(strings: dict) -> dict:
    """Interface strings {lang: {key: text}} -> the workbook's own ({lang: {workbook_*: text}}):
    what the downloads' bytes depend on besides the data, for the content cache."""
    return {lang: {k: v for k, v in words.items() if k.startswith("workbook_") or k == "site_title"}
            for lang, words in strings.items()}


def _write_package(db: Database, package: PlanPackage, out: Path, dest_dir: Path, release: Release,
                   words: dict) -> list[DownloadFile]:
    """One package -> its download files under `out` (typed rows from the loaded tables)."""
    descriptor, package_dir, plan_id = package.descriptor, package.folder, package.plan_id
    out.mkdir(parents=True)
    # The descriptor as published beside the flat files: each resource's path names its file in
    # this folder (<resource>.csv), so `frictionless validate datapackage.json` works on the
    # folder as downloaded. Everything else is the package's own descriptor.
    flat = {**descriptor, "resources": [{**r, "path": f"{r['name']}.csv"} for r in descriptor["resources"]]}
    (out / "datapackage.json").write_text(json.dumps(flat, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files = [_record(dest_dir, out / "datapackage.json", plan_id, None, "datapackage")]
    tables: dict[str, tuple[list[dict], list[tuple]]] = {}
    resource_files: list[DownloadFile] = []
    for resource in descriptor["resources"]:
        name, fields = resource["name"], resource["schema"]["fields"]
        source = _checked_path(package_dir, resource)
        names = [f["name"] for f in fields]
        rows = [tuple(row[n] for n in names)
                for row in run_query(db.con, "resource_rows", table=name, plan_id=plan_id, columns=names)]
        tables[name] = (fields, rows)
        shutil.copyfile(source, out / f"{name}.csv")
        write_spreadsheet_copy(source, fields, out / f"{name}.spreadsheet.csv")
        write_json(descriptor, resource, rows, release, out / f"{name}.json")
        write_parquet(db.con, name, plan_id, names, out / f"{name}.parquet", release, _licence_name(descriptor),
                      words["en"]["workbook_attribution_text"].format(
                          publisher=words["en"]["site_title"], title=descriptor.get("title", plan_id),
                          version=release.version, url=release.url))
        resource_files += [_record(dest_dir, out / f"{name}{suffix}", plan_id, name, fmt)
                           for fmt, suffix in RESOURCE_FORMATS]
    write_package_zip(package_dir, descriptor, release, out / f"{plan_id}.zip")
    from .workbook import write_xlsx  # here: openpyxl takes a quarter second to import, and a build
    # whose downloads come from the content store never needs it
    write_xlsx(descriptor, tables, release, out / f"{plan_id}.xlsx", words)
    files += [_record(dest_dir, out / f"{plan_id}.zip", plan_id, None, "zip"),
              _record(dest_dir, out / f"{plan_id}.xlsx", plan_id, None, "xlsx")]
    return files + resource_files


def write_downloads(db: Database, dest_dir: Path, release: Release, words: dict) -> list[DownloadFile]:
    """Loaded packages and the workbook's strings (workbook_strings) -> download files under
    dest_dir/downloads/ (replaced whole), -> one DownloadFile per file written, SHA256SUMS last."""
    root = dest_dir / DOWNLOADS
    if root.exists():
        shutil.rmtree(root)  # a resource or plan removed since the last build must not linger
    root.mkdir(parents=True)
    files: list[DownloadFile] = []
    for package in sorted(db.packages, key=lambda p: p.folder.name):
        files += _write_package(db, package, root / package.plan_id, dest_dir, release, words)
    (root / CHECKSUMS).write_text("".join(f"{line}\n" for line in checksum_lines(files)), encoding="utf-8", newline="\n")
    return files + [_record(dest_dir, root / CHECKSUMS, None, None, "sha256sums")]


def checksum_lines(files: list[DownloadFile]) -> list[str]:
    """DownloadFiles -> the lines of SHA256SUMS, sorted: `<sha256>  <plan-id>/<file>` (the file itself
    is left out: it cannot hold its own checksum)."""
    return sorted(f"{f.sha256}  {Path(f.href).relative_to(DOWNLOADS).as_posix()}"
                  for f in files if f.format != "sha256sums")


def human_size(size: int) -> str:
    """Bytes -> '812 B', '12.3 KB', '4.1 MB' (1 KB = 1024 bytes, as file managers show)."""
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


# Whole-package files in the order the data page offers them: the package, the workbook, the descriptor.
PACKAGE_FORMATS = ("zip", "xlsx", "datapackage")


def _file_view(f: DownloadFile) -> dict:
    return {"href": f.href, "name": Path(f.href).name, "format": f.format,
            "format_key": "downloads_format_" + f.format.replace("-", "_"),
            "link_key": "downloads_link_" + f.format.replace("-", "_"),
            "size": human_size(f.bytes), "bytes": f.bytes, "sha256": f.sha256}


def _in_order(files: list[DownloadFile], formats) -> list[DownloadFile]:
    """Files sorted by their format's place in `formats` (any other format last, as written)."""
    formats = list(formats)
    return sorted(files, key=lambda f: formats.index(f.format) if f.format in formats else len(formats))


def data_page_context(downloads: list[DownloadFile], packages: list[PlanPackage]) -> dict:
    """DownloadFiles and packages -> finished values for data.md.j2 (`downloads` in its context).

    {"plans": [{"id", "title": {zh, en}, "short_title": {zh, en} (the title when the plan has none),
                "licence_note": {zh, en}, "sources": [{title, path}],
                "package_files": [file], "resources": [{"name", "title": {zh, en}, "files": [file]}]}],
     "checksums": file + {"lines": the lines of SHA256SUMS}, "licence": {"name", "url"}}
    where file = {"href", "name", "format", "format_key" and "link_key" (keys of t: the format's name,
    and its short name as a link's text), "size", "bytes", "sha256"};
    package_files in PACKAGE_FORMATS order, a resource's files in RESOURCE_FORMATS order. The page
    shows one row per table with a link per format; checksums only behind a disclosure.
    """
    plans = []
    for package in packages:
        meta = package.descriptor
        plan_id, plan = meta["name"], meta.get("plan", {})
        mine = [f for f in downloads if f.plan_id == plan_id]
        resources = []
        for resource in meta["resources"]:
            zh, en = describe_resource(resource["name"])
            files = [f for f in mine if f.resource == resource["name"]]
            resources.append({
                "name": resource["name"],
                "title": {"zh": zh or resource.get("title", resource["name"]),
                          "en": en or resource.get("title", resource["name"])},
                "files": [_file_view(f) for f in _in_order(files, [fmt for fmt, _ in RESOURCE_FORMATS])],
            })
        whole = [f for f in mine if f.resource is None]
        title, short = plan.get("title", {}), plan.get("short_title") or {}
        titles = {lang: title.get(lang) or meta.get("title", plan_id) for lang in ("zh", "en")}
        plans.append({
            "id": plan_id,
            "title": titles,
            "short_title": {lang: short.get(lang) or titles[lang] for lang in ("zh", "en")},
            "licence_note": {"zh": plan.get("licence_note", {}).get("zh", ""),
                             "en": plan.get("licence_note", {}).get("en", "")},
            "sources": [{"title": s.get("title", ""), "path": s.get("path", ""), "lang": written_in(s.get("title", ""))}
                        for s in meta.get("sources", [])],
            "package_files": [_file_view(f) for f in _in_order(whole, PACKAGE_FORMATS)],
            "resources": resources,
        })
    checksums = next(({**_file_view(f), "lines": checksum_lines(downloads)}
                      for f in downloads if f.format == "sha256sums"), None)
    return {"plans": plans, "checksums": checksums, "licence": {"name": COMPILATION_LICENCE, "url": COMPILATION_LICENCE_URL}}
