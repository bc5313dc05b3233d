"""The preview's site folder, kept up to date in place: only the pages whose Markdown changed are
rendered again (by a warm MkDocs, below; else MkDocs' dirty mode), and the staged files are hard
links, not copies.

A published build never comes this way: it builds a fresh folder and swaps it in (mkdocs_build).
What the preview serves must still be what a clean build of the same data gives, byte for byte
(tests/test_preview.py compares them). MkDocs' dirty mode alone does not promise that, so:

- any change that can reach pages other than its own (mkdocs.yml with its navigation, the theme,
  the set of pages) gives a clean build in place instead, as does the first build and any build
  after a failed one;
- the search index of a dirty build holds only the pages it rebuilt: each one's entries replace
  that page's entries in the previous index, in place, so the order is a clean build's; after a
  warm render (below) this is done in a background thread once the rebuild is done
  (finish_in_background), so for a fraction of a second after a rebuild the served search index
  may still be the one before (the next update, and the end of the preview, wait for it);
- the 404 page and the sitemap depend only on what a change of which forces a clean build, so a
  dirty build keeps them; it must: mkdocs-static-i18n leaves the language links of the last page
  it built in the config, and the 404 page written after them shows them.

A dirty build still loads the config, lists every docs and theme file, lets mkdocs-static-i18n
sort all of them into languages and builds the navigation, twice (once per language): most of
its time at 10x the data, for a handful of pages. So the preview keeps MkDocs warm instead: the
last clean build's config, plugins and, per language, its files, navigation and Jinja environment
(_WarmMkDocs), and renders only the changed pages with MkDocs' own page functions, language by
language as a clean build does (mkdocs-static-i18n's on_config switches the config between
them). Anything unexpected there (a warning, an error) gives a clean build instead, which reports
it as MkDocs would; a changed docs file that is not a page (a style sheet) gives MkDocs' dirty
build, which copies it, and the next changes dirty builds too until a clean build.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import yaml

import jinja2
from mkdocs.plugins import BasePlugin, event_priority

from .cache import file_inodes, tree_digest
from .mkdocs_build import run_mkdocs
from .site_map import LANGUAGES, page_url

SEARCH_INDEX = "search_index.json"
KEPT_BY_DIRTY_BUILDS = {"404.html", "404-versions.html", "sitemap.xml"}  # MkDocs' static templates (see the module docstring)


class _CompiledTemplates(jinja2.BytecodeCache):
    """The theme's compiled templates, kept in memory for this process: each MkDocs build makes
    a new Jinja environment and would compile them again (0.3-0.5 s a build). Jinja checks every
    entry against its template's source."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _WarmMkDocs:
    """What a clean MkDocs build leaves to render pages with again: its config (with its plugin
    objects) and, per language in build order, (files, navigation, Jinja environment)."""

    def __init__(self):
        self.config = None
        self.languages: dict[str, list] = {}

    def render(self, docs: set[str]) -> list[SimpleNamespace] | None:
        """Docs paths (`<path>.<lang>.md`) -> each page's HTML written as a clean build writes it ->
        what the search plugin indexes of each (in build order: index_entries turns them into
        entries); None when MkDocs warned or a page is unknown (nothing reliable was written)."""
        config = self.config
        i18n, search = config.plugins["i18n"], config.plugins["material/search"]
        from mkdocs import utils
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.files import InclusionLevel

        found = {file.src_uri: language for language, (files, _, _) in self.languages.items()
                 for file in files.documentation_pages() if file.src_uri in docs and file.page is not None}
        if set(docs) - set(found):
            return None
        warnings = utils.CountHandler()
        warnings.setLevel(logging.WARNING)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(warnings)
        to_index = _PagesToIndex()
        try:
            for language, (files, nav, env) in self.languages.items():
                wanted = [files.get_file_from_path(doc) for doc in sorted(docs) if found[doc] == language]
                if not wanted:
                    continue
                i18n.current_language = language  # as its on_post_build does before each language's build
                config = i18n.on_config(config)
                search.search_index = to_index
                doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
                for file in wanted:
                    _populate_page(file.page, config, files)
                for file in wanted:
                    _build_page(file.page, config, doc_files, nav, env)
                for file in wanted:
                    file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        finally:
            logger.removeHandler(warnings)
        return None if warnings.get_counts() else to_index.pages

    def index_entries(self, pages: list[SimpleNamespace]) -> dict:
        """What render() kept of its pages -> their search index as the search plugin writes it
        ({"config", "docs"}); parsing each page's HTML, a third of the render's time."""
        from material.plugins.search.plugin import SearchIndex

        index = SearchIndex(**self.config.plugins["material/search"].config)
        for page in pages:
            index.add_entry_from_context(page)
        return {"config": {key: index.config[key] for key in ("lang", "separator", "pipeline", "fields")},
                "docs": index.entries}


class _PagesToIndex:
    """The search plugin's index during a warm render: what SearchIndex.add_entry_from_context reads
    of each page, kept as it is at that moment (the plugin then strips attributes from the
    content), to be indexed after the pages are served."""

    def __init__(self):
        self.pages: list[SimpleNamespace] = []

    def add_entry_from_context(self, page) -> None:
        self.pages.append(SimpleNamespace(content=page.content, toc=page.toc, url=page.url, meta=dict(page.meta),
                                          title=page.title))


class _PreviewPlugin(BasePlugin):
    """Added to the preview's MkDocs builds: the compiled theme templates reused; in a dirty build,
    the static templates kept; in a clean build, what it leaves kept in `warm`."""

    def __init__(self, compiled: _CompiledTemplates, dirty: bool, warm: _WarmMkDocs | None = None):
        super().__init__()
        self.compiled, self.dirty, self.warm = compiled, dirty, warm

    def on_pre_build(self, *, config) -> None:
        if self.dirty:
            config.theme.static_templates -= KEPT_BY_DIRTY_BUILDS

    @event_priority(-200)  # after mkdocs-static-i18n's (-100): its files and navigation of this language
    def on_nav(self, nav, *, config, files):
        if self.warm is not None:
            self.warm.config = config
            self.warm.languages[config.plugins["i18n"].current_language] = [files, nav, None]
        return nav

    def on_env(self, env, *, config, files):
        env.bytecode_cache = self.compiled
        if self.warm is not None:
            self.warm.languages[config.plugins["i18n"].current_language][2] = env
        return env


def _docs_listing(docs_dir: Path) -> dict[str, tuple[int, int]]:
    """Docs dir -> {relative path: (size, modification time in ns)}."""
    listing = {}
    for parent, _, files in os.walk(docs_dir):
        for name in files:
            path = Path(parent) / name
            stat = path.stat()
            listing[path.relative_to(docs_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return listing


def _page_url(doc: str) -> str | None:
    """`<path>.<lang>.md` -> the page's URL; None for any other Markdown file (no known URL)."""
    stem, _, lang = doc[: -len(".md")].rpartition(".")
    return page_url(stem, lang) if doc.endswith(".md") and lang in LANGUAGES and stem else None


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def _entry_text(entry: dict) -> str:
    # As Material's search plugin serializes (plugins/search/plugin.py, generate_search_index).
    return json.dumps(entry, separators=(",", ":"), default=str)


def _merged_index(before: list[tuple[str, str]], rebuilt: dict, pages: set[str]) -> list[tuple[str, str]] | None:
    """(the index before as (page URL, entry JSON) pairs, the dirty build's index of the rebuilt
    pages, their URLs) -> the entries a clean build writes (each rebuilt page's entries where its
    old ones were); None when a rebuilt page has entries but had none before (its place is unknown)."""
    fresh: dict[str, list] = {}
    for entry in rebuilt["docs"]:
        fresh.setdefault(_page_of(entry["location"]), []).append(_entry_text(entry))
    docs, placed = [], set()
    for page, text in before:
        if page not in pages:
            docs.append((page, text))
        elif page not in placed:
            docs += [(page, fresh_text) for fresh_text in fresh.get(page, [])]
            placed.add(page)
    return None if set(fresh) - placed else docs


@dataclass
class PreviewSite:
    """A site folder that `update` keeps equal to a clean build of the work docs and staged files."""

    site_dir: Path
    clean_next: bool = True  # the next update builds clean: first build, after a failure, on demand
    _config: bytes = b""
    _theme: str = ""
    _docs: dict = field(default_factory=dict)
    _linked: set = field(default_factory=set)  # staged files linked into the site by the last update
    _compiled: _CompiledTemplates = field(default_factory=_CompiledTemplates)
    _indexes: dict = field(default_factory=dict)  # search index path -> ((size, mtime), entries)
    _warm: _WarmMkDocs | None = None  # from the last clean build, while its pages are what is served
    _pending: Callable[[], object] | None = None  # what the last update left to do: the search index
    _indexing: threading.Thread | None = None  # doing it
    _indexing_failed: bool = False

    def __post_init__(self):
        self.site_dir = Path(self.site_dir).resolve()

    def update(self, config_path: Path, docs_dir: Path, static_dir: Path, build_date: dt.date | None,
               staged: Callable[[], dict[str, int]]) -> str:
        """Work config, docs dir and staging folder -> the site folder updated -> "clean", "dirty"
        (the changed pages rendered by the warm MkDocs), "dirty build" (MkDocs' dirty build) or
        "unchanged" (MkDocs did not run). `staged()` waits until the staging folder is complete (the
        chart renders run meanwhile) and lists its files ({path: inode})."""
        if not self.wait_for_index():
            self.clean_next = True
        config = Path(config_path).read_bytes()
        custom_dir = (yaml.safe_load(config) or {}).get("theme", {}).get("custom_dir")
        theme = tree_digest(Path(custom_dir) if custom_dir else None)
        docs = _docs_listing(docs_dir)
        changed = {doc for doc, stat in docs.items() if self._docs.get(doc) != stat}
        pages = {_page_url(doc) for doc in changed if doc.endswith(".md")}
        clean = (self.clean_next or config != self._config or theme != self._theme or docs.keys() != self._docs.keys()
                 or None in pages or not self.site_dir.is_dir())
        self.clean_next = True  # until this update has succeeded
        if clean:
            self._clean_build(config_path, build_date)
            how = "clean"
        elif changed:
            how = self._dirty_build(config_path, build_date, changed, pages)
        else:
            how = "unchanged"
        self._link_static(static_dir, staged(), docs)
        self._config, self._theme, self._docs, self.clean_next = config, theme, docs, False
        return how

    def _dirty_build(self, config_path: Path, build_date: dt.date | None, docs: set[str], pages: set[str]) -> str:
        """Changed docs -> the changed pages rendered by the warm MkDocs when they are all pages, else
        MkDocs' dirty build (it copies other files), then each search index merged with the one
        before -> "dirty" (warm), "dirty build", or "clean" when a clean build was made instead (the
        warm render failed, or an index could not be merged). After a warm render the index is
        merged in the background when every rebuilt page had entries in it (their place is known)."""
        paths = sorted(self.site_dir.rglob(SEARCH_INDEX))
        if self._warm is not None and all(doc.endswith(".md") for doc in docs):
            try:
                rendered = self._warm.render(docs)
            except Exception:  # noqa: BLE001 - a clean build reports the fault with MkDocs' own words
                rendered = None
            if rendered is None:  # some pages may be written, with newer times than their Markdown
                self._clean_build(config_path, build_date)
                return "clean"
            warm = self._warm
            if all(pages <= {page for page, _ in self._index_entries(path)} for path in paths):
                self._in_background(lambda: self._merge_indexes(paths, warm.index_entries(rendered), pages))
            elif not self._merge_indexes(paths, warm.index_entries(rendered), pages):
                self._clean_build(config_path, build_date)
                return "clean"
            return "dirty"
        before = {path: self._index_entries(path) for path in paths}
        self._mkdocs(config_path, build_date, dirty=True)
        if not self._merge_indexes(paths, None, pages, before):
            self._clean_build(config_path, build_date)
            return "clean"
        return "dirty build"

    def _merge_indexes(self, paths: list[Path], rebuilt: dict | None, pages: set[str], before: dict | None = None) -> bool:
        """Each search index file merged with the entries of the rebuilt pages (`rebuilt`, else the
        file as a dirty build left it, with `before` its entries before) -> False when a rebuilt
        page's place is unknown (nothing more written)."""
        for path in paths:
            index = rebuilt or json.loads(path.read_text(encoding="utf-8"))
            merged = _merged_index(before[path] if before else self._index_entries(path), index, pages)
            if merged is None:
                return False
            text = f'{{"config":{_entry_text(index["config"])},"docs":[{",".join(t for _, t in merged)}]}}'
            path.write_text(text, encoding="utf-8")
            stat = path.stat()
            self._indexes[path] = ((stat.st_size, stat.st_mtime_ns), merged)
        return True

    def _in_background(self, work: Callable[[], object]) -> None:
        """work() left for finish_in_background (or the next update): a failure, or False, and the
        next update builds clean."""
        self._pending = work

    def finish_in_background(self) -> None:
        """Start what the last update left to do (the search index) in a thread of its own: call it
        once the rebuild is done, so the thread does not hold up its last steps."""
        work, self._pending = self._pending, None
        if work is None:
            return

        def run():
            try:
                self._indexing_failed = work() is False
            except Exception:  # noqa: BLE001 - the clean build that follows reports what is wrong
                self._indexing_failed = True

        self._indexing_failed = False
        self._indexing = threading.Thread(target=run, name="preview-search-index")
        self._indexing.start()

    def wait_for_index(self) -> bool:
        """Finish what the last update left to do (the search index) -> False when it failed."""
        self.finish_in_background()
        if self._indexing is not None:
            self._indexing.join()
            self._indexing = None
        return not self._indexing_failed

    def _clean_build(self, config_path: Path, build_date: dt.date | None) -> None:
        """MkDocs' clean build, then the search index read (in the background) for the next merge."""
        self.wait_for_index()
        self._linked, self._indexes = set(), {}  # MkDocs empties the folder first
        self._mkdocs(config_path, build_date)
        paths = sorted(self.site_dir.rglob(SEARCH_INDEX))
        self._in_background(lambda: [self._index_entries(path) for path in paths])

    def _index_entries(self, path: Path) -> list[tuple[str, str]]:
        """A search index file -> its entries as (page URL, entry JSON), kept while the file is the
        one read or written last (an index of 10,000 pages is 6 MB of JSON)."""
        stat = path.stat()
        known = self._indexes.get(path)
        if known is not None and known[0] == (stat.st_size, stat.st_mtime_ns):
            return known[1]
        docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
        entries = [(_page_of(entry["location"]), _entry_text(entry)) for entry in docs]
        self._indexes[path] = ((stat.st_size, stat.st_mtime_ns), entries)
        return entries

    def _mkdocs(self, config_path: Path, build_date: dt.date | None, dirty: bool = False) -> None:
        """MkDocs' build (clean: the warm MkDocs kept from it; dirty: none kept, its objects are not
        a whole site's)."""
        self._warm, warm = None, None if dirty else _WarmMkDocs()
        run_mkdocs(config_path, self.site_dir, build_date, dirty=dirty,
                   plugins={"plantracker-preview": _PreviewPlugin(self._compiled, dirty, warm)})
        self._warm = warm

    def _link_static(self, static_dir: Path, staged: dict[str, int], docs: dict) -> None:
        """Every staged file ({path: inode}) -> a hard link at the same path in the site (none is
        copied: a build that rewrites a staged file in place changes the served one with it, and a
        staged chart file is itself a link to its content-store entry: charts.ChartStage);
        files linked before and no longer staged are deleted. A path MkDocs also writes (from the
        docs dir) is copied instead, so MkDocs never writes into a staged file."""
        in_site = file_inodes(self.site_dir)
        for relative, inode in staged.items():
            if in_site.get(relative) == inode:
                continue
            source, target = Path(static_dir) / relative, self.site_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.preview")
            temporary.unlink(missing_ok=True)
            if relative in docs:
                temporary.write_bytes(source.read_bytes())
            else:
                os.link(source, temporary)
            os.replace(temporary, target)
        for relative in self._linked - set(staged) - set(docs):
            (self.site_dir / relative).unlink(missing_ok=True)
        self._linked = set(staged) - set(docs)
