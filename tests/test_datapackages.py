"""The real data packages -> checks: valid Frictionless, sourced, no derived figures, values as the researched facts."""
from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from frictionless import validate

REPO = Path(__file__).parents[1]
PACKAGES_DIR = REPO / "datapackages"
PLAN_IDS = ("jjj-2020-2022", "jjj-2015-2017")
# CI has a copy of shared/ beside the clone (../shared); locally it is the same place.
FACTS_DIR = Path(__file__).parents[1].parent / "shared" / "sources"

# Facts deliberately not stored, with the reason (DATA.md and the issue report list them too).
EXCLUDED_FACTS = {
    "C12": "a 2016-2020 annual average: the contract's year is one integer, and a 2020 point would misstate it",
}
# Facts as printed -> unit_id in the packages.
UNIT_OF_FACT = {
    "亿吨": "yi-tonne", "亿吨 (约)": "yi-tonne", "亿吨 (超过)": "yi-tonne", "亿吨 (逾)": "yi-tonne",
    "万吨": "wan-tonne", "万吨/年": "wan-tonne", "吨": "tonne", "10000_tons": "wan-tonne",
    "billion tons": "billion-ton", "million tons": "million-tonne", "亿元": "yi-yuan",
    "count": "count", "count (以上, at least)": "count", "%": "percent", "% (more than)": "percent",
    "万立方米": "wan-m3", "万亩": "wan-mu",
}
# How each unit is printed in a quote (after folding traditional characters).
UNIT_IN_QUOTE = {
    "yi-tonne": r"亿吨", "wan-tonne": r"万吨|10000_tons", "tonne": r"吨", "billion-ton": r"billion tons",
    "million-tonne": r"million tons", "yi-yuan": r"亿元", "count": r"个|家", "percent": r"%| percent",
    "wan-m3": r"万立方米", "wan-mu": r"万亩",
}
TRADITIONAL = str.maketrans({"億": "亿", "萬": "万", "噸": "吨", "個": "个", "產": "产"})
PROVINCE = re.compile(r"^CN-[A-Z]{2}$")


def read(plan_id: str, resource: str) -> list[dict[str, str]]:
    with open(PACKAGES_DIR / plan_id / "data" / f"{resource}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def descriptor(plan_id: str) -> dict:
    return json.loads((PACKAGES_DIR / plan_id / "datapackage.json").read_text(encoding="utf-8"))


def figure_rows(plan_id: str):
    """Targets and observations of a package -> (id, row) pairs."""
    yield from ((r["target_id"], r) for r in read(plan_id, "targets"))
    yield from ((r["observation_id"], r) for r in read(plan_id, "observations"))


@pytest.fixture(scope="module")
def facts() -> dict[str, dict[str, str]]:
    if not FACTS_DIR.is_dir():
        pytest.skip(f"researched facts not found at {FACTS_DIR} (shared/ is expected beside the clone)")
    with open(FACTS_DIR / "facts.csv", encoding="utf-8", newline="") as f:
        return {r["fact_id"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def provincial() -> list[dict[str, str]]:
    if not FACTS_DIR.is_dir():
        pytest.skip(f"researched facts not found at {FACTS_DIR} (shared/ is expected beside the clone)")
    with open(FACTS_DIR / "observed_provincial.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_both_packages_exist():
    assert sorted(p.name for p in PACKAGES_DIR.iterdir() if (p / "datapackage.json").is_file()) == sorted(PLAN_IDS)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_package_is_valid_without_warnings(plan_id):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = validate(str(PACKAGES_DIR / plan_id / "datapackage.json"))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "message"])
    assert report.stats["warnings"] == 0 and report.warnings == []
    assert all(task.warnings == [] for task in report.tasks)
    assert len(report.tasks) == 7
    assert [str(w.message) for w in caught if "frictionless" in (w.filename or "")] == []


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_foreign_keys_are_enforced(plan_id, tmp_path):
    """A copy with an unknown indicator in a target fails: the schema declares its foreign keys."""
    copy = tmp_path / plan_id
    shutil.copytree(PACKAGES_DIR / plan_id, copy)
    path = copy / "data" / "targets.csv"
    text = path.read_text(encoding="utf-8")
    first = read(plan_id, "targets")[0]["indicator_id"]
    path.write_text(text.replace(f",{first},", ",no-such-indicator,", 1), encoding="utf-8")
    report = validate(str(copy / "datapackage.json"))
    assert [e[0] for e in report.flatten(["type"])] == ["foreign-key"]


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_plan_metadata(plan_id):
    d = descriptor(plan_id)
    plan = d["plan"]
    assert d["name"] == plan_id
    assert [lic["name"] for lic in d["licenses"]] == ["CC-BY-4.0"]
    assert plan["issuer"]["zh"] == "工业和信息化部"
    assert plan["issued"] is None, "no source found states an issue date"
    assert plan["issued_note"]["zh"] and plan["issued_note"]["en"]
    assert plan["region_id"] in {r["region_id"] for r in read(plan_id, "regions")}
    assert plan["source_id"] in {s["source_id"] for s in read(plan_id, "sources")}
    assert plan["predecessor"] in (set(PLAN_IDS) - {plan_id}) | {None}


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_row_cites_a_source_with_a_web_address(plan_id):
    sources = {s["source_id"]: s for s in read(plan_id, "sources")}
    rows = [r for _, r in figure_rows(plan_id)] + read(plan_id, "sites")
    for row in rows:
        source = sources[row["source_id"]]
        assert re.match(r"^https?://\S+$", source["url"]), source
        assert row["quote"].strip()
    used = {r["source_id"] for r in rows} | {r["baseline_source_id"] for r in read(plan_id, "targets")} - {""}
    assert set(sources) <= used | {descriptor(plan_id)["plan"]["source_id"]}, "every source row is cited"
    assert len({s["url"] for s in sources.values()}) == len(sources), "one row per address"
    assert all(s["accessed"] == "" for s in sources.values()), "access dates were not recorded: never invent them"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_no_derived_columns(plan_id):
    for resource in ("units", "regions", "indicators", "targets", "observations", "sites", "sources"):
        header = read(plan_id, resource)[0].keys()
        assert not [h for h in header if re.search(r"(_si$|^value_|total|^sum_|_sum$|share)", h)], (resource, header)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_no_stored_totals(plan_id):
    """No aggregate-region figure equals the sum of its member provinces' figures (same indicator, year)."""
    factor = {u["unit_id"]: float(u["factor"]) for u in read(plan_id, "units")}
    regions = read(plan_id, "regions")
    members = {r["region_id"]: [m["region_id"] for m in regions if m["member_of"] == r["region_id"]] for r in regions}
    observations = read(plan_id, "observations")
    for aggregate in (r for r in regions if r["kind"] != "province"):
        covered = members[aggregate["region_id"]] or [r["region_id"] for r in regions if PROVINCE.match(r["region_id"])]
        for row in (o for o in observations if o["region_id"] == aggregate["region_id"]):
            parts = [float(o["value"]) * factor[o["unit_id"]] for o in observations
                     if o["region_id"] in covered and (o["indicator_id"], o["year"]) == (row["indicator_id"], row["year"])]
            if len(parts) >= 2:
                assert abs(sum(parts) - float(row["value"]) * factor[row["unit_id"]]) > 1e-6 * sum(parts), row


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_figure_appears_in_its_quote(plan_id):
    for row_id, row in figure_rows(plan_id):
        quote = row["quote"].translate(TRADITIONAL)
        pattern = rf"(?<![\d.]){re.escape(row['value'])},?\s*(?:{UNIT_IN_QUOTE[row['unit_id']]})"
        assert re.search(pattern, quote), (row_id, row["value"], row["unit_id"], row["quote"])


def test_values_match_the_researched_facts(facts):
    seen = set()
    for plan_id in PLAN_IDS:
        for row_id, row in figure_rows(plan_id):
            if row_id.startswith("NBS"):
                continue
            fact = facts[row_id]
            seen.add(row_id)
            assert float(row["value"]) == float(fact["value"]), row_id
            assert row["unit_id"] == UNIT_OF_FACT[fact["unit"]], row_id
            assert row["region_id"] == fact["region"], row_id
            assert row.get("year", row.get("target_year")) == fact["year"], row_id
            assert row["quote"] == fact["quote"], row_id
            kind = "target" if "target_id" in row else {"reported": "observed"}.get(row["kind"], row["kind"])
            assert fact["kind"] == kind, row_id
        for site in read(plan_id, "sites"):
            fact = facts[site["site_id"]]
            seen.add(site["site_id"])
            assert fact["kind"] == "site" and site["quote"] == fact["quote"], site["site_id"]
            assert any(fact["value"] in site[k] for k in ("name_zh", "name_en", "city_zh", "city_en")), site["site_id"]
            assert site["region_id"] == fact["region"] and site["year"] == fact["year"], site["site_id"]
    assert set(facts) - seen == set(EXCLUDED_FACTS), "every fact is stored in a package or listed as excluded"


def test_provincial_yearbook_rows_match_the_extract(provincial):
    rows = {r["observation_id"]: r for r in read("jjj-2020-2022", "observations")
            if r["observation_id"].startswith("NBS2024-")}
    assert len(rows) == len(provincial) == 14
    for fact in provincial:
        suffix = "G" if fact["indicator"].endswith("_generated") else "U"
        row = rows[f"NBS{fact['year']}-{fact['region'][3:]}-{suffix}"]
        assert (row["region_id"], row["year"], row["value"]) == (fact["region"], fact["year"], fact["value"])
        assert row["unit_id"] == UNIT_OF_FACT[fact["unit"]] and row["kind"] == "reported"
        assert f"row '{row['quote']}'" in fact["notes"]


@pytest.fixture(scope="module")
def provincial_2021() -> list[dict[str, str]]:
    if not FACTS_DIR.is_dir():
        pytest.skip(f"researched facts not found at {FACTS_DIR} (shared/ is expected beside the clone)")
    with open(FACTS_DIR / "observed_2021_nbs.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_2021_rows_match_the_research_as_printed(provincial_2021):
    """Every one of the 31 researched 2021 figures is in the package once, under the indicator it
    measures, with the value and unit as printed, its quote reproducing the printed cell, and the
    two weaknesses the research records as flags: one copy only, the year inferred."""
    letters = {"generated": "G", "utilized": "U", "disposed": "D", "stored": "S", "dumped": "X"}
    rows = {r["observation_id"]: r for r in read("jjj-2020-2022", "observations")
            if r["observation_id"].startswith("NBS2021-")}
    assert len(rows) == len(provincial_2021) == 31
    for fact in provincial_2021:
        measure = fact["indicator"].rsplit("_", 1)[1]
        row = rows[f"NBS2021-{fact['region'][3:]}-{letters[measure]}"]
        assert row["indicator_id"] == f"general-industrial-solid-waste-{measure}"
        assert (row["region_id"], row["year"], row["value"], row["kind"]) == (fact["region"], "2021", fact["value"], "reported")
        assert row["unit_id"] == "wan-tonne" and fact["unit"] == "10000_tons"
        region, column, printed = row["quote"].split(",")
        assert f"Row '{region}', column '{column}', printed '{printed}'" in fact["notes"]
        assert printed == f"{fact['value']}万吨"
        assert row["confidence"] == "single_copy;year_inferred" and fact["agreement"] == "single"
        assert row["source_id"] == "knowledge-graph-csy2022-solid-waste"
    source = next(s for s in read("jjj-2020-2022", "sources") if s["source_id"] == "knowledge-graph-csy2022-solid-waste")
    fact = provincial_2021[0]
    assert fact["source_commit"] in source["url"] and source["authority"] == "secondary"


def test_yearbook_series_is_its_own_indicator_beside_the_target():
    indicators = {i["indicator_id"]: i for i in read("jjj-2020-2022", "indicators")}
    t01 = next(t for t in read("jjj-2020-2022", "targets") if t["target_id"] == "T01")
    utilized = {o["indicator_id"] for o in read("jjj-2020-2022", "observations") if o["observation_id"].endswith("-U")}
    assert len(utilized) == 1 and t01["indicator_id"] not in utilized
    series = indicators[utilized.pop()]
    assert series["comparable_to"] == t01["indicator_id"]
    assert "一般工业固体废物" in series["comparability_zh"] and "general industrial solid waste" in series["comparability_en"]


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_baselines_only_from_the_same_indicator_and_region(plan_id):
    baselines = [o for o in read(plan_id, "observations") if o["kind"] == "baseline"]
    for t in read(plan_id, "targets"):
        filled = [t[k] != "" for k in ("baseline_year", "baseline_value", "baseline_unit_id", "baseline_source_id")]
        assert all(filled) or not any(filled), t["target_id"]
        if all(filled):
            assert any((b["indicator_id"], b["region_id"], b["year"], b["value"], b["unit_id"], b["source_id"])
                       == (t["indicator_id"], t["region_id"], t["baseline_year"], t["baseline_value"],
                           t["baseline_unit_id"], t["baseline_source_id"]) for b in baselines), t["target_id"]


def test_headlines_and_baselines_as_researched():
    t20 = {t["target_id"]: t for t in read("jjj-2020-2022", "targets")}
    t15 = {t["target_id"]: t for t in read("jjj-2015-2017", "targets")}
    assert sorted(k for k, t in t20.items() if t["headline"] == "true") == [f"T0{n}" for n in range(1, 9)]
    assert sorted(k for k, t in t15.items() if t["headline"] == "true") == [f"P0{n}" for n in range(1, 8)]
    assert [k for k, t in {**t20, **t15}.items() if t["baseline_year"]] == ["T02"]
    assert (t20["T03"]["comparison"], t20["T10"]["comparison"], t15["P03"]["comparison"]) == ("more_than", "at_least", "about")


def test_concepts_pair_the_two_plans_honestly():
    def concept(plan_id, target_id):
        indicators = {i["indicator_id"]: i["concept"] for i in read(plan_id, "indicators")}
        target = next(t for t in read(plan_id, "targets") if t["target_id"] == target_id)
        return indicators[target["indicator_id"]]
    for new, old in (("T01", "P01"), ("T03", "P03"), ("T07", "P04"), ("T08", "P05")):
        assert concept("jjj-2020-2022", new) and concept("jjj-2020-2022", new) == concept("jjj-2015-2017", old)
    # Recycled (回收利用) and processed (加工利用) renewable resources are different measures.
    assert concept("jjj-2020-2022", "T02") != concept("jjj-2015-2017", "P02")


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_sites_outside_the_plan_are_not_tied_to_targets(plan_id):
    for site in read(plan_id, "sites"):
        if site["site_id"] in ("S18", "S19", "S20", "S21", "S17", "S22"):
            assert site["named_in_plan"] == "false" and site["target_id"] == "", site["site_id"]


def test_the_benchmarks_synthetic_packages_validate(tmp_path):
    """bench/run.py builds bench/make_synthetic.py's packages: a rule validation gains must not leave
    the benchmark measuring a refusal (a new rule on whole counts did, unnoticed until a bench run)."""
    import sys

    from plantracker.validate import validate_packages

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from make_synthetic import make_scale
    finally:
        sys.path.remove(str(REPO / "bench"))
    assert validate_packages(make_scale(2, tmp_path)) == []


# A figure in a Chinese unit inside English text ("1.5 亿吨", "397006万吨"), with what may close a
# quote or bracket around it; then its conversion must follow: " (150 million tonnes)", " = ...",
# or ": ..." (methodology: English text keeps the printed unit and converts it).
CHINESE_FIGURE = re.compile(r"\d[\d,.]*\s?[万亿][^\s'’”\"),;:.(（]*['’”\"]?")
CONVERSION_FOLLOWS = re.compile(r"\s?(\(|（|=|:)")


def english_texts(plan_id: str):
    """(where, text) of every English free text of a package: CSV columns ending _en, and the
    descriptor's English texts."""
    for resource in ("units", "regions", "indicators", "targets", "observations", "sites", "sources"):
        for n, row in enumerate(read(plan_id, resource), start=2):
            yield from ((f"{resource}.csv:{n}:{field}", text) for field, text in row.items()
                        if field.endswith("_en") and text and field != "label_en")

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{path}[{i}]")
        elif isinstance(value, str) and (path.endswith(".en") or path.endswith("_en")):
            yield f"datapackage.json{path}", value

    yield from walk(descriptor(plan_id), "")


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_english_text_converts_every_figure_in_a_chinese_unit(plan_id):
    """An English reader cannot read 9000 亿元 alone (a reader review found four figures in the plans'
    descriptions and notes without their conversion)."""
    bare = [f"{where}: {text[max(0, m.start() - 20):m.end() + 20]!r}"
            for where, text in english_texts(plan_id) for m in CHINESE_FIGURE.finditer(text)
            if not CONVERSION_FOLLOWS.match(text, m.end())]
    assert bare == []
