"""release.toml -> CITATION.cff: the citation file's `version`, `date-released` and `url` follow the
one release declaration (`python3 build.py citation` writes them; validate, build and publish refuse
a file that disagrees)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import yaml

from .problems import InputError, Problem
from .settings import Release

FIX = "run python3 build.py citation"


def citation_values(release: Release) -> dict[str, str]:
    """Release -> what CITATION.cff must say: {"version", "date-released", "url"} as text."""
    return {"version": release.version, "date-released": release.date.isoformat(), "url": release.url}


def citation_problems(path: Path, release: Release) -> list[Problem]:
    """CITATION.cff + release -> one `citation-out-of-date` problem per field that differs
    (missing file or unreadable YAML: one problem with the same fix)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [Problem(str(path), None, None, "citation-out-of-date", "file not found", FIX)]
    return _text_problems(str(path), text, release)


def _text_problems(name: str, text: str, release: Release) -> list[Problem]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [Problem(name, None, None, "citation-out-of-date", f"not readable YAML: {exc}", FIX)]
    if not isinstance(data, dict):
        return [Problem(name, None, None, "citation-out-of-date", "not a YAML mapping", FIX)]
    problems = []
    for field, wanted in citation_values(release).items():
        found = data.get(field)
        found = found.isoformat() if isinstance(found, dt.date) else found  # an unquoted YAML date
        if found is None or str(found) != wanted:
            problems.append(Problem(name, None, field, "citation-out-of-date",
                                    f"{field} is {found!r}, release.toml says {wanted!r}", FIX))
    return problems


def write_citation(path: Path, release: Release) -> bool:
    """Rewrite the `version`, `date-released` and `url` lines of CITATION.cff from the release,
    keeping every other line as it is (a missing key is added at the end) -> True when it changed.
    Raises InputError, writing nothing, when the result would still disagree (a value spread over
    several lines, unreadable YAML)."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    text = before
    for field, value in citation_values(release).items():
        line = f"{field}: {json.dumps(value, ensure_ascii=False)}"  # a JSON string is a YAML string
        pattern = re.compile(rf"^{re.escape(field)}:.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(lambda _: line, text, count=1)
        else:
            text = text.rstrip("\n") + f"\n{line}\n"
    problems = _text_problems(str(path), text, release)
    if problems:
        raise InputError([dataclasses.replace(p, hint="write it as one line `key: value`, then run the command again")
                          for p in problems])
    if text != before:
        path.write_text(text, encoding="utf-8")
    return text != before
