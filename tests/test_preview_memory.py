"""What the long-running preview keeps between builds never changes what it serves: the warm MkDocs
renders a changed page (and the search index merges it) as a clean build does, a warning there is
still fatal, and the load stage's kept Tables are those of the files' current bytes.

In-process builds of copies of the fixture plan with a PreviewMemory, as `build.py serve` runs
them (tests/test_preview.py runs the command itself). No timing is asserted: bench/run.py measures.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from plantracker.cache import ObjectMemo, read_record
from plantracker.load import RESOURCES, load
from plantracker.pipeline import BuildOptions, build
from plantracker.preview_memory import PreviewMemory
from plantracker.preview_site import PreviewSite

from conftest import templates_with_a_broken_link
from test_preview import set_value

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _preview(tmp: Path, **options) -> tuple[BuildOptions, PreviewMemory]:
    data = tmp / "data"
    shutil.copytree(FIXTURE, data / "mini-plan")
    built = BuildOptions(data_dir=data, out_dir=tmp / "unused", work_dir=tmp / "work", citation_file=None, **options)
    return built, PreviewMemory(PreviewSite(built.work_dir / "preview" / "site"))


def _cold_build(options: BuildOptions, tmp: Path) -> dict[str, str]:
    cold = BuildOptions(data_dir=options.data_dir, out_dir=tmp / "cold-site", work_dir=tmp / "cold-work",
                        templates_dir=options.templates_dir, citation_file=None)
    build(cold)
    return _snapshot(cold.out_dir)


def test_the_warm_mkdocs_renders_a_changed_figure_as_a_clean_build_does(tmp_path):
    options, memory = _preview(tmp_path)
    build(options, preview=memory)
    for value in ("47.25", "48.5"):
        set_value(options.data_dir, "xa-recycled-2021", value)
        build(options, preview=memory)
        assert read_record(options.work_dir)["last_build"]["mkdocs"] == "dirty"  # the warm render, not a dirty build
        memory.site.finish_in_background()
    assert memory.site.wait_for_index()
    served = memory.site.site_dir / "mini-plan" / "targets" / "xa-recycled" / "index.html"
    assert "48.5万吨" in served.read_text(encoding="utf-8")
    assert _snapshot(memory.site.site_dir) == _cold_build(options, tmp_path)  # search index included


def test_a_warning_in_a_warm_render_still_fails_the_build_and_the_next_one_is_clean(tmp_path):
    templates = tmp_path / "templates"
    options, memory = _preview(tmp_path, templates_dir=templates)
    shutil.copytree(templates_with_a_broken_link(tmp_path / "broken"), templates)
    about = templates / "pages" / "about.md.j2"
    broken = about.read_text(encoding="utf-8")
    about.write_text(broken.replace("\n[broken](no-such-page.md)\n", "\n"), encoding="utf-8")
    build(options, preview=memory)
    about.write_text(broken, encoding="utf-8")  # only the About page's Markdown changes: a warm render
    with pytest.raises(Abort):
        build(options, preview=memory)
    about.write_text(broken.replace("\n[broken](no-such-page.md)\n", "\nMended.\n"), encoding="utf-8")
    build(options, preview=memory)
    memory.site.wait_for_index()
    assert "Mended." in (memory.site.site_dir / "about" / "index.html").read_text(encoding="utf-8")
    assert _snapshot(memory.site.site_dir) == _cold_build(options, tmp_path)


def _rows(db) -> dict[str, list]:
    return {name: db.con.execute(f'select * from "{name}" order by plan_id, source_row').fetchall()
            for name in RESOURCES}


def test_load_takes_again_only_the_tables_of_unchanged_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data / "mini-plan")
    tables: dict = {}
    first = load(data, tables=tables)
    kept = {key[1]: table for key, table in tables.items()}
    set_value(data, "xa-recycled-2021", "47.25")
    again = load(data, tables=tables)
    fresh = load(data)
    assert _rows(again) == _rows(fresh) != _rows(first)
    now = {key[1]: table for key, table in tables.items()}
    assert now.keys() == kept.keys() and len(tables) == len(RESOURCES)  # only this load's files kept
    changed = [name for name in now if now[name] is not kept[name]]
    assert changed == ["data/mini-plan/data/observations.csv"]


def test_object_memo_computes_once_per_object_and_key():
    memo, calls = ObjectMemo(), []
    first, second = ["a"], ["a"]
    for value in (first, first, second):
        memo.get(value, "key", lambda: calls.append(value) or len(calls))
    assert memo.get(first, "key", lambda: 0) == 1 and memo.get(second, "key", lambda: 0) == 2
    assert memo.get(first, "other key", lambda: 3) == 3
    memo.keep_only([second])
    assert memo.get(first, "key", lambda: 4) == 4 and memo.get(second, "key", lambda: 0) == 2
