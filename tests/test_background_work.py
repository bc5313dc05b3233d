"""Work a build hands to other processes (validation, downloads, the Vega bundle) changes nothing it
builds, and bad data are still refused with validation's problems, the site untouched.

The thresholds that send work to the background are lowered to one package, so the fixture plan
takes the path a build of many changed packages takes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from plantracker import assets, build_validation
from plantracker.cache import read_record
from plantracker.pipeline import BuildOptions, build
from plantracker.problems import InputError

from conftest import an_earlier_site, edit_csv

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _options(tmp: Path, name: str, data: Path, out: Path | None = None) -> BuildOptions:
    return BuildOptions(data_dir=data, out_dir=out or tmp / name / "site", work_dir=tmp / name / "work")


@pytest.fixture
def data(tmp_path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "data" / "mini-plan")
    return tmp_path / "data"


@pytest.fixture
def in_the_background(monkeypatch):
    monkeypatch.setattr(build_validation, "BACKGROUND_MIN_PACKAGES", 1)
    monkeypatch.setattr(assets, "BACKGROUND_MIN_PACKAGES", 1)


def test_work_done_in_other_processes_gives_the_same_site(tmp_path, data, monkeypatch):
    here = _options(tmp_path, "here", data)
    build(here)
    monkeypatch.setattr(build_validation, "BACKGROUND_MIN_PACKAGES", 1)
    monkeypatch.setattr(assets, "BACKGROUND_MIN_PACKAGES", 1)
    there = _options(tmp_path, "there", data)
    build(there)
    last = read_record(there.work_dir)["last_build"]
    assert last["validation"] == "run" and last["download_packages_written"] == 1
    assert _snapshot(there.out_dir) == _snapshot(here.out_dir)


def test_bad_data_validated_in_the_background_are_refused_and_the_site_kept(tmp_path, data, in_the_background):
    edit_csv(data / "mini-plan" / "data" / "observations.csv",
             lambda rows: [{**r, "unit_id": "no-such-unit"} if r["observation_id"] == "xa-recycled-2021" else r
                           for r in rows])
    out = an_earlier_site(tmp_path / "site")
    options = _options(tmp_path, "bad", data, out)
    with pytest.raises(InputError) as failure:
        build(options)
    # Validation's own report (the reference to a unit that does not exist), not what the bad row broke.
    assert any(p.file.endswith("observations.csv") and p.row == 4 and p.field == "unit_id"
               for p in failure.value.problems), [p.line() for p in failure.value.problems]
    assert [p.name for p in out.iterdir()] == ["earlier.html"]
    assert not (options.work_dir / "static").exists()  # stopped before anything was staged


def test_a_store_restored_into_a_fresh_work_folder_supplies_the_unchanged(tmp_path, data):
    """What CI does: only <work>/cache restored. The bundle, charts, downloads and API files come
    from it and validation is skipped; the site is what a cold build gives."""
    first = _options(tmp_path, "first", data)
    build(first)
    restored = _options(tmp_path, "restored", data)
    shutil.copytree(first.work_dir / "cache", restored.work_dir / "cache")
    build(restored)
    last = read_record(restored.work_dir)["last_build"]
    assert last["validation"] == "skipped" and last["charts_rendered"] == 0
    assert last["download_packages_written"] == 0 and last["api_plans_written"] == 0
    assert not list((restored.work_dir / "cache" / "store" / "bundle").glob(".partial-*"))
    assert _snapshot(restored.out_dir) == _snapshot(first.out_dir)


def test_a_helper_process_starts_without_the_pipeline():
    """Helper processes start with `spawn`, which runs build.py again in each as `__mp_main__`:
    that must not import the stages (DuckDB, Jinja, Altair, frictionless: half a second of CPU in
    every chart worker and the MkDocs process). Checked as spawn does it, in a fresh interpreter."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    probe = ("import runpy, sys; runpy.run_path('build.py', run_name='__mp_main__'); "
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'duckdb', 'jinja2', 'altair', 'frictionless', 'mkdocs', 'vl_convert'} "
             "or m.startswith(('plantracker.pipeline', 'plantracker.pages', 'plantracker.assets')))))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []
    # The command line still runs from the same file.
    assert "build" in subprocess.run([sys.executable, "build.py", "--help"], cwd=root, capture_output=True,
                                     text=True, check=True).stdout


def test_pages_are_written_while_the_charts_that_decide_their_size_render(tmp_path, data, monkeypatch):
    """The tile map's size only its render tells: the render stage writes every other page first
    and waits for those renders only then (here the map renders are made to look unfinished when
    the stage asks without waiting). The site is byte for byte the one built without that wait."""
    from plantracker.charts import ChartStage

    plain = _options(tmp_path, "plain", data)
    build(plain)
    real, seen = ChartStage.sized, []

    def sized(self, wait=True):
        files = real(self, wait)
        if not wait:
            return {key: value for key, value in files.items() if not key[1].startswith("map")}
        docs = tmp_path / "waiting" / "work" / "site_src"
        seen.append({p.relative_to(docs).as_posix() for p in docs.rglob("*.md")})
        return files

    monkeypatch.setattr(ChartStage, "sized", sized)
    waiting = _options(tmp_path, "waiting", data)
    build(waiting)
    first = seen[0]
    assert "mini-plan/targets/xa-recycled.zh.md" in first and "mini-plan/targets/xa-recycled.en.md" in first
    assert not any(path.startswith("mini-plan/map") for path in first), sorted(first)
    assert _snapshot(waiting.out_dir) == _snapshot(plain.out_dir)


def test_a_render_that_ends_between_the_assets_and_the_pages_gets_its_embed_box(tmp_path, data, monkeypatch):
    """A tile map whose render ends after the assets stage asked for sizes but before the render
    stage does: its page is written at once, with its embed box (a 100x cold build once wrote it
    without, and the next no-change build rebuilt the site). The site equals the plain build's."""
    from plantracker.charts import ChartStage

    plain = _options(tmp_path, "plain", data)
    build(plain)
    real, asked = ChartStage.sized, []

    def sized(self, wait=True):
        asked.append(wait)
        files = real(self, True)  # every render done by the render stage's question
        if len(asked) == 1:  # the assets stage's question: the maps still rendering
            return {key: value for key, value in files.items() if not key[1].startswith("map")}
        return files

    monkeypatch.setattr(ChartStage, "sized", sized)
    late = _options(tmp_path, "late", data)
    build(late)
    assert asked[:2] == [False, False]
    assert _snapshot(late.out_dir) == _snapshot(plain.out_dir)


def _imported(modules: list[str]) -> list[str]:
    return [name for name in modules if name in sys.modules]


def test_chart_workers_fork_from_a_server_that_imported_their_modules():
    """Every chart worker imports Altair, fontTools and the SVG engine (about 0.35 CPU s): they are
    imported once, by the server the workers fork from (processes.forkserver_context), so a
    worker has them before it imports anything itself. (Started with spawn it would not:
    nothing at a worker's start imports Altair.)"""
    from concurrent.futures import ProcessPoolExecutor

    from plantracker.charts.workers import WORKER_IMPORTS
    from plantracker.processes import forkserver_context

    with ProcessPoolExecutor(1, mp_context=forkserver_context(WORKER_IMPORTS)) as pool:
        assert pool.submit(_imported, WORKER_IMPORTS).result() == WORKER_IMPORTS
        assert pool.submit(os.getppid).result() != os.getpid()  # the server's child, not this process's
