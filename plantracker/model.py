"""The values the page step makes: a Page (finished context per language) and the Charts it shows.

A module of its own, outside the `pages` package: the chart workers unpickle Charts, and importing
the package would load its queries, the data contract and DuckDB in every worker (a quarter of a
CPU second each)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    """One chart in one language, as the page step decides it: what to draw and what it says.

    `kind` names a function in charts.kinds.CHART_KINDS; `rows` are in display units; `labels` hold
    the chart's words (title, subtitle, axis titles, description...); `columns` are the CSV's
    columns in order; `table` the rows of the HTML table under the chart; `caveats` the sentences
    that travel with the figure wherever the chart goes. `page` is the doc path of the page that
    shows it (an embed links back there).
    """

    plan_id: str
    chart_id: str
    kind: str
    lang: str
    page: str
    title: str
    summary: str
    rows: list[dict]
    labels: dict
    columns: list[str]
    table: list[dict] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        """(plan id, chart id, language): unique across the site."""
        return (self.plan_id, self.chart_id, self.lang)

    def render_inputs(self) -> dict:
        """Everything the chart's files depend on (spec, SVG, PNG, CSV), for the content cache."""
        return {"plan_id": self.plan_id, "chart_id": self.chart_id, "kind": self.kind, "lang": self.lang,
                "rows": self.rows, "labels": self.labels, "columns": self.columns}


@dataclass
class Page:
    """One page of the site in every language: doc path, template and finished values.

    `contexts[lang]` is the template context (finished values: numbers formatted, links
    resolved); it is complete when the page step returns and never changed after. `charts` are
    the Chart values the page shows, in every language, in the order shown.
    """

    path: str                      # doc path without language suffix: "<plan>/targets/T01"
    template: str                  # general template name ("target"); "<template>-<specific>" wins if present
    specific: str = ""
    titles: dict = field(default_factory=dict)     # lang -> page title (nav and <h1>)
    contexts: dict = field(default_factory=dict)   # lang -> page-specific context
    charts: list[Chart] = field(default_factory=list)

    def charts_in(self, lang: str) -> list[Chart]:
        return [chart for chart in self.charts if chart.lang == lang]
