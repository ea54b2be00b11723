"""Keep the cache under its quota: evict least recently opened blobs, never a pinned run's."""

from __future__ import annotations

import logging
from collections.abc import Collection

from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.catalog import Catalog

log = logging.getLogger("artifact_viewer.store")


def enforce_quota(
    catalog: Catalog, blobs: BlobStore, quota_bytes: int, keep: Collection[str] = ()
) -> list[str]:
    """Evict until the cache fits ``quota_bytes``; return the evicted SHA-256 digests.

    ``keep`` holds blobs that must stay (the one just fetched for the caller). Pinned runs
    may alone exceed the quota: they are the user's explicit choice, so they stay and the
    overshoot is reported by ``stats``.
    """
    total = catalog.cached_bytes()
    if total <= quota_bytes:
        return []
    evicted: list[str] = []
    for sha256, size, _used, pinned in catalog.blobs_by_age():
        if total <= quota_bytes:
            break
        if pinned or sha256 in keep:
            continue
        blobs.remove(sha256)
        catalog.forget_blob(sha256)
        total -= size
        evicted.append(sha256)
    if evicted:
        log.info("Cache over quota: evicted %d file(s); %d bytes cached now", len(evicted), total)
    if total > quota_bytes:
        log.warning(
            "Cache still over quota (%d > %d bytes): pinned runs hold the rest", total, quota_bytes
        )
    return evicted
