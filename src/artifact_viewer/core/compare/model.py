"""Options, errors and the common shape of every comparison result (plain data, no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.progress import ProgressFn, report

JsonObj = dict[str, Any]

# Result kinds, as the CLI's ``--json`` names them.
TABLE, JSON, TEXT, IMAGE, PDF, BINARY, RUN = (
    "table",
    "json",
    "text",
    "image",
    "pdf",
    "binary",
    "run",
)
FILE_KINDS = (TABLE, JSON, TEXT, IMAGE, PDF, BINARY)


class CompareError(ArtifactViewerError):
    """Two files cannot be compared as asked (the message says why)."""

    default_hint = ""


class CompareUsageError(CompareError):
    """The request itself is wrong (an unknown key column, a run against a file)."""


class TooBigToCompare(CompareError):
    """The files would not fit in memory; raised before any of them is read."""

    default_hint = "Compare smaller files, or free memory and try again."


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """What a comparison may be told.

    ``key``: the key column of tables (None: detected). ``mask_volatile``: timestamps, uuids
    and durations in text compare equal. ``tolerance``: numeric cells closer than this are
    equal. ``memory_limit``: bytes a comparison may plan to hold (None: from the machine).
    """

    key: str | None = None
    mask_volatile: bool = False
    tolerance: float = 0.0
    memory_limit: int | None = None
    context: int = 3


class Steps:
    """Progress in whole steps of ``total`` (work units, not bytes) plus cancellation polls."""

    __slots__ = ("_cancel", "_done", "_progress", "total")

    def __init__(
        self, progress: ProgressFn | None, cancel: CancelToken | None, total: int = 100
    ) -> None:
        self._progress = progress
        self._cancel = cancel
        self._done = 0
        self.total = total

    def check(self) -> None:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()

    def advance(self, to: int) -> None:
        """Mark ``to`` of ``total`` done (never backwards) and poll the cancel token."""
        self.check()
        if to > self._done:
            self._done = min(to, self.total)
            report(self._progress, self._done, self.total)

    def sub(self, start: int, end: int) -> Callable[[float], None]:
        """A fraction (0..1) reporter mapped onto ``start..end``."""

        def at(fraction: float) -> None:
            self.advance(start + int((end - start) * max(0.0, min(1.0, fraction))))

        return at


@dataclass(slots=True)
class Diff:
    """Base of every file comparison: ``kind``, whether the two are identical, notes."""

    kind: str
    identical: bool
    notes: list[str]

    def summary(self) -> JsonObj:
        raise NotImplementedError

    def changes(self) -> list[JsonObj]:
        raise NotImplementedError

    def one_line(self) -> str:
        """A short account of the difference ("+3 rows, -1 row, 12 cells changed")."""
        raise NotImplementedError

    def to_json(self) -> JsonObj:
        """The CLI's ``--json`` object: ``kind``, ``identical``, ``summary``, ``changes``."""
        return {
            "kind": self.kind,
            "identical": self.identical,
            "summary": self.summary(),
            "changes": self.changes(),
        }
