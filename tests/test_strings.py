"""The interface string tables (templates/strings.yml, templates/strings.d/*.yml): both languages
say the same things, and every key the templates and the code use exists."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from plantracker.pipeline import REPO_ROOT
from plantracker.strings import load_strings

TEMPLATES = REPO_ROOT / "templates"
STRING_FILES = [TEMPLATES / "strings.yml", *sorted((TEMPLATES / "strings.d").glob("*.yml"))]
LANGUAGES = ("zh", "en")
# Chinese joins sentences with nothing between them (each ends with "。"); English with a space.
# A level to reach is shown as the figure alone, as the plan words it ("8亿吨").
MAY_BE_EMPTY = {("zh", "sentence_separator"), ("zh", "comparison_reach"), ("en", "comparison_reach")}
# Each language's citation form picks which of the fields it is given to print (English: the year).
OWN_PLACEHOLDERS = {"cite_text"}

# Literal keys: t.key, t["key"], t['key'] (templates); t["key"], strings[lang]["key"], t.get("key"),
# words["zh"]["key"], _both(x, "key"), counted("key", ...) (code).
TEMPLATE_KEY = re.compile(r"""\bt(?:\.(\w+)|\[\s*["'](\w+)["']\s*\])""")
TEMPLATE_PREFIX = re.compile(r"""\bt\[\s*["'](\w+)["']\s*~""")
CODE_KEY = re.compile(r"""\b(?:t|strings\[\w+\]|words\[["']\w+["']\]|zh|en|w)\[\s*["'](\w+)["']\s*\]"""
                      r"""|\bt\.get\(\s*["'](\w+)["']|\b_both\(\s*\w+,\s*["'](\w+)["']\)|\bcounted\(\s*["'](\w+)["']""")
CODE_PREFIX = re.compile(r"""\bt(?:\.get\()?\[?\s*(?:f["'](\w+?)\{|["'](\w+)["']\s*\+)""")
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def _tables(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("path", STRING_FILES, ids=lambda p: p.name)
def test_each_file_says_the_same_things_in_both_languages(path):
    tables = _tables(path)
    assert sorted(tables) == sorted(LANGUAGES), f"{path.name}: top-level keys must be exactly zh and en"
    zh, en = tables["zh"], tables["en"]
    assert all(isinstance(k, str) for k in [*zh, *en]), (
        f"{path.name}: a key YAML reads as a non-string (quote yes/no/on/off): "
        f"{[k for k in [*zh, *en] if not isinstance(k, str)]}")
    assert sorted(set(zh) - set(en)) == [] and sorted(set(en) - set(zh)) == [], (
        f"{path.name}: only in zh {sorted(set(zh) - set(en))}, only in en {sorted(set(en) - set(zh))}")
    for lang, words in tables.items():
        for key, text in words.items():
            assert isinstance(text, str), f"{path.name}: {lang}.{key} is not text"
            assert text or (lang, key) in MAY_BE_EMPTY, f"{path.name}: {lang}.{key} is empty"
    for key in set(zh) - OWN_PLACEHOLDERS:
        assert _fields(zh[key]) == _fields(en[key]), f"{path.name}: {key} has other placeholders in zh and en"


def test_no_key_is_defined_twice_across_files():
    seen: dict[str, str] = {}
    for path in STRING_FILES:
        for key in _tables(path)["zh"]:
            assert key not in seen, f"{key} is in both {seen[key]} and {path.name}"
            seen[key] = path.name


def _template_files() -> list[Path]:
    return [*sorted((TEMPLATES / "pages").glob("*.j2")), TEMPLATES / "embed.html.j2"]


def _code_files() -> list[Path]:
    return sorted((REPO_ROOT / "plantracker").rglob("*.py"))


def test_every_key_the_templates_use_exists():
    strings = load_strings(TEMPLATES)
    missing, used = [], 0
    for path in _template_files():
        expressions = " ".join(JINJA_EXPRESSION.findall(path.read_text(encoding="utf-8")))
        for match in TEMPLATE_KEY.finditer(expressions):
            key = match.group(1) or match.group(2)
            if key in ("get", "items", "keys"):
                continue
            used += 1
            missing += [f"{path.name}: t.{key} ({lang})" for lang in LANGUAGES if key not in strings[lang]]
        for prefix in TEMPLATE_PREFIX.findall(expressions):
            missing += [f"{path.name}: t[{prefix!r} ~ ...] ({lang})" for lang in LANGUAGES
                        if not any(k.startswith(prefix) for k in strings[lang])]
    assert used > 100, "the pattern no longer finds the templates' keys"
    assert not missing, "\n".join(missing)


def test_every_key_the_code_uses_exists():
    strings = load_strings(TEMPLATES)
    missing, used = [], 0
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        for match in CODE_KEY.finditer(text):
            key = next(g for g in match.groups() if g)
            used += 1
            forms = [key, f"{key}_one"] if match.group(4) else [key]  # counted() takes the plural forms
            missing += [f"{path.relative_to(REPO_ROOT)}: {form} ({lang})"
                        for form in forms for lang in LANGUAGES if form not in strings[lang]]
        for match in CODE_PREFIX.finditer(text):
            prefix = match.group(1) or match.group(2)
            missing += [f"{path.relative_to(REPO_ROOT)}: {prefix}... ({lang})" for lang in LANGUAGES
                        if not any(k.startswith(prefix) for k in strings[lang])]
    assert used > 50, "the pattern no longer finds the code's keys"
    assert not missing, "\n".join(missing)


def test_no_interface_words_are_chosen_by_language_in_templates():
    """Words and punctuation per language come from the string tables, not from `lang == ...`
    conditions in page templates (the whole-page prose of about and methodology excepted)."""
    chosen = re.compile(r"""["'][^"']*["']\s+if\s+lang\s*[!=]=|if\s+lang\s*[!=]=\s*["']\w+["']\s+else\s+["']""")
    offenders = [f"{path.name}: {m.group(0)}" for path in _template_files()
                 for m in chosen.finditer(path.read_text(encoding="utf-8"))
                 if path.name not in ("about.md.j2", "methodology.md.j2", "embed.html.j2")]
    assert not offenders, "\n".join(offenders)


def test_each_language_takes_its_own_punctuation():
    """Chinese strings use full-width colons, semicolons, commas and brackets next to Chinese
    text; English strings hold no Chinese (a page would show it unmarked)."""
    strings = load_strings(TEMPLATES)
    half_width = re.compile(r"[\u4e00-\u9fff][:;,(]|[:;,)]\s*[\u4e00-\u9fff]|[\u4e00-\u9fff]\)")
    chinese = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    wrong = [f"zh.{k}: {v}" for k, v in strings["zh"].items() if half_width.search(v)]
    wrong += [f"en.{k}: {v}" for k, v in strings["en"].items() if chinese.search(v)]
    assert not wrong, "\n".join(wrong)
