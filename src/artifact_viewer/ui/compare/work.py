"""Background work of the compare page: fetch through the cache, compare, prepare the view.

Each function takes ``(…, progress, cancel)`` as :meth:`Ops.run` calls it, and runs on a
worker thread: fetching, comparing and making the view's data (rendered text, images and
the heatmap, the table's row plan) never touch the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare import (
    JSON,
    TEXT,
    CompareOptions,
    Diff,
    ImageDiff,
    JsonDiff,
    PdfDiff,
    RunItem,
    RunPair,
    TableDiff,
    TextDiff,
    check_before_fetch,
    compare_files,
    compare_kind,
    compare_runs,
)
from artifact_viewer.core.compare.isolated import ChildFailed, Request, compare_in_child
from artifact_viewer.core.errors import ArtifactViewerError, NotFound, OfflineError
from artifact_viewer.core.masking import Masker
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery

if TYPE_CHECKING:  # the window paints before the library (and httpx) is imported
    from artifact_viewer.core.library import Library

log = logging.getLogger(__name__)

#: kinds compared in a child process when both files together are this big: their engines
#: spend long stretches in C calls that hold the GIL (orjson, ``==`` over big documents,
#: scans of the whole text), which would stall the GUI thread. Tables stay here (Arrow
#: releases the GIL, and their first changes are shown as soon as they are found).
ISOLATED_KINDS = frozenset({JSON, TEXT})
ISOLATE_BYTES = 16 << 20


@dataclass(slots=True)
class Prepared:
    """A comparison and what its view needs, ready for the GUI thread."""

    diff: Diff
    extra: Any = None
    in_run: bool = False
    #: the files compared (an image pair is loaded from them again when the view is masked)
    path_a: Path | None = None
    path_b: Path | None = None
    #: the values shown are masked (the redacted view was on when it was prepared)
    masked: bool = False


def prepare(
    diff: Diff,
    path_a: Path | None,
    path_b: Path | None,
    in_run: bool = False,
    masker: Masker | None = None,
) -> Prepared:
    """The view data of ``diff``; with ``masker`` (the redacted view), every value shown
    (cells, JSON values, text lines, words on images) is masked here, on the worker."""
    from artifact_viewer.ui.compare.imagediff import load_pair
    from artifact_viewer.ui.compare.tablediff import plan
    from artifact_viewer.ui.compare.textdiff import documents, render

    extra: Any = None
    if isinstance(diff, TableDiff) and diff.rows is not None:
        extra = plan(diff, changes_only=True, masker=masker)
    elif isinstance(diff, TextDiff):
        extra = documents(render(diff.hunks, masker=masker))
    elif isinstance(diff, ImageDiff) and path_a is not None and path_b is not None:
        extra = load_pair(path_a, path_b, diff, masker=masker)
    elif isinstance(diff, JsonDiff):
        from artifact_viewer.ui.compare.jsontree import json_model

        extra = json_model(diff, masker=masker)
    elif isinstance(diff, PdfDiff):
        from artifact_viewer.ui.compare.pdfdiff import PdfPair

        rendered = [documents(render(page.text.hunks, masker=masker)) for page in diff.pages]
        extra = PdfPair(rendered, path_a, path_b, masker)
    return Prepared(diff, extra, in_run, path_a, path_b, masker is not None)


def prepare_again(
    prepared: Prepared, masker: Masker | None, progress: Any, cancel: CancelToken
) -> Prepared:
    """The same comparison prepared again, masked or not (the redacted view was switched)."""
    if masker is None and not prepared.masked:
        return prepared
    return prepare(prepared.diff, prepared.path_a, prepared.path_b, prepared.in_run, masker)


def _side(label: str, name: str, work: Any) -> Any:
    try:
        return work()
    except ArtifactViewerError as exc:
        exc.message = f"{label} ({name}): {exc.message}"
        raise


def compare_artifacts(
    library: Library,
    id_a: str,
    id_b: str,
    options: CompareOptions,
    progress: Any,
    cancel: CancelToken,
    masker: Masker | None = None,
) -> Prepared:
    """Fetch both artifacts (cache first; offline says which side is missing) and compare."""
    artifacts = []
    for label, artifact_id in (("A", id_a), ("B", id_b)):
        artifact = library.artifact(artifact_id)
        if artifact is None:
            raise NotFound(f"{label}: artifact {artifact_id} is not in the catalog.")
        artifacts.append(artifact)
    a, b = artifacts
    check_before_fetch(
        (a.name, a.mime_type, a.file_size), (b.name, b.mime_type, b.file_size), options
    )
    path_a = _side("A", a.name, lambda: library.fetch(a.id, cancel=cancel))
    path_b = _side("B", b.name, lambda: library.fetch(b.id, cancel=cancel))
    return compare_paths(path_a, path_b, options, progress, cancel, a, b, masker)


def compare_paths(
    path_a: Path,
    path_b: Path,
    options: CompareOptions,
    progress: Any,
    cancel: CancelToken,
    a: Any = None,
    b: Any = None,
    masker: Masker | None = None,
) -> Prepared:
    """Compare two local files (``a``/``b``: their artifacts, for MIME types and names).
    A first look at big tables goes to ``progress.partial`` (the view shows it at once)."""
    send = getattr(progress, "partial", None)

    def on_partial(first: Diff) -> None:
        if send is not None:
            send(prepare(first, path_a, path_b, masker=masker))

    diff = compare_isolating(
        path_a,
        path_b,
        options,
        progress=progress,
        cancel=cancel,
        mime_a=a.mime_type if a is not None else None,
        mime_b=b.mime_type if b is not None else None,
        name_a=a.name if a is not None else None,
        name_b=b.name if b is not None else None,
        on_partial=on_partial,
    )
    return prepare(diff, path_a, path_b, masker=masker)


def compare_isolating(
    path_a: Path,
    path_b: Path,
    options: CompareOptions,
    *,
    progress: Any = None,
    cancel: CancelToken | None = None,
    mime_a: str | None = None,
    mime_b: str | None = None,
    name_a: str | None = None,
    name_b: str | None = None,
    on_partial: Any = None,
) -> Diff:
    """:func:`compare_files`, in a child process for big files of :data:`ISOLATED_KINDS`
    (here when the child cannot run)."""
    kind, _note = compare_kind(
        path_a, path_b, mime_a=mime_a, mime_b=mime_b, name_a=name_a, name_b=name_b
    )
    if kind in ISOLATED_KINDS and _size(path_a) + _size(path_b) >= ISOLATE_BYTES:
        request = Request(str(path_a), str(path_b), options, None, mime_a, mime_b, name_a, name_b)
        try:
            return compare_in_child(request, progress, cancel)
        except ChildFailed as exc:
            log.warning("comparing in a child process failed (%s); comparing here", exc)
    return compare_files(
        path_a,
        path_b,
        options,
        progress=progress,
        cancel=cancel,
        mime_a=mime_a,
        mime_b=mime_b,
        name_a=name_a,
        name_b=name_b,
        on_partial=on_partial,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def run_items(library: Library, run_id: str) -> list[RunItem]:
    if library.client is not None:
        with contextlib.suppress(OfflineError):
            library.refresh_artifacts(run_id=run_id)
    artifacts = library.artifacts(ArtifactQuery(run_id=run_id, descending=False))
    return [
        RunItem(a.id, a.name, a.type, a.mime_type, a.file_hash)
        for a in artifacts
        if a.workflow_run_id == run_id
    ]


def compare_two_runs(
    library: Library,
    run_a: str,
    run_b: str,
    options: CompareOptions,
    manual: list[tuple[str, str]],
    progress: Any,
    cancel: CancelToken,
) -> Prepared:
    """Pair and compare the artifacts of two runs (``manual``: pairs chosen by hand)."""
    items_a = run_items(library, run_a)
    items_b = run_items(library, run_b)

    def fetch(item: RunItem, token: CancelToken | None) -> Path:
        return library.fetch(item.id, cancel=token)

    diff = compare_runs(
        items_a,
        items_b,
        fetch,
        options,
        run_a=run_a,
        run_b=run_b,
        manual=manual,
        progress=progress,
        cancel=cancel,
        compare=compare_isolating,
    )
    return Prepared(diff)


def prepare_pair(
    library: Library,
    pair: RunPair,
    progress: Any,
    cancel: CancelToken,
    masker: Masker | None = None,
) -> Prepared:
    """The view data of one pair of a run comparison (its diff is already made)."""
    assert pair.diff is not None
    path_a = path_b = None
    if isinstance(pair.diff, ImageDiff | PdfDiff) and pair.a is not None and pair.b is not None:
        path_a = library.fetch(pair.a.id, cancel=cancel)
        path_b = library.fetch(pair.b.id, cancel=cancel)
    return prepare(pair.diff, path_a, path_b, in_run=True, masker=masker)


def previous_run(library: Library, run_id: str) -> WorkflowRun | None:
    """The run of the same workflow that started last before ``run_id`` (catalog only)."""
    run = library.run(run_id)
    if run is None or run.workflow_id is None or run.created_at is None:
        return None
    started = run.created_at
    earlier = [
        r
        for r in library.runs(run.workflow_id)
        if r.id != run_id and r.created_at is not None and r.created_at < started
    ]
    if not earlier:
        return None

    def when(r: WorkflowRun) -> datetime:
        assert r.created_at is not None
        return r.created_at

    return max(earlier, key=when)
