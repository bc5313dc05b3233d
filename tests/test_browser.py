"""The built site in real Chromium, served on 127.0.0.1: pages load without errors and without a
request to another host, interactive charts appear after the first interaction, every figure
works with JavaScript off, the language switch keeps the page, and nothing scrolls sideways on a
360 px phone. Plus: the search index holds Chinese and English words."""
from __future__ import annotations

import csv
import io
import json

import pytest

from browser_support import OLDER_VERSION, PageWatch, interact, page_types


PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def urls(served_site) -> dict[str, str]:
    return page_types(served_site)


@pytest.fixture
def context(chromium):
    context = chromium.new_context()
    yield context
    context.close()


def _open(context, site_url: str, path: str):
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(site_url + path, wait_until="load")
    return page, watch


def _clean(watch: PageWatch, site_url: str) -> None:
    assert watch.errors == []
    assert watch.foreign(site_url) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_loads_cleanly(context, site_url, lang):
    page, watch = _open(context, site_url, "" if lang == "zh" else "en/")
    interact(page)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".pt-table table tbody tr").count() > 0
    _clean(watch, site_url)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["target", "map"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_interactive_chart_after_first_interaction(context, site_url, urls, kind, lang):
    page, watch = _open(context, site_url, ("" if lang == "zh" else "en/") + urls[kind])
    figures = page.locator("figure.pt-chart")
    assert figures.count() > 0
    # Before any interaction: the static SVG only (the bundle waits for the reader).
    assert page.locator(".pt-chart__view").count() == 0
    assert not any("vega-bundle" in u for u in watch.requests)
    interact(page)
    page.wait_for_function("n => document.querySelectorAll('.pt-chart__view svg').length === n", arg=figures.count())
    # The static image is hidden once its interactive view stands in its place.
    assert page.locator("figure.pt-chart img:visible").count() == 0
    # Each view has an accessible name of its own (the spec's description), not Vega's default.
    names = page.eval_on_selector_all(".pt-chart__view", "views => views.map(v => v.getAttribute('aria-label'))")
    assert all(name and name != "Vega visualization" for name in names), names
    # Drawn at the column's width, not 0 px (vega-embed's inline-block container).
    assert all(w > 100 for w in page.eval_on_selector_all(".pt-chart__view svg", "s => s.map(e => e.getBoundingClientRect().width)"))
    page.wait_for_load_state("networkidle")
    _clean(watch, site_url)


def _csv_rows(site_url: str, page, href: str) -> list[dict]:
    text = page.request.get(page.url.split("#")[0] + href if not href.startswith("http") else href).text()
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["target", "map"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_work_without_javascript(chromium, site_url, urls, kind, lang):
    context = chromium.new_context(java_script_enabled=False)
    try:
        page, watch = _open(context, site_url, ("" if lang == "zh" else "en/") + urls[kind])
        page.wait_for_load_state("networkidle")
        figures = page.locator("figure.pt-chart")
        assert figures.count() > 0
        for i in range(figures.count()):
            figure = figures.nth(i)
            image = figure.locator("img")
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"figure {i}: SVG did not load"
            assert image.get_attribute("alt")
            # The table after the figure holds exactly the chart's rows (its CSV, less the drawn
            # straight-line path, which is computed from the target and baseline rows).
            csv_href = figure.locator("xpath=following-sibling::p[1]//a[contains(@href, '.csv')]").get_attribute("href")
            chart_rows = [r for r in _csv_rows(site_url, page, csv_href) if r.get("series") != "path"]
            table_rows = figure.locator("xpath=following-sibling::div[contains(@class,'pt-table')][1]//tbody/tr")
            assert table_rows.count() == len(chart_rows), f"figure {i}"
        assert page.locator(".pt-chart__view").count() == 0
        assert watch.foreign(site_url) == []
    finally:
        context.close()


@pytest.mark.browser
def test_language_switch_keeps_the_target_page(context, site_url, urls):
    page, watch = _open(context, site_url, urls["target"])
    page.locator(".md-header__option .md-select").hover()
    page.locator("a.md-select__link[hreflang=en]").click()
    page.wait_for_url(site_url + "en/" + urls["target"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().strip()
    page.locator(".md-header__option .md-select").hover()
    page.locator("a.md-select__link[hreflang=zh]").click()
    page.wait_for_url(site_url + urls["target"])
    _clean(watch, site_url)


@pytest.mark.browser
def test_language_switch_keeps_the_place_on_the_page(context, site_url, urls):
    """/targets/T01/#judgement switched to English lands on #judgement there, also after the
    reader follows a heading link (the fragment changes after the page loaded)."""
    page, watch = _open(context, site_url, urls["target"] + "#judgement")
    page.locator(".md-header__option .md-select").hover()
    page.locator("a.md-select__link[hreflang=en]").click()
    page.wait_for_url(site_url + "en/" + urls["target"] + "#judgement")
    assert page.locator("#judgement").count() == 1
    page.evaluate("location.hash = 'reported'")
    page.locator(".md-header__option .md-select").hover()
    page.locator("a.md-select__link[hreflang=zh]").click()
    page.wait_for_url(site_url + urls["target"] + "#reported")
    assert page.locator("#reported").count() == 1
    _clean(watch, site_url)


@pytest.mark.browser
def test_version_switch_keeps_the_target_page(context, site_url, urls):
    page, watch = _open(context, site_url, urls["target"])
    page.wait_for_load_state("networkidle")
    # Loading a page fetches no sitemap: the language links are per page (see the theme's XHR hook).
    assert [u for u in watch.requests if u.endswith("sitemap.xml")] == []
    page.locator(".md-version").hover()
    page.locator("a.md-version__link", has_text=OLDER_VERSION).click()
    older = site_url.rstrip("/").rsplit("/", 1)[0] + f"/{OLDER_VERSION}/"
    page.wait_for_url(older + urls["target"])  # the same page in the older release, not its home
    assert [u for u in watch.requests if u.endswith("sitemap.xml")] == [older + "sitemap.xml"]
    _clean(watch, site_url)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["home", "target", "sites", "map"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_sideways_scrolling_on_a_phone(chromium, site_url, urls, kind, lang):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page, watch = _open(context, site_url, ("" if lang == "zh" else "en/") + urls[kind])
        width = "document.scrollingElement.scrollWidth"
        assert page.evaluate(width) <= PHONE["width"]
        interact(page)
        if page.locator("figure.pt-chart").count():
            page.wait_for_selector(".pt-chart__view svg")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(width) <= PHONE["width"], "after the interactive charts were drawn"
        _clean(watch, site_url)
    finally:
        context.close()


def test_search_index_has_chinese_and_english_words(served_site):
    """Words of a target's title, Chinese (segmented as the search plugin does, with jieba) and
    English, are search tokens of the built index(es): searching either language finds the page."""
    import re

    import jieba

    from plantracker.load import load

    paths = [served_site.root / "search" / "search_index.json", served_site.root / "en" / "search" / "search_index.json"]
    docs, separator = [], None
    for path in paths:
        if path.is_file():
            index = json.loads(path.read_text(encoding="utf-8"))
            docs += index["docs"]
            separator = index["config"]["separator"]
    assert docs, "no search index was built"
    db = load(served_site.data_dir)
    con = db.con
    target_id, name_zh, name_en = con.execute(
        "select t.target_id, i.name_zh, i.name_en from targets t join indicators i using (plan_id, indicator_id) "
        "order by t.plan_id, t.source_row limit 1").fetchone()
    con.close()

    def tokens(lang):
        text = " ".join(d["title"] + " " + re.sub(r"<[^>]+>", " ", d["text"]) for d in docs
                        if d["location"].startswith("en/") == (lang == "en") and f"/targets/{target_id}/" in "/" + d["location"])
        return {t.lower() for t in re.split(separator, text) if t}

    word_zh = max(jieba.cut(name_zh), key=len)   # e.g. 综合利用
    word_en = max(name_en.split(), key=len).lower()
    assert word_zh in tokens("zh"), word_zh
    assert word_en in tokens("en"), word_en


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_older_release_shows_the_outdated_banner_in_the_pages_language(context, site_url, urls, lang):
    """A page of OLDER_VERSION (not the version `latest` names): Material shows the outdated banner,
    in the page's language, linking to the same language's home in latest/."""
    from plantracker.pipeline import REPO_ROOT
    from plantracker.strings import CHINESE, load_strings

    words = load_strings(REPO_ROOT / "templates")[lang]
    root = site_url.rstrip("/").rsplit("/", 1)[0] + "/"
    page = context.new_page()
    page.goto(f"{root}{OLDER_VERSION}/{'' if lang == 'zh' else 'en/'}{urls['target']}", wait_until="load")
    banner = page.locator("[data-md-component=outdated]")
    banner.wait_for(state="visible")
    text = " ".join(banner.inner_text().split())
    assert text == words["theme_outdated"] + words["sentence_separator"] + words["theme_outdated_link"]
    assert banner.locator("a").evaluate("a => a.href") == root + ("latest/" if lang == "zh" else "latest/en/")
    assert bool(CHINESE.search(text)) == (lang == "zh")
    page.close()
