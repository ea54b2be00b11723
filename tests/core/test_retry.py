"""Retries: which failures are retried, how long we wait, and where we give up. No real sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import (
    ApiError,
    AuthError,
    Cancelled,
    ConnectFailed,
    NetworkError,
    RateLimited,
    ServerError,
)
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.retry import RetryPolicy, parse_retry_after

KEY = "anon_retry_test_key_89"
OK = httpx.Response(200, json={"id": "w1", "name": "ok"})


class FakeTime:
    """A clock that only moves when we 'sleep'."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def scripted(*answers):
    """A handler answering each request with the next item: a Response or an exception."""
    queue = list(answers)
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, calls


def client_with(handler, fake: FakeTime, **policy) -> AnonClient:
    retry = RetryPolicy(sleep=fake.sleep, clock=fake.clock, **policy)
    return AnonClient(
        build_http_client(transport=httpx.MockTransport(handler)), api_key=KEY, retry=retry
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(header, expected) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(header, now=now) == 42.0
    past = format_datetime(now - timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_429_with_retry_after_is_honoured_then_succeeds() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": "3"}), OK)
    assert client_with(handler, fake).get_workflow("w1").name == "ok"
    assert len(calls) == 2
    assert fake.sleeps == [3.0]


def test_429_with_http_date_retry_after_waits_until_then() -> None:
    fake = FakeTime()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": when}), OK)
    client_with(handler, fake).get_workflow("w1")
    assert len(calls) == 2
    assert 15 <= fake.sleeps[0] <= 20


def test_retry_after_longer_than_the_cap_is_not_waited_out() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": "3600"}), OK)
    with pytest.raises(RateLimited) as info:
        client_with(handler, fake, max_retry_after=30).get_workflow("w1")
    assert info.value.retry_after == 3600
    assert len(calls) == 1
    assert fake.sleeps == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_succeed(status: int) -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(status), httpx.Response(status), OK)
    assert client_with(handler, fake).get_workflow("w1").id == "w1"
    assert len(calls) == 3
    assert len(fake.sleeps) == 2


def test_connection_error_then_success() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.ConnectError("refused"), OK)
    assert client_with(handler, fake).get_workflow("w1").id == "w1"
    assert len(calls) == 2


def test_read_timeout_is_retried() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.ReadTimeout("slow"), OK)
    client_with(handler, fake).get_workflow("w1")
    assert len(calls) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_non_transient_errors_are_not_retried(status: int) -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(status), OK)
    with pytest.raises(ApiError):
        client_with(handler, fake).get_workflow("w1")
    assert len(calls) == 1
    assert fake.sleeps == []


def test_gives_up_after_max_attempts_with_a_clear_message() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(503, json={"message": "maintenance"}))
    with pytest.raises(ServerError) as info:
        client_with(handler, fake, max_attempts=3).get_workflow("w1")
    assert len(calls) == 3
    text = info.value.user_message()
    assert "gave up after 3 attempts" in text
    assert "maintenance" in text
    assert "503" in text


def test_network_give_up_message_names_the_attempts() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.ReadTimeout("slow"))
    with pytest.raises(NetworkError, match="gave up after 4 attempts"):
        client_with(handler, fake, max_attempts=4).get_workflow("w1")
    assert len(calls) == 4


def test_refused_connection_gives_up_after_one_quick_retry() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(ConnectFailed, match="gave up after 2 attempts"):
        client_with(handler, fake, max_attempts=5).get_workflow("w1")
    assert len(calls) == 2
    assert len(fake.sleeps) == 1 and fake.sleeps[0] < 2


def test_refusals_cap_counts_only_connection_failures() -> None:
    fake = FakeTime()
    handler, calls = scripted(
        httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(503), OK
    )
    assert client_with(handler, fake, max_attempts=5).get_workflow("w1").id == "w1"
    assert len(calls) == 4


def test_total_time_cap_stops_before_a_wait_that_would_pass_it() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": "4"}))
    with pytest.raises(RateLimited):
        client_with(handler, fake, max_attempts=100, max_total_seconds=10).get_workflow("w1")
    # waits 4 + 4 = 8; a third wait would end at 12 > 10, so we stop after 3 attempts
    assert fake.sleeps == [4.0, 4.0]
    assert len(calls) == 3


def test_backoff_grows_exponentially_with_bounded_jitter_and_a_ceiling() -> None:
    fake = FakeTime()
    handler, _ = scripted(httpx.Response(503))
    policy = {"max_attempts": 7, "initial_delay": 1.0, "max_delay": 8.0, "jitter": 0.5}
    with pytest.raises(ServerError):
        client_with(handler, fake, max_total_seconds=1000, **policy).get_workflow("w1")
    bases = [1, 2, 4, 8, 8, 8]
    assert len(fake.sleeps) == 6
    for slept, base in zip(fake.sleeps, bases, strict=True):
        assert base <= slept <= base + 0.5


def test_auth_error_is_raised_at_once_even_with_generous_policy() -> None:
    fake = FakeTime()
    handler, calls = scripted(httpx.Response(401))
    with pytest.raises(AuthError):
        client_with(handler, fake, max_attempts=10).get_workflow("w1")
    assert len(calls) == 1


def test_no_retry_policy_calls_once() -> None:
    calls = []

    def fn():
        calls.append(1)
        raise ServerError("down", status=503)

    with pytest.raises(ServerError):
        RetryPolicy.no_retry().call(fn)
    assert len(calls) == 1


def test_cancel_during_backoff_raises_cancelled() -> None:
    token = CancelToken()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        token.cancel()  # the user cancels while we wait

    def fn():
        raise ServerError("down", status=503)

    with pytest.raises(Cancelled):
        RetryPolicy(sleep=sleep, initial_delay=5, jitter=0).call(fn, cancel=token)
    assert len(slept) == 1  # woke at the first slice and stopped


def test_policy_is_safe_to_share_between_threads() -> None:
    policy = RetryPolicy(sleep=lambda s: None, max_attempts=3)
    results: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        attempts = []

        def fn() -> int:
            attempts.append(1)
            if len(attempts) < 2:
                raise NetworkError("flaky")
            return n

        value = policy.call(fn)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 2, 3]
