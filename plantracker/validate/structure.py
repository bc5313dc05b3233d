"""The shape of a descriptor, before anything reads it: its JSON read without surprises (a key
given twice, nesting past any sensible depth, numbers no reader can hold), and each part of a
resource the checks, the load stage and Frictionless read of the type they read it as, with no
setting that reads the file otherwise than the contract does -> problems naming the part's path
(`resources[3].schema.foreignKeys[0].reference`)."""
from __future__ import annotations

import json
import re

from ..problems import Problem, problem

# A descriptor is a few levels deep (resources[].schema.fields[].constraints.enum[]): far deeper is
# a slip or an attack, and the checks walk it recursively.
MAX_DEPTH = 32
# Settings that change how Frictionless reads a file: each may only say what the contract reads
# (UTF-8 CSV, commas, double quotes, a header row, Table Schema's default values).
RESOURCE_SETTINGS = {"encoding": ("utf-8", "utf8"), "format": ("csv",), "mediatype": ("text/csv",)}
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "headerRows": [1],
           "skipInitialSpace": False, "caseSensitiveHeader": None, "escapeChar": None, "nullSequence": None,
           "commentChar": None, "commentRows": None}
FIELD_SETTINGS = {"format": "default", "trueValues": ["true", "True", "TRUE", "1"],
                  "falseValues": ["false", "False", "FALSE", "0"], "decimalChar": ".", "groupChar": None,
                  "bareNumber": True}


class _DuplicateKey(Exception):
    pass


def _object(pairs: list) -> dict:
    found = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _depth(value) -> int:
    """A parsed JSON value -> how deep its lists and objects nest (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack += [(v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


def parse_descriptor(text: str, file: str) -> tuple[dict | None, list[Problem]]:
    """datapackage.json text -> (descriptor, []) or (None, [problem])."""
    try:
        descriptor = json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except _DuplicateKey as error:
        return None, [problem("duplicate-json-key", file, key=error.args[0])]
    except json.JSONDecodeError as error:
        return None, [problem("invalid-json", file, error.lineno, line=error.lineno, column=error.colno, why=error.msg)]
    except RecursionError:
        return None, [problem("unreadable-json", file, why=f"lists or objects nested more than {MAX_DEPTH} deep")]
    except ValueError as error:  # a number of thousands of digits; NaN or Infinity
        why = str(error)
        if "digits" in why:
            why = f"a number too long to read ({why.split(';')[0].split(': ')[-1]})"
        return None, [problem("unreadable-json", file, why=why)]
    if _depth(descriptor) > MAX_DEPTH:
        return None, [problem("unreadable-json", file, why=f"lists or objects nested more than {MAX_DEPTH} deep")]
    if not isinstance(descriptor, dict):
        return None, [problem("descriptor-not-object", file)]
    halves = [problem("lone-surrogate", file, None, path or None, cell=_escaped(text), escape=escape)
              for path, text, escape in _lone_surrogates(descriptor)]
    if halves:  # no later check may read (or print) such text: the load stage's database refuses it
        return None, halves
    return descriptor, []


# Half of a UTF-16 pair: JSON can write one alone ("\\udc80"); no UTF-8 file or database text can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(text: str, limit: int = 60) -> str:
    """Text holding lone surrogates -> printable text, each written as its JSON escape."""
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lone_surrogates(value) -> list[tuple[str, str, str]]:
    """A parsed descriptor -> (path, text, its first lone surrogate as an escape) for every key and
    string holding one, the path as the checks name parts ("plan.title.zh", "resources[3].name")."""
    found, stack = [], [("", value)]
    while stack:
        path, item = stack.pop()
        texts = []
        if isinstance(item, dict):
            for key, v in item.items():
                where = f"{path}.{_escaped(key)}" if path else _escaped(key)
                texts.append((where, key))
                stack.append((where, v))
        elif isinstance(item, list):
            stack += [(f"{path}[{i}]", v) for i, v in enumerate(item)]
        elif isinstance(item, str):
            texts.append((path, item))
        for where, text in texts:
            half = _SURROGATE.search(text)
            if half:
                found.append((where, text, _escaped(half.group())))
    return sorted(found)


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _names(value) -> bool:
    """A key's fields: one field name, or a list of them."""
    return isinstance(value, str) or isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _malformed(file: str, path: str, value, expected: str, example: str) -> Problem:
    return problem("malformed-descriptor", file, None, path, value=_shown(value), expected=expected, example=example)


def resource_problems(index: int, resource: dict, file: str) -> list[Problem]:
    """One resource descriptor (with a name) -> problems with its shape and settings; none means
    every part the checks and the build read is of the type they read."""
    name, where = resource["name"], f"resources[{index}]"
    problems = _settings(resource, where, file)
    schema = resource.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return problems + [problem("invalid-schema", file, None, f"{name}.schema", resource=name)]
    fields = schema["fields"]
    if not all(isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"] for f in fields):
        return problems + [problem("unnamed-field", file, None, f"{name}.schema")]
    seen = set()
    for i, spec in enumerate(fields):
        path = f"{where}.schema.fields[{i}]"
        if spec["name"] in seen:
            problems.append(problem("duplicate-field", file, None, f"{path}.name", resource=name, column=spec["name"]))
        seen.add(spec["name"])
        problems += _field(spec, path, file)
    if "missingValues" in schema and schema["missingValues"] != [""]:
        problems.append(problem("unsupported-setting", file, None, f"{where}.schema.missingValues",
                                value=_shown(schema["missingValues"]), expected='[""]: only an empty cell is empty'))
    key = schema.get("primaryKey")
    if key is not None and not _names(key):
        problems.append(_malformed(file, f"{where}.schema.primaryKey", key, "a field name or a list of them",
                                   '"primaryKey": ["unit_id"]'))
    return problems + _foreign_keys(schema.get("foreignKeys"), f"{where}.schema.foreignKeys", file)


def _settings(resource: dict, where: str, file: str) -> list[Problem]:
    problems = []
    for key, allowed in RESOURCE_SETTINGS.items():
        value = resource.get(key)
        if value is not None and not (isinstance(value, str) and value.lower() in allowed):
            problems.append(problem("unsupported-setting", file, None, f"{where}.{key}", value=_shown(value),
                                    expected=f'"{allowed[0]}"'))
    dialect = resource.get("dialect")
    if dialect is None:
        return problems
    if not isinstance(dialect, dict):
        return problems + [_malformed(file, f"{where}.dialect", dialect, "an object", "nothing: leave it out")]
    settings = {key: value for key, value in dialect.items() if key != "csv"}
    if isinstance(dialect.get("csv"), dict):  # Frictionless 5 nests the CSV settings
        settings.update(dialect["csv"])
    elif "csv" in dialect:
        settings["csv"] = dialect["csv"]
    for key, value in settings.items():
        if key in ("lineTerminator", "csvddfVersion"):  # what the CSV reader ignores anyway
            ok = True
        elif key in DIALECT:
            ok = value == DIALECT[key] or DIALECT[key] is None and value in (None, "", False)
        else:
            ok = False
        if not ok:
            problems.append(problem("unsupported-setting", file, None, f"{where}.dialect.{key}", value=_shown(value),
                                    expected="comma-separated values with double quotes and one header row"))
    return problems


def _field(spec: dict, path: str, file: str) -> list[Problem]:
    problems = []
    if "type" in spec and not isinstance(spec["type"], str):
        problems.append(_malformed(file, f"{path}.type", spec["type"], "a type name", '"type": "string"'))
    for key, default in FIELD_SETTINGS.items():
        # a string's format (uri, email) only checks it; any other type's changes how it is read
        if key in spec and spec[key] != default and not (key == "format" and spec.get("type", "string") == "string"):
            problems.append(problem("unsupported-setting", file, None, f"{path}.{key}", value=_shown(spec[key]),
                                    expected=_shown(default) if default is not None else "nothing"))
    constraints = spec.get("constraints")
    if constraints is None:
        return problems
    if not isinstance(constraints, dict):
        return problems + [_malformed(file, f"{path}.constraints", constraints, "an object",
                                      '"constraints": {"required": true}')]
    number = spec.get("type") in ("number", "integer", "year")
    for key, value in constraints.items():
        where = f"{path}.constraints.{key}"
        if key in ("required", "unique") and not isinstance(value, bool):
            problems.append(_malformed(file, where, value, "true or false", f'"{key}": true'))
        elif key == "enum" and not (isinstance(value, list) and value):
            problems.append(_malformed(file, where, value, "a list of values", '"enum": ["a", "b"]'))
        elif key in ("minLength", "maxLength") and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(_malformed(file, where, value, "a whole number, 0 or more", f'"{key}": 10'))
        elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and number and (
                isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(_malformed(file, where, value, "a number", f'"{key}": 0'))
        elif key == "pattern":
            problems += _pattern(value, where, file)
    return problems


def _pattern(value, where: str, file: str) -> list[Problem]:
    if not isinstance(value, str):
        return [_malformed(file, where, value, "a regular expression", '"pattern": "^[a-z0-9-]+$"')]
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as error:
        return [problem("invalid-pattern", file, None, where, pattern=_shown(value), why=str(error))]
    return []


def _foreign_keys(keys, where: str, file: str) -> list[Problem]:
    example = '{"fields": "unit_id", "reference": {"resource": "units", "fields": "unit_id"}}'
    if keys is None:
        return []
    if not isinstance(keys, list):
        return [_malformed(file, where, keys, "a list of foreign keys", f"[{example}]")]
    problems = []
    for i, key in enumerate(keys):
        path = f"{where}[{i}]"
        if not isinstance(key, dict):
            problems.append(_malformed(file, path, key, "an object", example))
            continue
        reference = key.get("reference")
        if not _names(key.get("fields")):
            problems.append(_malformed(file, f"{path}.fields", key.get("fields"), "a field name or a list of them",
                                       '"fields": "unit_id"'))
        if not isinstance(reference, dict):
            problems.append(_malformed(file, f"{path}.reference", reference, "an object",
                                       '"reference": {"resource": "units", "fields": "unit_id"}'))
            continue
        if not isinstance(reference.get("resource", ""), str):
            problems.append(_malformed(file, f"{path}.reference.resource", reference["resource"],
                                       "the name of a resource", '"resource": "units"'))
        if not _names(reference.get("fields")):
            problems.append(_malformed(file, f"{path}.reference.fields", reference.get("fields"),
                                       "a field name or a list of them", '"fields": "unit_id"'))
        elif _names(key.get("fields")) and len(_list(key["fields"])) != len(_list(reference["fields"])):
            problems.append(_malformed(file, f"{path}.reference.fields", reference["fields"],
                                       f"as many fields as the key's own ({len(_list(key['fields']))})",
                                       '"fields": "unit_id"'))
    return problems


def _list(value) -> list:
    return [value] if isinstance(value, str) else list(value)
