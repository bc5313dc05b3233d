"""Chart titles and caveats wrap into lines that fit, never cut off, and the plot keeps its width
(issue 16: a long indicator name was cut off in the chart title and squeezed the plot)."""
from __future__ import annotations

from hypothesis import given, strategies as st

from plantracker.charts.files import write_chart
from plantracker.charts.style import HEIGHT, TEXT_WIDTH, WIDTH, _tokens, static_size, text_width, title_lines, wrap
from plantracker.model import Chart

LONG_ZH = "协同利用冶金和煤电固废的生产基地年消纳工业固体废物量（含尾矿、废石、冶炼渣、粉煤灰、炉渣、脱硫石膏）· 京津冀及周边地区"
LONG_EN = ("Industrial solid waste consumed per year through industrial coupling of metallurgy and coal-power plants "
           "(tailings, waste rock, smelting slag, fly ash) · Beijing-Tianjin-Hebei and surrounding areas")


@given(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=300), st.sampled_from([12, 15, 18]))
def test_wrapped_lines_fit_and_keep_every_character(text, size):
    lines = wrap(text, TEXT_WIDTH, size)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        # only a line of one word wider than the room may overflow it (a word is never split)
        assert text_width(line, size) <= TEXT_WIDTH or len(_tokens(line.strip(" "))) == 1


def test_a_long_title_wraps_and_the_chart_grows_instead_of_cutting_it(tmp_path):
    for title in (LONG_ZH, LONG_EN):
        labels = {"title": title, "subtitle": "at least 10 production bases (2022)", "caveats": ["a caveat " * 12],
                  "x": "Region", "y": "亿吨", "value": "Value", "year": "Year", "source": "Source"}
        lines, subtitle = title_lines(labels)
        assert len(lines) >= 2 and len(subtitle) >= 3
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")
        width, height = static_size("region_bars", labels)
        assert width == WIDTH and height > HEIGHT
        chart = Chart("p", "long", "region_bars", "en", "p/index", title, "s",
                      [{"region_label": "A", "value": 1.5, "value_text": "1.5", "year": 2021, "source": "s"}],
                      labels, ["region_label", "value"])
        files = write_chart(chart, tmp_path)  # raises if the render's size is not the planned one
        svg = (tmp_path / files.svg).read_text(encoding="utf-8")
        assert (files.width, files.height) == (width, height)
        for line in lines:
            assert line.replace("&", "&amp;") in svg
