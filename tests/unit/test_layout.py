"""The code's shape, checked from its own imports: rooms by job, no cycles, no twin names.

Reads the source with `ast` (nothing is imported), so imports inside functions count too.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handoff", "storage", "slack_standin", "templates")
BOT_TOP_LEVEL = {"__init__", "app", "services", "settings", "ids", "payloads", "roles"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import module` names a module; `from module import name` does not.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_anywhere_in_the_project():
    known = _modules()
    graph = {name: _imports(path, name, known) for name, path in known.items()}
    assert sum(len(v) for v in graph.values()) > 100  # the parser really saw the imports
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _top_level_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_the_domain_imports_no_slack_no_jinja_no_sql_and_no_other_layer():
    for name, path in _modules().items():
        if name.split(".")[0] == "handoff":
            banned = {"slack_sdk", "slack_bolt", "jinja2", "sqlalchemy", "bot", "storage"}
            assert _top_level_imports(path) & banned == set(), name


def test_bot_keeps_only_the_named_modules_at_its_top_level():
    top = {p.stem for p in (ROOT / "bot").glob("*.py")}
    assert top == BOT_TOP_LEVEL


def test_no_two_modules_or_packages_share_a_name():
    names = Counter()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "__init__.py" and "versions" not in path.parts:
                names[path.stem] += 1
        for folder in (ROOT / package).rglob("*/"):
            if (folder / "__init__.py").exists() and folder.name != "__pycache__":
                names[folder.name] += 1
    assert [name for name, count in names.items() if count > 1] == []
