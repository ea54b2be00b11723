"""Empty panes say why they are empty and what to do next."""

from __future__ import annotations

from typing import Any

from artifact_viewer.ui.models.navigator_model import OFFLINE
from tests.ui.helpers import WAIT_MS, catalog_artifact, open_artifact, start_demo


def _hint(app: Any) -> str:
    label = app.window.artifact_list.empty_label
    return label.text() if label.isVisible() else ""


def test_never_connected_list_points_to_connect(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(lambda: app.flow.dialog is not None, timeout=WAIT_MS)
    app.flow.dialog.reject()
    qtbot.waitUntil(lambda: "Connect" in _hint(app), timeout=WAIT_MS)
    assert "Ctrl+Shift+K" in _hint(app)


def test_a_filter_matching_nothing_says_so_and_the_hint_goes_when_rows_return(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    assert _hint(app) == ""
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        qtbot.keyClicks(window.filter_box, "zzz-no-such-file")
    assert window.artifact_list.model.total == 0
    assert "zzz-no-such-file" in _hint(app)
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        window.filter_box.clear()
    assert window.artifact_list.model.total > 0
    assert _hint(app) == ""


def test_empty_offline_scope_explains_pinning(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    with qtbot.waitSignal(app.window.browser.listLoaded, timeout=WAIT_MS):
        app.window.navigator.select(OFFLINE, OFFLINE)
    assert "Pin a run" in _hint(app)


def test_details_panel_explains_itself_until_an_artifact_is_selected(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    details = app.window.details
    assert details._hint.isVisible() and "Select an artifact" in details._hint.text()
    open_artifact(qtbot, app, catalog_artifact(app, "text/csv"))
    assert not details._hint.isVisible()
