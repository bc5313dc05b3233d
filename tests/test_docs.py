"""The README's commands are the ones CI runs and the command line offers."""
from __future__ import annotations

import re
import subprocess
import sys

from plantracker.pipeline import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
CI = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_gives_a_build_and_a_test_command():
    commands = readme_commands()
    assert len(commands) == 2
    build, test = commands
    assert "pip install -e ." in build and "build.py" in build
    assert "pytest" in test and "chromium" in test


def test_ci_installs_what_the_readme_installs_and_runs_its_test_runner():
    _, test = readme_commands()
    assert "apt-get install -y" in CI and "chromium fonts-wqy-microhei" in CI
    assert "pip install --quiet -e '.[test]'" in CI
    assert "python3 -m pytest" in CI and "python3 -m pytest" in test


def test_documented_commands_exist():
    out = subprocess.run([sys.executable, "build.py", "--help"], cwd=REPO_ROOT, capture_output=True, text=True,
                         check=True).stdout
    for command in re.findall(r"\| `python3 build.py (?:\[?)?(\w+)", README):
        if command in ("build", "validate", "serve", "publish"):
            assert command in out
    for command in ("build", "validate", "serve", "publish"):
        help_text = subprocess.run([sys.executable, "build.py", command, "--help"], cwd=REPO_ROOT,
                                   capture_output=True, text=True, check=True).stdout
        assert "Usage:" in help_text


def test_every_command_the_readme_names_exists():
    """The release step ("run `python3 build.py citation`") and every other `python3 build.py X` are real."""
    out = subprocess.run([sys.executable, "build.py", "--help"], cwd=REPO_ROOT, capture_output=True, text=True,
                         check=True).stdout
    offered = set(re.findall(r"^  (\w+)\s", out.split("Commands:", 1)[1], re.M))
    named = set(re.findall(r"python3 build\.py (\w+)", README))
    assert "citation" in named and named <= offered, named - offered
