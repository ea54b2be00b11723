"""Keep the cache under its quota: evict least recently opened blobs, never a pinned run's."""

from __future__ import annotations

import logging
from collections.abc import Collection

from artifact_viewer.core.blobstore import BlobStore, fetch_lock_key
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.hashes import parse_file_hash

log = logging.getLogger("artifact_viewer.store")


def blob_lock_keys(catalog: Catalog, sha256: str) -> set[str]:
    """Every lock a download of these bytes may hold, whichever artifact it is for."""
    keys = {f"sha256-{sha256}"}
    for entry in catalog.entries_for_blob(sha256):
        keys.add(fetch_lock_key(parse_file_hash(entry.expected), entry.artifact_id))
    return keys


def remove_blob_unless_busy(catalog: Catalog, blobs: BlobStore, sha256: str) -> bool:
    """Delete a cached blob and its catalog claims, unless a download (in any process) holds
    one of its locks right now; then leave it and return False."""
    with blobs.try_locks(blob_lock_keys(catalog, sha256)) as free:
        if not free:
            log.info("Cached file %s… is in use by a download; left in place", sha256[:12])
            return False
        # The catalog first: killed in between, a file nobody claims is harmless (it holds
        # verified bytes and a later download reuses it); a claim without its file is not.
        catalog.forget_blob(sha256)
        blobs.remove(sha256)
        return True


def enforce_quota(
    catalog: Catalog, blobs: BlobStore, quota_bytes: int, keep: Collection[str] = ()
) -> list[str]:
    """Evict until the cache fits ``quota_bytes``; return the evicted SHA-256 digests.

    ``keep`` holds blobs that must stay (the one just fetched for the caller). Pinned runs
    may alone exceed the quota: they are the user's explicit choice, so they stay and the
    overshoot is reported by ``stats``. A blob a download is using (this process or
    another) is skipped; a later pass evicts it.
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
        if not remove_blob_unless_busy(catalog, blobs, sha256):
            continue
        total -= size
        evicted.append(sha256)
    if evicted:
        log.info("Cache over quota: evicted %d file(s); %d bytes cached now", len(evicted), total)
    if total > quota_bytes:
        log.warning(
            "Cache still over quota (%d > %d bytes): pinned runs or downloads in use hold the rest",
            total,
            quota_bytes,
        )
    return evicted
