"""compare_releases with real DuckDB, and the "What changed" page rendered from its context."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import markdown
import pytest

from plantracker.pages.changes import changes_page_context
from plantracker.published import _extract_tar, previous_release_data
from plantracker.publish import publish_release
from plantracker.settings import Release

from stages import compare_folders

FIXTURE = Path(__file__).parent / "fixtures" / "mini-plan"
TEMPLATES = Path(__file__).parent.parent / "templates"


def packages(folder: Path, edit=None) -> Path:
    """A folder holding a copy of the mini-plan package, with `edit(tables)` applied to its CSVs."""
    shutil.copytree(FIXTURE, folder / "mini-plan")
    if edit:
        data = folder / "mini-plan" / "data"
        tables = {}
        for name in ("observations", "targets", "sources"):
            with open(data / f"{name}.csv", encoding="utf-8", newline="") as f:
                tables[name] = list(csv.DictReader(f))
        edit(tables)
        for name, rows in tables.items():
            with open(data / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    return folder


def revise(tables):
    """xa-recycled-2021 40 -> 65 wan-t from a new source (meets the target: status changes);
    xb-points-2020 removed; xa-recycled-2022 added; the new source's text tries to inject HTML."""
    observations = tables["observations"]
    row = next(r for r in observations if r["observation_id"] == "xa-recycled-2021")
    row.update(value="65", source_id="src-new")
    added = dict(row, observation_id="xa-recycled-2022", year="2022", value="700", unit_id="kt")
    tables["observations"] = [r for r in observations if r["observation_id"] != "xb-points-2020"] + [added]
    tables["sources"].append(dict(tables["sources"][1], source_id="src-new",
                                  title="<script>alert(1)</script> report", url="https://example.org/new?a=1&b=2"))


@pytest.fixture(scope="module")
def changes(tmp_path_factory):
    root = tmp_path_factory.mktemp("changes")
    return compare_folders(packages(root / "a"), packages(root / "b", revise), previous_version="2026.1")


def render(context: dict, lang: str) -> str:
    """The page through the render stage's own environment and strings, as the build renders it."""
    from plantracker.citation import citation
    from plantracker.render import template_environment
    from plantracker.strings import load_strings
    from plantracker.settings import Release

    release = Release("2026.2", dt.date(2026, 6, 15), "https://example.org/tracker/")
    t = load_strings(TEMPLATES)[lang]
    cite = citation(release, t["changes"], "changes/", lang, t)
    return template_environment(TEMPLATES).get_template("changes.md.j2").render(lang=lang, t=t, cite=cite, **context)


def test_figures_added_revised_removed(changes):
    assert [(r["change"], r["kind"], r["figure_id"]) for r in changes.figures] == [
        ("added", "observation", "xa-recycled-2022"),
        ("revised", "observation", "xa-recycled-2021"),
        ("removed", "observation", "xb-points-2020"),
    ]
    [revised] = changes.of_kind("revised")
    assert (revised["old_value"], revised["old_unit_id"], revised["new_value"], revised["new_unit_id"]) == (
        40.0, "wan-t", 65.0, "wan-t")
    assert (revised["old_source_id"], revised["new_source_id"]) == ("src-report", "src-new")


def test_status_change_comes_from_target_progress(changes):
    assert [(r["target_id"], r["old_status"], r["new_status"]) for r in changes.status_changes] == [
        ("xa-recycled", "off_track", "achieved")]


def test_a_status_change_to_about_reached_is_listed_on_the_page_and_in_the_feed(tmp_path):
    """"about 40" -> "about 60" against at least 60: the band holds the target (about_reached)."""
    from plantracker.assets.feed import release_entry
    from plantracker.strings import load_strings

    def about_60(tables):
        next(r for r in tables["observations"] if r["observation_id"] == "xa-recycled-2021")["value"] = "60"

    changes = compare_folders(packages(tmp_path / "a"), packages(tmp_path / "b", about_60), previous_version="2026.1")
    assert [(r["target_id"], r["old_status"], r["new_status"]) for r in changes.status_changes] == [
        ("xa-recycled", "off_track", "about_reached")]
    strings = load_strings(TEMPLATES)
    entry = release_entry(Release("2026.2", dt.date(2026, 6, 15), "https://example.org/"), changes, strings)
    for lang in ("zh", "en"):
        t = strings[lang]
        assert f"{t['status_off_track']} → {t['status_about_reached']}" in entry["lines"][lang][-1]
        html = markdown.markdown(render(changes_page_context(changes, lang), lang))
        assert re.search(f'<td data-label="{t["changes_col_new_status"]}"><span class="pt-status pt-status--about_reached">'
                         f"{t['status_about_reached']}</span>\\s*</td>", html)


def test_identical_releases_have_no_changes(tmp_path):
    same = compare_folders(packages(tmp_path / "a"), packages(tmp_path / "b"), previous_version="2026.1")
    assert (same.figures, same.status_changes, same.first_release) == ([], [], False)
    page = render(changes_page_context(same, "en"), "en")
    assert "No figure was added, revised or removed" in page


def test_context_holds_finished_values(changes):
    zh = changes_page_context(changes, "zh", previous_url="https://example.org/tracker/2026.1/")
    [revised] = zh["revised"]
    assert (revised["old"], revised["new"], revised["region"], revised["year"]) == ("40万吨", "65万吨", "甲省", "2021")
    assert revised["previous_source"]["title"] == "示例区进展报告"
    assert revised["source"] == {"title": "<script>alert(1)</script> report", "url": "https://example.org/new?a=1&b=2"}
    # Worded as the pages word figures as printed: a unit the language does not display is
    # followed by its conversion; an English count without a noun is the number alone.
    # 千吨 is not a Chinese display unit: the figure keeps the English label its unit is written
    # in (the source printed it so), then the Chinese conversion.
    assert zh["added"][0]["new"] == "700千吨（70万吨）"  # an English source unit in Chinese words (numbers.py)
    en = changes_page_context(changes, "en")
    assert en["removed"][0]["old"] == "200"
    assert en["revised"][0]["old"] == "40\u00a0万吨 (400\u00a0thousand tonnes)"
    assert en["status_changes"][0]["target_year"] == "2022"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_lists_changes_in_html_tables_escaped(changes, lang):
    page = render(changes_page_context(changes, lang, previous_url="https://example.org/tracker/2026.1/"), lang)
    html = markdown.markdown(page)
    assert '<a href="https://example.org/tracker/2026.1/">2026.1</a>' in html
    assert html.count("<table") == 4  # added, revised, removed, status
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; report" in html
    assert "javascript:" not in html and 'href="https://example.org/new?a=1&amp;b=2"' in html
    from plantracker.strings import load_strings

    t = load_strings(TEMPLATES)[lang]
    assert t["status_off_track"] in html and t["status_achieved"] in html
    if lang == "zh":
        old, new = "40万吨", "65万吨"
    else:
        # The Chinese unit the source printed is marked as Chinese on the English page.
        old, new = ('40\u00a0<span lang="zh">万吨</span> (400\u00a0thousand tonnes)',
                    '65\u00a0<span lang="zh">万吨</span> (650\u00a0thousand tonnes)')
    # Each cell labelled for the phone's cards; the value whole, with its unit (.pt-value).
    assert (f'<td data-label="{t["changes_col_old_value"]}" class="pt-num"><del class="pt-value">{old}</del></td>\n'
            f'<td data-label="{t["changes_col_new_value"]}" class="pt-num"><span class="pt-value">{new}</span></td>') in html


def test_first_release_page(tmp_path):
    first = compare_folders(None, packages(tmp_path / "b"))
    assert first.first_release and first.figures == []
    assert "这是第一个数据版本" in render(changes_page_context(first, "zh"), "zh")
    assert "This is the first data release" in render(changes_page_context(first, "en"), "en")


@pytest.mark.parametrize("layout", ["flat", "package"])
def test_previous_release_data_reads_other_download_layouts(tmp_path, layout):
    """downloads/<plan>/<resource>.csv beside the descriptor, or downloads/<plan>/package/..."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "T"], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", "t@example.org"], check=True)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>\n")
    plan = site / "downloads" / "mini-plan"
    if layout == "flat":
        plan.mkdir(parents=True)
        shutil.copy(FIXTURE / "datapackage.json", plan)
        for csv_file in (FIXTURE / "data").glob("*.csv"):
            shutil.copy(csv_file, plan)
    else:
        shutil.copytree(FIXTURE, plan / "package")
    publish_release(site, Release("2026.1", dt.date(2026, 1, 1), "https://example.org/"), repo)
    version, folder = previous_release_data(repo, "gh-pages", dest=tmp_path / "previous")
    assert version == "2026.1"
    descriptor = json.loads((folder / "mini-plan" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        placed = folder / "mini-plan" / resource["path"]
        assert placed.read_bytes() == (FIXTURE / resource["path"]).read_bytes()


def test_only_web_addresses_become_links():
    """Validation refuses other schemes (contract: url role); the page links only http(s) even so."""
    from plantracker.pages.changes import _source

    assert _source("t", "javascript:alert(1)", "s") == {"title": "t", "url": None}
    assert _source("t", "https://example.org/", "s") == {"title": "t", "url": "https://example.org/"}


def _archive(members: list[tuple[str, bytes | str | None]]) -> bytes:
    """(name, file bytes | symlink target | None for a folder) -> a tar archive."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                tar.addfile(info)
            else:
                info.size, info.mode = len(content), 0o4777
                tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


@pytest.mark.parametrize("python", ["with-data-filter", "before-3.11.4"])
def test_previous_release_archive_is_extracted_inside_its_folder(tmp_path, monkeypatch, python):
    """Files land inside the folder, with no setuid or world-write bit, and nothing (no file, no link)
    outside it, on Pythons with tarfile's "data" filter and on those without (Debian 12's 3.11.2)."""
    if python == "before-3.11.4":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no data filter (before 3.11.4)")
    dest = tmp_path / "out"
    dest.mkdir()
    _extract_tar(_archive([("plan", None), ("plan/datapackage.json", b"{}")]), dest)
    extracted = dest / "plan" / "datapackage.json"
    assert extracted.read_bytes() == b"{}" and extracted.stat().st_mode & 0o7777 == 0o755
    for bad in [("../escaped.txt", b"x"), (str(tmp_path / "absolute.txt"), b"x"), ("link", "/etc/passwd")]:
        try:
            _extract_tar(_archive([bad]), dest)
        except tarfile.FilterError:
            pass  # the data filter refuses it; without the filter it is left out
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert not any(p.is_symlink() for p in dest.rglob("*"))
