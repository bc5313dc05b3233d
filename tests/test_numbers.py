"""Numbers with units in both languages (plantracker/numbers.py), from the shipped units table:
exact strings the pages must show, and properties that hold for any value."""
from __future__ import annotations

import csv
import re

import pytest
from hypothesis import given, strategies as st

from plantracker.numbers import NUMBER_UNIT_SPACE, CountNoun, UnitBook, count_noun, format_number
from plantracker.pipeline import REPO_ROOT

UNITS_CSV = REPO_ROOT / "datapackages" / "jjj-2020-2022" / "data" / "units.csv"


def _unit_rows() -> list[dict]:
    """units.csv typed as the loader types it (factor a number, display flags booleans)."""
    with UNITS_CSV.open(encoding="utf-8", newline="") as handle:
        return [{**row, "factor": float(row["factor"]), "display_zh": row["display_zh"] == "true",
                 "display_en": row["display_en"] == "true"} for row in csv.DictReader(handle)]


def spaced(text: str) -> str:
    """Printed text with its no-break spaces as plain ones, for readable expectations (the
    no-break space itself: test_a_number_never_breaks_from_its_unit)."""
    return text.replace(NUMBER_UNIT_SPACE, " ")


UNITS = _unit_rows()
BOOK = UnitBook(UNITS)
AREAS = {"count_noun_one_en": "agglomeration area", "count_noun_other_en": "agglomeration areas"}
BASES = {"count_noun_one_en": "base", "count_noun_other_en": "bases"}


@pytest.mark.parametrize(("value", "unit_id", "lang", "expected"), [
    # A Chinese unit on an English page: the number as printed, the unit the source printed,
    # then the figure in an English display unit.
    (1.5, "yi-tonne", "en", "1.5 亿吨 (150 million tonnes)"),
    (50982, "wan-tonne", "en", "50,982 万吨 (509.82 million tonnes)"),
    (9000, "yi-yuan", "en", "9,000 亿元 (900 billion yuan)"),
    (7000, "wan-m3", "en", "7,000 万立方米 (70 million cubic metres)"),
    (5, "wan-mu", "en", "5 万亩 (50,000 mu)"),
    # An English display unit is just written after the number.
    (150, "million-tonne", "en", "150 million tonnes"),
    (41, "percent", "en", "41%"),
    # Chinese pages write Chinese units as official statistics do.
    (1.5, "yi-tonne", "zh", "1.5亿吨"),
    (50982, "wan-tonne", "zh", "50982万吨"),
    (9000, "yi-yuan", "zh", "9000亿元"),
    # A unit Chinese pages do not display gets its conversion too, in full-width brackets; an
    # English source's unit is named in Chinese words (百万吨), as the methodology shows it.
    (150, "million-tonne", "zh", "150百万吨（1.5亿吨）"),
    (1.37, "billion-ton", "zh", "1.37十亿吨（13.7亿吨）"),
])
def test_printed_figures_read_as_written_in_the_language(value, unit_id, lang, expected):
    assert spaced(BOOK.printed(value, unit_id, lang)) == expected


@pytest.mark.parametrize(("value", "indicator", "lang", "expected"), [
    (30, AREAS, "en", "30 agglomeration areas"),
    (1, AREAS, "en", "1 agglomeration area"),
    (1, BASES, "en", "1 base"),
    (25, BASES, "en", "25 bases"),
    (0, BASES, "en", "0 bases"),
    (30, None, "en", "30"),          # no noun: the number alone, never "30 count"
    (30, {}, "en", "30"),
    (30, AREAS, "zh", "30个"),       # Chinese counts with the measure word
    # ... the indicator's own where the plan uses another ("培育100家创新型骨干企业"); English ignores it
    (100, {**AREAS, "measure_word_zh": "家"}, "zh", "100家"),
    (100, {"measure_word_zh": "家"}, "en", "100"),
    (100, {"measure_word_zh": ""}, "zh", "100个"),
])
def test_counts_name_what_they_count(value, indicator, lang, expected):
    assert spaced(BOOK.quantity(value, "count", lang, indicator=indicator)) == expected
    assert spaced(BOOK.printed(value, "count", lang, indicator=indicator)) == expected


def test_a_count_axis_is_named_by_the_measure_word_in_chinese_and_the_noun_in_english():
    one = BOOK.choose(100, "count", "zh")
    enterprises = {"count_noun_one_en": "enterprise", "count_noun_other_en": "enterprises", "measure_word_zh": "家"}
    assert BOOK.unit_name(one, "count", "zh", enterprises) == "家"
    assert BOOK.unit_name(one, "count", "zh", AREAS) == "个"
    assert BOOK.unit_name(BOOK.choose(100, "count", "en"), "count", "en", enterprises) == "enterprises"
    # A measure word on another dimension's unit is never printed (validation refuses it too).
    assert BOOK.quantity(8e8, "mass", "zh", indicator={"measure_word_zh": "家"}) == "8亿吨"


def test_a_printed_zero_keeps_its_unit_where_the_language_shows_it():
    """A source's 0 in 万吨 is rounded to whole 万吨, not an exact count of tonnes: "0万吨", not
    "0吨" (found by a reader review); English, which shows no 万吨, its next larger unit."""
    assert BOOK.quantity(0, "mass", "zh", printed_unit_id="wan-tonne") == "0万吨"
    assert BOOK.quantity(0, "mass", "zh") == "0吨"  # a computed zero has no printed unit
    assert spaced(BOOK.quantity(0, "mass", "en", printed_unit_id="wan-tonne")) == "0 million tonnes"
    assert spaced(BOOK.quantity(0, "mass", "en", printed_unit_id="million-tonne")) == "0 million tonnes"
    assert spaced(BOOK.printed(0, "wan-tonne", "en")) == "0 万吨 (0 million tonnes)"
    assert spaced(BOOK.printed(0, "million-tonne", "zh")) == "0百万吨（0亿吨）"
    assert BOOK.quantity(114e4, "mass", "zh", printed_unit_id="wan-tonne") == "114万吨"


def test_computed_figures_show_only_the_display_unit():
    assert BOOK.quantity(1.5e8, "mass", "en") == "150\u00a0million tonnes"
    assert BOOK.quantity(9e11, "money", "en") == "900\u00a0billion yuan"
    assert BOOK.quantity(8e8, "mass", "zh") == "8亿吨"


@pytest.mark.parametrize(("tonnes", "zh", "en"), [
    (1_049_150_000, "10.4915亿吨", "1.04915 billion tonnes"),    # the 2024 sum of 7 provinces
    (898_420_000, "8.9842亿吨", "898.42 million tonnes"),         # the 2021 sum
    (3_970_060_000, "39.7006亿吨", "3.97006 billion tonnes"),
    (1_140_000, "114万吨", "1.14 million tonnes"),
])
def test_a_figure_keeps_every_digit_in_both_languages_units(tonnes, zh, en):
    """A 4-decimal cap cut 1.04915 billion tonnes to 1.0492 while Chinese kept 10.4915亿吨."""
    assert spaced(BOOK.quantity(tonnes, "mass", "zh")) == zh
    assert spaced(BOOK.quantity(tonnes, "mass", "en")) == en


@given(st.integers(min_value=1, max_value=10**9))
def test_a_whole_number_of_wan_tonnes_reads_back_exactly_in_both_languages(wan):
    """Any sum of figures printed in 万吨 is shown to the 万吨 in either language's unit."""
    for lang in ("zh", "en"):
        text = spaced(BOOK.quantity(wan * 10_000, "mass", lang))
        number, unit = re.fullmatch(r"([\d,.]+) ?(.+)", text).groups()
        factor = next(u["factor"] for u in UNITS if u[f"label_{lang}"] == unit and u[f"display_{lang}"])
        assert round(float(number.replace(",", "")) * factor) == wan * 10_000, text


def test_a_noun_given_for_one_form_only_serves_both():
    assert count_noun({"count_noun_other_en": "bases"}, "en") == CountNoun("bases", "bases")
    assert count_noun({"count_noun_one_en": "base", "count_noun_other_en": ""}, "en") == CountNoun("base", "base")
    assert count_noun(AREAS, "zh") is None


_ENGLISH_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?")
values = st.floats(min_value=0, max_value=1e13, allow_nan=False, allow_infinity=False)


@given(values, st.sampled_from(UNITS))
def test_english_never_writes_a_unit_description_after_a_number(value, unit):
    """"1.5 100 million tonnes": the English label of a unit English pages do not display
    describes the unit and must never follow a number."""
    text = spaced(BOOK.printed(value, unit["unit_id"], "en", indicator=BASES))
    number = format_number(value, "en", significant=12)
    if unit["display_en"]:
        assert text.startswith(number)
        assert unit["label_en"] in text or unit["dimension"] == "count"
    else:
        converted = spaced(BOOK.quantity(value * unit["factor"], unit["dimension"], "en", indicator=BASES))
        assert text == f"{number} {unit['label_zh']} ({converted})"
        assert f"{number} {unit['label_en']}" not in text
    assert "count" not in text


@given(values, st.sampled_from(UNITS))
def test_chinese_figures_are_ungrouped_and_unspaced(value, unit):
    """A unit follows its number with no space, in Chinese words: an English source's unit (one
    only English pages display: million tonnes) by its Chinese label (百万吨), then the figure in
    Chinese display units."""
    text = spaced(BOOK.printed(value, unit["unit_id"], "zh"))
    number = format_number(value, "zh", significant=12)
    assert "," not in text and not re.search("[A-Za-z]", text)
    assert " " not in text and text.startswith(number + unit["label_zh"])
    if not unit["display_zh"]:
        assert text.endswith("）") and "（" in text


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False, allow_infinity=False),
       st.integers(min_value=1, max_value=12))
def test_english_numbers_group_thousands_and_keep_the_value(value, significant):
    text = format_number(value, "en", significant)
    assert _ENGLISH_NUMBER.fullmatch(text), text
    assert text.replace(",", "") == format_number(value, "zh", significant)
    decimals = len(text.split(".")[1]) if "." in text else 0
    whole = len(text.split(".")[0].replace(",", "").lstrip("-"))
    assert len(text.replace(",", "").replace(".", "").lstrip("-").lstrip("0")) <= max(significant, whole)
    # Rounded, never truncated or shifted: off by at most half the last digit shown (dropped
    # trailing zeros only make the shown digits fewer).
    assert abs(float(text.replace(",", "")) - value) <= 0.5 * 10 ** -decimals + 1e-9 * abs(value)


@given(st.integers(min_value=0, max_value=10**9))
def test_english_counts_take_the_singular_for_exactly_one(n):
    text = spaced(BOOK.quantity(n, "count", "en", indicator=BASES))
    assert text == f"{n:,} {'base' if n == 1 else 'bases'}"


@given(values, st.sampled_from(UNITS), st.sampled_from(["zh", "en"]))
def test_a_number_never_breaks_from_its_unit(value, unit, lang):
    """A phone may wrap a figure anywhere but between its number and its unit: no plain space
    follows a digit ("900 billion yuan" set as "900" / "billion yuan" on two lines)."""
    for text in (BOOK.printed(value, unit["unit_id"], lang, indicator=BASES),
                 BOOK.quantity(value * unit["factor"], unit["dimension"], lang, indicator=BASES)):
        assert not re.search(r"\d ", text), text
