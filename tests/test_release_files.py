"""release.toml and CITATION.cff as a person saves them: not UTF-8, a folder, a date with a time or
out of range, a key twice. Each is a problem with its exact line and exit 2, never an internal fault."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plantracker.citation_cff import update_citation, write_citation
from plantracker.pipeline import BuildOptions, validate
from plantracker.problems import InputError
from plantracker.settings import load_release

REPO_ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)  # the date tests that bound the release date run on
SAVE_AS_UTF8 = ('(open it in an editor and save it as "UTF-8 without BOM"; text pasted from a GBK file '
                'must be converted too) [not-utf8]')
NOT_A_FILE = ("(it must be a plain file the build can read (not a folder): replace it with the file itself) "
              "[unreadable-file]")


def copies(tmp_path: Path) -> tuple[Path, Path]:
    """The repository's release.toml and CITATION.cff, copied into tmp_path."""
    release, cff = tmp_path / "release.toml", tmp_path / "CITATION.cff"
    shutil.copyfile(REPO_ROOT / "release.toml", release)
    shutil.copyfile(REPO_ROOT / "CITATION.cff", cff)
    return release, cff


def release_with(tmp_path: Path, key: str, value: str) -> Path:
    """A copy of release.toml whose `key = ...` line says `value` instead."""
    path = tmp_path / "release.toml"
    text = (REPO_ROOT / "release.toml").read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1), encoding="utf-8")
    return path


def run_citation(release: Path, cff: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "citation", "--release", str(release), "--file", str(cff)],
                          cwd=REPO_ROOT, capture_output=True, text=True)


def refusal(release: Path, today: dt.date = TODAY) -> list[str]:
    with pytest.raises(InputError) as refused:
        load_release(release, today=today)
    return [p.line() for p in refused.value.problems]


# --- files that are not UTF-8, not files, not readable ---

@pytest.mark.parametrize("which", ["release", "cff"])
def test_a_file_that_is_not_utf8_is_a_problem_naming_it(tmp_path, mini_data, which):
    """Tester: `printf '\\xff\\xfe' > CITATION.cff` made validate exit 1 with a UnicodeDecodeError."""
    release, cff = copies(tmp_path)
    broken = release if which == "release" else cff
    broken.write_bytes(b"\xff\xfe[release]\n" if which == "release" else b"\xff\xfe")
    line = f"{broken}:1: text is not UTF-8 (byte 0xff on this line); it looks like UTF-16 {SAVE_AS_UTF8}"
    with pytest.raises(InputError) as refused:
        validate(BuildOptions(data_dir=mini_data, release_file=release, citation_file=cff))
    assert [p.line() for p in refused.value.problems] == [line]
    run = run_citation(release, cff)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert run.stderr.splitlines()[0] == line


def test_a_gbk_line_in_the_citation_file_is_named_by_its_line(tmp_path):
    release, cff = copies(tmp_path)
    lines = cff.read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(i for i, text in enumerate(lines) if text.startswith("title:"))
    cff.write_bytes(b"".join(text.encode("gbk" if i == title else "utf-8") for i, text in enumerate(lines)))
    run = run_citation(release, cff)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == (f"{cff}:{title + 1}: text is not UTF-8 (byte 0xb9 on this line); "
                                          f"it looks like GBK {SAVE_AS_UTF8}")


def test_a_release_file_with_a_byte_order_mark_is_a_problem(tmp_path):
    release, _ = copies(tmp_path)
    release.write_bytes(b"\xef\xbb\xbf" + release.read_bytes())
    assert refusal(release) == [f'{release}: file starts with a UTF-8 byte-order mark (BOM) (save it as "UTF-8 '
                                "without BOM\" (Excel's \"CSV UTF-8\" adds one)) [utf8-bom]"]


@pytest.mark.parametrize("which", ["release", "cff"])
def test_a_folder_instead_of_the_file_is_a_problem(tmp_path, mini_data, which):
    release, cff = copies(tmp_path)
    broken = release if which == "release" else cff
    broken.unlink()
    broken.mkdir()
    with pytest.raises(InputError) as refused:
        validate(BuildOptions(data_dir=mini_data, release_file=release, citation_file=cff))
    assert [p.line() for p in refused.value.problems] == [f"{broken}: cannot read the file: Is a directory {NOT_A_FILE}"]
    with pytest.raises(InputError) as refused:
        update_citation(release, cff)
    assert [p.code for p in refused.value.problems] == ["unreadable-file"]


def test_a_file_that_cannot_be_opened_is_a_problem(tmp_path):
    """Not a folder, and not missing: a link that leads to itself (a permission the build lacks
    takes the same path; the tests may run as root, who reads anything)."""
    release, cff = copies(tmp_path)
    cff.unlink()
    cff.symlink_to(cff)
    run = run_citation(release, cff)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == f"{cff}: cannot read the file: Too many levels of symbolic links {NOT_A_FILE}"


def test_writing_the_citation_into_a_folder_is_refused(tmp_path):
    release, cff = copies(tmp_path)
    cff.unlink()
    cff.mkdir()
    with pytest.raises(InputError) as refused:
        write_citation(cff, load_release(release))
    assert [p.line() for p in refused.value.problems] == [f"{cff}: cannot read the file: Is a directory {NOT_A_FILE}"]


# --- the release date ---

@pytest.mark.parametrize("value", ["2026-11-29T23:30:00-05:00", "2026-11-29T23:30:00", "2026-11-29 23:30:00Z"])
def test_a_release_date_with_a_time_is_refused(tmp_path, value):
    """Tester: a TOML datetime was taken, and CITATION.cff said `date-released: "2026-11-29T23:30:00-05:00"`."""
    release = release_with(tmp_path, "date", value)
    shown = dt.datetime.fromisoformat(value).isoformat()
    assert refusal(release) == [f"{release}: release.date: {shown} is not a plain date (a release date has no time "
                                "of day) (write it as YYYY-MM-DD, without quotes: date = 2026-11-29) [invalid-setting]"]
    cff = tmp_path / "CITATION.cff"
    shutil.copyfile(REPO_ROOT / "CITATION.cff", cff)
    before = cff.read_bytes()
    assert run_citation(release, cff).returncode == 2 and cff.read_bytes() == before


def test_a_release_date_in_quotes_is_refused(tmp_path):
    release = release_with(tmp_path, "date", '"2026-11-29"')
    assert refusal(release) == [f"{release}: release.date: '2026-11-29' is not a date (write it as YYYY-MM-DD, "
                                "without quotes) [invalid-setting]"]


@pytest.mark.parametrize("date", ["2099-12-31", "2026-12-02"])
def test_a_release_date_after_tomorrow_is_refused(tmp_path, date):
    release = release_with(tmp_path, "date", date)
    assert refusal(release) == [
        f"{release}: release.date: {date} is after 2026-12-01, tomorrow (write the day this release is "
        "published, YYYY-MM-DD: a date ahead of it is a typo) [release-date-out-of-range]"]


@pytest.mark.parametrize("date", ["1900-01-01", "2025-12-31"])
def test_a_release_date_before_its_versions_year_is_refused(tmp_path, date):
    release = release_with(tmp_path, "date", date)
    assert [line.rsplit("[", 1)[1] for line in refusal(release)] == ["version-year-mismatch]"]


@pytest.mark.parametrize("date", ["2026-01-01", "2026-11-30", "2026-12-01"])
def test_a_release_date_up_to_tomorrow_is_read(tmp_path, date):
    """Tomorrow: the day is already tomorrow in a time zone ahead of the machine's."""
    assert load_release(release_with(tmp_path, "date", date), today=TODAY).date == dt.date.fromisoformat(date)


def test_the_machine_date_bounds_the_release_date(tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(InputError) as refused:
        load_release(release_with(tmp_path, "date", (tomorrow + dt.timedelta(days=1)).isoformat()))
    assert [p.code for p in refused.value.problems] == ["release-date-out-of-range"]
    assert f"after {tomorrow.isoformat()}, tomorrow" in refused.value.problems[0].message


@pytest.mark.parametrize(("version", "date"), [('"1999.1"', "2026-11-29"), ('"2027.1"', "2026-11-29")])
def test_a_version_of_another_year_than_the_date_is_refused(tmp_path, version, date):
    release = release_with(tmp_path, "version", version)
    assert refusal(release) == [
        f'{release}: release.version: version {version} names the year {version[1:5]}, but the release date '
        f"{date} is in 2026 (a version is YEAR.N with the year of its release date: correct the version or the "
        "date) [version-year-mismatch]"]


# --- keys twice in CITATION.cff ---

def test_a_citation_key_given_twice_is_refused(tmp_path, mini_data):
    """Tester: a leading `version: "2027.1"` above the right one passed: YAML keeps the last key."""
    release, cff = copies(tmp_path)
    text = cff.read_text(encoding="utf-8")
    cff.write_text('version: "2027.1"\n' + text, encoding="utf-8")
    second = 1 + text.splitlines().index('version: "2026.1"') + 1
    line = (f'{cff}:{second}: version: the key "version" appears twice in one mapping (first on line 1) (keep one '
            "of them: YAML readers keep only the last, so the other is silently lost; then run python3 build.py "
            "citation) [duplicate-citation-key]")
    with pytest.raises(InputError) as refused:
        validate(BuildOptions(data_dir=mini_data, release_file=release, citation_file=cff))
    assert [p.line() for p in refused.value.problems] == [line]
    before = cff.read_bytes()
    run = run_citation(release, cff)
    assert run.returncode == 2 and run.stderr.splitlines()[0] == line and cff.read_bytes() == before


def test_a_key_twice_inside_a_nested_mapping_is_refused(tmp_path):
    release, cff = copies(tmp_path)
    cff.write_text(cff.read_text(encoding="utf-8") + 'preferred-citation:\n  type: dataset\n  type: software\n',
                   encoding="utf-8")
    last = len(cff.read_text(encoding="utf-8").splitlines())
    run = run_citation(release, cff)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0].startswith(
        f'{cff}:{last}: type: the key "type" appears twice in one mapping (first on line {last - 1})')
