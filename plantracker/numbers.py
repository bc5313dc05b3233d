"""Base-unit values -> text in a language's display units ("8 亿吨", "800 million tonnes")."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisplayUnit:
    factor: float
    label: str


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

    def quantity(self, value: float | None, dimension: str, lang: str, unit: DisplayUnit | None = None) -> str:
        """Base value -> "number unit" in the language's display unit; "—" for no value."""
        if value is None:
            return "—"
        unit = unit or self.choose(value, dimension, lang)
        return join_unit(format_number(value / unit.factor, lang), unit.label, lang)

    def printed(self, value: float | None, unit_id: str, lang: str) -> str:
        """A figure as its source printed it, with the unit's label in the language."""
        if value is None:
            return "—"
        return join_unit(format_number(value, lang, significant=12), self.label(unit_id, lang), lang)


def join_unit(number: str, label: str, lang: str) -> str:
    if label in ("%", "％"):
        return f"{number}%"
    if lang == "zh":
        return f"{number} {label}" if label and label[0].isascii() else f"{number}{label}"
    return f"{number} {label}".strip()


def format_number(value: float, lang: str, significant: int = 6) -> str:
    """Number -> text with at most `significant` significant digits, trailing zeros dropped.

    English groups thousands with commas; Chinese writes digits ungrouped, as official
    statistics do (9000亿元).
    """
    if value != value:  # NaN never reaches a page as a number
        return "—"
    whole_digits = len(str(int(abs(value)))) if abs(value) >= 1 else 1
    decimals = max(0, min(4, significant - whole_digits))
    text = f"{value:,.{decimals}f}" if lang == "en" else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_share(share: float | None, lang: str) -> str:
    """Ratio -> percentage text with one decimal ("66.7%")."""
    if share is None:
        return "—"
    return f"{format_number(round(share * 100, 1), lang)}%"
