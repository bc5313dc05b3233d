"""build.py import: NBS data portal exports -> observations of a temporary copy of a package, then validated.

Nothing here writes into datapackages/: every import goes into a copy under tmp_path (checked below).
The invented exports (recycled*.csv, .xls) belong to the invented plan tests/fixtures/mini-plan.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from plantracker.nbs_import.csv_file import edited_text, format_row, read_csv
from plantracker.nbs_import import ImportResult, NewSource, import_export, validate_after_import
from plantracker.pipeline import REPO_ROOT
from plantracker.problems import InputError
from plantracker.validate import validate_packages

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "nbs-import"
MINI = FIXTURES / "mini-plan"
SOURCE = NewSource("示例导出表（测试用，虚构）", "https://example.org/nbs-export", "示例统计局")
GDP_SOURCE = ("--source", "nbs-portal-gdp", "--source-title", "分省年度数据：地区生产总值",
              "--source-url", "https://data.stats.gov.cn/easyquery.htm?cn=E0103")


# ---- package copies and their contract additions ----

def set_column(package: Path, resource: str, column: str, values: dict[str, str]) -> None:
    """Add an optional string column (schema field and CSV column) unless present; set `values` by row id."""
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    spec = next(r for r in descriptor["resources"] if r["name"] == resource)
    if column not in [f["name"] for f in spec["schema"]["fields"]]:
        spec["schema"]["fields"].append({"name": column, "type": "string"})
        descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    path = package / spec["path"]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = list(rows[0].keys()) if rows else []
    if column not in header:
        header.append(column)
    key = spec["schema"]["primaryKey"][0]
    for row in rows:
        row[column] = values.get(row[key], row.get(column) or "")
    write_rows(path, header, rows)


def add_rows(package: Path, resource: str, rows: list[dict[str, str]]) -> None:
    path = package / "data" / f"{resource}.csv"
    existing = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    write_rows(path, list(existing[0].keys()), existing + rows)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def mini_copy(tmp_path: Path, contract: bool = True) -> Path:
    """tests/fixtures/mini-plan -> <tmp>/data/mini-plan, with the contract's optional import columns."""
    package = tmp_path / "data" / "mini-plan"
    shutil.copytree(MINI, package)
    # The invented exports give 甲省 36万吨 for 2020; the plan's own row says so too (two different
    # figures of one series, region and year are refused: conflicting-figures).
    set_column(package, "observations", "value", {"xa-recycled-2020": "360"})
    set_column(package, "observations", "quote", {"xa-recycled-2020": "甲省回收利用量36万吨"})
    if contract:
        set_column(package, "regions", "full_name_zh", {"XA": "甲省", "XB": "乙省"})
        set_column(package, "indicators", "official_name_zh", {"recycled-mass": "示例废物回收利用量"})
        set_column(package, "indicators", "official_table", {"recycled-mass": "示例统计年鉴 表1（虚构）"})
    return package


def jjj_copy(tmp_path: Path) -> Path:
    """datapackages/ -> <tmp>/data (both plans: one names the other as predecessor), jjj-2020-2022 given
    the import columns, GDP and resident population indicators and a 万人 unit."""
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "datapackages", data)
    package = data / "jjj-2020-2022"
    regions = {row["region_id"]: row["name_zh"] for row in read_rows(package / "data" / "regions.csv")
               if row["kind"] == "province"}
    set_column(package, "regions", "full_name_zh", regions)
    add_rows(package, "units", [{"unit_id": "wan-people", "dimension": "count", "factor": "10000",
                                 "label_zh": "万人", "label_en": "10,000 people", "display_zh": "true",
                                 "display_en": "false"}])
    context = {"plan_wording_zh": "", "comparable_to": "", "comparability_zh": "背景数据（测试用）。",
               "comparability_en": "Context (test).", "concept": ""}
    add_rows(package, "indicators", [
        {"indicator_id": "gdp", "name_zh": "地区生产总值", "name_en": "Gross regional product",
         "definition_zh": "地区生产总值。", "definition_en": "Gross regional product.", "unit_id": "yi-yuan", **context},
        {"indicator_id": "resident-population", "name_zh": "常住人口", "name_en": "Resident population",
         "definition_zh": "年末常住人口。", "definition_en": "Resident population at year end.",
         "unit_id": "wan-people", **context},
    ])
    set_column(package, "indicators", "official_name_zh", {"gdp": "地区生产总值", "resident-population": "年末常住人口"})
    set_column(package, "indicators", "official_table", {})
    return package


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def observations(package: Path) -> dict[str, dict[str, str]]:
    return {row["observation_id"]: row for row in read_rows(package / "data" / "observations.csv")}


def run_import(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "import", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True)


def digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.fixture(autouse=True, scope="module")
def shipped_data_untouched():
    """The importer never writes into datapackages/ in these tests."""
    before = digest(REPO_ROOT / "datapackages")
    yield
    assert digest(REPO_ROOT / "datapackages") == before


def import_mini(package: Path, export: str | Path, **options) -> ImportResult:
    return import_export(EXPORTS / export, package, source_id="example-export", source=SOURCE, **options)


# ---- the two real example files (format test) ----

def test_the_real_gdp_export_imports_into_a_copy_of_the_plan(tmp_path):
    package = jjj_copy(tmp_path)
    data = package.parent
    observations_csv = package / "data" / "observations.csv"
    before, before_bytes = digest(data), observations_csv.read_bytes()
    args = (str(EXPORTS / "gdp-by-province.csv"), "--data", str(data), "--plan", "jjj-2020-2022", *GDP_SOURCE)

    shown = run_import(*args)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == ("gdp-by-province.csv: 指标：地区生产总值(亿元) -> indicator gdp, unit yi-yuan, source "
                        "nbs-portal-gdp (new row in sources.csv); into data/jjj-2020-2022/data/observations.csv")
    assert "+ nbs-2024-cn-bj-gdp  北京市 2024年  49670.2 yi-yuan" in lines
    assert "+ nbs-2024-cn-nm-gdp  内蒙古自治区 2024年  26337.0 yi-yuan" in lines
    assert lines[-2] == "133 to add, 0 unchanged, 0 revised, 24 regions skipped, 0 empty cells"
    assert lines[-1] == "nothing written: pass --write to apply"
    skipped = next(line for line in lines if line.startswith("skipped"))
    assert "辽宁省" in skipped and "新疆维吾尔自治区" in skipped and "北京市" not in skipped
    assert digest(data) == before  # a dry run writes nothing

    written = run_import(*args, "--write")
    assert written.returncode == 0, written.stderr
    assert written.stdout.splitlines()[-1] == "written: 133 rows added, 0 replaced, source nbs-portal-gdp added"
    assert "valid: packages in" in written.stderr
    assert observations_csv.read_bytes().startswith(before_bytes)  # earlier rows kept byte for byte
    rows = observations(package)
    beijing = rows["nbs-2024-cn-bj-gdp"]
    assert beijing["quote"] == "指标：地区生产总值(亿元)；地区：北京市；时间：2024年；数值：49670.2"
    assert beijing["note_zh"].startswith("注：按照我国国民经济核算数据修订制度")
    assert "gdp-by-province.csv" in beijing["note_en"] and "note_zh" in beijing["note_en"]
    assert (beijing["kind"], beijing["unit_id"], beijing["region_id"], beijing["qualifier"]) == \
        ("reported", "yi-yuan", "CN-BJ", "")
    assert rows["nbs-2019-cn-bj-gdp"]["value"] == "37767.0"  # the digits as printed, not reformatted
    source = next(r for r in read_rows(package / "data" / "sources.csv") if r["source_id"] == "nbs-portal-gdp")
    assert (source["publisher"], source["authority"], source["language"]) == ("国家统计局", "official", "zh")
    assert validate_packages(data) == []


def test_the_real_population_export_imports_with_a_unit_the_package_adds(tmp_path):
    package = jjj_copy(tmp_path)
    result = import_export(EXPORTS / "population-by-province.csv", package, source_id="nbs-portal-population",
                           source=NewSource("分省年度数据：年末常住人口", "https://data.stats.gov.cn/"), write=True)
    assert (result.indicator_id, result.unit_id, len(result.added)) == ("resident-population", "wan-people", 70)
    row = observations(package)["nbs-2024-cn-he-resident-population"]
    assert (row["value"], row["quote"]) == ("7378", "指标：年末常住人口(万人)；地区：河北省；时间：2024年；数值：7378")
    assert row["note_zh"].startswith("注：常住人口包括")
    assert validate_packages(package.parent) == []


# ---- invented exports: encodings, Excel, cells, footnotes ----

def test_rerun_adds_nothing_and_leaves_the_files_byte_for_byte(tmp_path):
    package = mini_copy(tmp_path)
    first = import_mini(package, "recycled.csv", write=True)
    assert [f.values["observation_id"] for f in first.added][:2] == ["nbs-2022-xa-recycled-mass",
                                                                     "nbs-2021-xa-recycled-mass"]
    after_first = digest(package)
    again = import_mini(package, "recycled.csv", write=True)
    assert (again.added, again.revised, len(again.unchanged), again.written) == ([], [], 6, False)
    assert again.outcome() == "nothing to change"
    assert digest(package) == after_first
    assert validate_packages(package.parent) == []


def test_a_gbk_export_with_crlf_and_full_width_brackets(tmp_path):
    package = mini_copy(tmp_path)
    result = import_mini(package, "recycled-gbk.csv", write=True)
    assert len(result.added) == 6
    row = observations(package)["nbs-2021-xb-recycled-mass"]
    assert (row["value"], row["unit_id"]) == ("17.9", "wan-t")
    assert row["quote"] == "指标：示例废物回收利用量（万吨）；地区：乙省；时间：2021年；数值：17.9"
    assert validate_packages(package.parent) == []


def test_a_legacy_xls_export_and_then_the_same_figures_as_csv_change_nothing(tmp_path):
    package = mini_copy(tmp_path)
    result = import_mini(package, "recycled.xls", write=True)
    values = {f.values["observation_id"]: f.values["value"] for f in result.added}
    assert values["nbs-2022-xa-recycled-mass"] == "52.5"
    assert values["nbs-2021-xa-recycled-mass"] == "41"     # Excel keeps the number 41, not the digits 41.0
    assert values["nbs-2021-xb-recycled-mass"] == "17.9"   # a figure stored as text
    assert values["nbs-2022-xb-recycled-mass"] == "18.25"
    assert validate_packages(package.parent) == []
    again = import_mini(package, "recycled.csv")  # 41.0 in the CSV is the same number: not a revision
    assert (len(again.added), len(again.revised), len(again.unchanged)) == (0, 0, 6)


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


XLSX_ROWS = [["数据库：分省年度数据"], ["指标：示例废物回收利用量(万吨)"], ["时间：最近3年"],
             ["地区", "2022年", "2021年", "2020年"], ["甲省", 52.5, 41, None], ["乙省", 18.25, 17.9, 16.4],
             ["注：测试用，虚构。"], ["数据来源：国家统计局"]]


def test_an_xlsx_export(tmp_path):
    package = mini_copy(tmp_path)
    export = write_xlsx(tmp_path / "recycled.xlsx", XLSX_ROWS)
    result = import_export(export, package, source_id="example-export", source=SOURCE, write=True)
    assert len(result.added) == 5 and result.empty_cells == ["甲省 2020年"]
    assert observations(package)["nbs-2022-xb-recycled-mass"]["note_zh"] == "注：测试用，虚构。"
    assert validate_packages(package.parent) == []


def test_a_bad_cell_in_an_xlsx_is_named_by_its_sheet_row_and_column(tmp_path):
    package = mini_copy(tmp_path)
    rows = [list(r) for r in XLSX_ROWS]
    rows[5][2] = "n/a"
    export = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(InputError) as caught:
        import_export(export, package, source_id="example-export", source=SOURCE)
    assert [p.line() for p in caught.value.problems] == [
        'bad.xlsx:6: column C (2021年): "n/a" is not a number (a figure is digits with a dot for decimals, '
        "no thousands separator or unit; leave the cell empty where there is no figure) [not-a-number]"]


def test_formula_cells_in_an_xlsx_are_refused_and_named(tmp_path):
    """openpyxl writes formulas without a cached value: the reader saw them as empty cells ("no figure")
    and a formula region as an empty region cell. A formula is refused wherever it is, the file untouched."""
    package = mini_copy(tmp_path)
    rows = [list(r) for r in XLSX_ROWS]
    rows[4][1], rows[4][2] = "=50+2.5", '=HYPERLINK("http://example.org","41")'
    rows[5][0] = '=CONCAT("乙","省")'
    export = write_xlsx(tmp_path / "formulas.xlsx", rows)
    before = digest(package)
    with pytest.raises(InputError) as caught:
        import_export(export, package, source_id="example-export", source=SOURCE, write=True)
    fix = ("the portal's exports hold values: a formula means the file was edited; export the table again, "
           "or type the value as printed")
    assert [p.line() for p in caught.value.problems] == [
        f"formulas.xlsx:5: column B: the cell holds a formula, =50+2.5, not a value ({fix}) [export-formula]",
        f'formulas.xlsx:5: column C: the cell holds a formula, =HYPERLINK("http://example.org","41"), not a value '
        f"({fix}) [export-formula]",
        f'formulas.xlsx:6: column A: the cell holds a formula, =CONCAT("乙","省"), not a value ({fix}) [export-formula]']
    assert digest(package) == before


def test_an_empty_cell_is_no_figure_never_zero(tmp_path):
    package = mini_copy(tmp_path)
    result = import_mini(package, "recycled-empty-cells.csv", write=True)
    assert [f.values["observation_id"] for f in result.added] == ["nbs-2022-xa-recycled-mass",
                                                                  "nbs-2020-xa-recycled-mass"]
    assert result.empty_cells == ["甲省 2021年", "乙省 2022年", "乙省 2021年", "乙省 2020年"]
    assert "empty cells, no figure: 甲省 2021年, 乙省 2022年, 乙省 2021年, 乙省 2020年" in result.diff_lines()
    assert not any(r["region_id"] == "XB" and r["source_id"] == "example-export" for r in observations(package).values())
    assert validate_packages(package.parent) == []


def test_footnotes_go_into_the_note(tmp_path):
    package = mini_copy(tmp_path)
    import_mini(package, "recycled-footnotes.csv", write=True)
    row = observations(package)["nbs-2020-xa-recycled-mass"]
    assert row["note_zh"] == ("注：回收利用量包括综合利用往年贮存量（测试用，虚构）。 注：2020年起统计范围调整, 含乙省新区。 "
                              "1. 续行：口径说明（虚构）。")
    assert row["note_en"] == ("Imported from the NBS data portal export recycled-footnotes.csv (国家数据, 分省年度数据). "
                              "Footnotes as printed are in note_zh.")
    assert validate_packages(package.parent) == []


def test_a_region_outside_the_plan_is_skipped_and_listed_and_a_short_name_matches(tmp_path):
    package = mini_copy(tmp_path)
    data = package.parent
    shown = run_import(str(EXPORTS / "recycled-unknown-region.csv"), "--data", str(data), "--plan", "mini-plan",
                       "--source", "example-export", "--source-title", SOURCE.title, "--source-url", SOURCE.url)
    assert shown.returncode == 0, shown.stderr
    assert "skipped, not in regions.csv: 丙省" in shown.stdout.splitlines()
    assert "+ nbs-2022-xa-recycled-mass  甲 2022年  52.5 wan-t" in shown.stdout  # 甲 + 省 = 甲省 (suffix rule)
    assert "6 to add, 0 unchanged, 0 revised, 1 regions skipped, 0 empty cells" in shown.stdout


def test_a_region_name_with_invisible_characters_matches_after_normalizing(tmp_path):
    """A zero-width space (U+200B) or word joiner (U+2060) inside, a no-break or full-width space around,
    full-width letters: compared after NFKC, without format characters (Cf) and surrounding whitespace."""
    package = mini_copy(tmp_path)
    export = tmp_path / "invisible.csv"
    export.write_text(PLAIN.replace("甲省,", "甲\u200b省\u2060,").replace("乙省,", '"\u3000乙省\u00a0",'),
                      encoding="utf-8")
    result = import_mini(package, export, write=True)
    assert result.skipped_regions == [] and len(result.added) == 6
    row = observations(package)["nbs-2022-xa-recycled-mass"]
    assert row["region_id"] == "XA" and "地区：甲省；" in row["quote"]  # the quote without the invisible characters
    assert validate_packages(package.parent) == []


def test_a_package_without_the_optional_columns_matches_on_name_zh(tmp_path):
    package = mini_copy(tmp_path, contract=False)
    export = tmp_path / "plain.csv"
    export.write_text((EXPORTS / "recycled.csv").read_text(encoding="utf-8").replace("示例废物回收利用量", "回收利用量"),
                      encoding="utf-8")
    result = import_export(export, package, source_id="example-export", source=SOURCE, write=True)
    assert (result.indicator_id, len(result.added)) == ("recycled-mass", 6)
    assert validate_packages(package.parent) == []


def test_an_unknown_unit_is_an_error_that_lists_the_known_units(tmp_path):
    package = mini_copy(tmp_path)
    before = digest(package)
    result = run_import(str(EXPORTS / "recycled-unknown-unit.csv"), "--data", str(package.parent), "--plan",
                        "mini-plan", "--source", "example-export", "--source-title", SOURCE.title,
                        "--source-url", SOURCE.url)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        'recycled-unknown-unit.csv:2: 指标: unknown unit "万件": no unit in data/mini-plan/data/units.csv has this '
        'label_zh (known: 吨, 千吨, 万吨, 个) (add a unit with label_zh "万件" to data/mini-plan/data/units.csv) '
        "[export-unknown-unit]",
        "1 problem found; nothing was built or changed."]
    assert digest(package) == before


def test_an_unknown_indicator_is_an_error(tmp_path):
    package = mini_copy(tmp_path, contract=False)  # the export's name is only an official_name_zh
    with pytest.raises(InputError) as caught:
        import_mini(package, "recycled.csv")
    assert [p.code for p in caught.value.problems] == ["export-unknown-indicator"]
    assert caught.value.problems[0].row == 2


def test_an_unknown_source_without_title_and_url_prints_the_row_to_add(tmp_path):
    package = mini_copy(tmp_path)
    result = run_import(str(EXPORTS / "recycled.csv"), "--data", str(package.parent), "--plan", "mini-plan",
                        "--source", "example-export")
    assert result.returncode == 2
    assert ("or add the row: example-export,<title as printed>,国家统计局,<https://... of the table>,,,official,,,zh,"
            in result.stderr)
    assert "[import-unknown-source]" in result.stderr


def test_a_revision_is_refused_then_applied_in_place_with_revise(tmp_path):
    package = mini_copy(tmp_path)
    data = package.parent
    common = ("--data", str(data), "--plan", "mini-plan", "--source", "example-export", "--source-title",
              SOURCE.title, "--source-url", SOURCE.url)
    assert run_import(str(EXPORTS / "recycled.csv"), *common, "--write").returncode == 0
    observations_csv = package / "data" / "observations.csv"
    before = observations_csv.read_bytes()
    row_number = 1 + next(i for i, line in enumerate(before.decode().splitlines())
                          if line.startswith("nbs-2021-xb-recycled-mass,"))

    refused = run_import(str(EXPORTS / "recycled-revised.csv"), *common, "--write")
    assert refused.returncode == 2
    assert f"~ nbs-2021-xb-recycled-mass  乙省 2021年  17.9 wan-t -> 17.6 wan-t  (row {row_number})" in refused.stdout
    assert (f"data/mini-plan/data/observations.csv:{row_number}: value: 乙省 2021年: the file has 17.9 wan-t, the export 17.6 "
            "wan-t (check the export; pass --revise to replace the row) [revision]") in refused.stderr.splitlines()
    assert observations_csv.read_bytes() == before

    revised = run_import(str(EXPORTS / "recycled-revised.csv"), *common, "--write", "--revise")
    assert revised.returncode == 0, revised.stderr
    assert revised.stdout.splitlines()[-1] == "written: 0 rows added, 1 replaced"
    old_lines, new_lines = before.decode().splitlines(), observations_csv.read_text(encoding="utf-8").splitlines()
    changed = [i + 1 for i, (old, new) in enumerate(zip(old_lines, new_lines)) if old != new]
    assert changed == [row_number] and len(new_lines) == len(old_lines)  # replaced in place, nothing else touched
    row = observations(package)["nbs-2021-xb-recycled-mass"]
    assert (row["value"], row["note_zh"]) == ("17.6", "注：2021年数据已修订（测试用，虚构）。")


# ---- the file as written: line ends, extra columns, ids ----

def test_a_crlf_file_stays_crlf_and_extra_columns_stay_empty(tmp_path):
    package = mini_copy(tmp_path)
    set_column(package, "observations", "confidence", {})
    observations_csv = package / "data" / "observations.csv"
    observations_csv.write_bytes(observations_csv.read_bytes().replace(b"\n", b"\r\n"))
    before = observations_csv.read_bytes()
    import_mini(package, "recycled.csv", write=True)
    after = observations_csv.read_bytes()
    assert after.startswith(before) and after.count(b"\r\n") == after.count(b"\n") == before.count(b"\n") + 6
    assert observations(package)["nbs-2022-xa-recycled-mass"]["confidence"] == ""
    assert validate_packages(package.parent) == []


def test_the_same_figures_from_a_second_source_get_the_source_in_their_id(tmp_path):
    package = mini_copy(tmp_path)
    import_mini(package, "recycled.csv", write=True)
    second = import_export(EXPORTS / "recycled.csv", package, source_id="example-export-2026",
                           source=NewSource("示例导出表（2026年下载，虚构）", "https://example.org/nbs-export-2026"),
                           write=True)
    assert second.added[0].values["observation_id"] == "nbs-2022-xa-recycled-mass-example-export-2026"
    assert validate_packages(package.parent) == []


# ---- the export's structure ----

PLAIN = (EXPORTS / "recycled.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    (PLAIN.replace("指标：示例废物回收利用量(万吨)\n", ""), ("missing-indicator-line", 2, None)),
    (PLAIN.replace("指标：示例废物回收利用量(万吨)", "指标：示例废物回收利用量"), ("missing-unit", 2, "指标")),
    (PLAIN.replace("地区,2022年,2021年", "地区,2022年,2021"), ("not-a-year", 4, "column C")),
    (PLAIN.replace("乙省,18.25,17.9", '乙省,18.25,"1,7.9"'), ("not-a-number", 6, "column C (2021年)")),
    (PLAIN.replace("分省年度数据", "分省季度数据"), ("unsupported-database", 1, None)),
    (PLAIN.replace("数据来源：国家统计局", "数据来源：国家统计局\n丙省,1,2,3"), ("row-after-footnotes", 8, None)),
])
def test_a_broken_export_names_its_row_and_column(tmp_path, text, expected):
    package = mini_copy(tmp_path)
    export = tmp_path / "broken.csv"
    export.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_mini(package, export)
    problem = caught.value.problems[0]
    assert (problem.code, problem.row, problem.field) == expected
    assert problem.file == "broken.csv" and problem.hint


@pytest.mark.parametrize("text, expected", [
    (PLAIN.replace("乙省,18.25,", "乙省,１８.２５,"), ("full-width-number", 6, "column B (2022年)")),
    (PLAIN.replace("2021年,2020年", "2021年,1025年"), ("year-out-of-range", 4, "column D")),
    (PLAIN.replace("乙省,18.25,", "乙省,1" + "0" * 5000 + ","), ("number-too-large", 6, "column B (2022年)")),
    (PLAIN.replace("数据来源：", "注：口径\x07说明\n数据来源："), ("control-character", 7, "注 (note_zh)")),
])
def test_a_value_validation_would_refuse_is_refused_in_the_preview_and_never_written(tmp_path, text, expected):
    """The preview said all was fine, then --write wrote rows that validation refused: every value is now
    read by the contract's cell reader first, the problem named by the export's row and column."""
    package = mini_copy(tmp_path)
    export = tmp_path / "refused.csv"
    export.write_text(text, encoding="utf-8")
    before = digest(package.parent)
    for write in (False, True):
        with pytest.raises(InputError) as caught:
            import_mini(package, export, write=write)
        assert [(p.file, p.code, p.row, p.field) for p in caught.value.problems] == [("refused.csv", *expected)]
    assert digest(package.parent) == before
    shown = run_import(str(export), "--data", str(package.parent), "--plan", "mini-plan", "--source",
                       "example-export", "--source-title", SOURCE.title, "--source-url", SOURCE.url)
    assert shown.returncode == 2 and f"refused.csv:{expected[1]}: {expected[2]}: " in shown.stderr
    assert digest(package.parent) == before


def test_a_write_that_would_leave_the_folder_invalid_writes_nothing(tmp_path):
    """The rows go into a copy of the data folder first; the real files are replaced only when the copy
    passes validation (here an earlier slip in targets.csv makes it fail)."""
    package = mini_copy(tmp_path)
    targets = package / "data" / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8").replace("xb-points,collection-points,XB,",
                                                                   "xb-points,collection-points,XQ,"), encoding="utf-8")
    before = digest(package.parent)
    assert import_mini(package, "recycled.csv").added  # the preview: the figures themselves are fine
    with pytest.raises(InputError) as caught:
        import_mini(package, "recycled.csv", write=True)
    lines = [p.line() for p in caught.value.problems]
    assert len(lines) == 2 and 'data/mini-plan/data/targets.csv:3: region_id: unknown region "XQ"' in lines[1]
    assert lines[0] == ("data/mini-plan: the import would leave 1 problem(s) in the data folder (found by "
                        "validating a copy with the rows written); nothing was written (correct the export or the "
                        "package, then import again) [import-leaves-problems]")
    assert digest(package.parent) == before
    assert not list(package.parent.rglob("*.tmp"))


# ---- csv_file: rows added and replaced, every other byte kept ----

CELLS = st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), min_size=3, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.lists(CELLS, min_size=1, max_size=4), added=st.lists(CELLS, max_size=3), replaced=CELLS,
       crlf=st.booleans(), last_line_ended=st.booleans())
def test_edited_text_changes_only_the_rows_it_adds_and_replaces(tmp_path, existing, added, replaced, crlf,
                                                                last_line_ended):
    newline = "\r\n" if crlf else "\n"
    # format_row quotes a cell holding "\r" whatever the line end (Python 3.11's writer does not with "\n")
    text = newline.join(format_row(list("abc"), dict(zip("abc", cells))) for cells in [list("abc"), *existing])
    text += newline if last_line_ended else ""
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode("utf-8"))
    table = read_csv(path)
    result = edited_text(table, [dict(zip("abc", cells)) for cells in added], {2: dict(zip("abc", replaced))})
    expected = [["a", "b", "c"], replaced, *existing[1:], *added]
    assert list(csv.reader(io.StringIO(result, newline=""))) == [r for r in expected if r != []]
    first_record_end = table.spans[1][0]
    assert result[:first_record_end] == text[:first_record_end]  # the header, byte for byte
    if len(existing) > 1:
        tail = text[table.spans[2][0]:]
        assert tail.rstrip("\r\n") in result  # the rows after the replaced one, unchanged


# ---- the documentation ----

def test_the_import_commands_of_data_md_run_as_written(tmp_path):
    """DATA.md's two commands, on the real GDP export and a copy of the data (--data added)."""
    data_md = (REPO_ROOT / "DATA.md").read_text(encoding="utf-8")
    commands = [line for line in data_md.splitlines() if line.startswith("python3 build.py import ")]
    assert len(commands) == 2 and commands[1] == commands[0] + " --write"
    data = jjj_copy(tmp_path).parent
    for command, last_line in zip(commands, ("nothing written: pass --write to apply",
                                             "written: 133 rows added, 0 replaced, source nbs-portal-gdp added")):
        args = shlex.split(command.replace("~/Downloads/分省年度数据.csv", str(EXPORTS / "gdp-by-province.csv")))
        result = run_import(*args[3:], "--data", str(data))
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == last_line


def test_a_listed_source_is_used_as_it_is_and_not_silently_changed(tmp_path):
    package = mini_copy(tmp_path)
    import_mini(package, "recycled.csv", write=True)
    sources_csv = package / "data" / "sources.csv"
    before = sources_csv.read_bytes()
    same = import_export(EXPORTS / "recycled-footnotes.csv", package, source_id="example-export",
                         source=NewSource(SOURCE.title, ""))  # only the title, the listed one: fine
    assert not same.source_added
    with pytest.raises(InputError) as caught:
        import_export(EXPORTS / "recycled.csv", package, source_id="example-export",
                      source=NewSource("另一个标题", SOURCE.url))
    assert [p.code for p in caught.value.problems] == ["source-differs"]
    assert sources_csv.read_bytes() == before


def test_validate_after_import_says_valid_or_lists_the_problems(tmp_path):
    """After a written import: (True, "valid: packages in <data>"), or (False, a line per problem and
    the count with what to do) -- what `build.py import --write` prints on stderr."""
    package = mini_copy(tmp_path)
    data = package.parent
    assert validate_after_import(data) == (True, f"valid: packages in {data}")
    targets = package / "data" / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8").replace("xb-points,collection-points,XB,",
                                                                   "xb-points,collection-points,XQ,"), encoding="utf-8")
    valid, report = validate_after_import(data)
    lines = report.splitlines()
    assert not valid and len(lines) == 2
    assert 'targets.csv:3: region_id: unknown region "XQ"' in lines[0] and lines[0].endswith("]")
    assert lines[1] == f"1 problem(s) in {data} after the import; fix them or undo it (git checkout)."

