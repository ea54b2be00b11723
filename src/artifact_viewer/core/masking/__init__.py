"""Masking of personal and financial values for screen sharing (not to be confused with
:mod:`artifact_viewer.core.redact`, which scrubs the app's own secrets out of logs).

``mask_text`` keeps length and shape (``123-45-6789`` -> ``***-**-6789``), so views can
mask what they show without moving anything; ``spans`` gives the positions for views
that draw boxes (PDF pages, OCR word boxes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from artifact_viewer.core.masking.columns import DEFAULT_COLUMNS, SensitiveColumns
from artifact_viewer.core.masking.detect import find_spans
from artifact_viewer.core.masking.kinds import Kind, Span

__all__ = [
    "DEFAULT_COLUMNS",
    "Kind",
    "Masker",
    "SensitiveColumns",
    "Span",
    "column_is_sensitive",
    "configure",
    "default_masker",
    "mask_cell",
    "mask_text",
    "mask_value",
    "spans",
]

MASK = "*"
_KEEP_LAST_FOUR = frozenset({Kind.SSN, Kind.ITIN, Kind.CARD, Kind.ACCOUNT})


def mask_value(value: str, kind: Kind) -> str:
    """Every letter and digit becomes ``*`` (punctuation and spaces stay, so the shape and
    length do); SSNs, ITINs, cards and accounts of 8+ digits keep their last four digits."""
    digits = sum(ch.isdigit() for ch in value)
    keep = 4 if kind in _KEEP_LAST_FOUR and digits >= 8 else 0
    out: list[str] = []
    seen = 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else MASK)
        elif ch.isalnum():
            out.append(MASK)
        else:
            out.append(ch)
    return "".join(out)


class Masker:
    """Detectors plus a set of sensitive column names; stateless apart from them (thread-safe)."""

    def __init__(self, columns: SensitiveColumns | None = None) -> None:
        self.columns = columns if columns is not None else SensitiveColumns()

    @classmethod
    def from_settings_extra(cls, extra: Mapping[str, Any]) -> Masker:
        return cls(SensitiveColumns.from_settings_extra(extra))

    def spans(self, text: str) -> list[Span]:
        """Sensitive values in ``text``: sorted, never overlapping."""
        if not text:
            return []
        return find_spans(text, self.columns)

    def mask_text(self, text: str) -> str:
        """``text`` with every sensitive value masked in place (same length)."""
        found = self.spans(text)
        if not found:
            return text
        parts: list[str] = []
        last = 0
        for span in found:
            parts.append(text[last : span.start])
            parts.append(mask_value(text[span.start : span.end], span.kind))
            last = span.end
        parts.append(text[last:])
        return "".join(parts)

    def mask_lines(self, lines: Iterable[str]) -> list[str]:
        return [self.mask_text(line) for line in lines]

    def column_is_sensitive(self, name: str) -> bool:
        return self.columns.is_sensitive(name)

    def mask_cell(self, column: str | None, value: object) -> str:
        """A table cell or JSON value as shown: all of it masked when the column or key is
        sensitive, else only the sensitive values inside it."""
        text = "" if value is None else str(value)
        if not text:
            return text
        kind = self.columns.kind_of(column) if column else None
        if kind is not None:
            return mask_value(text, kind)
        return self.mask_text(text)


_default = Masker()


def default_masker() -> Masker:
    return _default


def configure(masker: Masker) -> None:
    """Make ``masker`` (e.g. built from the user's settings) the one the functions below use."""
    global _default
    _default = masker


def mask_text(text: str) -> str:
    return _default.mask_text(text)


def spans(text: str) -> list[Span]:
    return _default.spans(text)


def column_is_sensitive(name: str) -> bool:
    return _default.column_is_sensitive(name)


def mask_cell(column: str | None, value: object) -> str:
    return _default.mask_cell(column, value)
