"""Text from the data is shown as text wherever it lands: Markdown, HTML, chart specs, alt text."""
from __future__ import annotations

import csv
import html
import json
import re
import shutil

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from plantracker.render import markdown_text, without_control_characters

from conftest import FIXTURES, build_into

# The Markdown extensions the site uses (mkdocs.yml), minus toc's permalink anchors.
SITE_EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "pymdownx.details"]

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror=alert(1)>',
    "**bold** _em_ [link](javascript:alert(1)) # heading `code` ![i](x.png) | a | b |",
    "{{ 7*7 }} {% raw %} {# c #}",
    "=HYPERLINK(\"http://evil\") +1 -1 @SUM(A1)",
    "\u200fevil\u200e zero\u200bwidth \u0645\u0631\u062d\u0628\u0627",
    "x" * 3000,
    "??? note",
    '??? danger "x"',
    "![x](x){: onerror=alert(1) }",
]


def visible_text(rendered_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered_html)).split())


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_markdown_text_round_trips_through_markdown(text):
    """Any string, escaped for Markdown, renders to exactly its own (whitespace-folded) text."""
    rendered = markdown.markdown(markdown_text(text), extensions=SITE_EXTENSIONS)
    assert visible_text(rendered) == " ".join(without_control_characters(text).split())
    # nothing the data says becomes markup: the only tags are Markdown's paragraph wrapper
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", rendered)) <= {"p"}


@st.composite
def hostile_text(draw):
    return draw(st.sampled_from(HOSTILE)) + draw(st.text(max_size=20))


@settings(max_examples=200, deadline=None)
@given(hostile_text())
def test_hostile_strings_never_become_markup(text):
    rendered = markdown.markdown(f"# {markdown_text(text)}\n\n{markdown_text(text)}", extensions=SITE_EXTENSIONS)
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", rendered)) <= {"p", "h1"}


@pytest.mark.parametrize("text", ["??? note", "??? danger x", '??? note "t"', "???+ tip", "!!! warning"])
def test_block_syntax_at_a_line_start_stays_text(text):
    """pymdownx.details and admonition open a block at a line start; `?` has no backslash escape."""
    rendered = markdown.markdown(f"{markdown_text(text)}\n\n# {markdown_text(text)}", extensions=SITE_EXTENSIONS)
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", rendered)) <= {"p", "h1"}
    assert visible_text(rendered) == f"{text} {text}"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """mini-plan with hostile text in names, titles, notes and quotes, built by the real pipeline."""
    tmp = tmp_path_factory.mktemp("hostile")
    package = tmp / "data" / "mini-plan"
    shutil.copytree(FIXTURES / "mini-plan", package)
    edits = {"regions.csv": ["name_zh", "name_en", "note_zh"], "indicators.csv": ["name_zh", "name_en", "definition_en"],
             "targets.csv": ["wording_zh", "summary_en", "note_zh", "note_en", "quote"],
             "sources.csv": ["title", "publisher", "note"], "observations.csv": ["note_zh", "note_en", "quote"],
             "sites.csv": ["name_zh", "name_en", "note_en"]}
    for name, fields in edits.items():
        path = package / "data" / name
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns, table = reader.fieldnames, list(reader)
        for i, row in enumerate(table):
            for j, field in enumerate(fields):
                row[field] = f"{row[field]} {HOSTILE[(i + j) % len(HOSTILE)]}"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
    return build_into(tmp, tmp / "data")


def test_hostile_text_is_escaped_on_every_page(hostile_site):
    pages = list(hostile_site.root.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<script>alert("x")</script>' not in text, page
        assert "<img src=x onerror" not in text, page
        assert 'href="javascript:' not in text, page
    target = hostile_site.page("mini-plan/targets/xa-recycled/")
    assert "&lt;script&gt;alert(" in target          # shown, as text
    # Jinja syntax in the data is shown, never evaluated (this note is on the English page)
    assert "{{ 7*7 }}" in visible_text(hostile_site.page("en/mini-plan/targets/xa-recycled/"))


def test_hostile_text_in_chart_specs_stays_data(hostile_site):
    for spec_path in hostile_site.root.glob("assets/charts/*/*.vegalite.*.json"):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))  # still valid JSON
        assert isinstance(spec, dict)
    svgs = list(hostile_site.root.glob("assets/charts/*/*.svg"))
    assert svgs
    for svg in svgs:
        assert "<script" not in svg.read_text(encoding="utf-8").lower()
