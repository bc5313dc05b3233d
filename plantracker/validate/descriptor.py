"""Checks on a package descriptor: the contract, the `plan` object, resource paths and Table Schemas -> problems."""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from frictionless import Package

from ..problems import Problem
from .tables import YEAR_MAX, YEAR_MIN, did_you_mean, year_problem

# Field types of the Table Schema specification (frictionless reports an unknown one without the resource).
TABLE_SCHEMA_TYPES = ("string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
                      "year", "yearmonth", "duration", "geopoint", "geojson", "any")

# The data package contract (ARCHITECTURE.md): resource -> its fields, and foreign keys field -> resource.
CONTRACT_FIELDS = {
    "units": "unit_id dimension factor label_zh label_en display_zh display_en",
    "regions": "region_id name_zh name_en kind member_of tile_x tile_y note_zh note_en",
    "indicators": "indicator_id name_zh name_en definition_zh definition_en unit_id plan_wording_zh "
                  "comparable_to comparability_zh comparability_en concept",
    "targets": "target_id indicator_id region_id target_year comparison value unit_id baseline_year "
               "baseline_value baseline_unit_id baseline_source_id headline wording_zh summary_en source_id "
               "quote note_zh note_en",
    "observations": "observation_id indicator_id region_id year value unit_id qualifier kind source_id quote "
                    "note_zh note_en",
    "sites": "site_id name_zh name_en region_id city_zh city_en kind_zh kind_en target_id named_in_plan year "
             "source_id quote note_zh note_en",
    "sources": "source_id title publisher url published accessed authority reprint_of original language note",
}
CONTRACT_FOREIGN_KEYS = {
    "regions": {"member_of": "regions"},
    "indicators": {"unit_id": "units", "comparable_to": "indicators"},
    "targets": {"indicator_id": "indicators", "region_id": "regions", "unit_id": "units",
                "baseline_unit_id": "units", "baseline_source_id": "sources", "source_id": "sources"},
    "observations": {"indicator_id": "indicators", "region_id": "regions", "unit_id": "units",
                     "source_id": "sources"},
    "sites": {"region_id": "regions", "target_id": "targets", "source_id": "sources"},
    "sources": {"reprint_of": "sources"},
}
PRIMARY_KEYS = {name: fields.split()[0] for name, fields in CONTRACT_FIELDS.items()}

BILINGUAL_PLAN_KEYS = ("title", "short_title", "description", "issuer", "issued_note", "licence_note")
PLAN_KEYS = BILINGUAL_PLAN_KEYS + ("issued", "period_start", "period_end", "region_id", "predecessor",
                                   "source_id", "order")
_CONTRACT_HINT = "see the data package contract in ARCHITECTURE.md"


def check_package_metadata(descriptor: dict, folder: str, file: str) -> list[Problem]:
    """Descriptor -> problems with its standard properties (Frictionless profile) and its name."""
    problems = []
    standard = {k: v for k, v in descriptor.items() if k not in ("resources", "profile", "plan")}
    standard["resources"] = [{"name": "placeholder", "path": "placeholder.csv"}]  # resources are checked apart
    for error in Package.validate_descriptor(standard).flatten(["note", "message"]):
        problems.append(Problem(file, None, None, "invalid-descriptor", error[0] or error[1],
                                "correct the property (Data Package specification)"))
    if descriptor.get("name") != folder:
        problems.append(Problem(file, None, "name", "name-mismatch",
                                f'package name "{descriptor.get("name")}" is not its folder name "{folder}"',
                                "the name is the plan id: rename the folder or the package"))
    return problems


def check_plan(descriptor: dict, file: str) -> list[Problem]:
    """Descriptor -> problems with its `plan` object (presence, keys, value types); ids are checked later."""
    plan = descriptor.get("plan")
    if not isinstance(plan, dict):
        return [Problem(file, None, "plan", "missing-plan", 'the descriptor has no "plan" object',
                        f'add a "plan" object with {", ".join(PLAN_KEYS)} ({_CONTRACT_HINT})')]
    problems = []
    for key in PLAN_KEYS:
        if key not in plan:
            problems.append(Problem(file, None, f"plan.{key}", "missing-plan-key", f'plan has no "{key}"',
                                    f"add it ({_CONTRACT_HINT})"))
    for key in plan:
        if key not in PLAN_KEYS:
            problems.append(Problem(file, None, f"plan.{key}", "unknown-plan-key", f'unknown plan key "{key}"',
                                    did_you_mean(key, PLAN_KEYS, "remove it or correct its name")))
    for key in (k for k in BILINGUAL_PLAN_KEYS if k in plan):
        value = plan[key]
        if not (isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in ("zh", "en"))):
            problems.append(_plan_value(file, key, value, '{"zh": "...", "en": "..."}'))
    for key in (k for k in ("period_start", "period_end", "order") if k in plan):
        value = plan[key]
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(_plan_value(file, key, value, "a whole number"))
        elif key != "order" and not YEAR_MIN <= value <= YEAR_MAX:
            problems.append(year_problem(file, None, f"plan.{key}", value))
    issued = plan.get("issued")
    if issued is not None and not (isinstance(issued, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", issued)):
        problems.append(_plan_value(file, "issued", issued, "a date YYYY-MM-DD or null"))
    for key, nullable in (("region_id", False), ("source_id", False), ("predecessor", True)):
        if key not in plan:
            continue
        value = plan[key]
        if not (isinstance(value, str) and value) and not (nullable and value is None):
            problems.append(_plan_value(file, key, value, "an id" + (" or null" if nullable else "")))
    return problems


def _plan_value(file: str, key: str, value, expected: str) -> Problem:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return Problem(file, None, f"plan.{key}", "invalid-plan-value", f"{shown} is not {expected}",
                   f"correct the value ({_CONTRACT_HINT})")


def check_resource_list(descriptor: dict, file: str) -> tuple[dict[str, dict], list[Problem]]:
    """Descriptor -> (resource name -> resource descriptor, problems with the list and missing resources)."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return {}, [Problem(file, None, "resources", "invalid-descriptor", '"resources" is not a list',
                            "list the resources of the package")]
    found: dict[str, dict] = {}
    problems = []
    for index, resource in enumerate(resources):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(name, str) or name in found:
            why = "has no name" if not isinstance(name, str) else f'repeats the name "{name}"'
            problems.append(Problem(file, None, f"resources[{index}]", "invalid-descriptor",
                                    f"resource {index + 1} {why}", "give every resource its own name"))
            continue
        found[name] = resource
    for name in CONTRACT_FIELDS:
        if name not in found:
            problems.append(Problem(file, None, "resources", "missing-resource", f'no resource "{name}"',
                                    did_you_mean(name, [n for n in found if n not in CONTRACT_FIELDS],
                                                 f"add it with data/{name}.csv ({_CONTRACT_HINT})")))
    return found, problems


def check_resource_path(resource: dict, package_dir: Path, folder_shown: str, file: str) -> tuple[Path | None, str, list[Problem]]:
    """Resource descriptor -> (local file path or None, file as shown, problems with the path)."""
    name = resource["name"]
    path = resource.get("path")
    field = f"{name}.path"
    if not isinstance(path, str) or not path:
        return None, file, [Problem(file, None, field, "invalid-descriptor",
                                    f'resource "{name}" has no single "path"', f"set path to data/{name}.csv")]
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path):
        return None, file, [Problem(file, None, field, "remote-path", f'path "{path}" is a URL',
                                    "the build never downloads anything: save the file in the package's data/ "
                                    "folder and give its relative path")]
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", path) or path.startswith("~"):
        return None, file, [Problem(file, None, field, "path-outside-package", f'path "{path}" leaves the package',
                                    f"use a relative path inside the package folder, e.g. data/{name}.csv")]
    local = package_dir / pure
    shown = f"{folder_shown}/{pure.as_posix()}"
    try:
        inside = local.resolve().is_relative_to(package_dir.resolve())
    except OSError:
        inside = False
    if not inside:
        return None, file, [Problem(file, None, field, "path-outside-package",
                                    f'path "{path}" leads out of the package (through a link)',
                                    "copy the file into the package instead of linking it")]
    if not local.is_file():
        nearby = sorted(p.relative_to(package_dir).as_posix() for p in local.parent.glob("*.csv")) \
            if local.parent.is_dir() else []
        return None, shown, [Problem(shown, None, None, "missing-file", f'file of resource "{name}" not found',
                                     did_you_mean(pure.as_posix(), nearby, f'add the file or correct "path" in {file}'))]
    return local, shown, []


def check_schema(resource: dict, names: dict[str, dict], file: str) -> list[Problem]:
    """Resource descriptor (+ all resources by name) -> problems with its Table Schema."""
    name = resource["name"]
    schema = resource.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [Problem(file, None, f"{name}.schema", "invalid-schema",
                        f'resource "{name}" has no inline schema with a list of fields',
                        'write the Table Schema inside datapackage.json under "schema"')]
    problems = []
    fields = [f for f in schema["fields"] if isinstance(f, dict)]
    field_names = [f.get("name") for f in fields]
    if len(fields) != len(schema["fields"]) or not all(isinstance(n, str) and n for n in field_names):
        problems.append(Problem(file, None, f"{name}.schema", "invalid-schema", "a field has no name",
                                "give every field a name"))
    for spec in fields:
        kind = spec.get("type", "string")
        if kind not in TABLE_SCHEMA_TYPES:
            problems.append(Problem(file, None, f'{name}.{spec.get("name")}', "unknown-field-type",
                                    f'unknown field type "{kind}"',
                                    did_you_mean(kind, TABLE_SCHEMA_TYPES, "use a Table Schema type: "
                                                 + ", ".join(TABLE_SCHEMA_TYPES[:7]) + " ...")))
    key = schema.get("primaryKey")
    if not key:
        problems.append(Problem(file, None, f"{name}.primaryKey", "missing-primary-key",
                                f'resource "{name}" has no primaryKey',
                                f'add "primaryKey": ["{PRIMARY_KEYS.get(name, field_names[0] if field_names else "id")}"]'))
    for field in [key] if isinstance(key, str) else key or []:
        if field not in field_names:
            problems.append(_unknown_key_field(file, name, "primaryKey", field, field_names))
    for fk in schema.get("foreignKeys", []):
        problems.extend(_check_foreign_key(fk, name, field_names, names, file))
    for field in CONTRACT_FIELDS.get(name, "").split():
        if field not in field_names:
            problems.append(Problem(file, None, f"{name}.{field}", "missing-field",
                                    f'the schema of "{name}" has no field "{field}"',
                                    f"add the field to the schema and the column to the CSV ({_CONTRACT_HINT})"))
    return problems


def _unknown_key_field(file: str, resource: str, where: str, field, field_names) -> Problem:
    return Problem(file, None, f"{resource}.{where}", "unknown-key-field",
                   f'{where} names "{field}", which is not a field of "{resource}"',
                   did_you_mean(field, [n for n in field_names if isinstance(n, str)], "name an existing field"))


def _check_foreign_key(fk, name: str, field_names: list, names: dict[str, dict], file: str) -> list[Problem]:
    reference = fk.get("reference", {}) if isinstance(fk, dict) else {}
    fields = as_list(fk.get("fields") if isinstance(fk, dict) else None)
    target = reference.get("resource") or name
    problems = [_unknown_key_field(file, name, "foreignKeys", f, field_names) for f in fields if f not in field_names]
    if target not in names:
        problems.append(Problem(file, None, f"{name}.foreignKeys", "unknown-key-field",
                                f'a foreign key refers to resource "{target}", which does not exist',
                                did_you_mean(target, names, "name an existing resource")))
        return problems
    target_fields = [f.get("name") for f in names[target].get("schema", {}).get("fields", []) if isinstance(f, dict)]
    for ref in as_list(reference.get("fields")):
        if ref not in target_fields:
            problems.append(_unknown_key_field(file, target, "foreignKeys", ref, target_fields))
    return problems


def as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def foreign_keys(name: str, schema: dict) -> list[tuple[list[str], str, list[str]]]:
    """Resource name and its (checked) schema -> foreign keys (fields, resource, fields): declared ones plus the contract's."""
    keys = []
    for fk in schema.get("foreignKeys", []):
        keys.append((as_list(fk["fields"]), fk["reference"].get("resource") or name, as_list(fk["reference"]["fields"])))
    field_names = {f["name"] for f in schema["fields"]}
    for field, target in CONTRACT_FOREIGN_KEYS.get(name, {}).items():
        key = ([field], target, [PRIMARY_KEYS[target]])
        if field in field_names and key not in keys:
            keys.append(key)
    return keys
