"""Validation stage: mini-plan is clean, each broken copy of it yields exactly its problem line."""
from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from plantracker import validate
from plantracker.problems import sort_key
from plantracker.validate import validate_packages

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini-plan"
REPO_PACKAGES = Path(__file__).parent.parent / "datapackages"
P = "data/mini-plan"  # how files are named: relative to the parent of the data folder
UTF8_FIX = ('(open it in an editor and save it as "UTF-8 without BOM"; text pasted from a GBK file must be '
            "converted too) [not-utf8]")


def copy_mini(tmp_path: Path) -> Path:
    """mini-plan -> a fresh copy at <tmp>/data/mini-plan; returns the package folder."""
    package = tmp_path / "data" / "mini-plan"
    shutil.copytree(MINI, package)
    return package


# ---- mutations: each takes the package folder and introduces one defect ----

def replace(relpath: str, old: str, new: str, count: int = 1):
    def mutate(package: Path):
        path = package / relpath
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} not in {relpath}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    return mutate


def edit_descriptor(change):
    def mutate(package: Path):
        path = package / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        change(descriptor)
        path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return mutate


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def field(descriptor: dict, name: str, field_name: str) -> dict:
    return next(f for f in resource(descriptor, name)["schema"]["fields"] if f["name"] == field_name)


def encode(relpath: str, encoding: str):
    """Rewrite a file in another encoding (bytes made at test time: nothing odd is committed)."""
    def mutate(package: Path):
        path = package / relpath
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return mutate


def prepend_bom(relpath: str):
    def mutate(package: Path):
        path = package / relpath
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return mutate


def write(relpath: str, text: str):
    def mutate(package: Path):
        (package / relpath).write_text(text, encoding="utf-8")
    return mutate


def pad(relpath: str, size: int):
    """Grow a file to `size` bytes with trailing newlines."""
    def mutate(package: Path):
        path = package / relpath
        with path.open("a", encoding="utf-8") as f:
            f.write("\n" * (size - path.stat().st_size))
    return mutate


def gbk_row(relpath: str, row: int):
    """One row of a UTF-8 file saved as GBK: what pasting from a file made by Chinese Windows does."""
    def mutate(package: Path):
        path = package / relpath
        lines = path.read_text(encoding="utf-8").split("\n")
        data = [line.encode("gbk" if number == row else "utf-8") for number, line in enumerate(lines, start=1)]
        path.write_bytes(b"\n".join(data))
    return mutate


def trailing_comma(relpath: str):
    """Every line with one more, empty, cell at its end: what a spreadsheet writes after a stray edit."""
    def mutate(package: Path):
        path = package / relpath
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("".join(line + ",\n" for line in lines), encoding="utf-8")
    return mutate


def trailing_flags(cell: str):
    """A confidence column added to observations.csv, with `cell` in the first row and empty below."""
    def mutate(package: Path):
        path = package / "data/observations.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",confidence", lines[1] + f",{cell}"] + [line + "," for line in lines[2:]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def rename_package(name: str):
    """The package moved to another folder, its name changed to match."""
    def mutate(package: Path):
        moved = package.rename(package.parent / name)
        edit_descriptor(setitem("name", name))(moved)
    return mutate


def chain(*mutations):
    def mutate(package: Path):
        for mutation in mutations:
            mutation(package)
    return mutate


def pop(*keys):
    def change(d):
        for key in keys[:-1]:
            d = d[key]
        d.pop(keys[-1])
    return change


def setitem(*keys_and_value):
    *keys, value = keys_and_value

    def change(d):
        for key in keys[:-1]:
            d = d[key]
        d[keys[-1]] = value
    return change


TRADITIONAL_REGIONS = """region_id,name_zh,name_en,kind,member_of,tile_x,tile_y,note_zh,note_en
XR,示例區,Example Region,plan_region,,,,虛構的計劃區域，僅用於測試。,Invented.
XA,甲省,Province A,province,XR,0,0,虛構省份。,Invented.
XB,乙省,Province B,province,XR,1,0,虛構省份。,Invented.
"""

LATIN_SOURCES = """source_id,title,publisher,url,published,accessed,authority,reprint_of,original,language,note
src-plan,Example plan,Example Region,https://example.org/mini-plan,2020-03-01,2024-01-15,official,,,en,Invented.
src-report,Progress report,Café Daily,https://example.org/mini-plan/report,2023-02-10,,state_media,,,en,Invented.
"""

def _measure_word_case(word: str):
    """The fixture's measure word (处) replaced -> (mutation, expected lines) of invalid-measure-word."""
    return (replace("data/indicators.csv", "collection points,处", f"collection points,{word}"), [
        f'{P}/data/indicators.csv:3: measure_word_zh: "{word}" is not a measure word: it is written after the number '
        f'("100{word}") (write the Chinese measure word the plan counts with (家, 个, 处), without digits, numerals '
        "or multipliers (十, 万) or words that change the number (多, 余, 以上)) [invalid-measure-word]"])


# case id (folder name: the code, plus a variant) -> (mutation, expected lines)
CASES = {
    "invalid-json": (replace("datapackage.json", '"version": "0.1.0",', '"version": "0.1.0"'), [
        f"{P}/datapackage.json:8: not valid JSON at line 8, column 3: Expecting ',' delimiter "
        "(look for a missing comma or quote just before that place) [invalid-json]"]),
    "invalid-descriptor": (edit_descriptor(setitem("licenses", "CC-BY-4.0")), [
        f"{P}/datapackage.json: 'CC-BY-4.0' is not of type 'array' at property 'licenses' "
        "(correct the property (Data Package specification)) [invalid-descriptor]"]),
    "resource-unnamed": (edit_descriptor(lambda d: d["resources"].append({"path": "x.csv"})), [
        f"{P}/datapackage.json: resources[7]: resource 8 has no name (give every resource its own name) "
        "[resource-unnamed]"]),
    "name-mismatch": (edit_descriptor(setitem("name", "mini-plann")), [
        f'{P}/datapackage.json: name: package name "mini-plann" is not its folder name "mini-plan" '
        "(the name is the plan id: rename the folder or the package) [name-mismatch]"]),
    "missing-plan": (edit_descriptor(pop("plan")), [
        f'{P}/datapackage.json: plan: the descriptor has no "plan" object (add a "plan" object with title, '
        "short_title, description, issuer, issued, issued_note, period_start, period_end, region_id, "
        "predecessor, source_id, licence_note, order (see the data package contract in ARCHITECTURE.md)) "
        "[missing-plan]"]),
    "missing-plan-key": (edit_descriptor(pop("plan", "period_end")), [
        f'{P}/datapackage.json: plan.period_end: plan has no "period_end" '
        "(add it (see the data package contract in ARCHITECTURE.md)) [missing-plan-key]"]),
    "unknown-plan-key": (edit_descriptor(setitem("plan", "regionid", "XR")), [
        f'{P}/datapackage.json: plan.regionid: unknown plan key "regionid" '
        '(did you mean "region_id"? remove it or correct its name) [unknown-plan-key]']),
    "invalid-plan-value": (edit_descriptor(setitem("plan", "period_start", "2020")), [
        f'{P}/datapackage.json: plan.period_start: "2020" is not a whole number '
        "(correct the value (see the data package contract in ARCHITECTURE.md)) [invalid-plan-value]"]),
    "year-out-of-range/plan": (edit_descriptor(setitem("plan", "period_end", 2202)), [
        f"{P}/datapackage.json: plan.period_end: year 2202 is outside 1949-2100 "
        "(check the year: four digits, Gregorian calendar) [year-out-of-range]"]),
    "unknown-region/plan": (edit_descriptor(setitem("plan", "region_id", "XRR")), [
        f'{P}/datapackage.json: plan.region_id: unknown region "XRR" '
        f'(did you mean "XR"? use an id listed in {P}/data/regions.csv or add it there) [unknown-region]']),
    "unknown-source/plan": (edit_descriptor(setitem("plan", "source_id", "src-plna")), [
        f'{P}/datapackage.json: plan.source_id: unknown source "src-plna" '
        f'(did you mean "src-plan"? use an id listed in {P}/data/sources.csv or add it there) [unknown-source]']),
    "unknown-plan": (edit_descriptor(setitem("plan", "predecessor", "old-plan")), [
        f'{P}/datapackage.json: plan.predecessor: unknown plan "old-plan" '
        "(name the plan id of another package here, or use null) [unknown-plan]"]),
    "missing-resource": (edit_descriptor(lambda d: d["resources"].remove(resource(d, "sites"))), [
        f'{P}/datapackage.json: resources: no resource "sites" '
        "(add it with data/sites.csv (see the data package contract in ARCHITECTURE.md)) [missing-resource]"]),
    "remote-path": (edit_descriptor(lambda d: resource(d, "sources").update(path="https://example.org/s.csv")), [
        f'{P}/datapackage.json: sources.path: path "https://example.org/s.csv" is a URL (the build never '
        "downloads anything: save the file in the package's data/ folder and give its relative path) "
        "[remote-path]"]),
    "path-outside-package": (edit_descriptor(lambda d: resource(d, "sites").update(path="../sites.csv")), [
        f'{P}/datapackage.json: sites.path: path "../sites.csv" leaves the package '
        "(use a relative path inside the package folder, e.g. data/sites.csv) [path-outside-package]"]),
    "path-outside-package/absolute": (edit_descriptor(lambda d: resource(d, "sites").update(path="/etc/hosts")), [
        f'{P}/datapackage.json: sites.path: path "/etc/hosts" leaves the package '
        "(use a relative path inside the package folder, e.g. data/sites.csv) [path-outside-package]"]),
    "missing-file": (edit_descriptor(lambda d: resource(d, "sites").update(path="data/site.csv")), [
        f'{P}/data/site.csv: file of resource "sites" not found '
        f'(did you mean "data/sites.csv"? add the file or correct "path" in {P}/datapackage.json) [missing-file]']),
    "field-type-mismatch": (edit_descriptor(lambda d: field(d, "targets", "value").update(type="string")), [
        f'{P}/datapackage.json: targets.value: the schema types this field "string", the contract "number" '
        '(set "type": "number": every plan reads this field the same way) [field-type-mismatch]']),
    "unknown-field-type": (edit_descriptor(lambda d: field(d, "targets", "value").update(type="numbr")), [
        f'{P}/datapackage.json: targets.value: unknown field type "numbr" '
        '(did you mean "number"? use a Table Schema type: string, number, integer, boolean, object, array, '
        "date ...) [unknown-field-type]"]),
    "missing-primary-key": (edit_descriptor(lambda d: resource(d, "units")["schema"].pop("primaryKey")), [
        f'{P}/datapackage.json: units.primaryKey: resource "units" has no primaryKey '
        '(add "primaryKey": ["unit_id"]) [missing-primary-key]']),
    "unknown-key-field": (edit_descriptor(lambda d: resource(d, "units")["schema"].update(primaryKey=["unit"])), [
        f'{P}/datapackage.json: units.primaryKey: primaryKey names "unit", which is not a field of "units" '
        '(did you mean "unit_id"? name an existing field) [unknown-key-field]']),
    "missing-field": (edit_descriptor(lambda d: resource(d, "sites")["schema"]["fields"].pop()), [
        f'{P}/datapackage.json: sites.note_en: the schema of "sites" has no field "note_en" '
        "(add the field to the schema and the column to the CSV (see the data package contract in "
        "ARCHITECTURE.md)) [missing-field]"]),
    "invalid-schema": (edit_descriptor(lambda d: resource(d, "sites").update(schema="schemas/sites.json")), [
        f'{P}/datapackage.json: sites.schema: resource "sites" has no inline schema with a list of fields '
        '(write the Table Schema inside datapackage.json under "schema") [invalid-schema]']),
    "utf8-bom": (prepend_bom("data/targets.csv"), [
        f"{P}/data/targets.csv: file starts with a UTF-8 byte-order mark (BOM) "
        "(save it as \"UTF-8 without BOM\" (Excel's \"CSV UTF-8\" adds one)) [utf8-bom]"]),
    "utf8-bom/descriptor": (prepend_bom("datapackage.json"), [
        f"{P}/datapackage.json: file starts with a UTF-8 byte-order mark (BOM) "
        "(save it as \"UTF-8 without BOM\" (Excel's \"CSV UTF-8\" adds one)) [utf8-bom]"]),
    "not-utf8": (encode("data/regions.csv", "gbk"), [
        f"{P}/data/regions.csv:2: text is not UTF-8 (byte 0xc0 on this line); it looks like GBK {UTF8_FIX}"]),
    "not-utf8/big5": (lambda p: (p / "data/regions.csv").write_bytes(TRADITIONAL_REGIONS.encode("big5")), [
        f"{P}/data/regions.csv:2: text is not UTF-8 (byte 0xa5 on this line); it looks like Big5 {UTF8_FIX}"]),
    "not-utf8/utf-16": (encode("data/units.csv", "utf-16"), [
        f"{P}/data/units.csv:1: text is not UTF-8 (byte 0xff on this line); it looks like UTF-16 {UTF8_FIX}"]),
    "not-utf8/windows-1252": (lambda p: (p / "data/sources.csv").write_bytes(LATIN_SOURCES.encode("cp1252")), [
        f"{P}/data/sources.csv:3: text is not UTF-8 (byte 0xe9 on this line); it looks like Windows-1252 {UTF8_FIX}"]),
    "not-utf8/one-gbk-row": (gbk_row("data/regions.csv", 3), [
        f"{P}/data/regions.csv:3: text is not UTF-8 (byte 0xbc on this line); it looks like GBK {UTF8_FIX}"]),
    "file-too-large/descriptor": (pad("datapackage.json", 2**16 + 1), [
        f"{P}/datapackage.json: file is 65,537 bytes, more than the 64 KB limit "
        "(check that it is the right file; split a table that really is this large) [file-too-large]"]),
    "file-too-large": (pad("data/observations.csv", 2**20 + 1), [
        f"{P}/data/observations.csv: file is 1,048,577 bytes, more than the 1 MB limit "
        "(check that it is the right file; split a table that really is this large) [file-too-large]"]),
    "no-rows": (write("data/sites.csv", "site_id,name_zh,name_en,region_id,city_zh,city_en,kind_zh,"
                      "kind_en,target_id,named_in_plan,year,source_id,quote,note_zh,note_en\n"), [
        f"{P}/data/sites.csv: table has a header but no data rows "
        "(add the rows: every table the contract defines needs at least one) [no-rows]"]),
    "empty-file": (write("data/sites.csv", ""), [
        f"{P}/data/sites.csv: file is empty (write the header row and the data rows) [empty-file]"]),
    "header-mismatch": (replace("data/units.csv", "label_en", "label_eng"), [
        f'{P}/data/units.csv:1: label_en: header "label_eng" (column 5) is not the schema field (make the header '
        "row list exactly the fields of the schema, in the same order) [header-mismatch]"]),
    "wrong-type": (replace("data/observations.csv", "2021,40,wan-t", "2021,40万,wan-t"), [
        f'{P}/data/observations.csv:4: value: "40万" is not a number (write a plain number with a dot for '
        "decimals, no thousands separators or units (the unit goes in unit_id)) [wrong-type]"]),
    "missing-value": (replace("data/targets.csv", "全区回收利用量约150万吨,示例", ",示例"), [
        f"{P}/data/targets.csv:4: quote: value is required (fill in the cell) [missing-value]"]),
    "duplicate-key": (replace("data/observations.csv", "xb-points-2021", "xb-points-2020"), [
        f'{P}/data/observations.csv:6: observation_id: "xb-points-2020" is used twice (first in row 5; ids are '
        "compared ignoring case) (give each row its own id) [duplicate-key]"]),
    "duplicate-key/case": (chain(edit_descriptor(lambda d: field(d, "observations", "observation_id").update(
        constraints={"required": True})), replace("data/observations.csv", "xb-points-2021", "XB-points-2020")), [
        f'{P}/data/observations.csv:6: observation_id: "XB-points-2020" is used twice (first in row 5; ids are '
        "compared ignoring case) (give each row its own id) [duplicate-key]"]),
    "duplicate-value": (chain(
        edit_descriptor(lambda d: field(d, "units", "label_zh").update(constraints={"required": True, "unique": True})),
        replace("data/units.csv", "kt,mass,1000,千吨", "kt,mass,1000,吨")), [
        f'{P}/data/units.csv:3: label_zh: "吨" appears in more than one row '
        "(this field must be unique: correct one of the rows) [duplicate-value]"]),
    "invalid-choice": (replace("data/observations.csv", ",reported,src-report,甲省回收利用量35万吨",
                               ",reportd,src-report,甲省回收利用量35万吨"), [
        f'{P}/data/observations.csv:3: kind: "reportd" is not one of: reported, baseline, context '
        '(use one of the listed values) [invalid-choice]']),
    "out-of-range": (replace("data/units.csv", "kt,mass,1000", "kt,mass,-1000"), [
        f'{P}/data/units.csv:3: factor: "-1000" is outside the allowed range (at least 1e-09) '
        "(check the value and its unit) [out-of-range]"]),
    # ---- second hostile-data review: values that cannot be right ----
    "fractional-count": (replace("data/targets.csv", "at_least,500,item", "at_least,2.5,item"), [
        f'{P}/data/targets.csv:3: value: "2.5" item is not a whole number of things '
        "(a count is whole: check the figure, or use the unit the source counts in (万个)) [fractional-count]"]),
    "invalid-measure-word": _measure_word_case("万"),  # "10万" would read as 100,000
    "invalid-measure-word/latin": _measure_word_case("ton"),
    "invalid-measure-word/traditional": _measure_word_case("萬"),
    "invalid-measure-word/about": _measure_word_case("来"),  # "100来个": about 100
    "count-word-not-count": (replace("data/indicators.csv", "example-recycled-mass,,", "example-recycled-mass,,tonnes"), [
        f'{P}/data/indicators.csv:2: count_noun_other_en: indicator "recycled-mass" is in "wan-t" (mass), not a count, '
        'yet has the count word "tonnes" (count nouns and measure words name what a count counts: clear the cell, '
        'or give the indicator a count unit) [count-word-not-count]']),
    "target-before-plan": (replace("data/targets.csv", "xb-points,collection-points,XB,2022", "xb-points,collection-points,XB,2019"), [
        f"{P}/data/targets.csv:3: target_year: target year 2019 is before the plan starts (2020) "
        "(check the target year against the plan's period (plan.period_start)) [target-before-plan]"]),
    "baseline-after-target": (replace("data/targets.csv", "wan-t,2019,30,wan-t", "wan-t,2023,30,wan-t"), [
        f"{P}/data/targets.csv:2: baseline_year: baseline year 2023 is after the target year 2022 "
        "(a baseline is the starting point: check both years) [baseline-after-target]"]),
    "target-region-outside-plan": (replace("data/regions.csv", "XB,乙省,Province B,province,XR", "XB,乙省,Province B,province,"), [
        f'{P}/data/targets.csv:3: region_id: region "XB" is not the plan\'s region "XR" nor one of its members '
        "(set the target's region to the plan's region or a member of it (regions.csv member_of), or check the "
        "plan's region_id) [target-region-outside-plan]"]),
    "pattern-mismatch": (replace("data/sites.csv", "xb-depot", "XB-depot"), [
        f'{P}/data/sites.csv:3: site_id: "XB-depot" does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$ '
        "(correct the value as the package's schema asks) [pattern-mismatch]"]),
    "year-out-of-range": (replace("data/observations.csv", "XA,2019,30", "XA,1900,30"), [
        f"{P}/data/observations.csv:2: year: year 1900 is outside 1949-2100 "
        "(check the year: four digits, Gregorian calendar) [year-out-of-range]"]),
    "year-out-of-range/schema-forgot": (chain(
        edit_descriptor(lambda d: field(d, "sites", "year").pop("constraints")),
        replace("data/sites.csv", "true,2021,src-plan", "true,20210,src-plan")), [
        f"{P}/data/sites.csv:2: year: year 20210 is outside 1949-2100 "
        "(check the year: four digits, Gregorian calendar) [year-out-of-range]"]),
    "row-too-short": (replace("data/units.csv", "item,count,1,个,items,true,true", "item,count,1,个,items"), [
        f"{P}/data/units.csv:5: display_zh: row has 5 cells, the header 7: cells are missing from here on "
        "(every row needs as many cells as the header; look for a lost comma) [row-too-short]"]),
    "row-too-long": (replace("data/units.csv", "t,mass,1,吨,tonnes,true,true", "t,mass,1,吨,tonnes,true,true,x"), [
        f'{P}/data/units.csv:2: row has 8 cells, the header 7 '
        '(quote text that contains a comma ("a, b"), or remove the extra cells) [row-too-long]']),
    "blank-row": (replace("data/sources.csv", "\nsrc-report", "\n\nsrc-report"), [
        f"{P}/data/sources.csv:3: row is empty (delete the empty row) [blank-row]"]),
    "unknown-region": (replace("data/observations.csv", "recycled-mass,XA,2021", "recycled-mass,XAA,2021"), [
        f'{P}/data/observations.csv:4: region_id: unknown region "XAA" '
        f'(did you mean "XA"? use an id listed in {P}/data/regions.csv or add it there) [unknown-region]']),
    "unknown-indicator": (replace("data/observations.csv", "xa-recycled-2021,recycled-mass",
                                  "xa-recycled-2021,recycled-mas"), [
        f'{P}/data/observations.csv:4: indicator_id: unknown indicator "recycled-mas" '
        f'(did you mean "recycled-mass"? use an id listed in {P}/data/indicators.csv or add it there) '
        "[unknown-indicator]"]),
    "unknown-unit": (replace("data/targets.csv", "about,150,wan-t", "about,150,wan-tt"), [
        f'{P}/data/targets.csv:4: unit_id: unknown unit "wan-tt" '
        f'(did you mean "wan-t"? use an id listed in {P}/data/units.csv or add it there) [unknown-unit]']),
    "unknown-target": (replace("data/sites.csv", ",xa-recycled,", ",xa-recycle,"), [
        f'{P}/data/sites.csv:2: target_id: unknown target "xa-recycle" '
        f'(did you mean "xa-recycled"? use an id listed in {P}/data/targets.csv or add it there) '
        "[unknown-target]"]),
    "unknown-source": (replace("data/sites.csv", "false,,src-report", "false,,news"), [
        f'{P}/data/sites.csv:3: source_id: unknown source "news" '
        f"(use an id listed in {P}/data/sources.csv or add it there) [unknown-source]"]),
    "unit-dimension-mismatch": (replace("data/observations.csv", "2022,520,item", "2022,520,t"), [
        f'{P}/data/observations.csv:7: unit_id: unit "t" measures mass, but indicator "collection-points" is in '
        '"item" (count) (use a count unit, or check the indicator) [unit-dimension-mismatch]']),
    # ---- issue 15: values validation used to accept and the build could not handle ----
    "full-width-number": (replace("data/observations.csv", "2021,40,wan-t", "2021,４０.５,wan-t"), [
        f'{P}/data/observations.csv:4: value: "４０.５" is written with full-width characters '
        "(type it with ASCII digits: 40.5) [full-width-number]"]),
    "space-in-number": (replace("data/observations.csv", "2021,40,wan-t", "2021,40\u00a0,wan-t"), [
        f'{P}/data/observations.csv:4: value: "40\u00a0" has a no-break space (U+00A0) in it '
        "(delete the space: 40) [space-in-number]"]),
    "not-finite": (replace("data/observations.csv", "2021,40,wan-t", "2021,NaN,wan-t"), [
        f'{P}/data/observations.csv:4: value: "NaN" is not a finite number '
        "(write the figure as printed, or leave the cell empty for no figure) [not-finite]"]),
    "not-finite/infinity": (replace("data/observations.csv", "2021,40,wan-t", "2021,-inf,wan-t"), [
        f'{P}/data/observations.csv:4: value: "-inf" is not a finite number '
        "(write the figure as printed, or leave the cell empty for no figure) [not-finite]"]),
    "number-too-large": (replace("data/observations.csv", "2021,40,wan-t", "2021,1e300,wan-t"), [
        f'{P}/data/observations.csv:4: value: "1e300" is larger than this site can add up (the limit is 1e+15) '
        "(check the value and its unit: write it in a larger unit (万吨, 亿吨) as the source prints it) "
        "[number-too-large]"]),
    "unsafe-id": (chain(edit_descriptor(lambda d: field(d, "targets", "target_id").update(constraints={})),
                        replace("data/targets.csv", "xr-recycled,", "x" * 300 + ",")), [
        f'{P}/data/targets.csv:4: target_id: "{"x" * 59}…" is not a safe id (ids name files and web addresses: '
        "use letters A-Z a-z, digits, hyphens and underscores, starting and ending with a letter or digit, never "
        "two hyphens or underscores in a row, at most 64 characters) [unsafe-id]"]),
    "unsafe-id/path": (chain(edit_descriptor(lambda d: field(d, "targets", "target_id").update(constraints={})),
                             replace("data/targets.csv", "xr-recycled,", "../../../../tmp/x,")), [
        f'{P}/data/targets.csv:4: target_id: "../../../../tmp/x" is not a safe id (ids name files and web '
        "addresses: use letters A-Z a-z, digits, hyphens and underscores, starting and ending with a letter or "
        "digit, never two hyphens or underscores in a row, at most 64 characters) [unsafe-id]"]),
    "unsafe-id/doubled-separator": (chain(edit_descriptor(lambda d: field(d, "targets", "target_id").update(constraints={})),
                                          replace("data/targets.csv", "xr-recycled,", "xr--recycled,")), [
        f'{P}/data/targets.csv:4: target_id: "xr--recycled" is not a safe id (ids name files and web '
        "addresses: use letters A-Z a-z, digits, hyphens and underscores, starting and ending with a letter or "
        "digit, never two hyphens or underscores in a row, at most 64 characters) [unsafe-id]"]),
    "invalid-url": (replace("data/sources.csv", "https://example.org/mini-plan/report", "javascript:alert(1)"), [
        f'{P}/data/sources.csv:3: url: "javascript:alert(1)" is not a web address '
        "(write the full http:// or https:// address of the page) [invalid-url]"]),
    "text-too-long": (replace("data/targets.csv", "全区回收利用量约150万吨,示例", "全" * 4001 + ",示例"), [
        f"{P}/data/targets.csv:4: quote: text is 4001 characters long, more than the 4000 allowed here "
        "(shorten it (a quote: keep the sentence that holds the figure and put the rest in a note)) [text-too-long]"]),
    "control-character": (replace("data/targets.csv", "全区回收利用量约150万吨,示例", "全区\x1b回收,示例"), [
        f'{P}/data/targets.csv:4: quote: text has an invisible control character (U+001B): "全区U+001B回收" '
        "(delete it (copying from PDFs and terminals brings them in)) [control-character]"]),
    "control-character/bidi-override": (replace("data/regions.csv", "XB,乙省,Province B", "XB,乙省,Prov\u202eince B"), [
        f'{P}/data/regions.csv:4: name_en: text has an invisible control character (U+202E): "ProvU+202Eince B" '
        "(delete it (copying from PDFs and terminals brings them in)) [control-character]"]),
    # A factor so small that a value in the largest unit, shown in it, would be no finite number.
    "out-of-range/tiny-factor": (replace("data/units.csv", "kt,mass,1000", "kt,mass,1e-300"), [
        f'{P}/data/units.csv:3: factor: "1e-300" is outside the allowed range (at least 1e-09) '
        "(check the value and its unit) [out-of-range]"]),
    "blank-name": (replace("data/regions.csv", "XB,乙省,Province B", "XB,乙省, "), [
        f'{P}/data/regions.csv:4: name_en: " " has no letter or digit to show (write the name; a name of spaces '
        "or punctuation only cannot title a page) [blank-name]"]),
    "reserved-plan-id": (rename_package("en"), [
        'data/en/datapackage.json: name: plan id "en" is a name the site uses for its own pages (choose another '
        "plan id; these are taken: en, zh, api, assets, downloads, embed, search, stylesheets, javascripts, latest, "
        "versions, index, 404, sitemap, feed, data, changes, methodology, about, plans) [reserved-plan-id]"]),
    "impossible-amount": (replace("data/observations.csv", "XA,2019,30,wan-t", "XA,2019,-30,wan-t"), [
        f'{P}/data/observations.csv:2: value: -30 wan-t is impossible for mass (allowed: at least 0 in '
        'the base unit) (check the value, its sign, its unit and its qualifier) [impossible-amount]']),
    # ---- issue 15: messages that point at the real fault ----
    "backslash-path": (edit_descriptor(lambda d: resource(d, "observations").update(path="data\\observations.csv")), [
        f'{P}/datapackage.json: observations.path: path "data\\observations.csv" uses Windows backslashes '
        '(write it with forward slashes: "data/observations.csv") [backslash-path]']),
    "full-width-commas": (replace("data/sources.csv", "src-report,示例区进展报告,示例日报,", "src-report，示例区进展报告，示例日报，"), [
        f"{P}/data/sources.csv:3: this row is separated by full-width commas (，) instead of commas (,) (replace ， "
        "between cells with a half-width comma , (Chinese input methods type the full-width one)) [full-width-commas]"]),
    "empty-column": (trailing_comma("data/units.csv"), [
        f"{P}/data/units.csv:1: column 8 is empty: a column after the last one, with no header (delete that "
        "column (spreadsheets add one when a cell right of the table was touched)) [empty-column]"]),
    "dash-for-no-figure": (replace("data/observations.csv", "2021,40,wan-t", "2021,—,wan-t"), [
        f'{P}/data/observations.csv:4: value: "—" is not a number (leave the cell empty: an empty cell means no '
        "figure (never zero)) [dash-for-no-figure]"]),
    # ---- issue: hostile descriptors, refused with the part at fault named, never an internal error ----
    "unknown-resource": (chain(
        edit_descriptor(lambda d: d["resources"].append({"name": "extra", "path": "data/extra.csv", "schema": {
            "fields": [{"name": "a", "type": "string"}], "primaryKey": "a"}})),
        write("data/extra.csv", "a\nx\n")), [
        f'{P}/datapackage.json: resources[7]: resource "extra" is not one the contract defines (the '
        "contract's resources are units, regions, indicators, targets, observations, sites, sources: "
        'remove this one, or put its columns into one of those (see the data package contract in '
        'ARCHITECTURE.md)) [unknown-resource]']),
    "unknown-resource/unsafe-name": (edit_descriptor(lambda d: d["resources"].append(
        {"name": "../x", "path": "data/units.csv", "schema": resource(d, "units")["schema"]})), [
        f'{P}/datapackage.json: resources[7]: resource "../x" is not one the contract defines (the '
        "contract's resources are units, regions, indicators, targets, observations, sites, sources: "
        'remove this one, or put its columns into one of those (see the data package contract in '
        'ARCHITECTURE.md)) [unknown-resource]']),
    "malformed-descriptor/foreign-keys": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=5)), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys: 5 is not a list of foreign keys (write '
        'it as [{"fields": "unit_id", "reference": {"resource": "units", "fields": "unit_id"}}] (Table '
        'Schema)) [malformed-descriptor]']),
    "malformed-descriptor/reference": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=[{"fields": "unit_id", "reference": "units"}])), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys[0].reference: "units" is not an object '
        '(write it as "reference": {"resource": "units", "fields": "unit_id"} (Table Schema)) '
        '[malformed-descriptor]']),
    "malformed-descriptor/no-fields": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=[{"reference": {"resource": "units", "fields": "unit_id"}}])), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys[0].fields: null is not a field name or a '
        'list of them (write it as "fields": "unit_id" (Table Schema)) [malformed-descriptor]']),
    "malformed-descriptor/no-reference": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=[{"fields": "unit_id"}])), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys[0].reference: null is not an object '
        '(write it as "reference": {"resource": "units", "fields": "unit_id"} (Table Schema)) '
        '[malformed-descriptor]']),
    "malformed-descriptor/reference-no-fields": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=[{"fields": "unit_id", "reference": {"resource": "units"}}])), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys[0].reference.fields: null is not a field '
        'name or a list of them (write it as "fields": "unit_id" (Table Schema)) [malformed-descriptor]']),
    "malformed-descriptor/reference-resource": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        foreignKeys=[{"fields": "unit_id", "reference": {"resource": ["units"], "fields": "unit_id"}}])), [
        f'{P}/datapackage.json: resources[3].schema.foreignKeys[0].reference.resource: ["units"] is not '
        'the name of a resource (write it as "resource": "units" (Table Schema)) [malformed-descriptor]']),
    "malformed-descriptor/primary-key": (edit_descriptor(lambda d: resource(d, "targets")["schema"].update(
        primaryKey=5)), [
        f'{P}/datapackage.json: resources[3].schema.primaryKey: 5 is not a field name or a list of them '
        '(write it as "primaryKey": ["unit_id"] (Table Schema)) [malformed-descriptor]']),
    "malformed-descriptor/constraints": (edit_descriptor(lambda d: field(d, "targets", "quote").update(
        constraints="x")), [
        f'{P}/datapackage.json: resources[3].schema.fields[15].constraints: "x" is not an object (write '
        'it as "constraints": {"required": true} (Table Schema)) [malformed-descriptor]']),
    "unnamed-field": (edit_descriptor(lambda d: field(d, "targets", "target_id").update(name=["target_id"])),
                      [
        f'{P}/datapackage.json: targets.schema: a field has no name (give every field a name) [unnam'
        'ed-field]']),
    "invalid-schema/string": (edit_descriptor(lambda d: resource(d, "units").update(schema="x")), [
        f'{P}/datapackage.json: units.schema: resource "units" has no inline schema with a list of '
        'fields (write the Table Schema inside datapackage.json under "schema") [invalid-schema]']),
    "invalid-pattern": (edit_descriptor(lambda d: field(d, "targets", "target_id")["constraints"].update(
        pattern="((")), [
        f'{P}/datapackage.json: resources[3].schema.fields[0].constraints.pattern: pattern "((" is not a '
        'valid regular expression: missing ), unterminated subpattern at position 1 (correct the '
        'pattern, or remove the constraint) [invalid-pattern]']),
    "unreadable-json": (replace("datapackage.json", '"version": "0.1.0",',
                                '"version": "0.1.0", "keywords": ' + "[" * 20_000 + "]" * 20_000 + ","), [
        f'{P}/datapackage.json: cannot be read as JSON: lists or objects nested more than 32 deep (a '
        'descriptor is a few levels of objects and lists holding text and ordinary numbers: look for a '
        'run of brackets or a very long number) [unreadable-json]']),
    "unreadable-json/long-number": (replace("datapackage.json", '"version": "0.1.0",',
                                            '"version": "0.1.0", "x": ' + "1" * 5000 + ","), [
        f'{P}/datapackage.json: cannot be read as JSON: a number too long to read (value has 5000 '
        'digits) (a descriptor is a few levels of objects and lists holding text and ordinary numbers: '
        'look for a run of brackets or a very long number) [unreadable-json]']),
    "unreadable-file": (lambda p: ((p / "datapackage.json").unlink(), (p / "datapackage.json").mkdir()), [
        f'{P}/datapackage.json: cannot read the file: Is a directory (it must be a plain file the build '
        'can read (not a folder): replace it with the file itself) [unreadable-file]']),
    "duplicate-json-key": (replace("datapackage.json", '"version": "0.1.0",', '"version": "0.1.0", "version": "0.2",'),
                           [
        f'{P}/datapackage.json: the key "version" appears twice in one object (keep one of them: JSO'
        'N readers silently keep only the last, so one of the two is lost) [duplicate-json-key]']),
    "unsupported-setting/dialect": (edit_descriptor(lambda d: resource(d, "targets").update(dialect={"delimiter": ";"})),
                                    [
        f'{P}/datapackage.json: resources[3].dialect.delimiter: ";" is not how the build reads the f'
        'ile (it reads comma-separated values with double quotes and one header row) (remove the se'
        'tting: every package is UTF-8 CSV with commas, double quotes and one header row, read with'
        " Table Schema's defaults) [unsupported-setting]"]),
    "unsupported-setting/encoding": (edit_descriptor(lambda d: resource(d, "targets").update(encoding="gbk")),
                                     [
        f'{P}/datapackage.json: resources[3].encoding: "gbk" is not how the build reads the file (it'
        ' reads "utf-8") (remove the setting: every package is UTF-8 CSV with commas, double quotes'
        " and one header row, read with Table Schema's defaults) [unsupported-setting]"]),
    "duplicate-field": (edit_descriptor(lambda d: resource(d, "targets")["schema"]["fields"].append(
        dict(field(d, "targets", "note_en")))), [
        f'{P}/datapackage.json: resources[3].schema.fields[18].name: the schema of "targets" lists the '
        'field "note_en" twice (keep one field of that name: a header names each column once) '
        '[duplicate-field]']),
    # ---- issue: a figure without its unit; amounts a qualifier makes impossible ----
    "value-without-unit": (replace("data/targets.csv", "2019,30,wan-t,src-plan", "2019,-150,,src-plan"), [
        f'{P}/data/targets.csv:2: baseline_unit_id: baseline_value has a figure but baseline_unit_id is '
        "empty (name the figure's unit in baseline_unit_id, or leave both cells empty) "
        '[value-without-unit]']),
    "unit-without-value": (replace("data/targets.csv", "2019,30,wan-t,src-plan", "2019,,wan-t,src-plan"), [
        f'{P}/data/targets.csv:2: baseline_value: baseline_unit_id names a unit but baseline_value is '
        'empty (write the figure in baseline_value, or leave both cells empty) [unit-without-value]']),
    "impossible-amount/less-than": (replace("data/observations.csv", "XA,2019,30,wan-t,,", "XA,2019,0,wan-t,less_than,"),
                                    [
        f'{P}/data/observations.csv:2: value: less than 0 wan-t is impossible for mass (allowed: at '
        'least 0 in the base unit) (check the value, its sign, its unit and its qualifier) '
        '[impossible-amount]']),
    "impossible-amount/more-than": (chain(
        replace("data/units.csv", "item,count", "pct,share,1,%,percent,true,true\nitem,count"),
        replace("data/indicators.csv", "\ncollection-points,", "\nsorted-share,分拣比例,Share sorted,示例。,Example.,pct,,,,,,,,\n"
                "collection-points,"),
        replace("data/observations.csv", "collection-points,XB,2022,520,item,,", "sorted-share,XB,2022,100,pct,more_than,")),
        [
        f'{P}/data/observations.csv:7: value: more than 100 pct is impossible for share (allowed: 0 to '
        '100 in the base unit) (check the value, its sign, its unit and its qualifier) '
        '[impossible-amount]']),
    "impossible-amount/target-less-than": (replace("data/targets.csv", "at_least,500,item", "less_than,0,item"),
                                           [
        f'{P}/data/targets.csv:3: value: less than 0 item is impossible for count (allowed: at least 0 '
        'in the base unit) (check the value, its sign, its unit and its qualifier) [impossible-amount]']),
    # ---- issue: whole numbers the queries cannot hold, dates that are no day ----
    "invalid-plan-value/order": (edit_descriptor(setitem("plan", "order", 10**30)), [
        f'{P}/datapackage.json: plan.order: 1000000000000000000000000000000 is not a whole number from '
        '-1000000 to 1000000 (correct the value (see the data package contract in ARCHITECTURE.md)) '
        '[invalid-plan-value]']),
    "invalid-plan-value/issued": (edit_descriptor(setitem("plan", "issued", "2020-13-45")), [
        f'{P}/datapackage.json: plan.issued: "2020-13-45" is not a date YYYY-MM-DD or null (correct the '
        'value (see the data package contract in ARCHITECTURE.md)) [invalid-plan-value]']),
    "year-out-of-range/digits": (replace("data/observations.csv", "XA,2019,30", "XA," + "2" * 5000 + ",30"),
                                 [
        f'{P}/data/observations.csv:2: year: year '
        '22222222222222222222222222222222222222222222222222222222222… is outside 1949-2100 (check the '
        'year: four digits, Gregorian calendar) [year-out-of-range]']),
    "out-of-range/digits": (replace("data/regions.csv", "province,XR,0,0", "province,XR," + "5" * 5000 + ",0"),
                            [
        f'{P}/data/regions.csv:3: tile_x: "55555555555555555555555555555555555555555555555555555555555…" '
        'is outside the allowed range (0 to 40) (check the value and its unit) [out-of-range]']),
    # ---- issue: rows no reader should crawl through ----
    "row-too-long/many-commas": (lambda p: (p / "data/targets.csv").open("a", encoding="utf-8").write(
        "T99" + "," * 100_000 + "\n"), [
        f'{P}/data/targets.csv:5: row has 100001 cells, the header 18 (quote text that contains a comma '
        '("a, b"), or remove the extra cells) [row-too-long]']),
    # ---- issue: periods, predecessors and memberships that cannot be ----
    "period-reversed": (edit_descriptor(setitem("plan", "period_start", 2023)), [
        f'{P}/datapackage.json: plan.period_start: the period starts in 2023, after it ends (2022) (swap '
        'period_start and period_end, or correct one of them) [period-reversed]']),
    "circular-reference/predecessor": (edit_descriptor(setitem("plan", "predecessor", "mini-plan")), [
        f'{P}/datapackage.json: plan.predecessor: plan "mini-plan" leads back to itself: mini-plan → '
        'mini-plan (a predecessor is an earlier plan: correct or remove the predecessor of one of these '
        'plans) [circular-reference]']),
    "circular-reference/member-of": (replace("data/regions.csv", "XR,示例区,Example Region,plan_region,,",
                                             "XR,示例区,Example Region,plan_region,XA,"), [
        f'{P}/data/regions.csv:2: member_of: region "XR" leads back to itself: XR → XA → XR (correct or '
        'empty member_of in one of these rows) [circular-reference]',
        f'{P}/data/regions.csv:3: member_of: region "XA" leads back to itself: XA → XR → XA (correct or '
        'empty member_of in one of these rows) [circular-reference]']),
    "circular-reference/comparable-to": (replace("data/indicators.csv", "wan-t,回收利用量达到目标,,",
                                                 "wan-t,回收利用量达到目标,recycled-mass,"), [
        f'{P}/data/indicators.csv:2: comparable_to: indicator "recycled-mass" leads back to itself: '
        'recycled-mass → recycled-mass (correct or empty comparable_to in one of these rows) '
        '[circular-reference]']),
    # ---- issue: required text that shows nothing, flag lists with holes or repeats ----
    "blank-text": (replace("data/targets.csv", "全区回收利用量约150万吨,示例", "\u200b \u2060,示例"), [
        f'{P}/data/targets.csv:4: quote: text is blank: only spaces or invisible characters (U+200B '
        'U+0020 U+2060) (write the text: this field is required) [blank-text]']),
    "empty-flag": (chain(edit_descriptor(lambda d: resource(d, "observations")["schema"]["fields"].append(
        {"name": "confidence", "type": "string"})), trailing_flags(";;single_copy; single_copy ;")), [
        f'{P}/data/observations.csv:2: confidence: ";;single_copy; single_copy ;" has an empty item '
        'between semicolons (separate flags with one semicolon and nothing at either end, e.g. '
        'single_copy;year_inferred) [empty-flag]']),
    "duplicate-flag": (chain(edit_descriptor(lambda d: resource(d, "observations")["schema"]["fields"].append(
        {"name": "confidence", "type": "string"})), trailing_flags("single_copy; single_copy")), [
        f'{P}/data/observations.csv:2: confidence: "single_copy; single_copy" names single_copy twice '
        '(name each flag once) [duplicate-flag]']),
    # ---- third hostile-data review: text no database can hold, ids of the wrong JSON type ----
    "lone-surrogate": (replace("datapackage.json", '"title": "示例计划 / Example plan"',
                               '"title": "示例\\udc80计划"'), [
        f'{P}/datapackage.json: title: "示例\\udc80计划" holds \\udc80, half of a character pair (a lone '
        'surrogate): no UTF-8 text can carry it (delete the escape, or type the character itself: a '
        'character past U+FFFF is written as a pair of escapes (\\ud83d\\ude00), never one alone) '
        '[lone-surrogate]']),
    "lone-surrogate/plan": (replace("datapackage.json", '"zh": "示例计划"', '"zh": "示例\\ud800计划"'), [
        f'{P}/datapackage.json: plan.title.zh: "示例\\ud800计划" holds \\ud800, half of a character pair '
        '(a lone surrogate): no UTF-8 text can carry it (delete the escape, or type the character '
        'itself: a character past U+FFFF is written as a pair of escapes (\\ud83d\\ude00), never one '
        'alone) [lone-surrogate]']),
    "lone-surrogate/key": (replace("datapackage.json", '"keywords": [', '"key\\udfffwords": [', 1), [
        f'{P}/datapackage.json: key\\udfffwords: "key\\udfffwords" holds \\udfff, half of a character '
        'pair (a lone surrogate): no UTF-8 text can carry it (delete the escape, or type the character '
        'itself: a character past U+FFFF is written as a pair of escapes (\\ud83d\\ude00), never one '
        'alone) [lone-surrogate]']),
    "invalid-plan-value/region-list": (edit_descriptor(setitem("plan", "region_id", ["XR"])), [
        f"{P}/datapackage.json: plan.region_id: ['XR'] is not an id (correct the value (see the data "
        "package contract in ARCHITECTURE.md)) [invalid-plan-value]"]),
    "invalid-plan-value/region-object": (edit_descriptor(setitem("plan", "region_id", {"id": "XR"})), [
        f"{P}/datapackage.json: plan.region_id: {{'id': 'XR'}} is not an id (correct the value (see the data "
        "package contract in ARCHITECTURE.md)) [invalid-plan-value]"]),
    "invalid-plan-value/source-object": (edit_descriptor(setitem("plan", "source_id", {"id": "src-plan"})), [
        f"{P}/datapackage.json: plan.source_id: {{'id': 'src-plan'}} is not an id (correct the value (see the "
        "data package contract in ARCHITECTURE.md)) [invalid-plan-value]"]),
    "invalid-plan-value/predecessor-list": (edit_descriptor(setitem("plan", "predecessor", ["mini-plan"])), [
        f"{P}/datapackage.json: plan.predecessor: ['mini-plan'] is not an id or null (correct the value (see "
        "the data package contract in ARCHITECTURE.md)) [invalid-plan-value]"]),
    # ---- third hostile-data review: a baseline is a figure, with its source's words ----
    "incomplete-baseline": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", "2019,,,src-plan,true"), [
        f"{P}/data/targets.csv:2: baseline_value: the baseline has baseline_year, baseline_source_id but no "
        "baseline_value, baseline_unit_id (a baseline is a figure: give its year, value, unit and source together "
        "(baseline_year, baseline_value, baseline_unit_id, baseline_source_id), or leave all four empty) "
        "[incomplete-baseline]"]),
    "incomplete-baseline/no-year": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", ",30,wan-t,src-plan,true"), [
        f"{P}/data/targets.csv:2: baseline_year: the baseline has baseline_value, baseline_unit_id, "
        "baseline_source_id but no baseline_year (a baseline is a figure: give its year, value, unit and source "
        "together (baseline_year, baseline_value, baseline_unit_id, baseline_source_id), or leave all four empty) "
        "[incomplete-baseline]"]),
    "incomplete-baseline/no-source": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", "2019,30,wan-t,,true"), [
        f"{P}/data/targets.csv:2: baseline_source_id: the baseline has baseline_year, baseline_value, "
        "baseline_unit_id but no baseline_source_id (a baseline is a figure: give its year, value, unit and "
        "source together (baseline_year, baseline_value, baseline_unit_id, baseline_source_id), or leave all four "
        "empty) [incomplete-baseline]"]),
    "incomplete-baseline/source-only": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", ",,,src-plan,true"), [
        f"{P}/data/targets.csv:2: baseline_year: the baseline has baseline_source_id but no baseline_year, "
        "baseline_value, baseline_unit_id (a baseline is a figure: give its year, value, unit and source together "
        "(baseline_year, baseline_value, baseline_unit_id, baseline_source_id), or leave all four empty) "
        "[incomplete-baseline]"]),
    "baseline-value-mismatch": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", "2019,25,wan-t,src-plan,true"), [
        f"{P}/data/targets.csv:2: baseline_value: the baseline is 25 wan-t, but the baseline observation of its "
        f"source, indicator, region and year (row 2 of {P}/data/observations.csv) gives 30 wan-t (write the "
        "baseline as that observation gives it (its quote holds the source's words), or correct the "
        "observation) [baseline-value-mismatch]"]),
    "baseline-value-mismatch/unit": (replace("data/targets.csv", "2019,30,wan-t,src-plan,true", "2019,30,kt,src-plan,true"), [
        f"{P}/data/targets.csv:2: baseline_value: the baseline is 30 kt, but the baseline observation of its "
        f"source, indicator, region and year (row 2 of {P}/data/observations.csv) gives 30 wan-t (write the "
        "baseline as that observation gives it (its quote holds the source's words), or correct the "
        "observation) [baseline-value-mismatch]"]),
    "baseline-without-observation": (replace("data/observations.csv", "XA,2019,30,wan-t,,baseline", "XA,2018,30,wan-t,,baseline"), [
        f"{P}/data/targets.csv:2: baseline_value: no baseline observation of this indicator and region for 2019 "
        f"from source src-plan in {P}/data/observations.csv: the page would show the baseline without the "
        f"source's words (add that row to {P}/data/observations.csv (kind baseline, the same value, unit and "
        "source, with the source's words in quote), or leave the four baseline fields empty) "
        "[baseline-without-observation]"]),
    "bounded-baseline": (replace("data/observations.csv", "XA,2019,30,wan-t,,baseline", "XA,2019,300,kt,less_than,baseline"), [
        f"{P}/data/targets.csv:2: baseline_value: the baseline observation of its source, indicator, region and "
        f"year (row 2 of {P}/data/observations.csv) gives only a bound, less than 300 kt: a straight-line path to "
        "the target cannot start from it (leave the four baseline fields empty (the status is then judged "
        'without a path), or give the baseline the source states as a figure ("about" is a figure)) '
        "[bounded-baseline]"]),
    "forecast-baseline": (replace("data/observations.csv", "XA,2019,30,wan-t,,baseline", "XA,2019,30,wan-t,expected,baseline"), [
        f'{P}/data/observations.csv:2: qualifier: a baseline cannot be a forecast (qualifier "expected") (a '
        "baseline is a figure for a year already measured: remove the qualifier if the source reports the "
        "figure, or give the row kind reported if it only forecasts it (a forecast is shown as one, never "
        "counted)) [forecast-baseline]"]),
    "conflicting-figures": (lambda p: (p / "data/observations.csv").open("a", encoding="utf-8").write(
        "xa-recycled-2021b,recycled-mass,XA,2021,45,wan-t,,reported,src-plan,甲省回收利用量45万吨,,\n"), [
        f"{P}/data/observations.csv:9: value: recycled-mass in XA, 2021 (reported) is 45 wan-t here but about 40 "
        "wan-t in row 4 (a series has one figure for a region and year: keep the one that counts (a revised "
        'figure replaces the older row; an exact figure may stand beside a qualified one that holds it, "about '
        '40" and 41, and is the one counted), or give a figure that measures something else its own indicator '
        '(DATA.md, "Comparability")) [conflicting-figures]']),
    "conflicting-figures/qualifier": (lambda p: (p / "data/observations.csv").open("a", encoding="utf-8").write(
        "xb-points-2022b,collection-points,XB,2022,520,item,more_than,reported,src-plan,乙省建成回收点520余个,,\n"), [
        f"{P}/data/observations.csv:9: value: collection-points in XB, 2022 (reported) is more than 520 item here "
        "but 520 item in row 7 (a series has one figure for a region and year: keep the one that counts (a "
        'revised figure replaces the older row; an exact figure may stand beside a qualified one that holds it, '
        '"about 40" and 41, and is the one counted), or give a figure that measures something else its own '
        'indicator (DATA.md, "Comparability")) [conflicting-figures]']),
    # ---- third hostile-data review: tiles the map cannot draw ----
    "duplicate-tile": (replace("data/regions.csv", "XB,乙省,Province B,province,XR,1,0,", "XB,乙省,Province B,province,XR,0,0,"), [
        f'{P}/data/regions.csv:4: tile_x: tile 0, 0 is already region "XA"\'s (row 3) (give each region its own '
        "tile: the map draws one region a tile) [duplicate-tile]"]),
    "half-tile": (replace("data/regions.csv", "XB,乙省,Province B,province,XR,1,0,", "XB,乙省,Province B,province,XR,1,,"), [
        f"{P}/data/regions.csv:4: tile_y: tile_x places the region on the map but tile_y is empty (give both "
        "tile_x and tile_y, or leave both empty (a region without a tile is listed beside the map)) [half-tile]"]),
    "half-tile/row-only": (replace("data/regions.csv", "XB,乙省,Province B,province,XR,1,0,", "XB,乙省,Province B,province,XR,,0,"), [
        f"{P}/data/regions.csv:4: tile_x: tile_y places the region on the map but tile_x is empty (give both "
        "tile_x and tile_y, or leave both empty (a region without a tile is listed beside the map)) [half-tile]"]),
    # ---- third hostile-data review: reprint loops, years with a sign or a leading zero, huge factors ----
    "circular-reference/reprint-of": (replace("data/sources.csv", "state_media,,,zh", "state_media,src-report,,zh"), [
        f'{P}/data/sources.csv:3: reprint_of: source "src-report" leads back to itself: src-report → src-report '
        "(correct or empty reprint_of in one of these rows) [circular-reference]"]),
    "circular-reference/reprint-pair": (chain(replace("data/sources.csv", "official,,,zh", "official,src-report,,zh"),
                                              replace("data/sources.csv", "state_media,,,zh", "state_media,src-plan,,zh")), [
        f'{P}/data/sources.csv:2: reprint_of: source "src-plan" leads back to itself: src-plan → src-report → '
        "src-plan (correct or empty reprint_of in one of these rows) [circular-reference]",
        f'{P}/data/sources.csv:3: reprint_of: source "src-report" leads back to itself: src-report → src-plan → '
        "src-report (correct or empty reprint_of in one of these rows) [circular-reference]"]),
    "wrong-type/year-sign": (replace("data/observations.csv", "XB,2020,200", "XB,+2020,200"), [
        f'{P}/data/observations.csv:5: year: "+2020" is not a four-digit year (write the year with four digits, '
        "e.g. 2020: no sign, no leading zero) [wrong-type]"]),
    "wrong-type/year-leading-zero": (replace("data/targets.csv", "wan-t,2019,30,wan-t", "wan-t,02019,30,wan-t"), [
        f'{P}/data/targets.csv:2: baseline_year: "02019" is not a four-digit year (write the year with four '
        "digits, e.g. 2020: no sign, no leading zero) [wrong-type]"]),
    "factor-too-large": (replace("data/units.csv", "kt,mass,1000", "kt,mass,1e300"), [
        f'{P}/data/units.csv:3: factor: "1e300" is larger than any unit factor this site can convert with (the '
        "limit is 1e+15) (a factor is how many of the dimension's base unit (吨, 元, 个, 百分比, 立方米, 亩) one of "
        "this unit makes: 万吨 is 10000, 亿吨 100000000 (1e8); check its digits and exponent) [factor-too-large]"]),
}


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """Case id -> the data folder holding a copy of mini-plan with that one defect."""
    # Small size limits so the oversized-file cases stay small; mini-plan's files are far below them.
    monkeypatch.setattr(validate, "MAX_CSV_BYTES", 2**20)
    monkeypatch.setattr(validate, "MAX_DESCRIPTOR_BYTES", 2**16)

    def build(case: str) -> Path:
        package = copy_mini(tmp_path)
        CASES[case][0](package)
        return package.parent
    return build


def test_mini_plan_is_valid(tmp_path):
    copy_mini(tmp_path)
    assert [p.line() for p in validate_packages(tmp_path / "data")] == []


def test_repository_packages_are_valid():
    if not list(REPO_PACKAGES.glob("*/datapackage.json")):
        pytest.skip("no packages under datapackages/ yet")
    assert [p.line() for p in validate_packages(REPO_PACKAGES)] == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_case(broken, case):
    expected = CASES[case][1]
    problems = validate_packages(broken(case))
    assert [p.line() for p in problems] == expected
    code = case.split("/")[0]
    assert all(p.code == code for p in problems)


@pytest.mark.parametrize("case, row, field", [
    ("wrong-type", 4, "value"), ("duplicate-key", 6, "observation_id"), ("unknown-region", 4, "region_id"),
    ("header-mismatch", 1, "label_en"), ("missing-plan-key", None, "plan.period_end"),
    ("utf8-bom", None, None), ("not-utf8", 2, None),
])
def test_row_and_field(broken, case, row, field):
    (problem,) = validate_packages(broken(case))
    assert (problem.row, problem.field) == (row, field)


def test_a_quote_never_closed_stops_the_reading_of_its_file(tmp_path):
    """Python's CSV reader refuses a cell past 131,072 characters (Frictionless lifts the limit when
    imported; the build may read without it): a problem, never an internal error."""
    import frictionless  # noqa: F401  (imported first, so that the limit set here holds)

    package = copy_mini(tmp_path)
    replace("data/sources.csv", "src-report,", 'src-report,"' + "x" * 200_000)(package)
    old = csv.field_size_limit(131_072)
    try:
        lines = [p.line() for p in validate_packages(package.parent)]
    finally:
        csv.field_size_limit(old)
    assert lines == [f"{P}/data/sources.csv:3: not readable as CSV from here on: field larger than field limit "
                     '(131072) (look for a quote that is never closed: a cell that starts with " runs to the next ") '
                     "[unreadable-csv]"]


def test_no_packages(tmp_path):
    (tmp_path / "data").mkdir()
    (problem,) = validate_packages(tmp_path / "data")
    assert problem.line() == ('data: no data package found in "%s" (each plan needs a folder <plan-id>/ '
                              "with a datapackage.json) [no-packages]" % (tmp_path / "data"))


def two_plans(tmp_path, other: str, start, predecessor: bool = True):
    """The fixture plan and a copy of it named `other` whose period starts in `start`, the copy
    named as the fixture's predecessor when asked -> (the fixture's folder, the copy's)."""
    package = copy_mini(tmp_path)
    if predecessor:
        edit_descriptor(setitem("plan", "predecessor", other))(package)
    copy = package.parent / other
    shutil.copytree(MINI, copy)
    edit_descriptor(setitem("name", other))(copy)
    edit_descriptor(setitem("plan", "period_start", start))(copy)
    return package, copy


def test_predecessor_found_among_packages(tmp_path):
    package, _ = two_plans(tmp_path, "mini-plan-old", 2015)
    assert [p.line() for p in validate_packages(package.parent)] == []


def test_a_concept_shared_across_dimensions_is_refused(tmp_path):
    """Plans' targets joined by a concept stand on one axis: a mass and a count cannot, and the
    side-by-side chart was silently left out. Reported also when the other package passed before
    (the build validates only changed packages; checks across packages always run)."""
    package, older = two_plans(tmp_path, "mini-plan-old", 2015, predecessor=False)
    replace("data/indicators.csv", "example-recycled-mass,,", ",,")(older)
    replace("data/indicators.csv", "建成回收点,,,,,collection point", "建成回收点,,,,example-recycled-mass,collection point")(older)
    expected = [
        'data/mini-plan-old/data/indicators.csv:3: concept: concept "example-recycled-mass" joins indicator '
        '"collection-points" (count) with "recycled-mass" of plan "mini-plan" (mass) (a concept joins indicators '
        "that measure the same thing: give one of them another concept (or none), or correct its unit) "
        "[concept-dimension-mismatch]"]
    assert [p.line() for p in validate_packages(package.parent)] == expected
    assert [p.line() for p in validate_packages(package.parent, unchanged={"mini-plan"})] == expected


def test_a_predecessor_with_a_year_out_of_range_gets_one_problem(tmp_path):
    package, _ = two_plans(tmp_path, "mini-plan-later", 10**30)
    assert [p.code for p in validate_packages(package.parent)] == ["year-out-of-range"]


@pytest.mark.parametrize("start", [2020, 2021])
def test_a_predecessor_that_starts_no_earlier_is_refused(tmp_path, start):
    """A later plan named as the predecessor (or one of the same start) would be listed and compared
    backwards: the site sets a plan's targets after its predecessor's."""
    package, _ = two_plans(tmp_path, "mini-plan-later", start)
    assert [p.line() for p in validate_packages(package.parent)] == [
        f'{P}/datapackage.json: plan.predecessor: predecessor "mini-plan-later" starts in {start}, not before this '
        "plan (2020) (a predecessor is the plan this one follows: name an earlier plan, or correct one of the two "
        "periods) [predecessor-not-earlier]"]


def test_a_circle_of_predecessors_is_refused(tmp_path):
    package = copy_mini(tmp_path)
    edit_descriptor(setitem("plan", "predecessor", "mini-plan-old"))(package)
    older = package.parent / "mini-plan-old"
    shutil.copytree(MINI, older)
    edit_descriptor(setitem("name", "mini-plan-old"))(older)
    edit_descriptor(setitem("plan", "predecessor", "mini-plan"))(older)
    how = "(a predecessor is an earlier plan: correct or remove the predecessor of one of these plans) [circular-reference]"
    assert [p.line() for p in validate_packages(package.parent)] == [
        f'data/mini-plan-old/datapackage.json: plan.predecessor: plan "mini-plan-old" leads back to itself: '
        f"mini-plan-old → mini-plan → mini-plan-old {how}",
        f'{P}/datapackage.json: plan.predecessor: plan "mini-plan" leads back to itself: '
        f"mini-plan → mini-plan-old → mini-plan {how}"]


def test_several_defects_are_all_reported_sorted(tmp_path):
    package = copy_mini(tmp_path)
    for case in ("unknown-unit", "wrong-type", "duplicate-key", "not-utf8", "unknown-plan-key", "blank-row"):
        CASES[case][0](package)
    problems = validate_packages(package.parent)
    assert sorted(problems, key=sort_key) == problems
    codes = {p.code for p in problems}
    assert codes == {"unknown-unit", "wrong-type", "duplicate-key", "not-utf8", "unknown-plan-key", "blank-row"}
    assert [(p.file.rsplit("/", 1)[1], p.row) for p in problems] == [
        ("observations.csv", 4), ("observations.csv", 6), ("regions.csv", 2), ("sources.csv", 3),
        ("targets.csv", 4), ("datapackage.json", None)]


# ---- free text: inert text passes, text outside the contract's limits is one clear problem ----

NASTY = st.sampled_from([
    "<script>alert(1)</script>", "<b>bold</b> &amp; &lt;", "**bold** _it_ [link](javascript:x) # h", "{{ 7*7 }}",
    "{% raw %}", "=1+1", "+CMD", "-2", "@SUM(A1)", "\u202eevil\u202c", "a\u200bb", "\u05e9\u05dc\u05d5\u05dd",
    '"quoted", comma', "line\nbreak", "x" * 3000, "\\", "'; drop table targets; --", "🌍👩‍👩‍👧",
    "\x00nul", "esc\x1b[31m", "rtl\u202eltr", "x" * 5000, "a\ufeffb", " ", "…",
])
FREE_TEXT = st.one_of(NASTY, st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200),
                      st.lists(NASTY, min_size=2, max_size=4).map("".join))
FREE_FIELDS = [("targets", "quote"), ("targets", "note_en"), ("targets", "wording_zh"), ("sources", "title"),
               ("sources", "note"), ("regions", "name_en"), ("observations", "note_zh"), ("indicators", "definition_en")]
# The codes the contract gives text it refuses (contract.parse_cell): nothing else may come out.
TEXT_CODES = {"control-character", "text-too-long", "blank-name", "blank-text", "line-break"}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FREE_FIELDS), FREE_TEXT)
def test_free_text_is_accepted_or_refused_with_one_clear_problem(target, text):
    from plantracker.contract import CONTRACT, parse_cell

    name, column = target
    if not text.strip():
        text = "x" + text  # an empty required cell is a real problem, tested apart
    with tempfile.TemporaryDirectory() as tmp:
        package = copy_mini(Path(tmp))
        path = package / "data" / f"{name}.csv"
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        rows[-1][column] = text
        out = io.StringIO()
        # QUOTE_ALL: the minimal style leaves a lone \r unquoted when lines end in \n, which breaks any CSV
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        problems = validate_packages(package.parent)
        _, expected = parse_cell(CONTRACT.resources[name].fields[column], text)
        if expected is None:
            assert [p.line() for p in problems] == []
        else:
            assert [(p.code, p.row, p.field) for p in problems] == [(expected[0], len(rows) + 1, column)]
            assert expected[0] in TEXT_CODES


def test_one_figure_found_twice_or_beside_its_forecast_is_accepted(tmp_path):
    """The same amount from a second source (in another unit), a forecast for the same year, and a
    baseline written in another unit than its observation are one figure each: no conflict."""
    package = copy_mini(tmp_path)
    with (package / "data/observations.csv").open("a", encoding="utf-8") as f:
        f.write("xa-recycled-2021b,recycled-mass,XA,2021,400,kt,about,reported,src-plan,甲省回收利用量约400千吨,,\n"
                "xa-recycled-2021c,recycled-mass,XA,2021,55,wan-t,expected,reported,src-plan,甲省预计55万吨,,\n")
    replace("data/targets.csv", "2019,30,wan-t,src-plan,true", "2019,300,kt,src-plan,true")(package)
    assert [p.line() for p in validate_packages(package.parent)] == []


@pytest.mark.parametrize("row, accepted", [
    ("41,wan-t,,", True),             # "about 40" holds 41 (the about band, contract.yml)
    ("43,wan-t,,", False),            # ... but not 43
    ("420,kt,,", True),               # in any unit
    ("40,wan-t,more_than,", False),   # two bounds of one figure: which counts is the data's to say
])
def test_an_exact_figure_may_stand_beside_a_qualified_one_that_holds_it(tmp_path, row, accepted):
    """A report's "about 40" and the statistics' exact figure for the same series, region and year:
    both stand when the qualified one holds the exact one (the status counts the exact one:
    test_status' exact-beside-about cases); any other disagreement is refused."""
    package = copy_mini(tmp_path)
    with (package / "data/observations.csv").open("a", encoding="utf-8") as f:
        f.write(f"xa-recycled-2021n,recycled-mass,XA,2021,{row}reported,src-plan,数值,,\n")
    codes = [p.code for p in validate_packages(package.parent)]
    assert codes == ([] if accepted else ["conflicting-figures"])


def test_a_figure_found_twice_is_added_once_to_a_sum_over_provinces(tmp_path):
    """The site's sum over a plan region's provinces takes one figure per province and year, as the
    status does: the same figure from a second source, or an "about" beside the exact one, is not
    added again."""
    from plantracker.load import load
    from plantracker.query import query_site

    package = copy_mini(tmp_path)
    with (package / "data/observations.csv").open("a", encoding="utf-8") as f:
        f.write("xa-recycled-2020b,recycled-mass,XA,2020,35,wan-t,,reported,src-plan,甲省回收利用量35万吨,,\n"
                "xa-recycled-2020c,recycled-mass,XA,2020,35,wan-t,about,reported,src-plan,甲省约35万吨,,\n"
                "xb-recycled-2020,recycled-mass,XB,2020,10,wan-t,,reported,src-plan,乙省10万吨,,\n")
    assert [p.line() for p in validate_packages(package.parent)] == []
    db = load(package.parent)
    try:
        totals = query_site(db).plans[0].province_totals["XR"]
    finally:
        db.close()
    total = next(t for t in totals if t["indicator_id"] == "recycled-mass" and t["year"] == 2020)
    assert total["total_value"] == pytest.approx(450_000)  # 35万吨 + 10万吨, in tonnes
    assert total["regions_reporting"] == 2


def test_the_province_chart_and_the_map_show_the_figures_the_sum_and_status_count(tmp_path):
    """Beside a sum over provinces, the bar chart shows exactly the figures it adds (one a province:
    the exact one beside an "about", never a forecast); the map's tiles take the same figures."""
    from plantracker.load import load
    from plantracker.query import query_site
    from plantracker.settings import load_release
    from stages import REPO_ROOT, pages_of

    package = copy_mini(tmp_path)
    with (package / "data/observations.csv").open("a", encoding="utf-8") as f:
        f.write("xa-recycled-2021n,recycled-mass,XA,2021,41,wan-t,,reported,src-plan,甲省41万吨,,\n"
                "xb-recycled-2021,recycled-mass,XB,2021,20,wan-t,,reported,src-plan,乙省20万吨,,\n"
                "xb-recycled-2021f,recycled-mass,XB,2021,90,wan-t,expected,reported,src-plan,乙省预计90万吨,,\n")
    assert [p.line() for p in validate_packages(package.parent)] == []
    charts = [chart for page in pages_of(package.parent, load_release(REPO_ROOT / "release.toml"))
              for chart in page.charts if chart.chart_id.endswith("--recycled-mass-2021") and chart.lang == "zh"]
    assert [sorted((row["region_label"], row["value"]) for row in chart.rows) for chart in charts] == [
        [("乙省", 20), ("甲省", 41)]]
    # The fixture's 2021 "about 40" alone, then beside the exact 41: only the first sum is not exact.
    pages = pages_of(copy_mini(tmp_path / "plain").parent, load_release(REPO_ROOT / "release.toml"))
    sums = [total for page in pages if page.path == "mini-plan/targets/xr-recycled"
            for group in page.contexts["en"]["related_groups"] for total in group["totals"] if total["year"] == 2021]
    assert [total["caveats"][-1] for total in sums] == [
        "Figures added that are approximate or give only a bound: 1. The sum is not an exact figure."]
    db = load(package.parent)
    try:
        tiles = [row for row in query_site(db).plans[0].map_figures if row["map_year"] == 2021]
    finally:
        db.close()
    assert sorted(row["observation_id"] for row in tiles) == ["xa-recycled-2021n", "xb-recycled-2021"]
