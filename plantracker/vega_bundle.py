"""The self-hosted chart JavaScript: vl-convert's Vega bundle -> <site>/assets/vendor/ with licences,
kept in the content store. Shared by two stages: the chart stage's SVG engine runs it
(charts.engine), the assets stage copies it into the site; so it lives in neither.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import vl_convert

from .cache import Store, code_version, digest, is_machine_cached, machine_cached, tree_digest

# Committed BSD-3-Clause texts of vega, vega-lite and vega-embed (from their npm packages).
LICENCE_DIR = Path(__file__).resolve().parents[1] / "site_src" / "assets" / "vendor" / "licenses"
VENDOR_DIR = Path("assets") / "vendor"
BUNDLE_CACHE = "vega-bundle"  # its folder in the machine's cache

_HEADER = (
    "/*! Vega, Vega-Lite and Vega-Embed (BSD-3-Clause; licence texts in ./licenses/),\n"
    " * bundled by vl-convert {version}. Exposes window.vegaEmbed, window.vega, window.vegaLite. */\n"
)


def javascript_bundle() -> str:
    """vl_convert.javascript_bundle(), made once per vl-convert version on this machine: asking
    vl-convert for it costs about 1.8 CPU s (its engine starts and bundles), and its text depends
    on nothing but the installed vl-convert. Kept in machine_cache_dir() beside its sha256
    (cache.machine_cached), so a truncated or altered copy is made again rather than used; where
    that folder cannot be written, it is made every time."""
    return machine_cached(BUNDLE_CACHE, _cached_name(), lambda: vl_convert.javascript_bundle().encode("utf-8")).decode("utf-8")


def _cached_name() -> str:
    return f"vl-convert-{vl_convert.__version__}.js"


def bundle_is_cached() -> bool:
    """True when javascript_bundle() would read the machine cache rather than ask vl-convert."""
    return is_machine_cached(BUNDLE_CACHE, _cached_name())


def _bundle_text() -> str:
    # vl-convert's default snippet assigns vegaEmbed/vega/vegaLite to window. The bundle declares
    # top-level consts; the function wrapper keeps them out of the page's global scope.
    body = javascript_bundle()
    return _HEADER.format(version=vl_convert.__version__) + "(function(){\n" + body + "\n})();\n"


def write_chart_bundle(dest_dir: Path) -> Path:
    """Site root folder -> path of the written assets/vendor/vega-bundle-<hash>.js (plus licences).

    The name changes with the content, so the file can be cached for ever. Pass the returned
    path relative to dest_dir (posix) as `extra.vega_bundle` in the generated mkdocs.yml.
    """
    text = _bundle_text()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    vendor = Path(dest_dir) / VENDOR_DIR
    (vendor / "licenses").mkdir(parents=True, exist_ok=True)
    for licence in sorted(LICENCE_DIR.glob("*-LICENSE.txt")):
        shutil.copyfile(licence, vendor / "licenses" / licence.name)
    bundle = vendor / f"vega-bundle-{digest}.js"
    bundle.write_text(text, encoding="utf-8", newline="\n")
    return bundle


KIND = "bundle"  # its content store kind


def _key() -> str:
    return digest(vl_convert.__version__, code_version(["vega_bundle.py"]), tree_digest(LICENCE_DIR))


def _fill(folder: Path) -> None:
    """A content store folder -> the bundle under files/ (write_chart_bundle) and its path."""
    written = write_chart_bundle(folder / "files")
    (folder / "bundle-path.txt").write_text(written.relative_to(folder / "files").as_posix(), encoding="utf-8")


def _fill_all(folders: dict[Path, None]) -> None:
    for folder in folders:
        _fill(folder)


def prefetch_bundle(store: Store) -> None:
    """Start making the bundle in another process unless the content store or this machine's cache
    has it (then bundle_entry only copies it): asking vl-convert for it starts its engine, seconds
    of CPU the build spends meanwhile on loading and querying."""
    if not bundle_is_cached():
        store.fill_in_background(KIND, {_key(): None}, _fill_all)


def bundle_entry(store: Store) -> tuple[Path, str]:
    """-> (the content store's folder holding the bundle under files/, the bundle's path from the
    site root), made here unless vl-convert and the licence files are unchanged or prefetch_bundle
    is making it (then waited for)."""
    key = _key()
    entry = store.entry(KIND, key)
    if entry is None:
        partial = store.fill(KIND, key)
        _fill(partial)
        entry = store.commit(KIND, key, partial)
    return entry, (entry / "bundle-path.txt").read_text(encoding="utf-8")
