"""What a long-running preview keeps from its last good build, so the next build recomputes only what
changed: each plan's query results by its package's digest, each plan's pages by the packages and
strings they are made from, each chart's files by its render inputs, each page's Markdown by
everything it is rendered from. It lives in the preview process
only (code cannot change under it) and is taken up only when a whole build has succeeded.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta

from .cache import ObjectMemo, digest
from .pages import plan_section, section_inputs
from .model import Chart, Page
from .preview_site import PreviewSite
from .query import PlanData, SiteData


def template_variables(env: jinja2.Environment) -> dict[str, set[str] | None]:
    """Page templates -> {file name: every context variable it or a template it includes, imports
    or extends reads}; None where a template is named by a variable (anything may be read)."""
    direct: dict[str, tuple[set[str], set[str | None]]] = {}
    for name in env.list_templates(extensions=["j2"]):
        tree = env.parse(env.loader.get_source(env, name)[0])
        direct[name] = (jinja2.meta.find_undeclared_variables(tree), set(jinja2.meta.find_referenced_templates(tree)))

    def closure(name: str, seen: set[str]) -> set[str] | None:
        names, referenced = direct.get(name, (set(), {None}))
        found = set(names)
        for other in referenced - seen:
            more = closure(other, seen | {other}) if other is not None else None
            if more is None:
                return None
            found |= more
        return found

    return {name: closure(name, {name}) for name in direct}


def chart_paths(files) -> list[str]:
    """A chart's ChartFiles -> every file path in it (its str fields: spec, svg, png, csv...)."""
    return [value for value in dataclasses.asdict(files).values() if isinstance(value, str)]


@dataclass
class PreviewMemory:
    """The preview's site folder and what its last good build made (see the module docstring)."""

    site: PreviewSite
    plans: dict = field(default_factory=dict)   # package folder -> (package digest, PlanData)
    sections: dict = field(default_factory=dict)  # plan id -> (digest of its section's inputs, its pages)
    tables: dict = field(default_factory=dict)  # what load() read of each file (load: `tables`)
    charts: dict = field(default_factory=dict)  # chart key -> (render inputs digest, ChartFiles)
    pages: dict = field(default_factory=dict)   # page path -> digest of what its Markdown is made from
    # Chart key -> digest of its embed page in the staging folder (assets._embeds keeps it).
    embeds: dict = field(default_factory=dict)
    _variables: tuple = ("", {})  # (templates digest, template_variables) of the last build
    # Digests (and the assets' embed values) of the Page and Chart values taken again from `sections`.
    memo: ObjectMemo = field(default_factory=ObjectMemo)
    _file_dicts: dict = field(default_factory=dict)  # ChartFiles -> dataclasses.asdict of it, for page digests
    _next: dict = field(default_factory=dict)   # what the running build makes, until remember()

    @property
    def empty(self) -> bool:
        """True before the first good build and after forget(): a build then reuses nothing."""
        return not (self.plans or self.charts or self.pages)

    def forget(self) -> None:
        """Reuse nothing next time, and build the site folder clean (a clean build on demand)."""
        self.plans, self.sections, self.charts, self.pages, self.embeds, self._next = {}, {}, {}, {}, {}, {}
        self.tables = {}
        self.memo = ObjectMemo()
        self.site.clean_next = True

    def plan_sections(self, site: SiteData, packages: dict[str, str], strings: dict) -> dict[str, list[Page]]:
        """{package folder: digest}, strings -> {plan id: its pages} for every plan: kept from the last
        good build where its section_inputs' packages, concept rows and the strings are the same,
        else made again (pages.plan_section)."""
        folders = {data.plan_id: data.package.folder.name for data in site.plans}
        strings_digest, sections, keys = digest(strings), {}, {}
        for plan in site.plans:
            plans, rows = section_inputs(site, plan)
            keys[plan.plan_id] = digest(strings_digest, [(pid, packages.get(folders.get(pid))) for pid in plans], rows)
            known = self.sections.get(plan.plan_id)
            sections[plan.plan_id] = (known[1] if known is not None and known[0] == keys[plan.plan_id]
                                      else plan_section(site, plan, strings))
        self._next["sections"] = {pid: (keys[pid], pages) for pid, pages in sections.items()}
        return sections

    def template_variables(self, templates: str, env: jinja2.Environment) -> dict:
        """template_variables(env), kept while the templates' digest stays `templates`."""
        if self._variables[0] != templates:
            self._variables = (templates, template_variables(env))
        return self._variables[1]

    def plans_to_reuse(self, packages: dict[str, str]) -> dict[str, PlanData]:
        """{package folder: digest} -> {plan id: PlanData} of the plans whose package is unchanged."""
        return {data.plan_id: data for folder, (known, data) in self.plans.items() if packages.get(folder) == known}

    def charts_to_render(self, charts: list[Chart]) -> tuple[list[Chart], dict]:
        """Every chart -> (those whose render inputs changed, {chart key: ChartFiles} of the others,
        whose files the staging folder holds from the last good build)."""
        digests = {chart.key: self.memo.get(chart, "render inputs", lambda: digest(chart.render_inputs())) for chart in charts}
        self._next["charts"] = digests
        known = {key: self.charts[key][1] for key, value in digests.items()
                 if key in self.charts and self.charts[key][0] == value}
        return [chart for chart in charts if chart.key not in known], known

    def pages_to_render(self, pages: list[Page], common: str, shared: dict, variables: dict, chart_files: dict,
                        embeds: dict, docs_dir: Path) -> list[Page]:
        """Every page -> those whose Markdown may differ from the last good build's: any of its
        inputs changed or a file is missing. `common`: a digest of what every page is rendered
        with; `shared`: values in every page's context that only some templates read (the data
        page's download list), each taken into a page's digest only if one of its templates may
        read it (`variables`: template_variables)."""
        digests, shared_digests = {}, {name: digest(value) for name, value in shared.items()}
        known, self._file_dicts = self._file_dicts, {}

        def as_dict(files):  # ChartFiles values are frozen: the same files, the same dict
            if files not in self._file_dicts:
                self._file_dicts[files] = known.get(files) or dataclasses.asdict(files)
            return self._file_dicts[files]

        for page in pages:
            read: set[str] = set()
            for name, names in variables.items():  # the page's template, or a specific one for it
                if name.startswith((f"{page.template}.", f"{page.template}-")):
                    read |= set(shared) if names is None else names
            made = self.memo.get(page, "page", lambda: digest(page.path, page.template, page.specific, page.titles,
                                                              page.contexts, [vars(chart) for chart in page.charts]))
            charts = [(as_dict(chart_files[chart.key]), embeds.get(chart.key)) for chart in page.charts]
            digests[page.path] = digest(common, [shared_digests[name] for name in sorted(read & set(shared))],
                                        made, charts)
        self._next["pages"] = digests
        return [page for page in pages if self.pages.get(page.path) != digests[page.path]
                or not all((docs_dir / f"{page.path}.{lang}.md").is_file() for lang in page.contexts)]

    def remember(self, site: SiteData, packages: dict[str, str], chart_files: dict) -> None:
        """After a good build: its plans, charts (with their files) and pages become what is reused."""
        self.plans = {data.package.folder.name: (packages[data.package.folder.name], data) for data in site.plans}
        self.sections = dict(self._next.get("sections", {}))
        kept = [page for _, pages in self.sections.values() for page in pages]
        self.memo.keep_only([*kept, *(chart for page in kept for chart in page.charts), *site.plans])
        self.charts = {key: (value, chart_files[key]) for key, value in self._next.get("charts", {}).items()}
        self.pages = dict(self._next.get("pages", {}))
        self._next = {}
