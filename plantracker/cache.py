"""Content-hash cache in the work dir: chart requests -> chart files reused when their inputs are
unchanged; (mkdocs config, docs dir, static files) -> whether the last built site still stands.

`<work>/cache/manifest.json` maps each chart key (sha256 of everything its files depend on: kind,
rows, labels, columns, ids, language, the charting code and the vl-convert/Altair versions) to
the files kept in `<work>/cache/charts/<key>/`, and records the key of the last successful site
build with a listing of the output folder it left. Entries not used by the latest build are
deleted, so nothing stale is ever copied into a site. Delete `<work>/cache/` to start cold.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from importlib import metadata
from pathlib import Path

import altair
import vl_convert
import yaml

from . import vendor
from .chart_files import ChartFiles, ChartRequest, write_charts

CACHE_DIR = "cache"
_PACKAGE = Path(__file__).resolve().parent
# Source files whose code decides a chart's bytes (spec, SVG, PNG, CSV).
_CHART_CODE = ("charts.py", "chart_files.py", "spreadsheet_safety.py")
# Installed packages whose code decides the built site's bytes besides our config and docs.
_SITE_PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "pymdown-extensions", "markdown", "jieba")


def _manifest_path(work_dir: Path) -> Path:
    return Path(work_dir) / CACHE_DIR / "manifest.json"


def read_manifest(work_dir: Path) -> dict:
    """Work dir -> its cache manifest; an absent or unreadable one is an empty cache (a cold build)."""
    try:
        manifest = json.loads(_manifest_path(work_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"charts": {}, "site": None, "last_build": {}}
    return manifest if isinstance(manifest, dict) else {"charts": {}, "site": None, "last_build": {}}


def _write_manifest(work_dir: Path, manifest: dict) -> None:
    path = _manifest_path(work_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    os.replace(temp, path)  # a crash mid-write never leaves a half manifest


def chart_code_version() -> str:
    """The charting code and renderer versions -> one hash: any change re-renders every chart."""
    digest = hashlib.sha256(f"vl-convert {vl_convert.__version__}; altair {altair.__version__}".encode())
    for name in _CHART_CODE:
        digest.update((_PACKAGE / name).read_bytes())
    return digest.hexdigest()


def chart_key(request: ChartRequest, code_version: str) -> str:
    """Chart request -> sha256 of every input its files depend on (their paths included)."""
    inputs = {"code": code_version, **dataclasses.asdict(request)}
    text = json.dumps(inputs, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paths(files: ChartFiles) -> list[str]:
    return [files.spec, files.svg, files.png, files.csv]


def _entry_complete(entry: Path, files: ChartFiles) -> bool:
    return all((entry / path).is_file() for path in _paths(files))


def write_charts_cached(requests: list[ChartRequest], static_dir: Path, work_dir: Path) -> list[ChartFiles]:
    """Chart requests -> their files in static_dir, in order: copied from the cache when the key is
    known, rendered (in parallel when there are many) otherwise. Unused cache entries are deleted."""
    manifest = read_manifest(work_dir)
    known: dict = manifest.get("charts") or {}
    store = Path(work_dir) / CACHE_DIR / "charts"
    version = chart_code_version()
    keys = [chart_key(request, version) for request in requests]
    found: dict[str, ChartFiles] = {}
    for key in set(keys):
        if key in known:
            files = ChartFiles(**known[key])
            if _entry_complete(store / key, files):
                found[key] = files
    missing = {key: request for key, request in zip(keys, requests) if key not in found}
    for key in missing:
        shutil.rmtree(store / key, ignore_errors=True)  # a half-written entry from a failed build
    rendered = write_charts([(request, store / key) for key, request in missing.items()])
    found.update(zip(missing, rendered.files))
    for key, files in found.items():
        for path in _paths(files):
            target = static_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(store / key / path, target)
    # Keep exactly this build's entries: an output whose source is gone must not come back.
    if store.exists():
        for entry in store.iterdir():
            if entry.name not in found:
                shutil.rmtree(entry, ignore_errors=True)
    manifest["charts"] = {key: dataclasses.asdict(files) for key, files in found.items()}
    manifest["last_build"] = {"charts": len(requests), "charts_rendered": len(missing),
                              "charts_reused": len(requests) - len(missing), "render_processes": rendered.processes,
                              "rendered_ids": sorted(f"{r.plan_id}/{r.chart_id}.{r.lang}" for r in missing.values())}
    _write_manifest(work_dir, manifest)
    return [found[key] for key in keys]


def write_chart_bundle_cached(static_dir: Path, work_dir: Path) -> Path:
    """Site root folder -> path of the chart bundle written under it (vendor.write_chart_bundle),
    copied from the cache when vl-convert and the licence files are unchanged: asking vl-convert
    for the bundle starts its engine, which costs more than every other step of a cached build."""
    digest = hashlib.sha256(f"vl-convert {vl_convert.__version__}\n".encode())
    digest.update(Path(vendor.__file__).read_bytes())
    _hash_tree(digest, vendor.LICENCE_DIR, "licences")
    entry = Path(work_dir) / CACHE_DIR / "bundle" / digest.hexdigest()
    record = entry / "bundle-path.txt"
    if not record.is_file():
        shutil.rmtree(entry.parent, ignore_errors=True)  # only the current bundle is kept
        written = vendor.write_chart_bundle(entry / "files")
        record.write_text(written.relative_to(entry / "files").as_posix(), encoding="utf-8")
    shutil.copytree(entry / "files", static_dir, dirs_exist_ok=True)
    return Path(static_dir) / record.read_text(encoding="utf-8")


def _hash_tree(digest, root: Path, label: str) -> None:
    """Every file under root, by relative path and bytes, into digest (sorted: order-independent)."""
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    digest.update(f"{label}:{len(files)}\n".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def site_key(config_path: Path, docs_dir: Path, static_dir: Path) -> str:
    """Generated mkdocs.yml, docs dir, theme overrides, static files and MkDocs package versions ->
    sha256 of everything the built site depends on."""
    digest = hashlib.sha256()
    config_bytes = Path(config_path).read_bytes()
    digest.update(config_bytes)
    custom_dir = (yaml.safe_load(config_bytes) or {}).get("theme", {}).get("custom_dir")
    for label, root in (("docs", docs_dir), ("static", static_dir), ("theme", custom_dir)):
        if root:
            _hash_tree(digest, Path(root), label)
    for package in _SITE_PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing\n".encode())
    return digest.hexdigest()


def site_listing(out_dir: Path) -> str:
    """Output folder -> sha256 of every file's relative path, size and modification time: it
    changes when anything in the folder is added, removed, replaced or edited."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return ""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(out_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            stat = path.lstat()
            digest.update(f"{path.relative_to(out_dir).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def site_is_current(work_dir: Path, key: str, out_dir: Path) -> bool:
    """(site key, output folder) -> True when the last successful build had this key and the
    output folder still holds exactly what that build left there."""
    manifest = read_manifest(work_dir)
    site = manifest.get("site") or {}
    current = (site.get("key") == key and site.get("out_dir") == str(Path(out_dir).resolve())
               and site.get("listing") == site_listing(out_dir))
    manifest.setdefault("last_build", {})["mkdocs"] = "skipped" if current else "built"
    _write_manifest(work_dir, manifest)
    return current


def record_site(work_dir: Path, key: str, out_dir: Path) -> None:
    """After a successful site build: remember its key and the output folder's listing."""
    manifest = read_manifest(work_dir)
    manifest["site"] = {"key": key, "out_dir": str(Path(out_dir).resolve()), "listing": site_listing(out_dir)}
    _write_manifest(work_dir, manifest)
