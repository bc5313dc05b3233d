"""DuckDB tables + Release -> the static JSON API in the staging folder (api/...), and the API page.

Predictable URLs under each release (`<site_url><version>/`, or `<site_url>latest/` for the newest):

| file | rows |
|---|---|
| `api/plans.json` | one per plan: titles, period, region, links to its API files, downloads and pages |
| `api/<plan>/<resource>.json` | exactly the rows of the package's `data/<resource>.csv` (every resource) |
| `api/<plan>/status.json` | one per target: status, latest figure, newest forecast, share, required value (base units) |

Every file is one object: `release`, `released`, `release_url`, `licence`, `licence_url`, `url` (its
own permanent URL), `source_ids` (every source id its rows cite), `unit_note` where values carry units,
`fields` (Table Schema fields, resource files only) and `rows`. Envelope keys are sorted; row keys keep
the package's column order; no clock is read, so one commit always gives the same bytes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Collection

from ..load import RESOURCES, Database
from ..query import PlanData, SiteData, run_query
from ..settings import COMPILATION_LICENCE, COMPILATION_LICENCE_URL, Release
from ..site_map import LANGUAGES, STATUS, api_path
from .exports import json_value

# Status values are computed (value x factor, shares): 12 significant digits drop binary noise
# such as 1370000000.0000002 and keep every digit a source can print.
SIGNIFICANT = 12
# Files whose values carry units get a note saying which (strings: api_unit_note_<name>).
UNIT_NOTED = ("targets", "observations", STATUS)


def _computed(value: Any) -> Any:
    return float(f"{value:.{SIGNIFICANT}g}") if isinstance(value, float) else value


def _source_ids(rows: list[dict]) -> list[str]:
    """Every value of a `source_id` or `*_source_id` column, sorted, once."""
    return sorted({v for row in rows for k, v in row.items()
                   if (k == "source_id" or k.endswith("_source_id")) and v})


def _write(static_dir: Path, path: str, release: Release, rows: list[dict], **extra) -> Path:
    # exports.json_value, as the JSON downloads write values (whole numbers as integers: 41, not
    # 41.0): a value read from the API and from downloads/<plan>/<resource>.json is the same text.
    rows = [{k: json_value(v) for k, v in row.items()} for row in rows]
    document = {"release": release.version, "released": release.date.isoformat(), "release_url": release.url,
                "licence": COMPILATION_LICENCE, "licence_url": COMPILATION_LICENCE_URL, "url": release.url + path,
                "source_ids": _source_ids(rows), "rows": rows, **extra}
    target = static_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(document.items())), ensure_ascii=False, indent=1, allow_nan=False)
    target.write_text(text + "\n", encoding="utf-8", newline="\n")
    return target


def _base_units(plan: PlanData) -> dict[str, str]:
    """Dimension -> its base unit (factor 1; the first id in order when several), in which
    target_progress.sql states every value."""
    units: dict[str, str] = {}
    for unit in plan.units.units.values():
        if float(unit["factor"]) == 1.0:
            units[unit["dimension"]] = min(units.get(unit["dimension"], unit["unit_id"]), unit["unit_id"])
    return units


def _status_rows(plan: PlanData) -> list[dict]:
    base_units = _base_units(plan)
    rows = []
    for row in plan.progress.values():
        rows.append({
            "target_id": row["target_id"], "indicator_id": row["indicator_id"], "region_id": row["region_id"],
            "target_year": row["target_year"], "comparison": row["comparison"], "headline": row["headline"],
            "dimension": row["dimension"], "unit_id": base_units.get(row["dimension"]),
            "target_value": _computed(row["target_value"]),
            "baseline_year": row["baseline_year"], "baseline_value": _computed(row["baseline_value"]),
            "baseline_qualifier": row["baseline_qualifier"],
            "latest_year": row["latest_year"], "latest_value": _computed(row["latest_value"]),
            "latest_qualifier": row["latest_qualifier"], "latest_observation_id": row["latest_observation_id"],
            "latest_source_id": row["latest_source_id"],
            # the newest forecast of the same series: published beside the status, never counted in it
            "forecast_year": row["forecast_year"], "forecast_value": _computed(row["forecast_value"]),
            "forecast_observation_id": row["forecast_observation_id"], "forecast_source_id": row["forecast_source_id"],
            "reported_count": row["reported_count"],
            "share_reached": _computed(row["share_reached"]), "required_value": _computed(row["required_value"]),
            "status": row["status"], "status_reason": row["status_reason"],
        })
    return rows


def _plan_row(plan: dict, release: Release) -> dict:
    pid = plan["plan_id"]
    descriptor = json.loads(plan["descriptor"])
    names = [r["name"] for r in descriptor["resources"]]
    base = release.url
    return {
        "plan_id": pid,
        "title": {"zh": plan["title_zh"], "en": plan["title_en"]},
        "short_title": {"zh": plan["short_title_zh"], "en": plan["short_title_en"]},
        "issuer": {"zh": plan["issuer_zh"], "en": plan["issuer_en"]},
        "issued": plan["issued"],
        "period_start": plan["period_start"], "period_end": plan["period_end"],
        "region_id": plan["region_id"],
        "region_name": {"zh": plan["region_name_zh"], "en": plan["region_name_en"]},
        "predecessor": plan["predecessor"],
        "source_id": plan["source_id"],
        "links": {
            "pages": {"zh": f"{base}{pid}/", "en": f"{base}en/{pid}/"},
            "api": {name: base + api_path(pid, name) for name in [*names, STATUS]},
            "downloads": {
                "datapackage": f"{base}downloads/{pid}/datapackage.json",
                "zip": f"{base}downloads/{pid}/{pid}.zip",
                "xlsx": f"{base}downloads/{pid}/{pid}.xlsx",
                "csv": {name: f"{base}downloads/{pid}/{name}.csv" for name in names},
            },
        },
    }


def write_api(db: Database, site: SiteData, static_dir: Path, release: Release, strings: dict,
              only: Collection[str] | None = None) -> list[Path]:
    """(loaded database, query results, staging folder, release, interface strings) -> written API
    files, plans.json last. `only`: the plan ids whose own files to write (default: every plan);
    plans.json is always written (the build keeps each plan's files in its content store)."""
    notes = {name: {lang: strings[lang][f"api_unit_note_{name}"] for lang in LANGUAGES} for name in UNIT_NOTED}
    written = []
    plans = run_query(db.con, "api_plans")
    by_id = {plan.plan_id: plan for plan in site.plans}
    for plan in plans:
        pid = plan["plan_id"]
        if only is not None and pid not in only:
            continue
        resources = {r["name"]: r for r in json.loads(plan["descriptor"])["resources"]}
        for name in RESOURCES:
            extra = {"plan_id": pid, "resource": name, "fields": resources[name]["schema"]["fields"]}
            if name in notes:
                extra["unit_note"] = notes[name]
            names = [f["name"] for f in resources[name]["schema"]["fields"]]
            rows = run_query(db.con, "resource_rows", table=name, plan_id=pid, columns=names)
            written.append(_write(static_dir, api_path(pid, name), release,
                                  [{n: row[n] for n in names} for row in rows], **extra))
        written.append(_write(static_dir, api_path(pid, STATUS), release, _status_rows(by_id[pid]),
                              plan_id=pid, resource=STATUS, unit_note=notes[STATUS]))
    written.append(_write(static_dir, api_path(None, "plans"), release, [_plan_row(p, release) for p in plans]))
    return written
