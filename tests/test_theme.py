"""Theme, mkdocs.yml and chart-loader wiring: a two-page zh/en site built with the repo config."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SITE_URL = yaml.safe_load(
    "\n".join(l for l in (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
              if l.startswith("site_url:"))
)["site_url"]

# Where the 404 pages' links start, as mkdocs.yml gives them to a bare build (the build: release.toml).
NOT_FOUND_ROOTS = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["not_found_roots"]

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"values": [{"year": 2020, "value": 1}, {"year": 2021, "value": 2}]},
    "mark": "bar",
    "encoding": {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "value", "type": "quantitative"}},
}
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'


def chart_page(lang: str, rel: str) -> str:
    title = "图表" if lang == "zh" else "Chart"
    return f"""---
cite: "Demo (2026). {title}."
---
# {title}

<figure class="pt-chart" data-spec="{rel}assets/charts/demo/c1.vegalite.{lang}.json">
  <img src="{rel}assets/charts/demo/c1.{lang}.svg" alt="{title}: 2020 1, 2021 2" width="40" height="20" loading="lazy">
  <figcaption>{title}</figcaption>
</figure>

<div class="pt-table" tabindex="0" role="region" aria-label="{title}">
<table><thead><tr><th>year</th><th class="pt-num">value</th></tr></thead>
<tbody><tr><td>2020</td><td class="pt-num">1</td></tr></tbody></table>
</div>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the throwaway site like the real build does: site_src copy + pages, INHERIT config."""
    from plantracker.pipeline import theme_words
    from plantracker.strings import load_strings
    from plantracker.vega_bundle import write_chart_bundle

    work = tmp_path_factory.mktemp("theme")
    docs = work / "site_src"
    shutil.copytree(REPO / "site_src", docs)
    (docs / "index.zh.md").write_text("# 首页\n\n[图表](chart.md)\n", encoding="utf-8")
    (docs / "index.en.md").write_text("# Home\n\n[Chart](chart.md)\n", encoding="utf-8")
    (docs / "chart.zh.md").write_text(chart_page("zh", "../"), encoding="utf-8")
    (docs / "chart.en.md").write_text(chart_page("en", "../../"), encoding="utf-8")
    # The build writes the bundle before mkdocs and names it in extra.vega_bundle.
    bundle = write_chart_bundle(docs)
    config = {
        "INHERIT": str(REPO / "mkdocs.yml"),
        "docs_dir": str(docs),
        "site_dir": str(work / "site"),
        "nav": [{"首页": "index.md"}, {"图表": "chart.md"}],
        # Relative paths in an INHERITed file resolve against the child config: name the theme.
        "theme": {"custom_dir": str(REPO / "templates" / "theme")},
        # The theme's interface words, as the build passes them (extra.words.<lang>).
        "extra": {"vega_bundle": bundle.relative_to(docs).as_posix(),
                  "words": theme_words(load_strings(REPO / "templates"))},
    }
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(work / "mkdocs.yml")],
        cwd=work, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = work / "site"
    # Language-independent chart files are written after mkdocs, at the site root.
    charts = out / "assets" / "charts" / "demo"
    charts.mkdir(parents=True)
    for lang in ("zh", "en"):
        (charts / f"c1.vegalite.{lang}.json").write_text(json.dumps(SPEC), encoding="utf-8")
        (charts / f"c1.{lang}.svg").write_text(SVG, encoding="utf-8")
    return out


class Links(HTMLParser):
    """HTML -> lists of (tag, attrs) for the elements the assertions look at."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def find(self, tag: str, **want) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in want.items())]


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


def test_pages_exist_for_both_languages(site):
    for rel in ("index.html", "chart/index.html", "en/index.html", "en/chart/index.html"):
        assert (site / rel).is_file(), rel
    assert parse(site / "en/chart/index.html").find("html")[0]["lang"] == "en"


def test_no_third_party_assets(site):
    asset_attrs = {"script": "src", "link": "href", "img": "src", "source": "srcset", "iframe": "src"}
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page
        for tag, attrs in parse(page).elements:
            url = attrs.get(asset_attrs.get(tag, ""), "") or ""
            if not re.match(r"(https?:)?//", url):
                continue
            allowed = tag == "link" and attrs.get("rel") in ("canonical", "alternate") and url.startswith(SITE_URL)
            assert allowed, f"{page}: {tag} {url}"


def test_hreflang_alternates_absolute_and_same_page(site):
    zh = parse(site / "chart/index.html").find("link", rel="alternate")
    langs = {a["hreflang"]: a["href"] for a in zh if "hreflang" in a}
    assert langs == {"zh": SITE_URL + "chart/", "en": SITE_URL + "en/chart/", "x-default": SITE_URL + "chart/"}
    home = {a["hreflang"]: a["href"] for a in parse(site / "en/index.html").find("link", rel="alternate") if "hreflang" in a}
    assert home == {"zh": SITE_URL, "en": SITE_URL + "en/", "x-default": SITE_URL}


def test_language_switch_stays_on_page(site):
    links = {a["hreflang"]: a["href"] for a in parse(site / "chart/index.html").find("a", **{"class": "md-select__link"})}
    assert links == {"zh": "../chart/", "en": "../en/chart/"}
    links = {a["hreflang"]: a["href"] for a in parse(site / "en/chart/index.html").find("a", **{"class": "md-select__link"})}
    assert links == {"zh": "../../chart/", "en": "../../en/chart/"}
    home = {a["hreflang"]: a["href"] for a in parse(site / "index.html").find("a", **{"class": "md-select__link"})}
    assert home == {"zh": "./", "en": "./en/"}


def test_no_protocol_relative_links_on_404(site):
    hrefs = [a.get("href", "") for t, a in parse(site / "404.html").elements if t == "a"]
    assert hrefs and not [h for h in hrefs if h.startswith("//")]


def test_search_dialog_has_accessible_name(site):
    for page in pages(site):
        dialogs = parse(page).find("div", role="dialog")
        assert dialogs and all(d.get("aria-label") for d in dialogs), page


def test_feed_alternate_in_every_head(site):
    for rel, href in (("index.html", "feed.zh.xml"), ("chart/index.html", "../feed.zh.xml"),
                      ("en/chart/index.html", "../../feed.en.xml")):
        feeds = parse(site / rel).find("link", rel="alternate", type="application/atom+xml")
        assert [f["href"] for f in feeds] == [href], rel


def test_sitemap_hook_base_has_no_double_slash(site):
    """The theme's XHR hook resolves the site root from base_url, which is "./", "../" or, on the
    404 page, an absolute path ending in "/": "//" there would name the wrong root."""
    for page in pages(site):
        bases = re.findall(r'var base = new URL\(("[^"]*")', page.read_text(encoding="utf-8"))
        assert bases, page
        rendered = [json.loads(b) for b in bases]
        assert all(b.endswith("/") and "//" not in b for b in rendered), (page, rendered)


def test_version_selector_guard_reads_the_config_before_the_bundle(site):
    """The script that keeps the version selector only in a mike tree (the browser test:
    tests/test_phone.py) edits Material's config after it is written and before the deferred bundle
    reads it, on every page; a release folder is recognised by the canonical version pattern."""
    from plantracker.settings import _VERSION

    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        config, guard = html.index('id="__config"'), html.index("delete config.version")
        assert config < guard < html.index('src="', guard), page
        assert re.findall(r"/\^(.+?)\$/\.test\(folder\)", html) == [_VERSION.pattern], page


def test_every_script_file_is_deferred(site):
    """No script file blocks the first paint: Material's bundle and the chart loader run after
    the document is parsed (the page is complete without them)."""
    for page in pages(site):
        scripts = [s for s in parse(page).find("script") if s.get("src")]
        assert any("bundle." in s["src"] for s in scripts), page
        assert [s["src"] for s in scripts if "defer" not in s] == [], page


def test_chart_loader_only_on_chart_pages(site):
    def loader(rel):
        return [s for s in parse(site / rel).find("script") if s.get("src", "").endswith("charts.js")]

    assert loader("index.html") == [] and loader("en/index.html") == []
    (zh,) = loader("chart/index.html")
    (en,) = loader("en/chart/index.html")
    assert zh["src"] == "../assets/javascripts/charts.js" and en["src"] == "../../assets/javascripts/charts.js"
    assert (site / "chart" / zh["data-vega"]).resolve().is_file()
    assert (site / "en/chart" / en["data-vega"]).resolve().is_file()
    assert (site / "en/chart" / "../../assets/charts/demo/c1.vegalite.en.json").resolve().is_file()


def test_vendor_bundle_and_licences(site):
    (bundle,) = (site / "assets/vendor").glob("vega-bundle-*.js")
    text = bundle.read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in text and text.startswith("/*!")
    names = sorted(p.name for p in (site / "assets/vendor/licenses").iterdir())
    assert names == ["vega-LICENSE.txt", "vega-embed-LICENSE.txt", "vega-lite-LICENSE.txt"]
    for name in names:
        assert "Redistribution and use in source and binary forms" in (site / "assets/vendor/licenses" / name).read_text()


def test_footer_licence_and_cite(site):
    html = (site / "en/chart/index.html").read_text(encoding="utf-8")
    assert "CC BY 4.0" in html and "How to cite" in html and "Demo (2026). Chart." in html
    assert "如何引用" in (site / "chart/index.html").read_text(encoding="utf-8")


# Han characters, CJK punctuation and full-width forms (plantracker.strings.CHINESE).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_no_chinese_literal_in_the_theme_templates():
    """Interface words live in the string tables (templates/strings.d/theme.yml), in both languages;
    the theme reads them from extra.words, so no template holds Chinese (or picks words by language)."""
    files = sorted((REPO / "templates" / "theme").rglob("*.html"))
    assert any(f.name == "404.html" for f in files) and any(f.name == "main.html" for f in files)
    found = [f"{f.relative_to(REPO)}:{n}: {line.strip()}" for f in files
             for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if CJK.search(line)]
    assert not found, "\n".join(found)


def test_every_word_the_theme_reads_is_in_the_string_tables():
    from plantracker.pipeline import theme_words
    from plantracker.strings import load_strings

    words = theme_words(load_strings(REPO / "templates"))
    used = {key for f in (REPO / "templates" / "theme").rglob("*.html")
            for key in re.findall(r"\bpt_(?:t|here)\.(\w+)", f.read_text(encoding="utf-8"))}
    assert {"theme_feed", "theme_outdated", "cite_heading", "theme_not_found"} <= used
    assert [(lang, key) for lang in ("zh", "en") for key in sorted(used) if key not in words[lang]] == []


def test_404_speaks_both_languages_chinese_first(site):
    """One 404 page answers every missing address: each language in its own marked section, with a
    link to that language's home page (absolute: the 404 page is served at any depth)."""
    from plantracker.pipeline import theme_words
    from plantracker.strings import load_strings

    words = theme_words(load_strings(REPO / "templates"))
    html = (site / "404.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section lang="(\w+)"[^>]*>(.*?)</section>', html, re.S)
    assert [lang for lang, _ in sections] == ["zh", "en"]
    base = NOT_FOUND_ROOTS["site"]
    for (lang, body), home in zip(sections, (base, base + "en/")):
        assert words[lang]["theme_not_found"] in body and words[lang]["theme_not_found_text"] in body
        assert f'<a href="{home}" hreflang="{lang}">{words[lang]["theme_not_found_home"]}</a>' in body
    assert not CJK.search(sections[1][1]) and CJK.search(sections[0][1])


def test_404_switches_language_to_each_home_page_and_names_no_alternate(site):
    """The language menu of the 404 page leads to each language's home page, and the page names no
    hreflang alternate: both used to name whichever target page the i18n plugin built last."""
    html = (site / "404.html").read_text(encoding="utf-8")
    base = NOT_FOUND_ROOTS["site"]
    links = re.findall(r'<a href="([^"]*)" hreflang="(\w+)" lang="\w+" class="md-select__link"', html)
    assert links == [(base, "zh"), (base + "en/", "en")]
    assert 'rel="alternate" href=' not in html


def _missing_targets(page: Path, root: str, tree: Path) -> list[str]:
    """The root-absolute links of a 404 page (stylesheets, scripts, icon, feed, nav, home pages) ->
    those naming no file in `tree` when it is served at `root`. The outdated-release banner's link
    ("/../latest/") is left out: Material shows it only inside a mike tree; so are the feeds, which
    the build's feed stage writes and this theme-only build has not."""
    parsed, missing = parse(page), []
    urls = [a.get("href") or a.get("src") for t, a in parsed.elements if t in ("link", "script", "a", "img")]
    urls = [u for u in urls if u and u.startswith("/") and not u.startswith("//") and "/../" not in u
            and not u.endswith(".xml")]
    assert urls and any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls), page
    for url in urls:
        path = url.split("#")[0].split("?")[0]
        if not path.startswith(root):
            missing.append(url)
            continue
        target = tree / path[len(root):]
        if not (target / "index.html" if path.endswith("/") else target).is_file():
            missing.append(url)
    return missing


def test_404_links_resolve_in_the_site_folder_served_alone(site):
    """The built 404.html, served for a missing address at any depth by a host serving the built
    folder at the site's root (GitHub Pages, Netlify, `python -m http.server`), loads its styles and
    script and links pages from that folder: they used to be under /latest/, which only a mike tree has."""
    assert NOT_FOUND_ROOTS["site"] == "/"
    assert _missing_targets(site / "404.html", "/", site) == []


def test_versions_404_links_resolve_under_latest(site, tmp_path):
    """404-versions.html, which publishing makes the versions tree's root 404.html, links into
    latest/: every link names a file of the site as mike publishes it there."""
    tree = tmp_path / "gh-pages"
    shutil.copytree(site, tree / "latest")
    assert NOT_FOUND_ROOTS["versions"] == "/latest/"
    assert _missing_targets(site / "404-versions.html", "/", tree) == []
