"""Every page type on a 360 x 740 phone, measured in Debian Chromium (issue 18 items 1, 3-6).

The session's build is served as a plain build: the folder at the root of a static server, with no
versions.json beside it (as `python3 build.py` leaves it). Each page, in both languages, with
JavaScript on and off: no request fails; nothing scrolls sideways; every status badge, caveat and
flag lies inside the screen; no table is wider than the screen or scrolls in its box (but the
missing-figures grid); no text under MIN_TEXT_PX; a figure never leaves its unit on another line; the data page is shorter than DATA_PAGE_MAX_HEIGHT. A full-page
screenshot of each, and the figures measured (measurements.json), go to one folder printed at the
end of the session. Also: the version selector appears in a mike tree and nowhere else; the "What
changed" tables with rows; chart text size as rendered on a phone.
"""
from __future__ import annotations

import csv
import functools
import http.server
import json
import shutil
import threading

import markdown
import pytest

from browser_support import interact

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DATA_PAGE_MAX_HEIGHT = 6000
MIN_CHART_TEXT_PX = 11
MIN_TEXT_PX = 11  # the smallest text in an article, a note in a table's cell included
MIN_CHARACTERS_A_LINE = 3  # a table cell wrapped to fewer characters a line (on average) is squeezed
# No table on any page is wider than the screen or scrolls inside its box (a list of targets or figures,
# the sites, the methodology's qualifiers). The missing-figures grid is the exception: it (regions x
# years) is read across a row and down a column at once, which a card per row would lose. Where its
# years do not fit (English units, a year outside the plan period), it scrolls inside its own
# labelled, focusable .pt-table region, the region names staying in view (site.css), and the flags in
# its cells scroll with it (both asserted below).
SCROLLING_GRID_PAGES = ("missing",)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def plain_url(served_site):
    """The built folder served at the root of a static server, nothing beside it -> its URL."""
    server = _serve(served_site.root)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _rows(package, resource: str) -> list[dict]:
    [path] = [r["path"] for r in package.descriptor["resources"] if r["name"] == resource]
    with open(package.folder / path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def phone_pages(served_site) -> dict[str, str]:
    """Page type -> zh URL path, for the newest plan: its first target and the first with a baseline,
    a province and the plan's own region."""
    from plantracker.load import read_packages

    plan_id = sorted(p.name for p in (served_site.root / "assets" / "charts").iterdir() if p.is_dir())[-1]
    [package] = [p for p in read_packages(served_site.data_dir) if p.plan_id == plan_id]
    targets = sorted(_rows(package, "targets"), key=lambda r: r["target_id"])
    with_baseline = [t["target_id"] for t in targets if t.get("baseline_value")]
    provinces = sorted(r["region_id"] for r in _rows(package, "regions") if r["kind"] == "province")
    assert with_baseline and provinces, "the shipped data should have a target with a baseline and a province"
    plan = f"{plan_id}/"
    pages = {"home": "", "plan": plan, "target": f"{plan}targets/{targets[0]['target_id']}/",
             "target-baseline": f"{plan}targets/{with_baseline[0]}/", "region": f"{plan}regions/{provinces[0]}/",
             "region-plan": f"{plan}regions/{package.plan['region_id']}/", "map": f"{plan}map/",
             "missing": f"{plan}missing/", "sites": f"{plan}sites/", "sources": f"{plan}sources/", "data": "data/",
             "changes": "changes/", "api": "api/", "methodology": "methodology/", "about": "about/"}
    missing = [p for p in pages.values() if not (served_site.root / p / "index.html").is_file()]
    assert not missing, f"pages not built: {missing}"
    return pages


@pytest.fixture(scope="session")
def shots(tmp_path_factory, request):
    """Folder for the screenshots and measurements.json; printed when the session ends."""
    folder = tmp_path_factory.mktemp("phone-screenshots")
    measured: dict[str, dict] = {}
    yield folder, measured
    (folder / "measurements.json").write_text(json.dumps(measured, indent=1, sort_keys=True), encoding="utf-8")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"phone screenshots and measurements: {folder}")


@pytest.fixture(scope="session")
def phones(chromium):
    """One phone context per JavaScript setting, shared by the tests."""
    contexts = {js: chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1,
                                         java_script_enabled=js) for js in (True, False)}
    yield contexts
    for context in contexts.values():
        context.close()


class FailedRequests(list):
    """Every request of a page that failed or was answered with an error status."""

    def __init__(self, page):
        super().__init__()
        page.on("requestfailed", lambda r: self.append(f"failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: self.append(f"{r.status}: {r.url}") if r.status >= 400 else None)


# Skipped blocks (content-visibility: auto, site.css) are laid out at a placeholder height until
# they come near the screen: for measuring and the full-page screenshot, every block is laid out.
LAY_OUT_EVERYTHING = ".md-typeset * { content-visibility: visible !important; }"


def lay_out_everything(page) -> None:
    """Add LAY_OUT_EVERYTHING to the page (not page.add_style_tag: it waits for the style's load
    event, which never fires with JavaScript off)."""
    page.evaluate("css => document.head.appendChild(document.createElement('style')).textContent = css",
                  LAY_OUT_EVERYTHING)


# Lines of text an element's words are set on: its text nodes' boxes, those that overlap vertically
# counted as one line (a badge's padding, a smaller word beside a larger one: still one line).
TEXT_LINES = """const textLines = e => {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), rects = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...[...range.getClientRects()].filter(r => r.width > 0 && r.height > 0));
    }
    rects.sort((a, b) => a.top - b.top);
    const lines = [];
    for (const r of rects) {
      const line = lines[lines.length - 1];
      if (line && r.top < line.bottom - 1) { line.bottom = Math.max(line.bottom, r.bottom); line.rects.push(r); }
      else lines.push({bottom: r.bottom, rects: [r]});
    }
    return lines;
  };"""


MEASURE = """vw => {
  """ + TEXT_LINES + """
  const box = e => e.getBoundingClientRect();
  const drawn = e => e.getClientRects().length > 0 && (box(e).width > 0 || box(e).height > 0);
  const name = e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent.trim().slice(0, 40)}"`;
  // A labelled, focusable region that scrolls sideways inside the screen (a .pt-table), or null.
  const scroller = e => {
    const region = e.closest(".pt-table");
    return region && box(region).width <= vw + 0.5 && region.getAttribute("role") === "region"
      && region.tabIndex === 0 && !!region.getAttribute("aria-label") ? region : null;
  };
  const tables = [...document.querySelectorAll("article table")].filter(drawn);
  // The box a table scrolls in: its .pt-table region, Material's wrapper of a Markdown table (with
  // JavaScript), or the table itself (Material makes it scroll without JavaScript).
  const tableBox = t => t.closest(".pt-table, .md-typeset__scrollwrap") || t;
  const known = document.querySelector("article .pt-known");
  // Text set smaller than MIN_TEXT_PX: elements with text of their own, code aside (Material sets it
  // at 0.85em, in a monospace whose letters are larger at one size).
  const ownText = e => [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const fontPx = e => parseFloat(getComputedStyle(e).fontSize);
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    height: document.scrollingElement.scrollHeight,
    outside: [...document.querySelectorAll(".pt-status, .pt-caveat, .pt-flag")].filter(drawn)
      .filter(e => box(e).left < -0.5 || box(e).right > vw + 0.5)
      .map(e => ({what: `${name(e)} [${Math.round(box(e).left)}, ${Math.round(box(e).right)}]`,
                  inScrollingRegion: !!scroller(e)})),
    wideTables: tables.filter(t => box(t).width > vw + 0.5 || tableBox(t).scrollWidth > tableBox(t).clientWidth + 0.5)
      .map(t => ({what: `${name(t)} ${Math.round(box(t).width)} px, its box ${tableBox(t).scrollWidth} in ${tableBox(t).clientWidth}`,
                  inScrollingRegion: !!scroller(t), grid: t.classList.contains("pt-grid-table")})),
    smallText: [...document.querySelectorAll("article *:not(code)")].filter(drawn).filter(ownText)
      .filter(e => fontPx(e) < MIN_TEXT_PX - 0.01).map(e => `${name(e)} ${fontPx(e)} px`),
    splitValues: [...document.querySelectorAll("article .pt-value")].filter(drawn).filter(e => textLines(e).length > 1).map(name),
    values: document.querySelectorAll("article .pt-value").length,
    knownTop: known ? Math.round(box(known).top + scrollY) : null,
    firstTableTop: tables.length ? Math.round(box(tables[0]).top + scrollY) : null,
  };
}""".replace("MIN_TEXT_PX", str(MIN_TEXT_PX))


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["home", "plan", "target", "target-baseline", "region", "region-plan", "map",
                                  "missing", "sites", "sources", "data", "changes", "api", "methodology", "about"])
def test_page_on_a_phone(phones, plain_url, phone_pages, shots, kind, lang, js):
    """The checks of the module docstring on one page; with JavaScript, once more after the
    interactive charts are drawn (the reader's first interaction)."""
    folder, measured = shots
    page = phones[js].new_page()
    failed = FailedRequests(page)
    try:
        page.goto(plain_url + ("" if lang == "zh" else "en/") + phone_pages[kind], wait_until="load")
        page.wait_for_load_state("networkidle")
        lay_out_everything(page)
        m = page.evaluate(MEASURE, PHONE["width"])
        name = f"{kind}.{lang}.{'js' if js else 'nojs'}"
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        measured[name] = {**{k: m[k] for k in ("scrollWidth", "height", "values", "knownTop", "smallText")},
                          "wideTables": [t["what"] for t in m["wideTables"]]}

        # On the missing-figures page, the grid and what it holds may scroll inside its region.
        def out_of_place(found):
            return [f["what"] for f in found if not (kind in SCROLLING_GRID_PAGES and f["inScrollingRegion"])]

        def not_a_grid(found):
            return [f["what"] for f in found if not (kind in SCROLLING_GRID_PAGES and f["grid"] and f["inScrollingRegion"])]

        assert m["scrollWidth"] <= PHONE["width"], "the page scrolls sideways"
        assert out_of_place(m["outside"]) == [], "badges, caveats or flags outside the screen"
        assert m["splitValues"] == [], "figures split from their units"
        assert not_a_grid(m["wideTables"]) == [], "tables wider than the screen or scrolling in their box"
        assert m["smallText"] == [], f"text under {MIN_TEXT_PX} px"
        if kind == "data":
            assert m["height"] < DATA_PAGE_MAX_HEIGHT
        if kind == "home":  # item 4: what is known comes first, on the first screen
            assert m["knownTop"] is not None and m["knownTop"] < PHONE["height"]
            assert m["firstTableTop"] is None or m["knownTop"] < m["firstTableTop"]
        if js and page.locator("figure.pt-chart").count():
            interact(page)
            page.wait_for_function("n => document.querySelectorAll('.pt-chart__view svg').length === n",
                                   arg=page.locator("figure.pt-chart").count())
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], "after the charts were drawn"
        assert list(failed) == [], "a plain build served anywhere makes no failing request"
    finally:
        page.close()


# Blocks off screen are laid out at a guessed height until they come near (site.css,
# content-visibility): a page may settle by a few lines while a reader scrolls, not by screens.
MAX_SETTLING_PX = 120


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["target", "region"])
def test_a_long_page_keeps_its_height_while_a_phone_reader_scrolls(phones, plain_url, phone_pages, kind, lang):
    """The closed embed boxes (one line each) were guessed at 320px until scrolled to: T01's page
    shrank by about 850 px on the way down (found by a reader review)."""
    page = phones[True].new_page()
    try:
        page.goto(plain_url + ("" if lang == "zh" else "en/") + phone_pages[kind], wait_until="load")
        before = page.evaluate("document.scrollingElement.scrollHeight")
        for y in range(0, before + PHONE["height"], PHONE["height"] // 2):
            page.evaluate("y => window.scrollTo(0, y)", y)
            page.wait_for_timeout(20)
        after = page.evaluate("document.scrollingElement.scrollHeight")
        assert abs(before - after) <= MAX_SETTLING_PX, (before, after)
    finally:
        page.close()


# --- the version selector: only where versions.json is -------------------------------------------

@pytest.mark.parametrize("where", ["plain", "subfolder", "mike"])
def test_version_selector_only_in_a_mike_tree(phones, served_site, plain_url, site_url, phone_pages, tmp_path, where):
    """Served plainly (at a host's root, or in a folder that is no release version) a page asks for no
    versions.json and shows no selector; in a mike tree (<version>/ beside versions.json) it has both."""
    server = None
    if where == "subfolder":
        (tmp_path / "mirror").symlink_to(served_site.root.resolve(), target_is_directory=True)
        server = _serve(tmp_path)
        base = f"http://127.0.0.1:{server.server_address[1]}/mirror/"
    else:
        base = {"plain": plain_url, "mike": site_url}[where]
    page = phones[True].new_page()
    failed = FailedRequests(page)
    asked: list[tuple[str, int]] = []
    page.on("response", lambda r: asked.append((r.url, r.status)) if r.url.endswith("/versions.json") else None)
    try:
        page.goto(base + "en/" + phone_pages["target"], wait_until="load")
        page.wait_for_load_state("networkidle")
        if where == "mike":
            page.wait_for_selector(".md-version")
            assert [status for _, status in asked] == [200]
        else:
            assert asked == [] and page.locator(".md-version").count() == 0
        assert list(failed) == []
    finally:
        page.close()
        if server:
            server.shutdown()
            server.server_close()


# --- chart text as a phone draws it ---------------------------------------------------------------

CHART_TEXT = """([svgText, width, height]) => {
  const svg = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
  if (!svg.getAttribute("viewBox")) svg.setAttribute("viewBox", `0 0 ${parseFloat(svg.getAttribute("width"))} ${parseFloat(svg.getAttribute("height"))}`);
  svg.setAttribute("width", width);            // drawn at the size the page draws the image
  svg.setAttribute("height", height);
  document.body.replaceChildren(document.importNode(svg, true));
  return [...document.body.querySelectorAll("text")].filter(t => t.textContent.trim()).map(t => {
    const m = t.getScreenCTM();
    return {text: t.textContent.trim().slice(0, 30),
            px: parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c))};
  });
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["target", "target-baseline"])
def test_chart_text_is_readable_on_a_phone(phones, plain_url, phone_pages, kind, lang):
    """The smallest text of each chart image, as drawn at 360 px (the SVG's font sizes times the scale
    the page draws it at), is at least MIN_CHART_TEXT_PX. JavaScript off: the image a reader sees."""
    page, scratch = phones[False].new_page(), phones[True].new_page()
    try:
        page.goto(plain_url + ("" if lang == "zh" else "en/") + phone_pages[kind], wait_until="load")
        images = page.locator("figure.pt-chart > picture > img")
        assert images.count() > 0
        page.wait_for_function("() => [...document.querySelectorAll('figure.pt-chart > picture > img')].every(i => i.complete)")
        smallest = []
        for i in range(images.count()):
            src, width, height = images.nth(i).evaluate(
                "img => [img.currentSrc, img.getBoundingClientRect().width, img.getBoundingClientRect().height]")
            response = page.request.get(src)
            assert response.ok and "<svg" in response.text()[:500], f"not an SVG, its text cannot be measured: {src}"
            texts = scratch.evaluate(CHART_TEXT, [response.text(), width, height])
            assert texts, src
            least = min(texts, key=lambda t: t["px"])
            smallest.append((round(least["px"], 1), least["text"], src.rsplit("/", 1)[-1], round(width)))
        too_small = [s for s in smallest if s[0] < MIN_CHART_TEXT_PX]
        assert too_small == [], f"chart text under {MIN_CHART_TEXT_PX} px (px, text, image, drawn width): {too_small}"
    finally:
        page.close()
        scratch.close()


# --- "What changed" with rows, and table cells that keep apart -------------------------------------

def _previous_release(served_site, dest):
    """A copy of the shipped packages as an earlier release might have been: three of the newest plan's
    reported figures not yet in it (added now), one printed with another value (revised), one figure
    since dropped (removed), and a figure meeting the plan's first target (a status change)."""
    from plantracker.load import read_packages

    shutil.copytree(served_site.data_dir, dest)
    plan_id = sorted(p.name for p in (served_site.root / "assets" / "charts").iterdir() if p.is_dir())[-1]
    [package] = [p for p in read_packages(dest) if p.plan_id == plan_id]
    [path] = [package.folder / r["path"] for r in package.descriptor["resources"] if r["name"] == "observations"]
    rows = _rows(package, "observations")
    reported = [r for r in rows if r["kind"] == "reported"]
    assert len(reported) >= 5, "the shipped data should hold reported figures"
    target = sorted(_rows(package, "targets"), key=lambda r: r["target_id"])[0]
    met = dict(reported[4], observation_id="phone-test-met", indicator_id=target["indicator_id"],
               region_id=target["region_id"], year=target["target_year"], value=target["value"],
               unit_id=target["unit_id"], qualifier="", confidence="")
    gone = dict(reported[4], observation_id="phone-test-gone")
    revised = dict(reported[3], value=str(float(reported[3]["value"]) * 2))
    rows = [revised if r is reported[3] else r for r in rows if r not in reported[:3]] + [gone, met]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return dest


@pytest.fixture(scope="module")
def changes_articles(served_site, tmp_path_factory) -> dict[str, str]:
    """lang -> the "What changed" article as the build writes it (template, then Markdown with the
    site's extensions), comparing the shipped packages with _previous_release. The session's build is
    a first release (no published history), so its page has no tables to measure."""
    import yaml

    from stages import compare_folders
    from plantracker.citation import citation
    from plantracker.pages.changes import changes_page_context
    from plantracker.pipeline import REPO_ROOT
    from plantracker.render import template_environment
    from plantracker.strings import load_strings

    previous = _previous_release(served_site, tmp_path_factory.mktemp("previous") / "data")
    changes = compare_folders(previous, served_site.data_dir, previous_version="2000.1")
    assert changes.figures and changes.status_changes
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    configs = {k: v for e in config["markdown_extensions"] if isinstance(e, dict) for k, v in e.items()}
    strings, release = load_strings(REPO_ROOT / "templates"), served_site.result.release
    template = template_environment(REPO_ROOT / "templates").get_template("changes.md.j2")
    articles = {}
    for lang in ("zh", "en"):
        t = strings[lang]
        text = template.render(lang=lang, t=t, cite=citation(release, t["changes"], "changes/", lang, t),
                               **changes_page_context(changes, lang))
        articles[lang] = markdown.markdown(text, extensions=extensions, extension_configs=configs)
    return articles


CELLS = """vw => {
  """ + TEXT_LINES + """
  const rows = [...document.querySelectorAll("article table.pt-cards > tbody > tr")];
  const crowded = [], squeezed = [], broken = [];
  for (const row of rows) {
    const cells = [...row.children];
    cells.forEach((cell, i) => {
      const text = cell.textContent.trim(), lines = textLines(cell);
      if (lines.length > 1 && text.length / lines.length < SQUEEZED) squeezed.push(`${text.slice(0, 30)} (${lines.length} lines)`);
      const next = cells[i + 1], nextLines = next ? textLines(next) : [];
      if (!lines.length || !nextLines.length) return;
      if (Math.abs(cell.getBoundingClientRect().top - next.getBoundingClientRect().top) > 2) return;  // stacked: a card
      const right = Math.max(...lines.flatMap(l => l.rects.map(r => r.right)));
      const left = Math.min(...nextLines.flatMap(l => l.rects.map(r => r.left)));
      if (left - right < 6) crowded.push(`${text.slice(0, 20)} | ${next.textContent.trim().slice(0, 20)} (${Math.round(left - right)} px)`);
    });
    for (const code of row.querySelectorAll("code")) if (textLines(code).length > 1) broken.push(code.textContent);
  }
  return {rows: rows.length, crowded, squeezed, broken, scrollWidth: document.scrollingElement.scrollWidth,
          outside: [...document.querySelectorAll("article .pt-status")].filter(e => e.getBoundingClientRect().right > vw + 0.5).length};
}""".replace("SQUEEZED", str(MIN_CHARACTERS_A_LINE))


@pytest.mark.parametrize("width", [PHONE["width"], 1024])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["changes", "target-baseline", "sites"])
def test_table_cells_keep_apart(chromium, plain_url, phone_pages, changes_articles, shots, kind, lang, width):
    """In the "What changed" tables, a target's chart table and the sites, on a phone (cards) and wider (a table
    with Material's look): no cell's words set a character or two a line, no id broken, and no cell's
    text running into the next one's (the year into the value)."""
    folder, measured = shots
    context = chromium.new_context(viewport={"width": width, "height": 740}, is_mobile=width == PHONE["width"],
                                   has_touch=True)
    try:
        page = context.new_page()
        page.goto(plain_url + ("" if lang == "zh" else "en/") + phone_pages[kind], wait_until="load")
        if kind == "changes":
            page.evaluate("html => { document.querySelector('article.md-content__inner').innerHTML = html; }",
                          changes_articles[lang])
        lay_out_everything(page)
        m = page.evaluate(CELLS, width)
        page.screenshot(path=folder / f"cells.{kind}.{lang}.{width}.png", full_page=True)
        measured[f"cells.{kind}.{lang}.{width}"] = {"rows": m["rows"], "scrollWidth": m["scrollWidth"]}
        assert m["rows"] > 0
        assert (m["crowded"], m["squeezed"], m["broken"]) == ([], [], [])
        assert m["scrollWidth"] <= width and m["outside"] == 0
    finally:
        context.close()
