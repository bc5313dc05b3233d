"""The data package contract in words, zh and en, for the downloads: resource and field descriptions.

They come from the contract (plantracker/contract.yml), the same for every plan. A field's own
`description` in datapackage.json, where present, is shown beside them.
"""
from __future__ import annotations

from ..contract import CONTRACT


def describe_resource(resource: str) -> tuple[str, str]:
    """Resource name -> (zh, en) description; empty strings for a resource the contract lacks."""
    spec = CONTRACT.resources.get(resource)
    return (spec.description["zh"], spec.description["en"]) if spec else ("", "")


def describe_field(resource: str, field: str) -> tuple[str, str]:
    """Resource and field name -> (zh, en) description; empty strings for a field the contract lacks."""
    spec = CONTRACT.resources.get(resource)
    description = spec.fields[field].description if spec and field in spec.fields else {}
    return description.get("zh", ""), description.get("en", "")
