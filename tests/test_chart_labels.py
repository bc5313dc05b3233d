"""Chart labels a reader can use, on the real site: every bar of a plan comparison named whole and
apart from the others (the plans' names begin alike, so an axis cut them off at the part that
differs), an axis title that names something, and value labels inside the plot."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from plantracker.pipeline import REPO_ROOT
from plantracker.strings import load_strings

TEXT = re.compile(r'<text([^>]*)>(.*?)</text>', re.S)
GROUP = re.compile(r'<g class="mark-text role-(axis-label|mark layer_1_marks)"[^>]*>(.*?)</g>', re.S)
TRANSLATE = re.compile(r'transform="translate\(([-\d.]+),([-\d.]+)\)"')
STRINGS = load_strings(REPO_ROOT / "templates")


def _comparisons(site) -> list[Path]:
    """Every plan comparison chart's folder and id: charts/<plan>/compare-<target>."""
    return sorted({p.parent / p.name.split(".")[0] for p in (site.root / "assets" / "charts").glob("*/compare-*.svg")})


def _texts(svg: str) -> list[str]:
    """An SVG -> the text of each <text>, its lines (tspans) joined by "\n"."""
    return [re.sub(r"</tspan>\s*<tspan[^>]*>", "\n", re.sub(r"^<tspan[^>]*>|</tspan>$", "", body.strip())).strip()
            for _, body in TEXT.findall(svg)]


def _bar_labels(chart: Path, lang: str) -> list[str]:
    with chart.with_name(f"{chart.name}.{lang}.csv").open(encoding="utf-8-sig") as handle:
        return [row["plan_label"] for row in csv.DictReader(handle)]


def test_the_real_site_has_plan_comparisons(real_site):
    assert len(_comparisons(real_site)) >= 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_comparison_bar_is_named_whole_and_apart_from_the_others(real_site, lang):
    """Before: "JJJ industrial resource utilization action plan 2…" and "… plan 2020-20…"."""
    for chart in _comparisons(real_site):
        labels = _bar_labels(chart, lang)
        assert len(set(labels)) == len(labels) >= 2, (chart, labels)
        full = chart.with_name(f"{chart.name}.{lang}.svg").read_text(encoding="utf-8")
        axis = [text for kind, group in GROUP.findall(full) if kind == "axis-label" for _, text in TEXT.findall(group)]
        assert all(label in axis for label in labels), (chart, labels, axis)
        phone = chart.with_name(f"{chart.name}.{lang}.phone.svg").read_text(encoding="utf-8")
        # Phone bars carry "label · value" above them, the label's lines joined as they wrap.
        written = " ".join(_texts(phone)).replace("\n", " ")
        assert all(label in written for label in labels), (chart, labels)
        for svg in (full, phone):
            assert not any(text.endswith("…") for text in _texts(svg)), chart


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_comparison_names_its_plans_in_full_beside_their_labels(real_site, lang):
    """The bars' short labels (a plan's period) are tied to the plans' full names in the subtitle."""
    for chart in _comparisons(real_site):
        spec = json.loads(chart.with_name(f"{chart.name}.vegalite.{lang}.json").read_text(encoding="utf-8"))
        # Wrapped at spaces between English words, anywhere between Chinese characters.
        subtitle = ("" if lang == "zh" else " ").join(spec["title"]["subtitle"])
        with chart.with_name(f"{chart.name}.{lang}.csv").open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                assert row["plan"] and row["plan_label"] != row["plan"]
                named = STRINGS[lang]["compare_plan_named"].format(label=row["plan_label"], plan=row["plan"])
                assert named in subtitle, (chart, named)


def test_a_comparison_of_things_counted_by_other_nouns_titles_its_axis_with_a_word(real_site):
    """P04 counts "demonstration bases", T07 "utilization bases": the axis said "count"."""
    charts = real_site.root / "assets" / "charts"
    for chart in ("jjj-2020-2022/compare-T07", "jjj-2015-2017/compare-P04"):
        for lang in ("zh", "en"):
            texts = _texts((charts / f"{chart}.{lang}.svg").read_text(encoding="utf-8"))
            assert STRINGS[lang]["compare_axis_count"] in texts and "count" not in texts, (chart, lang)
    # A comparison of tonnes keeps its unit as the title.
    texts = _texts((charts / "jjj-2020-2022/compare-T01.zh.svg").read_text(encoding="utf-8"))
    assert "亿吨" in texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_comparison_value_label_is_inside_the_plot(real_site, lang):
    """The tallest bar's value ("25个") was written across the plot's top edge."""
    for chart in _comparisons(real_site):
        svg = chart.with_name(f"{chart.name}.{lang}.svg").read_text(encoding="utf-8")
        values = [(attrs, text) for kind, group in GROUP.findall(svg) if kind != "axis-label"
                  for attrs, text in TEXT.findall(group)]
        assert values, chart
        for attrs, text in values:
            # Baseline at the bottom: the text's top is its y less its font size (plot top: y = 0).
            y = float(TRANSLATE.search(attrs).group(2))
            size = float(re.search(r'font-size="([\d.]+)px"', attrs).group(1))
            assert y - size >= 0, (chart, text, y)


def test_bar_labels_add_what_tells_them_apart_when_periods_do_not():
    """Plain values in, as the pages stage passes them: a plan with two targets of one concept gets
    its target years, or its targets' ids; labels are never alike (bars with one label are drawn over
    each other), and short (an axis cuts a long one)."""
    from types import SimpleNamespace

    from plantracker.pages.target import _bar_labels

    t = STRINGS["en"]

    def plan(plan_id, start, end):
        return SimpleNamespace(plan_id=plan_id, plan={"period_start": start, "period_end": end})

    site = SimpleNamespace(plans=[plan("a", 2016, 2020), plan("b", 2016, 2020), plan("c", 2021, 2025)])
    row = lambda plan, year, name, target="t1": {"plan_id": plan, "target_year": year, "plan_en": name,  # noqa: E731
                                                 "target_id": target}
    assert _bar_labels(site, [row("a", 2020, "A"), row("c", 2025, "C")], "en", t) == ["2016–2020 plan", "2021–2025 plan"]
    assert _bar_labels(site, [row("a", 2018, "A"), row("a", 2020, "A"), row("c", 2025, "C")], "en", t) == [
        "2016–2020 plan (2018)", "2016–2020 plan (2020)", "2021–2025 plan (2025)"]
    # Two targets of one plan and year (a region and a province): their ids, short enough for any
    # axis (a region's name was cut to the part the bars share).
    assert _bar_labels(site, [row("a", 2020, "A"), row("a", 2020, "A", "t2"), row("c", 2025, "C")], "en", t) == [
        "2016–2020 plan · t1", "2016–2020 plan · t2", "2021–2025 plan · t1"]
    # Two plans of one period with targets of one id: the plans' ids too.
    labels = _bar_labels(site, [row("a", 2020, "A"), row("a", 2020, "A", "t3"), row("b", 2020, "A")], "en", t)
    assert labels == ["2016–2020 plan · a t1", "2016–2020 plan · a t3", "2016–2020 plan · b t1"]


def _units(plan: str):
    """A shipped plan's units table -> its UnitBook (the site's own number formatting)."""
    from plantracker.numbers import UnitBook

    with (REPO_ROOT / "datapackages" / plan / "data" / "units.csv").open(encoding="utf-8") as handle:
        rows = [{**r, "display_zh": r["display_zh"] == "true", "display_en": r["display_en"] == "true"}
                for r in csv.DictReader(handle)]
    return UnitBook(rows), rows


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_bar_writes_its_value_in_its_own_unit_as_the_tables_do(real_site, lang):
    """Beijing's 114万吨 was labelled "0.0114亿吨" on a bar chart whose longest bar is 2.232亿吨: the
    axis keeps the one unit (the `value` and `unit` columns), each bar's label is the figure as
    numbers.UnitBook.quantity writes it in its own unit, and as the page's tables write it."""
    checked = 0
    for path in sorted((real_site.root / "assets" / "charts").glob(f"*/target-*--*.{lang}.csv")):
        plan = path.parent.name
        book, units = _units(plan)
        prefix = "" if lang == "zh" else "en/"
        page = real_site.page(f"{prefix}{plan}/targets/{path.name.split('--')[0].removeprefix('target-')}/")
        for row in _rows(path):
            axis = next(u for u in units if u[f"label_{lang}"] == row["unit"] and u[f"display_{lang}"])
            written = book.quantity(float(row["value"]) * float(axis["factor"]), axis["dimension"], lang)
            # A qualifier ("约", "about") may stand before the figure, as on the page.
            assert row["value_text"].endswith(written), (path.name, row["value_text"], written)
            assert f">{row['value_text']}<" in page, (path.name, row["value_text"])
            checked += 1
    assert checked >= 7


def test_a_small_figure_beside_large_ones_keeps_its_unit_on_bars_and_tiles(real_site):
    charts = real_site.root / "assets" / "charts" / "jjj-2020-2022"
    bars = "target-T01--general-industrial-solid-waste-utilized-2021"
    for lang, beijing, tianjin, hebei in (("zh", "114万吨", "1921万吨", "2.232亿吨"),
                                          ("en", "1.14\u00a0million tonnes", "19.21\u00a0million tonnes",
                                           "223.2\u00a0million tonnes")):
        for suffix in ("", ".phone"):
            texts = " ".join(_texts((charts / f"{bars}.{lang}{suffix}.svg").read_text(encoding="utf-8")))
            assert beijing in texts and tianjin in texts and hebei in texts, (lang, suffix)
            assert "0.0114" not in texts
        rows = {r["region_id"]: r for r in _rows(charts / f"map-2021.{lang}.csv")}
        assert (rows["CN-BJ"]["value_text"], rows["CN-TJ"]["value_text"], rows["CN-HE"]["value_text"]) == (beijing, tianjin, hebei)
        # The map's legend counts 亿吨: with tiles in another unit, every tile names its unit (zh); in
        # English every figure is in the map's unit, so the tiles give the numbers alone.
        tiles = _texts((charts / f"map-2021.{lang}.svg").read_text(encoding="utf-8"))
        if lang == "zh":
            assert "114万吨" in tiles and "1921万吨" in tiles and "2.232亿吨" in tiles
        else:
            assert "1.14" in tiles and "19.21" in tiles and "223.2" in tiles
        assert not any("0.0114" in text or "0.1921" in text for text in tiles)
        page = real_site.page(("" if lang == "zh" else "en/") + "jjj-2020-2022/map/")
        assert f">{beijing}<" in page and "0.0114" not in page


def test_each_plan_in_a_comparison_is_quoted_with_its_targets_own_words(real_site):
    """The 2020 plan's side quoted only its indicator's name (原文“产业总产值”) beside the 2015
    plan's whole clause (原文“创造约2200亿元的产值”): each side now quotes its target's words."""
    page = real_site.page("jjj-2020-2022/targets/T03/")
    assert "原文“产业总产值突破9000亿元”" in page and "原文“创造约2200亿元的产值”" in page
    assert "原文“产业总产值”" not in page


def test_no_caption_says_its_title_twice(real_site):
    """Captions read "<title> <title>：<summary>" on the province bars and plan comparisons (found by
    a reader review): the title stands beside the summary, not again inside it."""
    import html as html_lib

    captions = 0
    for page in sorted(real_site.root.rglob("*.html")):
        for title, summary in re.findall(r"<figcaption><strong>(.*?)</strong> (.*?)</figcaption>",
                                         page.read_text(encoding="utf-8")):
            captions += 1
            assert html_lib.unescape(title) not in html_lib.unescape(summary), (page, title)
    assert captions >= 70  # every chart of the shipped site (70 in 2026.1) is captioned on some page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_csv_gives_each_figure_as_a_number_in_the_maps_unit(real_site, lang):
    """The map's CSV had only the figure as text, each in its own unit (114万吨) beside a `unit`
    column of 亿吨 (found by a reader review): `value` is now the number in that unit."""
    checked = 0
    for path in sorted((real_site.root / "assets" / "charts").glob(f"*/map-*.{lang}.csv")):
        for row in _rows(path):
            if not row["value"]:
                assert not row["source"], row  # a province without a figure has no source either
                continue
            number = float(row["value"])
            assert number >= 0 and re.fullmatch(r"\d+(\.\d+)?", row["value"]), row
            checked += 1
    assert checked >= 7


def test_a_figure_far_below_its_chart_unit_keeps_its_digits():
    from plantracker.numbers import plain_value

    assert plain_value(0.0000001e4 / 1e8) == 1e-11  # 0.0000001万吨 on a 亿吨 axis (was 0)
    assert plain_value(1921e4 / 1e8) == 0.1921


@pytest.mark.parametrize(("lang", "hebei", "beijing"), [("zh", "河北省：2.232亿吨", "北京市：114万吨"),
                                                        ("en", "Hebei: 223.2 million tonnes", "Beijing: 1.14 million tonnes")])
def test_a_computed_sum_names_each_province_and_figure_it_adds(real_site, lang, hebei, beijing):
    """The sums' "how" cell listed observation ids (NBS2021-BJ-U + ...) that no table on the page
    shows (found by a reader review): it names each province and its figure, largest first (as the
    chart ranks them; the ids' order read as no order)."""
    page = real_site.page(("" if lang == "zh" else "en/") + "jjj-2020-2022/targets/T01/")
    cells = [cell.replace("\xa0", " ") for cell in
             re.findall(r'<td data-label="(?:由以下观测值相加|Sum of these observations)">([^<]*)</td>', page)]
    assert cells and all(" + " in cell for cell in cells)
    assert any(cell.startswith(hebei) and cell.endswith(beijing) for cell in cells), cells[:1]
    assert not any("NBS2021-" in cell for cell in cells)


def test_map_tiles_write_their_unit_alike(real_site):
    """The 2021 map's tiles read "2.232" beside "114万吨" (found by a second reader review): where one
    figure is in another unit than the map's, every tile names its unit; else none does."""
    checked = 0
    for path in sorted((real_site.root / "assets" / "charts").glob("*/map-*.json")):
        if ".vegalite." not in path.name:
            continue
        spec = json.loads(path.read_text(encoding="utf-8"))
        rows = [r for r in _spec_rows(spec) if r.get("tile_text") and r.get("source")]
        if not rows:
            continue
        with_unit = [r["tile_text"] == r["value_text"] for r in rows]
        assert all(with_unit) or not any(with_unit), (path.name, [r["tile_text"] for r in rows])
        checked += 1
    assert checked >= 4


def _spec_rows(spec) -> list[dict]:
    """Every data row inlined anywhere in a Vega-Lite spec."""
    found = []
    if isinstance(spec, dict):
        values = spec.get("values")
        if isinstance(values, list):
            found += [v for v in values if isinstance(v, dict)]
        for value in spec.values():
            found += _spec_rows(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _spec_rows(value)
    return found


def test_a_comparison_standing_alone_names_what_it_compares(real_site):
    """Its caption and embed page were titled "The plans' targets side by side" only, so "4亿吨 /
    8亿吨" of what was unclear (found by both second-round reviews)."""
    page = real_site.page("jjj-2020-2022/targets/T01/")
    assert "<figcaption><strong>区域年综合利用工业固废量 · 各期计划目标对比</strong>" in page
    embed = (real_site.root / "embed" / "jjj-2020-2022" / "compare-T01.en.html").read_text(encoding="utf-8")
    assert "<title>Industrial solid waste comprehensively utilized per year · The plans&#39; targets" in embed


def test_the_map_table_gives_a_figure_as_printed_only_where_it_differs(real_site):
    page = real_site.page("jjj-2020-2022/map/")
    assert '<span class="pt-value">1.3814亿吨</span><small>（原单位数值：13814万吨）</small>' in page
    assert "184万吨</span><small>（原单位数值：184万吨）" not in page  # was said twice
    assert '<span class="pt-value">184万吨</span>' in page
