"""A built site folder + Release -> one version on the gh-pages branch (mike), `latest` moved to it."""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mike import commands as mike_commands
from mike import git_utils
from mike.versions import Version

from .locks import output_lock
from .problems import InputError, problem
from .settings import LATEST, Release, check_version

# What the published site is built from: a change here that is not committed would be published
# under a source commit that does not hold it. (tests/, docs and bench/ do not reach the site.)
SOURCE_PATHS = ("datapackages", "templates", "site_src", "plantracker", "build.py", "mkdocs.yml",
                "release.toml", "pyproject.toml", "CITATION.cff")

# "symlink": `latest` is one symlink entry on the branch (small, and GitHub Pages serves it).
# "copy": `latest/` is a full copy, for hosts that do not follow symlinks in the published tree.
ALIAS_TYPES = ("symlink", "copy")


@dataclass(frozen=True)
class PublishResult:
    """What publishing did: `created`, `unchanged` or `replaced`; the branch commit after it."""

    version: str
    status: str
    commit: str
    latest: str | None  # the version `latest` points to after publishing
    pushed: bool


def publish_release(site_dir: Path, release: Release, repo_dir: Path, *, branch: str = "gh-pages",
                    push: bool = False, force: bool = False, remote: str = "origin",
                    alias_type: str = "symlink") -> PublishResult:
    """Built site folder -> version `release.version` on `branch` of the repository at repo_dir.

    Never rebuilds: mike commits the folder as it is. An existing version with different content
    is refused (problem `version-exists`) unless `force`; identical content is left as it is.
    Other versions' trees are never touched; `latest` moves only when this is the newest version.
    Refused first: a version not in canonical form (`invalid-setting`) and uncommitted changes to
    what the site is built from (`uncommitted-changes`, see check_committed). The branch commit's
    message names the source commit (HEAD of repo_dir).
    """
    site_dir, repo_dir = Path(site_dir).resolve(), Path(repo_dir).resolve()
    version = release.version
    _check_inputs(site_dir, alias_type, version)
    check_committed(repo_dir)
    # No build may replace the folder while mike commits it (output-folder-busy).
    with output_lock(site_dir), contextlib.chdir(repo_dir):
        return _publish(site_dir, release, branch, push, force, remote, alias_type)


def _publish(site_dir: Path, release: Release, branch: str, push: bool, force: bool, remote: str,
             alias_type: str) -> PublishResult:
    """publish_release's work, in repo_dir, holding the site folder's lock."""
    version = release.version
    _update_from_remote(remote, branch)
    versions = mike_commands.list_versions(branch)
    existing = versions.find(version)
    if existing and _tree_entries(branch, version) == _folder_entries(site_dir):
        status = "unchanged"
    elif existing and not force:
        raise InputError([problem("version-exists", str(site_dir), None, "version", version=version, branch=branch)])
    else:
        status = "replaced" if existing else "created"
        newest = all(Version(version) >= info.version for info in versions)
        aliases = [LATEST] if newest else []
        cfg = {"site_dir": str(site_dir), "use_directory_urls": True}
        with mike_commands.deploy(cfg, version, title=version, aliases=aliases, update_aliases=True,
                                  alias_type=mike_commands.AliasType[alias_type], branch=branch,
                                  message=_message(release)):
            pass  # the site is already built: mike commits site_dir as it is
        if newest:
            _set_not_found_page(site_dir, branch)
    _set_default(branch)
    if push:
        git_utils.push_branch(remote, branch)
    latest = mike_commands.list_versions(branch).find(LATEST)
    return PublishResult(version, status, git_utils.get_latest_commit(branch),
                         latest[0] if latest else None, push)


def _check_inputs(site_dir: Path, alias_type: str, version: str) -> None:
    if alias_type not in ALIAS_TYPES:
        raise ValueError(f"alias_type must be one of {ALIAS_TYPES}, not {alias_type!r}")
    if not (site_dir / "index.html").is_file():
        raise InputError([problem("site-missing", str(site_dir))])
    invalid = check_version(version, "release.toml")  # also a Release made in code, not read from the file
    if invalid:
        raise InputError([invalid])


def _update_from_remote(remote: str, branch: str) -> None:
    """Fast-forward the local branch to `<remote>/<branch>` (CI checkouts only have the remote ref)."""
    try:
        git_utils.update_from_upstream(remote, branch)
    except (git_utils.GitBranchDiverged, git_utils.GitRevUnrelated) as exc:
        raise InputError([problem("branch-diverged", branch, why=exc, remote=remote, branch=branch)])


def _set_default(branch: str) -> None:
    """Root index.html redirects to `latest/`; when it already does, mike's commit is empty: done."""
    if not mike_commands.list_versions(branch).find(LATEST):
        return  # only older versions were published so far: nothing to point at yet
    try:
        mike_commands.set_default(LATEST, branch=branch, message=f"Set default version to {LATEST}")
    except git_utils.GitEmptyCommit:
        pass


# The site's 404 page for the branch root, its links under latest/ (templates/theme/404-versions.html).
VERSIONS_NOT_FOUND_PAGE = "404-versions.html"


def _set_not_found_page(site_dir: Path, branch: str) -> None:
    """The newest release's 404 page -> 404.html at the branch root: GitHub Pages answers a missing
    address anywhere on the site with the root's 404.html only, and mike writes none (the version
    folders' own 404.html are never served as one). Unchanged: nothing to commit."""
    page = site_dir / VERSIONS_NOT_FOUND_PAGE
    if not page.is_file():
        return  # a site built without it (an older build): GitHub's own 404 page, as before
    try:
        with git_utils.Commit(branch, f"404 page of {LATEST}") as commit:
            commit.add_file(git_utils.FileInfo("404.html", page.read_bytes()))
    except git_utils.GitEmptyCommit:
        pass


def check_committed(repo_dir: Path) -> None:
    """Raise InputError (`uncommitted-changes`, listing the paths) when the working tree of repo_dir
    has staged, unstaged or untracked (not ignored) changes under SOURCE_PATHS: the published
    commit message names HEAD as the source, so HEAD must hold exactly what was built."""
    out = subprocess.run(["git", "-C", str(repo_dir), "status", "--porcelain=v1", "-z", "--untracked-files=all",
                          "--", *SOURCE_PATHS], capture_output=True, check=False)
    if out.returncode != 0:
        raise InputError([problem("not-a-repository", str(repo_dir),
                                  why=out.stderr.decode("utf-8", "replace").strip())])
    paths, records = [], out.stdout.split(b"\0")
    while records:
        record = records.pop(0)
        if record:
            paths.append(record[3:].decode("utf-8", "replace"))
            if {record[:1], record[1:2]} & {b"R", b"C"}:  # a rename or copy: the next record is its old path
                records.pop(0)
    if paths:
        shown = ", ".join(paths[:20]) + (f" and {len(paths) - 20} more" if len(paths) > 20 else "")
        raise InputError([problem("uncommitted-changes", str(repo_dir), paths=shown)])


def _message(release: Release) -> str:
    try:
        source = git_utils.get_latest_commit("HEAD")
    except git_utils.GitError:
        source = "a working tree with no commit"
    return f"Publish data release {release.version} ({release.date}) built from {source}"


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _folder_entries(site_dir: Path) -> dict[str, tuple[str, str]]:
    """Folder -> {relative path: (git mode, blob id)} exactly as mike would commit it."""
    entries = {}
    for info in git_utils.walk_real_files(str(site_dir)):
        rel = Path(os.path.relpath(info.path, site_dir)).as_posix()
        entries[rel] = (f"{info.mode:06o}", _blob_id(info.data))
    return entries


def _tree_entries(branch: str, version: str) -> dict[str, tuple[str, str]]:
    """`<branch>:<version>/` -> {relative path: (git mode, blob id)}, read without a checkout."""
    out = subprocess.run(["git", "ls-tree", "-r", "-z", "--full-tree", f"{branch}:{version}"],
                         capture_output=True, check=False)
    if out.returncode != 0:
        return {}
    entries = {}
    for record in out.stdout.split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, _kind, blob = meta.decode().split(" ")
            entries[path.decode("utf-8")] = (mode, blob)
    return entries
