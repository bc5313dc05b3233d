"""axe-core over every page type in both languages, in real Chromium: no violations, both as the
page first loads (static chart images) and after the reader's first interaction (interactive
charts drawn), and in the dark scheme a reader's system may ask for. Page types that this build
does not have are skipped, saying which."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser_support import exists, interact, page_types

pytestmark = pytest.mark.browser

PAGE_TYPES = ["home", "plan", "target", "region", "sites", "sources", "map", "methodology", "about",
              "data", "changes", "api"]


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture(scope="session")
def a11y_context(chromium):
    context = chromium.new_context()
    yield context
    context.close()


@pytest.fixture(scope="session")
def dark_context(chromium):
    """A reader whose system asks for dark colours (the site follows it: no toggle)."""
    context = chromium.new_context(color_scheme="dark")
    yield context
    context.close()


def _report(results: dict) -> str:
    lines = []
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)


def _open(context, site, site_url: str, kind: str, lang: str):
    """A loaded page of that type and language (the test is skipped when the build has none)."""
    path = page_types(site)[kind]
    path = path if lang == "zh" else "en/" + path
    if not exists(site, path):
        pytest.skip(f"no {kind} page in this build ({path or '/'}index.html does not exist)")
    page = context.new_page()
    page.goto(site_url + path, wait_until="load")
    read_through(page)
    return page


def read_through(page) -> None:
    """Scroll the page to its end and back, a screen at a time, as a reader would. Blocks off screen
    skip layout (content-visibility: auto) and stand at a guessed height until first drawn; axe
    measuring one of them before that puts its text where the footer is drawn and reports the
    footer's colours against it, which no reader ever sees. Once drawn, each keeps its real height.
    Ends when the header's fade back to the site title has finished."""
    page.evaluate("""async () => {
        await document.fonts.ready;
        const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
            scrollTo(0, y);
            await frame();
        }
        scrollTo(0, 0);
        await frame();
        // Scrolling past the title swaps the header's topics with a fade (opacity .15s, transform
        // .4s); axe measuring mid-fade reports the version button's half-transparent text, which
        // settles at full contrast. Wait for every running transition to end.
        await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
        await frame();
    }""")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_axe_violations(a11y_context, axe, served_site, site_url, kind, lang):
    page = _open(a11y_context, served_site, site_url, kind, lang)
    try:
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
        first = axe.run(page).response
        assert first["violations"] == [], f"{kind} {lang}, as loaded:\n{_report(first)}"
        charts = page.locator("figure.pt-chart").count()
        if charts:
            interact(page)
            page.wait_for_function("n => document.querySelectorAll('.pt-chart__view svg').length === n", arg=charts)
            read_through(page)  # the drawn charts moved every block below them
            after = axe.run(page).response
            assert after["violations"] == [], f"{kind} {lang}, charts drawn:\n{_report(after)}"
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_dark_scheme_follows_the_system_and_passes_axe(dark_context, axe, served_site, site_url, kind, lang):
    page = _open(dark_context, served_site, site_url, kind, lang)
    try:
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        results = axe.run(page).response
        assert results["violations"] == [], f"{kind} {lang}, dark scheme:\n{_report(results)}"
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plans_page_has_no_axe_violations(a11y_context, axe, many_plans_site, lang):
    """The "Plans" page exists only past nav.NAV_PLAN_SECTIONS_MAX plans, so it is checked on a build
    made to have it (opened from disk: it needs no server)."""
    path = many_plans_site.root / ("" if lang == "zh" else "en") / "plans" / "index.html"
    page = a11y_context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    results = axe.run(page).response
    page.close()
    assert not results["violations"], _report(results)
