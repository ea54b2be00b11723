"""Pinned runs: every artifact downloaded and verified, kept through eviction, usable offline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, OfflineError
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.store_models import ArtifactQuery

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library

log = logging.getLogger("artifact_viewer.store")


class PinError(ArtifactViewerError):
    default_hint = "The run stays pinned; the missing files are fetched on the next sync."


class PinManager:
    """Pins and unpins runs for a :class:`Library`."""

    def __init__(self, library: Library) -> None:
        self._library = library

    def pin(
        self, run_id: str, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> None:
        """Pin first (so eviction spares what arrives), then fetch everything in the run.

        Offline, the pin is recorded and the run completes on the next sync.
        """
        lib = self._library
        lib.catalog.pin(run_id)
        log.info("Pinned run %s", run_id)
        try:
            lib.refresh_artifacts(run_id=run_id)
        except OfflineError:
            if not lib.catalog.artifact_ids(run_id=run_id):
                raise
        artifacts = lib.catalog.artifacts(ArtifactQuery(run_id=run_id))
        result = lib.download(artifacts, progress=progress, cancel=cancel)
        if result.failed:
            first = next(iter(result.failed.values()))
            raise PinError(
                f"{len(result.failed)} of {len(artifacts)} file(s) of the pinned run could not be"
                f" fetched: {first}"
            )

    def unpin(self, run_id: str) -> None:
        """Unpin; its files become ordinary cache entries that eviction may remove."""
        lib = self._library
        if lib.catalog.unpin(run_id):
            log.info("Unpinned run %s", run_id)
        lib.enforce_quota()
