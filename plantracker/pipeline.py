"""The build, stage by stage: data packages -> validated -> DuckDB -> pages, charts, downloads -> site.

Each stage is a named step so the command line can show progress and the benchmark can time it.
Everything is gathered and written in a work folder first; the output folder is replaced only
when every stage has succeeded.
"""
from __future__ import annotations

from contextlib import ExitStack

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import cache, sitebuild
from .api import api_page, write_api
from .embeds import embed_view, write_embeds
from .feed import published_history, release_entry, release_history, write_feeds
from .changes import changes_page_context, compare_releases, previous_release_data
from .citation import citation
from .downloads import data_page_context, read_packages_meta
from .load import load_packages
from .map_page import map_pages
from .nav import nav_sections
from .pages import Page, plan_pages, site_pages
from .plan_data import load_plan_data
from .problems import InputError
from .render import load_strings, render_pages
from .settings import Release, load_release
from .site_map import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
STAGES = ("validate", "load", "query", "chart", "render", "mkdocs")


@dataclass
class BuildOptions:
    data_dir: Path = REPO_ROOT / "datapackages"
    out_dir: Path = REPO_ROOT / "site"
    work_dir: Path = REPO_ROOT / "build"
    release_file: Path = REPO_ROOT / "release.toml"
    templates_dir: Path = REPO_ROOT / "templates"
    site_src: Path = REPO_ROOT / "site_src"
    # The previous release's data, for "What changed": a folder of packages, or else the newest
    # release older than this one on the published branch of repo_dir (none: the first release).
    previous_dir: Path | None = None
    repo_dir: Path = REPO_ROOT
    pages_branch: str = "gh-pages"


@dataclass
class BuildResult:
    release: Release
    pages: int = 0
    charts: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def validate(options: BuildOptions) -> Release:
    """Release file and data packages -> the release; raises InputError listing every problem."""
    from .validate import validate_packages  # here: frictionless takes half a second to import,
    # and a build of data validated before never needs it

    problems = validate_packages(options.data_dir)
    try:
        release = load_release(options.release_file)
    except InputError as error:
        problems += error.problems
        release = None
    if problems:
        raise InputError(problems)
    return release


def _validate_unless_validated(options: BuildOptions) -> Release:
    """validate(), skipped when the data packages and the code are byte for byte those of the last
    validation that passed in this work dir (the release file is always read: it is not in the key)."""
    key = cache.validation_key(options.data_dir)
    if cache.validated_before(options.work_dir, key):
        return load_release(options.release_file)
    release = validate(options)
    cache.record_validated(options.work_dir, key)
    return release


def _changes_page(options: BuildOptions, release: Release, strings: dict):
    """This release's data against the previous release's -> (changes, the "What changed" page)."""
    if options.previous_dir is not None:
        previous = ("", options.previous_dir)
    else:
        previous = previous_release_data(options.repo_dir, options.pages_branch, before=release.version,
                                         dest=options.work_dir / "previous")
    version, folder = previous if previous else (None, None)
    changes = compare_releases(folder, options.data_dir, previous_version=version or None)
    previous_url = f"{release.site_url}{version}/" if version else None
    return changes, Page("changes", "changes", titles={lang: strings[lang]["changes"] for lang in LANGUAGES},
                         contexts={lang: changes_page_context(changes, lang, previous_url=previous_url)
                                   for lang in LANGUAGES})


def _write_reuse_files(options: BuildOptions, con, charts: list[dict], rendering: cache.CachedCharts, changes,
                       release: Release, strings: dict, static_dir: Path) -> Page:
    """JSON API, feeds, downloads and embeds into the staging folder -> the Data page listing them;
    each chart dict gets its files (paths and size) and embed code on the way."""
    write_api(con, static_dir, release)
    history = release_history(release_entry(release, changes),
                              published_history(options.repo_dir, before=release.version, branch=options.pages_branch))
    write_feeds(static_dir, release, history)
    downloads = data_page_context(cache.write_downloads_cached(options.data_dir, static_dir, release, options.work_dir),
                                  read_packages_meta(options.data_dir))
    # Last: the charts whose size only their render decides (the tile maps) are rendered by now.
    for chart, files in zip(charts, rendering.sized()):
        chart["files"] = files
    write_embeds(charts, static_dir, release)
    for chart in charts:
        chart["embed"] = embed_view(chart, release)
    return Page("data", "data", titles={lang: strings[lang]["data"] for lang in LANGUAGES},
                contexts={lang: {"downloads": downloads} for lang in LANGUAGES})


def build(options: BuildOptions, step: Callable[[str], object] | None = None) -> BuildResult:
    """Data packages -> site in options.out_dir. `step(name)` returns a context manager around each
    stage (progress display, timing); raises InputError on bad input, leaving out_dir untouched."""
    from contextlib import nullcontext

    step = step or (lambda name: nullcontext())
    cache.begin_build_record(options.work_dir)
    with step("validate"):
        release = _validate_unless_validated(options)
    result = BuildResult(release)
    work = options.work_dir
    docs_dir, static_dir = work / "site_src", work / "static"
    with step("load"):
        con, packages = load_packages(options.data_dir)
    with step("query"):
        plans = load_plan_data(con, packages)
        strings = load_strings(options.templates_dir)
        pages = site_pages(plans, strings)
        for plan in plans:
            maps = map_pages(con, plan, strings)  # none when no province has a tile position
            pages += plan_pages(con, plan, strings, has_map=bool(maps)) + maps
        changes, changes_page = _changes_page(options, release, strings)
        pages += [changes_page, api_page([p.plan_id for p in plans], release, strings)]
    # Charts render in the background through the render and MkDocs stages; any failure stops them.
    with ExitStack() as cleanup:
        with step("chart"):
            if static_dir.exists():
                shutil.rmtree(static_dir)
            static_dir.mkdir(parents=True)
            charts = []
            for page in pages:
                for context in page.contexts.values():
                    for chart in context.get("charts", []):
                        chart["page"] = page.path  # an embed links back to its chart's page
                        charts.append(chart)
            # Rendered only when their inputs changed (content-hash cache), on every core when many, and
            # in the background: pages and MkDocs need only each chart's paths and size, known up front.
            rendering = cache.CachedCharts([c["request"] for c in charts], static_dir, work)
            cleanup.callback(rendering.close)  # a failure in any later stage stops the renders
            result.charts += len(charts)
            # While the chart workers start: the interactive charts' bundle (which starts vl-convert
            # here when not cached), then the reuse files (embeds wait for the charts' sizes).
            bundle = cache.write_chart_bundle_cached(static_dir, work)
            pages.append(_write_reuse_files(options, con, charts, rendering, changes, release, strings, static_dir))
        with step("render"):
            sitebuild.copy_hand_written(options.site_src, docs_dir)
            common = {lang: {"release": {"version": release.version, "date": release.date.isoformat(), "url": release.url}}
                      for lang in LANGUAGES}
            written = render_pages(pages, common, strings, options.templates_dir, docs_dir,
                                   citation=lambda page, lang, link: citation(
                                       release, page.titles[lang], link.url, lang, strings[lang]["site_title"]),
                                   compiled_dir=work / cache.CACHE_DIR / "templates")
            result.pages = len(written)
            config = sitebuild.write_mkdocs_config(
                REPO_ROOT, work, docs_dir, options.out_dir, nav_sections(plans, strings, {p.path: p.titles for p in pages}),
                {"vega_bundle": bundle.relative_to(static_dir).as_posix()}, release.latest_url)
        with step("mkdocs"):
            # Skipped when docs, config, theme and static files are unchanged and out_dir still holds
            # that build; never skipped while charts are rendering (new charts: a changed site).
            site_key = None if rendering.pending else cache.site_key(config, docs_dir, static_dir)
            if site_key is None or not cache.site_is_current(work, site_key, options.out_dir):
                sitebuild.build_site(config, static_dir, options.out_dir, release.date,
                                     before_static_copy=rendering.finish)
                cache.record_site(work, site_key or cache.site_key(config, docs_dir, static_dir), options.out_dir)
    con.close()
    return result
