"""Base-unit values -> text in a language's display units ("8 亿吨", "800 million tonnes"), and
figures as their source printed them ("1.5 亿吨 (150 million tonnes)" on an English page)."""
from __future__ import annotations

import math
from dataclasses import dataclass

# How a figure printed in a unit the page's language does not display is followed by its
# conversion: each language's own brackets (full-width in Chinese text).
_CONVERTED = {"zh": "{printed}（{converted}）", "en": "{printed} ({converted})"}


# Significant digits of a figure converted for display: enough to keep every digit a source prints
# (or a sum of them) in any unit, few enough that binary fractions' noise (13.700000000000001) goes.
FULL_PRECISION = 12
# No figure needs more decimals; this keeps a value far below its unit from printing a long string.
MAX_DECIMALS = 12

# Between a number and its unit: a no-break space, so a narrow screen never sets "900" at the end
# of one line and "billion yuan" at the start of the next.
NUMBER_UNIT_SPACE = "\u00a0"


@dataclass(frozen=True)
class DisplayUnit:
    factor: float
    label: str


@dataclass(frozen=True)
class CountNoun:
    """What a count counts, in one language, by CLDR plural category: "base" / "bases"."""

    one: str
    other: str

    def after(self, number: str) -> str:
        """A formatted number -> "1 base", "25 bases", "1.5 bases" (English: "one" is exactly 1,
        no visible decimals; CLDR's rule `i = 1 and v = 0`)."""
        return f"{number}{NUMBER_UNIT_SPACE}{self.one if number.lstrip('-') == '1' else self.other}"


def count_noun(indicator: dict | None, lang: str) -> CountNoun | None:
    """An indicator row -> its noun in the language (count_noun_one_<lang>, count_noun_other_<lang>);
    None without one. Only English has the columns: Chinese counts with a measure word (measure_word)."""
    if not indicator:
        return None
    one, other = indicator.get(f"count_noun_one_{lang}"), indicator.get(f"count_noun_other_{lang}")
    if not one and not other:
        return None
    return CountNoun(one or other, other or one)


def measure_word(indicator: dict | None, lang: str) -> str | None:
    """An indicator row -> the Chinese measure word (量词) its count takes in place of the count
    unit's label: "家" for enterprises, as the plan writes "培育100家创新型骨干企业" (column
    measure_word_zh); None without one, or outside Chinese."""
    if not indicator or lang != "zh":
        return None
    return indicator.get("measure_word_zh") or None


class UnitBook:
    """A plan's units table -> the display units offered per language and dimension."""

    def __init__(self, unit_rows: list[dict]):
        self.units = {row["unit_id"]: row for row in unit_rows}
        self.display: dict[tuple[str, str], list[DisplayUnit]] = {}
        for lang in ("zh", "en"):
            for row in unit_rows:
                if row.get(f"display_{lang}"):
                    self.display.setdefault((lang, row["dimension"]), []).append(
                        DisplayUnit(float(row["factor"]), row[f"label_{lang}"]))
        for offered in self.display.values():
            offered.sort(key=lambda unit: unit.factor)

    def label(self, unit_id: str, lang: str) -> str:
        return self.units[unit_id][f"label_{lang}"]

    def dimension(self, unit_id: str) -> str:
        return self.units[unit_id]["dimension"]

    def choose(self, value: float | None, dimension: str, lang: str) -> DisplayUnit:
        """The largest display unit not greater than |value| (the smallest one for small values)."""
        offered = self.display.get((lang, dimension))
        if not offered:
            # A dimension with no display unit for this language: show base units with the
            # first unit's label of that dimension, so the unit is still stated.
            fallback = next((u for u in self.units.values() if u["dimension"] == dimension and float(u["factor"]) == 1.0),
                            None)
            return DisplayUnit(1.0, fallback[f"label_{lang}"] if fallback else "")
        magnitude = abs(value or 0)
        chosen = offered[0]
        for unit in offered:
            if unit.factor <= magnitude:
                chosen = unit
        return chosen

    def quantity(self, value: float | None, dimension: str, lang: str, unit: DisplayUnit | None = None,
                 indicator: dict | None = None, significant: int = FULL_PRECISION,
                 printed_unit_id: str | None = None) -> str:
        """Base value -> "number unit" in the language's display unit; "—" for no value.

        Every digit of the value is kept, in either language's unit (a sum of 万吨 figures reads
        10.4915亿吨 and 1.04915 billion tonnes alike); `significant` rounds a figure that is not a
        sum of printed ones (a straight-line path value). A count names what it counts when the
        indicator has a noun in the language ("30 agglomeration areas"); `indicator` is only read for that.
        A source's figure gives `printed_unit_id`: its 0 is not shown in a smaller unit than it was
        printed in ("0万吨", "0 million tonnes", never "0吨" or "0 tonnes").
        """
        if value is None:
            return "—"
        if value == 0 and unit is None and printed_unit_id in self.units:
            unit = self._zero_unit(self.units[printed_unit_id], dimension, lang)
        unit = unit or self.choose(value, dimension, lang)
        return self._with_unit(format_number(value / unit.factor, lang, significant), unit, dimension, lang, indicator)

    def _zero_unit(self, printed: dict, dimension: str, lang: str) -> DisplayUnit | None:
        """A source's 0 in 万吨 is a figure rounded to whole 万吨 (under 5,000 tonnes), not an exact
        count of tonnes: it is shown in the unit it was printed in where the language shows it, else
        in the language's smallest unit at least as large ("0 million tonnes", never "0 tonnes")."""
        factor = float(printed["factor"])
        if printed.get(f"display_{lang}"):
            return DisplayUnit(factor, printed[f"label_{lang}"])
        offered = self.display.get((lang, dimension)) or []
        return next((unit for unit in offered if unit.factor >= factor), offered[-1] if offered else None)

    def printed(self, value: float | None, unit_id: str, lang: str, indicator: dict | None = None) -> str:
        """A figure in its source's unit -> its number and unit in the language; "—" for no value.

        A unit the language does not display is followed by the figure in the page language's
        display unit, and is named by its Chinese label: "150百万吨（1.5亿吨）" on a Chinese page
        (the Chinese words for an English source's unit, never "150 million tonnes" in Chinese text),
        "50,982 万吨 (509.82 million tonnes)" on an English one. English labels of Chinese units
        ("100 million tonnes" for 亿吨) describe the unit, for the data dictionary, and are never
        written after a number, so English text keeps the Chinese unit there, as the methodology says.
        """
        if value is None:
            return "—"
        row = self.units[unit_id]
        number = format_number(value, lang, significant=FULL_PRECISION)
        dimension, factor = row["dimension"], float(row["factor"])
        if row.get(f"display_{lang}"):
            return self._with_unit(number, DisplayUnit(factor, row[f"label_{lang}"]), dimension, lang, indicator)
        converted = self.quantity(value * factor, dimension, lang, indicator=indicator, printed_unit_id=unit_id)
        return _CONVERTED[lang].format(printed=join_unit(number, row["label_zh"], lang), converted=converted)

    @staticmethod
    def unit_name(unit: DisplayUnit, dimension: str, lang: str, indicator: dict | None = None) -> str:
        """What a chart axis or colour key calls the unit: the unit's label, or for a count the
        indicator's plural noun where it has one ("agglomeration areas", not "count"), in Chinese
        its measure word (家, not 个)."""
        if dimension != "count" or unit.factor != 1.0:
            return unit.label
        noun = count_noun(indicator, lang)
        return noun.other if noun else measure_word(indicator, lang) or unit.label

    @staticmethod
    def _with_unit(number: str, unit: DisplayUnit, dimension: str, lang: str, indicator: dict | None) -> str:
        noun = count_noun(indicator, lang) if dimension == "count" else None
        if dimension == "count" and unit.factor == 1.0 and lang != "zh":
            # A count's unit is not a word after a number outside Chinese (where 个 is a measure
            # word): "30 agglomeration areas" with the indicator's noun, else the number alone,
            # never "30 count".
            return noun.after(number) if noun else number
        # Chinese counts things with the indicator's measure word where it has one: 100家, not 100个.
        # (Only for the count unit itself: a larger count unit, 万个, keeps its own label.)
        word = measure_word(indicator, lang) if dimension == "count" and unit.factor == 1.0 else None
        text = join_unit(number, word or unit.label, lang)
        return noun.after(text) if noun else text


def join_unit(number: str, label: str, lang: str) -> str:
    """A formatted number and a unit label -> "150万吨", "1.5 亿吨" (a Chinese unit after an English
    one), "150 million tonnes", "65%"; the space after the number never breaks."""
    if label in ("%", "％"):
        return f"{number}%"
    if not label:
        return number
    if lang == "zh" and not label[0].isascii():
        return f"{number}{label}"
    return f"{number}{NUMBER_UNIT_SPACE}{label}"


def format_number(value: float, lang: str, significant: int = 6) -> str:
    """Number -> text with at most `significant` significant digits (all of its whole part),
    trailing zeros dropped.

    The digits kept do not depend on the unit: 1.04915 billion tonnes keeps as many as
    10.4915亿吨 or 0.0114亿吨 (a cap on decimals instead cut the larger unit's figure short).
    English groups thousands with commas; Chinese writes digits ungrouped, as official
    statistics do (9000亿元).
    """
    if value != value:  # NaN never reaches a page as a number
        return "—"
    magnitude = abs(value)
    # Digits before the first significant one: the whole part's, or minus the zeros after the point.
    leading = len(str(int(magnitude))) if magnitude >= 1 else (math.floor(math.log10(magnitude)) + 1 if magnitude else 1)
    decimals = max(0, min(MAX_DECIMALS, significant - leading))
    text = f"{value:,.{decimals}f}" if lang == "en" else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain_value(value: float) -> float:
    """A figure divided into a chart's unit -> the same to FULL_PRECISION significant digits: the
    binary noise of the division goes (0.19210000000000002), a figure far below the unit stays
    (a fixed 6 decimals made 0.0000001万吨 on a 亿吨 axis 0)."""
    return float(f"{value:.{FULL_PRECISION}g}")


def format_share(share: float | None, lang: str) -> str:
    """Ratio -> percentage text with one decimal ("66.7%")."""
    if share is None:
        return "—"
    return f"{format_number(round(share * 100, 1), lang)}%"
