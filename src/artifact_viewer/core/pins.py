"""Pinned runs: every artifact downloaded and verified, kept through eviction, usable offline.

Functions over the few store operations they need (:class:`PinStore`, which
:class:`~artifact_viewer.core.library.Library` provides); nothing here holds a library.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, NotAvailableOffline, OfflineError
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.store_models import ArtifactQuery, SyncReport

if TYPE_CHECKING:
    from artifact_viewer.core.catalog import Catalog

log = logging.getLogger("artifact_viewer.store")


class PinError(ArtifactViewerError):
    default_hint = "The run stays pinned; the missing files are fetched on the next sync."


class PinStore(Protocol):
    """What pinning needs from the store: its catalog, refreshes, downloads and the quota."""

    @property
    def catalog(self) -> Catalog: ...

    def refresh_run(self, run_id: str) -> WorkflowRun: ...

    def refresh_artifacts(
        self, *, run_id: str | None = None, workflow_id: str | None = None
    ) -> int: ...

    def download(
        self,
        artifacts: Sequence[Artifact],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport: ...

    def enforce_quota(self) -> list[str]: ...


def pin_run(
    store: PinStore,
    run_id: str,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Pin first (so eviction spares what arrives), then fetch everything in the run.

    A run the API does not know (NotFound, BadRequest) is never pinned. Offline, a run
    the catalog knows is pinned and completes on the next sync; an unknown one raises
    :class:`NotAvailableOffline`.
    """
    catalog = store.catalog
    online = True
    try:
        store.refresh_run(run_id)
    except OfflineError:
        online = False
        known = catalog.run(run_id) is not None or catalog.artifact_ids(run_id=run_id)
        if not known:
            raise NotAvailableOffline(
                f"Run {run_id} is not in the local catalog and the API cannot be reached,"
                " so it cannot be pinned now.",
                hint="Connect to the network and try again.",
            ) from None
    catalog.pin(run_id)
    log.info("Pinned run %s", run_id)
    if online:
        with contextlib.suppress(OfflineError):  # lost the network since: catalog rows
            store.refresh_artifacts(run_id=run_id)
    artifacts = catalog.artifacts(ArtifactQuery(run_id=run_id))
    if not online and not artifacts:
        raise PinError(f"Run {run_id} is pinned, but its files are not known offline.")
    result = store.download(artifacts, progress=progress, cancel=cancel)
    if result.failed:
        first = next(iter(result.failed.values()))
        raise PinError(
            f"{len(result.failed)} of {len(artifacts)} file(s) of the pinned run could not be"
            f" fetched: {first}"
        )


def unpin_run(store: PinStore, run_id: str) -> None:
    """Unpin; its files become ordinary cache entries that eviction may remove."""
    if store.catalog.unpin(run_id):
        log.info("Unpinned run %s", run_id)
    store.enforce_quota()
