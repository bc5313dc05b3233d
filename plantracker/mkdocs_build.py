"""Work docs dir + staged static files -> a built site in out_dir, swapped in only on success."""
from __future__ import annotations

import ctypes
import datetime as dt
import errno
import importlib
import logging
import os
import shutil
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import yaml
from markupsafe import escape

from .cache import copy_tree_if_changed, file_inodes
from .processes import end_with_parent, spawn_context
from .site_map import LANGUAGES
from .text_safety import without_control_characters


def copy_hand_written(site_src: Path, docs_dir: Path) -> set[str]:
    """Repository site_src/ -> the work docs dir (generated pages are rendered beside it), each file
    written only when its bytes differ -> the relative paths copied. Unchanged files keep their
    modification time: MkDocs' dirty build (the preview) goes by it. remove_other_files() then
    drops what neither site_src nor the render stage wrote."""
    return set(copy_tree_if_changed(site_src, docs_dir))


def remove_other_files(folder: Path, keep: set[str]) -> dict[str, int]:
    """Delete every file under folder whose relative path is not in keep, and the folders left
    empty -> {relative path: inode} of the files kept."""
    files = file_inodes(folder)
    for relative in set(files) - keep:
        (Path(folder) / relative).unlink()
        del files[relative]
        parent = (Path(folder) / relative).parent
        while parent != Path(folder) and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return files


def nav_for(sections: list, lang: str) -> list:
    """Nav tree of (titles by language, doc path or children) -> MkDocs nav for one language.

    Titles are HTML-escaped here, and lose control characters: MkDocs' theme templates print nav
    titles without escaping, and titles come from the data. yaml.safe_dump quotes them for YAML.
    """
    nav = []
    for titles, item in sections:
        title = str(escape(without_control_characters(titles[lang])))
        if isinstance(item, list):
            nav.append({title: nav_for(item, lang)})
        else:
            nav.append({title: f"{item}.md"})
    return nav


def write_mkdocs_config(repo_root: Path, work_dir: Path, docs_dir: Path, site_dir: Path, nav_sections: list,
                        extra: dict, site_url: str, descriptions: dict[str, str]) -> Path:
    """Repository mkdocs.yml + work paths + generated nav + site URL + site description per
    language -> <work>/mkdocs.yml (a full config, since MkDocs' INHERIT replaces lists such as
    `plugins` instead of merging them). Each language of the i18n plugin gets its nav and its
    `site_description`; the top-level one is the default language's.

    site_url is where pages' canonical and hreflang links and the sitemap point: the release
    file's site under mike's `latest/` alias, since published pages live only under <version>/
    and latest/ (the site root merely redirects).
    """
    config = yaml.safe_load((repo_root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_url"] = site_url
    config["docs_dir"] = str(docs_dir.resolve())
    config["site_dir"] = str(site_dir.resolve())
    config["theme"]["custom_dir"] = str((repo_root / config["theme"]["custom_dir"]).resolve())
    config.setdefault("extra", {}).update(extra)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "i18n" in plugin:
            for language in plugin["i18n"]["languages"]:
                if language["locale"] in LANGUAGES:
                    language["nav"] = nav_for(nav_sections, language["locale"])
                    language["site_description"] = descriptions[language["locale"]]
                if language.get("default"):
                    config["site_description"] = descriptions[language["locale"]]
    path = work_dir / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_mkdocs(config_path: Path, site_dir: Path | None = None, build_date: dt.date | None = None,
               dirty: bool = False, plugins: dict | None = None) -> None:
    """mkdocs build --strict of a config file (into site_dir when given); raises on any warning.

    MkDocs stamps the build date into sitemap.xml; SOURCE_DATE_EPOCH makes it the release date, so
    two builds of one commit are byte-identical whatever day they run. `dirty`: MkDocs' --dirty
    (only pages whose Markdown is newer than their HTML; for the preview, see preview_site);
    `plugins`: plugin objects added to the config's (name -> object; the preview's).
    """
    if build_date is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(build_date.year, build_date.month, build_date.day,
                                                              tzinfo=dt.timezone.utc).timestamp()))
    from mkdocs.commands.build import build as mkdocs_build  # here: a build with nothing changed
    from mkdocs.config import load_config  # skips MkDocs, and need not import it

    overrides = {"site_dir": str(site_dir)} if site_dir else {}
    config = load_config(str(config_path), strict=True, **overrides)
    for name, plugin in (plugins or {}).items():
        config.plugins[name] = plugin
    if not dirty:
        mkdocs_build(config)
        return
    with _dirty_build():
        mkdocs_build(config, dirty=True)


class MkDocsProcess:
    """MkDocs in a process of its own, started at the build's start so that its imports and the
    search plugin's Chinese dictionary (jieba: about 1 CPU s, a third of a shipped-size MkDocs
    build) load while this process validates, queries and renders the pages. `build()` then runs
    run_mkdocs there: the same code on the same files, so the same bytes.

    MkDocs' warnings and errors are logged again here (strict mode's reasons reach this process's
    log); its exception is raised here. `close()` ends the process, used or not (a build that
    skips MkDocs never uses it); it also ends with the build process if that is killed.
    """

    def __init__(self):
        self._pool = spawn_context().Pool(1, initializer=_warm_up)

    def build(self, config_path: Path, site_dir: Path | None = None, build_date: dt.date | None = None,
              meanwhile: Callable[[], object] = lambda: None, on_failure: Callable[[], object] = lambda: None) -> None:
        """run_mkdocs(config_path, site_dir, build_date) in the warm process, calling `meanwhile()`
        here while it runs; when MkDocs fails, `on_failure()` is called at once (from another
        thread: it should make meanwhile give up) and MkDocs' error is raised, else meanwhile's.
        Returns or raises only after MkDocs has ended: it writes into site_dir until then."""
        hook_errors: list[BaseException] = []

        def finished(done: tuple) -> None:
            # Runs in the pool's result thread, which dies on an exception (and get() then waits forever).
            if done[1] is not None:
                try:
                    on_failure()
                except BaseException as error:  # noqa: BLE001 - raised below, in this thread
                    hook_errors.append(error)

        pending = self._pool.apply_async(_build_logged, (Path(config_path), site_dir, build_date), callback=finished)
        try:
            meanwhile()
        except BaseException:
            self._log_and_raise(*pending.get())
            raise
        self._log_and_raise(*pending.get())
        if hook_errors:
            raise hook_errors[0]

    @staticmethod
    def _log_and_raise(records: list[tuple[str, int, str]], error: BaseException | None) -> None:
        for name, level, message in records:
            logging.getLogger(name).log(level, "%s", message)
        if error is not None:
            raise error

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


# What run_mkdocs imports for this project's mkdocs.yml (the theme and its plugins).
_WARM_MODULES = ("mkdocs.commands.build", "mkdocs.config", "material.plugins.search.plugin", "mkdocs_static_i18n.plugin")


def _warm_up() -> None:
    """MkDocs process start-up: what every build loads whatever its pages (run_mkdocs imports the
    same modules again, from memory). jieba.initialize() is the search plugin's first use of jieba;
    a config naming another dictionary resets it (set_dictionary), so warming never changes the index."""
    end_with_parent()
    for module in _WARM_MODULES:
        importlib.import_module(module)
    try:
        import jieba
    except ImportError:  # the search plugin then indexes Chinese unsegmented, as it would anyway
        return
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines would break the progress display
    jieba.initialize()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _build_logged(config_path: Path, site_dir: Path | None, build_date: dt.date | None
                  ) -> tuple[list[tuple[str, int, str]], BaseException | None]:
    """run_mkdocs in the MkDocs process -> (its warnings and errors as (logger, level, message),
    the exception it raised or None; one that cannot go through pickle and back becomes a
    RuntimeError naming it: the pool's result thread would die unpickling it)."""
    import pickle

    handler, root = _Records(), logging.getLogger()
    root.addHandler(handler)
    error = None
    try:
        run_mkdocs(config_path, site_dir, build_date)
    except BaseException as raised:  # noqa: BLE001 - raised again in the build process
        error = raised
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:  # noqa: BLE001
            error = RuntimeError(f"{type(raised).__name__}: {raised}")
    finally:
        root.removeHandler(handler)
    return handler.records, error


def _not_the_dirty_warning(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("A 'dirty' build is being performed")


@contextmanager
def _dirty_build() -> Iterator[None]:
    """Around mkdocs build(dirty=True): mkdocs-static-i18n builds its other languages dirty only
    when `--dirty` is in sys.argv (plugin.py, on_post_build), and MkDocs warns on every dirty
    build, which strict mode would count as a failure; both are undone after."""
    logger = logging.getLogger("mkdocs.commands.build")
    argv = list(sys.argv)
    sys.argv.append("--dirty")
    logger.addFilter(_not_the_dirty_warning)
    try:
        yield
    finally:
        sys.argv[:] = argv
        logger.removeFilter(_not_the_dirty_warning)


def _old_site(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}-old")


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # <fcntl.h>, <linux/fs.h>


def _exchange(new: Path, out_dir: Path) -> bool:
    """Swap two folders' names in one step (Linux renameat2 RENAME_EXCHANGE) -> True; False where
    the C library, kernel or file system has no such call (then nothing happened)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc before 2.28, or another C library
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(out_dir), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # not offered here: rename instead
        return False
    raise OSError(error, os.strerror(error), str(out_dir))


def swap_into_place(new: Path, out_dir: Path) -> None:
    """A complete new site folder -> out_dir, the old one deleted. Where the system can exchange
    two names in one step, out_dir is never missing; elsewhere it is renamed to `.<out>-old` and
    the new folder renamed into its place, and a build killed in between leaves the old site in
    `.<out>-old`, which the next build puts back (recover_out_dir)."""
    if out_dir.exists() and _exchange(new, out_dir):
        shutil.rmtree(new)  # the old site, now under the new folder's name
        return
    old = _old_site(out_dir)
    if out_dir.exists():
        if old.exists():
            shutil.rmtree(old)
        out_dir.rename(old)
    new.rename(out_dir)
    if old.exists():
        shutil.rmtree(old)


def recover_out_dir(out_dir: Path) -> None:
    """Before a build: put back the old site if a build was killed between the two renames of a
    swap (out_dir missing, `.<out>-old` present), and delete what killed builds left beside
    out_dir (`.<out>-new-*`, `.<out>-old`). Call it holding the output folder's lock."""
    out_dir = Path(out_dir).resolve()
    old = _old_site(out_dir)
    if not out_dir.exists() and old.is_dir():
        old.rename(out_dir)
    if old.exists():
        shutil.rmtree(old)
    for leftover in out_dir.parent.glob(f".{out_dir.name}-new-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)


def build_site(config_path: Path, static_dir: Path, out_dir: Path, build_date: dt.date | None = None,
               before_static_copy: Sequence[Callable[[], object]] = (), mkdocs: MkDocsProcess | None = None,
               stop_static: Callable[[], object] = lambda: None) -> None:
    """Build into a temporary folder beside out_dir (in `mkdocs`'s process when given, else here);
    meanwhile call each of before_static_copy in turn (what else the static folder needs: the
    chart renders finishing) and copy the staged static files into a second temporary folder, moved into the first once MkDocs is done (the files it
    shares with MkDocs' output replace MkDocs'); then swap (swap_into_place). A failure at any step
    leaves the previous out_dir untouched. Both temporary folders are named `.<out>-new-*`, which
    recover_out_dir deletes if a killed build left them. When MkDocs fails, stop_static() is called
    (from another thread) to make the step under way give up (the renders not yet started are
    cancelled; the running ones end first), the steps after it and the static copy are skipped,
    and MkDocs' error is raised."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    static = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-static-", dir=out_dir.parent))

    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        stop_static()

    def stage_static() -> None:
        for step in (*before_static_copy, lambda: shutil.copytree(static_dir, static, dirs_exist_ok=True)):
            if stopped.is_set():  # MkDocs failed: its error is raised, nothing is published
                return
            step()
        _world_readable(static)

    try:
        # The static copy (a third of a second at the shipped size, seconds at 10x) no longer
        # waits for MkDocs: with MkDocs in its own process this one is idle while it builds.
        if mkdocs is not None:
            mkdocs.build(config_path, temp, build_date, meanwhile=stage_static, on_failure=stop)
        else:
            run_mkdocs(config_path, temp, build_date)
            stage_static()
        _world_readable(temp)
        _move_into(static, temp)
        swap_into_place(temp, out_dir)
    finally:
        for folder in (temp, static):
            if folder.exists():
                shutil.rmtree(folder)


def _world_readable(root: Path) -> None:
    """Published files must be world-readable (link checkers drop privileges; so do web servers)."""
    os.chmod(root, 0o755)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(Path(folder) / name, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)


def _move_into(source: Path, target: Path) -> None:
    """Every file under source -> the same path under target, replacing a file there, as
    shutil.copytree(dirs_exist_ok=True) would put it, but by renames (same file system): a folder
    that target lacks moves whole, in one step. source is left empty. A file where target has a
    folder, or the reverse, raises (IsADirectoryError, NotADirectoryError): copytree would put
    such a file inside the folder, which no site should need."""
    for entry in os.scandir(source):
        destination = target / entry.name
        if entry.is_dir(follow_symlinks=False) and destination.is_dir() and not destination.is_symlink():
            _move_into(Path(entry.path), destination)
        else:
            os.replace(entry.path, destination)
