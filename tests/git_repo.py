"""A throwaway git repository for publishing tests (mike writes its gh-pages branch there)."""
from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def make_repo(path: Path) -> Path:
    """path -> a new repository with one commit on main and a committer identity."""
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "user.name", "Test Publisher")
    git(path, "config", "user.email", "publisher@example.org")
    (path / "README.md").write_text("source\n")
    git(path, "add", "README.md")
    git(path, "commit", "--quiet", "-m", "source")
    return path
