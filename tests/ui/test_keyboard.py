"""Keyboard: pane shortcuts, Tab order, and window keys that yield to the preview's own."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from tests.ui.helpers import WAIT_MS, catalog_artifact, focus, open_artifact, press, start_demo


def test_ctrl_f_filters_the_lists_outside_the_preview_and_searches_inside_it(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    open_artifact(qtbot, app, catalog_artifact(app, "text/csv"))
    qtbot.waitUntil(lambda: not window.preview.is_loading(), timeout=WAIT_MS)
    table = window.preview.previewer()

    focus(qtbot, window.artifact_list.view)
    press(qtbot, "Ctrl+F")
    qtbot.waitUntil(lambda: window.filter_box.hasFocus(), timeout=WAIT_MS)

    focus(qtbot, table.view)
    press(qtbot, "Ctrl+F")  # would be ambiguous (and do nothing) if both kept Ctrl+F
    qtbot.waitUntil(lambda: table.filter_box.hasFocus(), timeout=WAIT_MS)

    focus(qtbot, window.navigator.view)
    assert "Ctrl+F" in {s.toString() for s in window.acts.find.shortcuts()}


def test_alt_digits_move_between_panes(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    open_artifact(qtbot, app, catalog_artifact(app, "image/png"))
    focus(qtbot, window.filter_box)
    press(qtbot, "Alt+1")
    qtbot.waitUntil(lambda: window.navigator.view.hasFocus(), timeout=WAIT_MS)
    press(qtbot, "Alt+2")
    qtbot.waitUntil(lambda: window.artifact_list.view.hasFocus(), timeout=WAIT_MS)
    press(qtbot, "Alt+3")
    qtbot.waitUntil(
        lambda: window.details.isAncestorOf(QApplication.focusWidget()), timeout=WAIT_MS
    )


def test_tab_walks_filter_then_navigator_then_artifact_list(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    focus(qtbot, window.filter_box)
    press(qtbot, "Tab")
    qtbot.waitUntil(lambda: window.navigator.view.hasFocus(), timeout=WAIT_MS)
    press(qtbot, "Tab")
    qtbot.waitUntil(lambda: window.artifact_list.view.hasFocus(), timeout=WAIT_MS)


def test_every_action_is_in_a_menu(qapp: Any, make_ui_app: Any) -> None:
    window = make_ui_app().window
    in_menus = {
        action
        for menu_action in window.menuBar().actions()
        for action in menu_action.menu().actions()
    }
    missing = [a.text() for a in window.acts.all_actions() if a not in in_menus]
    assert missing == []


def test_workflow_then_run_then_artifact_by_keyboard_alone(qtbot: Any, make_ui_app: Any) -> None:
    from artifact_viewer.ui.models.navigator_model import RUN, WORKFLOW

    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    workflow = window.navigator.model.tree.workflows[0]
    focus(qtbot, window.navigator.view)
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        assert window.navigator.select(WORKFLOW, workflow.id)
    assert window.browser.scope == (WORKFLOW, workflow.id)
    model = window.artifact_list.model
    # The scope's background refresh may list it again: wait for a settled list.
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading, timeout=WAIT_MS)
    assert {model.artifact_at(r).workflow_id for r in range(model.rowCount())} == {workflow.id}

    press(qtbot, "Right")  # expand the workflow
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        press(qtbot, "Down")  # its newest run
    kind, run_id = window.browser.scope
    assert kind == RUN
    assert window.navigator.model.tree.runs[workflow.id][0].id == run_id
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT_MS)

    press(qtbot, "Alt+2")
    qtbot.waitUntil(lambda: window.artifact_list.view.hasFocus(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.viewer.previewShown, timeout=WAIT_MS) as shown:
        press(qtbot, "Down")
    artifact = window.viewer.current
    assert artifact is not None and shown.args == [artifact.id]
    assert artifact.workflow_run_id == run_id


def test_ctrl_f_reaches_the_filter_box_on_a_narrow_window(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    window = app.window
    window.resize(760, 560)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert window.filter_box.isVisible()  # not pushed into the toolbar's overflow menu
    focus(qtbot, window.navigator.view)
    press(qtbot, "Ctrl+F")
    qtbot.waitUntil(lambda: window.filter_box.hasFocus(), timeout=WAIT_MS)


def test_details_links_are_reached_with_tab_and_followed_with_enter(
    qtbot: Any, make_ui_app: Any
) -> None:
    from artifact_viewer.ui.models.navigator_model import RUN

    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    csv = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, csv)
    focus(qtbot, window.artifact_list.view)
    press(qtbot, "Alt+3")
    for _ in range(20):  # walk the fields down to the run link
        if QApplication.focusWidget().accessibleName() == "Run":
            break
        press(qtbot, "Tab")
    assert QApplication.focusWidget().accessibleName() == "Run"
    press(qtbot, "Tab")  # from the label's text to its link
    assert QApplication.focusWidget().accessibleName() == "Run"
    with qtbot.waitSignal(window.details.linkActivated, timeout=WAIT_MS) as blocker:
        press(qtbot, "Return")
    assert blocker.args == [RUN, csv.workflow_run_id]
    assert window.navigator.current() == (RUN, csv.workflow_run_id)
