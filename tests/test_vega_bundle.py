"""The Vega bundle is made once per vl-convert version on a machine (vega_bundle.javascript_bundle),
and never taken from a damaged copy."""
from __future__ import annotations

import vl_convert

from plantracker import vega_bundle


def test_the_bundle_is_kept_per_machine_and_a_damaged_copy_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = vl_convert.javascript_bundle()
    assert not vega_bundle.bundle_is_cached()
    assert vega_bundle.javascript_bundle() == expected
    assert vega_bundle.bundle_is_cached()
    (kept,) = (tmp_path / "cache" / "plantracker" / "vega-bundle").glob("*.js")
    assert vl_convert.__version__ in kept.name and kept.read_text(encoding="utf-8") == expected
    # A copy cut short (a full disk, an editor) is not used: the bundle is made again and kept whole.
    kept.write_text(expected[: len(expected) // 2], encoding="utf-8")
    assert vega_bundle.javascript_bundle() == expected
    assert kept.read_text(encoding="utf-8") == expected
    # The same bytes from the cache as from vl-convert.
    assert vega_bundle.javascript_bundle() == expected


def test_without_a_writable_cache_the_bundle_is_still_made(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert vega_bundle.javascript_bundle() == vl_convert.javascript_bundle()
    assert not vega_bundle.bundle_is_cached()
