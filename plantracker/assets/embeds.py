"""Charts and their files -> standalone embed pages `embed/<plan>/<chart_id>.<lang>.html`, and the
embed box (permanent URL and iframe code) shown under each chart on its page.

Each embed page is the chart's static SVG (works with JavaScript off), its title, text summary,
sources, release, licence and a link back to the chart on its page; no site navigation and no
request to another host. With JavaScript on, the site's own chart loader
(`assets/javascripts/charts.js`) swaps in the interactive view after the reader's first
interaction, from the self-hosted Vega bundle staged under `assets/vendor/`.

The permanent URL of an embed is `release.url + path`, i.e. inside the release's own folder.
"""
from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..charts import ChartFiles
from ..charts.style import phone_media
from ..model import Chart
from ..settings import Release
from ..site_map import embed_path, page_url, relative
from ..text_safety import printed_value, web_address

CHART_LOADER = "assets/javascripts/charts.js"  # from site_src/, copied by mkdocs to the site root
VEGA_BUNDLE_GLOB = "assets/vendor/vega-bundle-*.js"  # plantracker.vega_bundle.write_chart_bundle
# The embed page's text as templates/embed.html.j2 sets it (px): (font size, line height) of the
# title, the summary and the sources lines; the page's padding and the paragraphs' margins; the side
# padding of the text. Keep in step with the template's <style>.
TITLE_TEXT, SUMMARY_TEXT, META_TEXT = (16, 24), (14, 21), (12.8, 19.2)
PAGE_PADDING, BLOCK_MARGINS, TEXT_SIDE_PADDING = 16, 4 + 8 + 4, 16
WRAP_WASTE = 1.15    # a line ends at a word: the room left at its end, over the text's own width
HEIGHT_SLACK = 24    # another reader's fonts set a little wider than the estimate


@dataclass(frozen=True)
class EmbedPage:
    """One written embed page: paths relative to the site root, URLs permanent (release folder)."""

    plan_id: str
    chart_id: str
    lang: str
    path: str
    url: str
    chart_url: str  # the chart on its site page


def chart_page_url(chart: Chart, release: Release) -> str:
    """A chart -> permanent URL of the chart on its page."""
    return f"{release.url}{page_url(chart.page, chart.lang)}#chart-{chart.chart_id}"


def _text_width(text: str, font_px: float) -> float:
    """Text -> its width set on one line (px): a CJK character or a full-width mark one em, anything
    else a generous average of a proportional font's letters."""
    return sum(font_px if unicodedata.east_asian_width(c) in "WF" else 0.56 * font_px for c in text)


def _text_height(text: str, font: tuple[float, float], width: int) -> float:
    """Text, its (font size, line height) and the width it is set in -> the height of its lines."""
    size, line = font
    return max(1, math.ceil(_text_width(text, size) * WRAP_WASTE / width)) * line


def _meta_lines(chart: Chart, t: dict, release: Release) -> list[str]:
    """The embed page's sources paragraph, one string a line (as embed.html.j2 writes it)."""
    sources = t["clause_separator"].join(
        s["title"] + (t["open_bracket"] + s["publisher"] + t["close_bracket"] if s["publisher"] else "")
        for s in _sources(chart))
    lines = [t["embed_sources"] + t["colon"] + sources] if sources else []
    lines.append(f'{t["embed_compiled"]}{t["colon"]}{t["site_title"]}{t["comma"]}{t["embed_release"]} '
                 f'{release.version}{t["open_bracket"]}{release.date.isoformat()}{t["close_bracket"]}'
                 f'{t["full_stop"]} {t["embed_licence"]}{t["colon"]}{t["reuse_licence"]}{t["full_stop"]}')
    lines.append(t["embed_view_on_site"])
    if release.corrections:
        lines.append(f'{t["corrections_lead"]} {t["corrections_link"]}. {t["corrections_what"]}')
    return lines


def embed_height(chart: Chart, files: ChartFiles, t: dict, release: Release) -> int:
    """A chart, its files and its language's words -> the height (px) of its embed page in a frame of
    the chart's own width: the chart's, plus its title, summary and sources lines as they wrap there."""
    width = files.width - TEXT_SIDE_PADDING
    text = (_text_height(chart.title, TITLE_TEXT, width) + _text_height(chart.summary, SUMMARY_TEXT, width)
            + sum(_text_height(line, META_TEXT, width) for line in _meta_lines(chart, t, release)))
    return math.ceil(files.height + text + PAGE_PADDING + BLOCK_MARGINS + HEIGHT_SLACK)


def iframe_code(chart: Chart, files: ChartFiles, release: Release, t: dict) -> str:
    """A chart, its files and its language's words -> the HTML code a reader copies to embed it (not
    escaped for display: the page template's autoescape does that). The frame is the chart's width,
    narrower where the column is (width:100%, max-width: the chart's), and as tall as the embed page
    at that width; in a narrower frame the chart is drawn for a phone and the text below it scrolls
    inside the frame (embed.html.j2)."""
    src = release.url + embed_path(chart.plan_id, chart.chart_id, chart.lang)
    return (f'<iframe src="{_attribute(src)}" title="{_attribute(chart.title)}" width="{files.width}" '
            f'height="{embed_height(chart, files, t, release)}" loading="lazy" '
            f'style="border:0;width:100%;max-width:{files.width}px"></iframe>')


def _attribute(text: str) -> str:
    """Text -> safe inside a double-quoted attribute of the code a reader copies: &, <, > and " as
    entities, an apostrophe left as it is (readable in the code box: "plans' targets")."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def embed_view(chart: Chart, files: ChartFiles, release: Release, strings: dict) -> dict:
    """A chart, its files and the interface words -> finished values for the embed box under it on its
    page: `path` (site-root relative, for link.file), `url` (permanent) and `iframe` (the code to copy)."""
    path = embed_path(chart.plan_id, chart.chart_id, chart.lang)
    return {"path": path, "url": release.url + path,
            "iframe": iframe_code(chart, files, release, strings[chart.lang])}


def _sources(chart: Chart) -> list[dict]:
    """The chart's table rows -> each cited source once, in order; only web addresses become links."""
    seen, sources = set(), []
    for row in chart.table:
        source = row.get("source")
        if not source or source["id"] in seen:
            continue
        seen.add(source["id"])
        sources.append({"title": source["title"], "publisher": source.get("publisher") or "",
                        "url": web_address(source.get("url")) or "", "lang": source.get("lang") or ""})
    return sources


def _environment(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, finalize=printed_value)


def write_embeds(charts: list[Chart], files: dict, static_dir: Path, release: Release, strings: dict,
                 templates_dir: Path) -> list[EmbedPage]:
    """Charts and their files (by chart key) -> embed pages written under static_dir/embed/, one
    per chart and language (templates_dir/embed.html.j2, words from strings)."""
    template = _environment(templates_dir).get_template("embed.html.j2")
    bundles = sorted(static_dir.glob(VEGA_BUNDLE_GLOB))
    bundle = bundles[-1].relative_to(static_dir).as_posix() if bundles else ""
    written = []
    for chart in charts:
        chart_files = files[chart.key]
        path = embed_path(chart.plan_id, chart.chart_id, chart.lang)
        t = strings[chart.lang]
        html = template.render(
            lang=chart.lang, t=t, title=chart.title, summary=chart.summary,
            svg=relative(path, chart_files.svg), spec=relative(path, chart_files.spec),
            width=chart_files.width, height=chart_files.height,
            # The chart spans the frame (no side padding): the phone layout wherever the full one would shrink.
            phone_svg=relative(path, chart_files.phone_svg), phone_spec=relative(path, chart_files.phone_spec),
            phone_width=chart_files.phone_width, phone_height=chart_files.phone_height,
            phone_media=phone_media(chart_files.width, padding=0),
            loader=relative(path, CHART_LOADER) if bundle else "", bundle=relative(path, bundle) if bundle else "",
            chart_url=chart_page_url(chart, release), sources=_sources(chart),
            release={"version": release.version, "date": release.date.isoformat(), "url": release.url,
                     "home": release.url + page_url("index", chart.lang), "corrections": release.corrections},
            canonical=release.url + path)
        target = static_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")
        written.append(EmbedPage(chart.plan_id, chart.chart_id, chart.lang, path, release.url + path,
                                 chart_page_url(chart, release)))
    return written
