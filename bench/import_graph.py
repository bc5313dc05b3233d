"""The package's import graph: modules, their imports inside the package, cycles, and imports made
inside functions (with the line), plus the longest functions. A report for the closing note of
the house issue, not a test.

    python bench/import_graph.py
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "plantracker"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(current: str, is_package: bool, node: ast.ImportFrom, modules) -> list[str]:
    """An import -> the modules it names: `from . import fonts` names the submodule only (its
    package is already being imported), `from .x import name` names the module x."""
    base = current.split(".") if is_package else current.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    submodules = [f"{prefix}.{alias.name}" for alias in node.names if f"{prefix}.{alias.name}" in modules]
    return submodules if len(submodules) == len(node.names) else [prefix, *submodules]


def graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]], list[tuple[int, str]]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    inner: list[tuple[str, int, str]] = []
    lengths: list[tuple[int, str]] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        function_lines = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths.append((node.end_lineno - node.lineno + 1, f"{name}.{node.name}"))
                for inner_node in ast.walk(node):
                    if isinstance(inner_node, (ast.Import, ast.ImportFrom)):
                        function_lines.add(inner_node.lineno)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                found = [t for t in resolve(name, is_package, node, modules) if t in modules]
                if node.lineno in function_lines:
                    inner += [(name, node.lineno, t) for t in found if t.startswith("plantracker")]
                    continue
                edges[name].update(t for t in found if t != name)
    return edges, inner, sorted(lengths, reverse=True)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return found


if __name__ == "__main__":
    edges, inner, lengths = graph()
    # a package's __init__ importing its own submodules is not a cycle of meaning: drop parent -> child
    # edges from a child back to its package only when the child imports the package itself
    print(f"modules: {len(edges)}, import edges: {sum(len(v) for v in edges.values())}")
    found = cycles(edges)
    print(f"cycles: {len(found)}")
    for component in found:
        print("  " + " <-> ".join(component))
    print("imports inside functions:")
    for name, line, target in inner:
        print(f"  {name}:{line} -> {target}")
    print("longest functions:")
    for length, name in lengths[:10]:
        print(f"  {length:4d}  {name}")
    for name in sorted(edges):
        print(f"{name} -> {', '.join(sorted(e for e in edges[name] if e != 'plantracker'))}")
