"""Import the previewers and their heavy libraries on the pool, ahead of the first click.

A previewer module pulls in pyarrow, orjson, numpy, Pillow or QtPdf: 0.1-0.3 s each on
first import. Imported on the GUI thread at the user's first click, that time is a frozen
window; imported here (a pool thread, after the window's first paint), the first click
finds them loaded. Importing a module creates no Qt objects, so any thread may do it.

A previewer class may also have a ``warm_up()`` static method (callable from any thread,
creating no Qt objects), run here too: the PDF view starts its helper process this way.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews import registry
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

log = logging.getLogger(__name__)

# Modules the previewers import only on first use (sniffing, table statistics, queries).
LATER_MODULES = (
    "puremagic",
    "charset_normalizer",
    "artifact_viewer.previews.host",
    "artifact_viewer.previews.table.query",
    "artifact_viewer.previews.table.stats",
    "artifact_viewer.core.masking",
)


def warm_up(progress: Progress, cancel: CancelToken) -> float:
    """Worker: import every previewer's module and the modules they load later; seconds taken."""
    started = time.perf_counter()
    kinds = registry.known_kinds()
    for done, kind in enumerate(kinds):
        cancel.raise_if_cancelled()
        cls = registry.previewer_class(kind)  # cached: the click reuses the imported class
        prepare = getattr(cls, "warm_up", None)
        if callable(prepare):
            try:
                prepare()
            except Exception as exc:  # the view starts what it needs on first use instead
                log.info("warm-up: the %s view's preparation failed (%s)", kind, exc)
        progress(done + 1, len(kinds) + len(LATER_MODULES))
    for name in LATER_MODULES:
        cancel.raise_if_cancelled()
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional helper: its feature reports it when used
            log.info("warm-up: %s not importable (%s)", name, exc)
    return time.perf_counter() - started


def start_warmup(on_done: Callable[[], None] | None = None) -> Task:
    """Start :func:`warm_up` on the pool (call from the GUI thread); ``on_done`` runs on the
    GUI thread once it finished or failed."""

    def done(seconds: object) -> None:
        log.info("Preview modules imported in %.2f s", seconds)
        if on_done is not None:
            on_done()

    def failed(exc: BaseException) -> None:
        log.warning("Importing the preview modules ahead of need failed: %s", exc)
        if on_done is not None:
            on_done()

    return run_in_pool(warm_up, on_result=done, on_error=failed)
