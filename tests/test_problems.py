"""The problem catalogue (plantracker/problems.yml) and the code agree: every code the code raises is in
it, every code in it is raised, and every call gives the values its templates name. Read from the
source with `ast`, so a code in a comment or a docstring counts for nothing."""
from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

import plantracker
from plantracker.contract import CONTRACT
from plantracker.problems import CATALOGUE, problem, problems_json, problems_report

PACKAGE = Path(plantracker.__file__).resolve().parent
TREES = {path.relative_to(PACKAGE.parent).as_posix(): ast.parse(path.read_text(encoding="utf-8"), str(path))
         for path in sorted(PACKAGE.rglob("*.py"))}
CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")   # stable kebab-case
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")  # a string in the source that looks like a code: two words or more
WHERE = {"code", "file", "row", "field"}         # problem()'s own parameters: no template value may take these names


def placeholders(code: str) -> set[str]:
    """A catalogue code -> the names its message and fix templates fill in."""
    return {name.split(".")[0].split("[")[0] for part in ("message", "fix")
            for _, name, _, _ in string.Formatter().parse(CATALOGUE[code][part]) if name}


def literal_codes(node: ast.AST) -> list[str]:
    """An expression naming a code -> the codes it can be: "x", or "x" if ... else "y"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return literal_codes(node.body) + literal_codes(node.orelse)
    return []


def is_problem_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "problem"


def walk() -> list[tuple[str, ast.AST]]:
    return [(file, node) for file, tree in TREES.items() for node in ast.walk(tree)]


def problem_calls() -> list[tuple[str, int, list[str], set[str] | None]]:
    """Every problem(...) call -> (file, line, the codes its first argument names literally, its
    keyword names, or None when it passes **values)."""
    calls = []
    for file, node in walk():
        if is_problem_call(node):
            first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "code"), None)
            names = {k.arg for k in node.keywords}
            calls.append((file, node.lineno, literal_codes(first), None if None in names else names - {"code"}))
    return calls


def code_value_pairs() -> list[tuple[str, int, str, set[str] | None]]:
    """`("code", {"value": ...})` pairs, as contract.parse_cell returns them for a caller to pass on ->
    (file, line, code, the dict's keys, or None when they are not all literal)."""
    pairs = []
    for file, node in walk():
        if (isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Dict)
                and isinstance(node.elts[0], ast.Constant) and KEBAB.match(str(node.elts[0].value))):
            keys = node.elts[1].keys
            names = {k.value for k in keys if isinstance(k, ast.Constant)} if all(
                isinstance(k, ast.Constant) for k in keys) else None
            pairs.append((file, node.lineno, node.elts[0].value, names))
    return pairs


def codes_held_in_variables() -> tuple[set[str], list[str]]:
    """Codes that reach problem(name, ...) through a variable -> (the codes assigned to it, regular
    expressions for the f-strings assigned to it). A parameter counts too: then the codes are the
    arguments its function is called with (locks.folder_lock)."""
    values, carriers = [], {}  # expressions giving a code; function -> position of its code parameter
    for _, function in walk():
        if not isinstance(function, ast.FunctionDef):
            continue
        names = {call.args[0].id for call in ast.walk(function)
                 if is_problem_call(call) and call.args and isinstance(call.args[0], ast.Name)}
        for node in ast.walk(function):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.For) else []
            if any(isinstance(n, ast.Name) and n.id in names for target in targets for n in ast.walk(target)):
                values.append(node.value if isinstance(node, ast.Assign) else node.iter)
        parameters = [a.arg for a in function.args.args]
        carriers.update({function.name: parameters.index(name) for name in names & set(parameters)})
    for _, call in walk():
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) in carriers:
            values += call.args[carriers[call.func.id]:carriers[call.func.id] + 1]
    literal, patterns = set(), []
    for value in values:
        for part in ast.walk(value):
            if isinstance(part, ast.Constant) and isinstance(part.value, str) and KEBAB.match(part.value):
                literal.add(part.value)
            elif isinstance(part, ast.JoinedStr):
                patterns.append("".join(re.escape(p.value) if isinstance(p, ast.Constant) else ".+" for p in part.values))
    return literal, patterns


CALLS = problem_calls()
PAIRS = code_value_pairs()
HELD, PATTERNS = codes_held_in_variables()
# validate/rows.py names a foreign key's problem after the table it refers to: f"unknown-{singular}".
FOREIGN_KEY_CODES = {f"unknown-{name.removesuffix('s')}" for name in CONTRACT.resources}
MADE_BY_PATTERN = {code for code in FOREIGN_KEY_CODES if any(re.fullmatch(p, code) for p in PATTERNS)}


def test_the_source_is_read():
    """Guards the checks below against finding nothing: the calls are where they are expected."""
    assert len(CALLS) > 100 and len(PAIRS) > 10
    assert {"plantracker/validate/rows.py", "plantracker/nbs_import/export.py", "plantracker/settings.py"} <= {
        file for file, *_ in CALLS}
    assert PATTERNS == ["unknown\\-.+"] and "unknown-unit" in MADE_BY_PATTERN
    assert {"missing-period-line", "work-folder-busy"} <= HELD


def test_every_code_the_code_raises_is_in_the_catalogue():
    named = {(file, line, code) for file, line, codes, _ in CALLS for code in codes}
    named |= {(file, line, code) for file, line, code, _ in PAIRS}
    unknown = sorted(f"{file}:{line}: {code}" for file, line, code in named if code not in CATALOGUE)
    assert unknown == []
    assert sorted(HELD - set(CATALOGUE)) == []
    assert sorted(MADE_BY_PATTERN - set(CATALOGUE)) == []


def test_every_code_in_the_catalogue_is_raised():
    used = {code for _, _, codes, _ in CALLS for code in codes} | {code for _, _, code, _ in PAIRS} | HELD
    assert sorted(set(CATALOGUE) - used - MADE_BY_PATTERN) == []


def test_every_call_gives_the_values_its_templates_name():
    """problem("code", ..., **values): the names match the templates' {placeholders}, no more, no less
    (`suggestion`, from did_you_mean, may go with any code)."""
    wrong = []
    sites = [(file, line, code, names) for file, line, codes, names in CALLS for code in codes]
    for file, line, code, names in sites + PAIRS:
        if names is not None and code in CATALOGUE and names - {"suggestion"} != placeholders(code):
            wrong.append(f"{file}:{line}: {code}: gives {sorted(names)}, the templates name {sorted(placeholders(code))}")
    assert wrong == []


def test_no_problem_is_made_outside_the_catalogue():
    """Problem(...) directly would bypass the catalogue's templates; only problems.py makes one."""
    direct = [f"{file}:{node.lineno}" for file, node in walk() if file != "plantracker/problems.py"
              and isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Problem"]
    assert direct == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_entry_renders_with_sample_values(code):
    entry = CATALOGUE[code]
    assert CODE.match(code) and set(entry) == {"message", "fix"}
    assert entry["message"].strip() and entry["fix"].strip()
    assert not placeholders(code) & WHERE
    values = {name: f"<{name}>" for name in placeholders(code)}
    made = problem(code, "data/plan/data/table.csv", 2, "column", **values)
    text = made.message + " " + made.hint
    assert all(value in text for value in values.values()) and "{" not in text.replace("{...}", "")
    assert "\n" not in made.line() and made.line().endswith(f"[{code}]")
    suggested = problem(code, "file", suggestion='did you mean "x"? ', **values)
    assert suggested.hint == f'did you mean "x"? {made.hint}'


def test_problems_as_json():
    problems = [problem("blank-row", "a.csv", 3), problem("empty-file", "b.csv")]
    assert json.loads(problems_json(problems)) == {"valid": False, "count": 2, "problems": [
        {"file": "a.csv", "row": 3, "field": None, "code": "blank-row", "message": "row is empty",
         "hint": "delete the empty row"},
        {"file": "b.csv", "row": None, "field": None, "code": "empty-file", "message": "file is empty",
         "hint": "write the header row and the data rows"}]}
    assert json.loads(problems_json([])) == {"valid": True, "count": 0, "problems": []}


def test_problems_report_is_what_the_command_line_prints():
    """Text: one line per problem in the order given, then the count (singular for one); JSON: the
    problems_json document."""
    problems = [problem("blank-row", "a.csv", 3), problem("empty-file", "b.csv")]
    assert problems_report(problems).splitlines() == [
        "a.csv:3: row is empty (delete the empty row) [blank-row]",
        "b.csv: file is empty (write the header row and the data rows) [empty-file]",
        "2 problems found; nothing was built or changed."]
    assert problems_report(problems[:1]).splitlines()[-1] == "1 problem found; nothing was built or changed."
    assert problems_report(problems, as_json=True) == problems_json(problems)

