"""Offline honesty: what needs the API is disabled offline and says why; a pin made offline
waits ("waiting for connection", not available offline) and runs when the connection
returns; banners about the connection clear themselves."""

from __future__ import annotations

from typing import Any

import pytest

from artifact_viewer.core.errors import NotAvailableOffline
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.controllers.artifact_controller import fetch
from artifact_viewer.ui.models.navigator_model import QUEUED_TEXT, RUN
from tests.ui.helpers import WAIT_MS, catalog_artifact, open_artifact, show_run, start_demo


def _go_offline(qtbot: Any, window: Any, server: Any) -> None:
    server.stop()
    window.acts.refresh.trigger()
    qtbot.waitUntil(lambda: window.online_label.text().startswith("Offline"), timeout=WAIT_MS)


def _run_label(window: Any, run_id: str) -> str:
    model = window.navigator.model
    return str(model.find(RUN, run_id).data())


@pytest.fixture
def quick_retries(monkeypatch: Any) -> None:
    from artifact_viewer.ui.controllers import online_monitor

    monkeypatch.setattr(online_monitor, "FIRST_RETRY_MS", 200)
    monkeypatch.setattr(online_monitor, "MAX_RETRY_MS", 400)


def test_offline_actions_that_need_the_api_are_disabled_and_say_why(
    qtbot: Any, make_ui_app: Any, demo_server: Any, make_demo_server: Any, quick_retries: None
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window, acts = app.window, app.window.acts
    cached = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, cached)
    online_tips = {a: a.toolTip() for a in (acts.refresh, acts.save_as, acts.verify)}
    port = demo_server.port
    _go_offline(qtbot, window, demo_server)

    assert not acts.refresh.isEnabled()
    assert acts.refresh.toolTip().startswith("Offline:") and "API" in acts.refresh.toolTip()
    # The cached file still saves, opens and verifies.
    assert window.viewer.current.id == cached.id
    for action in (acts.save_as, acts.open_external, acts.verify):
        assert action.isEnabled(), action.text()
    # One that is not cached does not, and says why.
    other = next(
        a
        for a in window.library.artifacts(ArtifactQuery(limit=200))
        if a.workflow_run_id != cached.workflow_run_id
        and window.library.cache_state(a.id).name == "NOT_CACHED"
    )
    show_run(qtbot, app, other.workflow_run_id)
    qtbot.waitUntil(lambda: window.artifact_list.model.row_of(other.id) is not None)
    window.artifact_list.select_id(other.id)
    qtbot.waitUntil(lambda: not acts.save_as.isEnabled(), timeout=WAIT_MS)
    for action in (acts.save_as, acts.open_external, acts.verify):
        assert not action.isEnabled(), action.text()
        assert action.toolTip().startswith("Offline:") and "not cached" in action.toolTip()

    make_demo_server(port=port, api_key=demo_server.api_key)
    qtbot.waitUntil(lambda: acts.refresh.isEnabled(), timeout=WAIT_MS)
    assert acts.refresh.toolTip() == online_tips[acts.refresh]
    qtbot.waitUntil(lambda: acts.save_as.isEnabled(), timeout=WAIT_MS)
    assert acts.save_as.toolTip() == online_tips[acts.save_as]


def test_a_pin_made_offline_waits_for_the_connection_then_runs(
    qtbot: Any, make_ui_app: Any, demo_server: Any, make_demo_server: Any, quick_retries: None
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window, library = app.window, app.window.library
    run = next(r for r in library.runs() if not library.is_pinned(r.id))
    uncached = next(
        a
        for a in library.artifacts(ArtifactQuery(run_id=run.id))
        if library.cache_state(a.id).name == "NOT_CACHED"
    )
    port = demo_server.port
    _go_offline(qtbot, window, demo_server)
    show_run(qtbot, app, run.id)
    assert window.acts.pin.toolTip().startswith("Offline:")

    window.acts.pin.trigger()
    assert QUEUED_TEXT in _run_label(window, run.id)
    assert window.acts.unpin.isEnabled()  # a waiting pin can be withdrawn
    assert not library.is_pinned(run.id)
    with qtbot.waitSignal(window.browser.treeLoaded, timeout=WAIT_MS):
        window.browser.reload_tree()
    assert run.id not in {r.id for r in window.navigator.model.tree.offline_runs}

    # A connection error banner from a failed download, while offline...
    failures: list[BaseException] = []

    def report(exc: BaseException) -> None:
        failures.append(exc)
        window.bridge.error(exc)

    window.ops.run(
        fetch, library, uncached.id, "preview", on_result=failures.append, on_error=report
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert isinstance(failures[0], NotAvailableOffline)
    assert window.banner.isVisible() and window.banner.notice.level == "error"

    # ...and the connection returns: the pin runs, its mark goes, the banner clears itself.
    with qtbot.waitSignal(window.viewer.pinChanged, timeout=WAIT_MS) as pinned:
        make_demo_server(port=port, api_key=demo_server.api_key)
    assert pinned.args == [run.id, True]
    assert library.is_pinned(run.id)
    assert library.cache_state(uncached.id).usable
    assert QUEUED_TEXT not in _run_label(window, run.id)
    assert not window.banner.isVisible()
    assert window.online_label.text().startswith("Online")


def test_withdrawing_a_waiting_pin_pins_nothing_later(
    qtbot: Any, make_ui_app: Any, demo_server: Any, make_demo_server: Any, quick_retries: None
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window, library = app.window, app.window.library
    run = next(r for r in library.runs() if not library.is_pinned(r.id))
    port = demo_server.port
    _go_offline(qtbot, window, demo_server)
    show_run(qtbot, app, run.id)
    window.acts.pin.trigger()
    assert QUEUED_TEXT in _run_label(window, run.id)
    window.acts.unpin.trigger()
    assert QUEUED_TEXT not in _run_label(window, run.id)
    assert window.viewer.queued_pins == []
    make_demo_server(port=port, api_key=demo_server.api_key)
    qtbot.waitUntil(lambda: window.online_label.text().startswith("Online"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=WAIT_MS)
    assert not library.is_pinned(run.id)


def test_features_that_need_uncached_files_are_disabled_offline_and_say_why(
    qtbot: Any, make_ui_app: Any, demo_server: Any, make_demo_server: Any, quick_retries: None
) -> None:
    from PySide6.QtGui import QAction

    app = make_ui_app()
    start_demo(qtbot, app)
    window, library = app.window, app.window.library
    run = next(r for r in library.runs() if library.count_artifacts(ArtifactQuery(run_id=r.id)))
    port = demo_server.port
    _go_offline(qtbot, window, demo_server)
    show_run(qtbot, app, run.id)
    window.artifact_list.view.selectAll()
    qtbot.waitUntil(lambda: len(window.slots.selected_artifact_ids()) >= 2, timeout=WAIT_MS)
    actions = {a.text().replace("&", ""): a for a in window.findChildren(QAction)}
    for name in ("Save selected…", "Save run…", "Export run(s)…", "Compare selected"):
        action = actions[name]
        assert not action.isEnabled(), name
        assert action.toolTip().startswith("Offline:") and "not cached" in action.toolTip()
    make_demo_server(port=port, api_key=demo_server.api_key)
    qtbot.waitUntil(lambda: window.online_label.text().startswith("Online"), timeout=WAIT_MS)
    for name in ("Save selected…", "Save run…", "Export run(s)…", "Compare selected"):
        assert not window.slots.api_gate.is_gated(actions[name]), name
        assert not actions[name].toolTip().startswith("Offline:")


def test_the_gate_never_overrides_what_the_action_owner_decided(qtbot: Any) -> None:
    from PySide6.QtGui import QAction

    from artifact_viewer.ui.api_gate import ApiGate

    offline = [False]
    gate = ApiGate(lambda: offline[0])
    action = QAction("Save")
    action.setToolTip("Save the file")
    gate.guard(action, "saving needs the API")
    offline[0] = True
    gate.update()
    assert not action.isEnabled() and action.toolTip() == "Offline: saving needs the API."
    action.setEnabled(False)  # the owner: nothing selected any more
    offline[0] = False
    gate.update()
    assert not action.isEnabled() and action.toolTip() == "Save the file"
    offline[0] = True
    gate.update()
    action.setEnabled(True)  # the owner: something selected, while offline
    assert not action.isEnabled()
    offline[0] = False
    gate.update()
    assert action.isEnabled()
