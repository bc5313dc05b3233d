"""Changes -> the "What changed" page (finished values per language)."""
from __future__ import annotations

from ..changes import Changes
from ..text_safety import web_address


def changes_page_context(changes: Changes, lang: str, *, previous_url: str | None = None) -> dict:
    """Changes + language -> finished values for templates/pages/changes.md.j2."""
    figures = {change: [_figure_row(changes, row, lang, change) for row in changes.of_kind(change)]
               for change in ("added", "revised", "removed")}
    statuses = [{
        "plan": row[f"plan_{lang}"] or row["plan_id"],
        "target_id": row["target_id"],
        "indicator": row[f"indicator_{lang}"] or "",
        "region": row[f"region_{lang}"] or "",
        "target_year": str(row["target_year"]),
        "old_status": row["old_status"],
        "new_status": row["new_status"],
    } for row in changes.status_changes]
    return {
        "first_release": changes.first_release,
        "previous_version": changes.previous_version,
        "previous_url": previous_url,
        "nothing_changed": not changes.first_release and not changes.figures and not statuses,
        **figures,
        "status_changes": statuses,
    }


def _figure_row(changes: Changes, row: dict, lang: str, change: str) -> dict:
    old, new = changes.value_text(row, "old", lang), changes.value_text(row, "new", lang)
    source = _source(row["old_source_title"], row["old_source_url"], row["old_source_id"]) if change == "removed" \
        else _source(row["new_source_title"], row["new_source_url"], row["new_source_id"])
    previous_source = None
    if change == "revised" and row["old_source_id"] != row["new_source_id"]:
        previous_source = _source(row["old_source_title"], row["old_source_url"], row["old_source_id"])
    return {
        "kind": row["kind"],
        "plan": row[f"plan_{lang}"] or row["plan_id"],
        "figure_id": row["figure_id"],
        "indicator": row[f"indicator_{lang}"] or "",
        "region": row[f"region_{lang}"] or "",
        "year": "" if row["year"] is None else str(row["year"]),
        "old": old,
        "new": new,
        "source": source,
        "previous_source": previous_source,
    }


def _source(title: str | None, url: str | None, source_id: str | None) -> dict | None:
    """A source link; only web addresses become links (never `javascript:` and the like)."""
    if source_id is None:
        return None
    return {"title": title or source_id, "url": web_address(url)}
