"""Self-hosted chart JavaScript: vl-convert's Vega bundle -> <site>/assets/vendor/ with licences."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import vl_convert

# Committed BSD-3-Clause texts of vega, vega-lite and vega-embed (from their npm packages).
LICENCE_DIR = Path(__file__).resolve().parents[2] / "site_src" / "assets" / "vendor" / "licenses"
VENDOR_DIR = Path("assets") / "vendor"

_HEADER = (
    "/*! Vega, Vega-Lite and Vega-Embed (BSD-3-Clause; licence texts in ./licenses/),\n"
    " * bundled by vl-convert {version}. Exposes window.vegaEmbed, window.vega, window.vegaLite. */\n"
)


def _bundle_text() -> str:
    # vl-convert's default snippet assigns vegaEmbed/vega/vegaLite to window. The bundle declares
    # top-level consts; the function wrapper keeps them out of the page's global scope.
    body = vl_convert.javascript_bundle()
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
