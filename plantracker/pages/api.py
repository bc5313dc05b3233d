"""The API page (templates/pages/api.md.j2): where the static JSON API lives and how to use it."""
from __future__ import annotations

from ..load import RESOURCES
from ..settings import COMPILATION_LICENCE_URL, Release
from ..site_map import API, STATUS, api_path


def api_examples(base_url: str, plan_id: str) -> dict[str, str]:
    """(a release's base URL, one plan id) -> example code for the API page: curl, Python, DuckDB.

    tests/test_api.py runs each one against files written by assets.api.write_api, so the page cannot drift.
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
        "licence_url": COMPILATION_LICENCE_URL,
    }
