"""release.toml -> CITATION.cff: the citation file's `version`, `date-released` and `url` follow the
one release declaration (`python3 build.py citation` writes them; validate, build and publish refuse
a file that disagrees)."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml

from .problems import InputError, Problem, problem
from .settings import Release, load_release, read_text_file


class _DuplicateKey(yaml.YAMLError):
    """A mapping names a key twice: `key`, its `line` and the line it was `first` on (1-based)."""

    def __init__(self, key, line: int, first: int):
        super().__init__(f"duplicate key {key!r} on line {line}")
        self.key, self.line, self.first = key, line, first


class _StrictLoader(yaml.SafeLoader):
    """yaml.SafeLoader that raises _DuplicateKey where a mapping repeats a key (SafeLoader keeps
    the last silently: a stray `version:` above the real one went unnoticed)."""

    def construct_mapping(self, node, deep=False):
        first_lines = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key: SafeLoader refuses it itself
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise _DuplicateKey(key, line, first_lines[key])
            first_lines[key] = line
        return super().construct_mapping(node, deep=deep)


def citation_values(release: Release) -> dict[str, str]:
    """Release -> what CITATION.cff must say: {"version", "date-released", "url"} as text."""
    return {"version": release.version, "date-released": release.date.isoformat(), "url": release.url}


def citation_problems(path: Path, release: Release) -> list[Problem]:
    """CITATION.cff + release -> one `citation-out-of-date` problem per field that differs
    (or one problem with the file: missing, unreadable, not UTF-8, not YAML, a key twice)."""
    try:
        text = read_text_file(path, "missing-citation-file")
    except InputError as error:
        return error.problems
    return _text_problems(str(path), text, release)


def _text_problems(name: str, text: str, release: Release, rewritten: bool = False) -> list[Problem]:
    """The file's text -> its problems; `rewritten`: the text write_citation made, whose fields
    still differing are `citation-not-rewritten` (a value it cannot rewrite in place)."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKey as exc:
        return [problem("duplicate-citation-key", name, exc.line, str(exc.key), key=exc.key, first=exc.first)]
    except yaml.YAMLError as exc:  # one line: the row where the parser stopped, and its reason
        mark = getattr(exc, "problem_mark", None)
        return [problem("invalid-citation-file", name, mark.line + 1 if mark else None,
                        why=getattr(exc, "problem", None) or " ".join(str(exc).split()))]
    if not isinstance(data, dict):
        return [problem("invalid-citation-file", name, why=f"the file holds a {type(data).__name__}")]
    problems = []
    for field, wanted in citation_values(release).items():
        found = data.get(field)
        found = found.isoformat() if isinstance(found, dt.date) else found  # an unquoted YAML date
        if found is None or str(found) != wanted:
            problems.append(problem("citation-not-rewritten" if rewritten else "citation-out-of-date", name, None,
                                    field, key=field, found=repr(found), wanted=repr(wanted)))
    return problems


def write_citation(path: Path, release: Release) -> bool:
    """Rewrite the `version`, `date-released` and `url` lines of CITATION.cff from the release,
    keeping every other line as it is (a missing key is added at the end) -> True when it changed.
    Raises InputError, writing nothing, when the result would still disagree (a value spread over
    several lines, unreadable YAML)."""
    path = Path(path)
    before = read_text_file(path, "missing-citation-file")
    text = before
    for field, value in citation_values(release).items():
        line = f"{field}: {json.dumps(value, ensure_ascii=False)}"  # a JSON string is a YAML string
        pattern = re.compile(rf"^{re.escape(field)}:.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(lambda _: line, text, count=1)
        else:
            text = text.rstrip("\n") + f"\n{line}\n"
    problems = _text_problems(str(path), text, release, rewritten=True)
    if problems:
        raise InputError(problems)
    if text != before:
        path.write_text(text, encoding="utf-8")
    return text != before


def update_citation(release_file: Path, citation_file: Path) -> tuple[Release, bool]:
    """release.toml + CITATION.cff -> (the release, whether the file changed): write_citation with
    the release the file declares. Raises InputError for a bad release file or citation file."""
    release = load_release(release_file)
    return release, write_citation(citation_file, release)
