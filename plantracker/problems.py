"""Problems with the input, as values: code, file, row, field, message, hint.

Every code is in one catalogue, `problems.yml`: a message template and a fix template, filled
with the problem's values by `problem(code, file, row, field, **values)`. `build.py validate
--json` prints problems as JSON objects with these six keys.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_FILE = Path(__file__).resolve().parent / "problems.yml"
# libyaml's loader when PyYAML has it (as strings.load_strings): every build process imports this.
CATALOGUE: dict[str, dict[str, str]] = yaml.load(CATALOGUE_FILE.read_text(encoding="utf-8"),
                                                 Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input. `row` counts the header as row 1, as a spreadsheet does."""

    file: str
    row: int | None
    field: str | None
    code: str
    message: str
    hint: str = ""

    def line(self) -> str:
        """Problem -> one line a person can act on: `file:row: field: message (hint) [code]`."""
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return f"{text} [{self.code}]"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def problem(code: str, file: str, row: int | None = None, field: str | None = None, **values) -> Problem:
    """(catalogue code, where, the values its templates name) -> Problem. A value `suggestion`
    (from did_you_mean) may be given to any code: it starts the fix. KeyError for an unknown code."""
    entry = CATALOGUE[code]
    suggestion = values.pop("suggestion", "")
    message = entry["message"].format(**values)
    fix = entry["fix"].format(**values)
    return Problem(str(file), row, field, code, message, f"{suggestion}{fix}" if suggestion else fix)


def did_you_mean(value: Any, choices) -> str:
    """A value -> 'did you mean "X"? ' for the closest of `choices`, or "" when nothing is close."""
    texts = [str(c) for c in choices]
    match = difflib.get_close_matches(str(value), texts, n=1, cutoff=0.6)
    if not match:
        match = [c for c in texts if c.lower() == str(value).lower()]
    return f'did you mean "{match[0]}"? ' if match else ""


def sort_key(problem: Problem) -> tuple:
    return (problem.file, problem.row or 0, problem.field or "", problem.code, problem.message)


def problems_json(problems: list[Problem]) -> str:
    """Problems -> the JSON `build.py validate --json` prints: {"valid", "count", "problems": [...]}."""
    return json.dumps({"valid": not problems, "count": len(problems), "problems": [p.as_json() for p in problems]},
                      ensure_ascii=False, indent=1)


def problems_report(problems: list[Problem], as_json: bool = False) -> str:
    """Problems -> the text the command line prints for bad input, without a final newline.

    as_json: the problems_json document (`validate --json`, for stdout). Otherwise (for stderr) one
    `Problem.line()` per problem in the order given, then the count:
    "2 problems found; nothing was built or changed." ("1 problem found; ...").
    """
    if as_json:
        return problems_json(problems)
    count = len(problems)
    return "\n".join([*(p.line() for p in problems),
                      f"{count} problem{'s' if count != 1 else ''} found; nothing was built or changed."])


class InputError(Exception):
    """Raised by a stage when the input is bad; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=sort_key)
        super().__init__(f"{len(self.problems)} problem(s) in the input")
