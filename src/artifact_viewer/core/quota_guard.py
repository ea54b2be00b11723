"""A sync that keeps to the cache quota as it goes, not only once it has finished."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.quota import enforce_quota
from artifact_viewer.core.units import human_size

QUOTA_REFUSAL = "not downloaded: the cache quota is full with the files this sync asked for."


class SyncQuota:
    """Admits each download of a sync only if the files the sync asked for, the pinned
    runs' files and the downloads in flight still fit the quota; evicts other (unpinned,
    least recently opened) files after each one.

    Pinned runs' artifacts are always admitted (the user chose to keep them) and counted.
    Once one requested file cannot fit, the rest are refused too: the sync stops
    downloading with :attr:`stopped` saying why.
    """

    def __init__(
        self,
        catalog: Catalog,
        blobs: BlobStore,
        quota_bytes: int,
        already_kept: Mapping[str, int] | None = None,
    ) -> None:
        """``already_kept``: blobs (sha256 -> size) the sync's artifacts have cached already."""
        self._catalog = catalog
        self._blobs = blobs
        self.quota = quota_bytes
        self._pinned_runs = set(catalog.pinned_runs())
        self._pinned_bytes = catalog.pinned_bytes()
        self._sizes: dict[str, int] = dict(already_kept or {})
        self._held = sum(self._sizes.values())  # this sync's files outside pinned runs
        self._reserved: dict[str, int] = {}
        self._lock = threading.Lock()
        self._evict_lock = threading.Lock()
        self.stopped: str | None = None

    @property
    def keep(self) -> set[str]:
        """The blobs this sync must not evict: the files it was asked for."""
        return set(self._sizes)

    def admit(self, artifact: Artifact) -> str | None:
        """None if ``artifact`` may be downloaded now, else the reason it may not."""
        if artifact.workflow_run_id in self._pinned_runs:
            return None
        size = artifact.file_size or 0
        with self._lock:
            if self.stopped is not None:
                return QUOTA_REFUSAL
            needed = self._pinned_bytes + self._held + sum(self._reserved.values()) + size
            if needed > self.quota:
                self.stopped = (
                    f"Not downloaded: the cache quota ({human_size(self.quota)}) cannot hold the"
                    f" files this sync asked for ({human_size(needed)} with pinned runs and"
                    " the files already synced); the sync stopped downloading. Raise the quota"
                    " (`cache quota SIZE`) or sync a smaller scope."
                )
                return QUOTA_REFUSAL
            self._reserved[artifact.id] = size
        return None

    def finished(self, artifact: Artifact, path: Path | None) -> None:
        """One admitted download ended (``path`` None if it failed); evict what no longer fits."""
        with self._lock:
            self._reserved.pop(artifact.id, None)
            if path is not None:
                entry = self._catalog.cache_entry(artifact.id)
                if entry is not None and entry.sha256 and entry.sha256 not in self._sizes:
                    size = entry.size or 0
                    if artifact.workflow_run_id in self._pinned_runs:
                        self._pinned_bytes += size
                        size = 0
                    self._sizes[entry.sha256] = size
                    self._held += size
            keep = set(self._sizes)
        if path is not None:
            with self._evict_lock:
                enforce_quota(self._catalog, self._blobs, self.quota, keep)
