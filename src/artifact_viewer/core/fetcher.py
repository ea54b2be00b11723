"""Download artifacts through signed URLs: refresh, resume by Range, share, bound, verify."""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from artifact_viewer.core.blobstore import BlobStore, BlobWriter, fetch_lock_key
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.errors import (
    ArtifactViewerError,
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
from artifact_viewer.core.transfer_body import (
    BodyTooLong,
    StreamDecoder,
    Transferred,
    content_encoding,
    read_bounded,
)
from artifact_viewer.core.units import human_size
from artifact_viewer.core.urls import UnsafeUrl, check_download_url

log = logging.getLogger("artifact_viewer.fetch")

MAX_TRANSPORT_RETRIES = 5  # consecutive failures without a single new byte
MAX_CONNECT_RETRIES = 2  # consecutive connection refusals (offline, DNS)
MAX_EXPIRED_IN_A_ROW = 2  # a fresh URL refused at once twice: the clock or the store is wrong
RETRY_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
PROGRESS_INTERVAL = 0.05  # seconds between progress reports while bytes stream in
_progress_clock = time.monotonic  # replaceable in tests
_CONTENT_RANGE_RE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
MAX_REMEMBERED_URLS = 10_000  # listed URLs kept in memory; others are asked for when needed
ERROR_BODY_LIMIT = 4096  # bytes of a storage error body read to tell "expired" from others
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
DISK_CHECK_EVERY = 8 * 1024 * 1024  # re-check free space after each 8 MiB without a size
_disk_free = shutil.disk_usage  # replaceable in tests


@dataclass(frozen=True, slots=True)
class DownloadLimits:
    """Bounds every download: in bytes (the API's size, else the quota and free disk) and
    in time (``max(floor, size / min rate)`` for the whole download, resumes included)."""

    quota_bytes: int = 5 * 1024**3
    floor_seconds: float = 120.0
    min_bytes_per_second: int = 32 * 1024
    max_redirects: int = 5
    disk_reserve: int = 64 * 1024 * 1024  # free space an undeclared download leaves alone

    def deadline_seconds(self, size: int) -> float:
        return max(self.floor_seconds, size / max(1, self.min_bytes_per_second))


class ArtifactSource(Protocol):
    """What the fetcher needs from the API client: a fresh signed URL for an artifact."""

    def get_artifact(self, artifact_id: str) -> Artifact: ...


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's result: the file, whether this call downloaded it (vs. found it cached),
    and whether the file given as ``copy_to`` now holds its verified bytes."""

    path: Path
    downloaded: bool
    copied: bool = False


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
        limits: DownloadLimits | None = None,
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
        self.limits = limits or DownloadLimits()
        self.last_hashed: dict[str, str] = {}  # artifact id -> "raw"/"decoded", this session
        self.url_refreshes = 0  # how often the API was asked for a fresh URL (for stats/tests)

    # -- signed URLs -----------------------------------------------------------------------

    def remember_url(self, artifact: Artifact, issued_at: datetime | None = None) -> None:
        """Keep a listed artifact's URL (in memory only) so a later fetch can skip a round trip."""
        if artifact.signed_url:
            with self._urls_lock:
                if len(self._urls) >= MAX_REMEMBERED_URLS and artifact.id not in self._urls:
                    return  # a huge listing: the rest are asked for when downloaded
            signed = SignedUrl.from_url(artifact.signed_url, issued_at)
            with self._urls_lock:
                self._urls[artifact.id] = signed

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
        copy_to: int | None = None,
    ) -> Fetched:
        """The artifact's verified local file (downloading it if needed) and whether this call did.

        Concurrent calls for the same bytes share one download; across processes a lock
        file does the same. Raises IntegrityError (bytes wrong, nothing kept),
        SignedUrlExpired, StorageError, NetworkError, CacheError or Cancelled.

        ``copy_to`` (an empty file open for writing, offset 0) gets the bytes as they are
        downloaded, in the same pass as the cache file; ``Fetched.copied`` says whether it
        holds exactly the verified bytes (else, e.g. the file was cached already, the caller
        copies from ``path``). Its bytes mean nothing until then: it must not be visible.
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
                    return self._lead(artifact, expected, key, flight, cancel, copy_to)
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
        copy_to: int | None = None,
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
                return self._download(artifact, expected, flight.progress, cancel, copy_to)
        finally:
            self._slots.release()

    def _download(
        self,
        artifact: Artifact,
        expected: ExpectedHash | None,
        progress: ProgressFn,
        cancel: CancelToken | None,
        copy_to: int | None = None,
    ) -> Fetched:
        started = time.monotonic()
        declared = artifact.file_size
        key = fetch_lock_key(expected, artifact.id)
        hashed = "raw"
        decoded: list[BlobWriter] = []  # the decoded form of a gzip body, if one came

        def decode_sink() -> BlobWriter:
            for old in decoded:
                old.discard()
            decoded[:] = [self.blobs.writer(expected)]
            return decoded[0]

        copied = False
        with self.blobs.writer(expected, resume_key=key, declared=declared) as writer:
            if copy_to is not None:
                writer.copy_to(copy_to)
            try:
                try:
                    got = self._transfer(artifact, writer, progress, cancel, decode_sink)
                except (NetworkError, SignedUrlExpired, Cancelled):
                    # A later attempt, in this process or the next, continues it (a cancelled
                    # download too: Retry resumes where it stopped).
                    writer.keep()
                    raise
                except BodyTooLong as exc:
                    writer.discard()
                    raise self._too_long(artifact, expected, exc.bound) from None
                # A cancel that lands with the last bytes still wins: nothing is committed
                # (the bytes stay for a later attempt).
                if cancel is not None and cancel.cancelled:
                    writer.keep()
                    cancel.raise_if_cancelled()
                final = writer
                # A gzip body: the API's hash may describe the decoded bytes (kept as well).
                raw_matches = expected is None or writer.hasher.matches()
                if got.decoded and not raw_matches and decoded and decoded[0].hasher.matches():
                    writer.discard()
                    final, hashed = decoded.pop(), "decoded"
                try:
                    sha256, size, verified = final.commit()
                    copied = final is writer and writer.copied
                except IntegrityError as exc:
                    self._record_mismatch(artifact, expected, exc)
                    coded = f" (storage sent it {got.encoding}-encoded)" if got.encoding else ""
                    raise IntegrityError(
                        f"{artifact.name}: the downloaded bytes do not match its hash{coded}"
                        f" (expected {exc.expected}, got {exc.actual}).",
                        expected=exc.expected,
                        actual=exc.actual,
                    ) from None
            finally:
                for other in decoded:
                    other.discard()
        if got.encoding:
            log.info(
                "Artifact %s came %s-encoded; its hash matched the %s bytes",
                artifact.id,
                got.encoding,
                hashed,
            )
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
            declared if declared is not None else "?",
            state.value,
            time.monotonic() - started,
        )
        self.last_hashed[artifact.id] = hashed
        if self._on_stored is not None:
            self._on_stored(sha256)
        path = self.blobs.locate(sha256) or self.blobs.path_for(sha256)
        return Fetched(path, downloaded=True, copied=copied)

    def _too_long(
        self, artifact: Artifact, expected: ExpectedHash | None, bound: int
    ) -> ArtifactViewerError:
        declared = artifact.file_size
        if declared is None:
            return CacheError(
                f"{artifact.name}: the API gave no size and storage sent more than"
                f" {human_size(bound)} (the room the cache quota and the free disk space"
                " leave); the download was stopped and nothing was kept.",
                hint="If the file is really that large, raise the cache quota or free disk space.",
            )
        mismatch = IntegrityError(
            "too long", expected=f"{declared} bytes", actual=f"more than {declared} bytes"
        )
        self._record_mismatch(artifact, expected, mismatch)
        return IntegrityError(
            f"{artifact.name}: storage sent more than the {declared} bytes the API declared;"
            " the download was cut there and nothing was kept.",
            expected=mismatch.expected,
            actual=mismatch.actual,
            hint="The server or the API is wrong about this file; report the run if it persists.",
        )

    def _free_disk(self) -> int:
        try:
            return _disk_free(self.blobs.partial_dir).free
        except OSError:
            return 0

    def _undeclared_bound(self) -> int:
        """How much a download without a declared size may write: the quota, and what the
        disk has free beyond a reserve, whichever is less."""
        room = self._free_disk() - self.limits.disk_reserve
        return max(0, min(self.limits.quota_bytes, room))

    def _check_room(self, artifact: Artifact, needed: int) -> None:
        free = self._free_disk()
        if needed > free:
            raise CacheError(
                f"Not enough disk space for {artifact.name}: it needs {human_size(needed)},"
                f" {human_size(max(0, free))} is free.",
                hint="Free some disk space or lower the cache quota in Settings, then try again.",
            )

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
        writer: BlobWriter,
        progress: ProgressFn,
        cancel: CancelToken | None,
        decode_sink: Callable[[], BlobWriter] | None = None,
    ) -> Transferred:
        """Stream the raw bytes into ``writer``, resuming after expiry or a dropped connection.

        Bounded: never more than the API's declared size reaches the disk (without one, the
        quota and the free disk space bound it), and the whole download, resumes included,
        has a deadline proportional to its size. The server's Content-Length and
        Content-Range never override the API. Raw bytes are kept as they came: a coded
        (gzip) body is decoded afterwards if its hash says so, and never resumed by Range.

        One thread receives, writes and hashes each chunk while it is still in the CPU
        cache: measured on a busy 2-core machine, handing chunks to a second thread cost
        more (page faults, cross-core copies, wake-ups) than the overlap won.
        """
        declared = artifact.file_size
        if declared is not None:
            bound = declared
            self._check_room(artifact, declared - writer.size)
        else:
            bound = self._undeclared_bound()
            if bound <= 0:
                raise CacheError(
                    f"No room to download {artifact.name}: the API gave no size and the cache"
                    " quota or the free disk space is used up.",
                    hint="Free some disk space or raise the cache quota, then try again.",
                )
        deadline_seconds = self.limits.deadline_seconds(bound)
        deadline = time.monotonic() + deadline_seconds
        total: int | None = declared
        signed = self._url_for(artifact)
        transport_failures = 0
        expired_in_a_row = 0
        just_refreshed = False
        encoding: str | None = None
        decoder: StreamDecoder | None = None
        next_disk_check = writer.size + DISK_CHECK_EVERY
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if not just_refreshed and not signed.usable():
                signed = self._fresh_url(artifact)
            just_refreshed = False
            if writer.size and encoding is not None:
                writer.restart()  # a coded body's offsets are not the object's: from zero
            offset = writer.size
            headers = {"Accept-Encoding": "identity"}
            if offset:
                headers["Range"] = f"bytes={offset}-"
            before = offset
            try:
                with self._open(artifact, signed, headers) as response:
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
                    coding = content_encoding(response)
                    if status == 416 and offset and total is not None and offset >= total:
                        return Transferred(writer.size, encoding)
                    if status == 206 and offset and coding is None:
                        start, _whole = _content_range(response.headers.get("content-range"))
                        if start != offset:
                            log.info(
                                "Artifact %s: server resumed at the wrong byte; restarting",
                                artifact.id,
                            )
                            writer.restart()
                            continue
                    elif status in (200, 206):
                        if offset:
                            log.info(
                                "Artifact %s: server ignored Range; restarting from zero",
                                artifact.id,
                            )
                            writer.restart()
                        if status == 206:  # a range we did not ask for, or of coded bytes
                            encoding = coding
                            raise _Transient("storage answered a range that cannot be used")
                    elif status == 429 or status >= 500:
                        raise _Transient(f"storage answered {status}")
                    else:
                        raise StorageError(
                            f"Storage refused the download of {artifact.name} (HTTP {status})."
                        )
                    encoding = coding
                    decoder = None
                    if encoding is not None:
                        writer.forbid_resume()  # coded offsets are no object's offsets
                        if decode_sink is not None:
                            decoder = StreamDecoder(encoding, decode_sink(), bound)
                    # A gzip body may exceed the object it codes by a header's worth.
                    limit = bound if encoding is None else bound + max(1024, bound // 64)
                    next_report = 0.0
                    for chunk in response.iter_raw():
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        if len(chunk) > limit - writer.size:
                            raise BodyTooLong(limit)  # nothing beyond the bound is written
                        writer.write(chunk)
                        if decoder is not None:
                            decoder.feed(chunk)
                        now = _progress_clock()
                        if now >= next_report:  # observers see ~20 updates a second at most
                            next_report = now + PROGRESS_INTERVAL
                            report(progress, writer.size, total)
                        if time.monotonic() > deadline:
                            raise self._too_slow(artifact, writer.size, deadline_seconds)
                        if declared is None and writer.size >= next_disk_check:
                            next_disk_check = writer.size + DISK_CHECK_EVERY
                            if self._free_disk() < self.limits.disk_reserve:
                                raise CacheError(
                                    f"The disk is nearly full: the download of {artifact.name}"
                                    " was stopped.",
                                    hint="Free some disk space, then try again.",
                                )
                report(progress, writer.size, total)
                if total is not None and writer.size < total and encoding is None:
                    raise _Transient("connection ended early")
                if decoder is not None:
                    finished = decoder.finish()
                    if not finished and not writer.hasher.matches() and _cut_short(response):
                        raise _Transient("a coded body ended early")
                    return Transferred(writer.size, encoding, decoded=finished)
                return Transferred(writer.size, encoding)
            except (httpx.TransportError, _Transient) as exc:
                if time.monotonic() > deadline:
                    raise self._too_slow(artifact, writer.size, deadline_seconds) from None
                if writer.size > before:
                    expired_in_a_row = 0
                transport_failures = 0 if writer.size > before else transport_failures + 1
                # Cannot connect at all: likely offline, so do not keep the user waiting.
                retries = (
                    MAX_CONNECT_RETRIES
                    if isinstance(exc, httpx.ConnectError)
                    else MAX_TRANSPORT_RETRIES
                )
                if transport_failures > retries:
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
    def _too_slow(artifact: Artifact, done: int, seconds: float) -> NetworkError:
        return NetworkError(
            f"The download of {artifact.name} was too slow: {human_size(done)} arrived in the"
            f" {seconds:.0f} s a file of its size may take; it was stopped.",
            hint="Try again later (the time allowed is download_floor_seconds in Settings).",
        )

    @contextlib.contextmanager
    def _open(
        self, artifact: Artifact, signed: SignedUrl, headers: dict[str, str]
    ) -> Iterator[httpx.Response]:
        """GET a signed URL, following at most ``max_redirects`` redirects by hand: each hop
        must pass :func:`check_download_url` and carries only ``headers`` (never the API key:
        the shared client holds none, and no cookies are sent)."""
        url = signed.url
        for _hop in range(self.limits.max_redirects + 1):
            try:
                check_download_url(url)
                request = self.http.build_request("GET", url, headers=headers)
            except UnsafeUrl as exc:
                raise StorageError(
                    f"{artifact.name}: {exc}", hint="Nothing was downloaded."
                ) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
                raise StorageError(
                    f"{artifact.name}: the download link is malformed.",
                    hint="Nothing was downloaded.",
                ) from None
            request.headers.pop("Cookie", None)
            response = self.http.send(request, stream=True, follow_redirects=False)
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                response.close()
                try:
                    url = str(httpx.URL(url).join(location))
                except (httpx.InvalidURL, ValueError):
                    raise StorageError(
                        f"{artifact.name}: storage redirected to a malformed address."
                    ) from None
                continue
            try:
                yield response
            finally:
                response.close()
            return
        raise StorageError(
            f"{artifact.name}: storage redirected more than {self.limits.max_redirects} times;"
            " the download was stopped."
        )

    @staticmethod
    def _looks_expired(response: httpx.Response, signed: SignedUrl) -> bool:
        """S3 says "Request has expired" (403), others 400; past our own expiry counts too.

        Only the first few KiB of the body are read: an error body may be endless.
        """
        body = read_bounded(response, ERROR_BODY_LIMIT).decode("utf-8", "replace").lower()
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


def _cut_short(response: httpx.Response) -> bool:
    """The body ended before its Content-Length (the connection dropped)."""
    length = response.headers.get("content-length", "")
    return length.isdigit() and response.num_bytes_downloaded < int(length)


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    match = _CONTENT_RANGE_RE.match(value.strip())
    if not match:
        return None, None
    whole = match.group(3)
    return int(match.group(1)), (int(whole) if whole != "*" else None)
