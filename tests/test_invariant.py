"""Whatever `build.py validate` accepts, `build.py build` builds (issue 15, item 1), as a property.

Hypothesis mutates cells, line ends and descriptor fields of a data package with the values that
broke the build before (full-width digits, no-break spaces, NaN and infinities, huge numbers, a
CRLF on the last line only, 300-character ids, control characters, very long text, script URLs...)
and runs the real command line on each: validate and build must agree (both exit 0, or both exit
2), never exit 1, never print a traceback, and a refused build leaves the last good site byte for
byte as it was. The fixture plan is used for speed; the shipped packages get a few examples too.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from plantracker.pipeline import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
import build as command_line  # noqa: E402  (the repository's build.py)

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "mini-plan"

NUMBERS = ["１.３７", "1.37\u00a0", "1.37 ", " 1.37", "NaN", "nan", "Infinity", "-inf", "1e400", "1e300", "-30",
           "1,234", "—", "-", "1.5e3", "+7", ".5", "5.", "0x10", "1_000", "٣", "1.2.3", "8亿吨", ""]
TEXTS = ["\x00nul", "esc\x1b[31m", "x" * 5000, "<script>alert(1)</script>", "line\nbreak", "cr\ronly",
         "\u202eRTL", "  ", "，，", "a，b，c", "\ufeffbom", "😀" * 50, "=cmd|' /C calc'!A0", "{{ 7*7 }}",
         "javascript:alert(1)", "https://example.org/x", "http://", "中" * 400]
IDS = ["../../x", "x" * 300, "en", "api", "a b", "T01", "t01", "-x", "x-", "ok_id", "Ｘ１"]
CELLS = st.sampled_from(NUMBERS + TEXTS + IDS + ["true", "yes", "TRUE", "2020-13-01", "２０２０-01-01", "1949", "2101"])


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_csv(path: Path, rows: list[list[str]], line_end: str = "\n") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))


@st.composite
def cell_edit(draw, package: Path):
    """A mutation: one cell of one CSV set to a hostile value."""
    files = sorted((package / "data").glob("*.csv"))
    path = draw(st.sampled_from(files))
    rows = read_csv(path)
    row = draw(st.integers(1, len(rows) - 1))
    column = draw(st.integers(0, len(rows[0]) - 1))
    value = draw(CELLS)

    def apply(folder: Path):
        target = folder / "data" / path.name
        edited = read_csv(target)
        edited[row][column] = value
        write_csv(target, edited)
    return (f"{path.name}:{row + 1}:{rows[0][column]} = {value!r}", apply)


@st.composite
def line_end_edit(draw, package: Path):
    """A mutation: one CSV's line ends changed (all CRLF, the last line alone CRLF, CR only, blank lines)."""
    path = draw(st.sampled_from(sorted((package / "data").glob("*.csv"))))
    kind = draw(st.sampled_from(["crlf", "last-crlf", "cr", "blank-lines-at-end", "blank-line-inside"]))

    def apply(folder: Path):
        target = folder / "data" / path.name
        text = target.read_text(encoding="utf-8")
        lines = text.rstrip("\n").split("\n")
        edited = {"crlf": "\r\n".join(lines) + "\r\n",
                  "last-crlf": "\n".join(lines) + "\r\n",
                  "cr": "\r".join(lines) + "\r",
                  "blank-lines-at-end": text + "\n\n",
                  "blank-line-inside": "\n".join(lines[:2] + [""] + lines[2:]) + "\n"}[kind]
        target.write_bytes(edited.encode("utf-8"))
    return (f"{path.name}: line ends {kind}", apply)


@st.composite
def descriptor_edit(draw):
    """A mutation of datapackage.json: a plan text or number, a schema constraint, type, key or
    field, a path, a dialect, a resource the contract does not define."""
    choice = draw(st.sampled_from(["plan-text", "plan-number", "drop-constraints", "field-type", "path",
                                   "extra-resource", "foreign-key", "dialect", "plan-order", "repeat-field",
                                   "constraints"]))
    value = draw(CELLS)
    resource = draw(st.sampled_from(["units", "regions", "indicators", "targets", "observations", "sites", "sources"]))

    def apply(folder: Path):
        path = folder / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        res = next(r for r in descriptor["resources"] if r["name"] == resource)
        if choice == "plan-text":
            descriptor["plan"]["short_title"]["zh"] = value
        elif choice == "plan-number":
            descriptor["plan"]["period_start"] = value
        elif choice == "drop-constraints":
            for field in res["schema"]["fields"]:
                field.pop("constraints", None)
        elif choice == "field-type":
            res["schema"]["fields"][0]["type"] = "integer"
        elif choice == "extra-resource":
            descriptor["resources"].append({"name": "extra", "path": f"data/{resource}.csv", "schema": res["schema"]})
        elif choice == "foreign-key":
            res["schema"]["foreignKeys"] = [{"fields": value, "reference": value}]
        elif choice == "dialect":
            res["dialect"] = {"delimiter": ";"}
        elif choice == "plan-order":
            descriptor["plan"]["order"] = 10**30
        elif choice == "repeat-field":
            res["schema"]["fields"].append(dict(res["schema"]["fields"][-1]))
        elif choice == "constraints":
            res["schema"]["fields"][0]["constraints"] = value
        else:
            res["path"] = f"data\\{resource}.csv"
        path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return (f"datapackage.json: {choice} ({resource}) {value!r}", apply)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Builds:
    """One data folder, work folder and site, reused across examples (the content store keeps
    unchanged charts and downloads, so each example costs little more than MkDocs)."""

    def __init__(self, tmp: Path, package: Path):
        self.tmp, self.source = tmp, package
        self.data, self.out, self.work = tmp / "data", tmp / "site", tmp / "work"
        self.runner = CliRunner()

    def run(self, *args: str):
        return self.runner.invoke(command_line.cli, list(args), obj={}, catch_exceptions=True)

    def reset(self) -> Path:
        folder = self.data / self.source.name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.source, folder)
        return folder

    def check(self, mutations) -> None:
        folder = self.reset()
        for _, apply in mutations:
            apply(folder)
        what = "; ".join(label for label, _ in mutations)
        before = tree_digest(self.out) if self.out.exists() else None
        validated = self.run("validate", "--data", str(self.data))
        built = self.run("build", "--data", str(self.data), "--out", str(self.out), "--work", str(self.work), "--quiet")
        for result in (validated, built):
            output = result.output + (result.stderr if result.stderr_bytes is not None else "")
            assert result.exit_code in (0, 2), f"{what}: exit {result.exit_code}\n{output}\n{result.exception!r}"
            assert "Traceback" not in output, f"{what}:\n{output}"
        assert validated.exit_code == built.exit_code, (
            f"{what}: validate exited {validated.exit_code}, build {built.exit_code}\n{validated.output}\n{built.output}")
        if built.exit_code == 2:
            assert before is None or tree_digest(self.out) == before, f"{what}: a refused build changed the site"
            assert "problem" in built.output and ".csv" in built.output or "datapackage.json" in built.output, built.output


@pytest.fixture(scope="module")
def mini_builds(tmp_path_factory):
    builds = Builds(tmp_path_factory.mktemp("invariant-mini"), FIXTURE)
    builds.check([])  # the last good site every refused example must leave as it was
    assert builds.out.is_dir()
    return builds


MUTATIONS = st.one_of(cell_edit(FIXTURE), line_end_edit(FIXTURE), descriptor_edit())


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(MUTATIONS, min_size=1, max_size=3))
def test_validate_and_build_agree_on_hostile_edits(mini_builds, mutations):
    mini_builds.check(mutations)


@pytest.mark.parametrize("label, value", [
    ("full-width digits", "１.３７"), ("a no-break space after the number", "1.37\u00a0"), ("NaN", "NaN"),
    ("an infinity", "-inf"), ("a sum that would overflow", "1e308")])
def test_the_values_found_in_the_issue_are_refused_by_both(mini_builds, label, value):
    def apply(folder: Path):
        path = folder / "data" / "observations.csv"
        rows = read_csv(path)
        rows[3][rows[0].index("value")] = value
        write_csv(path, rows)
    mini_builds.check([(label, apply)])
    assert mini_builds.run("validate", "--data", str(mini_builds.data)).exit_code == 2


def test_a_crlf_on_the_last_line_only_builds(mini_builds):
    def apply(folder: Path):
        path = folder / "data" / "observations.csv"
        text = path.read_text(encoding="utf-8").rstrip("\n")
        path.write_bytes((text + "\r\n").encode("utf-8"))
    mini_builds.check([("last line CRLF", apply)])
    assert mini_builds.run("validate", "--data", str(mini_builds.data)).exit_code == 0


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(cell_edit(REPO_ROOT / "datapackages" / "jjj-2020-2022"),
                          line_end_edit(REPO_ROOT / "datapackages" / "jjj-2020-2022")), min_size=1, max_size=2))
def test_validate_and_build_agree_on_the_shipped_package(shipped_builds, mutations):
    shipped_builds.check(mutations)


@pytest.fixture(scope="module")
def shipped_builds(tmp_path_factory):
    builds = Builds(tmp_path_factory.mktemp("invariant-shipped"), REPO_ROOT / "datapackages" / "jjj-2020-2022")
    builds.check([])
    return builds


def _replace_in(name: str, old: str, new: str):
    def apply(folder: Path):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def _replace_bytes(name: str, old: bytes, new: bytes):
    def apply(folder: Path):
        path = folder / name
        data = path.read_bytes()
        assert old in data, f"{old!r} not in {name}"
        path.write_bytes(data.replace(old, new, 1))
    return apply


@pytest.mark.parametrize("label, apply", [
    ("a lone surrogate escaped in the package title",
     _replace_in("datapackage.json", '"title": "示例计划 / Example plan"', '"title": "示例\\udc80计划"')),
    ("a lone surrogate escaped in plan.title.zh", _replace_in("datapackage.json", '"zh": "示例计划"', '"zh": "示例\\ud800计划"')),
    ("a lone surrogate escaped in a key", _replace_in("datapackage.json", '"keywords": [', '"k\\udc80": [')),
    # UTF-8 cannot encode a surrogate: a CSV holding its would-be bytes is no UTF-8 (not-utf8)
    ("a surrogate's bytes in a CSV cell", _replace_bytes("data/targets.csv", "示例：没有数据".encode(),
                                                          b"\xed\xb2\x80")),
])
def test_text_a_database_cannot_hold_is_refused_by_both(mini_builds, label, apply):
    mini_builds.check([(label, apply)])
    assert mini_builds.run("validate", "--data", str(mini_builds.data)).exit_code == 2


@pytest.mark.parametrize("key, value", [("region_id", ["XR"]), ("region_id", {"id": "XR"}), ("source_id", ["src-plan"]),
                                        ("predecessor", {"plan": "x"})])
def test_a_plan_id_of_another_json_type_is_refused_by_both(mini_builds, key, value):
    def apply(folder: Path):
        path = folder / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        descriptor["plan"][key] = value
        path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    mini_builds.check([(f"plan.{key} = {value!r}", apply)])
    assert mini_builds.run("validate", "--data", str(mini_builds.data)).exit_code == 2


def _append_observation(row: str):
    def apply(folder: Path) -> None:
        with (folder / "data" / "observations.csv").open("a", encoding="utf-8") as f:
            f.write(row)
    return apply


BASELINE_CELLS = "2019,30,wan-t,src-plan,true"
TILE_B = "XB,乙省,Province B,province,XR,1,0,"


@pytest.mark.parametrize("label, apply", [
    ("a baseline year without its figure", _replace_in("data/targets.csv", BASELINE_CELLS, "2019,,,src-plan,true")),
    ("a baseline figure without its year", _replace_in("data/targets.csv", BASELINE_CELLS, ",30,wan-t,src-plan,true")),
    ("a baseline without its source", _replace_in("data/targets.csv", BASELINE_CELLS, "2019,30,wan-t,,true")),
    ("a baseline its observation does not give", _replace_in("data/targets.csv", BASELINE_CELLS, "2019,25,wan-t,src-plan,true")),
    ("a baseline without its observation", _replace_in("data/observations.csv", "XA,2019,30,wan-t,,baseline",
                                                        "XA,2018,30,wan-t,,baseline")),
    ("a baseline that is a forecast", _replace_in("data/observations.csv", "XA,2019,30,wan-t,,baseline",
                                                  "XA,2019,30,wan-t,expected,baseline")),
    ("two reported figures of one series, region and year that disagree",
     _append_observation("xa-recycled-2021b,recycled-mass,XA,2021,45,wan-t,,reported,src-plan,甲省45万吨,,\n")),
    ("two regions on one tile", _replace_in("data/regions.csv", TILE_B, "XB,乙省,Province B,province,XR,0,0,")),
    ("a tile column without its row", _replace_in("data/regions.csv", TILE_B, "XB,乙省,Province B,province,XR,1,,")),
    ("a tile row without its column", _replace_in("data/regions.csv", TILE_B, "XB,乙省,Province B,province,XR,,0,")),
], ids=lambda value: value if isinstance(value, str) else "")
def test_figures_unlike_their_evidence_and_tiles_the_map_cannot_draw_are_refused_by_both(mini_builds, label, apply):
    """Data whose page would show a figure without its words, a status that row order or a forecast
    decides, or a map that hides a region: refused by validate and by build alike (exit 2)."""
    mini_builds.check([(label, apply)])
    assert mini_builds.run("validate", "--data", str(mini_builds.data)).exit_code == 2


def test_a_region_without_a_tile_is_named_once_beside_the_map(mini_builds):
    """The map query gives a row per region and year: the list beside the map names each region once."""
    mini_builds.check([("XA without a tile", _replace_in("data/regions.csv", "XA,甲省,Province A,province,XR,0,0,",
                                                         "XA,甲省,Province A,province,XR,,,"))])
    page = (mini_builds.out / "mini-plan" / "map" / "index.html").read_text(encoding="utf-8")
    (line,) = [line for line in page.splitlines() if "没有方格位置" in line]
    assert line.count("甲省") == 1, line


def _previous_release(tmp_path: Path, change) -> Path:
    """A copy of the fixture plan as an earlier release's folder of packages, changed by `change`."""
    package = tmp_path / "previous" / FIXTURE.name
    shutil.copytree(FIXTURE, package)
    change(package)
    return package.parent


def _build_with_previous(builds: Builds, previous: Path):
    builds.reset()
    return builds.run("build", "--data", str(builds.data), "--out", str(builds.out), "--work", str(builds.work),
                      "--quiet", "--previous", str(previous))


def _without_sites(package: Path) -> None:
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "sites"]
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    (package / "data" / "sites.csv").unlink()


@pytest.mark.parametrize("label, change", [
    ("an earlier release without the sites resource", _without_sites),
    ("an earlier release whose data file is gone", lambda p: (p / "data" / "observations.csv").unlink()),
    ("an earlier release with a lone surrogate in its title",
     lambda p: (p / "datapackage.json").write_text((p / "datapackage.json").read_text(encoding="utf-8").replace(
         '"title": "示例计划 / Example plan"', '"title": "示例\\udc80计划"'), encoding="utf-8")),
])
def test_an_earlier_release_is_compared_as_far_as_it_goes(mini_builds, tmp_path, label, change):
    built = _build_with_previous(mini_builds, _previous_release(tmp_path, change))
    assert built.exit_code == 0, f"{label}: {built.output}\n{built.exception!r}"
    assert (mini_builds.out / "changes" / "index.html").is_file()


@pytest.mark.parametrize("label, make", [
    ("a folder without packages", lambda d: (d.mkdir(), (d / "notes.txt").write_text("x", encoding="utf-8"))),
    ("a descriptor that is no JSON object", lambda d: ((d / "p").mkdir(parents=True),
                                                        (d / "p" / "datapackage.json").write_text("[1]", encoding="utf-8"))),
])
def test_a_previous_folder_that_is_no_release_is_a_problem(mini_builds, tmp_path, label, make):
    mini_builds.check([])
    before = tree_digest(mini_builds.out)
    folder = tmp_path / "not-packages"
    make(folder)
    built = _build_with_previous(mini_builds, folder)
    assert built.exit_code == 2, f"{label}: {built.output}\n{built.exception!r}"
    assert "[previous-data-unreadable]" in built.output and "Traceback" not in built.output
    assert tree_digest(mini_builds.out) == before
