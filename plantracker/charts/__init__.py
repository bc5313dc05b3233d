"""Chart stage: Chart values -> their files (Vega-Lite specs, static SVGs and PNG, CSV) in the staging
folder; taken from the content store when their inputs are unchanged, rendered otherwise (in worker
processes, in the background, when there are many).

Pages need only each chart's paths and pixel size (`ChartStage.sized()`), known at once for the
kinds with a fixed static size (`sized(wait=False)` gives those without waiting); the build goes on (rendering Markdown, running MkDocs) and calls
`finish()` before it copies the staging folder into the site, `close()` on any failure.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ..cache import Store, code_version, digest, link_or_copy
from ..model import Chart
from ..vega_bundle import bundle_entry
from .files import ChartFiles, chart_base
from .workers import ChartRendering, keep_engine_open, start_worker_server

__all__ = ["ChartFiles", "ChartStage", "chart_base", "keep_engine_open", "keep_engine_warm", "prepare_renders",
           "render_charts"]

KIND = "charts"
# The code and libraries that decide a chart's bytes: any change renders every chart again.
CODE = ("charts", "spreadsheet_safety.py")
PACKAGES = ("vl-convert-python", "altair", "mini-racer", "fonttools")  # fontTools: the PNGs' glyph outlines
FILES_RECORD = "files.json"


def _bundle_file(store: Store) -> Path:
    """The site's Vega bundle in the content store, which the SVG engine runs (charts.engine)."""
    entry, path = bundle_entry(store)
    return entry / "files" / path


def _paths(files: ChartFiles) -> list[str]:
    return [files.spec, files.svg, files.png, files.csv, files.phone_spec, files.phone_svg]


class ChartStage:
    """The charts of one build: reused ones already in static_dir, missing ones rendering."""

    def __init__(self, charts: list[Chart], static_dir: Path, store: Store, workers: int | None = None,
                 background: bool = False):
        self._static_dir, self._store, self._charts = Path(static_dir), store, charts
        version = code_version(CODE, PACKAGES)
        self._keys = [digest(version, chart.render_inputs()) for chart in charts]
        self._files: dict[str, ChartFiles] = {}
        missing: dict[str, Chart] = {}
        for key, chart in zip(self._keys, charts):
            entry = store.entry(KIND, key)
            if entry is not None and (entry / FILES_RECORD).is_file():
                self._files[key] = ChartFiles(**json.loads((entry / FILES_RECORD).read_text(encoding="utf-8")))
                self._copy_out(entry, self._files[key])
            else:
                missing[key] = chart
        self._missing = missing
        self._partials = {key: store.fill(KIND, key) for key in missing}
        self._rendering = ChartRendering([(chart, self._partials[key]) for key, chart in missing.items()],
                                         workers=workers, font_cache=store.root / "fonts",
                                         bundle=_bundle_file(store) if missing else None, background=background)
        self._finished = False
        if not self._rendering.pending:  # rendered here already (few charts, or none)
            self.finish()

    def _copy_out(self, folder: Path, files: ChartFiles) -> None:
        for path in _paths(files):
            target = self._static_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(folder / path, target)

    @property
    def pending(self) -> bool:
        """True until finish(): the staging folder does not yet hold every chart's files."""
        return not self._finished

    def sized(self, wait: bool = True) -> dict[tuple[str, str, str], ChartFiles]:
        """Chart key (plan, chart id, language) -> ChartFiles (paths and size); waits only for the
        renders whose size is not fixed in advance. wait=False: only the charts whose size is known
        now (the pages of the others can be written last, while they render)."""
        rendered = dict(zip(self._missing, self._rendering.sized(wait)))
        files = {chart.key: self._files.get(key) or rendered[key] for key, chart in zip(self._keys, self._charts)}
        return {key: value for key, value in files.items() if value is not None}

    def finish(self) -> dict[tuple[str, str, str], ChartFiles]:
        """Wait for the renders, store them and link them into the staging folder (cache.link_or_copy)
        -> ChartFiles by chart key."""
        if not self._finished:
            rendered = self._rendering.finish()
            for (key, partial), files in zip(self._partials.items(), rendered.files):
                (partial / FILES_RECORD).write_text(json.dumps(dataclasses.asdict(files)), encoding="utf-8")
                self._files[key] = files
                self._copy_out(self._store.commit(KIND, key, partial), files)
            self._store.last_build.update({
                "charts": len(self._charts), "charts_rendered": len(self._missing),
                "charts_reused": len(self._charts) - len(self._missing), "render_processes": rendered.processes,
                "render_seconds": round(rendered.seconds, 3), "render_cpu_seconds": round(rendered.cpu_seconds, 3),
                "svg_engines": rendered.engines, "svg_fallbacks": rendered.fallbacks,
                "rendered_ids": sorted(f"{c.plan_id}/{c.chart_id}.{c.lang}" for c in self._missing.values())})
            self._finished = True
        return {chart.key: self._files[key] for key, chart in zip(self._keys, self._charts)}

    def close(self) -> None:
        """Stop the renders (after a failure elsewhere)."""
        self._rendering.close()


def keep_engine_warm(store: Store, examples: list[Chart] = ()) -> None:
    """For a long-running process (the preview): the SVG engine opened now with the store's Vega
    bundle and kept open for every render in this process (workers.keep_engine_open); then one
    example chart of each kind rendered into a folder thrown away, so that the next renders run
    on code V8 has already compiled (the first renders of a kind take twice as long)."""
    import tempfile

    from .workers import render_here

    keep_engine_open(_bundle_file(store))
    kinds = {chart.kind: chart for chart in reversed(examples)}
    with tempfile.TemporaryDirectory() as scratch:
        try:
            render_here([(chart, Path(scratch)) for chart in kinds.values()])
        except Exception:  # noqa: BLE001 - only a warm-up: the build that needs such a chart reports it
            pass


def prepare_renders(store: Store) -> None:
    """Once a build has validated: when the content store holds no chart at all (a cold build, which
    renders every chart), start the server the chart workers fork from, so that its imports run
    while the build loads and queries (started with validation, they slowed it: three processes
    on two cores). Other builds start it when they need workers (ChartRendering)."""
    if not store.holds(KIND):
        start_worker_server()


def render_charts(charts: list[Chart], static_dir: Path, store: Store, background: bool = False) -> ChartStage:
    """Charts of every page -> their files under static_dir (now or in the background: see ChartStage;
    `background`: in worker processes however few, where this machine has a core to spare)."""
    return ChartStage(charts, static_dir, store, background=background)
