"""templates/strings.yml and strings.d/*.yml -> the interface strings, {lang: {key: text}}, read once
per build and passed to every stage that words something (pages, assets, render); and which
language a piece of free text is written in."""
from __future__ import annotations

import re
from pathlib import Path

import yaml


def load_strings(templates_dir: Path) -> dict[str, dict]:
    """templates/strings.yml and strings.d/*.yml -> {lang: {key: text}}."""
    strings: dict[str, dict] = {}
    # libyaml's loader when PyYAML has it: 0.01 s over these files against 0.09 s.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in [templates_dir / "strings.yml", *sorted((templates_dir / "strings.d").glob("*.yml"))]:
        for lang, words in (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).items():
            strings.setdefault(lang, {}).update(words)
    return strings


# Han characters, CJK punctuation and full-width forms: text in Chinese.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def written_in(text: str) -> str:
    """Free text with no language field (a package's `sources` titles) -> "zh" when it holds
    Chinese characters, else "en"."""
    return "zh" if CHINESE.search(text or "") else "en"
