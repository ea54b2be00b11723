"""Small text formatters shared by previewers (sizes, counts)."""

from __future__ import annotations

from artifact_viewer.core.units import human_size
from artifact_viewer.core.units import plural as count

__all__ = ["count", "human_size"]
