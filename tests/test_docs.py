"""The README's commands are the ones CI runs and the command line offers."""
from __future__ import annotations

import re
import subprocess
import sys

from plantracker.pipeline import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DATA = (REPO_ROOT / "DATA.md").read_text(encoding="utf-8")
CI = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
SETUP = REPO_ROOT / "setup.sh"
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))

# The set-up makes a virtual environment (Debian's own Python refuses `pip install`, PEP 668) and
# every documented command runs the project with its Python.
VENV_PYTHON = ".venv/bin/python"
BUILD_COMMAND = f"./setup.sh && {VENV_PYTHON} build.py"
TEST_COMMAND = f"./setup.sh --test && {VENV_PYTHON} -m pytest"


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def commands_in(text: str) -> list[str]:
    """The lines of a shell script that run something (no comments, blanks or shell options)."""
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "set ", "cd ", "export "))]


def test_readme_gives_a_build_and_a_test_command():
    """Two one-line commands: the set-up script (the build's needs, or with --test the tests' too),
    then the project run by the virtual environment's Python."""
    assert readme_commands() == [BUILD_COMMAND, TEST_COMMAND]
    assert SETUP.stat().st_mode & 0o111, "setup.sh must be executable: the README runs it as ./setup.sh"


def test_ci_runs_the_readme_test_command_verbatim():
    """.ci/run's last command is the README's test command, character for character."""
    _, test = readme_commands()
    assert commands_in(CI)[-1] == test


def test_setup_script_is_posix_sh_and_installs_what_the_docs_say():
    subprocess.run(["sh", "-n", str(SETUP)], check=True)  # /bin/sh is dash on Debian
    script = SETUP.read_text(encoding="utf-8")
    assert script.startswith("#!/bin/sh\n")
    # Build: the venv module, git, the charts' font; tests add Chromium (+ libatomic1 for Playwright's
    # driver), Java (vnu) and curl.
    for package in ("python3-venv", "git", "fonts-wqy-microhei", "chromium", "libatomic1", "default-jre-headless",
                    "curl"):
        assert f"need {package}" in script
    assert "python3 -m venv" in script and "pip install" in script and "-e \"$target\"" in script
    for package in ("python3-venv", "git", "fonts-wqy-microhei"):
        assert package in README.split("```sh")[0].rsplit("## The two commands", 1)[1]


def test_workflows_set_up_and_run_like_the_readme():
    """The workflows install with the README's set-up and run everything with the venv's Python."""
    assert WORKFLOWS
    for workflow in WORKFLOWS:
        text = workflow.read_text(encoding="utf-8")
        runs = [line.split("run:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("run:")]
        assert "./setup.sh --test" in runs, workflow.name
        assert "pip install" not in text, workflow.name
        for run in runs:
            if "build.py" in run or "pytest" in run:
                assert run.startswith(f"{VENV_PYTHON} "), f"{workflow.name}: {run}"


def test_docs_run_the_project_with_the_venv_python():
    """Commands a reader copies (README's preview and data steps, DATA.md's checks) name the venv's
    Python; the others are read after the README says to activate it."""
    assert f"`{VENV_PYTHON} build.py serve`" in README
    assert "`. .venv/bin/activate`" in README
    assert f"3. Run `{VENV_PYTHON} build.py validate`, then `{VENV_PYTHON} build.py serve`" in README
    block = DATA.split("## Check your change locally", 1)[1].split("```\n", 2)[1]
    lines = block.strip().splitlines()
    assert lines and all(line.startswith(".venv/bin/") for line in lines), lines


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
    named = set(re.findall(r"(?:python3|\.venv/bin/python) build\.py (\w+)", README))
    assert "citation" in named and named <= offered, named - offered


def test_the_contract_reference_in_architecture_is_made_from_the_contract():
    """ARCHITECTURE.md's contract section is what contract.yml says (python -m plantracker.contract_docs)."""
    from plantracker.contract_docs import DOCUMENT, contract_markdown, with_section

    text = DOCUMENT.read_text(encoding="utf-8")
    assert with_section(text, contract_markdown()) == text, "run: python -m plantracker.contract_docs"
    for field in ("observation_id", "confidence", "official_table", "count_noun_other_en", "full_name_zh"):
        assert f"`{field}`" in text
