"""DuckDB tables + Release -> the static JSON API in the staging folder (api/...), and the API page.

Predictable URLs under each release (`<site_url><version>/`, or `<site_url>latest/` for the newest):

| file | rows |
|---|---|
| `api/plans.json` | one per plan: titles, period, region, links to its API files, downloads and pages |
| `api/<plan>/<resource>.json` | exactly the rows of the package's `data/<resource>.csv` (every resource) |
| `api/<plan>/status.json` | one per target: status, latest figure, share, required value (base units) |

Every file is one object: `release`, `released`, `release_url`, `licence`, `licence_url`, `url` (its
own permanent URL), `source_ids` (every source id its rows cite), `unit_note` where values carry units,
`fields` (Table Schema fields, resource files only) and `rows`. Envelope keys are sorted; row keys keep
the package's column order; no clock is read, so one commit always gives the same bytes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from .exports import json_value
from .load import RESOURCES
from .query import run_query
from .settings import Release

API = "api"
LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
STATUS = "status"
# Status values are computed (value x factor, shares): 12 significant digits drop binary noise
# such as 1370000000.0000002 and keep every digit a source can print.
SIGNIFICANT = 12

UNIT_NOTES = {
    "targets": {
        "zh": "value 与 baseline_value 按来源原样记录，单位见 unit_id 与 baseline_unit_id；units.json 给出各单位换算到基本单位的系数（factor）。",
        "en": "value and baseline_value are as the source printed them, in unit_id and baseline_unit_id; "
              "units.json gives each unit's factor to its dimension's base unit.",
    },
    "observations": {
        "zh": "value 按来源原样记录，单位见 unit_id；units.json 给出各单位换算到基本单位的系数（factor）。",
        "en": "value is as the source printed it, in unit_id; units.json gives each unit's factor to its "
              "dimension's base unit.",
    },
    STATUS: {
        "zh": "target_value、baseline_value、latest_value、required_value 均已换算为基本单位，见 unit_id"
              "（该量纲中 factor 为 1 的单位）；share_reached 是最新数值与目标值之比（1 = 100%）。",
        "en": "target_value, baseline_value, latest_value and required_value are in the base unit named by "
              "unit_id (the unit of that dimension whose factor is 1); share_reached is latest_value / "
              "target_value (1 = 100%).",
    },
}


def api_path(plan_id: str | None, name: str) -> str:
    """(plan id or None, file name without .json) -> the file's path under the site root."""
    return f"{API}/{plan_id}/{name}.json" if plan_id else f"{API}/{name}.json"


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
                "licence": LICENCE, "licence_url": LICENCE_URL, "url": release.url + path,
                "source_ids": _source_ids(rows), "rows": rows, **extra}
    target = static_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(document.items())), ensure_ascii=False, indent=1, allow_nan=False)
    target.write_text(text + "\n", encoding="utf-8", newline="\n")
    return target


def _status_rows(con: duckdb.DuckDBPyConnection, plan_id: str) -> list[dict]:
    base_units = {r["dimension"]: r["unit_id"] for r in run_query(con, "api_base_units", plan_id=plan_id)}
    rows = []
    for row in run_query(con, "target_progress"):
        if row["plan_id"] != plan_id:
            continue
        rows.append({
            "target_id": row["target_id"], "indicator_id": row["indicator_id"], "region_id": row["region_id"],
            "target_year": row["target_year"], "comparison": row["comparison"], "headline": row["headline"],
            "dimension": row["dimension"], "unit_id": base_units.get(row["dimension"]),
            "target_value": _computed(row["target_value"]),
            "baseline_year": row["baseline_year"], "baseline_value": _computed(row["baseline_value"]),
            "latest_year": row["latest_year"], "latest_value": _computed(row["latest_value"]),
            "latest_qualifier": row["latest_qualifier"], "latest_observation_id": row["latest_observation_id"],
            "latest_source_id": row["latest_source_id"], "reported_count": row["reported_count"],
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


def write_api(con: duckdb.DuckDBPyConnection, static_dir: Path, release: Release) -> list[Path]:
    """(connection from load_packages, staging folder, release) -> written API files, plans.json last."""
    written = []
    plans = run_query(con, "api_plans")
    for plan in plans:
        pid = plan["plan_id"]
        resources = {r["name"]: r for r in json.loads(plan["descriptor"])["resources"]}
        for name in RESOURCES:
            extra = {"plan_id": pid, "resource": name, "fields": resources[name]["schema"]["fields"]}
            if name in UNIT_NOTES:
                extra["unit_note"] = UNIT_NOTES[name]
            written.append(_write(static_dir, api_path(pid, name), release,
                                  run_query(con, f"api_{name}", plan_id=pid), **extra))
        written.append(_write(static_dir, api_path(pid, STATUS), release, _status_rows(con, pid),
                              plan_id=pid, resource=STATUS, unit_note=UNIT_NOTES[STATUS]))
    written.append(_write(static_dir, api_path(None, "plans"), release, [_plan_row(p, release) for p in plans]))
    return written


# --- The API page (templates/pages/api.md.j2) -------------------------------------------------

def api_examples(base_url: str, plan_id: str) -> dict[str, str]:
    """(a release's base URL, one plan id) -> example code for the API page: curl, Python, DuckDB.

    tests/test_api.py runs each one against files written by write_api, so the page cannot drift.
    """
    status = base_url + api_path(plan_id, STATUS)
    observations = base_url + api_path(plan_id, "observations")
    return {
        "curl": f"curl -sS {base_url}{api_path(None, 'plans')}\ncurl -sS {status}",
        "python": (
            "import json\n"
            "from urllib.request import urlopen\n"
            f'with urlopen("{status}") as response:\n'
            "    status = json.load(response)\n"
            'print(status["release"], status["released"])\n'
            'for row in status["rows"]:\n'
            '    print(row["target_id"], row["status"], row["latest_value"], row["unit_id"])'
        ),
        "duckdb": (
            "-- rows are nested under \"rows\": unnest them into a table\n"
            "select unnest(rows, recursive := true)\n"
            f"from read_json('{observations}');"
        ),
        "duckdb_status": (
            "select s.target_id, s.status, s.share_reached\n"
            f"from (select unnest(rows) as s from read_json('{status}'))\n"
            "order by s.target_id;"
        ),
    }


def api_page_context(plan_ids: list[str], release: Release) -> dict:
    """(plan ids, release) -> finished values (URLs and code) for api.md.j2, as `api`."""
    latest = release.latest_url
    example = plan_ids[0] if plan_ids else "<plan>"
    files = [{"path": api_path(None, "plans"), "key": "api_about_plans"}]
    files += [{"path": api_path("<plan>", name), "key": f"api_about_{name}"} for name in [*RESOURCES, STATUS]]
    return {
        "base": release.url, "latest": latest, "version": release.version,
        "files": files,
        "plans": [{"id": pid, "status": release.url + api_path(pid, STATUS),
                   "observations": release.url + api_path(pid, "observations")} for pid in plan_ids],
        "plans_url": release.url + api_path(None, "plans"),
        "latest_plans_url": latest + api_path(None, "plans"),
        "releases_url": release.url + f"{API}/releases.json",
        "examples": api_examples(release.url, example),
        "licence_url": LICENCE_URL,
    }


def api_page(plan_ids: list[str], release: Release, strings: dict):
    """(plan ids, release, strings) -> the API page (doc path `api`, template `api`) in every language."""
    from .pages import Page
    from .site_map import LANGUAGES

    context = api_page_context(plan_ids, release)
    return Page("api", "api", titles={lang: strings[lang]["api"] for lang in LANGUAGES},
                contexts={lang: {"api": context} for lang in LANGUAGES})
