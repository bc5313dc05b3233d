"""The fixture plan's chart specs, pages and site listing against the committed golden files.

An unintended change of output fails here with a diff; a deliberate one is refreshed with
`python tests/golden.py` and its golden difference explained in the commit.
"""
from __future__ import annotations

import difflib

import pytest

from golden import GOLDEN_DIR, build_golden_site, golden_outputs, read_golden

REFRESH = "python tests/golden.py"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    return golden_outputs(build_golden_site(tmp_path_factory.mktemp("golden")))


def _diff(name: str, expected: str, actual: str, limit: int = 80) -> str:
    lines = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                      f"golden/{name}", f"built/{name}", lineterm="", n=2))
    shown = lines[:limit] + ([f"... {len(lines) - limit} more diff lines"] if len(lines) > limit else [])
    return "\n".join(shown)


def test_golden_files_exist():
    assert GOLDEN_DIR.is_dir() and read_golden(), f"no golden files: run `{REFRESH}` and commit them"


def test_golden_outputs_are_unchanged(outputs):
    golden = read_golden()
    missing = sorted(set(golden) - set(outputs))
    extra = sorted(set(outputs) - set(golden))
    changed = [name for name in sorted(set(golden) & set(outputs)) if golden[name] != outputs[name]]
    report = [f"golden file no longer produced: {name}" for name in missing]
    report += [f"new output without a golden file: {name}" for name in extra]
    report += [_diff(name, golden[name], outputs[name]) for name in changed]
    assert not report, (f"output differs from the golden files (if deliberate: `{REFRESH}`, then explain the "
                        "change in the commit)\n" + "\n\n".join(report))


def test_golden_listing_covers_every_chart_form(outputs):
    """The listing is not vacuous: it names each chart's spec, SVG, PNG and CSV and the pages."""
    listing = outputs["site-listing.txt"]
    for suffix in (".vegalite.zh.json", ".zh.svg", ".zh.png", ".zh.csv", ".en.svg"):
        assert f"assets/charts/mini-plan/target-xa-recycled{suffix}" in listing
    assert "  en/mini-plan/targets/xa-recycled/index.html" in listing
    assert "  downloads/mini-plan/mini-plan.xlsx" in listing
