"""Every figure true to its source (issue 16) and the 2021 figures shown where readers look
(issue 17), on the real site built from the shipped packages: the source's own words beside every
figure, confidence flags as visible markers with their explanation, caveats that travel with a
related series (chart subtitle, caption, summary, embed, map, beside computed sums), chart CSVs
with source, URL, quote and unit, the home page leading with what is known, and what is missing."""
from __future__ import annotations

import csv
import html
import html.parser
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PLAN = "jjj-2020-2022"


class Text(html.parser.HTMLParser):
    """An HTML page -> its visible text (script and style left out) and its elements' attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip, self.tags = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def parsed(page: str) -> Text:
    parser = Text()
    parser.feed(page)
    return parser


def text_of(page: str) -> str:
    return " ".join(" ".join(parsed(page).parts).split())


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def article(page: str) -> str:
    """A built page -> its <article> (the content, without the navigation and table of contents)."""
    match = re.search(r"<article\b.*?</article>", page, re.S)
    return match.group(0) if match else page


@pytest.fixture(scope="module")
def pages(real_site) -> dict[str, str]:
    """Every built page's visible content text, by site path."""
    return {p.relative_to(real_site.root).as_posix(): text_of(article(p.read_text(encoding="utf-8")))
            for p in real_site.root.rglob("index.html")}


def test_every_observation_quote_is_on_a_page_in_both_languages(real_site, pages):
    for package in sorted((REPO / "datapackages").glob("*/datapackage.json")):
        for row in rows(package.parent / "data" / "observations.csv"):
            quote = " ".join(row["quote"].split())
            zh = [p for p, text in pages.items() if not p.startswith("en/") and quote in text]
            en = [p for p, text in pages.items() if p.startswith("en/") and quote in text]
            assert zh and en, (row["observation_id"], quote)


def test_the_2021_figures_show_on_their_region_pages_with_their_flags(pages):
    for region, generated in (("CN-BJ", "194万吨"), ("CN-HE", "40899万吨"), ("CN-HA", "16647万吨")):
        text = pages[f"{PLAN}/regions/{region}/index.html"]
        assert generated in text and "2021" in text and "2024" in text
        assert "单一副本" in text and "年份为推断" in text
        assert "只找到这一份副本，未能与第二份独立来源核对。" in text  # the legend explains each marker
        en = pages[f"en/{PLAN}/regions/{region}/index.html"]
        assert "single copy" in en and "year inferred" in en


def test_flags_link_to_their_explanation_on_the_same_page(real_site):
    page = real_site.page(f"{PLAN}/regions/CN-SX/")
    tags = parsed(page).tags
    links = {a["href"] for tag, a in tags if tag == "a" and "pt-flag" in a.get("class", "")}
    targets = {a.get("id") for _, a in tags}
    assert links >= {"#flag-single_copy", "#flag-year_inferred"} and {h[1:] for h in links} <= targets


def test_the_target_has_no_reported_figure_and_the_computed_sum_carries_its_caveats(pages):
    text = pages[f"{PLAN}/targets/T01/index.html"]
    # The yearbook series never stands in the target's "latest reported" slot.
    inputs = text.split("判断依据")[1].split("进展状态")[0]
    assert "未找到报告数值" in inputs and "8.9842亿吨" not in inputs and "10.4915亿吨" not in inputs
    # The site's own sums stand with the related series, each beside its caveats.
    related = text.split("相关数据")[1]
    for total, outside in (("8.9842亿吨", False), ("10.4915亿吨", True)):
        row = related.split(total)[1].split("河北省：")[0]  # the row ends with what it adds up, Hebei (largest) first
        assert "本站计算" in row and "不能说明目标是否完成" in row
        assert "不是“区域年综合利用工业固废量”的衡量口径" in row
        assert ("计划期（2020–2022年）之外" in row) == outside
        assert "单一副本" in row and "年份为推断" in row


def test_caveats_travel_with_the_related_chart_into_its_spec_svg_png_embed_and_summary(real_site):
    charts = real_site.root / "assets" / "charts" / PLAN
    spec = json.loads((charts / "target-T01--general-industrial-solid-waste-utilized-2024.vegalite.zh.json").read_text("utf-8"))
    subtitle = "".join(spec["title"]["subtitle"])
    assert "不是“区域年综合利用工业固废量”的衡量口径" in subtitle and "2024年在计划期" in subtitle
    svg = (charts / "target-T01--general-industrial-solid-waste-utilized-2024.zh.svg").read_text("utf-8")
    assert "2024年在计划期" in html.unescape(svg)
    embed = (real_site.root / "embed" / PLAN / "target-T01--general-industrial-solid-waste-utilized-2024.zh.html")
    assert "2024年在计划期" in text_of(embed.read_text("utf-8"))
    page = real_site.page(f"{PLAN}/targets/T01/")
    figures = re.findall(r"<figure[^>]*chart-target-T01--general[^>]*>(.*?)</figure>", page, re.S)
    assert figures and all("不能说明目标是否完成" in html.unescape(f) for f in figures)  # alt text and caption


def test_the_map_compares_both_years_and_carries_the_caveats(real_site, pages):
    text = pages[f"{PLAN}/map/index.html"]
    assert "2021" in text and "2024" in text and "2024年在计划期" in text
    page = real_site.page(f"{PLAN}/map/")
    assert 'id="chart-map-2024"' in page and 'id="chart-map-2021"' in page
    assert page.count('class="pt-embed"') == 2  # each map has the embed box its embed page offers
    header = re.search(r"<thead>(.*?)</thead>", page.split("pt-map-table")[1], re.S).group(1)
    assert "<th scope=\"col\">2024</th>" in header and "<th scope=\"col\">2021</th>" in header
    for lang in ("zh", "en"):
        spec = json.loads((real_site.root / "assets" / "charts" / PLAN / f"map-2024.vegalite.{lang}.json").read_text("utf-8"))
        assert any("2024" in line for line in spec["title"]["subtitle"][2:]), spec["title"]["subtitle"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_value_on_a_class_edge_falls_in_the_class_whose_words_hold_it(lang):
    """"1.5–2亿吨 / 2–2.5亿吨" let 2亿吨 fit both; the legend says which side holds the edge, and
    the tile's class is the one it says, also where 3 x 0.2 x 1e8 is not 6e7 in binary."""
    from plantracker.numbers import DisplayUnit
    from plantracker.pages.map import _class_labels, class_edges, class_of
    from plantracker.strings import load_strings

    t = load_strings(REPO / "templates")[lang]
    unit = DisplayUnit(1e8, "亿吨") if lang == "zh" else DisplayUnit(1e6, "million tonnes")
    values = [0.2e8, 0.4e8, 0.6e8, 0.8e8, 1e8]
    edges = class_edges(values, unit)
    labels = _class_labels(edges, unit, unit.label, lang, t)
    if lang == "zh":
        assert labels[2:] == ["0.4至不足0.6亿吨", "0.6至不足0.8亿吨", "0.8至1亿吨"]
    else:
        assert labels[2:] == ["40–<60\u00a0million tonnes", "60–<80\u00a0million tonnes", "80–100\u00a0million tonnes"]
    assert [labels[class_of(v, edges, unit)] for v in values] == labels[1:4] + labels[4:] * 2


def test_the_maps_legends_say_which_side_holds_an_edge(real_site):
    for lang, below in (("zh", "1.5至不足2亿吨"), ("en", "150–<200\u00a0million tonnes")):
        spec = json.loads((real_site.root / "assets" / "charts" / PLAN / f"map-2024.vegalite.{lang}.json").read_text("utf-8"))
        assert below in json.dumps(spec, ensure_ascii=False)


def test_the_two_plan_comparison_states_what_differs_and_cites_both_targets(pages, real_site):
    text = pages[f"{PLAN}/targets/T01/index.html"]
    assert "6个省级地区" in text and "7个省级地区" in text
    assert "年消纳工业固体废物" in text and "区域年综合利用工业固废量" in text
    with (real_site.root / "assets" / "charts" / PLAN / "compare-T01.zh.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert all(row["source"] and row["source_url"].startswith(("https://", "http://")) and row["quote"] for row in table)


@pytest.mark.parametrize("chart", [f"{PLAN}/compare-T07", "jjj-2015-2017/compare-P04"])
def test_each_plans_target_in_a_comparison_counts_its_own_things(real_site, pages, chart):
    """P04 builds 10 "demonstration bases" (示范基地), T07 25 "utilization bases": a bar, its table
    row, the summary and the CSV word each plan's target with its own indicator's noun."""
    with (real_site.root / "assets" / "charts" / f"{chart}.en.csv").open(encoding="utf-8-sig") as handle:
        table = {row["target_id"]: row for row in csv.DictReader(handle)}
    assert table["P04"]["value_text"] == "10\u00a0demonstration bases" and table["P04"]["unit"] == "demonstration bases"
    assert table["T07"]["value_text"] == "25\u00a0utilization bases" and table["T07"]["unit"] == "utilization bases"
    text = pages[f"en/{chart.split('/')[0]}/targets/{chart.split('-')[-1]}/index.html"]
    assert "2015–2017 plan: 10 demonstration bases" in text and "10 utilization bases" not in text


def test_no_table_has_an_empty_in_the_source_unit_column(real_site):
    """The two-plan comparisons' tables had that column empty in every row: each target's value in
    its source's unit fills it ("约2200亿元", "more than 9,000 亿元 (900 billion yuan)")."""
    from markupsafe import escape

    from plantracker.strings import load_strings

    strings = load_strings(REPO / "templates")
    for path in real_site.root.rglob("index.html"):
        page = path.read_text(encoding="utf-8")
        lang = "en" if path.relative_to(real_site.root).parts[0] == "en" else "zh"
        heading = escape(strings[lang]["value_in_source_unit"])  # as the templates escape it
        assert f'<td data-label="{heading}"></td>' not in page, path
    t03 = text_of(article(real_site.page(f"en/{PLAN}/targets/T03/")))
    assert "about 2,200 亿元 (220 billion yuan)" in t03.split(strings["en"]["plans_compared"])[-1]


def test_chart_csvs_carry_unit_source_url_quote_and_flags(real_site):
    charts = real_site.root / "assets" / "charts" / PLAN
    with (charts / "target-T01--general-industrial-solid-waste-utilized-2021.en.csv").open(encoding="utf-8-sig") as h:
        table = list(csv.DictReader(h))
    assert {"unit", "source", "source_url", "authority", "quote", "confidence"} <= set(table[0])
    hebei = next(r for r in table if r["figure_id"] == "NBS2021-HE-U")
    assert hebei["quote"] == "河北,一般工业固体废物综合利用量,22320万吨"
    assert hebei["source_url"].startswith("https://github.com/lifeiyang123/knowledge_graph/blob/4404c2b")
    assert hebei["confidence"] == "single_copy;year_inferred" and hebei["unit"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_leads_with_what_is_known_then_the_table(pages, lang):
    text = pages["index.html" if lang == "zh" else "en/index.html"]
    known = text.split("主要目标" if lang == "zh" else "Headline targets")[0]
    if lang == "zh":
        assert "找到的分省数据" in known and "一般工业固体废物综合利用量 · 2021" in known
        assert "官方分省" not in known  # the figures found are copies of official tables, not the tables
        assert "二手汇编" in known  # each line names the grade of its sources
        assert "缺少什么" in known and "11项目标中有11项" in known
    else:
        assert "Provincial figures found" in known and "What is missing" in known
        assert "secondary compilation" in known
    assert "2024" in known


def test_the_missing_page_lists_each_gap_and_what_would_fill_it(pages, real_site):
    text = pages[f"{PLAN}/missing/index.html"]
    assert "区域年综合利用工业固废量" in text and "一般工业固体废物综合利用量" in text
    assert "缺" in text and "22320万吨" in text  # a filled 2021 cell, with its flags
    assert "单一副本" in text
    page = real_site.page(f"{PLAN}/missing/")
    assert page.count("pt-cell--missing") > 10 and "pt-cell--filled" in page


def test_the_missing_page_explains_its_markers_and_names_the_nearest_official_table(real_site, pages):
    page = real_site.page(f"{PLAN}/missing/")
    tags = parsed(page).tags
    links = {a["href"] for tag, a in tags if tag == "a" and "pt-flag" in a.get("class", "")}
    assert links and {h[1:] for h in links} <= {a.get("id") for _, a in tags}
    # The earlier plan's target series has no official table; the page names the nearest one.
    earlier = pages["jjj-2015-2017/missing/index.html"]
    assert "最接近的官方统计序列是“一般工业固体废物综合利用量”" in earlier
    assert "各地区一般工业固体废物产生及利用情况" in earlier


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_read_as_the_plan_words_them(pages, lang):
    """A target the plan states as a bare level ("区域年综合利用工业固废量8亿吨") is shown without
    "at least"; "10个以上" keeps it; "突破9000亿元" keeps "more than" in the chart data too."""
    prefix = "" if lang == "zh" else "en/"
    t01 = pages[f"{prefix}{PLAN}/targets/T01/index.html"]
    t10 = pages[f"{prefix}{PLAN}/targets/T10/index.html"]
    if lang == "zh":
        assert "目标：8亿吨（2022年）" in t01 and "不少于8亿吨" not in t01
        assert "不少于10个" in t10
    else:
        assert "Target: 800 million tonnes (2022)" in t01 and "at least 800 million" not in t01
        assert "at least 10 production bases" in t10


def test_target_and_baseline_keep_their_qualifiers_in_chart_data_and_summaries(real_site, pages):
    charts = real_site.root / "assets" / "charts"
    with (charts / "jjj-2015-2017" / "target-P03.zh.csv").open(encoding="utf-8-sig") as handle:
        target = next(r for r in csv.DictReader(handle) if r["series"] == "target")
    assert target["value_text"] == "约2200亿元"
    with (charts / PLAN / "target-T03.en.csv").open(encoding="utf-8-sig") as handle:
        target = next(r for r in csv.DictReader(handle) if r["series"] == "target")
    assert target["value_text"] == "more than 900\u00a0billion yuan"
    # T02's baseline: "about 150 million tons" (B03), in the inputs, the chart summary and the API.
    assert "约1.5亿吨（2017年）" in pages[f"{PLAN}/targets/T02/index.html"]
    assert "about 150 million tonnes (2017)" in pages[f"en/{PLAN}/targets/T02/index.html"]
    status = json.loads((real_site.root / "api" / PLAN / "status.json").read_text(encoding="utf-8"))
    assert next(r for r in status["rows"] if r["target_id"] == "T02")["baseline_qualifier"] == "about"


def test_figures_as_printed_by_an_english_source_keep_its_unit(pages):
    """B01 was printed "about 1.37 billion tons" by an English translation: never "1.37 十亿吨" in
    English, and in Chinese words on a Chinese page (its words stay in the quote)."""
    en = pages[f"en/{PLAN}/regions/REGION/index.html"]
    zh = pages[f"{PLAN}/regions/REGION/index.html"]
    assert "十亿吨" not in en and "about 1.37 billion tonnes" in en
    assert "约1.37十亿吨（13.7亿吨）" in zh and "1.37 billion tons" in zh


def test_no_target_id_can_take_another_charts_file_name(tmp_path):
    """A related series' chart joins target, indicator and year with "--", which no id may hold: a
    target whose id reads like T01's related chart (T01-<indicator>-2021) gets a chart of its own."""
    import shutil

    from plantracker.settings import Release
    from stages import pages_of

    data = tmp_path / "data"
    shutil.copytree(REPO / "datapackages", data)
    targets = data / PLAN / "data" / "targets.csv"
    text = targets.read_text("utf-8")
    t01 = next(line for line in text.splitlines() if line.startswith("T01,"))
    twin = "T01-general-industrial-solid-waste-utilized-2021"
    targets.write_text(text.rstrip("\n") + "\n" + t01.replace("T01,", twin + ",", 1) + "\n", encoding="utf-8")
    import datetime as dt

    pages = pages_of(data, Release("2026.1", dt.date(2026, 11, 29), "https://example.org/"))
    keys = [chart.key for page in pages for chart in page.charts]
    assert len(keys) == len(set(keys)), "two charts share a file name"
    ids = {chart.chart_id for page in pages for chart in page.charts}
    assert {f"target-{twin}", "target-T01--general-industrial-solid-waste-utilized-2021"} <= ids


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_a_region_lists_places_the_plan_did_not_name_under_their_own_heading(pages, prefix):
    """Shuozhou (S15) is on MIIT's list of results, not in the 2015-2017 plan's text (named_in_plan
    false): its region page must not put it under "Places named by the plan"."""
    from plantracker.strings import load_strings

    t = load_strings(REPO / "templates")["en" if prefix else "zh"]
    text = pages[f"{prefix}jjj-2015-2017/regions/CN-SX/index.html"]
    place = "Shuozhou" if prefix else "朔州"
    assert t["sites_other"] in text and text.index(t["sites_other"]) < text.index(f"{place} — ")
    assert t["sites_named"] not in text


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_a_map_without_figures_heads_its_column(real_site, prefix):
    """The 2015-2017 plan has no provincial figure: its map table's one column is headed, never "None"."""
    page = (real_site.root / f"{prefix}jjj-2015-2017/map/index.html").read_text(encoding="utf-8")
    assert ">None<" not in page and 'data-label="None"' not in page
