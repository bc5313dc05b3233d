"""Figures against their evidence, across targets and observations -> problems: a target's baseline
given whole (year, value, unit and source together), with the baseline observation of its source
that holds the source's words and the same amount, never a forecast; and no two figures of one series,
region, year and kind that disagree (the status would count whichever row comes last)."""
from __future__ import annotations

from ..contract import CONTRACT, Table
from ..problems import Problem, problem
from .rows import amount_bounds

BASELINE = ("baseline_year", "baseline_value", "baseline_unit_id", "baseline_source_id")
# Qualifiers that give only one side of a figure: no straight-line path starts from such a baseline.
BOUNDS = ("more_than", "at_least", "less_than", "at_most")
# An observation's place in its series: the same indicator, region, year and kind. A forecast
# ("expected") is shown apart from the figures of its year and never counted, so it is its own class.
SERIES = ("indicator_id", "region_id", "year", "kind")
# A relative difference this small is one amount written in two units (target_progress.sql's tolerance).
SAME = 1e-9


def _readable(tables: dict[str, Table], *names: str) -> bool:
    return all(name in tables and tables[name].readable for name in names)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(abs(a), abs(b))


def _factors(tables: dict[str, Table]) -> dict[str, dict]:
    """Units read whole (a factor that could not be read leaves its unit out) by id."""
    return {v["unit_id"]: v for _, v in tables["units"].rows if v.get("unit_id") and v.get("factor") is not None}


def _amount(value, unit: str | None, qualifier: str | None = None) -> str:
    words = f"{qualifier.replace('_', ' ')} " if qualifier else ""
    return f"{words}{value:g} {unit}"


def whole_baselines(tables: dict[str, Table]) -> list[Problem]:
    """Targets -> a problem for each baseline given in part: a year without its figure, a figure
    without its year or source (a value without its unit, or a unit without its value, is
    amounts_with_units' problem)."""
    if not _readable(tables, "targets"):
        return []
    targets = tables["targets"]
    problems = []
    for n, values in targets.rows:
        if any((n, f) in targets.bad_cells for f in BASELINE):
            continue  # the cell's own problem is reported
        given = [f for f in BASELINE if values.get(f) is not None]
        missing = [f for f in BASELINE if values.get(f) is None]
        if values.get("baseline_value") is not None or values.get("baseline_unit_id") is not None:
            missing = [f for f in missing if f not in ("baseline_value", "baseline_unit_id")]
        if given and missing:
            problems.append(problem("incomplete-baseline", targets.file, n, missing[0], given=", ".join(given),
                                    missing=", ".join(missing)))
    return problems


def baseline_evidence(tables: dict[str, Table]) -> list[Problem]:
    """Targets and observations -> a problem for each whole baseline without a baseline
    observation of the same indicator, region, year and source (the observation whose quote the
    target's page shows beside it), whose observation gives only a bound ("more than X": no path
    starts from it), or whose amount differs from that observation's."""
    if not _readable(tables, "targets", "observations", "units"):
        return []
    targets, observations, units = tables["targets"], tables["observations"], _factors(tables)
    quoted: dict[tuple, list[tuple[int, dict]]] = {}
    for m, o in observations.rows:
        if o.get("kind") == "baseline" and not {(m, "value"), (m, "unit_id")} & observations.bad_cells:
            key = (o.get("indicator_id"), o.get("region_id"), o.get("year"), o.get("source_id"))
            quoted.setdefault(key, []).append((m, o))
    unread_keys = any(f in ("indicator_id", "region_id", "year", "source_id", "kind")
                      for _, f in observations.bad_cells)
    problems = []
    for n, target in targets.rows:
        unit = units.get(target.get("baseline_unit_id"))
        if unit is None or any(target.get(f) is None or (n, f) in targets.bad_cells for f in BASELINE):
            continue  # a baseline in part, or a cell or unit that could not be read: reported apart
        key = (target.get("indicator_id"), target.get("region_id"), target["baseline_year"],
               target["baseline_source_id"])
        if not quoted.get(key) and not unread_keys and not (target.get("target_year") or 0) < target["baseline_year"]:
            # No quote would stand beside it: a figure without its source's words. (Not said when an
            # observation's key could not be read, or the year is after the target's: reported apart.)
            problems.append(problem("baseline-without-observation", targets.file, n, "baseline_value",
                                    year=target["baseline_year"], source=target["baseline_source_id"],
                                    table=observations.file))
            continue
        found = [(m, o) for m, o in quoted.get(key, []) if o.get("unit_id") in units
                 and not amount_bounds(observations, m, "value", o["value"], units[o["unit_id"]], o.get("qualifier"))]
        base = target["baseline_value"] * unit["factor"]
        bound = next(((m, o) for m, o in found if o.get("qualifier") in BOUNDS), None)
        if bound is not None:
            m, o = bound
            problems.append(problem("bounded-baseline", targets.file, n, "baseline_value", table=observations.file,
                                    observed=_amount(o["value"], o["unit_id"], o.get("qualifier")), observed_row=m))
            continue
        if found and not any(_same(o["value"] * units[o["unit_id"]]["factor"], base) for _, o in found):
            m, o = found[0]
            problems.append(problem("baseline-value-mismatch", targets.file, n, "baseline_value",
                                    value=_amount(target["baseline_value"], unit["unit_id"]),
                                    observed=_amount(o["value"], o["unit_id"], o.get("qualifier")),
                                    table=observations.file, observed_row=m))
    return problems


def forecast_baselines(tables: dict[str, Table]) -> list[Problem]:
    """Observations -> a problem for each baseline marked a forecast ("expected")."""
    if not _readable(tables, "observations"):
        return []
    table = tables["observations"]
    return [problem("forecast-baseline", table.file, n, "qualifier") for n, o in table.rows
            if o.get("kind") == "baseline" and o.get("qualifier") == "expected"]


def _holds(qualifier: str | None, bound: float, value: float) -> bool:
    """Whether an exact amount agrees with a qualified figure of the same series ("about 40"
    holds 41 within the about band, contract.yml; "more than 40" holds 41, not 40)."""
    if qualifier == "about":
        return abs(value - bound) <= CONTRACT.about_band * abs(bound) * (1 + 1e-9)
    return {"more_than": value > bound, "at_least": value >= bound or _same(value, bound),
            "less_than": value < bound, "at_most": value <= bound or _same(value, bound)}.get(qualifier, False)


def _agree(a: dict, b: dict, units: dict) -> bool:
    """Two figures of one series, region, year and kind -> whether both can stand: the same amount
    with the same qualifier (one figure found in two places), or an exact amount that a qualified
    one holds (a report's "about 40" beside the statistics' 41: the status counts the exact one,
    target_progress.sql)."""
    amount_a = a["value"] * units[a["unit_id"]]["factor"]
    amount_b = b["value"] * units[b["unit_id"]]["factor"]
    if a.get("qualifier") == b.get("qualifier"):
        return _same(amount_a, amount_b)
    if a.get("qualifier") and b.get("qualifier"):
        return False  # two bounds of one figure: which would count is the data's to say
    exact, bounded = (amount_a, (b, amount_b)) if not a.get("qualifier") else (amount_b, (a, amount_a))
    return _holds(bounded[0].get("qualifier"), bounded[1], exact)


def conflicting_figures(tables: dict[str, Table]) -> list[Problem]:
    """Observations -> a problem for each figure that disagrees with an earlier one of the same
    indicator, region, year and kind (_agree), forecasts apart."""
    if not _readable(tables, "observations", "units"):
        return []
    table, units = tables["observations"], _factors(tables)
    earlier: dict[tuple, list[tuple[int, dict]]] = {}
    problems = []
    for n, o in table.rows:
        unit = units.get(o.get("unit_id"))
        if unit is None or o.get("value") is None or any((n, f) in table.bad_cells for f in (*SERIES, "qualifier")):
            continue  # the cell's own problem is reported
        key = (*(o.get(f) for f in SERIES), o.get("qualifier") == "expected")
        clash = next(((m, other) for m, other in earlier.get(key, []) if not _agree(other, o, units)), None)
        earlier.setdefault(key, []).append((n, o))
        if clash is not None:
            m, other = clash
            problems.append(problem("conflicting-figures", table.file, n, "value", indicator=o["indicator_id"],
                                    region=o["region_id"], year=o["year"], kind=o["kind"],
                                    value=_amount(o["value"], o["unit_id"], o.get("qualifier")),
                                    other=_amount(other["value"], other["unit_id"], other.get("qualifier")), first=m))
    return problems
