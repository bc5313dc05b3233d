"""The status rule, one table row per case, run by the real target_progress.sql on a real loaded package.

Every row becomes a target of its own (its own indicator, so no row sees another's figures) in a
copy of the mini-plan fixture, written to a temporary folder: these figures are invented and never
belong in datapackages/. The package is validated, loaded and queried exactly as the build does.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from plantracker.assets.api import write_api
from plantracker.contract import CONTRACT
from plantracker.load import load
from plantracker.numbers import format_share
from plantracker.pages.plan import STATUSES
from plantracker.query import SiteData, query_site, sql_text
from plantracker.settings import Release
from plantracker.strings import load_strings
from plantracker.validate import validate_packages

from stages import REPO_ROOT, pages_of

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
STRINGS = load_strings(REPO_ROOT / "templates")


class Case(NamedTuple):
    id: str
    target: str                 # "<comparison> <value> <target year>"
    figures: tuple[str, ...]    # "<year> <qualifier or exact> <value> [context]": kind reported unless context
    status: str
    reason: str
    baseline: str = ""          # "<year> <value>", or "<year> <value> <qualifier>"
    unit: str = "item"


# Paths: baseline 10 (2019) -> at least 40 (2022) requires 30 in 2021; baseline 100 (2019) -> at
# most 40 (2022) requires 60 in 2021.
CASES = [
    # The three cases of the issue.
    Case("issue-more-than-9000", "more_than 9000 2022", ("2022 more_than 9000",), "achieved", "meets_target",
         unit="yi-yuan"),
    Case("issue-about-30", "at_least 30 2022", ("2022 about 30",), "about_reached", "about_at_target"),
    Case("issue-forecast-120", "at_least 100 2022", ("2021 expected 120",), "no_data", "only_forecast"),
    # Exact figures.
    Case("exact-meets", "at_least 30 2022", ("2022 exact 30",), "achieved", "meets_target"),
    Case("exact-short", "at_least 30 2022", ("2022 exact 29",), "off_track", "missed_at_target_year"),
    Case("exact-equal-not-more", "more_than 30 2022", ("2022 exact 30",), "off_track", "missed_at_target_year"),
    Case("exact-early", "at_least 30 2022", ("2020 exact 31",), "achieved", "meets_target"),
    Case("no-figure", "at_least 30 2022", (), "no_data", "no_comparable_figure"),
    # A level to reach (the plan states only the figure: "形成30个", "达到1.5亿吨") is judged as at least.
    Case("reach-meets", "reach 30 2022", ("2022 exact 30",), "achieved", "meets_target"),
    Case("reach-short", "reach 30 2022", ("2022 exact 29",), "off_track", "missed_at_target_year"),
    Case("reach-floor", "reach 30 2022", ("2022 more_than 30",), "achieved", "meets_target"),
    Case("reach-about", "reach 30 2022", ("2022 about 30",), "about_reached", "about_at_target"),
    Case("reach-path", "reach 40 2022", ("2021 exact 30",), "on_track", "compared_with_path", "2019 10"),
    # Floors (more_than, at_least) against higher-is-better targets.
    Case("floor-at-least-meets", "at_least 30 2022", ("2022 at_least 30",), "achieved", "meets_target"),
    Case("floor-more-than-meets-at-least", "at_least 30 2022", ("2022 more_than 30",), "achieved", "meets_target"),
    Case("floor-at-least-vs-more-than", "more_than 30 2022", ("2022 at_least 30",), "no_data", "floor_below_target"),
    Case("floor-below", "at_least 30 2022", ("2022 more_than 25",), "no_data", "floor_below_target"),
    Case("floor-above-early", "at_least 30 2022", ("2021 more_than 35",), "achieved", "meets_target"),
    Case("floor-vs-about-target", "about 100 2022", ("2022 more_than 95",), "achieved", "meets_target"),
    # Ceilings (less_than, at_most) against higher-is-better targets.
    Case("ceiling-below", "at_least 30 2022", ("2022 less_than 30",), "off_track", "missed_at_target_year"),
    Case("ceiling-at", "at_least 30 2022", ("2022 at_most 30",), "no_data", "ceiling_above_target"),
    Case("ceiling-above", "at_least 30 2022", ("2022 less_than 35",), "no_data", "ceiling_above_target"),
    # Lower-is-better targets mirror them.
    Case("lower-exact-meets", "at_most 30 2022", ("2022 exact 30",), "achieved", "meets_target"),
    Case("lower-exact-over", "at_most 30 2022", ("2022 exact 31",), "off_track", "missed_at_target_year"),
    Case("lower-exact-equal-not-less", "less_than 30 2022", ("2022 exact 30",), "off_track", "missed_at_target_year"),
    Case("lower-ceiling-at-most-meets", "at_most 30 2022", ("2022 at_most 30",), "achieved", "meets_target"),
    Case("lower-ceiling-less-than-meets", "less_than 30 2022", ("2022 less_than 30",), "achieved", "meets_target"),
    Case("lower-ceiling-at-most-vs-less-than", "less_than 30 2022", ("2022 at_most 30",), "no_data",
         "ceiling_above_target"),
    Case("lower-ceiling-above", "at_most 30 2022", ("2022 less_than 35",), "no_data", "ceiling_above_target"),
    Case("lower-floor-over", "at_most 30 2022", ("2022 more_than 30",), "off_track", "missed_at_target_year"),
    Case("lower-floor-at-least-over", "less_than 30 2022", ("2022 at_least 30",), "off_track", "missed_at_target_year"),
    Case("lower-floor-below", "at_most 30 2022", ("2022 more_than 20",), "no_data", "floor_below_target"),
    # About X: X ± 5 %. The pairs either side of each edge pin the band between 4.8 % and 5.1 %.
    Case("about-clears", "at_least 30 2022", ("2022 about 31.6",), "achieved", "meets_target"),
    Case("about-band-holds-target-above", "at_least 30 2022", ("2022 about 31.5",), "about_reached", "about_at_target"),
    Case("about-band-holds-target-below", "at_least 30 2022", ("2022 about 28.6",), "about_reached", "about_at_target"),
    Case("about-short", "at_least 30 2022", ("2022 about 28.5",), "off_track", "missed_at_target_year"),
    Case("about-vs-more-than", "more_than 30 2022", ("2022 about 30",), "about_reached", "about_at_target"),
    Case("about-early", "at_least 30 2022", ("2021 about 30",), "about_reached", "about_at_target",
         baseline="2019 10"),
    Case("about-lower-meets", "at_most 30 2022", ("2022 about 28",), "achieved", "meets_target"),
    Case("about-lower-holds-target", "at_most 30 2022", ("2022 about 30",), "about_reached", "about_at_target"),
    Case("about-lower-over", "less_than 30 2022", ("2022 about 32",), "off_track", "missed_at_target_year"),
    # An exact figure beside a qualified one that holds it (a report's "about 30", the statistics'
    # 29): the exact one counts, whichever row comes first.
    Case("exact-beside-about", "at_least 30 2022", ("2022 about 30", "2022 exact 29"), "off_track",
         "missed_at_target_year"),
    Case("exact-beside-about-first", "at_least 30 2022", ("2022 exact 29", "2022 about 30"), "off_track",
         "missed_at_target_year"),
    Case("exact-beside-about-and-earlier", "at_least 30 2022", ("2020 exact 20", "2022 about 30", "2022 exact 29"),
         "off_track", "missed_at_target_year"),
    # A target "about T" is met from T less the band.
    Case("about-target-met-at-floor", "about 100 2022", ("2022 exact 95",), "achieved", "meets_target"),
    Case("about-target-short", "about 100 2022", ("2022 exact 94",), "off_track", "missed_at_target_year"),
    Case("about-target-about-figure", "about 100 2022", ("2022 about 97",), "about_reached", "about_at_target"),
    # The path from the baseline (higher is better: 30 required in 2021).
    Case("path-exact-on", "at_least 40 2022", ("2021 exact 30",), "on_track", "compared_with_path", "2019 10"),
    Case("path-exact-off", "at_least 40 2022", ("2021 exact 29",), "off_track", "compared_with_path", "2019 10"),
    Case("path-floor-on", "at_least 40 2022", ("2021 more_than 30",), "on_track", "compared_with_path", "2019 10"),
    Case("path-floor-uncertain", "at_least 40 2022", ("2021 more_than 25",), "no_data", "uncertain_against_path",
         "2019 10"),
    Case("path-ceiling-off", "at_least 40 2022", ("2021 less_than 30",), "off_track", "compared_with_path", "2019 10"),
    Case("path-ceiling-uncertain", "at_least 40 2022", ("2021 at_most 30",), "no_data", "uncertain_against_path",
         "2019 10"),
    Case("path-about-on", "at_least 40 2022", ("2021 about 32",), "on_track", "compared_with_path", "2019 10"),
    Case("path-about-off", "at_least 40 2022", ("2021 about 28",), "off_track", "compared_with_path", "2019 10"),
    Case("path-about-uncertain", "at_least 40 2022", ("2021 about 30",), "no_data", "uncertain_against_path",
         "2019 10"),
    Case("path-no-baseline", "at_least 40 2022", ("2021 exact 30",), "no_data", "no_baseline_for_path"),
    # An "about" baseline (about 10: 9.5-10.5) makes the path's value in 2021 29.83-30.17.
    Case("path-about-baseline-uncertain", "at_least 40 2022", ("2021 exact 30",), "no_data",
         "uncertain_against_path", "2019 10 about"),
    Case("path-about-baseline-on", "at_least 40 2022", ("2021 exact 30.2",), "on_track", "compared_with_path",
         "2019 10 about"),
    Case("path-about-baseline-off", "at_least 40 2022", ("2021 exact 29.8",), "off_track", "compared_with_path",
         "2019 10 about"),
    # The path for lower-is-better targets (60 required in 2021).
    Case("path-lower-exact-on", "at_most 40 2022", ("2021 exact 60",), "on_track", "compared_with_path", "2019 100"),
    Case("path-lower-exact-off", "at_most 40 2022", ("2021 exact 61",), "off_track", "compared_with_path", "2019 100"),
    Case("path-lower-ceiling-on", "at_most 40 2022", ("2021 at_most 60",), "on_track", "compared_with_path",
         "2019 100"),
    Case("path-lower-ceiling-uncertain", "at_most 40 2022", ("2021 less_than 65",), "no_data",
         "uncertain_against_path", "2019 100"),
    Case("path-lower-floor-off", "at_most 40 2022", ("2021 more_than 60",), "off_track", "compared_with_path",
         "2019 100"),
    Case("path-lower-about-uncertain", "at_most 40 2022", ("2021 about 58",), "no_data", "uncertain_against_path",
         "2019 100"),
    # Forecasts are shown, never counted.
    Case("forecast-newer-than-reported", "at_least 100 2022", ("2021 exact 80", "2022 expected 120"), "off_track",
         "compared_with_path", "2019 50"),
    Case("forecast-with-target-year-figure", "at_least 100 2022", ("2022 exact 90", "2022 expected 120"),
         "off_track", "missed_at_target_year"),
    Case("forecast-as-context", "at_least 100 2022", ("2022 expected 120 context",), "no_data", "only_forecast"),
    Case("forecast-after-target-year", "at_least 100 2022", ("2025 expected 120",), "no_data", "no_comparable_figure"),
]


def _append(path: Path, rows: list[dict]) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=columns, lineterminator="\n").writerows(rows)


def _rows(case: Case) -> tuple[dict, dict, list[dict]]:
    """A case -> its indicator, target and observation rows (every id the case's id)."""
    comparison, value, year = case.target.split()
    indicator = {"indicator_id": case.id, "name_zh": f"测试{case.id}", "name_en": f"Test {case.id}",
                 "definition_zh": "测试用。", "definition_en": "For tests.", "unit_id": case.unit}
    baseline_year, baseline_value, *baseline_qualifier = case.baseline.split() if case.baseline else ("", "")
    target = {"target_id": case.id, "indicator_id": case.id, "region_id": "XA", "target_year": year,
              "comparison": comparison, "value": value, "unit_id": case.unit, "baseline_year": baseline_year,
              "baseline_value": baseline_value, "baseline_unit_id": case.unit if case.baseline else "",
              "baseline_source_id": "src-plan" if case.baseline else "", "headline": "false",
              "wording_zh": "测试目标。", "summary_en": "Test target.", "source_id": "src-plan", "quote": "测试目标"}
    observations = []
    for n, figure in enumerate(case.figures):
        fig_year, qualifier, fig_value, *kind = figure.split()
        observations.append({
            "observation_id": f"{case.id}-{n}", "indicator_id": case.id, "region_id": "XA", "year": fig_year,
            "value": fig_value, "unit_id": case.unit, "qualifier": "" if qualifier == "exact" else qualifier,
            "kind": kind[0] if kind else "reported", "source_id": "src-report", "quote": f"测试 {figure}"})
    if case.baseline:  # the observation that holds the baseline's words (validate: baseline-without-observation)
        observations.append({
            "observation_id": f"{case.id}-baseline", "indicator_id": case.id, "region_id": "XA",
            "year": baseline_year, "value": baseline_value, "unit_id": case.unit,
            "qualifier": baseline_qualifier[0] if baseline_qualifier else "",
            "kind": "baseline", "source_id": "src-plan", "quote": f"测试基线 {case.baseline}"})
    return indicator, target, observations


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """Every case in one copy of the fixture plan (validated) -> the folder of packages."""
    data_dir = tmp_path_factory.mktemp("status") / "data"
    shutil.copytree(FIXTURE, data_dir / "mini-plan")
    tables = data_dir / "mini-plan" / "data"
    _append(tables / "units.csv", [{"unit_id": "yi-yuan", "dimension": "money", "factor": "100000000",
                                    "label_zh": "亿元", "label_en": "100 million yuan", "display_zh": "true",
                                    "display_en": "false"}])
    rows = [_rows(case) for case in CASES]
    _append(tables / "indicators.csv", [r[0] for r in rows])
    _append(tables / "targets.csv", [r[1] for r in rows])
    _append(tables / "observations.csv", [o for r in rows for o in r[2]])
    # The synthetic rows must be rows an editor could commit: valid by the contract and the schema.
    assert [p.line() for p in validate_packages(data_dir)] == []
    return data_dir


@pytest.fixture(scope="module")
def site(data_dir) -> SiteData:
    """The query stage's results for every case."""
    db = load(data_dir)
    try:
        return query_site(db)
    finally:
        db.close()


@pytest.fixture(scope="module")
def progress(site) -> dict[str, dict]:
    """target_progress rows by target id."""
    return {row["target_id"]: row for row in site.progress}


def test_case_ids_are_unique():
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_status(progress, case):
    row = progress[case.id]
    assert (row["status"], row["status_reason"]) == (case.status, case.reason)


def test_fixture_plan_keeps_its_status(progress):
    """The mini-plan's own "about 40" (2021) against at least 60 (2022): the path requires 50 in
    2021 and 40 ± 5 % stays below it, so it is off track as before."""
    row = progress["xa-recycled"]
    assert (row["status"], row["status_reason"], row["latest_qualifier"]) == ("off_track", "compared_with_path", "about")


def test_forecast_is_shown_but_never_the_latest_figure(progress):
    only = progress["issue-forecast-120"]
    assert (only["latest_value"], only["latest_year"], only["reported_count"], only["share_reached"]) == (None, None, 0, None)
    assert (only["forecast_value"], only["forecast_year"]) == (120, 2021)
    assert (only["forecast_observation_id"], only["forecast_source_id"]) == ("issue-forecast-120-0", "src-report")
    newer = progress["forecast-newer-than-reported"]
    assert (newer["latest_value"], newer["latest_year"], newer["latest_observation_id"]) == (80, 2021,
                                                                                             "forecast-newer-than-reported-0")
    assert (newer["forecast_value"], newer["forecast_year"], newer["reported_count"]) == (120, 2022, 1)
    assert progress["forecast-as-context"]["forecast_value"] == 120
    assert progress["forecast-after-target-year"]["forecast_value"] is None
    assert progress["exact-meets"]["forecast_value"] is None


def test_reported_count_counts_figures_not_rows(data_dir, site, tmp_path):
    """status.json's reported_count is the number of figures the status can read, one per year: an
    exact figure beside the "about" one that holds it is one figure (two rows), as its unit note says."""
    db = load(data_dir)
    try:
        write_api(db, site, tmp_path, Release("2026.1", dt.date(2026, 1, 1), "https://example.org/"), STRINGS)
    finally:
        db.close()
    status = json.loads((tmp_path / "api" / "mini-plan" / "status.json").read_text("utf-8"))
    counts = {row["target_id"]: row["reported_count"] for row in status["rows"]}
    assert (counts["exact-beside-about"], counts["exact-beside-about-first"]) == (1, 1)
    assert (counts["exact-beside-about-and-earlier"], counts["exact-meets"], counts["no-figure"]) == (2, 1, 0)
    assert "reported_count" in status["unit_note"]["zh"] and "reported_count" in status["unit_note"]["en"]


def test_a_forecast_fills_no_gap_in_the_reporting_grid(site):
    [plan] = site.plans
    grid = {(g["year"], g["reported_count"]) for g in plan.reporting_grid["issue-forecast-120"]}
    assert (2021, 0) in grid
    newer = {g["year"]: g["reported_count"] for g in plan.reporting_grid["forecast-newer-than-reported"]}
    assert (newer[2021], newer[2022]) == (1, 0)


def test_every_case_gets_a_target_page_that_words_its_status(data_dir, progress):
    """The page stage builds each case's target page in both languages, with the status and reason
    in words (the rows the table above checks, through to the pages)."""
    pages = {p.path: p for p in pages_of(data_dir, Release("2026.1", dt.date(2026, 1, 1), "https://example.org/"))}
    for case in CASES:
        page = pages[f"mini-plan/targets/{case.id}"]
        for lang in ("zh", "en"):
            t, context = STRINGS[lang], page.contexts[lang]
            assert (context["status"], context["status_label"], context["status_reason"]) == (
                case.status, t[f"status_{case.status}"], t[f"reason_{case.reason}"])


def test_values_stay_in_base_units_with_the_qualifier(progress):
    row = progress["issue-more-than-9000"]
    assert (row["target_value"], row["latest_value"], row["latest_qualifier"], row["share_reached"]) == (
        9000e8, 9000e8, "more_than", 1.0)


def _case_words(sql: str, column: str) -> set[str]:
    """The values the final select's `case ... end as <column>` can give."""
    blocks = dict((name, body) for body, name in
                  re.findall(r"\bcase\n(.*?)\n    end as (\w+)", sql.split("\nselect\n")[-1], re.S))
    return set(re.findall(r"(?:then|else) '(\w+)'", blocks[column]))


def test_table_covers_every_status_and_reason_the_query_gives():
    sql = sql_text("target_progress")
    assert _case_words(sql, "status") == {c.status for c in CASES} == set(STATUSES)
    assert _case_words(sql, "status_reason") == {c.reason for c in CASES}


def test_every_status_and_reason_is_worded_in_both_languages():
    for lang in ("zh", "en"):
        for status in STATUSES:
            assert STRINGS[lang].get(f"status_{status}"), (lang, status)
        for reason in {c.reason for c in CASES}:
            assert STRINGS[lang].get(f"reason_{reason}"), (lang, reason)
        for qualifier in CONTRACT.qualifiers:
            assert STRINGS[lang].get(f"qualifier_{qualifier}"), (lang, qualifier)
    assert STRINGS["zh"]["status_about_reached"] != STRINGS["zh"]["status_achieved"]


def test_css_styles_every_status():
    css = (REPO_ROOT / "site_src" / "assets" / "stylesheets" / "site.css").read_text(encoding="utf-8")
    for status in STATUSES:
        assert f".pt-status--{status} " in css or f".pt-status--{status}," in css, status


def test_the_qualifiers_are_documented_with_the_band_the_query_uses():
    """DATA.md lists the contract's six qualifiers and the band; the methodology page states the
    band it gets from the contract, the value the query receives, in both languages."""
    assert list(CONTRACT.qualifiers) == ["about", "more_than", "at_least", "less_than", "at_most", "expected"]
    data_md = (REPO_ROOT / "DATA.md").read_text(encoding="utf-8")
    qualifiers = data_md.split("**Qualifiers.**", 1)[1].split("\n- **", 1)[0]
    for qualifier in CONTRACT.qualifiers:
        assert f"| `{qualifier}` |" in qualifiers, qualifier
    assert f"{format_share(CONTRACT.about_band, 'en')})" in qualifiers


def test_methodology_page_states_the_band(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "mini-plan")
    pages = pages_of(tmp_path, Release("2026.1", dt.date(2026, 1, 1), "https://example.org/"))
    [page] = [p for p in pages if p.template == "methodology"]
    band = CONTRACT.about_band
    for lang in ("zh", "en"):
        assert page.contexts[lang]["about_band"] == format_share(band, lang) == "5%"
        assert page.contexts[lang]["about_floor"] == "95%" and page.contexts[lang]["about_ceiling"] == "105%"
    template = (REPO_ROOT / "templates" / "pages" / "methodology.md.j2").read_text(encoding="utf-8")
    assert "95 %" not in template and "95%" not in template, "the band comes from the contract, not the template"
    assert template.count("{{ about_band }}") >= 4


def test_the_target_page_shows_the_forecast_apart_and_the_qualifier_with_the_value(data_dir):
    """A forecast is listed apart, marked as not counted, and charted as its own series; a floor or
    an 'about' figure keeps its qualifier wherever its value is shown (issue 16)."""
    pages = {p.path: p for p in pages_of(data_dir, Release("2026.1", dt.date(2026, 1, 1), "https://example.org/"))}
    for lang, forecast_word, more_than in (("zh", "预计", "超过"), ("en", "expected", "more than")):
        context = pages["mini-plan/targets/issue-forecast-120"].contexts[lang]
        assert context["inputs"]["latest"] is None and forecast_word in context["inputs"]["forecast"]
        [chart] = [c for c in pages["mini-plan/targets/issue-forecast-120"].charts if c.lang == lang
                   and c.kind == "target_progress"]
        assert "forecast" in {row["series"] for row in chart.rows} and "reported" not in {row["series"] for row in chart.rows}
        exceeded = pages["mini-plan/targets/issue-more-than-9000"].contexts[lang]
        assert more_than in exceeded["inputs"]["latest"]
        [chart] = [c for c in pages["mini-plan/targets/issue-more-than-9000"].charts if c.lang == lang
                   and c.kind == "target_progress"]
        assert any(more_than in row["value_text"] for row in chart.rows if row["series"] == "reported")
