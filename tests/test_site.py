"""The real site and the fixture plan's site, built by the real pipeline: pages, numbers, charts."""
from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

from plantracker.pipeline import REPO_ROOT

PLAN = "jjj-2020-2022"
PREDECESSOR = "jjj-2015-2017"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def text_of(page_html: str) -> str:
    """HTML -> its visible text, whitespace folded (good enough to look for figures)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_every_target_has_a_page_in_both_languages(real_site):
    for plan in (PLAN, PREDECESSOR):
        for target in rows(REPO_ROOT / "datapackages" / plan / "data" / "targets.csv"):
            for prefix in ("", "en/"):
                page = real_site.page(f"{prefix}{plan}/targets/{target['target_id']}/")
                assert target["wording_zh"] in html.unescape(page)


def test_target_value_is_shown_in_each_languages_units(real_site):
    zh = text_of(real_site.page(f"{PLAN}/targets/T01/"))
    en = text_of(real_site.page(f"en/{PLAN}/targets/T01/"))
    # T01 states a level to reach (达 8 亿吨), not a floor: no "at least" is added to its words.
    assert "目标： 8亿吨 （2022年）" in zh and "不少于8亿吨" not in zh
    assert "Target: 800 million tonnes (2022)" in en and "at least 800 million tonnes" not in en
    # T03 is worded 突破 (more than) 9000 亿元
    assert "超过9000亿元" in text_of(real_site.page(f"{PLAN}/targets/T03/"))
    assert "more than 900 billion yuan" in text_of(real_site.page(f"en/{PLAN}/targets/T03/"))


def test_target_without_comparable_figure_says_so_and_shows_no_reported_number(real_site):
    zh = text_of(real_site.page(f"{PLAN}/targets/T01/"))
    assert "数据不足" in zh
    assert "没有找到与该目标同口径、同地区的报告数值" in zh
    en = text_of(real_site.page(f"en/{PLAN}/targets/T01/"))
    assert "Not enough data" in en
    assert "Latest reported no reported figure found" in en


def test_province_figures_match_the_csv_and_their_sum_is_labelled_computed(real_site):
    observations = [r for r in rows(REPO_ROOT / "datapackages" / PLAN / "data" / "observations.csv")
                    if r["year"] == "2024" and r["region_id"].startswith("CN-")]
    assert len(observations) == 14
    for row in observations:
        region_page = text_of(real_site.page(f"{PLAN}/regions/{row['region_id']}/"))
        assert f"{row['value']}万吨" in region_page, row
    t01 = text_of(real_site.page(f"{PLAN}/targets/T01/"))
    utilized = [r for r in observations if r["indicator_id"].endswith("utilized")]
    total = sum(float(r["value"]) for r in utilized)  # 万吨
    assert re.search(rf"{total / 1e4:g}亿吨\s*（本站计算）", t01)
    assert "7/7 个省份" in t01


def test_every_chart_appears_three_ways(real_site):
    page = real_site.page(f"{PLAN}/targets/T01/")
    figures = re.findall(r'<figure class="pt-chart" id="chart-([^"]+)" data-spec="([^"]+)"[^>]*>\s*'
                         r'<picture>\s*<source [^>]+>\s*<img src="([^"]+)"', page)
    assert len(figures) >= 2
    base = real_site.root / PLAN / "targets" / "T01"
    for chart_id, spec_href, svg_href in figures:
        spec = json.loads((base / spec_href).resolve().read_text(encoding="utf-8"))
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        svg = (base / svg_href).resolve().read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg")
        png = (base / svg_href.replace(".svg", ".png")).resolve().read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        chart_csv = (base / svg_href.replace(".svg", ".csv")).resolve()
        data_rows = rows(chart_csv)
        # the table under the chart has a row per plotted figure (the path line is drawn, not tabled)
        plotted = [r for r in spec_data(spec) if r.get("series") != "path"]
        assert len(plotted) == len([r for r in data_rows if r.get("series") != "path"])
        assert 'aria-label="图表数据：' in page


def test_chart_images_carry_their_rendered_size(real_site):
    """Pages are written while most charts still render (their size is fixed by kind): the width
    and height on every chart image must still be the SVG's own, or the page jumps as it loads."""
    checked = 0
    for page in real_site.root.rglob("index.html"):
        html_text = page.read_text(encoding="utf-8")
        for src, width, height in re.findall(
                r'<img src="([^"]+\.svg)" alt="[^"]*" width="(\d+)" height="(\d+)"', html_text):
            svg = (page.parent / src).resolve().read_text(encoding="utf-8")
            size = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
            assert (round(float(size.group(1))), round(float(size.group(2)))) == (int(width), int(height)), (page, src)
            checked += 1
    assert checked >= real_site.result.charts  # every chart is shown at least once


def spec_data(spec: dict) -> list[dict]:
    if "data" in spec and "values" in spec["data"]:
        return spec["data"]["values"]
    return next(layer["data"]["values"] for layer in spec.get("layer", []) if "data" in layer)


def test_no_third_party_assets(real_site):
    pattern = re.compile(r'<(?:script|img|iframe)[^>]+src="(https?:)?//|<link[^>]+href="(https?:)?//(?!jjj-resource-tracker)')
    for page in real_site.root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not pattern.search(text), page
        assert "fonts.googleapis" not in text


def test_fixture_plan_builds_its_own_site(mini_site):
    home = text_of(mini_site.page(""))
    assert "示例计划" in home
    assert "京津冀" not in home
    assert "Example plan" in text_of(mini_site.page("en/"))
    statuses = {tid: text_of(mini_site.page(f"mini-plan/targets/{tid}/")) for tid in ("xa-recycled", "xb-points", "xr-recycled")}
    assert "落后于计划" in statuses["xa-recycled"]      # 40万吨 in 2021 against 50万吨 required on the path
    assert "50万吨" in statuses["xa-recycled"]
    assert "已实现" in statuses["xb-points"]
    assert "数据不足" in statuses["xr-recycled"]
    assert not (mini_site.root / PLAN).exists()


def test_release_version_and_date_on_home(real_site):
    from plantracker.settings import load_release

    release = load_release(REPO_ROOT / "release.toml")
    home = text_of(real_site.page(""))
    assert release.version in home and release.date.isoformat() in home


def test_reuse_files_are_published_with_the_site(real_site):
    import feedparser

    from plantracker.settings import load_release

    release = load_release(REPO_ROOT / "release.toml")
    charts = sorted(real_site.root.glob("assets/charts/*/*.vegalite.zh.json"))
    assert charts
    for spec in charts:
        chart_id = spec.name.removesuffix(".vegalite.zh.json")
        for lang in ("zh", "en"):
            assert (real_site.root / "embed" / spec.parent.name / f"{chart_id}.{lang}.html").is_file()
    for lang in ("zh", "en"):
        feed = feedparser.parse((real_site.root / f"feed.{lang}.xml").read_bytes())
        assert not feed.bozo
        assert release.version in feed.entries[0].title
    plans = json.loads((real_site.root / "api" / "plans.json").read_text(encoding="utf-8"))
    assert {p["id"] if "id" in p else p["plan_id"] for p in plans["rows"]} == {PLAN, PREDECESSOR}
    api_rows = json.loads((real_site.root / "api" / PLAN / "observations.json").read_text(encoding="utf-8"))["rows"]
    assert len(api_rows) == len(rows(REPO_ROOT / "datapackages" / PLAN / "data" / "observations.csv"))
    assert 'class="pt-embed"' in real_site.page(f"{PLAN}/targets/T02/")


def test_every_page_has_a_title_and_how_to_cite_and_no_template_leaks(real_site):
    from plantracker.settings import load_release

    release = load_release(REPO_ROOT / "release.toml")
    pages = [p for p in real_site.root.rglob("index.html") if "embed" not in p.parts]
    assert len(pages) > 90
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        text = text_of(raw)
        assert 'title: "' not in text and "{{" not in raw.split("<pre")[0] and "{%" not in raw, page
        assert ("如何引用" in text or "How to cite" in text), page
        assert release.url in text, page
        assert "CC BY 4.0" in text, page  # the licence line in the footer


def test_canonical_links_and_sitemap_name_the_latest_alias(real_site):
    """Published pages live under <version>/ and latest/ only (the site root redirects), so every
    absolute page address the site gives out must be under latest/, never the bare site root."""
    latest = real_site.result.release.latest_url
    page = real_site.page(f"{PLAN}/targets/T01/")
    assert f'<link rel="canonical" href="{latest}{PLAN}/targets/T01/">' in page
    assert f'<link rel="alternate" href="{latest}en/{PLAN}/targets/T01/" hreflang="en">' in page
    locs = re.findall(r"<loc>([^<]+)</loc>", (real_site.root / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locs) == real_site.result.pages and all(loc.startswith(latest) for loc in locs)


def test_search_index_has_no_english_entry_repeating_a_chinese_one(real_site):
    """mkdocs.yml turns off the i18n plugin's (quadratic) search de-duplication: every page is
    written in both languages, so no en entry may repeat a zh entry's title and text."""
    entries = json.loads((real_site.root / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    zh = {(e["title"], e["text"], e["location"]) for e in entries if not e["location"].startswith("en/")}
    en = [e for e in entries if e["location"].startswith("en/")]
    assert zh and en
    assert not [e["location"] for e in en if (e["title"], e["text"], e["location"].removeprefix("en/")) in zh]


def _sidebar_links(page_html: str) -> list[str]:
    """A page -> the links of its navigation sidebar (Material's primary sidebar, before the table of contents)."""
    start = page_html.index("md-sidebar--primary")
    return re.findall(r'href="([^"]*)"', page_html[start:page_html.index("md-sidebar--secondary", start)])


def test_each_plan_is_a_navigation_section_while_there_are_few(real_site):
    links = _sidebar_links(real_site.page(f"{PLAN}/targets/T01/"))
    assert any(f"{PREDECESSOR}/" in link for link in links)
    assert not any(link.rstrip("/").endswith("plans") for link in links)
    assert not (real_site.root / "plans").exists()


def test_many_plans_get_one_plans_page_instead_of_a_navigation_section_each(many_plans_site):
    """Past nav.NAV_PLAN_SECTIONS_MAX plans, the sidebar would carry every plan on every page (page
    size and build time growing with the square of the plans): one "Plans" page lists them instead."""
    site = many_plans_site
    for prefix in ("", "en/"):
        links = _sidebar_links(site.page(f"{prefix}{PLAN}/targets/T01/"))
        assert "../../../plans/" in links
        assert not [link for link in links if PLAN in link or PREDECESSOR in link]
        listing = site.page(f"{prefix}plans/")
        for plan in (PLAN, PREDECESSOR):
            assert f'href="../{plan}/"' in listing
    # Every page of a plan stays one link away from its overview, which the Plans page lists.
    overview = site.page(f"{PLAN}/")
    for path in ("targets/T01/", "map/", "sites/", "sources/"):
        assert f'href="{path}"' in overview
