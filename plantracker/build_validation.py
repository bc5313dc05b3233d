"""Validation as a build runs it: only the packages that changed since the last validation that passed
in this work folder, and in another process when there are many, while the build loads and queries.

`build.py validate` always validates everything (pipeline.validate); this is the build's shortcut.
A package is skipped when its bytes and the code that checks it (this package's code, frictionless's
version) are those of a package that passed; the checks across packages always run. Validation
reads the packages only, and the stages that run meanwhile write nothing outside the work folder,
so a build of bad data still stops before the site is touched, with every problem listed.
"""
from __future__ import annotations

from pathlib import Path

from . import cache
from .problems import InputError, Problem
from .processes import end_with_parent, spawn_context

# Fewer changed packages are validated in this process: starting another (imports, frictionless)
# costs about a second, validating a shipped-size package a third of one.
BACKGROUND_MIN_PACKAGES = 4


def _problems(data_dir: Path, unchanged: set[str]) -> list[Problem]:
    from .validate import validate_packages  # here: frictionless takes half a second to import,
    # and a build of data validated before never needs it

    return validate_packages(data_dir, unchanged=unchanged)


class Validation:
    """A build's validation, started by start_validation; finish() waits for it."""

    def __init__(self, data_dir: Path, store: cache.Store, packages: dict[str, str]):
        code = cache.code_version(["."], ["frictionless"])
        self._keys = {folder: cache.digest(package, code) for folder, package in packages.items()}
        passed = store.memory.get("validated_packages") or {}
        unchanged = {folder for folder, key in self._keys.items() if passed.get(folder) == key}
        changed = len(self._keys) - len(unchanged)
        # A package removed since (or a set that never passed together) changes what the checks
        # across packages see, a predecessor gone for one: they run, though every package left is
        # unchanged.
        same_set = set(passed) == set(self._keys)
        store.last_build["validation"] = "skipped" if self._keys and not changed and same_set else "run"
        store.last_build["packages_validated"] = changed
        self._store, self._pool, self._result, self._found = store, None, None, []
        if changed >= BACKGROUND_MIN_PACKAGES:
            self._pool = spawn_context().Pool(1, initializer=end_with_parent)
            self._result = self._pool.apply_async(_problems, (Path(data_dir), unchanged))
        elif changed or not same_set or not self._keys:  # no package at all: validation says so
            self._found = _problems(Path(data_dir), unchanged)

    @property
    def running(self) -> bool:
        """True while the validation runs in another process (finish() waits for it)."""
        return self._result is not None

    def finish(self, more: list[Problem] = ()) -> None:
        """Wait for the validation; raises InputError with its problems and `more` (the release
        file's), if any; else remembers what passed."""
        if self._result is not None:
            try:
                self._found = self._result.get()
            finally:
                self.close()
        if self._found or more:
            raise InputError(self._found + list(more))
        self._store.memory["validated_packages"] = self._keys

    def close(self) -> None:
        """Stop a validation still running (after a failure elsewhere)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool, self._result = None, None


def start_validation(data_dir: Path, store: cache.Store, packages: dict[str, str]) -> Validation:
    """(data folder, content store, {package folder: cache.tree_digest}) -> the validation of the
    packages changed since the last that passed: done here, or started in another process."""
    return Validation(data_dir, store, packages)
