"""Render stage: pages, their charts' files and the assets -> Markdown files (`<path>.<lang>.md`) in
the work docs dir, through the Jinja templates in `templates/pages/`."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup, escape

from .assets import Assets
from .model import Page
from .site_map import Linker
from .cache import code_version, write_if_changed
from .strings import CHINESE
from .text_safety import printed_value, without_control_characters

# Characters that start Markdown syntax; escaped so text from the data is shown, never interpreted.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def markdown_text(value) -> Markup:
    """Text from the data -> safe inside Markdown: HTML-escaped, Markdown syntax backslash-escaped,
    control characters dropped, line breaks folded (a title must stay one line). `?` becomes an
    entity: it cannot be backslash-escaped, and `??? type` at a line start opens a details block.
    Quotes stay characters (html.escape quote=False): the `#` of "&#39;" would be backslash-escaped
    and the reader would see the entity; this text never lands in an attribute."""
    text = html.escape(without_control_characters("" if value is None else str(value)), quote=False)
    text = " ".join(text.split())
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("?", "&#63;"))


@jinja2.pass_context
def chinese_marked(context, value) -> Markup:
    """Text on a page -> HTML-escaped, each run of Chinese in it (a unit as the source printed it:
    "1.5 亿吨 (150 million tonnes)", a Chinese phrase quoted in an English note) in <span lang="zh">
    on a page in another language, so screen readers and fonts treat it as Chinese. Text already
    escaped (Markup, e.g. from `md`) is kept as it is."""
    text = escape("" if value is None else value)  # Markup (from `md`) stays as it is; str() would escape it twice
    if context.get("lang") == "zh":
        return text
    return Markup(CHINESE.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', str(text)))


def template_environment(templates_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment for the page templates; compiled_dir keeps their compiled code between
    builds (Jinja checks each template's source against it), in a folder per version of this
    environment: compiling them all takes 0.15 s, on the build's critical path."""
    folder = _compiled_folder(compiled_dir) if compiled_dir is not None else None
    # auto_reload off: templates do not change during a build, and checking each template's file
    # at each of its tens of thousands of includes costs a tenth of the render stage.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir / "pages"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True,
                             bytecode_cache=_KeptBytecode(str(folder)) if folder else None,
                             finalize=printed_value, auto_reload=False)
    env.filters["md"] = markdown_text
    env.filters["chinese_marked"] = chinese_marked
    return env


class _KeptBytecode(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, which a build never fails for: the folder is shared by every build on
    the machine (pipeline: cache.machine_cache_dir()), and a build of another version may remove
    it; a damaged file (cut short: Jinja unpickles part of it unguarded) is compiled again and rewritten."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file (Jinja guards only part of it): compiled again, rewritten
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_folder(compiled_dir: Path) -> Path | None:
    """compiled_dir -> its folder for code compiled by this environment (other versions' folders are
    removed), or None where it cannot be made. Jinja checks a compiled template against its source
    only, yet the code also depends on the environment (`finalize`, filters, autoescape), which
    this module and the installed Jinja decide."""
    folder = Path(compiled_dir) / code_version(["render.py", "text_safety.py"], ["jinja2", "markupsafe"])[:32]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for other in Path(compiled_dir).iterdir():
        if other != folder:
            if other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)
    return folder


def _template_for(env: jinja2.Environment, page) -> jinja2.Template:
    # A specific template (`target-T01.md.j2`) overrides the general one (`target.md.j2`).
    names = [f"{page.template}-{page.specific}.md.j2"] if page.specific else []
    return env.select_template([*names, f"{page.template}.md.j2"])


def _chart_view(chart, files, embed) -> dict:
    """A Chart, its files and its embed box -> what _chart.md.j2 shows."""
    return {"chart_id": chart.chart_id, "title": chart.title, "summary": chart.summary, "table": chart.table,
            "caveats": chart.caveats, "files": files, "embed": embed}


def render_pages(pages: list[Page], chart_files: dict, assets: Assets, common: dict, strings: dict,
                 templates_dir: Path, docs_dir: Path, citation: Callable, compiled_dir: Path | None = None) -> list[Path]:
    """(pages, each chart's files by chart key, assets, shared context per language, strings,
    citation(page, lang, link) -> {text, bibtex}) -> the Markdown paths under docs_dir (each written
    only when its bytes changed).

    Besides a page's own context a template gets `charts` (its charts with their files and embed
    boxes, in order) and `downloads` (the data page's file list). compiled_dir: see template_environment.
    """
    env = template_environment(templates_dir, compiled_dir)
    written = []
    for page in pages:
        template = _template_for(env, page)
        for lang, context in page.contexts.items():
            link = Linker(page.path, lang)
            charts = [_chart_view(chart, chart_files[chart.key], assets.embeds.get(chart.key))
                      for chart in page.charts_in(lang)]
            full = {**common[lang], **context, "lang": lang, "t": strings[lang], "root": link.root,
                    "home": link.page("index"), "page_title": page.titles[lang], "page_path": page.path,
                    "link": link, "cite": citation(page, lang, link), "charts": charts,
                    "downloads": assets.downloads}
            target = docs_dir / f"{page.path}.{lang}.md"
            # Only when the bytes differ: an unchanged page keeps its modification time, so MkDocs'
            # dirty build (the preview) does not render it again.
            write_if_changed(target, template.render(full).encode("utf-8"))
            written.append(target)
    return written
