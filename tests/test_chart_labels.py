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
    its target years; two plans of one period are named in full."""
    from types import SimpleNamespace

    from plantracker.pages.target import _bar_labels

    t = STRINGS["en"]
    plans = [SimpleNamespace(plan_id=p, plan={"period_start": 2016, "period_end": 2020}) for p in ("a", "b")]
    site = SimpleNamespace(plans=[*plans, SimpleNamespace(plan_id="c", plan={"period_start": 2021, "period_end": 2025})])
    row = lambda plan, year, name: {"plan_id": plan, "target_year": year, "plan_en": name}  # noqa: E731
    assert _bar_labels(site, [row("a", 2020, "A"), row("c", 2025, "C")], "en", t) == ["2016–2020 plan", "2021–2025 plan"]
    assert _bar_labels(site, [row("a", 2018, "A"), row("a", 2020, "A"), row("c", 2025, "C")], "en", t) == [
        "2016–2020 plan (2018)", "2016–2020 plan (2020)", "2021–2025 plan (2025)"]
    assert _bar_labels(site, [row("a", 2020, "A"), row("b", 2020, "B")], "en", t) == ["A (2020)", "B (2020)"]
