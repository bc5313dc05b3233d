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

import vl_convert
import yaml

from . import vendor
from .chart_files import ChartFiles, ChartRendering, ChartRequest
from .downloads import DOWNLOADS, DownloadFile, write_downloads

CACHE_DIR = "cache"
_PACKAGE = Path(__file__).resolve().parent
# Source files whose code decides a chart's bytes (spec, SVG, PNG, CSV).
_CHART_CODE = ("charts.py", "charts_map.py", "chart_files.py", "chart_fonts.py", "spreadsheet_safety.py")
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
    digest = hashlib.sha256(f"vl-convert {vl_convert.__version__}; altair {metadata.version('altair')}".encode())
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


class CachedCharts:
    """Chart requests -> their files in static_dir: copied from the cache when the key is known,
    rendered otherwise (chart_files.ChartRendering: in the background when there are many).

    Use `sized()` for every chart's ChartFiles (paths and pixel size) while the rest renders, and
    `finish()` before the files must be on disk: it waits, copies the new renders into static_dir
    and records this build's entries (unused entries are deleted, so nothing stale survives).
    `close()` stops the renders after a failure.
    """

    def __init__(self, requests: list[ChartRequest], static_dir: Path, work_dir: Path):
        self._static_dir, self._work_dir = Path(static_dir), Path(work_dir)
        manifest = read_manifest(work_dir)
        known: dict = manifest.get("charts") or {}
        self._store = store = self._work_dir / CACHE_DIR / "charts"
        version = chart_code_version()
        self._keys = keys = [chart_key(request, version) for request in requests]
        self._found: dict[str, ChartFiles] = {}
        for key in set(keys):
            if key in known:
                files = ChartFiles(**known[key])
                if _entry_complete(store / key, files):
                    self._found[key] = files
        self._missing = {key: request for key, request in zip(keys, requests) if key not in self._found}
        # Keep exactly this build's entries: an output whose source is gone must not come back
        # (and a half-written entry from a failed build is rendered afresh).
        if store.exists():
            for entry in store.iterdir():
                if entry.name not in self._found:
                    shutil.rmtree(entry, ignore_errors=True)
        for key, files in self._found.items():
            self._copy_out(key, files)
        self._rendering = ChartRendering([(request, store / key) for key, request in self._missing.items()],
                                         font_cache=self._work_dir / CACHE_DIR / "fonts")
        self._requests = requests
        self._finished: list[ChartFiles] | None = None
        if not self._rendering.pending:  # rendered here already (few charts, or none)
            self.finish()

    def _copy_out(self, key: str, files: ChartFiles) -> None:
        key_dir = self._store / key
        for path in _paths(files):
            target = self._static_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(key_dir / path, target)

    @property
    def pending(self) -> bool:
        """True until finish(): static_dir does not yet hold every chart's files."""
        return self._finished is None

    def sized(self) -> list[ChartFiles]:
        """Every request's ChartFiles, in order (waits only for renders whose size is not fixed)."""
        by_key = dict(self._found)
        by_key.update(zip(self._missing, self._rendering.sized()))
        return [by_key[key] for key in self._keys]

    def finish(self) -> list[ChartFiles]:
        """Wait for the renders, copy them into static_dir, record the cache -> ChartFiles in order."""
        if self._finished is not None:
            return self._finished
        rendered = self._rendering.finish()
        new = dict(zip(self._missing, rendered.files))
        self._found.update(new)
        for key, files in new.items():
            self._copy_out(key, files)
        manifest = read_manifest(self._work_dir)
        manifest["charts"] = {key: dataclasses.asdict(files) for key, files in self._found.items()}
        manifest.setdefault("last_build", {}).update({
            "charts": len(self._requests), "charts_rendered": len(self._missing),
            "charts_reused": len(self._requests) - len(self._missing), "render_processes": rendered.processes,
            "render_seconds": round(rendered.seconds, 3), "render_cpu_seconds": round(rendered.cpu_seconds, 3),
            "rendered_ids": sorted(f"{r.plan_id}/{r.chart_id}.{r.lang}" for r in self._missing.values())})
        _write_manifest(self._work_dir, manifest)
        self._finished = [self._found[key] for key in self._keys]
        return self._finished

    def close(self) -> None:
        self._rendering.close()


# Source files and packages whose code decides the downloads' bytes.
_DOWNLOAD_CODE = ("downloads.py", "exports.py", "workbook.py", "data_dictionary.py", "spreadsheet_safety.py",
                  "settings.py")
_DOWNLOAD_PACKAGES = ("duckdb", "openpyxl")


def write_downloads_cached(data_dir: Path, static_dir: Path, release, work_dir: Path) -> list[DownloadFile]:
    """Data packages -> the downloads under static_dir (downloads.write_downloads), copied from the
    cache when the packages' files, the release and the code that writes them are unchanged."""
    digest = hashlib.sha256(f"{release.version}\n{release.date.isoformat()}\n{release.site_url}\n".encode())
    _hash_tree(digest, Path(data_dir), "data")
    for name in _DOWNLOAD_CODE:
        digest.update((_PACKAGE / name).read_bytes())
    for package in _DOWNLOAD_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}\n".encode())
    store = Path(work_dir) / CACHE_DIR / "downloads"
    entry = store / digest.hexdigest()
    record = entry / "files.json"
    manifest = read_manifest(work_dir)
    if record.is_file():
        shutil.copytree(entry / DOWNLOADS, Path(static_dir) / DOWNLOADS, dirs_exist_ok=True)
        files = [DownloadFile(**f) for f in json.loads(record.read_text(encoding="utf-8"))]
        manifest.setdefault("last_build", {})["downloads"] = "reused"
    else:
        shutil.rmtree(store, ignore_errors=True)  # only the current downloads are kept
        files = write_downloads(data_dir, static_dir, release)
        temp = store / "partial"
        shutil.copytree(Path(static_dir) / DOWNLOADS, temp / DOWNLOADS)
        (temp / "files.json").write_text(json.dumps([dataclasses.asdict(f) for f in files]), encoding="utf-8")
        temp.rename(entry)  # complete or absent: never half an entry
        manifest.setdefault("last_build", {})["downloads"] = "written"
    _write_manifest(work_dir, manifest)
    return files


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


def begin_build_record(work_dir: Path) -> None:
    """This build's record in the manifest (`last_build`: validation, charts, downloads, mkdocs) starts empty."""
    manifest = read_manifest(work_dir)
    manifest["last_build"] = {}
    _write_manifest(work_dir, manifest)


def validation_key(data_dir: Path) -> str:
    """Data packages, this package's code and the frictionless version -> sha256 of everything a
    validation's outcome depends on (all of the code: cheap to hash, nothing to forget)."""
    digest = hashlib.sha256()
    _hash_tree(digest, Path(data_dir), "data")
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update(f"frictionless=={metadata.version('frictionless')}\n".encode())
    return digest.hexdigest()


def validated_before(work_dir: Path, key: str) -> bool:
    """True when the last validation that passed in this work dir had this key (recorded as
    `last_build.validation`: "skipped" or "run")."""
    manifest = read_manifest(work_dir)
    skipped = manifest.get("validated") == key
    manifest.setdefault("last_build", {})["validation"] = "skipped" if skipped else "run"
    _write_manifest(work_dir, manifest)
    return skipped


def record_validated(work_dir: Path, key: str) -> None:
    """After a validation that found no problem: remember its key."""
    manifest = read_manifest(work_dir)
    manifest["validated"] = key
    _write_manifest(work_dir, manifest)


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
    manifest.setdefault("last_build", {})["mkdocs"] = "built"
    _write_manifest(work_dir, manifest)
