"""When and how long to retry an API call: 429, 502/503/504 and network failures, capped twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import (
    ArtifactViewerError,
    Cancelled,
    ConnectFailed,
    NetworkError,
    RateLimited,
    ServerError,
)

if TYPE_CHECKING:
    import tenacity

# tenacity and email.utils are imported where used: the window imports this module (through
# core.watch) while it starts, long before anything is retried.

log = logging.getLogger("artifact_viewer.api")

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent/garbage."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def is_retryable(exc: BaseException) -> bool:
    """Transient failures only: rate limiting, gateway/unavailable errors, network trouble."""
    if isinstance(exc, RateLimited | NetworkError):
        return True
    return isinstance(exc, ServerError) and exc.status in RETRY_STATUSES


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring Retry-After; stops at ``max_attempts`` or
    when the next wait would pass ``max_total_seconds``. ``sleep``/``clock`` are injectable
    so tests never really wait."""

    max_attempts: int = 5
    # Refused connections and DNS failures mean "offline" far more often than "blip": one
    # quick retry, so a dead network is reported in about a second, not after every backoff.
    max_connect_attempts: int = 2
    max_total_seconds: float = 60.0
    initial_delay: float = 0.5
    max_delay: float = 15.0
    jitter: float = 0.5
    # A Retry-After longer than this is not waited out: we give up and report it.
    max_retry_after: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    @classmethod
    def no_retry(cls) -> RetryPolicy:
        return cls(max_attempts=1)

    def _wait(self) -> Callable[[tenacity.RetryCallState], float]:
        # multiplier * 2**n capped, plus up to ``jitter`` seconds so clients do not retry in step.
        import tenacity

        backoff = tenacity.wait_exponential(
            multiplier=self.initial_delay, max=self.max_delay
        ) + tenacity.wait_random(0, self.jitter)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                return min(exc.retry_after, self.max_retry_after)
            return float(backoff(state))

        return wait

    def _should_retry(self, exc: BaseException) -> bool:
        if not is_retryable(exc):
            return False
        return not (
            isinstance(exc, RateLimited)
            and exc.retry_after is not None
            and exc.retry_after > self.max_retry_after
        )

    def call(self, fn: Callable[[], T], *, cancel: CancelToken | None = None) -> T:
        """Run ``fn`` until it succeeds, fails for good, or the caps are reached.

        The last error is re-raised, noting how many attempts were made.
        """
        if self.max_attempts <= 1:
            return fn()
        import tenacity

        start = self.clock()
        attempts = 0
        connect_failed = 0  # consecutive or not: any refusal counts toward the short cap

        def stop(state: tenacity.RetryCallState) -> bool:
            if cancel is not None and cancel.cancelled:
                return True
            if state.attempt_number >= self.max_attempts:
                return True
            failed = state.outcome.exception() if state.outcome else None
            if isinstance(failed, ConnectFailed) and connect_failed >= self.max_connect_attempts:
                return True
            return (self.clock() - start) + state.upcoming_sleep > self.max_total_seconds

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "Attempt %d failed (%s); retrying in %.1f s",
                state.attempt_number,
                exc,
                state.upcoming_sleep,
            )

        def sleep(seconds: float) -> None:
            if cancel is None:
                self.sleep(seconds)
                return
            # In short slices so a cancel is noticed without waiting out a long Retry-After.
            remaining = seconds
            while remaining > 0 and not cancel.cancelled:
                step = min(remaining, 0.25)
                self.sleep(step)
                remaining -= step

        def attempt() -> T:
            nonlocal attempts, connect_failed
            attempts += 1
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                return fn()
            except ConnectFailed:
                connect_failed += 1
                raise

        retrying = tenacity.Retrying(
            sleep=sleep,
            stop=stop,
            wait=self._wait(),
            retry=tenacity.retry_if_exception(self._should_retry),
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except Cancelled:
            raise
        except ArtifactViewerError as exc:
            if cancel is not None and cancel.cancelled:
                raise Cancelled("Cancelled.") from None
            if attempts > 1 and is_retryable(exc):
                _note_attempts(exc, attempts)
            raise


def _note_attempts(exc: ArtifactViewerError, attempts: int) -> None:
    """Say in the message that we did not give up at the first failure."""
    exc.message = f"{exc.message.rstrip('.')} (gave up after {attempts} attempts)."
    exc.args = (exc.message,)
