"""Compare two files: pick the kind, check it fits in memory, run that kind's diff.

Call from a worker thread: ``progress(done, total)`` reports work units (not bytes) and
``cancel`` stops the work between steps with :class:`~artifact_viewer.core.errors.Cancelled`.
Nothing is written anywhere: a cancelled comparison leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare.binary import compare_binary
from artifact_viewer.core.compare.image import compare_images
from artifact_viewer.core.compare.jsondiff import compare_json
from artifact_viewer.core.compare.kinds import FileKind, kind_for_label, kind_of
from artifact_viewer.core.compare.limits import check_fits
from artifact_viewer.core.compare.model import (
    BINARY,
    IMAGE,
    JSON,
    PDF,
    TABLE,
    TEXT,
    CompareError,
    CompareOptions,
    Diff,
    Steps,
)
from artifact_viewer.core.compare.pdf import compare_pdfs
from artifact_viewer.core.compare.table import compare_tables
from artifact_viewer.core.compare.text import compare_text
from artifact_viewer.core.progress import ProgressFn


def _table(
    a: Path,
    b: Path,
    options: CompareOptions,
    steps: Steps,
    ka: FileKind,
    kb: FileKind,
    on_partial: Callable[[Diff], None] | None = None,
) -> Diff:
    return compare_tables(
        a,
        b,
        options,
        steps,
        ((ka.delimiter or ",", ka.encoding), (kb.delimiter or ",", kb.encoding)),
        on_partial,
    )


def _text(
    a: Path, b: Path, options: CompareOptions, steps: Steps, ka: FileKind, kb: FileKind
) -> Diff:
    return compare_text(a, b, options, steps, (ka.encoding, kb.encoding))


_Runner = Callable[[Path, Path, CompareOptions, Steps, FileKind, FileKind], Diff]

_RUNNERS: dict[str, _Runner] = {
    TABLE: _table,
    TEXT: _text,
    JSON: lambda a, b, o, s, _ka, _kb: compare_json(a, b, o, s),
    IMAGE: lambda a, b, o, s, _ka, _kb: compare_images(a, b, o, s),
    PDF: lambda a, b, o, s, _ka, _kb: compare_pdfs(a, b, o, s),
    BINARY: lambda a, b, o, s, _ka, _kb: compare_binary(a, b, o, s),
}


def compare_kind(
    path_a: Path,
    path_b: Path,
    *,
    mime_a: str | None = None,
    mime_b: str | None = None,
    name_a: str | None = None,
    name_b: str | None = None,
) -> tuple[str, str | None]:
    """The kind both files compare as, and a note when their kinds differ (then: binary)."""
    ka = kind_of(path_a, mime_a, name_a)
    kb = kind_of(path_b, mime_b, name_b)
    if ka.kind == kb.kind:
        return ka.kind, None
    if {ka.kind, kb.kind} == {TABLE, TEXT}:
        return TEXT, None  # a one-column CSV against plain text: still lines
    return BINARY, (
        f"The files are of different kinds (A: {ka.kind}, B: {kb.kind}): compared as binary."
    )


def check_before_fetch(
    a: tuple[str | None, str | None, int | None],
    b: tuple[str | None, str | None, int | None],
    options: CompareOptions | None = None,
) -> None:
    """Raise TooBigToCompare before anything is downloaded when both sides' (name, MIME
    label, size) already say the comparison would not fit in memory."""
    kind_a, kind_b = kind_for_label(a[1], a[0]), kind_for_label(b[1], b[0])
    if kind_a is None or kind_a != kind_b or a[2] is None or b[2] is None:
        return
    check_fits(kind_a, a[2], b[2], (options or CompareOptions()).memory_limit)


def compare_files(
    path_a: Path,
    path_b: Path,
    options: CompareOptions | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    mime_a: str | None = None,
    mime_b: str | None = None,
    name_a: str | None = None,
    name_b: str | None = None,
    kind: str | None = None,
    on_partial: Callable[[Diff], None] | None = None,
) -> Diff:
    """Compare two local files (kind detected unless given); raises CompareError,
    TooBigToCompare, Cancelled, or OSError for unreadable files.

    ``on_partial`` (called on this thread) gets a first look at big tables before the
    whole comparison is done: a ``TableDiff`` with ``partial`` set (see
    :func:`~artifact_viewer.core.compare.table.first_changes`)."""
    options = options or CompareOptions()
    for path in (path_a, path_b):
        if not path.is_file():
            raise CompareError(f"{path} is not a file.")
    steps = Steps(progress, cancel)
    steps.check()
    ka = kind_of(path_a, mime_a, name_a)
    kb = kind_of(path_b, mime_b, name_b)
    note = None
    if kind is None:
        kind, note = compare_kind(
            path_a, path_b, mime_a=mime_a, mime_b=mime_b, name_a=name_a, name_b=name_b
        )
    if kind not in _RUNNERS:
        raise CompareError(f"Unknown comparison kind {kind!r}.")
    if kind == TEXT:  # a table read as text keeps its encoding
        ka = FileKind(TEXT, ka.encoding)
        kb = FileKind(TEXT, kb.encoding)
    check_fits(kind, path_a.stat().st_size, path_b.stat().st_size, options.memory_limit)
    steps.advance(1)
    try:
        if kind == TABLE and on_partial is not None:
            result = _table(path_a, path_b, options, steps, ka, kb, on_partial)
        else:
            result = _RUNNERS[kind](path_a, path_b, options, steps, ka, kb)
    except MemoryError:
        raise CompareError(
            "The comparison ran out of memory. Compare smaller files, or free memory and try again."
        ) from None
    if note:
        result.notes.insert(0, note)
    return result
