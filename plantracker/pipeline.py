"""The build, stage by stage:

    validate -> load -> query -> pages -> charts -> assets -> render -> mkdocs   (-> publish: publish.py)

Each stage is a module with one public function taking and returning plain values; this function
calls them in order, names each step (the command line shows progress with these names, the
benchmark times them) and maps nothing to exit codes (build.py does). Everything is written in the
work folder first; the output folder is replaced only when every stage has succeeded.

The preview (preview.py) runs the same stages with a PreviewMemory: its work files live in
<work>/preview/, the staging folder is kept between builds, only changed plans are queried and
made into pages, only changed charts rendered, only changed pages rendered, and its site folder is updated in place
(preview_site.py) instead of being swapped.
"""
from __future__ import annotations

import shutil
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from . import cache, mkdocs_build
from .assets import embed_views, prefetch_assets, write_assets, write_standalone_assets
from .build_validation import start_validation
from .changes import compare_releases
from .charts import prepare_renders, render_charts
from .citation import citation
from .citation_cff import citation_problems
from .load import load
from .locks import build_locks
from .pages import build_pages, nav_sections
from .preview_memory import PreviewMemory, chart_paths
from .problems import InputError, Problem
from .published import previous_release_data
from .query import keep_plans, plan_query_keys, query_site, stored_plans
from .render import render_pages, template_environment
from .settings import Release, load_release
from .site_map import LANGUAGES
from .strings import load_strings

REPO_ROOT = Path(__file__).resolve().parent.parent
STAGES = ("validate", "load", "query", "pages", "charts", "assets", "render", "mkdocs")


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
    # Checked against the release file (citation-out-of-date): the repository's own CITATION.cff,
    # which follows release.toml. None for a release file of its own (tests, benchmarks).
    citation_file: Path | None = REPO_ROOT / "CITATION.cff"
    repo_dir: Path = REPO_ROOT
    pages_branch: str = "gh-pages"


@dataclass
class BuildResult:
    release: Release
    pages: int = 0
    charts: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def validate(options: BuildOptions) -> Release:
    """Release file, citation file and data packages -> the release; raises InputError listing every problem."""
    from .validate import validate_packages  # here: frictionless takes half a second to import,
    # and a build of data validated before never needs it

    problems = validate_packages(options.data_dir)
    release, release_problems = _release(options)
    problems += release_problems
    if problems:
        raise InputError(problems)
    return release


def _release(options: BuildOptions) -> tuple[Release | None, list[Problem]]:
    """Release file, and the citation file against it -> (release or None, problems)."""
    try:
        release = load_release(options.release_file)
    except InputError as error:
        return None, error.problems
    if options.citation_file is None:
        return release, []
    return release, citation_problems(options.citation_file, release)


def _previous_release(options: BuildOptions, release: Release) -> tuple[str, Path] | None:
    """(version or "", folder of packages) of the release to compare with; None for the first release."""
    if options.previous_dir is not None:
        return "", options.previous_dir
    return previous_release_data(options.repo_dir, options.pages_branch, before=release.version,
                                 dest=options.work_dir / "previous")


def build(options: BuildOptions, step: Callable[[str], object] | None = None,
          preview: PreviewMemory | None = None) -> BuildResult:
    """Data packages -> site in options.out_dir (with `preview`: in preview.site's folder, updated
    in place). `step(name)` returns a context manager around each stage (progress display,
    timing); raises InputError on bad input, leaving the site untouched, and at once when another
    build holds the work or output folder."""
    step = step or (lambda name: nullcontext())
    out_dir = preview.site.site_dir if preview else options.out_dir
    # One build at a time per work folder and per output folder (InputError `work-folder-busy`,
    # `output-folder-busy`); then undo what a killed build left beside the output folder.
    with build_locks(options.work_dir, out_dir):
        if preview is None:
            mkdocs_build.recover_out_dir(out_dir)
        store = cache.Store(options.work_dir)
        complete = preview is None or preview.empty  # a build that looks up every entry it needs
        try:
            result = _build(options, step, store, preview)
        finally:
            store.close()
            store.save()  # what this build did, also when it failed
        if complete:  # only after success: entries a failed build did not reach stay for the next one
            store.prune()
    return result


def _build(options: BuildOptions, step: Callable[[str], object], store: cache.Store,
           preview: PreviewMemory | None) -> BuildResult:
    work = options.work_dir / "preview" if preview else options.work_dir
    docs_dir, static_dir = work / "site_src", work / "static"
    out_dir = preview.site.site_dir if preview else options.out_dir
    strings = load_strings(options.templates_dir)
    with ExitStack() as cleanup:
        with step("validate"):
            packages = cache.package_digests(options.data_dir)
            # MkDocs loads in its own process while the stages before it run, validation first (the
            # preview keeps its own, warm).
            mkdocs = None if preview else mkdocs_build.MkDocsProcess()
            if mkdocs is not None:
                cleanup.callback(mkdocs.close)
            release, release_problems = _release(options)
            validation = start_validation(options.data_dir, store, packages)
            cleanup.callback(validation.close)
            if release_problems or not validation.running:
                validation.finish(release_problems)
            # What the store lacks and takes long, made in other processes meanwhile: the Vega
            # bundle, the downloads of many changed packages.
            prefetch_assets(store, options.data_dir, packages, release, strings)
        result = BuildResult(release)
        if preview is None:
            prepare_renders(store)
        try:
            with step("load"):
                db = load(options.data_dir, _previous_release(options, release), preview.tables if preview else None)
                cleanup.callback(db.close)
            with step("query"):
                query_keys = plan_query_keys(db, packages)
                if preview:
                    site = query_site(db, preview.plans_to_reuse(query_keys))
                else:
                    # Plans whose package is unchanged since a build that kept this store are not queried again.
                    reuse = stored_plans(store, query_keys)
                    site = query_site(db, reuse)
                    queried = [plan for plan in site.plans if plan.plan_id not in reuse]
                    keep_plans(store, query_keys, queried)
                    store.last_build["plans_queried"] = len(queried)
                changes = compare_releases(db, site.progress, site.plans)
            with step("pages"):
                pages = build_pages(site, changes, release, strings,
                                    preview.plan_sections(site, query_keys, strings) if preview else None,
                                    preview.memo if preview else None)
                charts = [chart for page in pages for chart in page.charts]
                result.charts = len(charts)
        except Exception:
            validation.finish()  # bad data's problems, rather than what they broke here
            raise
        with step("charts"):
            validation.finish()  # before anything is written
            if preview is None and static_dir.exists():
                shutil.rmtree(static_dir)
            static_dir.mkdir(parents=True, exist_ok=True)
            # The preview keeps its staging folder: the charts of its last good build are there.
            to_render, known = preview.charts_to_render(charts) if preview else (charts, {})
            # Charts render in the background through the assets, render and MkDocs stages; any failure stops them.
            # (the preview renders its few charts here, where Altair is imported already: a worker's
            # start-up would delay the page it waits for)
            rendering = render_charts(to_render, static_dir, store, background=preview is None)
            cleanup.callback(rendering.close)
        with step("assets"):
            assets = write_assets(db, site, charts, lambda: {**known, **rendering.sized(wait=False)}, release,
                                  strings, static_dir, store, packages=packages,
                                  memo=preview.memo if preview else None)

            def standalone_assets() -> list[str]:
                return write_standalone_assets(
                    db, site, changes, charts, {**known, **rendering.sized()}, release, strings, static_dir, store,
                    bundle=assets.bundle, packages=packages, templates_dir=options.templates_dir,
                    repo_dir=options.repo_dir, pages_branch=options.pages_branch,
                    embeds_written=preview.embeds if preview else None, memo=preview.memo if preview else None)

            if preview is not None:
                assets.files += standalone_assets()
        with step("render"):
            result.pages = _render(options, release, strings, pages, charts,
                                   lambda wait: {**known, **rendering.sized(wait)}, assets, docs_dir, store, preview)
            config = mkdocs_build.write_mkdocs_config(
                REPO_ROOT, work, docs_dir, out_dir,
                nav_sections(site.plans, strings, {p.path: p.titles for p in pages}),
                {"vega_bundle": assets.bundle, "corrections": corrections_line(release, strings),
                 "words": theme_words(strings), "not_found_roots": not_found_roots(release)},
                release.latest_url, {lang: strings[lang]["site_description"] for lang in LANGUAGES})
        with step("mkdocs"):
            if preview is not None:
                store.last_build["mkdocs"] = preview.site.update(
                    config, docs_dir, static_dir, release.date,
                    staged=lambda: _staged(static_dir, assets.files, {**known, **rendering.finish()}))
                preview.remember(site, query_keys, {**known, **rendering.finish()})
                store.last_build["charts"] = len(charts)
            else:
                _publishable_site(options, config, docs_dir, static_dir, release, rendering, store, mkdocs,
                                  standalone_assets)
    return result


def _render(options: BuildOptions, release: Release, strings: dict, pages: list, charts: list,
            sized: Callable[[bool], dict], assets, docs_dir: Path, store: cache.Store,
            preview: PreviewMemory | None) -> int:
    """The render stage: hand-written and generated pages into docs_dir (the preview: only pages
    whose inputs changed), every other file there deleted -> how many pages. `sized(wait)`: each
    chart's files by chart key (ChartStage.sized). The pages of charts whose size only their
    render decides are written last, so those renders run meanwhile; their charts' embed boxes
    are added to `assets` then."""
    hand_written = mkdocs_build.copy_hand_written(options.site_src, docs_dir)
    common = {lang: {"release": {"version": release.version, "date": release.date.isoformat(), "url": release.url}}
              for lang in LANGUAGES}
    def sized_with_embeds(wait: bool) -> dict:
        # The charts known by now get their embed boxes before their pages are written (also those
        # whose render finished since the assets stage).
        files = sized(wait)
        assets.embeds.update(embed_views([chart for chart in charts if chart.key not in assets.embeds], files,
                                         release, strings))
        return files

    chart_files = sized_with_embeds(False)
    to_render = pages
    if preview is not None:
        templates = cache.tree_digest(options.templates_dir)
        every_page = cache.digest(common, strings, release, templates, cache.code_version(["."], ["jinja2", "markupsafe"]))
        variables = preview.template_variables(templates, template_environment(options.templates_dir))
        to_render = preview.pages_to_render(pages, every_page, {"downloads": assets.downloads}, variables,
                                            chart_files, assets.embeds, docs_dir)
    waiting = [any(chart.key not in chart_files for chart in page.charts) for page in to_render]
    later = [page for page, wait in zip(to_render, waiting) if wait]
    batches = [[page for page, wait in zip(to_render, waiting) if not wait], later] if later else [to_render]
    for batch in batches:
        if batch is later:
            chart_files = sized_with_embeds(True)
        render_pages(batch, chart_files, assets, common, strings, options.templates_dir, docs_dir,
                     citation=lambda page, lang, link: citation(release, page.titles[lang], link.url, lang,
                                                                strings[lang]),
                     compiled_dir=cache.machine_cache_dir() / "templates")
    generated = {f"{page.path}.{lang}.md" for page in pages for lang in page.contexts}
    mkdocs_build.remove_other_files(docs_dir, hand_written | generated)
    store.last_build["pages_rendered"] = len(to_render)
    return len(generated)


def _staged(static_dir: Path, asset_files: list[str], chart_files: dict) -> dict[str, int]:
    """The preview's staging folder once the renders have finished -> {path: inode} of every file
    it holds (what this build's assets and charts wrote; anything else there is deleted)."""
    files = set(asset_files) | {path for files in chart_files.values() for path in chart_paths(files)}
    return mkdocs_build.remove_other_files(static_dir, files)


def _publishable_site(options: BuildOptions, config: Path, docs_dir: Path, static_dir: Path, release: Release,
                      rendering, store: cache.Store, mkdocs: mkdocs_build.MkDocsProcess,
                      standalone_assets: Callable[[], object]) -> None:
    """MkDocs into a fresh folder swapped in for out_dir; skipped when docs, config, theme and
    static files are unchanged and out_dir still holds that build; never skipped while charts are
    rendering (new charts: a changed site). The standalone assets are written while MkDocs builds,
    or first when the site may be current (they are part of what it compares)."""
    site_key, static_steps = None, (standalone_assets, rendering.finish)
    if not rendering.pending:
        standalone_assets()
        site_key, static_steps = _site_key(config, docs_dir, static_dir), (rendering.finish,)
    if site_key is None or not _site_is_current(store, site_key, options.out_dir):
        # A MkDocs failure: rendering.close cancels the renders (finish raises CancelledError).
        mkdocs_build.build_site(config, static_dir, options.out_dir, release.date, before_static_copy=static_steps,
                                mkdocs=mkdocs, stop_static=rendering.close)
        store.memory["site"] = {"key": site_key or _site_key(config, docs_dir, static_dir),
                                "out_dir": str(Path(options.out_dir).resolve()),
                                "listing": cache.folder_listing(options.out_dir)}
        store.last_build["mkdocs"] = "built"


def not_found_roots(release: Release) -> dict[str, str]:
    """Release -> where the 404 pages' links start (extra.not_found_roots, templates/theme/404.html):
    the site folder served at the site's root, and the published versions tree's root (latest/)."""
    return {"site": urlsplit(release.site_url).path, "versions": urlsplit(release.latest_url).path}


def corrections_line(release: Release, strings: dict) -> dict:
    """Release and strings -> what the theme's footer says about reporting an error (extra.corrections):
    {"url", <lang>: {"lead", "link", "what"}}."""
    words = {lang: {key: strings[lang][f"corrections_{key}"] for key in ("lead", "link", "what")} for lang in LANGUAGES}
    return {"url": release.corrections, **words}


def theme_words(strings: dict) -> dict:
    """Strings -> the interface words the theme templates read (extra.words): {<lang>: {key: text}}
    with every `theme_` key, `cite_heading`, `full_stop` and `sentence_separator`. Both languages on
    every page: the 404 page speaks both."""
    shared = ("cite_heading", "full_stop", "sentence_separator")
    return {lang: {key: text for key, text in strings[lang].items() if key.startswith("theme_") or key in shared}
            for lang in LANGUAGES}


# Installed packages whose code decides the built site's bytes besides our config and docs.
_SITE_PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "pymdown-extensions", "markdown", "jieba")


def _site_key(config_path: Path, docs_dir: Path, static_dir: Path) -> str:
    """Generated mkdocs.yml, docs dir, theme overrides, static files and MkDocs package versions ->
    sha256 of everything the built site depends on."""
    import yaml

    config_bytes = Path(config_path).read_bytes()
    custom_dir = (yaml.safe_load(config_bytes) or {}).get("theme", {}).get("custom_dir")
    return cache.digest(config_bytes.decode("utf-8"), cache.tree_digest(docs_dir), cache.tree_digest(static_dir),
                        cache.tree_digest(Path(custom_dir) if custom_dir else None),
                        cache.code_version(packages=_SITE_PACKAGES))


def _site_is_current(store: cache.Store, key: str, out_dir: Path) -> bool:
    """True when the last successful build had this key and out_dir still holds exactly what it left."""
    site = store.memory.get("site") or {}
    current = (site.get("key") == key and site.get("out_dir") == str(Path(out_dir).resolve())
               and site.get("listing") == cache.folder_listing(out_dir))
    store.last_build["mkdocs"] = "skipped" if current else "built"
    return current
