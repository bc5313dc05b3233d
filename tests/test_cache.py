"""The build cache never changes what is built: a changed input changes exactly its outputs, stale
outputs never survive, and a cached rebuild is byte-identical to a clean build (mini-plan copies)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from mkdocs.exceptions import Abort

from plantracker.cache import link_or_copy, read_record
from plantracker.charts import fonts as chart_fonts, workers as chart_workers
from plantracker.charts.workers import ChartRendering
from plantracker.model import Chart
from plantracker.pipeline import BuildOptions, build
from plantracker.problems import InputError

from conftest import an_earlier_site, edit_csv, templates_with_a_broken_link

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
CHARTS = "assets/charts/mini-plan"


def _snapshot(root: Path) -> dict[str, str]:
    """Folder -> {relative path: sha256 of its bytes}."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class Builds:
    """One data folder, one cached work dir and site; build() rebuilds them in place."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.data = tmp / "data"
        shutil.copytree(FIXTURE, self.data / "mini-plan")
        self.options = BuildOptions(data_dir=self.data, out_dir=tmp / "site", work_dir=tmp / "work")

    def build(self) -> dict[str, str]:
        build(self.options)
        return _snapshot(self.options.out_dir)

    def clean_build(self, name: str) -> dict[str, str]:
        """The same data built with an empty work dir (no cache) into another folder."""
        options = BuildOptions(data_dir=self.data, out_dir=self.tmp / name / "site", work_dir=self.tmp / name / "work")
        build(options)
        return _snapshot(options.out_dir)

    @property
    def last(self) -> dict:
        return read_record(self.options.work_dir)["last_build"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        # MkDocs stamps the build date into the sitemap: fix it so builds either side of midnight compare.
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        runs = Builds(tmp_path_factory.mktemp("cache"))
        runs.first = runs.build()
        edit_csv(runs.data / "mini-plan" / "data" / "observations.csv",
                  lambda rows: [{**r, "value": "45"} if r["observation_id"] == "xa-recycled-2021" else r for r in rows])
        runs.changed = runs.build()
        runs.changed_stats = runs.last
        runs.clean = runs.clean_build("clean")
        yield runs


def _changed(before: dict, after: dict) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def test_changed_observation_changes_its_chart_and_page_only(builds):
    changed = _changed(builds.first, builds.changed)
    for lang in ("zh", "en"):
        assert {f"{CHARTS}/target-xa-recycled.{lang}.svg", f"{CHARTS}/target-xa-recycled.{lang}.png",
                f"{CHARTS}/target-xa-recycled.{lang}.csv", f"{CHARTS}/target-xa-recycled.vegalite.{lang}.json"} <= changed
    assert "mini-plan/targets/xa-recycled/index.html" in changed
    assert "en/mini-plan/targets/xa-recycled/index.html" in changed
    # Every other chart keeps its bytes, and only the affected charts went through vl-convert.
    assert not {p for p in changed if p.startswith(CHARTS) and "target-xa-recycled." not in p}
    assert "mini-plan/targets/xb-points/index.html" not in changed
    assert builds.changed_stats["rendered_ids"] == ["mini-plan/target-xa-recycled.en", "mini-plan/target-xa-recycled.zh"]
    # The downloads hold the changed value: written afresh, not copied from the cache.
    assert builds.changed_stats["downloads"] == "written"
    assert {p for p in changed if p.startswith("downloads/mini-plan/observations.")} >= {
        "downloads/mini-plan/observations.csv", "downloads/mini-plan/observations.json",
        "downloads/mini-plan/observations.parquet", "downloads/mini-plan/observations.spreadsheet.csv"}


def test_cached_rebuild_is_byte_identical_to_clean_build(builds):
    assert builds.changed == builds.clean


def test_unchanged_rebuild_skips_mkdocs_and_keeps_the_site(builds):
    assert builds.changed_stats["validation"] == "run"  # the data had changed
    assert builds.build() == builds.changed
    assert builds.last["mkdocs"] == "skipped" and builds.last["charts_rendered"] == 0
    assert builds.last["downloads"] == "reused"
    assert builds.last["validation"] == "skipped"


def test_staged_charts_are_the_stores_files_and_the_site_holds_copies(builds):
    """A chart's files reach the staging folder as hard links to its store entry (no copy), and the
    output folder as copies: editing the published site in place cannot change the store."""
    static = builds.options.work_dir / "static"
    staged = sorted((static / CHARTS).glob("*.svg"))
    stored: dict[str, set[int]] = {}
    for path in (builds.options.work_dir / "cache" / "store" / "charts").glob(f"*/{CHARTS}/*.svg"):
        stored.setdefault(path.name, set()).add(path.stat().st_ino)
    assert staged
    for path in staged:
        assert path.stat().st_ino in stored[path.name], path.name
        published = builds.options.out_dir / CHARTS / path.name
        assert published.stat().st_ino != path.stat().st_ino and published.stat().st_nlink == 1, path.name


def test_link_or_copy_never_writes_into_the_file_it_replaces(tmp_path, monkeypatch):
    first, second, target = tmp_path / "first", tmp_path / "second", tmp_path / "staged" / "chart.svg"
    first.write_text("first")
    second.write_text("second")
    target.parent.mkdir()
    link_or_copy(first, target)
    assert target.stat().st_ino == first.stat().st_ino
    link_or_copy(first, target)  # again (the preview after a restart): nothing left beside it
    assert sorted(p.name for p in target.parent.iterdir()) == ["chart.svg"]
    link_or_copy(second, target)  # replaces the link: the first file keeps its bytes
    assert first.read_text() == "first" and target.read_text() == "second"
    def no_links(*args):
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(os, "link", no_links)
    link_or_copy(first, target)
    assert target.read_text() == "first" and target.stat().st_ino != first.stat().st_ino
    assert sorted(p.name for p in target.parent.iterdir()) == ["chart.svg"]  # no temporary file left


def test_data_broken_after_a_good_build_is_still_refused(tmp_path):
    """Validation is skipped only for data byte-identical to data that passed: a value broken after
    a good build, in the same work dir, is reported and the site stays as it was."""
    runs = Builds(tmp_path)
    site = runs.build()
    edit_csv(runs.data / "mini-plan" / "data" / "observations.csv",
              lambda rows: [{**r, "value": "forty"} if r["observation_id"] == "xa-recycled-2021" else r for r in rows])
    with pytest.raises(InputError) as failure:
        build(runs.options)
    assert any(p.field == "value" and "observations.csv" in p.file for p in failure.value.problems)
    assert runs.last["validation"] == "run"
    assert _snapshot(runs.options.out_dir) == site


def test_a_predecessor_removed_after_a_good_build_is_still_refused(tmp_path):
    """Validation is skipped only for the same packages that passed: with a package folder deleted,
    the one left unchanged names a predecessor that is gone, which validation refuses; the build
    did too when the incremental validation saw no changed package (the site stays as it was)."""
    runs = Builds(tmp_path)
    older = runs.data / "mini-plan-old"
    shutil.copytree(FIXTURE, older)
    for package, change in ((older, {"name": "mini-plan-old"}), (runs.data / "mini-plan", {})):
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        descriptor.update(change)
        if package == older:
            descriptor["plan"]["period_start"] = 2015
        else:
            descriptor["plan"]["predecessor"] = "mini-plan-old"
        (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    site = runs.build()
    shutil.rmtree(older)
    with pytest.raises(InputError) as failure:
        build(runs.options)
    assert [p.code for p in failure.value.problems] == ["unknown-plan"]
    assert runs.last["validation"] == "run"
    assert _snapshot(runs.options.out_dir) == site


def test_edited_output_folder_is_rebuilt(builds):
    page = builds.options.out_dir / "mini-plan" / "targets" / "xb-points" / "index.html"
    page.unlink()
    assert builds.build() == builds.changed
    assert builds.last["mkdocs"] == "built"


def test_removed_target_leaves_no_page_and_no_chart(builds):
    package = builds.data / "mini-plan" / "data"
    edit_csv(package / "targets.csv", lambda rows: [r for r in rows if r["target_id"] != "xb-points"])
    site = builds.build()
    assert not [p for p in site if "xb-points" in p]
    stored = (builds.options.work_dir / "cache" / "store" / "charts").glob("*/files.json")
    assert not [path for path in stored if "xb-points" in path.read_text(encoding="utf-8")]


def _render_workers_alive() -> list:
    """Helper processes still running once they have had time to end: a worker whose renders are
    done ends on its own (ChartRendering.finish does not wait for its tear-down); one left
    waiting for jobs never would."""
    # Each process's sentinel, not join(): the pool's own thread may reap a worker first.
    running = {child.sentinel: child for child in multiprocessing.active_children()}
    end = time.monotonic() + 30
    while running and time.monotonic() < end:
        for ended in multiprocessing.connection.wait(list(running), end - time.monotonic()):
            running.pop(ended)
    return list(running.values())


def test_background_renders_give_the_same_site_as_serial_ones(builds, tmp_path, monkeypatch):
    """Charts rendered by two worker processes while the pages and MkDocs run (the path every
    build with many charts takes) -> the same bytes as the serial build of the same data."""
    monkeypatch.setattr(chart_workers, "PARALLEL_MIN_CHARTS", 1)
    options = BuildOptions(data_dir=builds.data, out_dir=tmp_path / "site", work_dir=tmp_path / "work")
    build(options)
    last = read_record(options.work_dir)["last_build"]
    assert last["render_processes"] == 2 and last["charts_rendered"] == last["charts"] > 0
    # The workers' engine measured with the source font's characters of these charts, the serial
    # build's with the whole font; no subset was made, only vl-convert would draw with it.
    if chart_fonts.source_font() is not None:
        assert last["svg_engines"] == {chart_workers.ENGINE: last["charts"]}
        assert not list((options.work_dir / "cache" / "fonts").glob("*/chart-font.ttf"))
    assert _snapshot(options.out_dir) == builds.clean_build("serial")
    assert not _render_workers_alive()


def test_a_failure_while_charts_render_stops_them_and_keeps_the_site(builds, tmp_path, monkeypatch):
    monkeypatch.setattr(chart_workers, "PARALLEL_MIN_CHARTS", 1)
    out = an_earlier_site(tmp_path / "site")
    options = BuildOptions(data_dir=builds.data, out_dir=out, work_dir=tmp_path / "work",
                           templates_dir=templates_with_a_broken_link(tmp_path))
    with pytest.raises(Abort):  # MkDocs' strict mode, while the charts were still rendering
        build(options)
    assert [p.name for p in out.iterdir()] == ["earlier.html"]
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".site-")] == []  # no temporary folder left
    assert not _render_workers_alive()
    # Renders that did not finish are not recorded (the next build renders them again); those that
    # finished before MkDocs failed are, whole: each entry holds every file its record lists.
    for record in (options.work_dir / "cache" / "store" / "charts").glob("*/files.json"):
        listed = json.loads(record.read_text(encoding="utf-8"))
        assert all((record.parent / listed[field]).is_file() for field in ("spec", "svg", "png", "csv"))
    assert not list((options.work_dir / "cache" / "store" / "charts").glob(".partial-*"))


def test_a_render_that_fails_while_mkdocs_builds_leaves_the_site_and_nothing_else(builds, tmp_path):
    """build_site copies the static files while MkDocs builds in its process; when the renders it
    waits for first fail, it raises their error only after MkDocs has finished writing into its
    temporary folder, deletes both temporary folders and leaves the site as it was."""
    from plantracker import mkdocs_build

    out = an_earlier_site(tmp_path / "site")
    work = builds.options.work_dir

    def renders_fail():
        raise RuntimeError("a chart render failed")

    mkdocs = mkdocs_build.MkDocsProcess()
    try:
        with pytest.raises(RuntimeError, match="a chart render failed"):
            mkdocs_build.build_site(work / "mkdocs.yml", work / "static", out, before_static_copy=[renders_fail],
                                    mkdocs=mkdocs)
        assert [p.name for p in tmp_path.iterdir()] == ["site"]
        assert [p.name for p in out.iterdir()] == ["earlier.html"]
        # The same process then builds the site whole: the static files over MkDocs' output.
        mkdocs_build.build_site(work / "mkdocs.yml", work / "static", out, mkdocs=mkdocs)
    finally:
        mkdocs.close()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    static = {p.relative_to(work / "static") for p in (work / "static").rglob("*") if p.is_file()}
    assert static and all((out / path).read_bytes() == (work / "static" / path).read_bytes() for path in static)
    assert (out / "index.html").is_file() and not (out / "earlier.html").exists()
    assert all(p.stat().st_mode & 0o777 == (0o755 if p.is_dir() else 0o644) for p in out.rglob("*"))


def _config_with_a_broken_link(work: Path, tmp_path: Path) -> Path:
    """A built work folder -> a copy of its MkDocs config and docs (in tmp_path) with a link to a
    missing page, which MkDocs' strict mode refuses."""
    docs = tmp_path / "site_src"
    shutil.copytree(work / "site_src", docs)
    page = next(docs.rglob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("".join(f"docs_dir: {docs}\n" if line.startswith("docs_dir:") else line
                              for line in (work / "mkdocs.yml").read_text(encoding="utf-8").splitlines(True)),
                      encoding="utf-8")
    return config


def test_a_failing_failure_hook_cannot_hang_the_build(builds, tmp_path):
    """MkDocsProcess.build calls on_failure from the pool's result thread, which would die on an
    exception and leave the build waiting for ever: the hook's error is kept, MkDocs' raised."""
    from plantracker import mkdocs_build

    config = _config_with_a_broken_link(builds.options.work_dir, tmp_path)
    raised: list[BaseException] = []

    def hook():
        raise KeyError("the hook failed")  # the one exception the pool's result thread would swallow

    def build_it():
        mkdocs = mkdocs_build.MkDocsProcess()
        try:
            mkdocs.build(config, tmp_path / "out", on_failure=hook)
        except BaseException as error:  # noqa: BLE001
            raised.append(error)
        finally:
            mkdocs.close()

    thread = threading.Thread(target=build_it, daemon=True)
    thread.start()
    thread.join(180)
    assert not thread.is_alive(), "MkDocsProcess.build never returned"
    assert len(raised) == 1 and isinstance(raised[0], Abort)


def test_a_mkdocs_failure_stops_the_wait_for_the_renders(builds, tmp_path):
    """While MkDocs builds, build_site waits for the renders (before_static_copy); when MkDocs
    fails it calls stop_static at once, and MkDocs' error is what the build raises."""
    from concurrent.futures import CancelledError

    from plantracker import mkdocs_build

    work = builds.options.work_dir
    config = _config_with_a_broken_link(work, tmp_path)
    stopped = threading.Event()

    def renders_never_end():
        if not stopped.wait(120):
            raise AssertionError("stop_static was not called")
        raise CancelledError

    out = an_earlier_site(tmp_path / "site")
    mkdocs = mkdocs_build.MkDocsProcess()
    try:
        with pytest.raises(Abort):
            mkdocs_build.build_site(config, work / "static", out, before_static_copy=[renders_never_end],
                                    mkdocs=mkdocs, stop_static=stopped.set)
    finally:
        mkdocs.close()
    assert stopped.is_set()
    assert [p.name for p in out.iterdir()] == ["earlier.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mkdocs.yml", "site", "site_src"]


def test_a_failed_render_fails_its_batch(tmp_path):
    good = Chart("p", "ok", "region_bars", "en", "p/index", "t", "t: A 1", [{"region_label": "A", "value": 1, "value_text": "1",
                                                                           "year": 2020, "source": "s"}],
                 {"title": "t", "x": "x", "y": "y", "value": "v", "year": "year", "source": "source"}, [])
    bad = dataclasses.replace(good, chart_id="bad", kind="no-such-kind")
    rendering = ChartRendering([(good, tmp_path), (bad, tmp_path)], workers=2)
    with pytest.raises(KeyError, match="no-such-kind"):
        rendering.finish()
    assert not _render_workers_alive()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: a worker would only compete with the build")
def test_a_builds_few_charts_render_beside_it(tmp_path):
    """A build (background=True) renders even one chart in a worker, so that it goes on at once;
    without it (the preview) one chart renders in this process before the constructor returns."""
    chart = Chart("p", "ok", "region_bars", "en", "p/index", "t", "t: A 1",
                  [{"region_label": "A", "value": 1, "value_text": "1", "year": 2020, "source": "s"}],
                  {"title": "t", "x": "x", "y": "y", "value": "v", "year": "year", "source": "source"}, [])
    beside = ChartRendering([(chart, tmp_path / "beside")], background=True)
    assert beside.pending  # returned before the render
    rendered = beside.finish()
    assert rendered.processes == 1 and (tmp_path / "beside" / rendered.files[0].svg).is_file()
    assert not _render_workers_alive()
    here = ChartRendering([(chart, tmp_path / "here")])
    assert not here.pending and (tmp_path / "here" / here.finish().files[0].svg).is_file()


def test_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    """Compiled templates are kept between builds (render.template_environment, in the machine's
    cache): an edit to a template must still reach the page on the next build."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data / "mini-plan")
    options = BuildOptions(data_dir=data, out_dir=tmp_path / "site", work_dir=tmp_path / "work", templates_dir=templates)
    build(options)
    assert list((tmp_path / "machine" / "plantracker" / "templates").glob("*/__jinja2_*"))
    about = templates / "pages" / "about.md.j2"
    about.write_text(about.read_text(encoding="utf-8") + "\nEdited-after-the-first-build\n", encoding="utf-8")
    build(options)
    assert "Edited-after-the-first-build" in (options.out_dir / "about" / "index.html").read_text(encoding="utf-8")


def test_templates_compiled_by_another_environment_are_compiled_again(tmp_path):
    """Jinja checks a compiled template against its source only; its code also depends on the
    environment (the `finalize` that drops control characters, the filters), so code compiled by
    another version of render.py is kept apart, and removed."""
    from plantracker.render import template_environment

    templates, compiled = Path(__file__).resolve().parent.parent / "templates", tmp_path / "compiled"
    older = compiled / "compiled-by-an-older-render.py"
    older.mkdir(parents=True)
    (older / "__jinja2_0123.cache").write_bytes(b"not this environment's code")
    template_environment(templates, compiled).get_template("about.md.j2")
    [folder] = compiled.iterdir()
    assert folder != older and list(folder.glob("__jinja2_*"))
    kept = {path: path.stat().st_mtime_ns for path in folder.iterdir()}
    template_environment(templates, compiled).get_template("about.md.j2")
    assert {path: path.stat().st_mtime_ns for path in folder.iterdir()} == kept  # same environment: kept, read


def test_a_build_goes_on_when_its_compiled_templates_cannot_be_written(tmp_path):
    """The compiled templates' folder is shared by every build on the machine; a build whose folder
    another build removed (or that cannot write there) compiles in memory and goes on."""
    import shutil as shutil_

    from plantracker.render import template_environment

    templates, compiled = Path(__file__).resolve().parent.parent / "templates", tmp_path / "compiled"
    env = template_environment(templates, compiled)
    shutil_.rmtree(compiled)
    assert env.get_template("about.md.j2").name == "about.md.j2"  # compiled; writing it failed quietly
    assert not compiled.exists()
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert template_environment(templates, blocker / "compiled").bytecode_cache is None


def test_a_damaged_compiled_template_is_compiled_again(tmp_path):
    """A compiled template cut short (Jinja unpickles its checksum unguarded: UnpicklingError) is
    compiled again and rewritten, not an error in every later build on the machine."""
    from plantracker.render import template_environment

    templates, compiled = Path(__file__).resolve().parent.parent / "templates", tmp_path / "compiled"
    template_environment(templates, compiled).get_template("about.md.j2")
    [code] = compiled.glob("*/__jinja2_*")
    whole = code.read_bytes()
    code.write_bytes(whole[:18])
    assert template_environment(templates, compiled).get_template("about.md.j2").name == "about.md.j2"
    assert code.read_bytes() == whole


def test_a_ci_publish_with_its_store_restored_queries_only_the_changed_plan(real_site, tmp_path, monkeypatch):
    """What publish.yml does on a data commit: a fresh work folder holding only the content store of
    the build before (actions/cache), one figure changed in one plan. The unchanged plan's query
    results come from the store (query.stored_plans), and the site is the clean build's, byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = tmp_path / "data"
    shutil.copytree(real_site.data_dir, data)
    edit_csv(data / "jjj-2020-2022" / "data" / "observations.csv",
              lambda rows: [{**r, "value": "151"} if r["observation_id"] == "B03" else r for r in rows])
    # B03 is T02's baseline: the target gives the same figure (validation: baseline-value-mismatch).
    edit_csv(data / "jjj-2020-2022" / "data" / "targets.csv",
             lambda rows: [{**r, "baseline_value": "151"} if r["target_id"] == "T02" else r for r in rows])
    work = tmp_path / "work"
    shutil.copytree(real_site.work_dir / "cache", work / "cache")
    options = BuildOptions(data_dir=data, out_dir=tmp_path / "site", work_dir=work)
    build(options)
    last = read_record(work)["last_build"]
    assert last["plans_queried"] == 1 and last["charts_rendered"] < last["charts"]
    clean = BuildOptions(data_dir=data, out_dir=tmp_path / "clean" / "site", work_dir=tmp_path / "clean" / "work")
    build(clean)
    assert read_record(clean.work_dir)["last_build"]["plans_queried"] == 2
    assert _snapshot(options.out_dir) == _snapshot(clean.out_dir)


def test_a_plan_added_beside_a_restored_store_gives_the_clean_build(real_site, tmp_path):
    """A store kept by the shipped data's build, then a plan added: what each plan's stored entries
    (query results, downloads) were made from includes what the other plans bring to the shared
    tables (their columns; DuckDB's statistics once decided a Parquet column's nullability), so the
    site must equal a clean build of the same data, byte for byte."""
    data = tmp_path / "data"
    shutil.copytree(real_site.data_dir, data)
    shutil.copytree(FIXTURE, data / "mini-plan")
    work = tmp_path / "work"
    shutil.copytree(real_site.work_dir / "cache", work / "cache")
    options = BuildOptions(data_dir=data, out_dir=tmp_path / "site", work_dir=work)
    build(options)
    clean = BuildOptions(data_dir=data, out_dir=tmp_path / "clean" / "site", work_dir=tmp_path / "clean" / "work")
    build(clean)
    assert _snapshot(options.out_dir) == _snapshot(clean.out_dir)
