"""release.toml: the one release declaration, read strictly (issue 15 item 6, issue 16 items 6 and 7)."""
from __future__ import annotations

from pathlib import Path

import pytest

from plantracker.problems import InputError
from plantracker.settings import load_release

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


@pytest.mark.parametrize("version", ['"2026.1"', '"2026.0"', '"2027.12"'])
def test_canonical_versions_are_read(tmp_path, version):
    assert load_release(release_toml(tmp_path, version)).version == version.strip('"')
