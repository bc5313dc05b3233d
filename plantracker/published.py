"""The published branch (gh-pages), read with git and never checked out: which versions exist, the
previous release's data packages (for "What changed") and every release's history entry (for the feed).

Each published release holds `downloads/<plan-id>/datapackage.json` and the package's files, and
`api/releases.json` (see assets.feed); this module only reads them back.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mike.versions import Version, Versions

from .problems import InputError, problem

RELEASES = "api/releases.json"


def _git(repo_dir: Path, *args: str) -> bytes | None:
    out = subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, check=False)
    return out.stdout if out.returncode == 0 else None


def _branch_ref(repo_dir: Path, branch: str, remote: str) -> str | None:
    """The local branch, else the remote-tracking one (a CI checkout has only `origin/gh-pages`)."""
    for ref in (branch, f"{remote}/{branch}"):
        if _git(repo_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is not None:
            return ref
    return None


def published_versions(repo_dir: Path, branch: str = "gh-pages", remote: str = "origin") -> tuple[str, list[str]] | None:
    """Published branch -> (the ref read, versions newest first as mike lists them); None when nothing is published."""
    ref = _branch_ref(Path(repo_dir), branch, remote)
    listing = _git(repo_dir, "show", f"{ref}:versions.json") if ref else None
    if listing is None:
        return None
    return ref, [str(info.version) for info in Versions.loads(listing.decode("utf-8"))]


def previous_release_data(repo_dir: Path, branch: str = "gh-pages", version: str | None = None, *,
                          before: str | None = None, remote: str = "origin",
                          dest: Path | None = None) -> tuple[str, Path] | None:
    """Published branch -> (version, folder of its packages), read with git, never checked out.

    Takes `version` if given, else the newest published version (older than `before`, if given).
    None when nothing is published yet: this is the first release. The folder (`dest`, emptied
    first, or a new temporary folder) holds `<plan-id>/datapackage.json` and the data files at the
    paths the descriptor names.
    """
    found = published_versions(repo_dir, branch, remote)
    if found is None:
        return None
    ref, published = found
    if version is None:
        older = [v for v in published if before is None or Version(before) > Version(v)]
        if not older:
            return None
        version = older[0]  # mike lists the newest first
    elif version not in published:
        raise InputError([problem("unknown-version", f"{ref}:versions.json", None, "version", version=version,
                                  published=", ".join(published) or "none")])
    if dest is None:
        dest = Path(tempfile.mkdtemp(prefix="plantracker-previous-"))
    elif Path(dest).exists():
        shutil.rmtree(dest)  # an earlier build's copy: extracted afresh, never merged with it
    _extract_packages(repo_dir, f"{ref}:{version}/downloads", dest)
    return version, dest


def _extract_packages(repo_dir: Path, tree: str, dest: Path) -> None:
    """`<ref>:<version>/downloads` -> dest/<plan-id>/ with each package's descriptor and files."""
    archive = _git(repo_dir, "archive", "--format=tar", tree)
    missing = problem("previous-data-missing", tree)
    if archive is None:
        raise InputError([missing])
    with tempfile.TemporaryDirectory(prefix="plantracker-downloads-") as tmp:
        _extract_tar(archive, Path(tmp))
        found = 0
        for descriptor in sorted(Path(tmp).glob("*/datapackage.json")) + sorted(Path(tmp).glob("*/package/datapackage.json")):
            plan_dir = dest / (descriptor.parent.name if descriptor.parent.name != "package"
                               else descriptor.parent.parent.name)
            if plan_dir.exists():
                continue
            shutil.copytree(descriptor.parent, plan_dir)
            _place_resources(plan_dir)
            found += 1
    if not found:
        raise InputError([missing])


def _extract_tar(archive: bytes, dest: Path) -> None:
    """A tar archive -> dest, never writing outside it. tarfile's "data" filter (PEP 706) came in
    Python 3.11.4; Debian 12's Python is 3.11.2, where only plain files and folders with relative
    paths that stay inside dest are extracted (links and devices are left out: downloads have none)."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
            return
        safe = [member for member in tar.getmembers()
                if (member.isfile() or member.isdir()) and not Path(member.name).is_absolute()
                and ".." not in Path(member.name).parts]
        for member in safe:
            member.mode &= 0o755  # as the data filter: no setuid, group or other write
        tar.extractall(dest, members=safe)


def _place_resources(plan_dir: Path) -> None:
    """Put each data file where the descriptor says, if the download laid it out flat (`<resource>.csv`)."""
    descriptor = json.loads((plan_dir / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor.get("resources", []):
        target = plan_dir / resource["path"]
        if target.exists():
            continue
        for candidate in (plan_dir / f"{resource['name']}.csv", plan_dir / Path(resource["path"]).name):
            if candidate.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(candidate, target)
                break


def published_history(repo_dir: Path, *, before: str | None = None, branch: str = "gh-pages",
                      remote: str = "origin") -> list[dict]:
    """Published branch -> release entries from every published version's api/releases.json
    (read with git, never checked out), for versions older than `before`; [] when none."""
    found = published_versions(repo_dir, branch, remote)
    if found is None:
        return []
    ref, published = found
    published = [v for v in published if before is None or Version(v) < Version(before)]
    entries: dict[str, dict] = {}
    for version in published:  # newest first: a version's own copy of its entry wins
        data = _git(repo_dir, "show", f"{ref}:{version}/{RELEASES}")
        if data is None:
            continue
        for entry in json.loads(data.decode("utf-8"))["releases"]:
            if entry["version"] in published and entry["version"] not in entries:
                entries[entry["version"]] = entry
            if entry["version"] == version:
                entries[version] = entry
    return sorted(entries.values(), key=lambda e: Version(e["version"]), reverse=True)
