"""Static chart specs -> SVG, as vl-convert 1.9 renders them at about a third of its cost: its own
Vega and Vega-Lite (the bundle the site already ships, vl_convert.javascript_bundle()) run in V8
(mini-racer), with text measured from the chart font's advance and kerning tables.

Why: vl-convert 1.9 measures every label by laying out a one-text SVG through a font database that
re-maps the font file per glyph, with no cache: that is most of a render's CPU (bench/chart_cost.py,
bench/RENDER_ROUTES.md on branch render-research). Here a label's width is a table lookup, cached.

The SVG bytes are vl-convert's (tests/test_svg_engine.py renders shipped charts both ways), because
the same Vega code runs and the width function copies 1.9's (vl-convert-rs: `sg.textMetrics.width`
calls `op_text_width`, which shapes the text with the first installed family of the font list,
then caps the width at the item's `limit`). Where that copy cannot be exact, the caller renders with
vl-convert instead (`render` returns None): a character the font lacks (1.9 would measure it with a
fallback font). A font with other shaping (GSUB features, other GPOS features, class-based kerning)
or a bundle whose Vega cannot be found raises EngineError at start-up.

Each process keeps one engine (V8 context); `close()` it explicitly: mini-racer's thread may
otherwise hold the interpreter at exit.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path

from py_mini_racer import mini_racer

from . import fonts

# vl-convert-python's version whose bundle and width function this copies: another version may run
# other Vega code or measure otherwise, so it is refused (EngineError) rather than trusted.
VL_CONVERT_VERSION = "1.9.0"
# The bundle's own table of versions (vega-embed's) names its vega and vega-lite module objects.
_MODULES = re.compile(r'\{vega:(\w+)\.version,"vega-lite":(\w+)\?')
# vendor.write_chart_bundle wraps the bundle in a function; the engine exports the two modules from it.
_WRAPPER_END = "\n})();\n"

# What the bundle expects of a browser at load time, none of it used by a headless render.
_PRELUDE = """globalThis.window = globalThis; globalThis.setInterval = () => 0; globalThis.clearInterval = () => {};
globalThis.structuredClone = (v) => v === undefined ? v : JSON.parse(JSON.stringify(v)); 1"""

_MEASURE = """(() => {
const T = %s;
const widths = new Map();
let missing = [];
function units(text) {
  let w = 0, prev = -1;
  for (const ch of text) {
    const cp = ch.codePointAt(0), a = T.adv[cp];
    if (a === undefined) { missing.push(cp); prev = -1; continue; }
    const g = T.gid[cp];
    if (prev >= 0) w += T.kern[prev + ',' + g] || 0;
    w += a; prev = g;
  }
  return w;
}
// vl-convert 1.9's textMetrics.width: the text as an SVG <text> holds it (line breaks dropped, tabs
// as spaces, runs of spaces as one, trimmed), shaped with the font, capped at the item's limit.
vega.textMetrics.width = (item, text) => {
  const size = vega.fontSize(item);
  const value = text == null ? '' : String(text).replace(/[\\n\\r]/g, '').replace(/\\t/g, ' ').replace(/ +/g, ' ').trim();
  if (size <= 0 || !value) return 0;
  let u = widths.get(value);
  if (u === undefined) { u = units(value); widths.set(value, u); }
  const width = u * size / T.upem;
  return item.limit > 0 ? Math.min(width, item.limit) : width;
};
// Starts a render; its result is in __result once the promise has settled (__pending).
globalThis.__render = (specJson) => {
  missing = [];
  globalThis.__result = null;
  const view = new vega.View(vega.parse(vegaLite.compile(JSON.parse(specJson)).spec), {renderer: 'none'});
  globalThis.__pending = view.toSVG().then((svg) => JSON.stringify({svg, missing})).finally(() => view.finalize());
  globalThis.__pending.then((result) => { globalThis.__result = result; }, () => {});
  return 1;
};
})(); 1"""


class EngineError(RuntimeError):
    """The engine cannot copy vl-convert here (other vl-convert, bundle, or font): use vl-convert."""


def bundle_script(bundle_text: str) -> str:
    """The site's Vega bundle file (vendor.write_chart_bundle) -> a script that also exports its vega
    and vega-lite modules as globals; EngineError when they cannot be found."""
    found = _MODULES.search(bundle_text)
    if found is None or not bundle_text.endswith(_WRAPPER_END):
        raise EngineError("vega and vega-lite not found in the chart bundle (has vl-convert changed?)")
    vega, vega_lite = found.groups()
    return (bundle_text[: -len(_WRAPPER_END)]
            + f"\nglobalThis.vega = {vega}; globalThis.vegaLite = {vega_lite};" + _WRAPPER_END)


class SvgEngine:
    """One V8 context with the bundle and the font's widths loaded: spec -> SVG (or None: render it
    with vl-convert). Close it when done."""

    def __init__(self, bundle_file: Path, font_file: Path, code_points: frozenset[int] | None = None):
        import vl_convert

        if vl_convert.__version__.split(".post")[0] != VL_CONVERT_VERSION:
            raise EngineError(f"vl-convert {vl_convert.__version__}: the engine copies {VL_CONVERT_VERSION} only")
        script = bundle_script(Path(bundle_file).read_text(encoding="utf-8"))
        try:
            tables = fonts.shaping_tables(str(font_file), code_points)
        except fonts.UnsupportedShaping as error:
            raise EngineError(str(error)) from error
        self._context, self._loop = None, _EventLoop()
        try:
            self._racer = mini_racer(self._loop.loop)
            self._context = self._racer.__enter__()
            self._context.eval(_PRELUDE)
            self._context.eval(script)
            self._context.eval(_MEASURE % json.dumps(tables))
            self.versions = (self._context.eval("vega.version"), self._context.eval("vegaLite.version"))
        except Exception:
            self.close()
            raise
        if self.versions[0] != vl_convert.get_vega_version():
            self.close()
            raise EngineError(f"the bundle runs vega {self.versions[0]}, vl-convert renders with "
                              f"{vl_convert.get_vega_version()}")
        self.missing: set[int] = set()  # code points the font lacks, met so far

    def render(self, spec: dict) -> str | None:
        """A static spec -> its SVG, or None when a text holds a character the font lacks."""
        self._context.eval(f"__render({json.dumps(json.dumps(spec))})")
        # V8 runs a script's promise jobs when the script ends, so a render that waits on nothing
        # else has settled by the next call: reading the result is a fifth of a render cheaper
        # than awaiting the promise through mini-racer (bench/CHART_COST.md). Otherwise (or on a
        # failure, which get() raises) the promise is awaited.
        result = self._context.eval("__result")
        found = json.loads(result if result is not None else self._context.eval("__pending").get())
        if found["missing"]:
            self.missing.update(found["missing"])
            return None
        return found["svg"]

    def close(self) -> None:
        if self._context is not None:
            self._context = None
            self._racer.__exit__(None, None, None)
        self._loop.close()


class _EventLoop:
    """An asyncio loop on a thread of its own, for mini-racer's promises. mini-racer would otherwise
    adopt a loop running in the calling thread (Playwright's sync API keeps one) and then refuse
    to wait on a promise from that thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="svg-engine-loop", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self.loop.close()
