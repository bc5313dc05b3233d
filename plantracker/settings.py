"""release.toml -> Release: the one declared, validated place for the release version, date and site URL."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .problems import InputError, Problem, problem

# Every key the file may hold, with its type; anything else is an error.
_KEYS = {
    "release": {"version": str, "date": dt.date},
    "site": {"url": str, "corrections": str},
}
# How a problem names each type, and how to write it in TOML.
_TYPE_WORDS = {str: ("a string", 'write it in double quotes: "..."'),
               dt.date: ("a date", "write it as YYYY-MM-DD, without quotes")}
# YEAR.N in ASCII digits, no leading zero in N: one spelling per release, so one folder on gh-pages
# (`2026.01` would be a second folder for 2026.1; `\d` would also take full-width digits).
_VERSION = re.compile(r"[0-9]{4}\.(0|[1-9][0-9]*)", re.ASCII)


# mike's alias for the newest release; the site root redirects to it.
LATEST = "latest"
# The licence of the compilation (selection, arrangement, ids, translations) in every download.
COMPILATION_LICENCE = "CC-BY-4.0"
COMPILATION_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Release:
    version: str
    date: dt.date
    site_url: str  # always ends with "/"
    # Where readers report an error in a figure: an http(s) or mailto: address. Always set by
    # load_release; empty only in a Release made in code.
    corrections: str = ""

    @property
    def latest_url(self) -> str:
        """The newest release's stable address (mike's alias): canonical and hreflang links name it."""
        return f"{self.site_url}{LATEST}/"

    @property
    def url(self) -> str:
        """Permanent URL of this release on the published site."""
        return f"{self.site_url}{self.version}/"


def check_version(version: str, file: str) -> Problem | None:
    """A release version -> None when it is canonical (YEAR.N: `2026.1`), else the problem
    (`invalid-setting`, field release.version of `file`)."""
    if isinstance(version, str) and _VERSION.fullmatch(version):
        return None
    return problem("invalid-setting", file, None, "release.version", value=repr(version),
                   expected="in the canonical form YEAR.N",
                   how="four ASCII digits, a dot and a whole number without leading zeros or spaces, e.g. 2026.1")


def read_text_file(path: Path, missing: str) -> str:
    """A declaration file (release.toml, CITATION.cff) -> its text; raises InputError with the
    problem `missing` (a catalogue code) when it is not there, `unreadable-file` when it cannot be
    read (a folder, no permission), `not-utf8` naming the line when it is not UTF-8."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([problem(missing, name)])
    except OSError as error:
        raise InputError([problem("unreadable-file", name, why=error.strerror or type(error).__name__)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        from .validate.files import guess_encoding  # imported here: the validate package is slow to import
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError([problem("not-utf8", name, line, byte=f"0x{data[error.start]:02x}",
                                  looks_like=guess_encoding(data, error.start))])


def check_date(date: dt.date, version: str, file: str, today: dt.date) -> Problem | None:
    """A release date and its canonical version -> None when the date is no later than tomorrow
    (a release dated in a time zone ahead of this machine's) and in the version's year (YEAR.N),
    else the problem: a date years ahead, or one that disagrees with its version, is a typo."""
    latest = today + dt.timedelta(days=1)
    if date > latest:  # the date is the typo: not also a year mismatch
        return problem("release-date-out-of-range", file, None, "release.date", date=date.isoformat(),
                       latest=latest.isoformat())
    year = int(version.split(".")[0])
    if year != date.year:
        return problem("version-year-mismatch", file, None, "release.version", version=version,
                       year=year, date=date.isoformat(), date_year=date.year)
    return None


def load_release(path: Path, today: dt.date | None = None) -> Release:
    """release.toml -> Release; raises InputError naming every bad or unknown key. `today` (the
    machine's date by default) bounds the release date."""
    name = str(path)
    text = read_text_file(path, "missing-release-file")
    if text.startswith("\ufeff"):  # TOML forbids it; tomllib would only say "invalid statement"
        raise InputError([problem("utf8-bom", name)])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([problem("invalid-toml", name, why=exc)])
    problems = _key_problems(raw, name)
    if problems:
        raise InputError(problems)
    version = raw["release"]["version"]
    release_problem = check_version(version, name) or check_date(raw["release"]["date"], version, name,
                                                                 today or dt.date.today())
    if release_problem:
        raise InputError([release_problem])
    url = raw["site"]["url"]
    if not url.startswith(("https://", "http://")):
        raise InputError([problem("invalid-setting", name, None, "site.url", value=repr(url),
                                  expected="an http(s) address", how="start it with https://")])
    if not _is_site_address(url):
        raise InputError([problem("invalid-setting", name, None, "site.url", value=repr(url),
                                  expected="a site's address: a host and a path of letters, digits and - . _ ~ /",
                                  how='e.g. "https://<owner>.github.io/<repository>/"; no query (?), fragment '
                                      '(#), quotes, brackets or spaces')])
    corrections = raw["site"]["corrections"]
    if not _is_corrections_address(corrections):
        raise InputError([problem("invalid-setting", name, None, "site.corrections", value=repr(corrections),
                                  expected="an http(s) or mailto: address",
                                  how='e.g. "https://github.com/<owner>/<repository>/issues/new" or '
                                      '"mailto:corrections@example.org"')])
    return Release(version=version, date=raw["release"]["date"], site_url=url.rstrip("/") + "/",
                   corrections=corrections)


def _key_problems(raw: dict, name: str) -> list[Problem]:
    """release.toml as read -> a problem for each unknown table or key, value of the wrong type
    and missing key."""
    problems = []
    for table, value in raw.items():
        if table not in _KEYS or not isinstance(value, dict):
            problems.append(problem("unknown-setting", name, None, table, kind="table", name=table,
                                    allowed=", ".join(_KEYS)))
            continue
        for key, item in value.items():
            kind = _KEYS[table].get(key)
            if kind is None:
                problems.append(problem("unknown-setting", name, None, f"{table}.{key}", kind="key", name=key,
                                        allowed=", ".join(_KEYS[table])))
            elif isinstance(item, dt.datetime) and kind is dt.date:  # a datetime is a date too
                problems.append(problem("invalid-setting", name, None, f"{table}.{key}", value=item.isoformat(),
                                        expected="a plain date (a release date has no time of day)",
                                        how=f"write it as YYYY-MM-DD, without quotes: {key} = {item.date()}"))
            elif not isinstance(item, kind):
                expected, how = _TYPE_WORDS[kind]
                problems.append(problem("invalid-setting", name, None, f"{table}.{key}", value=repr(item),
                                        expected=expected, how=how))
    for table, keys in _KEYS.items():
        for key in keys:
            if key not in raw.get(table, {}):
                problems.append(problem("missing-setting", name, None, f"{table}.{key}", table=table, key=key))
    return problems


def _is_site_address(url: str) -> bool:
    """The site's address, which every page's links, canonical address and 404 pages are made of
    (versions are folders below it): a host, and a path of URL-safe characters only; no query or
    fragment (a folder below one would be neither), nothing markup could read."""
    parts = urlsplit(url)
    return (bool(parts.hostname) and not parts.query and not parts.fragment and "#" not in url and "?" not in url
            and re.fullmatch(r"[A-Za-z0-9._~/%-]*", parts.path) is not None
            and re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc) is not None)


def _is_corrections_address(address: str) -> bool:
    """An address every page links to: a web page with a host, or an e-mail address; nothing else
    (no `javascript:`), no white space or control character."""
    if any(c.isspace() or not c.isprintable() for c in address):
        return False
    parts = urlsplit(address)
    if parts.scheme in ("https", "http"):
        return bool(parts.hostname)
    return parts.scheme == "mailto" and bool(re.fullmatch(r"[^@/?#]+@[^@/?#]+\.[^@/?#]+", parts.path))
