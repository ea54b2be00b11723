"""No import cycle between modules of the package, counting imports inside functions.

import-linter sees the same imports but checks layers, not cycles; a function-level import is
how a cycle usually hides ("imported here to avoid a cycle"). The graph is built from the
source text: every ``import``/``from`` statement anywhere in a module (function bodies and
``TYPE_CHECKING`` blocks included) is an edge to the module it names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import artifact_viewer

PACKAGE_DIR = Path(artifact_viewer.__file__).parent

Graph = dict[str, set[str]]


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module and package under ``package_dir``."""
    root = package_dir.parent
    modules: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` or its closest enclosing module of the package (None: not ours)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package_dir: Path) -> Graph:
    """Module -> the package's modules it imports, from every import statement in it."""
    modules = module_files(package_dir)
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                # "from pkg import mod" imports the submodule; "from mod import name" the module.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                found = _known(target, modules)
                if found is not None and found != name:
                    graph[name].add(found)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (as a path that returns to its start) per group of mutually importing
    modules (Tarjan's strongly connected components), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot hit the recursion limit.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(_path_through(graph, group) for group in groups)


def _path_through(graph: Graph, group: set[str]) -> list[str]:
    """A shortest cycle inside ``group`` from its first module back to it (breadth first)."""
    start = min(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {sorted(group)}")  # pragma: no cover


def test_no_import_cycle_between_modules() -> None:
    found = cycles(import_graph(PACKAGE_DIR))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_graph_sees_the_package() -> None:
    graph = import_graph(PACKAGE_DIR)
    assert "artifact_viewer.core.library" in graph["artifact_viewer.commands.common"]
    assert len(graph) > 100


def test_a_cycle_through_a_function_level_import_is_found_and_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from .. import c\n")
    (package / "c.py").write_text("def late():\n    import pkg.a\n")
    (package / "d.py").write_text("from pkg import a\n")  # imports into the cycle, not part of it
    graph = import_graph(package)
    assert graph["pkg.c"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]


def test_type_checking_imports_count_too(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import pkg.b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import Thing\n"
    )
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.a"]]
