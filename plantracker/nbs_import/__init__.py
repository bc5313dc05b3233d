"""Import an NBS data portal export into a plan's data package: export file + package folder -> ImportResult.

One observation per non-empty cell, kind `reported`, value and unit as printed, and a quote that
reproduces what the export printed for it, in this form (the portal's own names for its three
dimensions, joined by full-width semicolons):

    指标：地区生产总值(亿元)；地区：北京市；时间：2024年；数值：49670.2

The indicator, unit, regions and source are found through the package's own tables (matching);
regions the package does not list are skipped and listed.

An existing observation of the same indicator x region x year x source with the same value and unit
is left as it is (re-running adds nothing); with another value it is a revision, replaced in place
only with `revise=True` (the row keeps its id and is written afresh: columns the importer does not fill,
such as an optional `confidence`, are left empty). Files are changed only with `write=True`, and then
byte for byte except the rows added (at the end) and replaced (see csv_file).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .checks import value_problems, write_validated
from .csv_file import edited_text
from .export import Cell, Export, RegionRow, read_export
from .matching import (NewSource, Package, check_dimension, match_indicator, match_regions, match_unit,
                           read_package, source_row, table_rows)
from ..problems import InputError, Problem, problem

__all__ = ["ImportResult", "NewSource", "import_export", "validate_after_import"]


@dataclass(frozen=True)
class Figure:
    """One cell of the export as an observation row."""

    region: str        # as printed
    year_label: str    # as printed, e.g. 2024年
    values: dict       # column -> text: the observations row
    cell: Cell | None = None  # where the export printed it

    @property
    def where(self) -> str:
        return f'{self.values["observation_id"]}  {self.region} {self.year_label}'

    @property
    def figure(self) -> str:
        return f'{self.values["value"]} {self.values["unit_id"]}'


@dataclass(frozen=True)
class Revision:
    figure: Figure
    row: int           # the existing row in observations.csv
    old_value: str
    old_unit: str


@dataclass
class ImportResult:
    """What an import adds, leaves and revises; `written` says whether the files were changed."""

    export_file: str
    observations_file: str
    indicator_line: str
    indicator_id: str
    unit_id: str
    source_id: str
    source_added: bool
    added: list[Figure] = field(default_factory=list)
    unchanged: list[Figure] = field(default_factory=list)
    revised: list[Revision] = field(default_factory=list)
    skipped_regions: list[str] = field(default_factory=list)
    empty_cells: list[str] = field(default_factory=list)   # "region year" as printed
    written: bool = False

    def diff_lines(self) -> list[str]:
        """The changes as lines a person reads: + added, ~ revised (with the old value), = unchanged (a
        count), skipped regions, empty cells, then the counts."""
        source = f"{self.source_id} (new row in sources.csv)" if self.source_added else self.source_id
        out = [f"{self.export_file}: {self.indicator_line} -> indicator {self.indicator_id}, unit {self.unit_id}, "
               f"source {source}; into {self.observations_file}"]
        out += [f"+ {f.where}  {f.figure}" for f in self.added]
        out += [f"~ {r.figure.where}  {r.old_value} {r.old_unit} -> {r.figure.figure}  (row {r.row})"
                for r in self.revised]
        if self.unchanged:
            out.append(f"= {len(self.unchanged)} unchanged (already in the file with the same value)")
        if self.skipped_regions:
            out.append(f"skipped, not in regions.csv: {', '.join(self.skipped_regions)}")
        if self.empty_cells:
            out.append(f"empty cells, no figure: {', '.join(self.empty_cells)}")
        out.append(f"{len(self.added)} to add, {len(self.unchanged)} unchanged, {len(self.revised)} revised, "
                   f"{len(self.skipped_regions)} regions skipped, {len(self.empty_cells)} empty cells")
        return out

    def outcome(self) -> str:
        """One line: what was written, or what to pass to write it."""
        if self.written:
            return (f"written: {len(self.added)} rows added, {len(self.revised)} replaced"
                    + (f", source {self.source_id} added" if self.source_added else ""))
        if not (self.added or self.revised or self.source_added):
            return "nothing to change"
        return "nothing written: pass --write to apply" + (" (with --revise for the revisions)" if self.revised else "")


def import_export(export_path: Path, package_dir: Path, *, source_id: str, source: NewSource | None = None,
                  write: bool = False, revise: bool = False) -> ImportResult:
    """NBS export file + package folder -> ImportResult; with write=True the package's CSVs are changed.

    Raises InputError (nothing written) for a bad export, an unknown indicator, unit or source, an id
    that does not fit the schema, a value validation would refuse (checks.value_problems, also without
    write), revisions without revise=True, or, with write, a data folder that would not pass validation
    with the rows written (checks.write_validated: the real files are replaced only after that).
    """
    export = read_export(Path(export_path))
    package = read_package(Path(package_dir))
    problems: list[Problem] = []
    unit = match_unit(export, package, problems)
    indicator = match_indicator(export, package, problems)
    if unit and indicator:
        check_dimension(export, indicator, unit, package, problems)
    matched, skipped = match_regions(export, package, problems)
    new_source = source_row(package, source_id, source, export, problems)
    if problems:
        raise InputError(problems)
    result = ImportResult(export.file, package.files["observations"], export.indicator_line,
                          indicator["indicator_id"], unit["unit_id"], source_id, new_source is not None,
                          skipped_regions=skipped)
    _classify(export, matched, package, result, problems)
    problems += value_problems(export, [*result.added, *(r.figure for r in result.revised)], new_source, package)
    if problems:
        raise InputError(problems)
    if write:
        _write(Path(package_dir), package, result, new_source, revise)
    return result


def validate_after_import(data_dir: Path, written: bool = False) -> tuple[bool, str]:
    """Data folder after an import with --write -> (valid, the text to show, without a final newline):
    (True, "valid: packages in <data_dir>"), or (False, one `Problem.line()` per problem, then
    "<n> problem(s) in <data_dir> after the import; fix them or undo it (git checkout).").
    `written`: the import wrote files, which it does only once a copy of the whole data folder
    holding them has passed validation (checks.write_validated), so it is not validated again."""
    from ..validate import validate_packages  # frictionless: only when needed

    problems = [] if written else validate_packages(data_dir)
    if not problems:
        return True, f"valid: packages in {data_dir}"
    return False, "\n".join([*(p.line() for p in problems),
                             f"{len(problems)} problem(s) in {data_dir} after the import; fix them or undo it "
                             "(git checkout)."])


# ---- what changes ----

def _classify(export: Export, matched: list[tuple[RegionRow, str]], package: Package, result: ImportResult,
              problems: list[Problem]) -> None:
    """Every figure of the matched regions -> added, unchanged or revised in `result`."""
    observations = table_rows(package, "observations")
    by_key: dict[tuple, list[tuple[int, dict]]] = {}
    for n, values in observations:
        key = (values.get("indicator_id"), values.get("region_id"), values.get("year", "").strip(), values.get("source_id"))
        by_key.setdefault(key, []).append((n, values))
    taken = {values.get("observation_id"): values for _, values in observations}
    bad_ids: list[str] = []
    for region, region_id in matched:
        result.empty_cells += [f"{region.name} {label}" for label in region.empty_years]
        for cell in region.cells:
            key = (result.indicator_id, region_id, str(cell.year), result.source_id)
            existing = by_key.get(key, [])
            if len(existing) > 1:
                problems.append(problem("duplicate-observation", package.files["observations"], existing[1][0],
                                        key=" ".join(key), first=existing[0][0]))
                continue
            figure = Figure(region.name, cell.year_label, _observation(export, cell, region_id, result), cell)
            if existing:
                _compare(figure, *existing[0], result)
                continue
            figure.values["observation_id"] = _new_id(figure.values, taken, bad_ids)
            result.added.append(figure)
    _check_ids(bad_ids, result, package, problems)


def _observation(export: Export, cell: Cell, region_id: str, result: ImportResult) -> dict[str, str]:
    footnote = " Footnotes as printed are in note_zh." if export.footnotes else ""
    return {
        "observation_id": "", "indicator_id": result.indicator_id, "region_id": region_id, "year": str(cell.year),
        "value": cell.value, "unit_id": result.unit_id, "qualifier": "", "kind": "reported",
        "source_id": result.source_id,
        "quote": f"{export.indicator_line}；地区：{_visible(cell.region)}；时间：{cell.year_label}；数值：{cell.value}",
        "note_zh": " ".join(export.footnotes),
        "note_en": f"Imported from the NBS data portal export {export.file} (国家数据, 分省年度数据).{footnote}",
    }


def _visible(name: str) -> str:
    """A region as printed -> without invisible format characters (a zero-width space would hide in the quote)."""
    return "".join(c for c in name if unicodedata.category(c) != "Cf")


def _compare(figure: Figure, row: int, old: dict[str, str], result: ImportResult) -> None:
    """An existing row of the same key -> unchanged when value (as a number) and unit agree, else a revision."""
    figure.values["observation_id"] = old["observation_id"]  # a revision keeps the row's id
    try:
        same = Decimal(old.get("value", "")) == Decimal(figure.values["value"])
    except InvalidOperation:
        same = False
    if same and old.get("unit_id") == figure.values["unit_id"]:
        result.unchanged.append(figure)
    else:
        result.revised.append(Revision(figure, row, old.get("value", ""), old.get("unit_id", "")))


def _new_id(values: dict[str, str], taken: dict[str, dict], bad: list[str]) -> str:
    """nbs-<year>-<region id, lowercase>-<indicator id>; when a figure of another source has it, -<source id>
    is added (the same figure from a newer export under a new source id)."""
    base = f'nbs-{values["year"]}-{values["region_id"].lower()}-{values["indicator_id"]}'
    for candidate in (base, f'{base}-{values["source_id"]}'):
        if candidate not in taken:
            taken[candidate] = values
            return candidate
    bad.append(base)
    return base


def _check_ids(taken_twice: list[str], result: ImportResult, package: Package, problems: list[Problem]) -> None:
    """New ids -> one problem when any is taken even with the source suffix, or breaks the schema's constraints."""
    constraints = package.fields["observations"].get("observation_id", {}).get("constraints", {})
    pattern, longest = constraints.get("pattern"), constraints.get("maxLength")
    misfits = [i for i in (f.values["observation_id"] for f in result.added)
               if (pattern and not re.fullmatch(pattern, i)) or (longest and len(i) > longest)]
    file = package.files["observations"]
    if taken_twice:
        problems.append(problem("id-taken", file, None, "observation_id", count=len(taken_twice), id=taken_twice[0],
                                source_id=result.source_id))
    if misfits:
        rule = ", ".join(filter(None, [pattern and f"pattern {pattern}", longest and f"at most {longest} characters"]))
        problems.append(problem("id-does-not-fit", file, None, "observation_id", count=len(misfits), rule=rule,
                                id=misfits[0]))


def _write(package_dir: Path, package: Package, result: ImportResult, new_source: dict | None, revise: bool) -> None:
    """Apply the result to the package's CSVs (sources first) through a validated copy; revisions only with revise."""
    if result.revised and not revise:
        raise InputError([problem("revision", package.files["observations"], r.row, "value", region=r.figure.region,
                                  year=r.figure.year_label, old_value=r.old_value, old_unit=r.old_unit,
                                  value=r.figure.values["value"], unit=r.figure.values["unit_id"])
                          for r in result.revised])
    observations = package.tables["observations"]
    texts = {}
    if new_source:
        texts[package.tables["sources"].path] = edited_text(package.tables["sources"], [new_source], {})
    if result.added or result.revised:
        texts[observations.path] = edited_text(observations, [f.values for f in result.added],
                                               {r.row: r.figure.values for r in result.revised})
    if texts:
        write_validated(package_dir, texts)
    result.written = bool(texts)
