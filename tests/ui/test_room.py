"""Room to look: the preview's share of the width, hiding panes, focus mode, pane keys, Help."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.ui.helpers import (
    WAIT_MS,
    catalog_artifact,
    focus,
    open_artifact,
    press,
    show_run,
    start_demo,
)


def _inside(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900), (1920, 1080)])
def test_first_launch_gives_the_preview_at_least_sixty_percent_of_the_width(
    qtbot: Any, make_ui_app: Any, size: tuple[int, int]
) -> None:
    window = make_ui_app().window
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window._restore_splitters()
    qtbot.waitUntil(lambda: window.views.width() >= 0.6 * window.width(), timeout=WAIT_MS)
    assert window.navigator.width() >= 200
    assert window.details.width() >= 180


def test_navigator_and_details_hide_show_and_are_remembered(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    window = app.window
    window.show()
    window.acts.show_navigator.trigger()
    window.acts.show_details.trigger()
    assert not window.navigator.isVisible() and not window.details.isVisible()
    window.save_state()
    again = make_ui_app().window
    again.show()
    assert not again.acts.show_navigator.isChecked()
    assert not again.navigator.isVisible() and not again.details.isVisible()
    again.acts.show_navigator.trigger()
    assert again.navigator.isVisible()


def test_details_move_under_the_list_and_back(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    window = app.window
    window.show()
    window.acts.details_under_list.trigger()
    assert window.details.parent() is window.list_column
    assert window.artifact_list.parent() is window.list_column
    assert window.views.parent() is window.right_split
    assert window.right_split.orientation() == Qt.Orientation.Horizontal
    window.save_state()
    again = make_ui_app().window
    assert again.details.parent() is again.list_column  # remembered
    again.acts.details_under_list.trigger()
    assert again.details.parent() is again.bottom_split
    assert again.views.parent() is again.bottom_split
    assert again.right_split.orientation() == Qt.Orientation.Vertical


def test_focus_mode_gives_the_preview_the_window_and_esc_leaves_it(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    open_artifact(qtbot, app, catalog_artifact(app, "image/png"))
    focus(qtbot, window.artifact_list.view)
    press(qtbot, "F11")
    assert window.in_focus_mode
    for pane in (window.navigator, window.artifact_list, window.details, window.menuBar()):
        assert not pane.isVisible()
    assert window.views.isVisible()
    qtbot.waitUntil(lambda: _inside(window.views), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.views.width() >= window.width() - 40, timeout=WAIT_MS)
    # Esc belongs to focus mode now; Cancel download gives it back afterwards.
    assert QKeySequence("Esc") in window.acts.leave_focus_mode.shortcuts()
    assert QKeySequence("Esc") not in window.acts.cancel_download.shortcuts()
    focus(qtbot, window.views.currentWidget())
    window.acts.leave_focus_mode.trigger()  # what Esc runs
    assert not window.in_focus_mode
    for pane in (window.navigator, window.artifact_list, window.details, window.menuBar()):
        assert pane.isVisible()
    assert QKeySequence("Esc") in window.acts.cancel_download.shortcuts()
    assert window.acts.leave_focus_mode.shortcuts() == []


def test_f6_cycles_the_panes_and_alt_4_reaches_the_preview(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    open_artifact(qtbot, app, catalog_artifact(app, "text/csv"))
    qtbot.waitUntil(lambda: not window.preview.is_loading(), timeout=WAIT_MS)
    focus(qtbot, window.navigator.view)
    press(qtbot, "F6")
    qtbot.waitUntil(lambda: window.artifact_list.view.hasFocus(), timeout=WAIT_MS)
    press(qtbot, "F6")
    qtbot.waitUntil(lambda: _inside(window.views), timeout=WAIT_MS)
    press(qtbot, "F6")
    qtbot.waitUntil(lambda: _inside(window.details), timeout=WAIT_MS)
    press(qtbot, "F6")
    qtbot.waitUntil(lambda: window.navigator.view.hasFocus(), timeout=WAIT_MS)
    press(qtbot, "Shift+F6")
    qtbot.waitUntil(lambda: _inside(window.details), timeout=WAIT_MS)
    press(qtbot, "Alt+4")
    qtbot.waitUntil(lambda: _inside(window.views), timeout=WAIT_MS)


def test_tab_leaves_the_artifact_list_in_one_step(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    assert not window.artifact_list.view.tabKeyNavigation()
    assert not window.navigator.view.tabKeyNavigation()
    focus(qtbot, window.artifact_list.view)
    window.artifact_list.view.selectRow(0)
    selected = window.artifact_list.current_artifact()
    assert selected is not None
    press(qtbot, "Tab")
    qtbot.waitUntil(lambda: not window.artifact_list.view.hasFocus(), timeout=WAIT_MS)
    now = window.artifact_list.current_artifact()
    assert now is not None and now.id == selected.id  # Tab moved on; no other artifact opened


def test_home_and_end_go_to_the_first_and_last_artifact(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.activateWindow()
    run_id = next(iter(window.navigator.model.tree.runs.values()))[0].id
    show_run(qtbot, app, run_id)
    view = window.artifact_list.view
    model = window.artifact_list.model
    qtbot.waitUntil(lambda: model.rowCount() >= 2, timeout=WAIT_MS)
    focus(qtbot, view)
    press(qtbot, "End")
    assert view.currentIndex().row() == model.rowCount() - 1
    press(qtbot, "Home")
    assert view.currentIndex().row() == 0


def test_shortcuts_window_lists_every_menu_shortcut(qtbot: Any, make_ui_app: Any) -> None:
    from artifact_viewer.ui.dialogs.shortcuts_dialog import ShortcutsDialog, shortcut_rows

    window = make_ui_app().window
    rows = shortcut_rows(window.menuBar())
    listed = {name for _menu, name, _keys in rows}
    for action in window.acts.all_actions():
        if action.shortcuts():
            assert action.text().replace("&", "") in listed, action.text()
    window.acts.shortcuts.trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    shown = dict(dialog.rows())
    assert "F5" in shown["Refresh"]
    assert "F11" in shown["Focus on the preview"]


def test_about_names_the_versions(qtbot: Any, make_ui_app: Any) -> None:
    import PySide6

    from artifact_viewer import __version__

    window = make_ui_app().window
    window.acts.about.trigger()
    box = window.findChild(QMessageBox)
    assert box is not None
    assert __version__ in box.text() and PySide6.__version__ in box.text()
    assert str(window.log_dir) in box.text()
    box.close()
