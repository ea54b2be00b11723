"""Re-hashing cached files against the hashes the API gives: one artifact, or the whole cache.

A file whose bytes changed on disk goes, and every artifact that shared it is marked
``mismatch``; a file intact but not what one artifact's hash says only loses that claim.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence

from artifact_viewer.core.blobstore import BlobStore, BoundHash
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.crypto.memfile import PlaintextViews
from artifact_viewer.core.errors import IntegrityError
from artifact_viewer.core.hashes import Hasher, parse_file_hash
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.store_models import CacheEntry, CacheState, VerifyReport

log = logging.getLogger(__name__)


class CacheVerifier:
    """Verification over a catalog and its blob store (the library holds one)."""

    def __init__(self, catalog: Catalog, blobs: BlobStore, plaintext: PlaintextViews) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.plaintext = plaintext

    def verify(self, artifact_id: str) -> CacheState:
        """Re-hash the artifact's cached file. A file that no longer matches is removed and the
        artifact marked ``mismatch`` (the next fetch downloads it again)."""
        entry = self.catalog.cache_entry(artifact_id)
        if entry is None or not entry.state.usable or not entry.sha256:
            return entry.state if entry is not None else CacheState.NOT_CACHED
        artifact = self.catalog.artifact(artifact_id)
        return self.verify_blob(entry, artifact.file_hash if artifact else entry.expected)

    def verify_blob(self, entry: CacheEntry, file_hash: str | None) -> CacheState:
        """Re-hash ``entry``'s blob against ``file_hash`` (the artifact's own hash).

        Bytes changed on disk: the file goes and every artifact sharing it is marked
        mismatch. Bytes intact but not what this artifact's hash says: only this artifact
        loses its claim (the file stays for the others, or goes if it was the only one).
        """
        assert entry.sha256 is not None
        expected = parse_file_hash(file_hash)
        try:
            hasher: Hasher | BoundHash | None = self.blobs.rehash(entry.sha256, expected)
        except FileNotFoundError:
            self.catalog.forget_blob(entry.sha256)
            return CacheState.NOT_CACHED
        except IntegrityError:
            hasher = None  # an encrypted file changed on disk: it fails authentication
        now = time.time()
        if (
            hasher is not None
            and hasher.sha256 == entry.sha256
            and (expected is None or hasher.matches())
        ):
            self.catalog.put_cache_entry(dataclasses.replace(entry, verified_at=now))
            return CacheState.VERIFIED if expected is not None else CacheState.NOT_VERIFIABLE
        changed = hasher is None or hasher.sha256 != entry.sha256
        claims = self.catalog.entries_for_blob(entry.sha256)
        victims = claims if changed else [entry]
        log.warning(
            "Cached file for artifact %s %s; %s",
            entry.artifact_id,
            "changed on disk" if changed else "does not match its hash",
            "removed" if changed or len(claims) <= 1 else "its claim dropped",
        )
        if hasher is None:
            actual: str | None = "unreadable (failed authentication)"
        elif changed:
            actual = f"sha256:{hasher.sha256}"
        else:
            actual = f"{expected.algo}:{hasher.actual()}" if expected is not None else None
        for other in victims:
            self.catalog.put_cache_entry(
                CacheEntry(
                    other.artifact_id,
                    CacheState.MISMATCH,
                    expected=other.expected,
                    actual=actual,
                    fetched_at=other.fetched_at,
                    verified_at=now,
                )
            )
        if changed or len(claims) <= 1:
            self.blobs.remove(entry.sha256)
            self.plaintext.forget(entry.sha256)
        return CacheState.MISMATCH

    def verify_group(self, sha256: str, group: Sequence[CacheEntry]) -> dict[str, CacheState]:
        """Re-hash one blob that several artifacts share, each against its own hash: they
        may state it in different formats (sha256, md5, one the app cannot read). The file
        is read once per distinct hash, not once per artifact."""
        states: dict[str, CacheState] = {}
        seen: dict[str | None, CacheState] = {}
        for entry in group:
            artifact = self.catalog.artifact(entry.artifact_id)
            file_hash = artifact.file_hash if artifact else entry.expected
            parsed = parse_file_hash(file_hash)
            key = str(parsed) if parsed is not None else None
            if key in seen and seen[key] is not CacheState.MISMATCH:
                self.catalog.put_cache_entry(dataclasses.replace(entry, verified_at=time.time()))
                states[entry.artifact_id] = seen[key]
                continue
            state = self.verify_blob(entry, file_hash)
            if not self.blobs.exists(sha256):
                # Gone (vanished, or its bytes changed): no artifact in the group keeps it.
                states.update({e.artifact_id: state for e in group if e.artifact_id not in states})
                return states
            seen[key] = states[entry.artifact_id] = state
        return states

    def verify_all(self, progress: ProgressFn | None = None) -> VerifyReport:
        """Re-hash every cached file; progress counts bytes."""
        result = VerifyReport()
        entries = [e for e in self.catalog.cache_entries().values() if e.sha256]
        entries = [e for e in entries if e.state.usable]
        by_blob: dict[str, list[CacheEntry]] = {}
        for entry in entries:
            assert entry.sha256 is not None
            by_blob.setdefault(entry.sha256, []).append(entry)
        total = sum(max(e.size or 0 for e in group) for group in by_blob.values())
        done = 0
        report(progress, 0, total)
        for sha256, group in by_blob.items():
            states = self.verify_group(sha256, group)
            result.checked += len(group)
            for artifact_id, state in states.items():
                if state is CacheState.VERIFIED:
                    result.verified += 1
                elif state is CacheState.NOT_VERIFIABLE:
                    result.not_verifiable += 1
                elif state is CacheState.MISMATCH:
                    result.mismatched.append(artifact_id)
                else:
                    result.missing.append(artifact_id)
            done += max(e.size or 0 for e in group)
            report(progress, done, total)
            log.debug("Verified blob %s… -> %s", sha256[:12], state.value)
        return result
