"""`build.py serve`: a changed figure reaches the served page (and an open tab reloads itself), a bad
edit keeps the last good site served, and what the preview writes never changes a build.

The preview runs as the command line starts it, in its own process, on a copy of the fixture plan.
How fast it rebuilds is measured by bench/run.py, never asserted here: the waits below are only
upper bounds for a slow machine.
"""
from __future__ import annotations

import hashlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from plantracker.pipeline import REPO_ROOT

from conftest import edit_csv

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
TARGET_PAGE = "mini-plan/targets/xa-recycled/"
FIRST_BUILD_SECONDS = 900  # a cold build, every chart rendered, on a loaded machine
REBUILD_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def set_value(data: Path, observation_id: str, value: str) -> None:
    """Rewrite the fixture plan's observations.csv under data with one value changed (as an editor
    saves it: the whole file)."""
    edit_csv(data / "mini-plan" / "data" / "observations.csv",
             lambda rows: [{**r, "value": value} if r["observation_id"] == observation_id else r for r in rows])


class Preview:
    """`build.py serve` on a copy of the fixture plan, its error output in a file."""

    def __init__(self, tmp: Path):
        self.data, self.work, self.port = tmp / "data", tmp / "work", _free_port()
        shutil.copytree(FIXTURE, self.data / "mini-plan")
        self.log = tmp / "serve.log"
        self.process = subprocess.Popen(
            [sys.executable, "build.py", "serve", "--data", str(self.data), "--work", str(self.work),
             "--port", str(self.port)],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.log.open("wb"))

    @property
    def site(self) -> Path:
        return self.work / "preview" / "site"

    def output(self, since: int = 0) -> str:
        return self.log.read_bytes()[since:].decode("utf-8", errors="replace")

    def get(self, path: str) -> str | None:
        """The served page, or None while the server is not up yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=REBUILD_SECONDS) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            return None

    def wait_for(self, condition, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the preview exited ({self.process.returncode}) waiting for {what}:\n{self.output()[-3000:]}")
            found = condition()
            if found:
                return found
            time.sleep(0.2)
        pytest.fail(f"no {what} after {seconds} s:\n{self.output()[-3000:]}")

    def set_value(self, observation_id: str, value: str) -> None:
        set_value(self.data, observation_id, value)

    def page_showing(self, text: str) -> str:
        """Wait until the target page shows `text` -> the page."""
        return self.wait_for(lambda: (page := self.get(TARGET_PAGE)) and text in page and page,
                             REBUILD_SECONDS, f"target page showing {text}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    running = Preview(tmp_path_factory.mktemp("preview"))
    try:
        running.wait_for(lambda: running.get(TARGET_PAGE), FIRST_BUILD_SECONDS, "served target page")
        yield running
    finally:
        running.stop()


def test_the_served_page_is_the_built_one_with_the_reload_script(preview):
    served = preview.get(TARGET_PAGE)
    on_disk = (preview.site / TARGET_PAGE / "index.html").read_text(encoding="utf-8")
    assert "livereload" in served and "livereload" not in on_disk
    assert served.replace(served[served.rindex("<script>"):served.rindex("</script>") + len("</script>")], "") == on_disk


def test_a_changed_figure_reaches_the_served_page(preview):
    since = len(preview.output())
    preview.set_value("xa-recycled-2021", "47.25")
    preview.page_showing("47.25万吨")
    # One package validated again, its own charts rendered, the warm MkDocs rendering the changed pages only.
    line = preview.wait_for(lambda: next((l for l in preview.output(since).splitlines() if l.startswith("rebuilt in")), None),
                            REBUILD_SECONDS, "rebuild line")
    assert "validated 1 package(s)" in line and "2 chart(s) rendered" in line and line.endswith("MkDocs dirty"), line


def test_a_bad_edit_prints_its_problems_and_keeps_the_last_good_site(preview):
    preview.set_value("xa-recycled-2021", "47.5")
    preview.page_showing("47.5万吨")
    since = len(preview.output())
    preview.set_value("xa-recycled-2021", "forty")
    report = preview.wait_for(lambda: "still serving the last good site" in preview.output(since) and preview.output(since),
                              REBUILD_SECONDS, "problem report")
    assert any("observations.csv:4: value:" in line and line.endswith("]") for line in report.splitlines()), report
    assert "47.5万吨" in preview.get(TARGET_PAGE)
    preview.set_value("xa-recycled-2021", "48")
    preview.page_showing("48万吨")


def test_a_plan_folder_moved_out_and_back_is_noticed(preview, tmp_path):
    """A folder moved out of the data folder reports nothing for its files (inotify reports the
    folder only): the preview must still rebuild. Here the only plan goes, so validation says there
    is no package and the last good site stays; moved back, the plan is served again."""
    preview.page_showing("48万吨")
    since = len(preview.output())
    away = tmp_path / "mini-plan"
    (preview.data / "mini-plan").rename(away)
    try:
        report = preview.wait_for(lambda: "still serving the last good site" in preview.output(since)
                                  and preview.output(since), REBUILD_SECONDS, "problem report for the moved plan")
        assert "no data package found" in report, report
        assert "48万吨" in preview.get(TARGET_PAGE)
    finally:
        away.rename(preview.data / "mini-plan")
    since = len(preview.output())
    preview.wait_for(lambda: "still serving" not in preview.output(since) and "rebuilt" in preview.output(since),
                     REBUILD_SECONDS, "a rebuild after the plan came back")
    preview.page_showing("48万吨")


@pytest.mark.browser
def test_the_open_tab_reloads_itself(preview, chromium):
    page = chromium.new_page()
    try:
        page.goto(f"http://127.0.0.1:{preview.port}/{TARGET_PAGE}")
        preview.set_value("xa-recycled-2021", "49.75")
        page.wait_for_function("document.body.innerText.includes('49.75万吨')", timeout=REBUILD_SECONDS * 1000)
    finally:
        page.close()


def test_enter_asks_for_a_clean_build(preview):
    since = len(preview.output())
    preview.process.stdin.write(b"\n")
    preview.process.stdin.flush()
    preview.wait_for(lambda: "MkDocs clean" in preview.output(since), REBUILD_SECONDS, "clean build")


def test_after_preview_rebuilds_the_site_and_a_build_equal_a_cold_build(preview, tmp_path):
    """The preview's folder on disk is what a clean build of the same data gives, and a build that
    shares the preview's work folder (its content store) gives it too."""
    preview.set_value("xa-recycled-2021", "50.5")
    preview.page_showing("50.5万吨")
    builds = {}
    for name, work in (("shared", preview.work), ("cold", tmp_path / "cold-work")):
        out = tmp_path / name
        subprocess.run([sys.executable, "build.py", "build", "--quiet", "--data", str(preview.data),
                        "--work", str(work), "--out", str(out)], cwd=REPO_ROOT, check=True)
        builds[name] = _snapshot(out)
    assert builds["shared"] == builds["cold"]
    assert _snapshot(preview.site) == builds["cold"]
