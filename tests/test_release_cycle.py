"""Two real releases through the whole pipeline and mike: A, then B with one figure revised."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil

import pytest

from conftest import FIXTURES
from git_repo import git, make_repo
from plantracker.pipeline import REPO_ROOT, BuildOptions, build
from plantracker.problems import InputError
from plantracker.publish import publish_release
from plantracker.strings import CHINESE

from test_site import text_of

OLD_ROW = "xa-recycled-2021,recycled-mass,XA,2021,40,"
NEW_ROW = "xa-recycled-2021,recycled-mass,XA,2021,55,"


def release_file(path, version: str, date: str):
    path.write_text(f'[release]\nversion = "{version}"\ndate = {date}\n\n[site]\nurl = "https://example.org/t/"\n'
                    'corrections = "mailto:corrections@example.org"\n',
                    encoding="utf-8")
    return path


def tree_hash(repo, ref: str) -> str:
    return hashlib.sha256(git(repo, "ls-tree", "-r", ref).encode()).hexdigest()


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cycle")
    repo = make_repo(tmp / "repo")
    data = tmp / "data"
    shutil.copytree(FIXTURES / "mini-plan", data / "mini-plan")
    a = BuildOptions(data_dir=data, out_dir=tmp / "site-a", work_dir=tmp / "work-a", repo_dir=repo, citation_file=None,
                     release_file=release_file(tmp / "a.toml", "2026.1", "2026-01-15"))
    built_a = build(a)
    publish_release(a.out_dir, built_a.release, repo)
    a_tree = tree_hash(repo, "gh-pages:2026.1")
    observations = data / "mini-plan" / "data" / "observations.csv"
    observations.write_text(observations.read_text(encoding="utf-8").replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    b = dataclasses.replace(a, out_dir=tmp / "site-b", work_dir=tmp / "work-b",
                            release_file=release_file(tmp / "b.toml", "2026.2", "2026-06-15"))
    built_b = build(b)
    publish_release(b.out_dir, built_b.release, repo)
    return {"repo": repo, "a": a, "b": b, "a_tree": a_tree, "a_site": a.out_dir, "b_site": b.out_dir,
            "release_a": built_a.release}


def test_first_release_says_it_is_the_first(cycle):
    page = text_of((cycle["a_site"] / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "首个" in page or "第一" in page


def test_second_release_shows_the_revised_figure_and_the_status_change(cycle):
    zh = text_of((cycle["b_site"] / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "xa-recycled-2021" in zh and "40万吨" in zh and "55万吨" in zh
    assert "落后于计划" in zh and "按计划推进" in zh   # 55万吨 in 2021 is above the 50万吨 path value
    en = text_of((cycle["b_site"] / "en" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "2026.1" in en


def test_versions_json_lists_both_and_a_is_untouched(cycle):
    repo = cycle["repo"]
    versions = json.loads(git(repo, "show", "gh-pages:versions.json"))
    assert [v["version"] for v in versions] == ["2026.2", "2026.1"]
    assert "latest" in versions[0]["aliases"]
    assert tree_hash(repo, "gh-pages:2026.1") == cycle["a_tree"]


def test_republishing_a_with_different_data_is_refused(cycle):
    with pytest.raises(InputError) as refused:
        publish_release(cycle["b_site"], cycle["release_a"], cycle["repo"])
    assert refused.value.problems[0].code == "version-exists"
    assert tree_hash(cycle["repo"], "gh-pages:2026.1") == cycle["a_tree"]


def test_feed_of_b_carries_both_releases(cycle):
    import feedparser

    feed = feedparser.parse((cycle["b_site"] / "feed.en.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == ["https://example.org/t/2026.2/en/", "https://example.org/t/2026.1/en/"]


def _outdated_banner(page_html: str) -> str:
    """A page -> the text and link of Material's outdated-version banner (shown by its script when
    the page's version is not mike's default, `latest`)."""
    match = re.search(r'data-md-component="outdated"[^>]*>(.*?)<script', page_html, re.S)
    assert match, "no outdated banner"
    return match.group(1)


def test_an_older_release_warns_in_the_readers_language(cycle):
    """Release A, once B is published, is the older version: its English pages carry the banner in
    English with a link to the same language in latest/, its Chinese pages in Chinese."""
    from plantracker.strings import load_strings

    strings = load_strings(REPO_ROOT / "templates")
    repo = cycle["repo"]
    assert json.loads(git(repo, "show", "gh-pages:versions.json"))[0]["aliases"] == ["latest"]
    for path, lang, latest in (("2026.1/en/mini-plan/", "en", "../../../latest/en/"),
                               ("2026.1/mini-plan/", "zh", "../../latest/")):
        banner = _outdated_banner(git(repo, "show", f"gh-pages:{path}index.html"))
        words = strings[lang]
        assert (f'{words["theme_outdated"]}{words["sentence_separator"]}<a href="{latest}"><strong>'
                f'{words["theme_outdated_link"]}</strong></a>') in banner, path
        if lang == "en":
            assert not CHINESE.search(banner), banner


def test_each_language_has_its_own_site_description(cycle):
    from plantracker.strings import load_strings

    strings = load_strings(REPO_ROOT / "templates")
    for page, lang in (("index.html", "zh"), ("en/index.html", "en")):
        html = (cycle["a_site"] / page).read_text(encoding="utf-8")
        assert f'<meta name="description" content="{strings[lang]["site_description"]}">' in html, page
