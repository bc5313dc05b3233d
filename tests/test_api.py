"""write_api on the real packages and the fixture plan: every file parses, rows equal the package CSV
rows (typed per the Table Schema), DuckDB's read_json reads them, and the API page's examples run."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import http.server
import io
import json
import subprocess
import threading
from pathlib import Path

import duckdb
import pytest

from plantracker.assets.api import write_api
from plantracker.load import RESOURCES
from plantracker.pages.api import api_examples, api_page_context
from plantracker.render import template_environment
from plantracker.settings import Release
from plantracker.site_map import STATUS
from plantracker.strings import load_strings

from stages import loaded

REPO_ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
RELEASE = Release("2026.1", dt.date(2026, 11, 29), "https://example.org/tracker/")
STRINGS = load_strings(REPO_ROOT / "templates")
DATA_DIRS = {"real": REPO_ROOT / "datapackages", "mini": FIXTURES}


@pytest.fixture(scope="module", params=sorted(DATA_DIRS))
def api(request, tmp_path_factory):
    """(data dir, static dir, written paths, packages) for each data folder."""
    data_dir = DATA_DIRS[request.param]
    static = tmp_path_factory.mktemp(f"api-{request.param}")
    db, site = loaded(data_dir)
    try:
        paths = write_api(db, site, static, RELEASE, STRINGS)
    finally:
        db.close()
    return data_dir, static, paths, db.packages, site.progress


def typed(cell: str, field: dict):
    """A CSV cell -> the value the Table Schema type gives it (empty -> None)."""
    if cell == "":
        return None
    kind = field.get("type", "string")
    if kind in ("integer", "year"):
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return {"true": True, "false": False}[cell.lower()]
    if kind == "date":
        return dt.date.fromisoformat(cell).isoformat()
    return cell


def csv_rows(package_dir: Path, resource: dict) -> list[dict]:
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    with (package_dir / resource["path"]).open(encoding="utf-8", newline="") as handle:
        return [{k: typed(v, fields[k]) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_every_file_parses_with_the_envelope(api):
    _, static, paths, packages, _ = api
    expected = {static / "api" / "plans.json"}
    for package in packages:
        expected |= {static / "api" / package.plan_id / f"{name}.json" for name in [*RESOURCES, STATUS]}
    assert set(paths) == expected
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["release"] == "2026.1"
        assert document["released"] == "2026-11-29"
        assert document["licence"] == "CC-BY-4.0"
        assert document["url"] == RELEASE.url + path.relative_to(static).as_posix()
        assert isinstance(document["rows"], list) and document["rows"]
        assert document["source_ids"] == sorted(set(document["source_ids"]))
        assert list(document) == sorted(document), "envelope keys are sorted"


def test_rows_equal_the_package_csv_rows(api):
    _, static, _, packages, _ = api
    for package in packages:
        for resource in package.descriptor["resources"]:
            document = json.loads((static / "api" / package.plan_id / f"{resource['name']}.json").read_text("utf-8"))
            expected = csv_rows(package.folder, resource)
            assert document["rows"] == expected, resource["name"]
            # same columns in the same order, and integers stay integers (not 2020.0)
            assert [list(r) for r in document["rows"]] == [list(r) for r in expected]
            for field in resource["schema"]["fields"]:
                if field.get("type") == "number":  # written as the JSON downloads write them: 41, not 41.0
                    assert not [r[field["name"]] for r in document["rows"]
                                if isinstance(r[field["name"]], float) and r[field["name"]].is_integer()]
                if field.get("type") == "integer":
                    assert all(isinstance(r[field["name"]], (int, type(None))) and not isinstance(r[field["name"]], bool)
                               for r in document["rows"])
            assert document["fields"] == resource["schema"]["fields"]
            cited = {v for r in expected for k, v in r.items() if k.endswith("source_id") and v}
            assert document["source_ids"] == sorted(cited)


def test_status_matches_target_progress_in_base_units(api):
    _, static, _, packages, progress = api
    for package in packages:
        document = json.loads((static / "api" / package.plan_id / "status.json").read_text("utf-8"))
        mine = [r for r in progress if r["plan_id"] == package.plan_id]
        assert [r["target_id"] for r in document["rows"]] == [r["target_id"] for r in mine]
        units = {r["unit_id"]: r for r in json.loads((static / "api" / package.plan_id / "units.json").read_text("utf-8"))["rows"]}
        for row, expected in zip(document["rows"], mine):
            assert row["status"] == expected["status"]
            assert row["latest_year"] == expected["latest_year"]
            assert row["target_value"] == pytest.approx(expected["target_value"], rel=1e-12)
            if expected["share_reached"] is None:
                assert row["share_reached"] is None
            else:
                assert row["share_reached"] == pytest.approx(expected["share_reached"], rel=1e-11)
            base = units[row["unit_id"]]
            assert base["factor"] == 1 and base["dimension"] == row["dimension"]
        assert "unit_id" in document["unit_note"]["en"] and document["unit_note"]["zh"]


def test_plans_lists_every_plan_with_links(api):
    _, static, _, packages, _ = api
    document = json.loads((static / "api" / "plans.json").read_text("utf-8"))
    assert [r["plan_id"] for r in document["rows"]] == [p.plan_id for p in packages]
    for row, package in zip(document["rows"], packages):
        assert row["title"] == {"zh": package.plan["title"]["zh"], "en": package.plan["title"]["en"]}
        assert (row["period_start"], row["period_end"]) == (package.plan["period_start"], package.plan["period_end"])
        assert row["links"]["api"]["status"] == f"{RELEASE.url}api/{package.plan_id}/status.json"
        assert row["links"]["downloads"]["datapackage"] == f"{RELEASE.url}downloads/{package.plan_id}/datapackage.json"
        for url in row["links"]["api"].values():
            assert (static / url.removeprefix(RELEASE.url)).is_file()


def test_duckdb_read_json_reads_every_file(api):
    _, static, paths, _, _ = api
    con = duckdb.connect()
    for path in paths:
        rows = json.loads(path.read_text("utf-8"))["rows"]
        if path.name == "plans.json":
            sql = "select count(*) from (select unnest(rows) from read_json(?))"
        else:
            sql = "select count(*) from (select unnest(rows, recursive := true) from read_json(?))"
        assert con.execute(sql, [str(path)]).fetchone()[0] == len(rows), path
    con.close()


def test_written_twice_gives_the_same_bytes(api, tmp_path):
    data_dir, static, paths, _, _ = api
    db, site = loaded(data_dir)
    again = write_api(db, site, tmp_path, RELEASE, STRINGS)
    db.close()
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(static) for p in paths]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, paths))


@contextlib.contextmanager
def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_api_page_examples_run_against_the_files(api):
    """The code shown on the API page, pointed at a local server holding the files, works."""
    _, static, _, packages, _ = api
    plan_id = packages[0].plan_id
    status = json.loads((static / "api" / plan_id / "status.json").read_text("utf-8"))
    with serve(static) as base:
        examples = api_examples(base, plan_id)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(examples["python"], {})
        lines = out.getvalue().splitlines()
        assert lines[0] == "2026.1 2026-11-29"
        assert len(lines) == 1 + len(status["rows"])
        for command in examples["curl"].splitlines():
            result = subprocess.run(command.split(), capture_output=True, check=True, timeout=30)
            assert json.loads(result.stdout)["release"] == "2026.1"
    # DuckDB reads https with its httpfs extension (not available offline): run it on the file path.
    local = api_examples(str(static) + "/", plan_id)
    con = duckdb.connect()
    observations = con.execute(local["duckdb"]).fetchall()
    assert len(observations) == len(json.loads((static / "api" / plan_id / "observations.json").read_text("utf-8"))["rows"])
    assert [r[0] for r in con.execute(local["duckdb_status"]).fetchall()] == sorted(r["target_id"] for r in status["rows"])
    con.close()


def test_api_page_renders_in_both_languages():
    from plantracker.citation import citation

    strings = STRINGS
    context = {"api": api_page_context(["plan-a", "plan-b"], RELEASE)}
    template = template_environment(REPO_ROOT / "templates").get_template("api.md.j2")
    for lang in ("zh", "en"):
        title = strings[lang]["api"]
        cite = citation(RELEASE, title, "api/", lang, strings[lang])
        text = template.render(**context, lang=lang, t=strings[lang], page_title=title,
                               release={"version": RELEASE.version}, cite=cite)
        assert text.startswith(f"# {strings[lang]['api']}\n")
        assert "https://example.org/tracker/2026.1/api/plan-b/status.json" in text
        assert "https://example.org/tracker/latest/api/" in text
        # code is escaped for raw HTML, and has no blank line that would end Markdown's HTML block
        assert "read_json(&#39;https://example.org/tracker/2026.1/api/plan-a/observations.json&#39;)" in text
        for block in text.split("<pre><code>")[1:]:
            assert "\n\n" not in block.split("</code></pre>")[0]
        assert "unnest(rows, recursive := true)" in text
    assert api_page_context([], RELEASE)["examples"]["curl"].startswith("curl -sS https://example.org/tracker/2026.1/api/plans.json")
