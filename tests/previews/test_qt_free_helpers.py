"""The previews' Qt-free modules say so in their docstring, and the import contract lists them."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import artifact_viewer.previews as previews

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
MARK = "Qt-free:"


def _marked_modules() -> set[str]:
    root = Path(previews.__file__).parent
    marked = set()
    for path in root.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if MARK in doc:
            parts = path.relative_to(root.parent.parent).with_suffix("").parts
            marked.add(".".join(p for p in parts if p != "__init__"))
    return marked


def _contract_modules() -> set[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (qt_free,) = [c for c in contracts if c["name"].startswith("Qt-free preview helpers")]
    assert "PySide6" in qt_free["forbidden_modules"]
    return set(qt_free["source_modules"])


def test_modules_marked_qt_free_are_exactly_those_the_contract_checks() -> None:
    marked, checked = _marked_modules(), _contract_modules()
    assert marked == checked, {
        "marked but not checked": sorted(marked - checked),
        "checked but not marked": sorted(checked - marked),
    }
    assert "artifact_viewer.previews.table.cells" in marked
