"""Shared fixtures: the real site and the fixture plan's site, each built once per test session."""
from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from plantracker.pipeline import REPO_ROOT, BuildOptions, BuildResult, build

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class BuiltSite:
    """A site built by the real pipeline into a temporary folder."""

    root: Path          # the built site (what would be published)
    data_dir: Path      # the data packages it was built from
    work_dir: Path
    result: BuildResult

    def page(self, url_path: str) -> str:
        """Site URL path ("", "en/plan/targets/T01/") -> the page's HTML."""
        path = self.root / url_path
        if url_path == "" or url_path.endswith("/"):
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


def templates_with_a_broken_link(tmp: Path) -> Path:
    """A copy of the repository's templates whose About page links to a missing page: MkDocs'
    strict mode aborts the build on it."""
    templates = tmp / "templates"
    shutil.copytree(REPO_ROOT / "templates", templates)
    about = templates / "pages" / "about.md.j2"
    about.write_text(about.read_text(encoding="utf-8") + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    return templates


def edit_csv(path: Path, edit) -> None:
    """Rewrite a package CSV through edit(rows) -> rows, as an editor saves it: the whole file, the
    same header, the fixtures' dialect (UTF-8, LF)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows, header = list(reader), reader.fieldnames
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(edit(rows))


def an_earlier_site(out: Path) -> Path:
    """An output folder holding one page from an earlier build, which a failed build must keep."""
    out.mkdir()
    (out / "earlier.html").write_text("an earlier build", encoding="utf-8")
    return out


def build_into(tmp: Path, data_dir: Path) -> BuiltSite:
    options = BuildOptions(data_dir=data_dir, out_dir=tmp / "site", work_dir=tmp / "work")
    return BuiltSite(options.out_dir, data_dir, options.work_dir, build(options))


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> BuiltSite:
    """The shipped data packages, built by the real pipeline."""
    return build_into(tmp_path_factory.mktemp("real"), REPO_ROOT / "datapackages")


@pytest.fixture(scope="session")
def mini_data(tmp_path_factory) -> Path:
    """A data folder holding only the fixture plan (tests/fixtures/mini-plan)."""
    data = tmp_path_factory.mktemp("mini-data")
    shutil.copytree(FIXTURES / "mini-plan", data / "mini-plan")
    return data


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory, mini_data) -> BuiltSite:
    """The fixture plan, built by the real pipeline: a different plan gives a different site."""
    return build_into(tmp_path_factory.mktemp("mini"), mini_data)


@pytest.fixture(scope="session")
def many_plans_site(tmp_path_factory) -> BuiltSite:
    """The shipped data built as if they held more plans than the navigation lists
    (nav.NAV_PLAN_SECTIONS_MAX lowered to 1): one "Plans" page instead of a section per plan."""
    from plantracker.pages import nav

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nav, "NAV_PLAN_SECTIONS_MAX", 1)
        return build_into(tmp_path_factory.mktemp("many-plans"), REPO_ROOT / "datapackages")


# Browser fixtures (served_site, site_url, chromium) live beside the tests that use them.
from browser_support import CHROMIUM_ARGS, chromium, served_site, site_url  # noqa: E402,F401
