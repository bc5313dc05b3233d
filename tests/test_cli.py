"""The command line: exit status, one line per problem, no traceback, the last good site untouched."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plantracker.pipeline import REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "mini-plan"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *args], cwd=REPO_ROOT, capture_output=True, text=True)


def tree_digest(folder: Path) -> str:
    """Folder -> one hash over every file's path and bytes (a byte-identical tree gives the same hash)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """The fixture plan built once through the command line: (data dir, out dir, work dir)."""
    tmp = tmp_path_factory.mktemp("cli")
    data, out, work = tmp / "data", tmp / "site", tmp / "work"
    shutil.copytree(FIXTURE, data / "mini-plan")
    result = run("build", "--data", str(data), "--out", str(out), "--work", str(work))
    assert result.returncode == 0, result.stderr
    # Its last line arrives, and nothing warns of resources left behind (the chart workers are
    # left to end on their own once every render is done: ChartRendering.finish).
    assert result.stderr.splitlines()[-1].startswith("built release"), result.stderr
    assert "leaked" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    return data, out, work


def test_validate_passes_on_the_shipped_data():
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "valid: release" in result.stderr


def test_bad_input_exits_2_with_one_line_per_problem_and_leaves_the_site_untouched(good_build, tmp_path):
    data, out, work = good_build
    before = tree_digest(out)
    broken = tmp_path / "data"
    shutil.copytree(data, broken)
    observations = broken / "mini-plan" / "data" / "observations.csv"
    text = observations.read_text(encoding="utf-8")
    observations.write_text(text.replace("xa-recycled-2021,recycled-mass,XA,2021,40,", "xa-recycled-2021,recycled-mass,XA,2021,40万,"),
                            encoding="utf-8")
    regions = broken / "mini-plan" / "data" / "regions.csv"
    targets = broken / "mini-plan" / "data" / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8").replace("xb-points,collection-points,XB,", "xb-points,collection-points,XQ,"),
                       encoding="utf-8")
    assert regions.exists()
    result = run("build", "--data", str(broken), "--out", str(out), "--work", str(work))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    folder = broken.name + "/mini-plan/data"
    assert (f'{folder}/observations.csv:4: value: "40万" is not a number (write a plain number with a dot for decimals, '
            f"no thousands separators or units (the unit goes in unit_id)) [wrong-type]") in lines
    assert any(line.startswith(f"{folder}/targets.csv:3: region_id: unknown region \"XQ\"") for line in lines)
    assert lines[-1] == "2 problems found; nothing was built or changed."
    assert tree_digest(out) == before


def test_debug_shows_the_traceback(good_build, tmp_path):
    data, out, work = good_build
    broken = tmp_path / "data"
    shutil.copytree(data, broken)
    (broken / "mini-plan" / "datapackage.json").write_text("{not json", encoding="utf-8")
    quiet = run("validate", "--data", str(broken))
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr
    assert "[invalid-json]" in quiet.stderr
    loud = run("--debug", "validate", "--data", str(broken))
    assert loud.returncode == 2 and "Traceback" in loud.stderr


def test_a_rebuild_of_the_same_commit_is_byte_identical(good_build, tmp_path):
    data, out, _ = good_build
    again = tmp_path / "site"
    result = run("build", "--data", str(data), "--out", str(again), "--work", str(tmp_path / "work"))
    assert result.returncode == 0, result.stderr
    assert tree_digest(again) == tree_digest(out)


def test_validate_json_prints_every_problem_as_an_object(tmp_path):
    """`validate --json`: one JSON document on stdout, the problems with their six keys, exit 2; valid data: exit 0."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data / "mini-plan")
    valid = run("validate", "--json", "--data", str(data))
    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout) == {"valid": True, "count": 0, "problems": []}
    folder = data / "mini-plan" / "data"
    observations, targets = folder / "observations.csv", folder / "targets.csv"
    observations.write_text(observations.read_text(encoding="utf-8").replace(
        "xa-recycled-2021,recycled-mass,XA,2021,40,", "xa-recycled-2021,recycled-mass,XA,2021,40万,"), encoding="utf-8")
    targets.write_text(targets.read_text(encoding="utf-8").replace(
        "xb-points,collection-points,XB,", "xb-points,collection-points,XQ,"), encoding="utf-8")
    result = run("validate", "--json", "--data", str(data))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert (report["valid"], report["count"]) == (False, 2)
    assert [(p["file"], p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        ("data/mini-plan/data/observations.csv", 4, "value", "wrong-type"),
        ("data/mini-plan/data/targets.csv", 3, "region_id", "unknown-region")]
    assert all(list(p) == ["file", "row", "field", "code", "message", "hint"] for p in report["problems"])
    assert report["problems"][1]["message"] == 'unknown region "XQ"'
    assert report["problems"][1]["hint"] == "use an id listed in data/mini-plan/data/regions.csv or add it there"


def test_ctrl_c_that_code_turned_into_its_own_error_is_an_abort(tmp_path):
    """Ctrl-C during a DuckDB query reaches the command as DuckDB's error ("Query interrupted"),
    not KeyboardInterrupt: it is reported as click's "Aborted!", not as an internal error (a fresh
    review saw "internal error: RuntimeError: Query interrupted"). A fault with no Ctrl-C before it
    stays an internal error."""
    script = tmp_path / "cli.py"
    script.write_text(f"""
import os, signal, sys, time
sys.path.insert(0, {str(REPO_ROOT)!r})
import click
from plantracker.exit_status import ExitStatusGroup

@click.group(cls=ExitStatusGroup)
@click.pass_context
def cli(ctx):
    ctx.obj = {{}}

@cli.command()
@click.option("--interrupt", is_flag=True)
def query(interrupt):
    try:
        if interrupt:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
    except KeyboardInterrupt:
        pass  # as DuckDB does: the interrupt becomes its own error
    raise RuntimeError("Query interrupted")

cli()
""", encoding="utf-8")
    interrupted = subprocess.run([sys.executable, str(script), "query", "--interrupt"], capture_output=True, text=True)
    assert interrupted.returncode == 1 and "Aborted!" in interrupted.stderr and "internal error" not in interrupted.stderr
    fault = subprocess.run([sys.executable, str(script), "query"], capture_output=True, text=True)
    assert fault.returncode == 1 and "internal error: RuntimeError: Query interrupted" in fault.stderr
