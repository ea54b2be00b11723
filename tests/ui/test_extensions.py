"""A feature plugs into the window through ui.extensions: views, panes, menus, events."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.extensions import WindowSlots

from .helpers import WAIT_MS, open_artifact, start_demo


class RecordingFeature:
    """Adds one centre view, one pane and one menu action, and records the window's events."""

    def __init__(self) -> None:
        self.libraries: list[Any] = []
        self.scopes: list[tuple[str, str]] = []
        self.selected: list[Any] = []
        self.slots: WindowSlots | None = None

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        self.view = QLabel("feature view")
        slots.add_view("feature", self.view)
        self.pane = QLabel("feature pane")
        self.dock = slots.add_pane("feature-pane", "Feature pane", self.pane, shortcut="Ctrl+Alt+9")
        self.action = QAction("Show the feature view", slots.window)
        self.action.triggered.connect(lambda: slots.show_view("feature"))
        slots.menu("Tools").addAction(self.action)
        slots.add_list_action(self.action)
        slots.events.libraryChanged.connect(self.libraries.append)
        slots.events.scopeChanged.connect(lambda kind, ident: self.scopes.append((kind, ident)))
        slots.events.artifactSelected.connect(self.selected.append)


def test_feature_adds_view_pane_and_menu_without_editing_the_window(qtbot, make_ui_app) -> None:
    feature = RecordingFeature()
    app = make_ui_app(extensions=[feature])
    window = app.window
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Tools" in titles
    assert feature.action in window.artifact_list.view.actions()
    view_menu = feature.slots.menu("View")
    assert feature.dock.toggleViewAction() in view_menu.actions()
    assert feature.slots.menu("&View") is view_menu  # one menu, however it is named
    assert window.views.current_key() == "preview"
    feature.action.trigger()
    assert window.views.currentWidget() is feature.view
    assert window.views.current_key() == "feature"


def test_feature_follows_library_scope_and_selection_and_preview_comes_back(
    qtbot, make_ui_app
) -> None:
    feature = RecordingFeature()
    app = make_ui_app(extensions=[feature])
    start_demo(qtbot, app)
    window = app.window
    assert feature.libraries and feature.libraries[-1] is window.library
    assert feature.slots is not None and feature.slots.services.library() is window.library
    artifact = window.library.artifacts(ArtifactQuery(limit=1))[0]
    feature.slots.show_view("feature")
    open_artifact(qtbot, app, artifact)
    qtbot.waitUntil(lambda: window.views.current_key() == "preview", timeout=WAIT_MS)
    assert any(a is not None and a.id == artifact.id for a in feature.selected)
    assert ("run", artifact.workflow_run_id) in feature.scopes


def test_two_views_with_one_name_are_refused(qtbot, make_ui_app) -> None:
    app = make_ui_app(extensions=[])
    slots = app.window.slots
    slots.add_view("x", QLabel("one"))
    try:
        slots.add_view("x", QLabel("two"))
    except ValueError as exc:
        assert "x" in str(exc)
    else:
        raise AssertionError("a second view named x was accepted")
