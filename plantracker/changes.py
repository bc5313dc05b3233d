"""Previous release's packages + this release's -> Changes (figures added, revised, removed; statuses)."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from mike.versions import Version, Versions

from .load import load_packages
from .numbers import format_number, join_unit
from .problems import InputError, Problem
from .query import run_query

SIDES = ("previous", "current")


@dataclass(frozen=True)
class Changes:
    """Rows from changes_figures.sql and changes_target_status.sql, and what they were compared with."""

    previous_version: str | None  # None: the previous data came from a plain folder, or none at all
    first_release: bool
    figures: list[dict] = field(default_factory=list)
    status_changes: list[dict] = field(default_factory=list)

    def of_kind(self, change: str) -> list[dict]:
        """'added' | 'revised' | 'removed' -> those figure rows."""
        return [row for row in self.figures if row["change"] == change]


def compare_releases(previous_data_dir: Path | None, current_data_dir: Path, *,
                     previous_version: str | None = None) -> Changes:
    """(folder of the previous release's packages or None, folder of this release's) -> Changes.

    None means nothing was published before: the first release, with nothing to list.
    """
    if previous_data_dir is None:
        return Changes(previous_version=None, first_release=True)
    con = duckdb.connect()
    try:
        for side, data_dir in zip(SIDES, (previous_data_dir, current_data_dir)):
            _attach_release(con, side, Path(data_dir))
        figures = run_query(con, "changes_figures")
        statuses = target_status_changes(con)
    finally:
        con.close()
    return Changes(previous_version, False, figures, statuses)


def _attach_release(con: duckdb.DuckDBPyConnection, side: str, data_dir: Path) -> None:
    """Load a folder of packages with the build's own loader; its tables become catalog `side`."""
    loaded, _packages = load_packages(data_dir)
    try:
        con.execute(f"attach ':memory:' as {side}")  # side: one of SIDES, never data
        for (table,) in loaded.execute("select table_name from information_schema.tables").fetchall():
            rows = loaded.table(table).to_arrow_table()
            con.register("loaded_rows", rows)
            con.execute(f'create table {side}."{table}" as select * from loaded_rows')
            con.unregister("loaded_rows")
    finally:
        loaded.close()


def target_status_changes(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Connection with `previous` and `current` attached -> targets whose status changed.

    Runs this build's target_progress.sql against each release's data, so a status changes only
    when the data did (a change of the status rule itself is not reported as a change).
    """
    for side in SIDES:
        con.execute(f"use {side}")
        rows = run_query(con, "target_progress")
        con.execute("use memory")
        con.execute(f"create or replace table {side}_status (plan_id varchar, target_id varchar, status varchar)")
        if rows:
            con.executemany(f"insert into {side}_status values (?, ?, ?)",
                            [(r["plan_id"], r["target_id"], r["status"]) for r in rows])
    return run_query(con, "changes_target_status")


def previous_release_data(repo_dir: Path, branch: str = "gh-pages", version: str | None = None, *,
                          before: str | None = None, remote: str = "origin",
                          dest: Path | None = None) -> tuple[str, Path] | None:
    """Published branch -> (version, folder of its packages), read with git, never checked out.

    Takes `version` if given, else the newest published version (older than `before`, if given).
    None when nothing is published yet: this is the first release. The folder holds
    `<plan-id>/datapackage.json` and the data files at the paths the descriptor names.
    """
    ref = _branch_ref(Path(repo_dir), branch, remote)
    if ref is None:
        return None
    listing = _git(repo_dir, "show", f"{ref}:versions.json")
    if listing is None:
        return None
    published = [str(info.version) for info in Versions.loads(listing.decode("utf-8"))]
    if version is None:
        older = [v for v in published if before is None or _newer(before, v)]
        if not older:
            return None
        version = older[0]  # mike lists the newest first
    elif version not in published:
        raise InputError([Problem(f"{ref}:versions.json", None, "version", "unknown-version",
                                  f"version {version} is not published",
                                  f"published: {', '.join(published) or 'none'}")])
    dest = Path(dest) if dest is not None else Path(tempfile.mkdtemp(prefix="plantracker-previous-"))
    _extract_packages(repo_dir, f"{ref}:{version}/downloads", dest)
    return version, dest


def _branch_ref(repo_dir: Path, branch: str, remote: str) -> str | None:
    """The local branch, else the remote-tracking one (a CI checkout has only `origin/gh-pages`)."""
    for ref in (branch, f"{remote}/{branch}"):
        if _git(repo_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is not None:
            return ref
    return None


def _newer(a: str, b: str) -> bool:
    return Version(a) > Version(b)


def _git(repo_dir: Path, *args: str) -> bytes | None:
    out = subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, check=False)
    return out.stdout if out.returncode == 0 else None


def _extract_packages(repo_dir: Path, tree: str, dest: Path) -> None:
    """`<ref>:<version>/downloads` -> dest/<plan-id>/ with each package's descriptor and files."""
    archive = _git(repo_dir, "archive", "--format=tar", tree)
    problem = Problem(tree, None, None, "previous-data-missing",
                      "the published release has no downloads/<plan-id>/datapackage.json",
                      "compare with a folder of packages instead (--previous DIR)")
    if archive is None:
        raise InputError([problem])
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
        raise InputError([problem])


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


def changes_page_context(changes: Changes, lang: str, *, previous_url: str | None = None) -> dict:
    """Changes + language -> finished values for templates/pages/changes.md.j2."""
    figures = {change: [_figure_row(row, lang, change) for row in changes.of_kind(change)]
               for change in ("added", "revised", "removed")}
    statuses = [{
        "plan": row[f"plan_{lang}"] or row["plan_id"],
        "target_id": row["target_id"],
        "indicator": row[f"indicator_{lang}"] or "",
        "region": row[f"region_{lang}"] or "",
        "target_year": str(row["target_year"]),
        "old_status": row["old_status"],
        "new_status": row["new_status"],
    } for row in changes.status_changes]
    return {
        "first_release": changes.first_release,
        "previous_version": changes.previous_version,
        "previous_url": previous_url,
        "nothing_changed": not changes.first_release and not changes.figures and not statuses,
        **figures,
        "status_changes": statuses,
    }


def _figure_row(row: dict, lang: str, change: str) -> dict:
    old = _value_text(row["old_value"], row[f"old_unit_{lang}"] or row["old_unit_id"], lang)
    new = _value_text(row["new_value"], row[f"new_unit_{lang}"] or row["new_unit_id"], lang)
    source = _source(row["old_source_title"], row["old_source_url"], row["old_source_id"]) if change == "removed" \
        else _source(row["new_source_title"], row["new_source_url"], row["new_source_id"])
    previous_source = None
    if change == "revised" and row["old_source_id"] != row["new_source_id"]:
        previous_source = _source(row["old_source_title"], row["old_source_url"], row["old_source_id"])
    return {
        "kind": row["kind"],
        "plan": row[f"plan_{lang}"] or row["plan_id"],
        "figure_id": row["figure_id"],
        "indicator": row[f"indicator_{lang}"] or "",
        "region": row[f"region_{lang}"] or "",
        "year": "" if row["year"] is None else str(row["year"]),
        "old": old,
        "new": new,
        "source": source,
        "previous_source": previous_source,
    }


def _value_text(value: float | None, unit: str | None, lang: str) -> str | None:
    if value is None:
        return None
    return join_unit(format_number(value, lang, significant=12), unit or "", lang)


def _source(title: str | None, url: str | None, source_id: str | None) -> dict | None:
    """A source link; only web addresses become links (never `javascript:` and the like)."""
    if source_id is None:
        return None
    safe_url = url if url and url.startswith(("https://", "http://")) else None
    return {"title": title or source_id, "url": safe_url}
