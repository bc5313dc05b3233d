"""Build state is safe to reuse (issue 15, item 5): repeat builds and a publish in one work folder
after a release is on gh-pages; `--previous DIR`; the output folder is never left missing by a
killed swap; two builds never share a work or output folder."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, an_earlier_site
from git_repo import git, make_repo
from plantracker import mkdocs_build
from plantracker.pipeline import REPO_ROOT, BuildOptions, build
from plantracker.problems import InputError
from plantracker.publish import publish_release
from plantracker.published import previous_release_data
from plantracker.settings import Release
from test_site import text_of

OLD_ROW = "xa-recycled-2021,recycled-mass,XA,2021,40,"
NEW_ROW = "xa-recycled-2021,recycled-mass,XA,2021,55,"


def release_file(path: Path, version: str, date: str) -> Path:
    path.write_text(f'[release]\nversion = "{version}"\ndate = {date}\n\n[site]\nurl = "https://example.org/t/"\n'
                    'corrections = "mailto:corrections@example.org"\n',
                    encoding="utf-8")
    return path


def mini_data(folder: Path, new_row: str | None = None) -> Path:
    """A data folder with a copy of mini-plan (one figure revised when new_row is given)."""
    shutil.copytree(FIXTURES / "mini-plan", folder / "mini-plan")
    if new_row:
        observations = folder / "mini-plan" / "data" / "observations.csv"
        observations.write_text(observations.read_text(encoding="utf-8").replace(OLD_ROW, new_row), encoding="utf-8")
    return folder


def cli(*args: str, wait: bool = True):
    command = [sys.executable, "build.py", *args]
    if not wait:
        return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)


def test_repeat_builds_then_publish_in_one_work_folder_after_a_release(tmp_path):
    """Issue 15: with a release on gh-pages, the second build in the same work folder exited 2
    (`previous-data-missing`), and `serve` (a build) could not start."""
    repo = make_repo(tmp_path / "repo")
    data = mini_data(tmp_path / "data")
    first = BuildOptions(data_dir=data, out_dir=tmp_path / "site", work_dir=tmp_path / "work", repo_dir=repo,
                         citation_file=None,
                         release_file=release_file(tmp_path / "a.toml", "2026.1", "2026-01-15"))
    publish_release(first.out_dir, build(first).release, repo)

    observations = data / "mini-plan" / "data" / "observations.csv"
    observations.write_text(observations.read_text(encoding="utf-8").replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    second = dataclasses.replace(first, release_file=release_file(tmp_path / "b.toml", "2026.2", "2026-06-15"))
    build(second)
    result = build(second)  # the same work folder again, `previous/` already extracted there
    changes = text_of((second.out_dir / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "2026.1" in changes and "55万吨" in changes
    published = publish_release(second.out_dir, result.release, repo)
    assert (published.status, published.latest) == ("created", "2026.2")
    assert "2026.2" in git(repo, "show", "gh-pages:versions.json")


def test_previous_option_compares_with_a_folder(tmp_path):
    previous = mini_data(tmp_path / "previous", new_row=NEW_ROW)
    data, out = mini_data(tmp_path / "data"), tmp_path / "site"
    result = cli("build", "--data", str(data), "--out", str(out), "--work", str(tmp_path / "work"),
                 "--previous", str(previous), "--quiet")
    assert result.returncode == 0, result.stderr
    changes = text_of((out / "en" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "Compared with the previous data release" in changes and "xa-recycled-2021" in changes


def test_the_previous_data_hint_names_an_option_that_exists(tmp_path):
    """A release published without downloads/ cannot be compared with: the hint's option must exist."""
    repo = make_repo(tmp_path / "repo")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>\n", encoding="utf-8")
    publish_release(site, Release("2026.1", dt.date(2026, 1, 15), "https://example.org/t/"), repo)
    with pytest.raises(InputError) as missing:
        previous_release_data(repo, dest=tmp_path / "previous")
    [problem] = missing.value.problems
    assert problem.code == "previous-data-missing" and "--previous DIR" in problem.hint
    for command in ("build", "serve", "publish"):
        assert "--previous DIRECTORY" in cli(command, "--help").stdout


class Killed(BaseException):
    """A kill: not an Exception, so nothing that handles errors runs."""


def test_a_swap_killed_between_its_renames_is_undone_by_the_next_build(tmp_path, monkeypatch):
    """Where the two names cannot be exchanged in one step the swap is two renames; killed in
    between, the old site is in `.site-old` and no `site` exists. The next build puts it back and
    deletes the leftovers before anything else, even when it then fails."""
    out = an_earlier_site(tmp_path / "site")
    new = tmp_path / ".site-new-abc123"
    new.mkdir()
    (new / "index.html").write_text("the new build", encoding="utf-8")
    renames = []
    real_rename = Path.rename

    def rename_then_die(self, target):
        renames.append((self.name, Path(target).name))
        if len(renames) == 2:
            raise Killed()
        return real_rename(self, target)

    with monkeypatch.context() as patch:
        patch.setattr(mkdocs_build, "_exchange", lambda new, out: False)  # a system without it
        patch.setattr(Path, "rename", rename_then_die)
        with pytest.raises(Killed):
            mkdocs_build.swap_into_place(new, out)
    assert renames == [("site", ".site-old"), (".site-new-abc123", "site")]
    assert not out.exists() and (tmp_path / ".site-old" / "earlier.html").is_file() and new.is_dir()

    broken = mini_data(tmp_path / "data")
    (broken / "mini-plan" / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        build(BuildOptions(data_dir=broken, out_dir=out, work_dir=tmp_path / "work"))
    assert (out / "earlier.html").read_text(encoding="utf-8") == "an earlier build"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [".site.lock"]


def test_the_swap_exchanges_the_two_folders_in_one_step(tmp_path, monkeypatch):
    """On Linux the new site and the old one trade names in one call: no rename, no moment without out."""
    out = an_earlier_site(tmp_path / "site")
    new = tmp_path / ".site-new-xyz"
    new.mkdir()
    (new / "index.html").write_text("the new build", encoding="utf-8")
    exchanged = []
    real_exchange = mkdocs_build._exchange

    def recorded(a, b):
        exchanged.append(real_exchange(a, b))
        return exchanged[-1]

    def no_rename(self, target):
        raise AssertionError(f"renamed {self} -> {target}: out was missing for a moment")

    monkeypatch.setattr(mkdocs_build, "_exchange", recorded)
    monkeypatch.setattr(Path, "rename", no_rename)
    mkdocs_build.swap_into_place(new, out)
    assert exchanged == [True]
    assert (out / "index.html").read_text(encoding="utf-8") == "the new build"
    assert not (out / "earlier.html").exists() and not new.exists()


def wait_until_locked(lock_file: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until some process holds an flock on lock_file (read from /proc/locks, which takes no
    lock itself: probing with flock could steal it from the build that is about to take it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if lock_file.exists():
            inode = os.stat(lock_file).st_ino
            if any(line.split()[5].endswith(f":{inode}") for line in Path("/proc/locks").read_text().splitlines()
                   if "FLOCK" in line):
                return
        time.sleep(0.05)
    raise AssertionError(f"{lock_file} was never locked")


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads the kernel's lock table (Linux)")
def test_a_second_build_in_a_busy_work_or_output_folder_stops_at_once(tmp_path):
    data = mini_data(tmp_path / "data")
    work, out = tmp_path / "work", tmp_path / "site"
    running = cli("build", "--data", str(data), "--out", str(out), "--work", str(work), "--quiet", wait=False)
    try:
        wait_until_locked(tmp_path / ".site.lock", running)
        same_work = cli("build", "--data", str(data), "--out", str(tmp_path / "other-site"), "--work", str(work))
        same_out = cli("build", "--data", str(data), "--out", str(out), "--work", str(tmp_path / "other-work"))
        assert running.poll() is None  # both were refused while the first was still building
    finally:
        stdout, stderr = running.communicate(timeout=600)
    assert running.returncode == 0, stderr
    assert same_work.returncode == 2
    assert f"{work}: another build is running in this work folder" in same_work.stderr
    assert "[work-folder-busy]" in same_work.stderr and "Traceback" not in same_work.stderr
    assert not (tmp_path / "other-site").exists()
    assert same_out.returncode == 2
    assert f"{out}: another build or a publish is using this output folder" in same_out.stderr
    assert "[output-folder-busy]" in same_out.stderr
    assert (out / "index.html").is_file()
    # Once the first build is done the folders are free again.
    again = cli("build", "--data", str(data), "--out", str(out), "--work", str(work), "--quiet")
    assert again.returncode == 0, again.stderr


def _children(pid: int) -> set[int]:
    """Processes whose parent is pid (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _descendants(pid: int) -> set[int]:
    """Processes below pid, at any depth (Linux /proc)."""
    found, todo = set(), [pid]
    while todo:
        children = _children(todo.pop()) - found
        found |= children
        todo += children
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; helper processes end with the build on Linux")
def test_a_killed_build_leaves_no_helper_process(tmp_path):
    """The MkDocs process and the chart workers' fork server start with a cold build
    (mkdocs_build.MkDocsProcess, charts.prepare_renders), and the chart workers are forked by that
    server: killed with -9 while a worker runs, the build takes them all along instead of leaving
    them to run on."""
    build_process = subprocess.Popen([sys.executable, str(REPO_ROOT / "build.py"), "build", "--quiet",
                                      "--data", str(mini_data(tmp_path / "data")), "--out", str(tmp_path / "site"),
                                      "--work", str(tmp_path / "work")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers: set[int] = set()
    deadline = time.monotonic() + 60
    # Until a chart worker runs: a helper's own helper (the fork server's child).
    while build_process.poll() is None and time.monotonic() < deadline:
        helpers |= _descendants(build_process.pid)
        if helpers - _children(build_process.pid):
            break
        time.sleep(0.01)
    assert helpers - _children(build_process.pid), "no chart worker seen: the fork server's children"
    build_process.kill()
    build_process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in helpers):
        time.sleep(0.1)
    left = [pid for pid in helpers if Path(f"/proc/{pid}").exists()
            and (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")]
    assert not left, f"helper processes still running after the build was killed: {left}"
