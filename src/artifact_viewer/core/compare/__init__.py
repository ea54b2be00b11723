"""Compare two files, two artifacts or two runs (Qt-free; the CLI and the window share it).

Entry points: :func:`compare_files` for two local files and :func:`compare_runs` for two
lists of run artifacts. Both take a progress callback and a cancel token, so the window
runs them on a worker thread; results are plain dataclasses whose ``to_json()`` is the
``artifact-viewer diff --json`` object.
"""

from __future__ import annotations

from artifact_viewer.core.compare.binary import BinaryDiff
from artifact_viewer.core.compare.engine import check_before_fetch, compare_files, compare_kind
from artifact_viewer.core.compare.image import ImageDiff
from artifact_viewer.core.compare.jsondiff import JsonChange, JsonDiff
from artifact_viewer.core.compare.model import (
    BINARY,
    IMAGE,
    JSON,
    PDF,
    RUN,
    TABLE,
    TEXT,
    CompareError,
    CompareOptions,
    CompareUsageError,
    Diff,
    TooBigToCompare,
)
from artifact_viewer.core.compare.pdf import PageDiff, PageImage, PdfDiff, render_page
from artifact_viewer.core.compare.runs import (
    RunDiff,
    RunItem,
    RunPair,
    compare_runs,
    normalise_name,
    pair_items,
)
from artifact_viewer.core.compare.table import TableDiff
from artifact_viewer.core.compare.text import Hunk, TextDiff

__all__ = [
    "BINARY",
    "IMAGE",
    "JSON",
    "PDF",
    "RUN",
    "TABLE",
    "TEXT",
    "BinaryDiff",
    "CompareError",
    "CompareOptions",
    "CompareUsageError",
    "Diff",
    "Hunk",
    "ImageDiff",
    "JsonChange",
    "JsonDiff",
    "PageDiff",
    "PageImage",
    "PdfDiff",
    "RunDiff",
    "RunItem",
    "RunPair",
    "TableDiff",
    "TextDiff",
    "TooBigToCompare",
    "check_before_fetch",
    "compare_files",
    "compare_kind",
    "compare_runs",
    "normalise_name",
    "pair_items",
    "render_page",
]
