"""Assets stage: what the site offers besides its pages, written into the staging folder (the site
root's mirror): the static JSON API, the release feeds, the downloads, an embed page per chart and
the self-hosted chart JavaScript. Returns what the pages show of them (the data page's file list,
each chart's embed box, the bundle's path).

Modules: `api`, `feed`, `downloads` (with `exports`, `workbook`, `data_dictionary`), `embeds`,
`vendor` (the Vega bundle).
"""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import vl_convert

from ..cache import Store, code_version, digest, tree_digest
from ..changes import Changes
from ..load import Database
from ..pages.model import Chart
from ..published import published_history
from ..query import SiteData
from ..settings import Release
from ..site_map import DOWNLOADS
from . import vendor
from .api import write_api
from .downloads import DownloadFile, data_page_context, workbook_strings, write_downloads
from .embeds import embed_view, write_embeds
from .feed import release_entry, release_history, write_feeds

__all__ = ["Assets", "write_assets"]

# The code and libraries that decide the downloads' bytes.
DOWNLOAD_CODE = ("assets/downloads.py", "assets/exports.py", "assets/workbook.py", "assets/data_dictionary.py",
                 "spreadsheet_safety.py", "settings.py", "load.py", "contract.py", "contract.yml",
                 "sql/resource_rows.sql", "sql/download_parquet.sql")
DOWNLOAD_PACKAGES = ("duckdb", "openpyxl")


@dataclass
class Assets:
    """What pages show of the assets: `downloads` (data page values: downloads.data_page_context),
    `embeds` (chart key -> embed box values: embeds.embed_view), `bundle` (the Vega bundle's path
    from the site root, "" when there is none)."""

    downloads: dict
    embeds: dict = field(default_factory=dict)
    bundle: str = ""


def bundle_entry(store: Store) -> tuple[Path, str]:
    """-> (the content store's folder holding the Vega bundle under files/, the bundle's path from
    the site root), written there (vendor.write_chart_bundle) unless vl-convert and the licence files
    are unchanged: asking vl-convert for the bundle starts its engine, which costs more than every
    other step of a cached build. The chart stage reads the bundle from there too (charts.engine)."""
    key = digest(vl_convert.__version__, code_version(["assets/vendor.py"]), tree_digest(vendor.LICENCE_DIR))
    entry = store.entry("bundle", key)
    if entry is None:
        partial = store.fill("bundle", key)
        written = vendor.write_chart_bundle(partial / "files")
        (partial / "bundle-path.txt").write_text(written.relative_to(partial / "files").as_posix(), encoding="utf-8")
        entry = store.commit("bundle", key, partial)
    return entry, (entry / "bundle-path.txt").read_text(encoding="utf-8")


def write_bundle(static_dir: Path, store: Store) -> str:
    """-> the Vega bundle's path from the site root, written under static_dir (from bundle_entry)."""
    entry, path = bundle_entry(store)
    shutil.copytree(entry / "files", static_dir, dirs_exist_ok=True)
    return path


def _downloads(db: Database, data_dir: Path, static_dir: Path, release: Release, strings: dict,
               store: Store) -> list[DownloadFile]:
    """The downloads under static_dir, from the content store when the packages' files, the release,
    the workbook's words and the code that writes them are unchanged."""
    words = workbook_strings(strings)
    key = digest(release.version, release.date.isoformat(), release.site_url, tree_digest(data_dir),
                 words, code_version(DOWNLOAD_CODE, DOWNLOAD_PACKAGES))
    entry = store.entry(DOWNLOADS, key)
    if entry is not None:
        store.last_build["downloads"] = "reused"
    else:
        partial = store.fill(DOWNLOADS, key)
        files = write_downloads(db, partial, release, words)
        (partial / "files.json").write_text(json.dumps([asdict(f) for f in files]), encoding="utf-8")
        entry = store.commit(DOWNLOADS, key, partial)
        store.last_build["downloads"] = "written"
    shutil.copytree(entry / DOWNLOADS, static_dir / DOWNLOADS, dirs_exist_ok=True)
    return [DownloadFile(**f) for f in json.loads((entry / "files.json").read_text(encoding="utf-8"))]


def write_assets(db: Database, site: SiteData, changes: Changes, charts: list[Chart],
                 chart_files: Callable[[], dict], release: Release, strings: dict, static_dir: Path,
                 store: Store, *, data_dir: Path, templates_dir: Path, repo_dir: Path,
                 pages_branch: str) -> Assets:
    """Everything but the pages -> files under static_dir, and what the pages show of them.

    `chart_files()` gives each chart's files by chart key (charts.ChartStage.sized); it is called
    last, so the charts whose size only their render decides are rendered meanwhile. `repo_dir`
    and `pages_branch` name the published branch the feed's history is read from.
    """
    bundle = write_bundle(static_dir, store)
    write_api(db, site, static_dir, release, strings)
    history = release_history(release_entry(release, changes, strings),
                              published_history(repo_dir, before=release.version, branch=pages_branch))
    write_feeds(static_dir, release, history, strings)
    downloads = data_page_context(_downloads(db, data_dir, static_dir, release, strings, store), db.packages)
    files = chart_files()
    write_embeds(charts, files, static_dir, release, strings, templates_dir)
    embeds = {chart.key: embed_view(chart, files[chart.key], release) for chart in charts}
    return Assets(downloads=downloads, embeds=embeds, bundle=bundle)
