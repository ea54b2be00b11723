"""RunWatcher: change detection, back-off when unchanged or hidden, Retry-After, failures
reported (never raised), deleted runs; against httpx.MockTransport with a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import AuthError
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.retry import RetryPolicy
from artifact_viewer.core.watch import (
    FINISHED_STATUSES,
    PollPolicy,
    RunWatcher,
    WatchEvent,
    is_finished,
)

RUN = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"
WF = "33333333-3333-4333-8333-333333333333"
BASE = "https://api.example.test/api/v2"
POLICY = PollPolicy(interval=2.0, max_interval=20.0, growth=2.0, hidden_interval=60.0,
                    max_failure_delay=40.0)  # fmt: skip


def run_json(status: str = "IN_PROGRESS", state: str = "step_one", **extra: Any) -> dict[str, Any]:
    return {
        "id": extra.pop("id", RUN),
        "workflowId": WF,
        "status": status,
        "currentStateName": state,
        "createdAt": "2026-11-28T06:58:00Z",
        "completedAt": extra.pop("completedAt", None),
        **extra,
    }


def artifact_json(aid: str, name: str, size: int = 10, created: str = "06:58:10") -> dict[str, Any]:
    return {
        "id": aid,
        "workflowRunId": RUN,
        "type": "screenshot",
        "displayName": name,
        "fileSize": size,
        "fileHash": f"{size:064x}",
        "createdAt": f"2026-11-28T{created}Z",
        "signedUrl": "https://bucket.example/x?X-Amz-Signature=secret",
    }


class Api:
    """A scripted API: ``runs[id]`` is a list of answers (dicts, or (status, headers) for
    errors) consumed one per GET; the last one repeats. Same for ``artifacts[id]``."""

    def __init__(self) -> None:
        self.runs: dict[str, list[Any]] = {}
        self.artifacts: dict[str, list[Any]] = {}
        self.workflow_runs: list[Any] = [[]]
        self.requests: list[httpx.Request] = []

    @staticmethod
    def _next(script: list[Any]) -> Any:
        return script.pop(0) if len(script) > 1 else script[0]

    def _answer(self, item: Any, body: Callable[[Any], Any]) -> httpx.Response:
        if isinstance(item, tuple):
            status, headers = item
            return httpx.Response(status, headers=headers, json={"message": "nope"})
        return httpx.Response(200, json=body(item))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.startswith("/api/v2/workflow-runs/"):
            run_id = path.rsplit("/", 1)[1]
            if run_id not in self.runs:
                return httpx.Response(404, json={"message": "no such run"})
            return self._answer(self._next(self.runs[run_id]), lambda r: r)
        if path == "/api/v2/artifacts":
            run_id = request.url.params["workflowRunId"]
            script = self.artifacts.get(run_id, [[]])
            return self._answer(self._next(script), lambda items: {"data": items})
        if path == "/api/v2/workflow-runs":
            return self._answer(self._next(self.workflow_runs), lambda items: {"data": items})
        return httpx.Response(404)

    def polls(self, run_id: str = RUN) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(f"/workflow-runs/{run_id}"))


class Clock:
    """Fake monotonic time; ``sleep`` advances it (nothing ever really waits)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_watcher(api: Api, clock: Clock, run_ids=(RUN,), **kwargs: Any) -> RunWatcher:
    http = httpx.Client(transport=httpx.MockTransport(api))
    # The watcher must not use the client's own retries: a slow retry here would hide the
    # failure from the events.
    client = AnonClient(http, api_key="anon_watch_test", base_url=BASE, retry=RetryPolicy())
    kwargs.setdefault("policy", POLICY)
    kwargs.setdefault("now", lambda: datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    return RunWatcher(client, run_ids, clock=clock, sleep=clock.sleep, **kwargs)


def kinds(events: list[WatchEvent]) -> list[str]:
    return [e.kind for e in events]


def test_first_poll_reports_the_state_when_watching_began(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json("IN_PROGRESS", "extracting")]
    api.artifacts[RUN] = [[artifact_json("a1", "login.png")]]
    events = make_watcher(api, clock).poll_due()
    assert kinds(events) == ["started"]
    assert events[0].status == "IN_PROGRESS" and events[0].state_name == "extracting"
    assert [a.display_name for a in events[0].artifacts] == ["login.png"]
    assert events[0].artifacts[0].signed_url is None  # never kept
    assert events[0].to_json() == {
        "runId": RUN,
        "status": "IN_PROGRESS",
        "currentStateName": "extracting",
        "at": "2026-11-28T07:00:00Z",
    }


def test_status_and_step_changes_are_told_apart(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [
        run_json("PENDING", "waiting_for_worker"),
        run_json("IN_PROGRESS", "opening_login_page"),
        run_json("IN_PROGRESS", "entering_credentials"),
        run_json("FAILED", "entering_credentials", completedAt="2026-11-28T07:00:00Z"),
    ]
    events = list(make_watcher(api, clock, artifacts=False).events())
    assert kinds(events) == ["started", "status", "step", "status"]
    assert [e.state_name for e in events] == [
        "waiting_for_worker",
        "opening_login_page",
        "entering_credentials",
        "entering_credentials",
    ]
    assert events[1].previous is not None and events[1].previous.status == "PENDING"
    # A finished run is no longer polled: the generator ended by itself.
    assert api.polls() == 4


def test_unchanged_run_is_polled_less_and_less_often_up_to_the_cap(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json()]
    watcher = make_watcher(api, clock, artifacts=False)
    waits = []
    for _ in range(6):
        watcher.poll_due()
        waits.append(watcher.next_poll_in())
        clock.sleep(watcher.next_poll_in())
    # First poll: base interval; then doubling (growth 2.0) up to max_interval.
    assert waits == [2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_a_change_brings_the_interval_back_to_the_base(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json(state="a")] * 4 + [run_json(state="b")]
    watcher = make_watcher(api, clock, artifacts=False)
    for _ in range(4):
        watcher.poll_due()
        clock.sleep(watcher.next_poll_in())
    assert watcher.next_poll_in() == 0
    assert kinds(watcher.poll_due()) == ["step"]
    assert watcher.next_poll_in() == POLICY.interval


def test_hidden_window_polls_no_more_often_than_the_hidden_interval(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json(state="a"), run_json(state="b")]
    watcher = make_watcher(api, clock, artifacts=False)
    watcher.set_hidden(True)
    watcher.poll_due()
    assert watcher.next_poll_in() == POLICY.hidden_interval
    clock.sleep(POLICY.hidden_interval)
    assert kinds(watcher.poll_due()) == ["step"]  # a change, yet still the hidden pace
    assert watcher.next_poll_in() == POLICY.hidden_interval
    # Shown again: everything is polled at once, then at the visible pace.
    watcher.set_hidden(False)
    assert watcher.next_poll_in() == 0
    watcher.poll_due()
    assert watcher.next_poll_in() == POLICY.after_unchanged(POLICY.interval)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_on_429_and_503(api: Api, clock: Clock, status: int) -> None:
    api.runs[RUN] = [run_json(state="a"), (status, {"Retry-After": "17"}), run_json(state="b")]
    watcher = make_watcher(api, clock, artifacts=False)
    watcher.poll_due()
    clock.sleep(watcher.next_poll_in())
    events = watcher.poll_due()
    assert kinds(events) == ["poll_failed"]
    assert events[0].retry_in == 17.0
    assert f"({status}" in events[0].error.user_message()
    assert watcher.next_poll_in() == 17.0
    # Nothing is asked before the time is up, however often the loop comes round.
    clock.sleep(16.0)
    assert watcher.poll_due() == []
    before = api.polls()
    clock.sleep(1.0)
    assert kinds(watcher.poll_due()) == ["recovered", "step"]
    assert api.polls() == before + 1


def test_a_huge_retry_after_is_capped(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [(429, {"Retry-After": "86400"})]
    watcher = make_watcher(api, clock, artifacts=False)
    events = watcher.poll_due()
    assert events[0].retry_in == POLICY.max_retry_after


def test_failures_back_off_exponentially_are_reported_and_never_raised(
    api: Api, clock: Clock
) -> None:
    api.runs[RUN] = [(500, {})] * 6 + [run_json()]
    watcher = make_watcher(api, clock, artifacts=False)
    delays = []
    for _ in range(6):
        events = watcher.poll_due()
        assert kinds(events) == ["poll_failed"]
        delays.append(events[0].retry_in)
        clock.sleep(watcher.next_poll_in())
    # interval * 2**failures, capped at max_failure_delay.
    assert delays == [4.0, 8.0, 16.0, 32.0, 40.0, 40.0]
    assert kinds(watcher.poll_due()) == ["recovered", "started"]


def test_network_failures_are_reported_not_raised(api: Api, clock: Clock) -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        return api(request)

    api.runs[RUN] = [run_json()]
    http = httpx.Client(transport=httpx.MockTransport(flaky))
    client = AnonClient(http, api_key="anon_watch_test", base_url=BASE)
    watcher = RunWatcher(client, [RUN], policy=POLICY, artifacts=False, clock=clock,
                         sleep=clock.sleep)  # fmt: skip
    cancel = CancelToken()
    seen: list[WatchEvent] = []
    for event in watcher.events(cancel):
        seen.append(event)
        if event.kind == "started":
            cancel.cancel()
    assert kinds(seen) == ["poll_failed", "poll_failed", "recovered", "started"]
    assert "Could not connect" in seen[0].error.user_message()
    assert calls["n"] == 3  # one request per round: the client's own retries were off


def test_deleted_run_is_reported_with_what_was_last_seen(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json(state="a")]
    watcher = make_watcher(api, clock, artifacts=False)
    watcher.poll_due()
    del api.runs[RUN]
    clock.sleep(watcher.next_poll_in())
    events = watcher.poll_due()
    assert kinds(events) == ["gone"]
    assert events[0].previous is not None and events[0].previous.current_state_name == "a"
    assert watcher.watched() == []


def test_unknown_run_is_gone_without_a_previous_state(api: Api, clock: Clock) -> None:
    events = list(make_watcher(api, clock, artifacts=False).events())
    assert kinds(events) == ["gone"]
    assert events[0].previous is None


def test_rejected_key_leaves_the_loop(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [(401, {})]
    with pytest.raises(AuthError):
        list(make_watcher(api, clock).events())


def test_new_and_grown_artifacts_are_reported(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json()]
    api.artifacts[RUN] = [
        [artifact_json("log", "run.log", size=10)],
        [
            artifact_json("log", "run.log", size=25),
            artifact_json("s2", "b.png", created="06:58:30"),
            artifact_json("s1", "a.png", created="06:58:20"),
        ],
    ]
    watcher = make_watcher(api, clock)
    watcher.poll_due()
    clock.sleep(watcher.next_poll_in())
    events = watcher.poll_due()
    assert kinds(events) == ["artifact_added", "artifact_added", "artifact_changed"]
    assert [e.artifact.display_name for e in events] == ["a.png", "b.png", "run.log"]
    assert events[2].artifact.file_size == 25
    assert watcher.next_poll_in() == POLICY.interval  # new artifacts count as a change


def test_awaiting_input_keeps_being_watched_unless_asked_to_stop(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json("AWAITING_USER_INPUT", "awaiting_mfa_code")]
    window = make_watcher(api, clock, artifacts=False)
    window.poll_due()
    assert window.watched() == [RUN]
    cli = make_watcher(api, clock, artifacts=False,
                       stop_statuses=FINISHED_STATUSES | {"AWAITING_USER_INPUT"})  # fmt: skip
    assert kinds(list(cli.events())) == ["started"]


def test_unknown_status_ends_the_watch_once_it_has_an_end_time(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [
        run_json("QUEUED_FOR_RETRY"),
        run_json("CANCELLED", completedAt="2026-11-28T07:00:00Z"),
    ]
    events = list(make_watcher(api, clock, artifacts=False).events())
    assert [e.status for e in events] == ["QUEUED_FOR_RETRY", "CANCELLED"]
    assert not is_finished(WorkflowRun.from_json(run_json("QUEUED_FOR_RETRY")))


def test_many_runs_each_keep_their_own_pace(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json(state="a")]
    api.runs[OTHER] = [run_json(id=OTHER, state=s) for s in ("a", "b", "c", "d")]
    watcher = make_watcher(api, clock, run_ids=(RUN, OTHER), artifacts=False)
    for _ in range(4):
        watcher.poll_due()
        clock.sleep(watcher.next_poll_in())
    # OTHER changes every poll and keeps the base interval; RUN backs off and is asked less.
    assert api.polls(OTHER) == 4
    assert api.polls(RUN) < 4


def test_watched_workflow_adds_runs_started_later(api: Api, clock: Clock) -> None:
    old = run_json("COMPLETED", id=OTHER, completedAt="2026-11-28T06:00:00Z")
    api.workflow_runs = [[old], [run_json(), old]]
    api.runs[RUN] = [run_json()]
    watcher = make_watcher(api, clock, run_ids=(), workflow_ids=(WF,), artifacts=False)
    assert watcher.poll_due() == []  # runs that already ended are not news
    clock.sleep(watcher.next_poll_in())
    events = watcher.poll_due()
    assert kinds(events) == ["run_added", "started"]
    assert events[0].workflow_id == WF and events[0].run_id == RUN
    assert watcher.watched() == [RUN]


def test_cancel_stops_the_generator_and_remove_stops_a_run(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [run_json()]
    watcher = make_watcher(api, clock, artifacts=False)
    cancel = CancelToken()
    events = watcher.events(cancel)
    assert next(events).kind == "started"
    cancel.cancel()
    assert list(events) == []
    watcher.remove(RUN)
    assert list(make_watcher(api, clock, run_ids=()).events()) == []


def test_callbacks_get_every_event(api: Api, clock: Clock) -> None:
    api.runs[RUN] = [
        run_json("IN_PROGRESS"),
        run_json("COMPLETED", completedAt="2026-11-28T07:00:00Z"),
    ]
    got: list[str] = []
    make_watcher(api, clock, artifacts=False).run(lambda e: got.append(e.kind))
    assert got == ["started", "status"]
