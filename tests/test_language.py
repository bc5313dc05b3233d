"""The real site reads as written in each language: English pages word figures in English units
and count nouns with English punctuation, and text in the other language is marked (`lang`) and,
where it exists in one language only, labelled."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

from markupsafe import escape

from plantracker.pipeline import REPO_ROOT

PLAN = "jjj-2020-2022"
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# A number followed by the English description of a Chinese unit ("1.5 100 million tonnes").
UNIT_DESCRIPTION_AFTER_NUMBER = re.compile(r"\d[ \u00a0](100 million|10,000|10 000) (tonnes|yuan|cubic metres|mu)\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TextByLanguage(HTMLParser):
    """HTML -> [(language of the element, its text)], the language inherited down the tree."""

    def __init__(self):
        super().__init__()
        self.langs: list[str] = []
        self.skip = 0
        self.runs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.langs.append(dict(attrs).get("lang") or (self.langs[-1] if self.langs else ""))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.skip -= tag in ("script", "style")
        if self.langs:
            self.langs.pop()

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.runs.append((self.langs[-1] if self.langs else "", " ".join(data.split())))


def text_in(page_html: str, lang: str) -> str:
    """A page -> its visible text in elements of the language (by `lang`, inherited), joined."""
    parser = _TextByLanguage()
    parser.feed(page_html)
    # No-break spaces (between a number and its unit) read as spaces.
    return " ".join(text for text_lang, text in parser.runs if text_lang.split("-")[0] == lang).replace("\u00a0", " ")


def english_pages(site):
    return sorted((site.root / "en").rglob("index.html"))


def test_english_home_plan_and_region_pages_list_with_english_commas(real_site):
    for url in ("en/", f"en/{PLAN}/", f"en/{PLAN}/regions/REGION/"):
        english = text_in(real_site.page(url), "en")
        assert "、" not in english, url
        assert "Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia, Shandong, Henan" in english, url


def test_english_pages_hold_no_chinese_outside_elements_marked_chinese(real_site):
    unmarked = []
    for page in english_pages(real_site):
        english = text_in(page.read_text(encoding="utf-8"), "en")
        unmarked += [f"{page.relative_to(real_site.root)}: {m.group(0)}" for m in CHINESE.finditer(english)]
    assert not unmarked, "\n".join(unmarked[:20])


def test_english_pages_never_write_a_unit_description_or_count_after_a_number(real_site):
    for page in english_pages(real_site):
        text = " ".join(text_in(page.read_text(encoding="utf-8"), lang) for lang in ("en", "zh"))
        assert not UNIT_DESCRIPTION_AFTER_NUMBER.search(text), (page, UNIT_DESCRIPTION_AFTER_NUMBER.search(text))
        assert not re.search(r"\d count\b", text), page


def test_english_target_pages_show_printed_units_and_count_nouns(real_site):
    t02 = real_site.page(f"en/{PLAN}/targets/T02/")
    assert '>1.5\u00a0<span lang="zh">亿吨</span> (150\u00a0million tonnes)</td>' in t02
    assert "Target: 150 million tonnes (2022)" in text_in(t02, "en")  # "达到1.5亿吨": a level to reach
    t04 = text_in(real_site.page(f"en/{PLAN}/targets/T04/"), "en")
    assert "Target: 30 agglomeration areas (2022)" in t04
    assert "at least 10 production bases" in text_in(real_site.page(f"en/{PLAN}/targets/T10/"), "en")
    t03 = real_site.page(f"en/{PLAN}/targets/T03/")
    assert '9,000\u00a0<span lang="zh">亿元</span> (900\u00a0billion yuan)' in t03
    # The plan's own words, in Chinese only, are labelled as such.
    assert '<small class="pt-lang-label">Chinese original</small> <span lang="zh">' in t02


def test_chinese_pages_keep_chinese_figures(real_site):
    t02 = real_site.page(f"{PLAN}/targets/T02/")
    assert "目标：1.5亿吨（2022年）" in text_in(t02, "zh")
    assert ">约150百万吨（1.5亿吨）</td>" in t02   # an English source's unit in Chinese words, with its conversion
    assert "目标：30个（2022年）" in text_in(real_site.page(f"{PLAN}/targets/T04/"), "zh")
    # Enterprises are counted in 家, as the plans write them ("培育100家创新型骨干企业"), not in 个.
    assert "目标：100家（2022年）" in text_in(real_site.page(f"{PLAN}/targets/T06/"), "zh")
    assert "100个" not in real_site.page(f"{PLAN}/targets/T06/")
    assert "目标：30家" in text_in(real_site.page("jjj-2015-2017/targets/P07/"), "zh")
    # Beijing's 2021 storage, printed "0万吨" (rounded to whole 万吨), is not an exact "0吨".
    assert '<td data-label="数值" class="pt-value">0万吨</td>' in real_site.page(f"{PLAN}/regions/CN-BJ/")
    assert 'class="pt-value">0吨<' not in real_site.page(f"{PLAN}/regions/CN-BJ/")
    english = real_site.page(f"en/{PLAN}/regions/CN-BJ/")
    assert '<td data-label="Value" class="pt-value">0\u00a0million tonnes</td>' in english
    assert ">0\u00a0tonnes<" not in english and "(0\u00a0tonnes)" not in english


def test_english_only_source_notes_are_labelled_on_chinese_pages(real_site):
    page = real_site.page(f"{PLAN}/sources/")
    with (REPO_ROOT / "datapackages" / PLAN / "data" / "sources.csv").open(encoding="utf-8", newline="") as f:
        notes = [row["note"] for row in csv.DictReader(f) if row["note"]]
    assert notes
    english = text_in(page, "en")
    for note in notes:
        assert " ".join(note.split()) in english, note
    assert page.count('<small class="pt-lang-label">英文</small> <span lang="en">') >= len(notes)
    # The weak-source warnings among them are no exception.
    assert any(note.startswith("WEAK SOURCE") for note in notes)


def test_source_links_carry_the_language_of_their_title(real_site):
    en = real_site.page(f"en/{PLAN}/targets/T02/")
    zh = real_site.page(f"{PLAN}/targets/T02/")
    assert re.search(r'<a href="[^"]*#src-lowcarboncity-2118" lang="zh">', en)
    assert re.search(r'<a href="[^"]*#src-alpapowder-miit-interpretation" lang="en">', zh)


def test_chinese_interface_text_takes_full_width_punctuation(real_site):
    home = real_site.page("")
    assert "数据版本：" in home and "数据版本: " not in home
    assert "京津冀及周边地区（北京市、天津市、河北省、山西省、内蒙古自治区、山东省、河南省）" in home


def test_no_text_is_escaped_twice(real_site):
    """An apostrophe in a description went through `md` and then `chinese_marked`, and English plan
    pages read "the industry&#39;s": a reader must never see an entity."""
    twice = re.compile(r"&amp;(?:#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);", re.I)
    found = []
    for page in sorted(real_site.root.rglob("*.html")):
        for match in twice.finditer(page.read_text(encoding="utf-8")):
            found.append(f"{page.relative_to(real_site.root)}: {match.group(0)}")
    assert not found, "\n".join(found[:20])
    assert "the industry's output value" in text_in(real_site.page(f"en/{PLAN}/"), "en")


def test_names_inside_an_english_sentence_lose_only_their_opening_capital(real_site):
    """Indicator names are written as titles ("Industrial solid waste ..."); inside a caveat or the
    map's colour line they read as words of the sentence. An acronym keeps its capitals."""
    from plantracker.pages.wording import in_sentence

    assert in_sentence("GDP of the region", "en") == "GDP of the region"
    assert in_sentence("工业固废", "zh") == "工业固废"
    t01 = text_in(real_site.page("en/jjj-2020-2022/targets/T01/"), "en")
    assert "not the measure of industrial solid waste" in t01 and "measure of Industrial" not in t01
    map_page = text_in(real_site.page("en/jjj-2020-2022/map/"), "en")
    assert "Colour shows general industrial solid waste" in map_page


def test_a_source_title_or_publisher_in_the_other_language_is_labelled(real_site):
    """A reader meets a source's title (and its publisher on the sources page) as the source
    wrote it; in the other language it is labelled ("Chinese original", "英文") as well as marked."""
    from plantracker.strings import load_strings

    strings = load_strings(REPO_ROOT / "templates")
    en = real_site.page("en/jjj-2020-2022/targets/T01/")
    label = strings["en"]["language_label_zh"]
    assert re.search(rf'<small class="pt-lang-label">{label}</small> <a href="[^"]*sources/#src-[^"]*" lang="zh">', en)
    zh = real_site.page("jjj-2020-2022/sources/")
    label = strings["zh"]["language_label_en"]
    assert re.search(rf'<dd><small class="pt-lang-label">{label}</small> <span lang="en">[^<]*\(', zh)


def test_the_column_of_source_units_says_what_it_holds_and_the_methodology_names_it(real_site):
    """The column holds the value in its source's unit ("20,534 万吨" for a source that printed
    "20534,10000_tons"), not the source's words: its heading says so, as the methodology does."""
    for prefix, heading in (("", "原单位数值"), ("en/", "In the source's unit")):
        t02, marked = real_site.page(f"{prefix}{PLAN}/targets/T02/"), str(escape(heading))
        assert f'<th scope="col">{marked}</th>' in t02 and f'data-label="{marked}"' in t02
        assert heading in text_in(real_site.page(f"{prefix}methodology/"), prefix[:2] or "zh")
        assert heading in text_in(real_site.page(f"{prefix}{PLAN}/map/"), prefix[:2] or "zh")
        for page in ("原文数值", "As printed"):
            assert page not in t02


def test_chinese_pages_word_every_figure_in_the_source_unit_column_in_chinese(real_site):
    """"约150 million tonnes（1.5亿吨）" on a Chinese page: the column is interface text, so an
    English source's unit is written in Chinese (150百万吨) there; the source's words stay in its quote."""
    heading = "原单位数值"
    cells = []
    for page in sorted(real_site.root.rglob("index.html")):
        if page.relative_to(real_site.root).parts[0] != "en":
            cells += re.findall(rf'<td data-label="{heading}">(.*?)</td>', page.read_text(encoding="utf-8"))
    assert cells and not [c for c in cells if re.search("[A-Za-z]", c)]
