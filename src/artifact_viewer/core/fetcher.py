"""Download artifacts through signed URLs: refresh, resume by Range, share, bound, verify."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from artifact_viewer.core.blobstore import BlobStore, BlobWriter, fetch_lock_key
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.errors import (
    CacheError,
    Cancelled,
    IntegrityError,
    NetworkError,
    SignedUrlExpired,
    StorageError,
)
from artifact_viewer.core.hashes import ExpectedHash, parse_file_hash
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.signed_url import SignedUrl
from artifact_viewer.core.store_models import CacheEntry, CacheState

log = logging.getLogger("artifact_viewer.fetch")

MAX_TRANSPORT_RETRIES = 5  # consecutive failures without a single new byte
MAX_CONNECT_RETRIES = 2  # consecutive connection refusals (offline, DNS)
MAX_EXPIRED_IN_A_ROW = 2  # a fresh URL refused at once twice: the clock or the store is wrong
RETRY_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
PROGRESS_INTERVAL = 0.05  # seconds between progress reports while bytes stream in
_progress_clock = time.monotonic  # replaceable in tests
_CONTENT_RANGE_RE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class ArtifactSource(Protocol):
    """What the fetcher needs from the API client: a fresh signed URL for an artifact."""

    def get_artifact(self, artifact_id: str) -> Artifact: ...


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's result: the file, and whether this call downloaded it (vs. found it cached)."""

    path: Path
    downloaded: bool
    #: the bytes also went to the ``also_to`` file given to the fetch, verified
    teed: bool = False


@dataclass
class _InFlight:
    """One shared download: waiters block on ``done`` and hear the leader's progress."""

    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    listeners: list[ProgressFn] = field(default_factory=list)

    def progress(self, done: int, total: int | None) -> None:
        for listener in list(self.listeners):
            report(listener, done, total)


class Fetcher:
    """Fetches artifacts into the blob store.

    Only artifact ids are ever logged: the URL is a secret and lives in memory only
    (``_urls``), never in the catalog.
    """

    def __init__(
        self,
        *,
        http: httpx.Client,
        catalog: Catalog,
        blobs: BlobStore,
        source: Callable[[], ArtifactSource | None],
        max_parallel: int = 4,
        on_stored: Callable[[str], None] | None = None,
    ) -> None:
        self.http = http
        self.catalog = catalog
        self.blobs = blobs
        self._source = source
        self._slots = threading.BoundedSemaphore(max(1, max_parallel))
        self._urls: dict[str, SignedUrl] = {}
        self._urls_lock = threading.Lock()
        self._inflight: dict[str, _InFlight] = {}
        self._inflight_lock = threading.Lock()
        self._on_stored = on_stored
        self.url_refreshes = 0  # how often the API was asked for a fresh URL (for stats/tests)

    # -- signed URLs -----------------------------------------------------------------------

    def remember_url(self, artifact: Artifact, issued_at: datetime | None = None) -> None:
        """Keep a listed artifact's URL (in memory only) so a later fetch can skip a round trip."""
        if artifact.signed_url:
            with self._urls_lock:
                self._urls[artifact.id] = SignedUrl.from_url(artifact.signed_url, issued_at)

    def forget_urls(self) -> None:
        with self._urls_lock:
            self._urls.clear()

    def _fresh_url(self, artifact: Artifact) -> SignedUrl:
        source = self._source()
        if source is None:
            raise NetworkError("Cannot get a download link while offline.")
        log.info("Requesting a fresh download link for artifact %s", artifact.id)
        fresh = source.get_artifact(artifact.id)
        self.url_refreshes += 1
        # The docs' advice: check the bytes come from the run we think they do.
        for field_name in ("workflow_run_id", "file_hash"):
            ours, theirs = getattr(artifact, field_name), getattr(fresh, field_name)
            if ours and theirs and ours != theirs:
                raise IntegrityError(
                    f"{artifact.name} changed on the server ({field_name} differs from the"
                    " catalog); it was not downloaded.",
                    hint="Refresh the run, then open it again.",
                )
        if not fresh.signed_url:
            raise StorageError(f"The API gave no download link for {artifact.name}.")
        signed = SignedUrl.from_url(fresh.signed_url)
        with self._urls_lock:
            self._urls[artifact.id] = signed
        return signed

    def _url_for(self, artifact: Artifact) -> SignedUrl:
        with self._urls_lock:
            known = self._urls.get(artifact.id)
        if known is None and artifact.signed_url:
            known = SignedUrl.from_url(artifact.signed_url)
        if known is not None and known.usable():
            return known
        return self._fresh_url(artifact)

    # -- cache lookups ----------------------------------------------------------------------

    def cached(self, artifact: Artifact) -> Path | None:
        """The artifact's usable local file, or None. Reuses a blob another artifact already has."""
        entry = self.catalog.cache_entry(artifact.id)
        if entry is not None and entry.state.usable and entry.sha256:
            path = self.blobs.locate(entry.sha256)
            if path is not None:
                return path
        expected = parse_file_hash(artifact.file_hash)
        if expected is None:
            return None
        sha = self._known_sha256(expected)
        if sha is None:
            return None
        path = self.blobs.locate(sha)
        if path is None:
            return None
        now = time.time()
        self.catalog.put_cache_entry(
            CacheEntry(
                artifact.id,
                CacheState.VERIFIED,
                sha256=sha,
                size=self.blobs.plain_size(path),
                expected=str(expected),
                actual=str(expected),
                fetched_at=now,
                verified_at=now,
                last_opened_at=now,
            )
        )
        return path

    def _known_sha256(self, expected: ExpectedHash) -> str | None:
        if expected.algo.value == "sha256":
            return expected.hex if self.blobs.exists(expected.hex) else None
        for entry in self.catalog.cache_entries_by_expected(str(expected)):
            if entry.state is CacheState.VERIFIED and entry.sha256:
                return entry.sha256
        return None

    # -- fetching ---------------------------------------------------------------------------

    def fetch(
        self,
        artifact: Artifact,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        """The artifact's verified local file, downloading it if needed (see :meth:`fetch_detailed`)."""
        return self.fetch_detailed(artifact, progress, cancel).path

    def fetch_detailed(
        self,
        artifact: Artifact,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        *,
        also_to: int | None = None,
    ) -> Fetched:
        """The artifact's verified local file (downloading it if needed) and whether this call did.

        Concurrent calls for the same bytes share one download; across processes a lock
        file does the same. Raises IntegrityError (bytes wrong, nothing kept),
        SignedUrlExpired, StorageError, NetworkError, CacheError or Cancelled.

        ``also_to`` (a file descriptor open for writing, at offset 0): when this call
        downloads, every byte is written there too, in the same pass (``teed`` in the
        result). The caller keeps that file only if the fetch returns: the bytes are then
        the verified ones. When the file was cached already, nothing is written there.
        """
        expected = parse_file_hash(artifact.file_hash)
        key = fetch_lock_key(expected, artifact.id)
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            path = self.cached(artifact)
            if path is not None:
                return Fetched(path, downloaded=False)
            with self._inflight_lock:
                flight = self._inflight.get(key)
                leader = flight is None
                if flight is None:
                    flight = self._inflight[key] = _InFlight()
                if progress is not None:
                    flight.listeners.append(progress)
            if leader:
                try:
                    return self._lead(artifact, expected, key, flight, cancel, also_to)
                except BaseException as exc:
                    flight.error = exc
                    raise
                finally:
                    with self._inflight_lock:
                        self._inflight.pop(key, None)
                    flight.done.set()
            while not flight.done.wait(0.1):
                if cancel is not None and cancel.cancelled:
                    with self._inflight_lock:
                        if progress in flight.listeners:
                            flight.listeners.remove(progress)
                    cancel.raise_if_cancelled()
            # The leader's own cancel is not ours: try again (and maybe lead).
            if flight.error is not None and not isinstance(flight.error, Cancelled):
                path = self.cached(artifact)
                if path is not None:
                    return Fetched(path, downloaded=False)
                raise flight.error

    def _lead(
        self,
        artifact: Artifact,
        expected: ExpectedHash | None,
        key: str,
        flight: _InFlight,
        cancel: CancelToken | None,
        also_to: int | None = None,
    ) -> Fetched:
        while not self._slots.acquire(timeout=0.1):
            if cancel is not None:
                cancel.raise_if_cancelled()
        try:
            with self.blobs.lock(key, cancel):
                # Another process may have finished it while we waited for the lock.
                path = self.cached(artifact)
                if path is not None:
                    return Fetched(path, downloaded=False)
                path = self._download(artifact, expected, flight.progress, cancel, also_to)
                return Fetched(path, downloaded=True, teed=also_to is not None)
        finally:
            self._slots.release()

    def _download(
        self,
        artifact: Artifact,
        expected: ExpectedHash | None,
        progress: ProgressFn,
        cancel: CancelToken | None,
        also_to: int | None = None,
    ) -> Path:
        started = time.monotonic()
        with self.blobs.writer(expected) as writer:
            sink: BlobWriter | _Tee = writer if also_to is None else _Tee(writer, also_to)
            total = self._transfer(artifact, sink, progress, cancel)
            # A cancel that lands with the last bytes still wins: nothing is committed.
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                sha256, size, verified = writer.commit()
            except IntegrityError as exc:
                self._record_mismatch(artifact, expected, exc)
                raise IntegrityError(
                    f"{artifact.name}: the downloaded bytes do not match its hash"
                    f" (expected {exc.expected}, got {exc.actual}).",
                    expected=exc.expected,
                    actual=exc.actual,
                ) from None
        now = time.time()
        state = CacheState.VERIFIED if verified else CacheState.NOT_VERIFIABLE
        try:
            self.catalog.put_cache_entry(
                CacheEntry(
                    artifact.id,
                    state,
                    sha256=sha256,
                    size=size,
                    expected=str(expected) if expected else artifact.file_hash,
                    actual=str(expected) if verified else f"sha256:{sha256}",
                    fetched_at=now,
                    verified_at=now if verified else None,
                    last_opened_at=now,
                )
            )
        except CacheError:
            # Not recorded (disk full): a file nobody accounts for would never be evicted.
            with contextlib.suppress(CacheError, OSError):
                if not self.catalog.entries_for_blob(sha256):
                    self.blobs.remove(sha256)
            raise
        log.info(
            "Stored artifact %s (%d bytes of %s, %s) in %.2fs",
            artifact.id,
            size,
            total if total is not None else "?",
            state.value,
            time.monotonic() - started,
        )
        if self._on_stored is not None:
            self._on_stored(sha256)
        return self.blobs.locate(sha256) or self.blobs.path_for(sha256)

    def _record_mismatch(
        self, artifact: Artifact, expected: ExpectedHash | None, exc: IntegrityError
    ) -> None:
        log.warning("Artifact %s failed verification; nothing kept", artifact.id)
        if self.catalog.artifact(artifact.id) is None:
            self.catalog.upsert_artifacts([artifact])
        self.catalog.put_cache_entry(
            CacheEntry(
                artifact.id,
                CacheState.MISMATCH,
                expected=str(expected) if expected else None,
                actual=exc.actual,
                fetched_at=time.time(),
            )
        )

    def _transfer(
        self,
        artifact: Artifact,
        writer: BlobWriter | _Tee,
        progress: ProgressFn,
        cancel: CancelToken | None,
    ) -> int | None:
        """Stream the bytes into ``writer``, resuming after expiry or a dropped connection.

        One thread receives, writes and hashes each chunk while it is still in the CPU
        cache: measured on a busy 2-core machine, handing chunks to a second thread cost
        more (page faults, cross-core copies, wake-ups) than the overlap won.
        """
        signed = self._url_for(artifact)
        total: int | None = artifact.file_size
        transport_failures = 0
        expired_in_a_row = 0
        just_refreshed = False
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if not just_refreshed and not signed.usable():
                signed = self._fresh_url(artifact)
            just_refreshed = False
            offset = writer.size
            headers = {"Range": f"bytes={offset}-"} if offset else {}
            before = offset
            try:
                with self.http.stream("GET", signed.url, headers=headers) as response:
                    status = response.status_code
                    if status in (400, 403) and self._looks_expired(response, signed):
                        expired_in_a_row += 1
                        if expired_in_a_row > MAX_EXPIRED_IN_A_ROW:
                            raise SignedUrlExpired(
                                f"Storage keeps refusing fresh download links for {artifact.name}.",
                                hint="Check that this computer's clock is correct, then try again.",
                            )
                        log.info(
                            "Download link for artifact %s expired at byte %d; refreshing",
                            artifact.id,
                            offset,
                        )
                        signed = self._fresh_url(artifact)
                        just_refreshed = True
                        continue
                    if status == 416 and offset and total is not None and offset >= total:
                        return total
                    if status == 206 and offset:
                        start, whole = _content_range(response.headers.get("content-range"))
                        if start != offset:
                            log.info(
                                "Artifact %s: server resumed at the wrong byte; restarting",
                                artifact.id,
                            )
                            writer.restart()
                            headers = {}
                            continue
                        total = whole if whole is not None else total
                    elif status == 200:
                        if offset:
                            log.info(
                                "Artifact %s: server ignored Range; restarting from zero",
                                artifact.id,
                            )
                            writer.restart()
                        length = response.headers.get("content-length")
                        total = int(length) if length and length.isdigit() else total
                    elif status == 429 or status >= 500:
                        raise _Transient(f"storage answered {status}")
                    else:
                        raise StorageError(
                            f"Storage refused the download of {artifact.name} (HTTP {status})."
                        )
                    next_report = 0.0
                    # No chunk_size: httpx would re-slice every chunk (half the throughput).
                    for chunk in response.iter_bytes():
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        writer.write(chunk)
                        now = _progress_clock()
                        if now >= next_report:  # observers see ~20 updates a second at most
                            next_report = now + PROGRESS_INTERVAL
                            report(progress, writer.size, total)
                report(progress, writer.size, total)
                if total is not None and writer.size < total:
                    raise _Transient("connection ended early")
                return total
            except (httpx.TransportError, _Transient) as exc:
                if writer.size > before:
                    expired_in_a_row = 0
                transport_failures = 0 if writer.size > before else transport_failures + 1
                # Cannot connect at all: likely offline, so do not keep the user waiting.
                limit = (
                    MAX_CONNECT_RETRIES
                    if isinstance(exc, httpx.ConnectError)
                    else MAX_TRANSPORT_RETRIES
                )
                if transport_failures > limit:
                    raise NetworkError(
                        f"The download of {artifact.name} kept failing ({type(exc).__name__})."
                    ) from None
                delay = RETRY_BACKOFF[min(transport_failures, len(RETRY_BACKOFF) - 1)]
                log.info(
                    "Download of artifact %s interrupted at byte %d (%s); resuming",
                    artifact.id,
                    writer.size,
                    type(exc).__name__,
                )
                self._sleep(delay if transport_failures else 0, cancel)

    @staticmethod
    def _looks_expired(response: httpx.Response, signed: SignedUrl) -> bool:
        """S3 says "Request has expired" (403), others 400; past our own expiry counts too."""
        try:
            body = response.read()[:4096].decode("utf-8", "replace").lower()
        except httpx.HTTPError:
            body = ""
        return "expired" in body or datetime.now(UTC) >= signed.expires_at

    @staticmethod
    def _sleep(seconds: float, cancel: CancelToken | None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cancel is not None:
                cancel.raise_if_cancelled()
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


class _Transient(Exception):
    """A failure worth resuming after (5xx, 429, short body)."""


class _Tee:
    """A download's writer that also writes every byte to a second file, in the same pass
    (``get -o FILE``: no second read of the cached file afterwards)."""

    def __init__(self, writer: BlobWriter, out: int) -> None:
        self.writer = writer
        self.out = out

    @property
    def size(self) -> int:
        return self.writer.size

    def write(self, data: bytes | memoryview) -> None:
        self.writer.write(data)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.out, view) :]
        except OSError as exc:
            raise CacheError(f"Could not write the copy: {exc.strerror or exc}.") from None

    def restart(self) -> None:
        self.writer.restart()
        os.ftruncate(self.out, 0)
        os.lseek(self.out, 0, os.SEEK_SET)


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    match = _CONTENT_RANGE_RE.match(value.strip())
    if not match:
        return None, None
    whole = match.group(3)
    return int(match.group(1)), (int(whole) if whole != "*" else None)
