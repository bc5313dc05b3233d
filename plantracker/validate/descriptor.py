"""Checks on a package descriptor against the contract: its standard properties (Frictionless), the
`plan` object, the list of resources and each resource's Table Schema -> problems."""
from __future__ import annotations

import datetime as dt
import re

from ..contract import CONTRACT, CONTROL_CHARACTERS, TABLE_SCHEMA_TYPES, FieldSpec, parse_cell, shown
from ..problems import Problem, did_you_mean, problem
from .structure import resource_problems

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def descriptor_text(value, path: str = "") -> list[tuple[str, str]]:
    """A descriptor (JSON) -> every string in it with its path ("plan.title.zh", "sources[0].title")."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, v in value.items() for item in descriptor_text(v, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in descriptor_text(v, f"{path}[{i}]")]
    return []


def check_descriptor_text(descriptor: dict, file: str) -> list[Problem]:
    """Descriptor -> a problem for every string holding a control character (no text of a package
    may carry one: pages, feeds and files would)."""
    problems = []
    for path, text in descriptor_text({k: v for k, v in descriptor.items() if k != "plan"}):  # check_plan reads the plan
        found = CONTROL_CHARACTERS.search(text)
        if found:
            problems.append(problem("control-character", file, None, path, cell=shown(text),
                                    char=f"U+{ord(found.group()):04X}"))
    return problems


def check_package_metadata(descriptor: dict, folder: str, file: str) -> list[Problem]:
    """Descriptor -> problems with its standard properties (Frictionless profile), its name and plan id."""
    from frictionless import Package  # here: frictionless takes half a second to import, and only
    # validation needs it

    problems = []
    standard = {k: v for k, v in descriptor.items() if k not in ("resources", "profile", "plan")}
    standard["resources"] = [{"name": "placeholder", "path": "placeholder.csv"}]  # resources are checked apart
    for note, message in Package.validate_descriptor(standard).flatten(["note", "message"]):
        problems.append(problem("invalid-descriptor", file, why=note or message))
    if descriptor.get("name") != folder:
        problems.append(problem("name-mismatch", file, None, "name", name=descriptor.get("name"), folder=folder))
    _, found = parse_cell(FieldSpec("name", role="id"), folder)
    if found:
        problems.append(problem("unsafe-plan-id", file, None, "name", plan=folder, limit=CONTRACT.id_max_length))
    elif folder.casefold() in (r.casefold() for r in CONTRACT.reserved_plan_ids):
        problems.append(problem("reserved-plan-id", file, None, "name", plan=folder,
                                reserved=", ".join(CONTRACT.reserved_plan_ids)))
    return problems


def check_plan(descriptor: dict, file: str) -> list[Problem]:
    """Descriptor -> problems with its `plan` object (presence, keys, value types, text rules);
    the ids it names are checked against the tables later."""
    plan = descriptor.get("plan")
    keys = CONTRACT.plan_keys
    if not isinstance(plan, dict):
        return [problem("missing-plan", file, None, "plan", keys=", ".join(keys))]
    problems = []
    for key, spec in keys.items():
        if key not in plan and spec.required:
            problems.append(problem("missing-plan-key", file, None, f"plan.{key}", key=key))
    for key in plan:
        if key not in keys:
            problems.append(problem("unknown-plan-key", file, None, f"plan.{key}", key=key,
                                    suggestion=did_you_mean(key, keys)))
    for key, value in plan.items():
        if key in keys and not (value is None and not keys[key].required):
            problems += _plan_value(file, keys[key], value)
    start, end = plan.get("period_start"), plan.get("period_end")
    if not problems and start > end:
        problems.append(problem("period-reversed", file, None, "plan.period_start", start=start, end=end))
    return problems


def _plan_value(file: str, spec: FieldSpec, value) -> list[Problem]:
    field = f"plan.{spec.name}"
    if spec.type == "bilingual":
        if not (isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in ("zh", "en"))):
            return [_wrong(file, field, value, '{"zh": "...", "en": "..."}')]
        problems = []
        for lang in ("zh", "en"):
            text = value[lang]
            if text == "" and spec.role == "text":
                continue  # a note may be empty in one language
            _, found = parse_cell(FieldSpec(spec.name, role=spec.role, max_length=spec.max_length), text)
            if found or text == "":
                code, values = found or ("blank-name", {"cell": ""})
                problems.append(problem(code, file, None, f"{field}.{lang}", **values))
        return problems
    if spec.type in ("integer", "year"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [_wrong(file, field, value, "a whole number")]
        if spec.type == "year" and not CONTRACT.year_minimum <= value <= CONTRACT.year_maximum:
            return [problem("year-out-of-range", file, None, field, cell=value, low=CONTRACT.year_minimum,
                            high=CONTRACT.year_maximum)]
        if abs(value) > CONTRACT.integer_max:
            return [_wrong(file, field, value, f"a whole number from -{CONTRACT.integer_max} to {CONTRACT.integer_max}")]
        return []
    if spec.type == "date":
        try:
            if not (isinstance(value, str) and _DATE.fullmatch(value)):
                raise ValueError
            dt.date.fromisoformat(value)  # a real day, not 2020-13-45
        except ValueError:
            return [_wrong(file, field, value, "a date YYYY-MM-DD or null")]
        return []
    if not (isinstance(value, str) and value):
        return [_wrong(file, field, value, "an id" + ("" if spec.required else " or null"))]
    _, found = parse_cell(spec, value)
    return [problem(found[0], file, None, field, **found[1])] if found else []


def _wrong(file: str, field: str, value, expected: str) -> Problem:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return problem("invalid-plan-value", file, None, field, value=shown, expected=expected)


def check_resource_list(descriptor: dict, file: str) -> tuple[dict[str, dict], list[Problem]]:
    """Descriptor -> (resource name -> resource descriptor, for the contract's resources whose shape
    is sound; problems with the list, its resources' shape, resources missing or not in the contract)."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return {}, [problem("resources-not-list", file, None, "resources")]
    found: dict[str, dict] = {}
    named: set[str] = set()
    problems = []
    for index, resource in enumerate(resources):
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(name, str) or name in named:
            why = "has no name" if not isinstance(name, str) else f'repeats the name "{name}"'
            problems.append(problem("resource-unnamed", file, None, f"resources[{index}]", number=index + 1, why=why))
            continue
        named.add(name)
        if name not in CONTRACT.resources:
            # The build makes a table, a download and pages only for the contract's resources.
            problems.append(problem("unknown-resource", file, None, f"resources[{index}]", resource=shown(name),
                                    allowed=", ".join(CONTRACT.resources),
                                    suggestion=did_you_mean(name, [n for n in CONTRACT.resources if n not in named])))
            continue
        found_here = resource_problems(index, resource, file)
        problems += found_here
        if not found_here:
            found[name] = resource
    for name in CONTRACT.resources:
        if name not in named:
            problems.append(problem("missing-resource", file, None, "resources", resource=name,
                                    suggestion=did_you_mean(name, [n for n in named if n not in CONTRACT.resources])))
    return found, problems


def check_schema(resource: dict, names: dict[str, dict], file: str) -> list[Problem]:
    """Resource descriptor (+ all resources by name) -> problems with its Table Schema: shape, field
    types, keys, and the contract's fields (present, of the contract's type)."""
    name = resource["name"]
    schema = resource["schema"]  # its shape is checked (structure.resource_problems)
    fields = schema["fields"]
    field_names = [f["name"] for f in fields]
    problems = []
    for spec in fields:
        kind = spec.get("type", "string")
        if kind not in TABLE_SCHEMA_TYPES:
            problems.append(problem("unknown-field-type", file, None, f'{name}.{spec.get("name")}', type=kind,
                                    types=", ".join(TABLE_SCHEMA_TYPES[:7]),
                                    suggestion=did_you_mean(kind, TABLE_SCHEMA_TYPES)))
    contract = CONTRACT.resources.get(name)
    key = schema.get("primaryKey")
    if not key:
        default = contract.primary_key if contract else (field_names[0] if field_names else "id")
        problems.append(problem("missing-primary-key", file, None, f"{name}.primaryKey", resource=name, column=default))
    for key_field in [key] if isinstance(key, str) else key or []:
        if key_field not in field_names:
            problems.append(_unknown_key_field(file, name, "primaryKey", key_field, field_names))
    for fk in schema.get("foreignKeys") or []:
        problems.extend(_check_foreign_key(fk, name, field_names, names, file))
    if contract:
        problems += _contract_fields(contract, {f.get("name"): f for f in fields}, name, file)
    return problems


def _contract_fields(contract, declared: dict, name: str, file: str) -> list[Problem]:
    problems = []
    for field_name, spec in contract.fields.items():
        if field_name not in declared:
            if not spec.optional_column:
                problems.append(problem("missing-field", file, None, f"{name}.{field_name}", resource=name,
                                        column=field_name))
            continue
        kind = declared[field_name].get("type", "string")
        if kind in TABLE_SCHEMA_TYPES and kind != spec.type and not (spec.type == "integer" and kind == "year"):
            problems.append(problem("field-type-mismatch", file, None, f"{name}.{field_name}", type=kind,
                                    expected=spec.type))
    return problems


def _unknown_key_field(file: str, resource: str, where: str, field, field_names) -> Problem:
    return problem("unknown-key-field", file, None, f"{resource}.{where}", where=where, column=field,
                   resource=resource, suggestion=did_you_mean(field, [n for n in field_names if isinstance(n, str)]))


def _check_foreign_key(fk, name: str, field_names: list, names: dict[str, dict], file: str) -> list[Problem]:
    reference = fk["reference"]
    fields = as_list(fk["fields"])
    target = reference.get("resource") or name
    problems = [_unknown_key_field(file, name, "foreignKeys", f, field_names) for f in fields if f not in field_names]
    if target not in names and target in CONTRACT.resources:
        return problems  # a resource missing or misshapen: its own problem is reported
    if target not in names:
        problems.append(problem("unknown-key-resource", file, None, f"{name}.foreignKeys", resource=target,
                                suggestion=did_you_mean(target, names)))
        return problems
    target_fields = [f["name"] for f in names[target]["schema"]["fields"]]
    for ref in as_list(reference.get("fields")):
        if ref not in target_fields:
            problems.append(_unknown_key_field(file, target, "foreignKeys", ref, target_fields))
    return problems


def as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def foreign_keys(name: str, schema: dict) -> list[tuple[list[str], str, list[str]]]:
    """Resource name and its (checked) schema -> foreign keys (fields, resource, fields): the
    package's declared ones plus the contract's (`references`)."""
    keys = []
    for fk in schema.get("foreignKeys") or []:
        keys.append((as_list(fk["fields"]), fk["reference"].get("resource") or name, as_list(fk["reference"]["fields"])))
    field_names = {f["name"] for f in schema["fields"]}
    contract = CONTRACT.resources.get(name)
    for field_name, spec in (contract.fields.items() if contract else []):
        if spec.references and field_name in field_names:
            key = ([field_name], spec.references, [CONTRACT.resources[spec.references].primary_key])
            if key not in keys:
                keys.append(key)
    return keys
