"""The build cache never changes what is built: a changed input changes exactly its outputs, stale
outputs never survive, and a cached rebuild is byte-identical to a clean build (mini-plan copies)."""
from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from plantracker.cache import read_manifest
from plantracker.pipeline import BuildOptions, build

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
CHARTS = "assets/charts/mini-plan"


def _snapshot(root: Path) -> dict[str, str]:
    """Folder -> {relative path: sha256 of its bytes}."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _edit_csv(path: Path, edit) -> None:
    """Rewrite a package CSV through edit(rows) -> rows (header kept, same dialect as the fixture)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(edit(rows))


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
        return read_manifest(self.options.work_dir)["last_build"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        # MkDocs stamps the build date into the sitemap: fix it so builds either side of midnight compare.
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        runs = Builds(tmp_path_factory.mktemp("cache"))
        runs.first = runs.build()
        _edit_csv(runs.data / "mini-plan" / "data" / "observations.csv",
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


def test_cached_rebuild_is_byte_identical_to_clean_build(builds):
    assert builds.changed == builds.clean


def test_unchanged_rebuild_skips_mkdocs_and_keeps_the_site(builds):
    assert builds.build() == builds.changed
    assert builds.last["mkdocs"] == "skipped" and builds.last["charts_rendered"] == 0


def test_edited_output_folder_is_rebuilt(builds):
    page = builds.options.out_dir / "mini-plan" / "targets" / "xb-points" / "index.html"
    page.unlink()
    assert builds.build() == builds.changed
    assert builds.last["mkdocs"] == "built"


def test_removed_target_leaves_no_page_and_no_chart(builds):
    package = builds.data / "mini-plan" / "data"
    _edit_csv(package / "targets.csv", lambda rows: [r for r in rows if r["target_id"] != "xb-points"])
    site = builds.build()
    assert not [p for p in site if "xb-points" in p]
    cached = read_manifest(builds.options.work_dir)["charts"].values()
    assert not [files for files in cached if "xb-points" in files["spec"]]
