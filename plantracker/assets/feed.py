"""Release history -> Atom feeds `feed.zh.xml`, `feed.en.xml` and `api/releases.json` at the site root.

How the history is carried forward (no database, only the published branch):

1. Each release publishes `api/releases.json`: every release so far, newest first, each with its
   "What changed" summary (counts and a few lines per language), as `release_entry` made it.
2. The next build reads the copies already published on the gh-pages branch
   (`git show gh-pages:<version>/api/releases.json` for each version in `versions.json`:
   `published_history`), adds its own entry (`release_history`) and writes both feeds and its
   own `api/releases.json` from that list (`write_feeds`).

A version whose folder has no releases.json (published before this existed) is left out of the
feed, as is a version deleted from versions.json. Dates come from each release (release.toml),
never from the clock, so a rebuild gives the same bytes.
"""
from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from mike.versions import Version

from ..changes import Changes
from ..published import RELEASES
from ..settings import COMPILATION_LICENCE, Release
from ..site_map import LANGUAGES, feed_path, page_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LINES_PER_KIND = 3  # figure lines per kind (added, revised, removed) and status lines in an entry


def _figure_line(changes: Changes, row: dict, kind: str, t: dict, lang: str) -> str:
    what = " · ".join(x for x in (row[f"indicator_{lang}"], row[f"region_{lang}"]) if x)
    year = f" {row['year']}" if row["year"] is not None else ""
    line = f"{t[f'feed_{kind}']}{t['colon']}{row['plan_id']} {row['figure_id']} {what}{year}"
    if row["change"] == "revised":
        old, new = (changes.value_text(row, side, lang) or "—" for side in ("old", "new"))
        line += f"{t['colon']}{old} → {new}"
    return line


def _status_line(row: dict, t: dict, lang: str) -> str:
    what = " · ".join(x for x in (row[f"indicator_{lang}"], row[f"region_{lang}"]) if x)
    old = t.get(f"status_{row['old_status']}", row["old_status"] or "—")
    new = t.get(f"status_{row['new_status']}", row["new_status"] or "—")
    return f"{t['feed_status']}{t['colon']}{row['plan_id']} {row['target_id']} {what}{t['colon']}{old} → {new}"


def _lines(changes, t: dict, lang: str) -> list[str]:
    if changes.first_release:
        return [t["feed_first"]]
    lines = [t["feed_counts"].format(added=len(changes.of_kind("added")), revised=len(changes.of_kind("revised")),
                                     removed=len(changes.of_kind("removed")), status=len(changes.status_changes))]
    hidden = 0
    for kind in ("added", "revised", "removed"):
        rows = changes.of_kind(kind)
        lines += [_figure_line(changes, row, kind, t, lang) for row in rows[:LINES_PER_KIND]]
        hidden += max(0, len(rows) - LINES_PER_KIND)
    lines += [_status_line(row, t, lang) for row in changes.status_changes[:LINES_PER_KIND]]
    hidden += max(0, len(changes.status_changes) - LINES_PER_KIND)
    if hidden:
        lines.append(t["feed_more"].format(n=hidden))
    return lines


def release_entry(release: Release, changes: Changes, strings: dict) -> dict:
    """(release, Changes, interface strings) -> this release's entry of api/releases.json:
    {version, date, url, previous_version, first_release, counts {added, revised, removed,
    status_changes}, lines {zh: [...], en: [...]}} (lines in each language, finished text)."""
    return {
        "version": release.version, "date": release.date.isoformat(), "url": release.url,
        "previous_version": changes.previous_version, "first_release": changes.first_release,
        "counts": {"added": len(changes.of_kind("added")), "revised": len(changes.of_kind("revised")),
                   "removed": len(changes.of_kind("removed")), "status_changes": len(changes.status_changes)},
        "lines": {lang: _lines(changes, strings[lang], lang) for lang in LANGUAGES},
    }


def release_history(entry: dict, previous: list[dict]) -> list[dict]:
    """(this release's entry, published entries) -> every release, newest first, this one once."""
    others = [e for e in previous if e["version"] != entry["version"]]
    return sorted([entry, *others], key=lambda e: Version(e["version"]), reverse=True)


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str = "alternate", **attrs) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": href, **attrs})


def _feed(release: Release, history: list[dict], lang: str, t: dict) -> bytes:
    latest = release.latest_url
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})
    _text(feed, "id", latest + feed_path(lang))  # the subscription address: stable across releases
    _text(feed, "title", t["feed_title"])
    _text(feed, "subtitle", t["feed_subtitle"])
    _text(feed, "updated", f"{history[0]['date']}T00:00:00Z")
    _link(feed, latest + feed_path(lang), "self", type="application/atom+xml")
    _link(feed, latest + page_url("index", lang), type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", t["site_title"])
    _text(author, "uri", release.site_url)
    _text(feed, "rights", f"{t['reuse_licence']} {t['reuse_licence_url']}")
    for item in history:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = item["url"] + page_url("index", lang)
        _text(entry, "id", url)  # the release's own page in this language: permanent, unique per feed
        _text(entry, "title", t["feed_entry_title"].format(version=item["version"], date=item["date"]))
        _text(entry, "updated", f"{item['date']}T00:00:00Z")
        _link(entry, url, type="text/html")
        lines = item["lines"].get(lang) or []
        _text(entry, "summary", lines[0] if lines else item["version"], type="text")
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        _text(entry, "content", f"<ul>{items}</ul>", type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feeds(static_dir: Path, release: Release, history: list[dict], strings: dict) -> list[Path]:
    """(staging folder, release, every release newest first incl. this one: release_history,
    interface strings) -> feed.zh.xml, feed.en.xml and api/releases.json written under static_dir."""
    if not history or history[0]["version"] != release.version:
        raise ValueError("history must start with this release's entry (see release_history)")
    ET.register_namespace("", ATOM)
    written = []
    for lang in LANGUAGES:
        path = static_dir / feed_path(lang)
        path.write_bytes(_feed(release, history, lang, strings[lang]))
        written.append(path)
    releases = static_dir / RELEASES
    releases.parent.mkdir(parents=True, exist_ok=True)
    document = {"licence": COMPILATION_LICENCE, "release": release.version, "releases": history}
    releases.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8", newline="\n")
    return written + [releases]
