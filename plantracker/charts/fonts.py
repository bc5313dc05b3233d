"""The charts' CJK font, cut down to the characters a build's charts can show, for vl-convert.

Why: vl-convert 1.9.0 measures and draws text through a font database that re-opens and re-maps
the font file on every glyph lookup (strace: 42,921 opens of the 5 MB wqy-microhei.ttc for 11
charts' SVG and PNG). With a subset of the same font a render costs about a third less CPU
(SVG 150 -> 94 ms, PNG 56 -> 39 ms a chart). The subset keeps the glyphs, metrics and layout tables of the
characters it holds, so renders are the same bytes (tests/test_chart_fonts.py renders with it
and without it).

Only a worker process in which vl-convert draws makes and registers it (charts.workers: the V8
engine, which draws nearly every SVG, measures with the source font's tables, and the PNGs' text
is drawn from its outlines, so a worker whose engine runs never needs it; making it costs about
half a CPU second). vl-convert's font database belongs to the process and cannot forget a font.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from functools import cache
from pathlib import Path

# The family the static renders name first (chart_files.static_spec). When it is not registered,
# vl-convert falls through to the source font, next in charts.FONT, with identical metrics.
SUBSET_FAMILY = "WenQuanYi Micro Hei Subset"
SOURCE_FAMILY = "WenQuanYi Micro Hei"
SOURCE_FILE = "wqy-microhei.ttc"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
SUBSET_FILE = "chart-font.ttf"
_KERN_PAIR = re.compile(r"\d{1,5},\d{1,5}")

# Text Vega writes itself (number formats: minus sign, SI prefixes, thin spaces; truncation
# ellipsis; punctuation) besides what the specs hold: kept whatever the data.
_ALWAYS = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2000, 0x2070), *range(0x2190, 0x2200),
           *range(0x2200, 0x2300), *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0)]


class UnsupportedShaping(RuntimeError):
    """The font shapes text in a way shaping_tables does not copy (substitutions, class kerning, ...)."""


@cache
def shaping_tables(font_file: str, code_points: frozenset[int] | None = None) -> dict:
    """A TrueType font (first face of a collection) -> how it shapes a line of text: units per em,
    advance and glyph id by code point (only `code_points`, when given: other characters then
    count as missing), pair kerning by "glyph,glyph" (font units). Only plain shaping is copied
    (advances plus GPOS pair kerning, as wqy-microhei has): anything else raises UnsupportedShaping.

    Why here: what vl-convert 1.9 (usvg 0.45, rustybuzz) does with this font is exactly these
    tables, and both the SVG engine (text widths) and charts.outlines (glyph positions) copy it.
    The whole font's tables are read once per machine (font_tables) and cut to `code_points` here."""
    whole = font_tables(font_file)
    glyphs = whole["glyphs"]
    if code_points is not None:
        glyphs = [glyph for glyph in glyphs if glyph[0] in code_points]
    kept = {gid for _, _, gid in glyphs}
    kern = whole["kern"] if code_points is None else {
        pair: value for pair, value in whole["kern"].items() if all(int(gid) in kept for gid in pair.split(","))}
    return {"upem": whole["upem"], "adv": {cp: advance for cp, advance, _ in glyphs},
            "gid": {cp: gid for cp, _, gid in glyphs}, "kern": kern}


def font_tables(font_file: str) -> dict:
    """A font file -> its whole shaping tables (read_font_tables), kept in this machine's cache
    (cache.machine_cached_json) under the file's path, size and time and this module's and
    fontTools' versions: reading them costs about 0.2 CPU s, in every chart worker of every build.
    Raises UnsupportedShaping (never kept) for a font whose shaping is not copied."""
    from ..cache import code_version, digest, machine_cached_json

    stat = Path(font_file).stat()
    key = digest(str(Path(font_file).resolve()), stat.st_size, stat.st_mtime_ns,
                 code_version(["charts/fonts.py"], ["fonttools"]))
    return machine_cached_json("font-tables", key, lambda: read_font_tables(font_file), _whole_tables)


def _whole_tables(value: object) -> bool:
    """True for read_font_tables' shape and ranges (a file in the machine's cache may hold anything)."""
    def count(n, low=0, high=1 << 16):
        return type(n) is int and low <= n <= high

    return (isinstance(value, dict) and count(value.get("upem"), 16, 16384)  # TrueType's range
            and isinstance(value.get("glyphs"), list) and isinstance(value.get("kern"), dict)
            and all(isinstance(glyph, list) and len(glyph) == 3 and count(glyph[0], 0, 0x10FFFF)
                    and count(glyph[1]) and count(glyph[2]) for glyph in value["glyphs"])
            and all(_KERN_PAIR.fullmatch(pair) and count(units, -(1 << 15), 1 << 15)
                    for pair, units in value["kern"].items()))


def read_font_tables(font_file: str) -> dict:
    """A font file -> {"upem", "glyphs": [[code point, advance, glyph id], ...] in its cmap's order,
    "kern": {"glyph id,glyph id": font units}} for every character it maps (see shaping_tables)."""
    from fontTools import ttLib

    font = ttLib.TTFont(font_file, fontNumber=0, lazy=True)
    if "GSUB" in font and font["GSUB"].table.FeatureList and font["GSUB"].table.FeatureList.FeatureCount:
        raise UnsupportedShaping(f"{font_file}: glyph substitutions (GSUB features) are not copied")
    if "kern" in font:
        raise UnsupportedShaping(f"{font_file}: a legacy 'kern' table is not copied")
    order = {name: i for i, name in enumerate(font.getGlyphOrder())}
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    glyphs = set(cmap.values())
    kern: dict[str, int] = {}
    if "GPOS" in font:
        gpos = font["GPOS"].table
        features = gpos.FeatureList.FeatureRecord if gpos.FeatureList else []
        if {record.FeatureTag for record in features} - {"kern"}:
            raise UnsupportedShaping(f"{font_file}: GPOS features other than 'kern' are not copied")
        for index in sorted({i for record in features for i in record.Feature.LookupListIndex}):
            lookup = gpos.LookupList.Lookup[index]
            for sub in lookup.SubTable:
                sub = sub.ExtSubTable if lookup.LookupType == 9 else sub
                if getattr(sub, "LookupType", lookup.LookupType) != 2 or sub.Format != 1:
                    raise UnsupportedShaping(f"{font_file}: kerning other than pairs of glyphs is not copied")
                for first, pairs in zip(sub.Coverage.glyphs, sub.PairSet):
                    for pair in pairs.PairValueRecord if first in glyphs else ():
                        value = getattr(pair.Value1, "XAdvance", 0) if pair.Value1 else 0
                        if value and pair.SecondGlyph in glyphs:
                            kern.setdefault(f"{order[first]},{order[pair.SecondGlyph]}", value)
    upem = font["head"].unitsPerEm
    font.close()
    return {"upem": upem, "glyphs": [[cp, metrics[name][0], order[name]] for cp, name in cmap.items()], "kern": kern}


def source_font() -> Path | None:
    """The installed font file the subset is cut from (Debian: fonts-wqy-microhei), or None."""
    for root in FONT_DIRS:
        base = Path(root).expanduser()
        if base.is_dir():
            for path in base.rglob(SOURCE_FILE):
                return path
    return None


def characters(texts: list[str]) -> list[int]:
    """Every code point the charts may draw: the texts' own plus those Vega may add."""
    found = set(_ALWAYS)
    for text in texts:
        found.update(map(ord, text))
    return sorted(found)


def subset_dir(cache_dir: Path, texts: list[str]) -> tuple[Path, Path, list[int]] | None:
    """-> (folder that will hold the subset, source font, code points), keyed by both; None when
    the source font is not installed (renders then use whatever font vl-convert finds).
    Older subsets in cache_dir are removed: only the current one is kept."""
    source = source_font()
    if source is None:
        return None
    code_points = characters(texts)
    stat = source.stat()
    key = hashlib.sha256(json.dumps([str(source), stat.st_size, stat.st_mtime_ns, code_points]).encode()).hexdigest()
    folder = Path(cache_dir) / key[:32]
    if Path(cache_dir).is_dir():
        for old in Path(cache_dir).iterdir():
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
    return folder, source, code_points


def ensure_subset(folder: Path, source: Path, code_points: list[int]) -> Path:
    """Write folder/chart-font.ttf unless it is there. Safe when several workers call it at once:
    one writes (under a lock file), the others wait and reuse its file."""
    font = folder / SUBSET_FILE
    if font.exists():
        return font
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # no fcntl (Windows): each worker writes its own temporary file
            pass
        if not font.exists():
            partial = folder / f".{os.getpid()}.ttf"
            _write_subset(source, code_points, partial)
            partial.replace(font)  # atomic: a reader sees no file or a whole one
    return font


def _write_subset(source: Path, code_points: list[int], target: Path) -> None:
    from fontTools import subset, ttLib  # here: only chart workers need it

    font = ttLib.TTFont(source, fontNumber=0, lazy=True)  # fontNumber: the first face of a .ttc
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = ["*"]  # same shaping (kerning, vertical forms) as the whole font
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: unused, and fontTools warns it cannot subset them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    # A family of its own, so the renders can name it first and nothing else picks it up.
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):  # family, full name, typographic family
            record.string = SUBSET_FAMILY
        elif record.nameID == 6:  # PostScript name: no spaces
            record.string = SUBSET_FAMILY.replace(" ", "")
    font.save(target)
    font.close()  # the source file stays open otherwise (ResourceWarning in whatever runs next)
