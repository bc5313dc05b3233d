"""An export matched to a data package: the package's tables -> the export's indicator, unit, regions and source.

Only the package's own rows decide (nothing about a plan lives here):
- indicator: the name before the unit bracket against `indicators.official_name_zh`, then `name_zh`;
- unit: the bracketed unit against `units.label_zh`, exactly;
- region: the printed name against `regions.full_name_zh` and `name_zh`, exactly; only when neither
  matches, the data are taken as short names and the suffix rule is the fallback: a printed name that
  is a listed name plus an official suffix (省, 市, 自治区, 壮族自治区, 回族自治区, 维吾尔自治区,
  特别行政区), or a listed name minus one (北京市 ~ 北京, 内蒙古 ~ 内蒙古自治区).
A column a package does not have (full_name_zh, official_name_zh are optional) counts as empty.
"Exactly" is after `normalized` on both sides: NFKC, invisible format characters (Unicode category Cf,
e.g. a zero-width space pasted with the name) dropped and surrounding whitespace stripped, so
河<U+200B>北省 is 河北省 and full-width letters or digits are their ASCII selves.
Every function appends what is wrong to `problems` and returns None for it, so all are reported at once.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .csv_file import CsvFile, format_row, read_csv
from .export import Export, RegionRow
from ..problems import InputError, Problem, problem

OFFICIAL_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
NBS_PUBLISHER = "国家统计局"
RESOURCES = ("units", "regions", "indicators", "sources", "observations")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class NewSource:
    """What a new row of sources.csv needs when the source is not listed yet."""

    title: str
    url: str
    publisher: str = NBS_PUBLISHER


@dataclass
class Package:
    """The tables of a package an import reads, with their files as problems name them."""

    folder: str                  # as shown, e.g. datapackages/jjj-2020-2022
    tables: dict[str, CsvFile]
    files: dict[str, str]        # resource -> file as shown
    fields: dict[str, dict]      # resource -> field name -> field descriptor


def read_package(package_dir: Path) -> Package:
    """Package folder -> its five tables used here; problems name the file as `build.py validate` does."""
    folder = f"{package_dir.resolve().parent.name}/{package_dir.name}"
    descriptor_path = package_dir / "datapackage.json"
    if not descriptor_path.is_file():
        known = sorted(p.parent.name for p in package_dir.parent.glob("*/datapackage.json"))
        raise InputError([problem("import-unknown-plan", folder, plan=package_dir.name,
                                  known=", ".join(known) or "(none found)")])
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        resources = {r["name"]: r for r in descriptor["resources"]}
    except (ValueError, KeyError, TypeError):
        raise InputError([problem("import-invalid-descriptor", f"{folder}/datapackage.json")]) from None
    package, problems = Package(folder, {}, {}, {}), []
    for name in RESOURCES:
        resource = resources.get(name, {})
        shown = f"{folder}/{resource.get('path', f'data/{name}.csv')}"
        package.files[name] = shown
        package.fields[name] = {f.get("name"): f for f in resource.get("schema", {}).get("fields", [])}
        try:
            package.tables[name] = read_csv(package_dir / resource["path"])
        except (KeyError, OSError, UnicodeDecodeError) as error:
            problems.append(problem("import-unreadable-table", shown, error=type(error).__name__))
    if problems:
        raise InputError(problems)
    return package


def normalized(name: str | None) -> str:
    """A name as printed or listed -> the form names are compared in: NFKC, without format characters
    (category Cf: zero-width spaces, joiners, marks of direction), without surrounding whitespace."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def table_rows(package: Package, name: str) -> list[tuple[int, dict[str, str]]]:
    """Resource name -> its (spreadsheet row, column -> cell) rows."""
    return package.tables[name].rows


def _one(matches: list[dict], key: str, ambiguous: Problem, problems: list[Problem]) -> dict | None:
    """Matching rows -> the single one; several -> the problem `ambiguous` is recorded."""
    if len({m[key] for m in matches}) > 1:
        problems.append(ambiguous)
        return None
    return matches[0] if matches else None


# ---- matching the export to the package ----

def match_unit(export: Export, package: Package, problems: list[Problem]) -> dict | None:
    """The bracketed unit -> the units row whose label_zh it is (unknown: a problem listing the known labels)."""
    units = [v for _, v in table_rows(package, "units")]
    matches = [v for v in units if normalized(v.get("label_zh")) == normalized(export.unit_label)]
    labels = ", ".join(v.get("label_zh", "") for v in units)
    if not matches:
        problems.append(problem("export-unknown-unit", export.file, export.indicator_row, "指标",
                                label=export.unit_label, table=package.files["units"], known=labels))
    return _one(matches, "unit_id", problem("ambiguous-unit", export.file, export.indicator_row, "指标",
                                            label=export.unit_label, table=package.files["units"]), problems)


def match_indicator(export: Export, package: Package, problems: list[Problem]) -> dict | None:
    """The name on the 指标 line -> the indicators row with that official_name_zh, else that name_zh."""
    indicators = [v for _, v in table_rows(package, "indicators")]
    for column in ("official_name_zh", "name_zh"):
        matches = [v for v in indicators if normalized(v.get(column)) == normalized(export.indicator)]
        if matches:
            return _one(matches, "indicator_id", problem(
                "ambiguous-indicator", export.file, export.indicator_row, "指标", column=column,
                name=export.indicator, ids=", ".join(m["indicator_id"] for m in matches)), problems)
    problems.append(problem("export-unknown-indicator", export.file, export.indicator_row, "指标",
                            name=export.indicator, table=package.files["indicators"]))
    return None


def check_dimension(export: Export, indicator: dict, unit: dict, package: Package,
                    problems: list[Problem]) -> None:
    """A problem when the export's unit measures another thing (mass, money ...) than the indicator's unit."""
    dimension = {v["unit_id"]: v.get("dimension") for _, v in table_rows(package, "units")}
    expected = dimension.get(indicator.get("unit_id"))
    if expected and dimension[unit["unit_id"]] != expected:
        problems.append(problem("export-unit-dimension-mismatch", export.file, export.indicator_row, "指标",
                                unit=unit["unit_id"], dimension=dimension[unit["unit_id"]],
                                indicator=indicator["indicator_id"], indicator_unit=indicator["unit_id"],
                                indicator_dimension=expected))


def _region_names(package: Package) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """regions table -> (exact name -> ids, name differing by an official suffix -> ids)."""
    exact: dict[str, set[str]] = {}
    by_suffix: dict[str, set[str]] = {}
    for _, values in table_rows(package, "regions"):
        for name in {normalized(values.get(c)) for c in ("full_name_zh", "name_zh")} - {""}:
            exact.setdefault(name, set()).add(values["region_id"])
            for suffix in OFFICIAL_SUFFIXES:
                by_suffix.setdefault(name + suffix, set()).add(values["region_id"])  # table short, export full
                if name.endswith(suffix) and len(name) > len(suffix):  # table full, export short
                    by_suffix.setdefault(name[:-len(suffix)], set()).add(values["region_id"])
    return exact, by_suffix


def match_regions(export: Export, package: Package,
                  problems: list[Problem]) -> tuple[list[tuple[RegionRow, str]], list[str]]:
    """Export rows -> ([(row, region_id)], names skipped); ambiguous or repeated regions are problems."""
    exact, by_suffix = _region_names(package)
    matched, skipped, seen = [], [], {}
    for region in export.regions:
        name = normalized(region.name)
        ids = exact.get(name) or by_suffix.get(name) or set()
        if not ids:
            skipped.append(region.name)
        elif len(ids) > 1:
            problems.append(problem("ambiguous-region", export.file, region.row, "地区", region=region.name,
                                    ids=", ".join(sorted(ids)), table=package.files["regions"]))
        elif (region_id := next(iter(ids))) in seen:
            problems.append(problem("duplicate-region", export.file, region.row, "地区", region=region.name,
                                    region_id=region_id, first=seen[region_id]))
        else:
            seen[region_id] = region.row
            matched.append((region, region_id))
    return matched, skipped


def source_row(package: Package, source_id: str, source: NewSource | None, export: Export,
               problems: list[Problem]) -> dict | None:
    """--source -> None when listed in sources.csv, else the row to add; problems when it cannot be made."""
    file = package.files["sources"]
    pattern = package.fields["sources"].get("source_id", {}).get("constraints", {}).get("pattern")
    if pattern and not re.fullmatch(pattern, source_id):
        problems.append(problem("import-pattern-mismatch", file, None, "source_id", source_id=source_id,
                                pattern=pattern))
        return None
    listed = next((v for _, v in table_rows(package, "sources") if v.get("source_id") == source_id), None)
    if listed is not None:
        if source and any(given and given != listed.get(column)
                          for column, given in (("title", source.title), ("url", source.url))):
            problems.append(problem("source-differs", file, None, "source_id", source_id=source_id))
        return None
    source = source or NewSource("", "")
    row = {"source_id": source_id, "title": source.title.strip(), "url": source.url.strip(),
           "publisher": source.publisher.strip() or NBS_PUBLISHER, "authority": "official",
           "language": "zh", "note": f"NBS data portal export (国家数据, 分省年度数据): {export.indicator_line}"}
    if not (row["title"] and _URL.match(row["url"])):
        shown = {**row, "title": row["title"] or "<title as printed>", "url": row["url"] or "<https://... of the table>"}
        problems.append(problem("import-unknown-source", file, None, "source_id", source_id=source_id,
                                sources_row=format_row(package.tables["sources"].header, shown)))
        return None
    return row
