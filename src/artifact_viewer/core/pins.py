"""Pinned runs: every artifact downloaded and verified, kept through eviction, usable offline."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, NotAvailableOffline, OfflineError
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

        A run the API does not know (NotFound, BadRequest) is never pinned. Offline, a run
        the catalog knows is pinned and completes on the next sync; an unknown one raises
        :class:`NotAvailableOffline`.
        """
        lib = self._library
        online = True
        try:
            lib.refresh_run(run_id)
        except OfflineError:
            online = False
            known = lib.catalog.run(run_id) is not None or lib.catalog.artifact_ids(run_id=run_id)
            if not known:
                raise NotAvailableOffline(
                    f"Run {run_id} is not in the local catalog and the API cannot be reached,"
                    " so it cannot be pinned now.",
                    hint="Connect to the network and try again.",
                ) from None
        lib.catalog.pin(run_id)
        log.info("Pinned run %s", run_id)
        if online:
            with contextlib.suppress(OfflineError):  # lost the network since: catalog rows
                lib.refresh_artifacts(run_id=run_id)
        artifacts = lib.catalog.artifacts(ArtifactQuery(run_id=run_id))
        if not online and not artifacts:
            raise PinError(f"Run {run_id} is pinned, but its files are not known offline.")
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
