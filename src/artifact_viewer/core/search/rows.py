"""What an extractor yields: rows of (text, location key) and notes on what it skipped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: longest text one index row holds; longer lines, cells, values and pages are cut into
#: pieces of this size that overlap by OVERLAP characters, so a match across a cut is found
CHUNK_CHARS = 16_384
OVERLAP = 256
#: the cells of a table row are joined with this character (a query can never contain it)
CELL_SEP = "\x1f"

Row = tuple[str, str]


@dataclass(slots=True)
class DocInfo:
    """Filled in by an extractor while it runs: the kind it read the file as, a table's
    column names, and why any part of the file was not indexed."""

    kind: str
    columns: list[str] | None = None
    skipped: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        if len(self.skipped) < 20 and reason not in self.skipped:
            self.skipped.append(reason)


def pieces(text: str, size: int = CHUNK_CHARS) -> Iterator[str]:
    """``text`` cut into pieces of at most ``size`` characters overlapping by OVERLAP."""
    if len(text) <= size:
        yield text
        return
    step = size - OVERLAP
    for start in range(0, len(text) - OVERLAP, step):
        yield text[start : start + size]


def clean(text: str) -> str:
    """Text SQLite can store: lone surrogates (valid in JSON strings) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text
