"""Live-mutable knobs of the stand-in server: URL lifetime, faults, envelopes, and a request log."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["api", "storage", "all"]
Envelope = Literal["data", "bare", "items", "cursor"]
ListUrl = Literal["present", "absent", "null"]
UrlStyle = Literal["s3", "gcs", "opaque"]
HashStyle = Literal["sha256", "prefixed", "base64", "md5", "unknown"]
HASH_STYLES: tuple[str, ...] = ("sha256", "prefixed", "base64", "md5", "unknown")

ENVELOPES: tuple[str, ...] = ("data", "bare", "items", "cursor")
LIST_URL_MODES: tuple[str, ...] = ("present", "absent", "null")
SCOPES: tuple[str, ...] = ("api", "storage", "all")
REQUEST_LOG_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the server answered; the query string is never kept (it holds signatures)."""

    kind: str  # "api" or "storage"
    method: str
    path: str
    status: int
    range: str | None = None
    # Whether an Authorization header came along: on storage requests that means the
    # client leaked its API key to the object store.
    authorized: bool = False


@dataclass
class ServerConfig:
    """Every knob may be changed while the server runs; the next request sees the new value.

    Counted faults ("the next N requests") are deterministic; rate faults draw from an RNG
    seeded by ``fault_seed`` so a run with the same requests fails the same way.
    """

    url_ttl: float = 900.0
    url_style: UrlStyle = "s3"  # s3, gcs (expired -> 400) or opaque (no readable expiry)
    # Added to the server's clock when signing and checking URLs: set it to jump past expiry.
    clock_offset: float = 0.0
    latency: float = 0.0
    # Storage bodies are sent in chunks of this many bytes, at most throttle_bps per second.
    chunk_size: int = 64 * 1024
    throttle_bps: int | None = None
    # 5xx faults
    fail_next: int = 0
    fail_rate: float = 0.0
    fail_status: int = 503
    # 429 faults
    rate_limit_next: int = 0
    rate_limit_every: int = 0
    retry_after: int = 1
    fault_scope: Scope = "api"
    # When set, 5xx/429 faults only hit requests whose path contains it ("/artifacts/" hits
    # single-artifact gets, which is where clients refresh URLs, and not the list).
    fault_path: str = ""
    # Storage bodies: cut the connection after drop_after_bytes for the next N downloads
    # (-1: every download); cut_on_expiry ends a body once its URL expires mid-transfer.
    drop_next_downloads: int = 0
    drop_after_bytes: int = 64 * 1024
    cut_on_expiry: bool = False
    # Like S3: a storage request with both a signed URL and an Authorization header is 400.
    storage_rejects_auth: bool = False
    # Artifact ids whose served bytes differ from their fileHash (same length, one byte flipped).
    corrupt_ids: set[str] = field(default_factory=set)
    list_signed_url: ListUrl = "present"
    # fileHash shape: sha256 (64 hex), prefixed ("sha256:<hex>"), base64 (of the SHA-256
    # digest), md5 (32 hex) or unknown (a format a client cannot verify).
    hash_style: HashStyle = "sha256"
    envelope: Envelope = "data"
    max_page_size: int = 500
    fault_seed: int = 0
    # Live runs (see demo/live.py): seconds between one state of a live run and the next.
    # Only servers started with live runs have any; the seeded runs never move.
    live_step: float = 2.0

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _rng: random.Random | None = field(default=None, repr=False, compare=False)
    _count: int = field(default=0, repr=False, compare=False)
    # Bounded so a long-running benchmark server does not grow without limit.
    requests: deque[RequestRecord] = field(
        default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE), repr=False, compare=False
    )

    def now(self) -> float:
        """The server's clock (wall time plus ``clock_offset``)."""
        return time.time() + self.clock_offset

    def _in_scope(self, kind: str) -> bool:
        return self.fault_scope == "all" or self.fault_scope == kind

    def next_fault(self, kind: str, path: str = "") -> tuple[int, dict[str, str]] | None:
        """Decide whether this request fails: (status, extra headers) or None to serve it."""
        with self._lock:
            if not self._in_scope(kind) or self.fault_path not in path:
                return None
            self._count += 1
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return 429, {"Retry-After": str(self.retry_after)}
            if self.rate_limit_every > 0 and self._count % self.rate_limit_every == 0:
                return 429, {"Retry-After": str(self.retry_after)}
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, {}
            if self.fail_rate > 0:
                if self._rng is None:
                    self._rng = random.Random(self.fault_seed)
                if self._rng.random() < self.fail_rate:
                    return self.fail_status, {}
            return None

    def take_drop(self) -> bool:
        """True if this download should be cut short (consumes one from drop_next_downloads)."""
        with self._lock:
            if self.drop_next_downloads < 0:
                return True
            if self.drop_next_downloads > 0:
                self.drop_next_downloads -= 1
                return True
            return False

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def count(
        self, kind: str | None = None, path_prefix: str = "", status: int | None = None
    ) -> int:
        """How many logged requests match; handy for asserting retries and URL refreshes."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (kind is None or r.kind == kind)
                and r.path.startswith(path_prefix)
                and (status is None or r.status == status)
            )
