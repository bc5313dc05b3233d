"""Pages + templates -> Markdown files (`<path>.<lang>.md`) in the work docs dir."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup, escape

from .site_map import Linker

# Characters that start Markdown syntax; escaped so text from the data is shown, never interpreted.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def without_control_characters(text: str) -> str:
    """Drop C0/C1 control characters: they are not allowed in HTML (Markdown also uses two as markers)."""
    return _CONTROL.sub("", text)


def markdown_text(value) -> Markup:
    """Text from the data -> safe inside Markdown: HTML-escaped, Markdown syntax backslash-escaped,
    control characters dropped, line breaks folded (a title must stay one line)."""
    text = str(escape(without_control_characters("" if value is None else str(value))))
    text = " ".join(text.split())
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def load_strings(templates_dir: Path) -> dict[str, dict]:
    """templates/strings.yml and strings.d/*.yml -> {lang: {key: text}}."""
    strings: dict[str, dict] = {}
    # libyaml's loader when PyYAML has it: 0.01 s over these files against 0.09 s, and the build reads them four times.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in [templates_dir / "strings.yml", *sorted((templates_dir / "strings.d").glob("*.yml"))]:
        for lang, words in (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).items():
            strings.setdefault(lang, {}).update(words)
    return strings


def template_environment(templates_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment for the page templates; compiled_dir keeps their compiled code between
    builds (Jinja checks each template's source against it): compiling them all takes 0.15 s."""
    cache = None
    if compiled_dir is not None:
        compiled_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(compiled_dir))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir / "pages"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, bytecode_cache=cache)
    env.filters["md"] = markdown_text
    return env


def _template_for(env: jinja2.Environment, page) -> jinja2.Template:
    # A specific template (`target-T01.md.j2`) overrides the general one (`target.md.j2`).
    names = [f"{page.template}-{page.specific}.md.j2"] if page.specific else []
    return env.select_template([*names, f"{page.template}.md.j2"])


def render_pages(pages: list, common: dict, strings: dict, templates_dir: Path, docs_dir: Path,
                 citation, compiled_dir: Path | None = None) -> list[Path]:
    """(pages, shared context per language, strings, citation(page, lang, link) -> {text, bibtex})
    -> written Markdown paths under docs_dir. compiled_dir: see template_environment."""
    env = template_environment(templates_dir, compiled_dir)
    written = []
    for page in pages:
        template = _template_for(env, page)
        for lang, context in page.contexts.items():
            link = Linker(page.path, lang)
            full = {**common[lang], **context, "lang": lang, "t": strings[lang], "root": link.root,
                    "home": link.page("index"), "page_title": page.titles[lang], "page_path": page.path,
                    "link": link, "cite": citation(page, lang, link)}
            target = docs_dir / f"{page.path}.{lang}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template.render(full), encoding="utf-8")
            written.append(target)
    return written
