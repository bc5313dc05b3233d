"""release.toml: the one release declaration, read strictly (issue 15 item 6, issue 16 items 6 and 7)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plantracker.cache import read_record
from plantracker.citation_cff import citation_problems
from plantracker.pipeline import BuildOptions, build, validate
from plantracker.problems import InputError
from plantracker.settings import load_release
from plantracker.strings import load_strings

REPO_ROOT = Path(__file__).resolve().parent.parent


def release_toml(tmp_path: Path, version: str) -> Path:
    path = tmp_path / "release.toml"
    text = (REPO_ROOT / "release.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('version = "2026.1"', f"version = {version}", 1), encoding="utf-8")
    assert f"version = {version}" in path.read_text(encoding="utf-8")
    return path


@pytest.mark.parametrize("version", [
    '"2026.4\\n"',     # `$` matches before a trailing newline: validated, then publish crashed
    '"２０２６.1"',     # full-width digits (\d takes them)
    '"٢٠٢٦.١"',        # Arabic-Indic digits
    '"2026.01"',       # a second gh-pages folder for release 2026.1
    '"2026.1.0"', '"26.1"', '" 2026.1"', '"2026.1 "', '"2026."', '"2026"',
])
def test_a_version_not_in_canonical_form_is_refused(tmp_path, version):
    path = release_toml(tmp_path, version)
    with pytest.raises(InputError) as refused:
        load_release(path)
    [problem] = refused.value.problems
    assert (problem.file, problem.field, problem.code) == (str(path), "release.version", "invalid-setting")
    assert "canonical form YEAR.N" in problem.message
    assert "without leading zeros" in problem.hint and "e.g. 2026.1" in problem.hint


@pytest.mark.parametrize("version", ['"2026.1"', '"2026.0"', '"2026.12"'])
def test_canonical_versions_are_read(tmp_path, version):
    assert load_release(release_toml(tmp_path, version)).version == version.strip('"')


def bumped_release(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of release.toml, bumped to 2026.2 as README's release step says, and of CITATION.cff."""
    release, cff = tmp_path / "release.toml", tmp_path / "CITATION.cff"
    text = (REPO_ROOT / "release.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version = ".*"$', 'version = "2026.2"', text)
    release.write_text(re.sub(r"(?m)^date = .*$", "date = 2026-11-30", text), encoding="utf-8")
    shutil.copyfile(REPO_ROOT / "CITATION.cff", cff)
    return release, cff


def test_a_citation_file_behind_the_release_stops_validation(tmp_path, mini_data):
    """Issue 16: bumping release.toml left CITATION.cff at the old version and publish went ahead."""
    release, cff = bumped_release(tmp_path)
    with pytest.raises(InputError) as refused:
        validate(BuildOptions(data_dir=mini_data, release_file=release, citation_file=cff))
    problems = refused.value.problems
    assert [(p.file, p.field, p.code) for p in problems] == [
        (str(cff), field, "citation-out-of-date") for field in ("date-released", "url", "version")]
    assert problems[2].line() == (f"{cff}: version: version is '2026.1', release.toml says '2026.2' "
                                  "(run python3 build.py citation) [citation-out-of-date]")


def test_the_citation_command_copies_the_release_and_keeps_the_rest(tmp_path, mini_data):
    release, cff = bumped_release(tmp_path)
    before = cff.read_text(encoding="utf-8").splitlines()
    run = subprocess.run([sys.executable, "build.py", "citation", "--release", str(release), "--file", str(cff)],
                         cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "(updated)" in run.stderr
    after = cff.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(after) == len(before) and changed == [
        ('version: "2026.1"', 'version: "2026.2"'), ('date-released: "2026-11-29"', 'date-released: "2026-11-30"'),
        ('url: "https://jjj-resource-tracker.github.io/2026.1/"', 'url: "https://jjj-resource-tracker.github.io/2026.2/"')]
    assert validate(BuildOptions(data_dir=mini_data, release_file=release, citation_file=cff)).version == "2026.2"
    again = subprocess.run([sys.executable, "build.py", "citation", "--release", str(release), "--file", str(cff)],
                           cwd=REPO_ROOT, capture_output=True, text=True)
    assert "(already up to date)" in again.stderr and cff.read_text(encoding="utf-8").splitlines() == after


def test_a_build_whose_validation_is_skipped_still_checks_the_citation_file(tmp_path, mini_data):
    """The build skips validating data it validated before; the release and citation files are read anyway."""
    release, cff = tmp_path / "release.toml", tmp_path / "CITATION.cff"
    shutil.copyfile(REPO_ROOT / "release.toml", release)
    shutil.copyfile(REPO_ROOT / "CITATION.cff", cff)
    options = BuildOptions(data_dir=mini_data, out_dir=tmp_path / "site", work_dir=tmp_path / "work",
                           release_file=release, citation_file=cff)
    build(options)
    (tmp_path / "bumped").mkdir()
    bumped, _ = bumped_release(tmp_path / "bumped")
    shutil.copyfile(bumped, release)
    with pytest.raises(InputError) as refused:
        build(options)
    assert {p.code for p in refused.value.problems} == {"citation-out-of-date"}
    assert read_record(options.work_dir)["last_build"]["validation"] == "skipped"


def test_the_repository_citation_file_follows_release_toml():
    assert citation_problems(REPO_ROOT / "CITATION.cff", load_release(REPO_ROOT / "release.toml")) == []


def release_with_corrections(tmp_path: Path, line: str | None) -> Path:
    path = tmp_path / "release.toml"
    text = (REPO_ROOT / "release.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^corrections = .*\n', "" if line is None else line + "\n", text)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("address", ["https://github.com/o/r/issues/new", "http://example.org/fix",
                                     "mailto:corrections@example.org"])
def test_a_corrections_address_is_read(tmp_path, address):
    assert load_release(release_with_corrections(tmp_path, f'corrections = "{address}"')).corrections == address


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://example.org/", "https://", "mailto:nobody",
                                     "https://example.org/a b", "example.org/issues", "", "data:text/html,x"])
def test_a_corrections_address_that_is_not_http_or_mailto_is_refused(tmp_path, address):
    path = release_with_corrections(tmp_path, f'corrections = "{address}"')
    with pytest.raises(InputError) as refused:
        load_release(path)
    [problem] = refused.value.problems
    assert (problem.file, problem.field, problem.code) == (str(path), "site.corrections", "invalid-setting")
    assert "http(s) or mailto:" in problem.message


def test_the_corrections_address_is_required(tmp_path):
    path = release_with_corrections(tmp_path, None)
    with pytest.raises(InputError) as refused:
        load_release(path)
    assert [(p.field, p.code) for p in refused.value.problems] == [("site.corrections", "missing-setting")]


class Links(HTMLParser):
    """A page -> its language (<html lang>), its links [href, text] and its text."""

    def __init__(self):
        super().__init__()
        self.lang, self.links, self.text = "", [], ""
        self._in_link = False

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag == "a":
            self.links.append([dict(attrs).get("href") or "", ""])
            self._in_link = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = False

    def handle_data(self, data):
        self.text += data
        if self._in_link:
            self.links[-1][1] += data


def test_every_page_says_how_to_report_an_error(mini_site):
    """Issue 16: every page, both languages (embeds and the 404 page too), links release.toml's
    corrections address and says what to include."""
    release = load_release(REPO_ROOT / "release.toml")
    strings = load_strings(REPO_ROOT / "templates")
    pages = sorted(mini_site.root.rglob("*.html"))
    assert len(pages) > 40 and any("/embed/" in p.as_posix() for p in pages)
    seen = set()
    for page in pages:
        parsed = Links()
        parsed.feed(page.read_text(encoding="utf-8"))
        lang = "zh" if parsed.lang.startswith("zh") else "en"
        seen.add(lang)
        t = strings[lang]
        assert [release.corrections, t["corrections_link"]] in [[h, " ".join(x.split())] for h, x in parsed.links], page
        text = " ".join(parsed.text.split())
        assert t["corrections_lead"] in text and t["corrections_what"] in text, page
    assert seen == {"zh", "en"}


def test_the_citation_command_on_a_missing_file_is_a_problem_not_a_fault(tmp_path):
    missing = tmp_path / "CITATION.cff"
    run = subprocess.run([sys.executable, "build.py", "citation", "--file", str(missing)], cwd=REPO_ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == (f"{missing}: file not found (restore it from git with git checkout "
                                          "CITATION.cff, then run python3 build.py citation) [missing-citation-file]")


def release_with_url(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "release.toml"
    text = (REPO_ROOT / "release.toml").read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^url = .*\n", lambda _: f"url = {url!r}\n", text), encoding="utf-8")
    return path


@pytest.mark.parametrize(("url", "site_url"), [
    ("https://example.org/", "https://example.org/"), ("https://example.org", "https://example.org/"),
    ("https://o.github.io/sub/path", "https://o.github.io/sub/path/"),
    ("http://localhost:8000/a_b-c.d~e/", "http://localhost:8000/a_b-c.d~e/")])
def test_a_site_address_is_read(tmp_path, url, site_url):
    assert load_release(release_with_url(tmp_path, url)).site_url == site_url


@pytest.mark.parametrize("url", [
    'https://example.org/"><script>alert(1)</script>/', "https://example.org/'onmouseover='x'/",
    "https://example.org/a?b=c", "https://example.org/#frag", "https://example.org/a b/", "https:///path/",
    "https://exa<mple.org/"])
def test_a_site_address_markup_could_read_or_a_folder_could_not_follow_is_refused(tmp_path, url):
    """Every page's links, canonical address and the 404 pages are made of it (a hostile-data review
    found a script from it on every page, and a query string inside the versions' links)."""
    path = release_with_url(tmp_path, url)
    with pytest.raises(InputError) as refused:
        load_release(path)
    [problem] = refused.value.problems
    assert (problem.file, problem.field, problem.code) == (str(path), "site.url", "invalid-setting")
