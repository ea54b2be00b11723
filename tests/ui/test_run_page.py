"""The run page: what a run is and produced, its timeline kept in step both ways, live
updates in place while the run goes on, and notifications for watched runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from artifact_viewer.core.watch import PollPolicy
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.runner import DemoServer
from artifact_viewer.demo.world import WORKFLOWS
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.features.runs import VIEW_KEY, RunFeature
from artifact_viewer.ui.models.navigator_model import RUN

from .helpers import WAIT_MS, start_demo

STEP = 3600.0  # live runs move only when a test moves the server's clock by a step
FAST = PollPolicy(interval=0.1, max_interval=0.2, hidden_interval=5.0)
CENSUS = next(s for s in WORKFLOWS if s.key == "gusto_census").states


@pytest.fixture
def live_server(make_demo_server: Callable[..., DemoServer]) -> DemoServer:
    return make_demo_server(config=ServerConfig(live_step=STEP), live=True)


def advance(server: DemoServer, steps: int = 1) -> None:
    server.config.clock_offset += STEP * steps


@pytest.fixture
def window_with_runs(qtbot: Any, make_ui_app: Any, live_server: DemoServer):
    """The real window on a live stand-in server, with the run feature polling fast."""

    def make(*outcomes: str) -> tuple[Any, RunFeature, list[str]]:
        ids = [live_server.live.start_run(o, "gusto_census") for o in outcomes]  # type: ignore[arg-type]
        feature = RunFeature(policy=FAST)
        app = make_ui_app(server=live_server, extensions=[feature])
        start_demo(qtbot, app)
        return app, feature, ids

    return make


def open_run(qtbot: Any, app: Any, feature: RunFeature, run_id: str) -> None:
    qtbot.waitUntil(lambda: app.window.navigator.select(RUN, run_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: feature.page.summary is not None, timeout=WAIT_MS)
    assert app.window.views.current_key() == VIEW_KEY


def wait_timeline(qtbot: Any, feature: RunFeature, shots: int) -> None:
    def ready() -> None:
        timeline = feature.page.timeline.timeline
        assert timeline is not None and timeline.log is not None
        assert len(timeline.screenshots) == shots

    qtbot.waitUntil(ready, timeout=WAIT_MS)


def test_run_page_shows_the_run_its_artifacts_and_its_failing_step(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("FAILED")
    advance(live_server, 10)  # the run has failed by the time the window looks
    open_run(qtbot, app, feature, run_id)
    page = feature.page
    failed_at = fmt.state_label(CENSUS[1])
    qtbot.waitUntil(lambda: page.status.text() == f"Failed at {failed_at}", timeout=WAIT_MS)
    assert page.title.text() == "Export employee census — Gusto"
    assert page.ended.text() not in ("", "not yet") and page.duration.text() != "—"
    assert page.job_run.text() == "none (started on its own)"
    assert page.started_by.text() not in ("", "not given by the API")

    def groups() -> list[str]:
        tree = page.artifacts
        return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]

    qtbot.waitUntil(lambda: groups() == ["screenshot (3)", "log file (1)"], timeout=WAIT_MS)
    assert sorted(page.artifact_names()) == sorted(
        [f"{CENSUS[0]}.png", f"{CENSUS[1]}.png", f"{CENSUS[1]}.png", "run.log"]
    )
    # The timeline: the log was fetched (cache state follows), its error found.
    wait_timeline(qtbot, feature, shots=3)
    timeline = page.timeline.timeline
    assert timeline.log.errors and timeline.step_mark().kind == "failing_step"
    page.first_error.click()
    assert page.timeline.current_line() == timeline.log.errors[0]
    assert "ERROR" in page.timeline.lines.line_text(page.timeline.current_line())
    qtbot.waitUntil(lambda: page.timeline.image.has_image(), timeout=WAIT_MS)


def test_timeline_sync_both_ways_and_keys(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    advance(live_server, 10)
    open_run(qtbot, app, feature, run_id)
    wait_timeline(qtbot, feature, shots=3)
    view = feature.page.timeline
    timeline = view.timeline
    # Choosing a screenshot scrolls the log to the line being written when it was taken.
    for row, shot in enumerate(timeline.screenshots):
        view.select_screenshot(row)
        assert view.current_line() == timeline.log_line_at(shot.time)
        assert view.lines.line_text(view.current_line()).find(shot.name[:-4]) >= 0
    # Clicking a log line shows the screenshot taken nearest before it.
    last = view.lines.rowCount() - 1
    view.select_line(last)
    assert view.current_screenshot() == timeline.nearest_screenshot_before(timeline.line_time(last))
    view.select_line(0)
    assert view.current_screenshot() is None  # nothing had been taken yet
    # Left/Right step through the screenshots; the log follows.
    view.log_view.setFocus()
    view.select_screenshot(0)
    qtbot.keyClick(view.log_view, Qt.Key.Key_Right)
    assert view.current_screenshot_row() == 1
    assert view.current_line() == timeline.log_line_at(timeline.screenshots[1].time)
    qtbot.keyClick(view.filmstrip, Qt.Key.Key_Left)
    assert view.current_screenshot_row() == 0
    # Thumbnails are made off the GUI thread and arrive for what was drawn.
    qtbot.waitUntil(lambda: len(view.shots._thumbs) == 3, timeout=WAIT_MS)


def test_f8_steps_through_errors(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("FAILED")
    advance(live_server, 10)
    open_run(qtbot, app, feature, run_id)
    wait_timeline(qtbot, feature, shots=3)
    view = feature.page.timeline
    errors = list(view.timeline.log.errors)
    assert len(errors) >= 2
    view.select_line(0)
    view.log_view.setFocus()  # as after a click in the log
    qtbot.keyClick(view.log_view, Qt.Key.Key_F8)
    assert view.current_line() == errors[0]
    qtbot.keyClick(view.log_view, Qt.Key.Key_F8)
    assert view.current_line() == errors[1]
    qtbot.keyClick(view.log_view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert view.current_line() == errors[0]


def test_a_live_run_updates_in_place_and_new_artifacts_appear(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    page = feature.page
    pending = f"Pending: {fmt.state_label('waiting_for_worker')}"
    qtbot.waitUntil(lambda: page.status.text() == pending, timeout=WAIT_MS)
    assert "Live" in page.notes.text()
    seen = []
    for n, state in enumerate(CENSUS, 1):
        advance(live_server)
        label = fmt.state_label(state)
        qtbot.waitUntil(lambda: page.status.text() == f"Running: {label}", timeout=WAIT_MS)  # noqa: B023
        seen.append(page.status.text())
        qtbot.waitUntil(lambda: len(page.artifact_names()) == n + 1, timeout=WAIT_MS)  # noqa: B023
    advance(live_server)
    qtbot.waitUntil(lambda: page.status.text() == "Completed", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "employee_census.csv" in page.artifact_names(), timeout=WAIT_MS)
    assert "Live" not in page.notes.text()
    assert app.window.views.current_key() == VIEW_KEY  # updated in place, not reopened
    # The catalog (and so the navigator and lists) learnt the new state too.
    assert app.window.library.run(run_id).status == "COMPLETED"


@pytest.mark.parametrize(
    ("outcome", "title", "ending"),
    [
        ("COMPLETED", "Completed", "completed."),
        ("FAILED", "Failed", f"failed at {fmt.state_label(CENSUS[1])}."),
        ("AWAITING_USER_INPUT", "Awaiting input", "is waiting for input at awaiting mfa code."),
    ],
)
def test_a_watched_run_notifies_how_it_ended(
    qtbot: Any,
    window_with_runs: Any,
    live_server: DemoServer,
    outcome: str,
    title: str,
    ending: str,
) -> None:
    app, feature, (run_id,) = window_with_runs(outcome)
    open_run(qtbot, app, feature, run_id)
    feature.page.watch.setChecked(True)
    assert feature.watch.is_run_watched(run_id)
    with qtbot.waitSignal(feature.notifier.notified, timeout=WAIT_MS) as blocker:
        advance(live_server, 10)
    got_title, text = blocker.args
    assert got_title == title
    assert text.startswith("Export employee census (") and text.endswith(ending)
    if not feature.notifier.uses_tray:  # offscreen: the status bar says it instead
        assert title in app.window.statusBar().currentMessage()


def test_an_unwatched_run_updates_but_does_not_notify(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("FAILED")
    open_run(qtbot, app, feature, run_id)
    told: list[Any] = []
    feature.notifier.notified.connect(lambda *a: told.append(a))
    advance(live_server, 10)
    qtbot.waitUntil(lambda: feature.page.status.text().startswith("Failed"), timeout=WAIT_MS)
    assert told == []


def test_a_watched_workflow_announces_its_runs(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    feature.page.watch_workflow.setChecked(True)
    new_run = live_server.live.start_run("FAILED", "gusto_census")
    qtbot.waitUntil(lambda: new_run in feature.watch.watcher.watched(), timeout=WAIT_MS)
    with qtbot.waitSignal(feature.notifier.notified, timeout=WAIT_MS) as blocker:
        advance(live_server, 10)
    assert blocker.args[0] in ("Failed", "Completed")


def test_a_run_deleted_while_shown_says_so(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("DELETED")
    open_run(qtbot, app, feature, run_id)
    feature.page.watch.setChecked(True)
    with qtbot.waitSignal(feature.notifier.notified, timeout=WAIT_MS) as blocker:
        advance(live_server, 10)
    assert blocker.args[0] == "Run deleted"
    qtbot.waitUntil(lambda: feature.page.status.text() == "Deleted", timeout=WAIT_MS)
    assert "no longer knows this run" in feature.page.notes.text()


def test_polling_slows_down_while_the_window_is_hidden(qtbot: Any, window_with_runs: Any) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    watcher = feature.watch.watcher
    app.window.showMinimized()
    qtbot.waitUntil(lambda: watcher.hidden, timeout=WAIT_MS)
    app.window.showNormal()
    qtbot.waitUntil(lambda: not watcher.hidden, timeout=WAIT_MS)


def test_failed_polls_show_in_the_status_bar_never_a_dialog(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    messages: list[str] = []
    feature.watch.problem.connect(messages.append)
    live_server.config.rate_limit_next = 1
    live_server.config.retry_after = 1
    qtbot.waitUntil(lambda: any("Too many requests" in m for m in messages), timeout=WAIT_MS)
    assert any("Trying again in 1 s" in m for m in messages)
    qtbot.waitUntil(lambda: "Run updates resumed." in messages, timeout=WAIT_MS)


def test_leaving_the_run_goes_back_to_the_preview(qtbot: Any, window_with_runs: Any) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    workflow_id = app.window.library.run(run_id).workflow_id
    assert app.window.navigator.select("workflow", workflow_id)
    qtbot.waitUntil(lambda: app.window.views.current_key() == "preview", timeout=WAIT_MS)
    assert feature.controller.run_id is None


def test_a_finished_run_on_show_is_not_polled_again(
    qtbot: Any, window_with_runs: Any, live_server: DemoServer
) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    advance(live_server, 10)
    open_run(qtbot, app, feature, run_id)
    qtbot.waitUntil(lambda: feature.page.status.text() == "Completed", timeout=WAIT_MS)
    watcher = feature.watch.watcher
    qtbot.waitUntil(lambda: run_id not in watcher.watched(), timeout=WAIT_MS)
    polls = live_server.config.count("api", f"/api/v2/workflow-runs/{run_id}")
    # The page reloads once with the run's last artifacts; that must not start polling again.
    qtbot.waitUntil(lambda: not feature.controller._reload.isActive(), timeout=WAIT_MS)
    qtbot.wait(1500)
    assert run_id not in watcher.watched()
    assert live_server.config.count("api", f"/api/v2/workflow-runs/{run_id}") <= polls + 1
    # ...and the navigator shows how it ended.
    qtbot.waitUntil(
        lambda: [r.status for r in app.window.navigator.model.tree.runs.get(
            app.window.library.run(run_id).workflow_id, []) if r.id == run_id] == ["COMPLETED"],
        timeout=WAIT_MS,
    )  # fmt: skip


def test_watch_run_from_the_navigator(qtbot: Any, window_with_runs: Any) -> None:
    app, feature, (run_id,) = window_with_runs("COMPLETED")
    open_run(qtbot, app, feature, run_id)
    assert feature.watch_runs in app.window.navigator.view.actions()
    feature.watch_runs.trigger()
    assert feature.watch.is_run_watched(run_id) and feature.page.watch.isChecked()
    feature.watch_runs.trigger()
    assert not feature.watch.is_run_watched(run_id) and not feature.page.watch.isChecked()


def test_watch_choices_are_remembered_across_restarts_for_their_api(
    qtbot: Any, make_ui_app: Any, live_server: DemoServer
) -> None:
    run_id = live_server.live.start_run("FAILED", "gusto_census")
    feature = RunFeature(policy=FAST)
    app = make_ui_app(server=live_server, extensions=[feature])
    start_demo(qtbot, app)
    open_run(qtbot, app, feature, run_id)
    workflow_id = app.window.library.run(run_id).workflow_id
    feature.page.watch.setChecked(True)
    feature.page.watch_workflow.setChecked(True)
    advance(live_server)  # under way, with a screenshot: the next launch opens on it
    app.window.close()
    app.close()
    # The next launch (same home, same API) watches them again, polls them and says whose
    # run it is when it ends.
    again = RunFeature(policy=FAST)
    app2 = make_ui_app(server=live_server, extensions=[again])
    start_demo(qtbot, app2)
    assert again.watch.is_run_watched(run_id)
    assert again.watch.is_workflow_watched(workflow_id)
    qtbot.waitUntil(lambda: run_id in again.watch.watcher.watched(), timeout=WAIT_MS)
    with qtbot.waitSignal(again.notifier.notified, timeout=WAIT_MS) as blocker:
        advance(live_server, 10)
    assert blocker.args[0] == "Failed"
    assert blocker.args[1].startswith("Export employee census (")
    open_run(qtbot, app2, again, run_id)
    assert again.page.watch.isChecked() and again.page.watch_workflow.isChecked()
    # Unwatching is remembered too.
    again.page.watch.setChecked(False)
    assert app2.window.slots.services.state.list_value("watch_runs_demo") == []


def test_watch_choices_of_one_api_stay_with_it() -> None:
    from artifact_viewer.ui.features.runs import watch_key

    class Conn:
        def __init__(self, mode: str, base_url: str) -> None:
            self.mode, self.base_url = mode, base_url

    demo = watch_key(Conn("demo", "http://127.0.0.1:5000/api/v2"))
    assert demo == watch_key(Conn("demo", "http://127.0.0.1:6000/api/v2"))  # port changes
    one = watch_key(Conn("online", "https://api.example.com"))
    assert one == watch_key(Conn("offline", "https://api.example.com"))
    assert len({demo, one, watch_key(Conn("online", "https://eu.example.com"))}) == 3
    assert watch_key(None) == ""
