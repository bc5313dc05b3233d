"""Problems with the input, as values: code, file, row, field, message, hint."""
from __future__ import annotations

from dataclasses import dataclass


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


def sort_key(problem: Problem) -> tuple:
    return (problem.file, problem.row or 0, problem.field or "", problem.code, problem.message)


class InputError(Exception):
    """Raised by a stage when the input is bad; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=sort_key)
        super().__init__(f"{len(self.problems)} problem(s) in the input")
