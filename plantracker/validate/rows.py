"""Checks across rows and tables of one package: keys unique (ignoring case, as file systems do),
references that resolve, units of the right dimension, amounts their unit makes possible, and the
ids the plan object names -> problems."""
from __future__ import annotations

from ..contract import CONTRACT, Table, allowed_range
from ..problems import Problem, did_you_mean, problem
from .descriptor import foreign_keys


def unique_keys(table: Table) -> list[Problem]:
    """Rows -> a problem for each id used before in the table, ignoring case (ids become file
    names, and `T01` and `t01` are one file on Windows and macOS)."""
    spec = CONTRACT.resources.get(table.name)
    if spec is None or spec.primary_key not in table.columns:
        return []
    first: dict[str, int] = {}
    problems = []
    for n, values in table.rows:
        key = values.get(spec.primary_key)
        if key is None:
            continue
        folded = key.casefold()
        if folded in first:
            problems.append(problem("duplicate-key", table.file, n, spec.primary_key, cell=key, first=first[folded]))
        else:
            first[folded] = n
    return problems


def references(tables: dict[str, Table], schemas: dict[str, dict]) -> list[Problem]:
    """Tables read -> a problem for every foreign key value not found among its target's keys."""
    problems = []
    for name, table in tables.items():
        for fields, target, target_fields in foreign_keys(name, schemas[name]):
            if target not in tables or not tables[target].readable:
                continue  # its own problems are reported; do not pile up follow-on errors
            problems += _references(table, fields, tables[target], target_fields, target)
    return problems


def _references(table: Table, fields: list[str], target: Table, target_fields: list[str], target_name: str) -> list[Problem]:
    known = {tuple(values.get(f) for f in target_fields) for _, values in target.rows}
    known |= {(key,) for key in target.unread_keys}
    choices = sorted(", ".join(str(v) for v in k) for k in known)
    suggestions: dict[str, str] = {}  # one per distinct unknown value: difflib is slow on big tables
    singular = target_name[:-1] if target_name.endswith("s") else target_name
    code = f"unknown-{singular}" if target_name in CONTRACT.resources else "unknown-reference"
    problems = []
    for n, values in table.rows:
        key = tuple(values.get(f) for f in fields)
        if all(v is None for v in key) or key in known or any((n, f) in table.bad_cells for f in fields):
            continue
        shown = ", ".join(str(v) for v in key)
        if shown not in suggestions:
            suggestions[shown] = did_you_mean(shown, choices)
        problems.append(problem(code, table.file, n, ", ".join(fields), cell=shown, table=target.file,
                                suggestion=suggestions[shown]))
    return problems


def amounts_with_units(tables: dict[str, Table]) -> list[Problem]:
    """Tables read -> a problem for every amount given without its unit, and every unit given
    without its amount (a figure without a unit cannot be printed or bounded; a lone unit is a
    figure lost)."""
    problems = []
    for name, table in tables.items():
        spec = CONTRACT.resources.get(name)
        amounts = [f for f in spec.fields.values() if f.role == "amount"] if spec and table.readable else []
        for n, values in table.rows:
            for field in amounts:
                value, unit = values.get(field.name), values.get(field.unit_field)
                if {(n, field.name), (n, field.unit_field)} & table.bad_cells:
                    continue  # the cell's own problem is reported
                if value is not None and unit is None:
                    problems.append(problem("value-without-unit", table.file, n, field.unit_field,
                                            value_field=field.name, unit_field=field.unit_field))
                elif unit is not None and value is None:
                    problems.append(problem("unit-without-value", table.file, n, field.name,
                                            value_field=field.name, unit_field=field.unit_field))
    return problems


def units_and_amounts(tables: dict[str, Table]) -> list[Problem]:
    """Targets and observations -> problems where a unit measures another thing than its indicator's
    unit, or an amount is one its unit's dimension makes impossible (negative mass, a share above
    100 %), alone or with the row's qualifier ("less than 0 tonnes", "more than 100 %")."""
    if not all(name in tables and tables[name].readable for name in ("units", "indicators")):
        return []
    units = {v.get("unit_id"): v for _, v in tables["units"].rows}
    indicator_unit = {v.get("indicator_id"): v.get("unit_id") for _, v in tables["indicators"].rows}
    problems = []
    for name in ("targets", "observations"):
        table = tables.get(name)
        if table is None or not table.readable:
            continue
        amounts = [spec for spec in CONTRACT.resources[name].fields.values() if spec.role == "amount"]
        for n, values in table.rows:
            expected = units.get(indicator_unit.get(values.get("indicator_id")))
            for spec in amounts:
                unit = units.get(values.get(spec.unit_field))
                if unit is None:
                    continue
                if expected and unit["dimension"] != expected["dimension"]:
                    problems.append(problem("unit-dimension-mismatch", table.file, n, spec.unit_field,
                                            unit=unit["unit_id"], dimension=unit["dimension"],
                                            indicator=values.get("indicator_id"), indicator_unit=expected["unit_id"],
                                            indicator_dimension=expected["dimension"]))
                qualifier = values.get(spec.qualifier_field) if spec.qualifier_field else None
                problems += amount_bounds(table, n, spec.name, values.get(spec.name), unit, qualifier)
    return problems


# Indicator columns that only a count uses (numbers.count_noun, numbers.measure_word).
COUNT_WORDS = ("count_noun_one_en", "count_noun_other_en", "measure_word_zh")


# What a measure word may not hold: the numerals and multipliers (10万 would read as 100,000) and
# the words of approximation and bounds (100多, 100余, 100以上) that would change the figure read.
_NOT_MEASURE = set("〇零一二三四五六七八九十百千万亿兆两壹贰叁肆伍陆柒捌玖拾佰仟廿卅萬億兩貳參陸"  # numerals, in both scripts
                   "多余餘约約近逾超过過几幾来來数數第不足以上下左右")  # bounds, approximation, order


def _measure_word(word: str) -> bool:
    """Chinese characters only (CJK unified ideographs), none a numeral, multiplier or bound."""
    return all("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in word) and not _NOT_MEASURE & set(word)


def count_words(tables: dict[str, Table]) -> list[Problem]:
    """Indicators -> a problem for each count noun or measure word on an indicator whose unit is not
    a count: the site would never print it, and the editor who wrote it expects to see it."""
    if not all(name in tables and tables[name].readable for name in ("units", "indicators")):
        return []
    dimension = {v.get("unit_id"): v.get("dimension") for _, v in tables["units"].rows}
    table = tables["indicators"]
    problems = []
    for n, values in table.rows:
        unit, word = values.get("unit_id"), values.get("measure_word_zh")
        if word and (n, "measure_word_zh") not in table.bad_cells and not _measure_word(word):
            problems.append(problem("invalid-measure-word", table.file, n, "measure_word_zh", cell=word))
        if unit not in dimension or dimension[unit] == "count":
            continue  # an unknown unit is reported as such
        problems += [problem("count-word-not-count", table.file, n, field, indicator=values.get("indicator_id"),
                             unit=unit, dimension=dimension[unit], cell=values[field])
                     for field in COUNT_WORDS if values.get(field) and (n, field) not in table.bad_cells]
    return problems


def concept_uses(tables: dict[str, Table]) -> list[tuple[str, str, str, str, int]]:
    """Indicators and units -> (concept, dimension, indicator id, file, row) for each indicator with a
    concept and a known unit: what shared_concepts compares across plans."""
    if not all(name in tables and tables[name].readable for name in ("units", "indicators")):
        return []
    dimension = {v.get("unit_id"): v.get("dimension") for _, v in tables["units"].rows}
    table = tables["indicators"]
    return [(values["concept"], dimension[values.get("unit_id")], values.get("indicator_id"), table.file, n)
            for n, values in table.rows if values.get("concept") and values.get("unit_id") in dimension]


def shared_concepts(uses: dict[str, list[tuple[str, str, str, str, int]]]) -> list[Problem]:
    """{plan id: concept_uses} -> a problem on each indicator whose concept another plan's indicator
    shares in another dimension (a mass beside a count): the plans' targets could not stand on one
    axis, and the side-by-side chart the concept asks for would silently not be drawn. The first
    plan (by id) that uses a concept sets its dimension; every use in another one is reported."""
    first: dict[str, tuple[str, str, str]] = {}  # concept -> (dimension, plan, indicator)
    problems = []
    for plan_id in sorted(uses):
        for concept, dimension, indicator, file, n in uses[plan_id]:
            seen = first.setdefault(concept, (dimension, plan_id, indicator))
            if seen[0] != dimension:
                problems.append(problem("concept-dimension-mismatch", file, n, "concept", concept=concept,
                                        indicator=indicator, dimension=dimension, other=seen[2], plan=seen[1],
                                        other_dimension=seen[0]))
    return problems


def amount_bounds(table: Table, n: int, field: str, value, unit: dict, qualifier: str | None) -> list[Problem]:
    """An amount in its unit -> a problem when its dimension's bounds leave no value it could be:
    below the minimum or above the maximum, or "less than" the minimum, "more than" the maximum
    ("at most 0 tonnes" is possible, "less than 0 tonnes" is not)."""
    if value is None or unit.get("factor") is None:
        return []
    bounds = CONTRACT.dimensions.get(unit["dimension"], {})
    base = value * unit["factor"]
    low, high = bounds.get("minimum"), bounds.get("maximum")
    below = low is not None and (base < low or base == low and qualifier == "less_than")
    above = high is not None and (base > high or base == high and qualifier == "more_than")
    if below or above:
        words = f"{qualifier.replace('_', ' ')} " if qualifier in ("less_than", "more_than") else ""
        return [problem("impossible-amount", table.file, n, field, cell=f"{words}{value:g}", unit=unit["unit_id"],
                        dimension=unit["dimension"], range=allowed_range(low, high))]
    # A plan counts whole things: "2.5 agglomeration areas" cannot be its target; 2.5 万个 (25,000)
    # can. (Reported counts are left as printed: a source may give an average or an index.)
    if (table.name == "targets" and unit["dimension"] == "count"
            and abs(base - round(base)) > 1e-9 * max(1.0, abs(base))):
        return [problem("fractional-count", table.file, n, field, cell=f"{value:g}", unit=unit["unit_id"])]
    return []


def target_frame(plan, tables: dict[str, Table]) -> list[Problem]:
    """The plan object and its targets -> problems where a target cannot belong to the plan: a
    target year before the plan starts, a baseline year after the target year, a target region
    that is neither the plan's region nor one of its members (member_of, at any depth)."""
    targets, regions = tables.get("targets"), tables.get("regions")
    if not isinstance(plan, dict) or targets is None or not targets.readable:
        return []
    start, end, plan_region = plan.get("period_start"), plan.get("period_end"), plan.get("region_id")
    if not isinstance(plan_region, str):
        plan_region = None  # a list or an object: invalid-plan-value says what is wrong
    if isinstance(end, int) and isinstance(start, int) and start > end:
        start = None  # period-reversed says what is wrong
    parent = {v.get("region_id"): v.get("member_of") for _, v in regions.rows} if regions and regions.readable else {}
    if plan_region not in parent:
        parent = {}  # unknown-region says what is wrong
    problems = []
    for n, values in targets.rows:
        year, baseline = values.get("target_year"), values.get("baseline_year")
        if isinstance(year, int) and isinstance(start, int) and year < start:
            problems.append(problem("target-before-plan", targets.file, n, "target_year", year=year, start=start))
        if isinstance(year, int) and isinstance(baseline, int) and baseline > year:
            problems.append(problem("baseline-after-target", targets.file, n, "baseline_year", baseline=baseline,
                                    year=year))
        region, seen = values.get("region_id"), set()
        if region not in parent:
            continue  # unknown-region says what is wrong
        while region is not None and region != plan_region and region not in seen:
            seen.add(region)
            region = parent.get(region)
        if parent and isinstance(plan_region, str) and region != plan_region:
            problems.append(problem("target-region-outside-plan", targets.file, n, "region_id",
                                    cell=values.get("region_id"), region=plan_region))
    return problems


def tiles(tables: dict[str, Table]) -> list[Problem]:
    """Regions -> a problem for each tile position given by half (a column without its row, or the
    reverse) and each taken by an earlier region (the map would draw the two on one tile)."""
    regions = tables.get("regions")
    if regions is None or not regions.readable:
        return []
    taken: dict[tuple, tuple[int, str]] = {}
    problems = []
    for n, values in regions.rows:
        if {(n, "tile_x"), (n, "tile_y")} & regions.bad_cells:
            continue  # the cell's own problem is reported
        x, y = values.get("tile_x"), values.get("tile_y")
        if (x is None) != (y is None):
            given, missing = ("tile_x", "tile_y") if y is None else ("tile_y", "tile_x")
            problems.append(problem("half-tile", regions.file, n, missing, given=given, missing=missing))
        elif x is not None and (x, y) in taken:
            first, other = taken[(x, y)]
            problems.append(problem("duplicate-tile", regions.file, n, "tile_x", x=x, y=y, other=other, first=first))
        elif x is not None:
            taken[(x, y)] = (n, values.get("region_id"))
    return problems


# Links within a table that may not lead back to their row: (table, field, how far a loop may go:
# None any length, 1 only to itself).
LINKS = (("regions", "member_of", None), ("indicators", "comparable_to", 1), ("sources", "reprint_of", None))


def circle(start: str, links: dict) -> list[str]:
    """An id and each id's link -> the ids from it round to itself ([a, b, a]), or [] when the
    links from it end (or run into a loop it is not part of)."""
    chain, seen = [start], {start}
    while isinstance(links.get(chain[-1]), str):
        following = links[chain[-1]]
        if following == start:
            return chain + [start]
        if following in seen:
            return []
        chain.append(following)
        seen.add(following)
    return []


def cycles(tables: dict[str, Table]) -> list[Problem]:
    """Regions, indicators and sources -> a problem for each row whose link leads back to it (a
    region a member of itself, through others or directly; an indicator comparable to itself; a
    source a reprint of itself, directly or through others)."""
    problems = []
    for name, field, longest in LINKS:
        table = tables.get(name)
        if table is None or not table.readable:
            continue
        key = CONTRACT.resources[name].primary_key
        links = {values.get(key): values.get(field) for _, values in table.rows}
        singular = name[:-1]
        for n, values in table.rows:
            chain = circle(values.get(key), links)
            if chain and (longest is None or len(chain) - 1 <= longest):
                problems.append(problem("circular-reference", table.file, n, field, what=f'{singular} "{chain[0]}"',
                                        chain=" → ".join(chain), how=f"correct or empty {field} in one of these rows"))
    return problems


def plan_ids(plan, tables: dict[str, Table], file: str) -> list[Problem]:
    """The plan object's region_id and source_id -> a problem for each not found in its table."""
    if not isinstance(plan, dict):
        return []
    problems = []
    for key, table_name, code in (("region_id", "regions", "unknown-region"), ("source_id", "sources", "unknown-source")):
        value, table = plan.get(key), tables.get(table_name)
        if not isinstance(value, str) or table is None or not table.readable:
            continue
        known = [v.get(key) for _, v in table.rows]
        if value not in known:
            problems.append(problem(code, file, None, f"plan.{key}", cell=value, table=table.file,
                                    suggestion=did_you_mean(value, known)))
    return problems
