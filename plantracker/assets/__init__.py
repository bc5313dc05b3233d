"""Assets stage: what the site offers besides its pages, written into the staging folder (the site
root's mirror): the static JSON API, the release feeds, the downloads, an embed page per chart and
the self-hosted chart JavaScript. write_assets writes what the pages are made from and returns what
they show of it (the data page's file list, each chart's embed box, the bundle's path);
write_standalone_assets the rest, which a build writes while MkDocs builds.

Modules: `api`, `feed`, `downloads` (with `exports`, `workbook`, `data_dictionary`), `embeds`,
and the Vega bundle from `plantracker.vega_bundle` (shared with the chart stage).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..cache import ObjectMemo, Store, code_version, copy_tree_if_changed, digest, tree_digest, write_if_changed
from ..changes import Changes
from ..load import Database, load
from ..model import Chart
from ..problems import InputError
from ..published import published_history
from ..query import SiteData
from ..settings import Release
from ..site_map import DOWNLOADS, api_path, embed_path
from ..vega_bundle import bundle_entry, prefetch_bundle
from .api import write_api
from .downloads import CHECKSUMS, DownloadFile, checksum_lines, data_page_context, workbook_strings, write_downloads
from .embeds import embed_view, write_embeds
from .feed import release_entry, release_history, write_feeds

__all__ = ["Assets", "embed_views", "prefetch_assets", "write_assets", "write_standalone_assets"]

# The code and libraries that decide the downloads' bytes.
DOWNLOAD_CODE = ("assets/downloads.py", "assets/exports.py", "assets/workbook.py", "assets/data_dictionary.py",
                 "spreadsheet_safety.py", "settings.py", "load.py", "contract.py", "contract.yml",
                 "sql/resource_rows.sql", "sql/download_parquet.sql")
DOWNLOAD_PACKAGES = ("duckdb", "openpyxl")
API = "api"


@dataclass
class Assets:
    """What pages show of the assets: `downloads` (data page values: downloads.data_page_context),
    `embeds` (chart key -> embed box values: embeds.embed_view), `bundle` (the Vega bundle's path
    from the site root, "" when there is none); and `files`, every file write_assets wrote under the
    staging folder (paths from the site root; write_standalone_assets returns its own)."""

    downloads: dict
    embeds: dict = field(default_factory=dict)
    bundle: str = ""
    files: list[str] = field(default_factory=list)


# Fewer packages to write downloads for are written here: starting another process (imports, the
# data loaded again) costs about a second, a shipped-size package's downloads a third of one.
BACKGROUND_MIN_PACKAGES = 4


def _download_key(release: Release, package: str, version: str, words: dict) -> str:
    return digest(release, package, version, words)


def _download_entry(db: Database, package, folder: Path, release: Release, words: dict) -> None:
    """A content store folder -> one package's downloads under downloads/ and their records."""
    # One package's downloads: the same function on a view of the database holding only it.
    made = [f for f in write_downloads(Database(db.con, [package]), folder, release, words) if f.plan_id is not None]
    (folder / DOWNLOADS / CHECKSUMS).unlink()
    (folder / "files.json").write_text(json.dumps([asdict(f) for f in made]), encoding="utf-8")


def _fill_downloads(folders: dict[Path, str], data_dir: Path, release: Release, words: dict) -> None:
    """In another process: the data loaded, then each {folder: package folder name}'s downloads."""
    try:
        db = load(data_dir)
    except InputError:  # the data are bad: the build reports validation's problems, not this process's
        raise SystemExit(3) from None
    packages = {package.folder.name: package for package in db.packages}
    for folder, name in folders.items():
        _download_entry(db, packages[name], folder, release, words)
    db.close()


def prefetch_assets(store: Store, data_dir: Path, packages: dict[str, str], release: Release, strings: dict) -> None:
    """Start making, in other processes, the assets the content store lacks that take long: the
    Vega bundle (asking vl-convert for it starts its engine: seconds of CPU; the chart stage's SVG
    engine runs it too), and the downloads when many packages changed (openpyxl's workbooks: 5 s at
    10x the shipped data). The build validates, loads and queries meanwhile, and on two cores the
    second is idle until the charts render."""
    prefetch_bundle(store)
    version, words = code_version(DOWNLOAD_CODE, DOWNLOAD_PACKAGES), workbook_strings(strings)
    missing = {key: folder for folder, package in packages.items()
               if not store.folder(DOWNLOADS, key := _download_key(release, package, version, words)).is_dir()}
    if len(missing) >= BACKGROUND_MIN_PACKAGES:
        store.fill_in_background(DOWNLOADS, missing, _fill_downloads, Path(data_dir), release, words)


def _write_bundle(static_dir: Path, store: Store) -> tuple[str, list[str]]:
    """-> (the Vega bundle's path from the site root, every file written), under static_dir."""
    entry, path = bundle_entry(store)
    return path, copy_tree_if_changed(entry / "files", static_dir)


def _downloads(db: Database, packages: dict[str, str], static_dir: Path, release: Release, strings: dict,
               store: Store) -> list[DownloadFile]:
    """The downloads under static_dir, each package's from the content store when its files, the
    release, the workbook's words and the code that writes them are unchanged; then SHA256SUMS over
    them all."""
    version, words = code_version(DOWNLOAD_CODE, DOWNLOAD_PACKAGES), workbook_strings(strings)
    files: list[DownloadFile] = []
    for package in sorted(db.packages, key=lambda p: p.folder.name):
        key = _download_key(release, packages[package.folder.name], version, words)
        entry = store.entry(DOWNLOADS, key)
        if entry is None:
            partial = store.fill(DOWNLOADS, key)
            _download_entry(db, package, partial, release, words)
            entry = store.commit(DOWNLOADS, key, partial)
        copy_tree_if_changed(entry / DOWNLOADS, static_dir / DOWNLOADS)
        files += [DownloadFile(**f) for f in json.loads((entry / "files.json").read_text(encoding="utf-8"))]
    store.last_build["downloads"] = "written" if store.made(DOWNLOADS) else "reused"
    store.last_build["download_packages_written"] = store.made(DOWNLOADS)
    sums = "".join(f"{line}\n" for line in checksum_lines(files)).encode()
    write_if_changed(static_dir / DOWNLOADS / CHECKSUMS, sums)
    return files + [DownloadFile(None, None, "sha256sums", f"{DOWNLOADS}/{CHECKSUMS}", len(sums),
                                 hashlib.sha256(sums).hexdigest())]


def _api(db: Database, site: SiteData, packages: dict[str, str], static_dir: Path, release: Release,
         strings: dict, store: Store) -> list[str]:
    """The static JSON API under static_dir -> its files; each plan's files from the content store
    when its package, the release, the strings and the code are unchanged (a plan's API files hold
    only its own package's rows and its targets' status), plans.json (every plan) always written."""
    version = digest(code_version(["."], ["duckdb"]), strings)
    files = []
    for plan in site.plans:
        key = digest(release, packages[plan.package.folder.name], version)
        entry = store.entry(API, key)
        if entry is None:
            partial = store.fill(API, key)
            write_api(db, site, partial, release, strings, only={plan.plan_id})
            (partial / api_path(None, "plans")).unlink()
            entry = store.commit(API, key, partial)
        files += copy_tree_if_changed(entry, static_dir)
    store.last_build["api_plans_written"] = store.made(API)
    return files + [p.relative_to(static_dir).as_posix() for p in write_api(db, site, static_dir, release, strings, only=())]


def _embeds(charts: list[Chart], sized: dict, static_dir: Path, release: Release, strings: dict,
            templates_dir: Path, bundle: str, written: dict | None, memo: ObjectMemo) -> list[str]:
    """The embed pages under static_dir -> their paths. `written` (chart key -> digest of the embed
    page written into this same static_dir before: the preview keeps its staging folder) skips
    the pages whose chart, files, release, strings, templates and bundle are unchanged."""
    todo = charts
    if written is not None:
        common = digest(release, strings, tree_digest(templates_dir), bundle)
        digests = {chart.key: memo.get(chart, ("embed page", common, sized[chart.key]),
                                       lambda: digest(common, vars(chart), asdict(sized[chart.key])))
                   for chart in charts}
        todo = [chart for chart in charts if written.get(chart.key) != digests[chart.key]
                or not (static_dir / embed_path(chart.plan_id, chart.chart_id, chart.lang)).is_file()]
        written.clear()  # until the pages are written
    write_embeds(todo, sized, static_dir, release, strings, templates_dir)
    if written is not None:
        written.update(digests)
    return [embed_path(chart.plan_id, chart.chart_id, chart.lang) for chart in charts]


def embed_views(charts: list[Chart], chart_files: dict, release: Release, strings: dict,
                memo: ObjectMemo | None = None) -> dict:
    """Charts and their files by chart key (those not in chart_files are left out) -> chart key ->
    its embed box on the page (embeds.embed_view), for Assets.embeds. `memo`: see write_assets."""
    memo = memo or ObjectMemo()
    words = digest(release, strings)
    return {chart.key: memo.get(chart, ("embed view", words, files),
                                lambda: embed_view(chart, files, release, strings))
            for chart in charts if (files := chart_files.get(chart.key)) is not None}


def write_assets(db: Database, site: SiteData, charts: list[Chart], chart_files: Callable[[], dict],
                 release: Release, strings: dict, static_dir: Path, store: Store, *, packages: dict[str, str],
                 memo: ObjectMemo | None = None) -> Assets:
    """What the pages are made from -> files under static_dir, and what the pages show of them:
    the downloads (the data page lists each with its size and checksum), the Vega bundle (its
    path), the embed box of each chart whose files are known (the caller adds the others' with
    embed_views once they are). The rest is write_standalone_assets'.

    `chart_files()` gives the charts' files known so far by chart key (charts.ChartStage.sized
    without waiting); it is called last, so the charts whose size only their render decides have
    rendered meanwhile. `packages` maps each package folder's name to its digest
    (cache.package_digests): the content store keys of its downloads. `memo`: what was computed
    from charts the preview took again from its last build (ObjectMemo).
    """
    # What other processes may still be making (prefetch_assets) comes first here: the rest waits.
    download_files = _downloads(db, packages, static_dir, release, strings, store)
    files = [f.href for f in download_files]
    downloads = data_page_context(download_files, db.packages)
    bundle, bundle_files = _write_bundle(static_dir, store)
    files += bundle_files
    embeds = embed_views(charts, chart_files(), release, strings, memo)
    return Assets(downloads=downloads, embeds=embeds, bundle=bundle, files=files)


def write_standalone_assets(db: Database, site: SiteData, changes: Changes, charts: list[Chart], sized: dict,
                            release: Release, strings: dict, static_dir: Path, store: Store, *, bundle: str,
                            packages: dict[str, str], templates_dir: Path, repo_dir: Path, pages_branch: str,
                            embeds_written: dict | None = None, memo: ObjectMemo | None = None) -> list[str]:
    """What no page is made from -> files under static_dir -> their paths from the site root: the
    static JSON API, the release feeds, an embed page per chart. A build writes them while MkDocs
    builds the pages (pipeline: they need not hold it up).

    `sized`: each chart's files by chart key (charts.ChartStage.sized); `bundle`: the Vega bundle's
    path (Assets.bundle); `packages` as write_assets' (here the content store keys of each plan's
    API files). `repo_dir` and `pages_branch` name the published branch the feed's
    history is read from. `embeds_written`: see _embeds (None: write every embed page). `memo`:
    as write_assets'.
    """
    memo = memo or ObjectMemo()
    files = _api(db, site, packages, static_dir, release, strings, store)
    history = release_history(release_entry(release, changes, strings),
                              published_history(repo_dir, before=release.version, branch=pages_branch))
    files += [p.relative_to(static_dir).as_posix() for p in write_feeds(static_dir, release, history, strings)]
    return files + _embeds(charts, sized, static_dir, release, strings, templates_dir, bundle, embeds_written, memo)
