"""write_embeds on the fixture plan's real charts: a page per chart and language, escaped, and in
Chromium (served from 127.0.0.1) no request to another host, with JavaScript off and on."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html.parser
import http.server
import dataclasses
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from plantracker.assets.embeds import embed_view, iframe_code, write_embeds
from plantracker.vega_bundle import write_chart_bundle
from plantracker.charts.files import write_chart
from plantracker.settings import Release
from plantracker.strings import load_strings

from stages import pages_of

REPO_ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
RELEASE = Release("2026.1", dt.date(2026, 11, 29), "https://example.org/tracker/")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


STRINGS = load_strings(REPO_ROOT / "templates")
TEMPLATES = REPO_ROOT / "templates"


def page_charts(data_dir: Path) -> list:
    """Every chart of every page in every language, as the page stage makes them."""
    return [chart for page in pages_of(data_dir, RELEASE) for chart in page.charts]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A staging folder as the site root holds it: charts, the Vega bundle, the chart loader, embeds."""
    root = tmp_path_factory.mktemp("embeds")
    shutil.copytree(REPO_ROOT / "site_src" / "assets", root / "assets")  # mkdocs copies site_src
    write_chart_bundle(root)
    charts = page_charts(FIXTURES)
    files = {chart.key: write_chart(chart, root) for chart in charts}
    return root, charts, files, write_embeds(charts, files, root, RELEASE, STRINGS, TEMPLATES)


def test_an_embed_page_per_chart_and_language(site):
    root, charts, files, embeds = site
    assert {c.lang for c in charts} == {"zh", "en"}
    assert [(e.plan_id, e.chart_id, e.lang) for e in embeds] == [c.key for c in charts]
    for embed, chart in zip(embeds, charts):
        assert embed.path == f"embed/mini-plan/{chart.chart_id}.{chart.lang}.html"
        assert embed.url == RELEASE.url + embed.path
        assert (root / embed.path).is_file()
        assert embed_view(chart, files[chart.key], RELEASE, STRINGS)["url"] == embed.url


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed(text: str) -> list[tuple[str, dict]]:
    parser = Links()
    parser.feed(text)
    return parser.tags


def test_embed_page_content(site):
    root, charts, files, embeds = site
    strings = STRINGS
    for embed, chart in zip(embeds, charts):
        text = (root / embed.path).read_text(encoding="utf-8")
        tags = parsed(text)
        t = strings[embed.lang]
        hrefs = [a.get("href") for tag, a in tags if tag == "a"]
        img = next(a for tag, a in tags if tag == "img")
        assert (root / embed.path).parent.joinpath(img["src"]).resolve() == (root / files[chart.key].svg).resolve()
        assert img["alt"] == chart.summary
        assert f"<h1>{chart.title}</h1>" in text
        assert t["reuse_licence_url"] in hrefs and "CC BY 4.0" in text
        page = "" if embed.lang == "zh" else "en/"
        assert embed.chart_url == f"{RELEASE.url}{page}{chart.page}/#chart-{chart.chart_id}"
        assert embed.chart_url in hrefs
        sources = {row["source"]["title"] for row in chart.table if row.get("source")}
        assert all(title in text for title in sources)
        assert "<nav" not in text and "md-header" not in text
        # every src/href inside the page is relative (same host) except links the reader follows
        for tag, attrs in tags:
            if tag in ("img", "script", "link") and (attrs.get("src") or attrs.get("href")):
                url = attrs.get("src") or attrs.get("href")
                assert not urlsplit(url).netloc or attrs.get("rel") == "canonical", (tag, url)


def test_text_from_the_data_is_escaped(site, tmp_path):
    root, charts, files, _ = site
    evil = '<script>alert("x")</script> & "quoted"'
    chart = dataclasses.replace(charts[0], title=evil, summary=evil, table=[
        {"source": {"id": "s", "title": evil, "publisher": evil, "url": "javascript:alert(1)"}}])
    shutil.copytree(root / "assets", tmp_path / "assets")
    [embed] = write_embeds([chart], files, tmp_path, RELEASE, STRINGS, TEMPLATES)
    text = (tmp_path / embed.path).read_text(encoding="utf-8")
    assert "<script>alert" not in text and "javascript:" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quoted&#34;" in text
    code = iframe_code(chart, files[chart.key], RELEASE, STRINGS[chart.lang])
    [(tag, attrs)] = parsed(code)
    assert tag == "iframe" and attrs["title"] == evil
    assert attrs["src"] == RELEASE.url + embed.path


def test_iframe_code(site):
    _, charts, files, embeds = site
    for embed, chart in zip(embeds, charts):
        code = iframe_code(chart, files[chart.key], RELEASE, STRINGS[chart.lang])
        [(tag, attrs)] = parsed(code)
        assert tag == "iframe" and code.endswith("></iframe>")
        assert attrs["src"] == embed.url and attrs["title"] == chart.title
        assert int(attrs["width"]) == files[chart.key].width and int(attrs["height"]) > files[chart.key].height
        assert embed_view(chart, files[chart.key], RELEASE, STRINGS)["iframe"] == code


@contextlib.contextmanager
def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_embeds_load_in_chromium_from_one_host(site, chromium, javascript):
    root, _, _, embeds = site
    with serve(root) as base:
        context = chromium.new_context(java_script_enabled=javascript)
        requested, failed, errors = [], [], []
        context.on("request", lambda r: requested.append(r.url))
        context.on("requestfailed", lambda r: failed.append(r.url))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        for embed in embeds:
            response = page.goto(base + embed.path)
            assert response.ok
            page.wait_for_load_state("load")
            assert page.eval_on_selector("figure.pt-chart img", "img => img.complete && img.naturalWidth") > 0
            if javascript:
                page.keyboard.press("Tab")  # the reader's first interaction loads the interactive view
                page.wait_for_selector("figure.pt-chart .pt-chart__view svg", timeout=15000)
                assert page.eval_on_selector("figure.pt-chart img", "img => img.hidden && !img.getClientRects().length"), \
                    "the static chart is not drawn under the interactive one"
        context.close()
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(base).netloc}, hosts
    assert not failed and not errors
    assert any("vega-bundle" in url for url in requested) == javascript


# The embed page's own height, not the frame's: its fitting to the frame (embed.html.j2) undone.
NATURAL_HEIGHT = """() => {
  const style = document.head.appendChild(document.createElement("style"));
  style.textContent = "html, body, main { height: auto !important } .pt-embed-text { overflow: visible !important }";
  const height = document.body.getBoundingClientRect().height;
  style.remove();
  const text = document.querySelector(".pt-embed-text");
  return {natural: height, scrolls: document.scrollingElement.scrollHeight > innerHeight,
          chartBottom: document.querySelector("figure.pt-chart").getBoundingClientRect().bottom,
          textScrolls: text.scrollHeight > text.clientHeight + 1};
}"""
PHONE_FRAME_WIDTH = 328  # a 360 px phone's text column


def test_embed_fits_its_declared_height(site, chromium):
    """In a frame of the size its code declares, every embed page (each chart kind, both languages,
    JavaScript off: the static chart) shows all of itself: its height at the frame's width is at most
    the declared height. In a phone's column (328 px wide, the same height) the chart is drawn whole
    inside the frame and only the text below it may scroll, inside the frame."""
    root, charts, files, embeds = site
    assert len({chart.chart_id.split("-")[0] for chart in charts}) >= 2, "more than one chart kind"
    with serve(root) as base:
        measured = []
        for embed, chart in zip(embeds, charts):
            [(_, attrs)] = parsed(iframe_code(chart, files[chart.key], RELEASE, STRINGS[chart.lang]))
            width, height = int(attrs["width"]), int(attrs["height"])
            assert attrs["style"] == f"border:0;width:100%;max-width:{width}px"
            for frame_width in (width, PHONE_FRAME_WIDTH):
                context = chromium.new_context(viewport={"width": frame_width, "height": height},
                                               java_script_enabled=False)
                page = context.new_page()
                page.goto(base + embed.path, wait_until="load")
                m = page.evaluate(NATURAL_HEIGHT)
                context.close()
                measured.append((embed.path, frame_width, height, round(m["natural"])))
                assert not m["scrolls"] and m["chartBottom"] <= height, (embed.path, frame_width, height, m)
                if frame_width == width:
                    assert m["natural"] <= height and not m["textScrolls"], (embed.path, height, m)
    assert measured
