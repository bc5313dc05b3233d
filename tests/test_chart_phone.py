"""Charts are readable on a 360 px phone (issue 18 item 2): the static chart a phone shows first
(and the only one with JavaScript off) is the phone render, drawn at 1:1 with text of at least 11
CSS px; no title line is cut; after the first interaction the interactive view keeps the same
sizes and stays on the screen. Measured in real Chromium on the built site, text sizes read from
the SVG actually shown (img.currentSrc) times its displayed scale; screenshots are kept in the
test's tmp folder for review."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from browser_support import PageWatch, interact, page_types
from plantracker.charts.style import PHONE

PHONE_SCREEN = {"width": 360, "height": 740}
MIN_TEXT = 11  # CSS px, at the scale the chart is drawn at
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_SIZE = re.compile(r'font-size="([\d.]+)px"')
_SVG_SIZE = re.compile(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"')


def svg_texts(svg: str) -> list[tuple[float, list[str]]]:
    """A rendered SVG -> (font size, lines) of each <text>: a multi-line text is one <tspan> a line."""
    found = []
    for attributes, body in _TEXT.findall(svg):
        size = _SIZE.search(attributes)
        lines = [html.unescape(t) for t in re.findall(r"<tspan\b[^>]*>(.*?)</tspan>", body, re.S)] or [html.unescape(body)]
        if any(line.strip() for line in lines):
            found.append((float(size.group(1)) if size else 11.0, lines))
    return found


def title_lines(spec: dict) -> list[str]:
    """A spec -> every line of its title and subtitle (style.title_lines wrapped them)."""
    title = spec.get("title") or {}
    lines = []
    for key in ("text", "subtitle"):
        value = title.get(key) or []
        lines += [value] if isinstance(value, str) else list(value)
    return [line for line in lines if line]


def _whole(lines: list[str], drawn: set[str]) -> list[str]:
    return [line for line in lines if line not in drawn]


@pytest.fixture(scope="module")
def phone_pages(served_site) -> dict[str, str]:
    """The pages checked: a target page with a progress chart, a related-series bar chart and the
    comparison chart, and the map, in both languages."""
    types = page_types(served_site)
    pages = {}
    for lang, prefix in (("zh", ""), ("en", "en/")):
        pages[f"target-{lang}"] = prefix + types["target"]
        pages[f"map-{lang}"] = prefix + types["map"]
    return pages


def _page(chromium, site_url: str, path: str, javascript: bool):
    context = chromium.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True, device_scale_factor=2,
                                   java_script_enabled=javascript)
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(site_url + path, wait_until="load")
    return context, page, watch


def _static_charts(page) -> list[dict]:
    """Every figure's static image as shown: its SVG (fetched from currentSrc), displayed width, right edge."""
    images = page.locator("figure.pt-chart img")
    for i in range(images.count()):
        # Scrolled to by script (the chart loader waits for a person's wheel, key or touch): lazy images load.
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.currentSrc && img.naturalWidth > 0",
                               arg=images.nth(i).element_handle())
    page.evaluate("window.scrollTo(0, 0)")
    shown = page.eval_on_selector_all("figure.pt-chart", """figures => figures.map(f => {
        const img = f.querySelector('img'), box = img.getBoundingClientRect();
        return {src: img.currentSrc, width: box.width, right: box.right, spec: f.getAttribute('data-spec-phone'),
                id: f.id};
    })""")
    for chart in shown:
        chart["svg"] = page.request.get(chart["src"]).text()
        chart["phone_spec"] = json.loads(page.request.get(page.url.split("#")[0] + chart["spec"]).text())
    return shown


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on-before-interaction"])
@pytest.mark.parametrize("which", ["target-zh", "target-en", "map-zh", "map-en"])
def test_static_charts_are_readable_on_a_phone(chromium, site_url, phone_pages, which, javascript, tmp_path):
    context, page, watch = _page(chromium, site_url, phone_pages[which], javascript)
    try:
        charts = _static_charts(page)
        if which.startswith("target"):  # a progress chart, a related series' bars and the comparison
            assert {c["id"].split("-")[1] for c in charts} >= {"target", "compare"}, [c["id"] for c in charts]
            assert any(re.search(r"-\d{4}$", c["id"]) for c in charts), "no related-series bar chart on the page"
        assert charts
        for chart in charts:
            name = chart["src"].rsplit("/", 1)[-1]
            assert name.endswith(f"{PHONE.suffix}.svg"), f"{name}: the phone render was not chosen at 360 px"
            natural = float(_SVG_SIZE.search(chart["svg"]).group(1))
            scale = chart["width"] / natural
            texts = svg_texts(chart["svg"])
            smallest = min(size for size, _ in texts) * scale
            assert smallest >= MIN_TEXT, f"{name}: text drawn at {smallest:.1f} CSS px"
            assert chart["right"] <= PHONE_SCREEN["width"], f"{name} overflows the screen"
            drawn = {line for _, lines in texts for line in lines}
            assert not _whole(title_lines(chart["phone_spec"]), drawn), f"{name}: a title line is cut"
        if javascript:  # (with JavaScript off the theme's language menu, not a chart, is 16 px too wide)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_SCREEN["width"]
        assert page.locator(".pt-chart__view").count() == 0  # nothing interactive yet
        page.screenshot(path=tmp_path / f"{which}-{'js' if javascript else 'no-js'}.png", full_page=True)
        assert watch.foreign(site_url) == []
    finally:
        context.close()


VIEW_TEXT = """svgs => svgs.map(svg => {
    const box = svg.getBoundingClientRect(), scale = box.width / svg.width.baseVal.value;
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() && t.getClientRects().length);
    return {right: box.right, width: box.width,
            smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))) * scale,
            lines: texts.flatMap(t => t.querySelectorAll('tspan').length
                                      ? [...t.querySelectorAll('tspan')].map(s => s.textContent) : [t.textContent])};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("which", ["target-zh", "target-en", "map-zh", "map-en"])
def test_interactive_charts_are_readable_on_a_phone(chromium, site_url, phone_pages, which, tmp_path):
    context, page, watch = _page(chromium, site_url, phone_pages[which], True)
    try:
        count = page.locator("figure.pt-chart").count()
        specs = [json.loads(page.request.get(page.url.split("#")[0] + href).text())
                 for href in page.eval_on_selector_all("figure.pt-chart", "fs => fs.map(f => f.dataset.specPhone)")]
        interact(page)
        page.wait_for_function("n => document.querySelectorAll('.pt-chart__view svg').length === n", arg=count)
        page.wait_for_load_state("networkidle")
        # The phone layout was drawn (the figure is narrower than the full chart), and only it.
        assert page.eval_on_selector_all("figure.pt-chart", "fs => fs.map(f => f.dataset.ptDone)") == ["phone"] * count
        views = page.eval_on_selector_all(".pt-chart__view svg", VIEW_TEXT)
        for i, (view, spec) in enumerate(zip(views, specs)):
            assert view["smallest"] >= MIN_TEXT, f"chart {i}: text drawn at {view['smallest']:.1f} CSS px"
            assert view["right"] <= PHONE_SCREEN["width"], f"chart {i} overflows the screen"
            assert not _whole(title_lines(spec), set(view["lines"])), f"chart {i}: a title line is cut"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_SCREEN["width"]
        page.screenshot(path=tmp_path / f"{which}-interactive.png", full_page=True)
        assert watch.errors == [] and watch.foreign(site_url) == []
    finally:
        context.close()


@pytest.mark.browser
def test_wider_screens_get_the_full_chart_at_its_own_size(chromium, site_url, phone_pages):
    """Past the phone breakpoint the full render is shown, never shrunk below its own width."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + phone_pages["target-en"], wait_until="load")
        for chart in _static_charts(page):
            assert not chart["src"].endswith(f"{PHONE.suffix}.svg")
            assert chart["width"] >= float(_SVG_SIZE.search(chart["svg"]).group(1))
    finally:
        context.close()


def test_every_phone_render_fits_the_phone_with_text_of_12_px(real_site):
    """Every shipped chart's phone SVG: as wide as the phone column at most, no text under 12 px
    (drawn 1:1 at 360 px: at least 11 CSS px with a margin), every title line whole; its full
    render and PNG are still made."""
    charts = Path(real_site.root) / "assets" / "charts"
    phone_svgs = sorted(charts.rglob(f"*{PHONE.suffix}.svg"))
    assert len(phone_svgs) == real_site.result.charts
    for path in phone_svgs:
        svg = path.read_text(encoding="utf-8")
        width, _ = map(float, _SVG_SIZE.search(svg).groups())
        assert width <= PHONE.width, path.name
        texts = svg_texts(svg)
        assert min(size for size, _ in texts) >= 12, path.name
        base, lang = path.name.removesuffix(f"{PHONE.suffix}.svg").rsplit(".", 1)
        spec = json.loads((path.parent / f"{base}.vegalite.{lang}{PHONE.suffix}.json").read_text(encoding="utf-8"))
        assert not _whole(title_lines(spec), {line for _, lines in texts for line in lines}), path.name
        assert (path.parent / f"{base}.{lang}.png").is_file() and (path.parent / f"{base}.{lang}.svg").is_file()


@pytest.mark.browser
def test_a_turned_phone_gets_the_other_interactive_layout(chromium, site_url, phone_pages):
    """Drawn in the phone layout at 360 px, the views are drawn again in the full one when the
    screen turns wider than the full chart, and back."""
    context, page, watch = _page(chromium, site_url, phone_pages["target-en"], True)
    try:
        count = page.locator("figure.pt-chart").count()
        interact(page)
        done = "([n, layout]) => [...document.querySelectorAll('figure.pt-chart')].filter(f => f.dataset.ptDone === layout" \
               " && f.querySelectorAll('.pt-chart__view').length === 1 && f.querySelector('.pt-chart__view svg')).length === n"
        page.wait_for_function(done, arg=[count, "phone"])
        page.set_viewport_size({"width": 900, "height": 740})
        page.wait_for_function(done, arg=[count, "full"])
        page.set_viewport_size(PHONE_SCREEN)
        page.wait_for_function(done, arg=[count, "phone"])
        assert page.locator(".pt-chart__view").count() == count  # the old views are gone
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width, phone", [(360, True), (600, False)])
def test_embed_pages_choose_by_the_frame_width(chromium, site_url, served_site, width, phone):
    """An embed page shows the phone render in a frame narrower than the full chart, else the full one."""
    embed = sorted((served_site.root / "embed").rglob("target-*.en.html"))[0].relative_to(served_site.root)
    context = chromium.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + embed.as_posix(), wait_until="load")
        src = page.eval_on_selector("figure.pt-chart img", "img => img.currentSrc")
        assert src.endswith(f"{PHONE.suffix}.svg") == phone, src
        shown = page.eval_on_selector("figure.pt-chart img", "img => img.getBoundingClientRect().width")
        assert shown <= width and shown == page.eval_on_selector("figure.pt-chart img", "img => img.naturalWidth")
    finally:
        context.close()
