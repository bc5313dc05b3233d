"""One content store and one build record in the work folder.

    <work>/cache/store/<kind>/<key>/   files written once under the sha256 of everything they depend on
    <work>/cache/record.json           what builds remember (`memory`) and what the last build did (`last_build`)

The guarantees: a key covers every input of its entry (data, settings, the code that writes it,
the versions of the libraries involved), so a changed input always gives another key; an entry is
complete or absent (filled in a temporary folder, then renamed); and entries of a kind that the
latest successful build did not use are deleted (`prune`), so stale output never comes back.
The record is read once when the build starts and written once when it ends. Delete
`<work>/cache/` to start cold. CI keeps `<work>/cache/` between runs (actions/cache): every key
names its inputs, so a store restored from another commit only ever supplies what is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from .processes import run_ending_with_parent, spawn_context

CACHE_DIR = "cache"
PACKAGE_DIR = Path(__file__).resolve().parent


def digest(*parts) -> str:
    """Values (JSON-able; other objects by str) -> sha256 hex of their canonical JSON (keys sorted;
    in their own order where they cannot be sorted, e.g. YAML's `yes:` is a bool beside strings)."""
    try:
        text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    except TypeError:
        text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ObjectMemo:
    """(object, key) -> a value computed from them, computed once while the object lives: for the
    preview, whose Page and Chart values of unchanged plans are the same objects from build to
    build and never changed after the page stage. `key` (hashable) names the computation and
    holds everything else the value depends on."""

    def __init__(self):
        self._values: dict = {}

    def get(self, value, key, compute: Callable[[], object]):
        found = self._values.get((id(value), key))
        if found is None or found[0] is not value:
            found = self._values[(id(value), key)] = (value, compute())
        return found[1]

    def keep_only(self, values: Iterable) -> None:
        """Forget what was computed from any other object."""
        kept = {id(value) for value in values}
        self._values = {key: found for key, found in self._values.items() if key[0] in kept}


def tree_digest(root: Path | None) -> str:
    """Every file under root, by relative path and bytes -> sha256 hex ("" part for a missing root)."""
    hasher = hashlib.sha256()
    root = Path(root) if root else None
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root and root.exists() else []
    hasher.update(f"{len(files)}\n".encode())
    for path in files:
        hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def package_digests(data_dir: Path) -> dict[str, str]:
    """Folder of data packages -> {package folder name: tree_digest of that folder}."""
    folders = sorted(descriptor.parent for descriptor in Path(data_dir).glob("*/datapackage.json"))
    return {folder.name: tree_digest(folder) for folder in folders}


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write data to path unless the file already holds exactly these bytes -> True when written.

    An unchanged file keeps its modification time: MkDocs' dirty build (the preview) re-renders
    only pages whose Markdown is newer than their HTML."""
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link at target to source (a copy where the file system links neither), replacing
    what target held in one step and never writing into it: the old file may be linked elsewhere.

    For the content store's entries, which are never written again once committed: a chart's six
    files go from the store into the staging folder this way (720 charts at 10x: seconds of
    copying at the end of a cold build). Nothing writes into a staged chart file in place; the
    staging folder is copied, not linked, into the output folder."""
    try:
        if os.path.samestat(os.stat(source), os.stat(target)):
            return  # already that file: a rename onto its own link would leave the temporary name
    except FileNotFoundError:
        pass
    temporary = target.with_name(f".{target.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def copy_tree_if_changed(source: Path, dest: Path) -> list[str]:
    """Every file under source -> the same relative path under dest, written only where dest differs
    (write_if_changed) -> the relative paths of every file under source, sorted."""
    source, copied = Path(source), []
    for parent, dirs, files in os.walk(source):
        dirs.sort()
        for name in sorted(files):
            path = Path(parent) / name
            relative = path.relative_to(source).as_posix()
            write_if_changed(Path(dest) / relative, path.read_bytes())
            copied.append(relative)
    return copied


def file_inodes(folder: Path) -> dict[str, int]:
    """Folder -> {relative path: inode} of every file under it (from the directory entries alone:
    no file is opened or stat'ed, which matters for the preview's 10,000-file folders)."""
    found: dict[str, int] = {}
    pending = [(str(folder), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                found[prefix + entry.name] = entry.inode()
    return found


def code_version(modules: Iterable[str] = (), packages: Iterable[str] = ()) -> str:
    """Source files of this package (paths relative to it; a folder means its .py, .sql and .yml
    files) and installed distributions -> sha256 hex that changes with any of them."""
    hasher = hashlib.sha256()
    for name in modules:
        path = PACKAGE_DIR / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".sql", ".yml")) if path.is_dir() else [path]
        for file in files:
            hasher.update(file.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + file.read_bytes())
    for package in packages:
        try:
            hasher.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{package} missing\n".encode())
    return hasher.hexdigest()


def machine_cache_dir() -> Path:
    """This user's cache folder for what depends only on installed packages and this code (not on
    the data or a work folder): $XDG_CACHE_HOME/plantracker, else ~/.cache/plantracker. What is
    kept there is made again when it is missing, unreadable or of another version."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "plantracker"


def machine_cached(kind: str, name: str, make: Callable[[], bytes],
                   valid: Callable[[bytes], bool] = lambda data: True) -> bytes:
    """The bytes kept in machine_cache_dir()/kind/name when whole (`name`.sha256 beside them holds
    their sha256) and valid(data), else make() written there (each file whole or absent: another
    process may be reading them; the kind's other files, older versions, are removed). Where the
    folder cannot be written, make() runs every time."""
    folder = machine_cache_dir() / kind
    path, checksum = folder / name, folder / f"{name}.sha256"
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == checksum.read_text(encoding="ascii").strip() and valid(data):
            return data
    except (OSError, UnicodeError):
        pass
    data = make()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The data before its checksum: a reader between the two finds them apart, and makes its own.
        for target, content in ((path, data), (checksum, hashlib.sha256(data).hexdigest().encode("ascii"))):
            temp = folder / f".{target.name}.{os.getpid()}.tmp"
            temp.write_bytes(content)
            os.replace(temp, target)
        for old in folder.iterdir():
            if old not in (path, checksum) and not old.name.startswith("."):
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return data


def is_machine_cached(kind: str, name: str) -> bool:
    """True when machine_cached(kind, name, ...) would find its files (whole or not)."""
    return (machine_cache_dir() / kind / f"{name}.sha256").is_file()


def machine_cached_json(kind: str, key: str, make: Callable[[], object],
                        valid: Callable[[object], bool] = lambda value: True) -> object:
    """machine_cached() of a JSON value in kind/<key>.json, kept when it parses and valid(value)."""
    found, made = [], []

    def checked(data: bytes) -> bool:
        try:
            found.append(json.loads(data))
        except (ValueError, RecursionError):
            return False
        return valid(found[-1])

    def encoded() -> bytes:
        made.append(make())
        return json.dumps(made[0], ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    machine_cached(kind, f"{key}.json", encoded, checked)
    return made[0] if made else found[-1]


def read_record(work_dir: Path) -> dict:
    """Work dir -> its build record {"memory": {...}, "last_build": {...}}; absent or unreadable: empty."""
    try:
        record = json.loads((Path(work_dir) / CACHE_DIR / "record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    return {"memory": record.get("memory") or {}, "last_build": record.get("last_build") or {}}


class Store:
    """The work folder's content store and build record, for one build.

    `entry(kind, key)` -> the folder of a complete entry (or None); `fill(kind, key)` -> a fresh
    temporary folder to write an entry in, then `commit(kind, key, folder)`; both mark the key as
    used by this build. `memory` persists between builds (what was validated, which site was
    built); `last_build` describes this build. `save()` writes the record, `prune()` deletes unused
    entries: call both when the build has succeeded.
    """

    def __init__(self, work_dir: Path):
        self.root = Path(work_dir) / CACHE_DIR
        record = read_record(work_dir)
        self.memory: dict = record["memory"]
        self.last_build: dict = {}
        self._used: dict[str, set[str]] = {}
        self._background: dict[tuple[str, str], tuple[multiprocessing.Process, Path]] = {}
        self._made: dict[str, int] = {}

    def folder(self, kind: str, key: str) -> Path:
        return self.root / "store" / kind / key

    def holds(self, kind: str) -> bool:
        """True when the store has any entry of kind (complete or not)."""
        folder = self.root / "store" / kind
        return folder.is_dir() and any(folder.iterdir())

    def entry(self, kind: str, key: str) -> Path | None:
        """A complete entry's folder (marked used), or None. An entry being filled in the
        background (fill_in_background) is waited for; a failed fill raises RuntimeError."""
        if (kind, key) in self._background:
            process, partial = self._background.pop((kind, key))
            process.join()
            if process.exitcode != 0:
                shutil.rmtree(partial, ignore_errors=True)
                raise RuntimeError(f"filling the {kind} entry {key[:12]} failed (exit status {process.exitcode})")
            return self.commit(kind, key, partial)
        folder = self.folder(kind, key)
        if not folder.is_dir():
            return None
        self._used.setdefault(kind, set()).add(key)
        return folder

    def fill(self, kind: str, key: str) -> Path:
        """A new empty folder to write the entry of (kind, key) in; pass it to commit() when complete."""
        partial = self.root / "store" / kind / f".partial-{key}-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        return partial

    def commit(self, kind: str, key: str, partial: Path) -> Path:
        """A filled folder -> the entry (renamed in one step: complete or absent, never half)."""
        folder = self.folder(kind, key)
        if folder.exists():
            shutil.rmtree(folder)
        partial.rename(folder)
        self._used.setdefault(kind, set()).add(key)
        self._made[kind] = self._made.get(kind, 0) + 1
        return folder

    def made(self, kind: str) -> int:
        """How many entries of kind this build made (here or in the background)."""
        return self._made.get(kind, 0)

    def fill_in_background(self, kind: str, jobs: dict[str, object], fill: Callable, *args) -> list[str]:
        """Start filling the entries (kind, key) of `jobs` ({key: what to fill it with}) that are
        neither complete nor being filled, all in one other process -> the keys started. It calls
        `fill({folder: what}, *args)`, writing each entry's files into its folder; fill must be a
        module-level function (the process is spawned, not forked: the build may already run
        threads). entry(kind, key) waits for the process; close() stops it."""
        todo = {key: job for key, job in jobs.items()
                if (kind, key) not in self._background and not self.folder(kind, key).is_dir()}
        if not todo:
            return []
        partials = {key: self.fill(kind, key) for key in todo}
        process = spawn_context().Process(
            target=run_ending_with_parent, args=(fill, {partials[key]: job for key, job in todo.items()}, *args),
            daemon=True, name=f"fill {kind}")
        process.start()
        for key in todo:
            self._background[(kind, key)] = (process, partials[key])
        return list(todo)

    def close(self) -> None:
        """Stop what is still filling in the background (after a failure elsewhere); its partial
        folders are deleted by the next prune."""
        for process, _ in self._background.values():
            if process.is_alive():
                process.terminate()
            process.join()
        self._background.clear()

    def prune(self) -> None:
        """Delete every entry (and leftover partial folder) that this build did not use."""
        store = self.root / "store"
        for base in store.iterdir() if store.is_dir() else []:
            used = self._used.get(base.name, set())
            for folder in base.iterdir():
                if folder.name not in used:
                    shutil.rmtree(folder, ignore_errors=True)

    def save(self) -> None:
        """Write the record (atomically: a crash never leaves half a file)."""
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f".record-{os.getpid()}.tmp"
        record = {"memory": self.memory, "last_build": self.last_build}
        temp.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
        os.replace(temp, self.root / "record.json")


def folder_listing(folder: Path) -> str:
    """Folder -> sha256 of every file's relative path, size and modification time: it changes when
    anything in the folder is added, removed, replaced or edited ("" when there is no folder)."""
    folder = Path(folder)
    if not folder.is_dir():
        return ""
    hasher = hashlib.sha256()
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(parent) / name
            stat = path.lstat()
            hasher.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return hasher.hexdigest()
