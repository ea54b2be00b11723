"""Progress reporting shared by long work: a callback taking (bytes_done, total or None)."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, int | None], None]


def report(progress: ProgressFn | None, done: int, total: int | None) -> None:
    """Call ``progress`` if given; a failing callback must not break the work it observes."""
    if progress is None:
        return
    try:
        progress(done, total)
    except Exception:  # noqa: BLE001 - the observer's bug is not the download's failure
        import logging

        logging.getLogger("artifact_viewer.progress").exception("progress callback failed")
