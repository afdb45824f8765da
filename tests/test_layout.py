"""The package layout (issue 10): stages import one way only, no import circles, a small top level."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sendcheck"
# A stage may import the shared top-level modules and any stage before it, never one after it.
STAGES = ["read", "judge", "figures", "history", "hub", "views", "cli"]
SHARED = {"errors", "columns", "config", "audit", "starter", "synth", "__init__", "__main__"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every sendcheck module this file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sendcheck"):
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("sendcheck")]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != "sendcheck":
                out.add(name)
    return out


def test_no_import_circle():
    modules = _modules()
    graph = {m: _imports(p, modules) - {m} for m, p in modules.items()}
    # Depth-first search with colours: grey on the stack, black finished.
    colour: dict[str, str] = {}
    circles = []

    def visit(m: str, trail: list[str]) -> None:
        colour[m] = "grey"
        for n in sorted(graph[m]):
            if colour.get(n) == "grey":
                circles.append(trail[trail.index(n):] + [n] if n in trail else [m, n])
            elif n not in colour:
                visit(n, trail + [n])
        colour[m] = "black"

    for m in sorted(graph):
        if m not in colour:
            visit(m, [m])
    assert circles == []


def test_stages_import_one_way():
    modules = _modules()
    wrong = []
    for m, path in modules.items():
        parts = m.split(".")
        if len(parts) < 2 or parts[1] not in STAGES:
            continue
        mine = STAGES.index(parts[1])
        for target in _imports(path, modules):
            stage = target.split(".")[1] if "." in target else ""
            if stage in STAGES and STAGES.index(stage) > mine:
                wrong.append(f"{m} imports {target}")
    assert wrong == []


def test_top_level_is_small_and_every_package_says_what_it_owns():
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 10, sorted(p.name for p in top)
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{init.parent.name}/__init__.py has no docstring"
