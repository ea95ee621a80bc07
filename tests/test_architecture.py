"""The floor plan holds: no import circles, and every layer imports only the layers below it.

Every module's imports are read with ``ast`` — at module level and inside functions, and
``importlib.import_module("…")`` with a literal name too — so a circle cannot hide in a
function body or behind importlib. A package's ``__init__`` counts as its own module; the
implicit import of a parent package by its child is not an arrow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aduan", "channels", "workers", "config")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imported_names(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        return [f"{base}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call) and _is_import_call(node):
        return [node.args[0].value]
    return []


def _is_import_call(node: ast.Call) -> bool:
    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    first = node.args[0] if node.args else None
    literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
    return name in {"import_module", "__import__"} and literal


def import_graph() -> dict[str, set[str]]:
    """module -> the project's modules it imports (anywhere in its body)."""
    modules = all_modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            for name in _imported_names(node, module, path.name == "__init__.py"):
                target = resolve(name)
                if target and target != module:
                    graph[module].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def arrows(graph, source_prefix: str, target_prefix: str) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if _under(source, source_prefix) and _under(target, target_prefix)
    )


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_no_module_imports_one_that_imports_it_back():
    assert circles(import_graph()) == []


def test_the_core_never_imports_the_workers():
    assert arrows(import_graph(), "aduan", "workers") == []


def test_channel_adapters_know_nothing_of_the_core_or_the_workers():
    graph = import_graph()
    assert arrows(graph, "channels", "aduan") + arrows(graph, "channels", "workers") == []


def test_services_never_import_the_web_layer():
    assert arrows(import_graph(), "aduan.services", "aduan.web") == []


def test_the_checker_sees_a_circle_hidden_in_a_function_or_behind_importlib():
    tree = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(tree) == [["a", "b", "c"]]
    hidden = ast.parse('def f():\n    importlib.import_module("aduan.queues")\n')
    call = next(n for n in ast.walk(hidden) if isinstance(n, ast.Call))
    assert _imported_names(call, "aduan.x", False) == ["aduan.queues"]
    inside = ast.parse("def f():\n    from . import sibling\n")
    node = next(n for n in ast.walk(inside) if isinstance(n, ast.ImportFrom))
    assert _imported_names(node, "aduan.services.x", False) == ["aduan.services.sibling"]


def test_no_service_module_shadows_the_standard_library():
    import sys

    names = {p.stem for p in (ROOT / "aduan" / "services").rglob("*.py")}
    assert sorted(names & sys.stdlib_module_names) == []
