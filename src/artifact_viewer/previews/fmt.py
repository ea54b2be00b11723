"""Small text formatters shared by previewers (sizes, counts).

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

from artifact_viewer.core.units import human_size
from artifact_viewer.core.units import plural as count

__all__ = ["count", "human_size"]
