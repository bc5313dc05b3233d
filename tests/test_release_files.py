"""release.toml and CITATION.cff as a person saves them: not UTF-8, a folder, a date with a time or
out of range, a key twice. Each is a problem with its exact line and exit 2, never an internal fault."""
from __future__ import annotations

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


def run_citation(release: Path, cff: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "citation", "--release", str(release), "--file", str(cff)],
                          cwd=REPO_ROOT, capture_output=True, text=True)


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
    with pytest.raises(InputError) as refused:
        load_release(release)
    assert [p.line() for p in refused.value.problems] == [f'{release}: file starts with a UTF-8 byte-order mark (BOM) (save it as "UTF-8 '
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
