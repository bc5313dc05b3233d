"""The contract (contract.yml) in words: the Markdown reference ARCHITECTURE.md carries between
its `contract` markers, made from the contract so the two never disagree.

    python -m plantracker.contract_docs            # rewrite the section in ARCHITECTURE.md

tests/test_docs.py fails when the section is not what this module makes.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .contract import CONTRACT, Contract, FieldSpec

START, END = "<!-- contract:start (python -m plantracker.contract_docs) -->", "<!-- contract:end -->"
DOCUMENT = Path(__file__).resolve().parent.parent / "ARCHITECTURE.md"


def _rules(spec: FieldSpec, contract: Contract) -> str:
    rules = [spec.type]
    if spec.required:
        rules.append("required")
    if spec.optional_column:
        rules.append("optional column")
    if spec.role:
        rules.append(spec.role)
    if spec.references:
        rules.append(f"→ {spec.references}")
    if spec.enum:
        rules.append(" \\| ".join(spec.enum))
    if spec.minimum is not None or spec.maximum is not None or spec.exclusive_minimum is not None:
        low = f">{spec.exclusive_minimum:g}" if spec.exclusive_minimum is not None else (
            f"≥{spec.minimum:g}" if spec.minimum is not None else "")
        high = f"≤{spec.maximum:g}" if spec.maximum is not None else ""
        rules.append(" ".join(x for x in (low, high) if x))
    if spec.max_length:
        rules.append(f"≤{spec.max_length} characters")
    if spec.role == "amount":
        rules.append(f"in {spec.unit_field}, bounded by its dimension")
    if spec.role == "flags":
        rules.append(" ; ".join(contract.word_list(spec.flag_set)))
    return ", ".join(rules)


def contract_markdown(contract: Contract = CONTRACT) -> str:
    """Contract -> the Markdown reference: limits, dimensions, qualifiers, flags, the plan object and
    one table per resource (field, rules, description in both languages)."""
    lines = [START, "",
             f"Ids: `{contract.id_pattern.pattern}`, at most {contract.id_max_length} characters, unique ignoring case. "
             f"Plan ids may not be: {', '.join(f'`{i}`' for i in contract.reserved_plan_ids)}. "
             f"Years {contract.year_minimum}–{contract.year_maximum}. Numbers: ASCII digits, finite, "
             f"|x| ≤ {contract.number_max:g}. Text: no control characters, at most {contract.text_max_length} "
             f"characters ({contract.name_max_length} for names; names have a letter or digit and one line). "
             "URLs: http(s) only. Roles are explained at the top of `plantracker/contract.yml`.", "",
             "| dimension | base unit | allowed values |", "|---|---|---|"]
    for name, dimension in contract.dimensions.items():
        bounds = " to ".join(f"{dimension[k]:g}" for k in ("minimum", "maximum") if k in dimension) or "any"
        lines.append(f"| {name} | {dimension['base']['en']} ({dimension['base']['zh']}) | {bounds} |")
    lines += ["", "| qualifier | zh | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {q['zh']} | {q['en']} |" for key, q in contract.qualifiers.items()]
    lines += ["", "| confidence flag | zh | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {f['zh']} | {f['en']} |" for key, f in contract.confidence_flags.items()]
    lines += ["", f"**plan** (in `datapackage.json`): {contract.plan_description['en']}", "",
              "| key | rules |", "|---|---|"]
    lines += [f"| `{key}` | {_rules(spec, contract)} |" for key, spec in contract.plan_keys.items()]
    for name, resource in contract.resources.items():
        lines += ["", f"**{name}** (`data/{name}.csv`, primary key `{resource.primary_key}`): "
                      f"{resource.description['en']} / {resource.description['zh']}", "",
                  "| field | rules | description |", "|---|---|---|"]
        lines += [f"| `{field}` | {_rules(spec, contract)} | {spec.description.get('en', '')} / "
                  f"{spec.description.get('zh', '')} |" for field, spec in resource.fields.items()]
    return "\n".join(lines + ["", END])


def with_section(document: str, section: str) -> str:
    """A document -> the same with the text between the contract markers replaced."""
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return head + section + tail


if __name__ == "__main__":
    text = DOCUMENT.read_text(encoding="utf-8")
    if START not in text:
        sys.exit(f"{DOCUMENT} has no {START} marker")
    DOCUMENT.write_text(with_section(text, contract_markdown()), encoding="utf-8")
