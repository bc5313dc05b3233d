"""The build's stages run one by one on a folder of packages, for tests that look at one stage's output."""
from __future__ import annotations

from pathlib import Path

from plantracker.changes import Changes, compare_releases
from plantracker.load import Database, load
from plantracker.pages import Page, build_pages
from plantracker.query import SiteData, query_site
from plantracker.settings import Release
from plantracker.strings import load_strings

REPO_ROOT = Path(__file__).resolve().parent.parent


def loaded(data_dir: Path, previous: Path | None = None, previous_version: str = "") -> tuple[Database, SiteData]:
    """Packages (and the previous release's) -> (the loaded database, the query stage's results)."""
    db = load(Path(data_dir), (previous_version, Path(previous)) if previous is not None else None)
    return db, query_site(db)


def compare_folders(previous: Path | None, current: Path, previous_version: str = "") -> Changes:
    """Two folders of packages (the previous one None for a first release) -> Changes."""
    db, site = loaded(current, previous, previous_version)
    try:
        return compare_releases(db, site.progress, site.plans)
    finally:
        db.close()


def pages_of(data_dir: Path, release: Release) -> list[Page]:
    """Packages -> every page the page stage makes (no previous release)."""
    db, site = loaded(data_dir)
    try:
        return build_pages(site, compare_releases(db, site.progress, site.plans), release,
                           load_strings(REPO_ROOT / "templates"))
    finally:
        db.close()
