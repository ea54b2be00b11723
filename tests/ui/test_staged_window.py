"""A staged window (the one ``gui_main`` builds) first builds what lists the catalog, then
completes into the same window an unstaged build makes: same menus, actions, keys, panes and
views; whatever needs a later pane completes the window first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QMenu, QSplitter, QWidget

from artifact_viewer.app import App
from artifact_viewer.ui.extensions import ViewStack
from tests.ui.helpers import WAIT_MS, wait_loaded


@pytest.fixture
def make_app(make_ui_app: Callable[..., App]) -> Callable[..., App]:
    return make_ui_app


def _menu_rows(menu: QMenu, path: str) -> list[tuple[str, str, tuple[str, ...], bool]]:
    rows: list[tuple[str, str, tuple[str, ...], bool]] = []
    for action in menu.actions():
        keys = tuple(key.toString() for key in action.shortcuts())
        rows.append((path, action.text(), keys, action.isEnabled()))
        sub = action.menu()
        if isinstance(sub, QMenu):
            rows.extend(_menu_rows(sub, f"{path}/{action.text()}"))
    return rows


def _shape(window: Any) -> dict[str, Any]:
    """What a user can reach in the window: menus (with their actions, keys and enabled
    state), the window's own keyboard actions, toolbars, dock panes, centre views, splitters."""
    menus = [
        row
        for action in window.menuBar().actions()
        if isinstance(action.menu(), QMenu)
        for row in [(action.text(), "", (), action.isEnabled())]
        + _menu_rows(action.menu(), action.text())
    ]
    window_keys = sorted(
        (a.text(), tuple(k.toString() for k in a.shortcuts())) for a in window.actions()
    )
    views: ViewStack = window.views
    return {
        "menus": menus,
        "window_keys": window_keys,
        "toolbar": [a.text() for a in window.toolbar.actions()],
        "docks": sorted(dock.windowTitle() for dock in window.findChildren(QDockWidget)),
        "views": sorted(views._views),
        "view_types": [type(views.widget(i)).__name__ for i in range(views.count())],
        "splitters": [
            [type(split.widget(i)).__name__ for i in range(split.count())]
            for split in (window.main_split, window.right_split, window.bottom_split)
        ],
        "status": sorted(
            type(w).__name__
            for w in window.statusBar().findChildren(QWidget)
            if w.isVisibleTo(window)
        ),
    }


def test_a_completed_staged_window_has_the_menus_actions_panes_and_views_of_an_unstaged_one(
    make_app: Callable[..., App],
) -> None:
    whole = make_app(staged=False)
    staged = make_app(staged=True)
    assert whole.window.built
    assert not staged.window.built
    staged.window.complete_build()
    assert staged.window.built
    assert _shape(staged.window) == _shape(whole.window)
    assert _shape(whole.window)["docks"], "the features added no dock panes"
    assert _shape(whole.window)["views"], "the features added no views"


def _geometries(window: Any) -> list[Any]:
    panes = (window.navigator, window.artifact_list, window.views, window.details)
    return [pane.geometry() for pane in panes] + [window.menuBar().height()]


def test_completing_a_shown_staged_window_moves_no_pane(
    qtbot: Any, make_app: Callable[..., App]
) -> None:
    window = make_app(staged=True).window
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    before = _geometries(window)
    window.complete_build()
    qtbot.wait(50)
    assert _geometries(window) == before


def test_a_staged_window_shows_placeholders_where_the_preview_and_details_go(
    make_app: Callable[..., App],
) -> None:
    window = make_app(staged=True).window
    assert not window.findChildren(QDockWidget)
    assert not hasattr(window, "preview")
    # The placeholders sit where the panes go, with their minimum sizes.
    assert window.bottom_split.indexOf(window.views) == 0
    assert window.bottom_split.indexOf(window.details) == 1
    assert (window.views.minimumWidth(), window.details.minimumWidth()) == (240, 180)
    window.complete_build()
    assert isinstance(window.views, ViewStack)
    assert window.bottom_split.indexOf(window.views) == 0
    assert window.bottom_split.indexOf(window.details) == 1
    assert isinstance(window.views.parentWidget(), QSplitter)


def test_a_staged_window_completes_once_the_cached_listing_painted_and_before_connecting(
    qtbot: Any, make_app: Callable[..., App]
) -> None:
    first = make_app(staged=False)  # syncs the demo catalog the next start lists first
    first.window.show()
    first.flow.start(demo=True)
    wait_loaded(qtbot, first)
    first.window.close()
    first.close()

    app = make_app(staged=True)
    window = app.window
    seen: dict[str, bool] = {}
    paints_after_listing: list[int] = []

    class Paints(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and "built_at" in seen:
                paints_after_listing.append(1)
            return False

    def completed() -> None:
        seen["painted_before_built"] = bool(paints_after_listing)
        seen["connected_when_built"] = window.connection is not None

    def listed() -> None:
        if "built_at" not in seen:
            seen["built_at"] = window.built
            seen["connected_at"] = window.connection is not None
            window.call_when_built(completed)

    paints = Paints(window)
    window.navigator.view.viewport().installEventFilter(paints)
    window.browser.treeLoaded.connect(listed)
    window.show()
    app.flow.start(demo=True)
    qtbot.waitUntil(lambda: "connected_when_built" in seen, timeout=WAIT_MS)
    # The cached listing came from the staged frame and painted; the rest was built right
    # after, before the connection was opened.
    assert seen == {
        "built_at": False,
        "connected_at": False,
        "painted_before_built": True,
        "connected_when_built": False,
    }
    wait_loaded(qtbot, app)
    assert window.connection is not None


def test_connecting_completes_a_staged_window_first(
    qtbot: Any, make_app: Callable[..., App]
) -> None:
    app = make_app(staged=True)  # a fresh home: nothing cached to list before connecting
    built_at_listing: list[bool] = []
    app.window.browser.treeLoaded.connect(lambda: built_at_listing.append(app.window.built))
    app.window.show()
    app.flow.start(demo=True)
    wait_loaded(qtbot, app)
    assert built_at_listing and all(built_at_listing)


def test_a_first_demo_start_syncs_while_the_staged_window_completes_and_asks_once(
    qtbot: Any, make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    from artifact_viewer.core.library import Library

    asked: list[str] = []
    for name in ("refresh_workflows", "refresh_runs"):
        real = getattr(Library, name)

        def spy(self: Library, *args: Any, _real: Any = real, _name: str = name) -> Any:
            asked.append(_name)
            return _real(self, *args)

        monkeypatch.setattr(Library, name, spy)
    app = make_app(staged=True)  # a fresh home: no demo catalog to list first
    window = app.window
    started: list[tuple[str, bool]] = []
    real_run = window.ops.run

    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        started.append((getattr(fn, "__name__", ""), window.built))
        return real_run(fn, *args, **kwargs)

    monkeypatch.setattr(window.ops, "run", run)
    window.show()
    app.flow.start(demo=True)
    # The connection and its sync are on their way before the window is complete.
    assert ("start_demo_synced", False) in started
    wait_loaded(qtbot, app)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=WAIT_MS)
    assert window.built
    assert asked == ["refresh_workflows", "refresh_runs"]  # not again once attached
    library = window.library
    assert library is not None
    assert window.navigator.model.tree.workflows
    assert window.artifact_list.model.total == library.count_artifacts(
        window.browser.current_query()
    )


@pytest.mark.parametrize(
    "trigger",
    [
        lambda w: w.acts.focus_mode.trigger(),
        lambda w: w.acts.focus_preview.trigger(),
        lambda w: w.acts.next_pane.trigger(),
        lambda w: w.acts.focus_details.trigger(),
        lambda w: w.acts.shortcuts.trigger(),
        lambda w: w.save_state(),
    ],
    ids=["focus-mode", "focus-preview", "next-pane", "focus-details", "shortcuts", "save-state"],
)
def test_what_needs_a_later_pane_completes_a_staged_window_first(
    qtbot: Any, make_app: Callable[..., App], trigger: Callable[[Any], None]
) -> None:
    window = make_app(staged=True).window
    window.show()
    qtbot.waitExposed(window)
    assert not window.built
    trigger(window)
    assert window.built
    if window.acts.focus_mode.isChecked():
        window.acts.focus_mode.setChecked(False)


def _stage(window: Any) -> tuple[bool, bool, bool, int, bool]:
    """How far a staged window's completion got: centre views, details, controller, dock
    panes of the features, built."""
    from artifact_viewer.ui.panes.details_panel import DetailsPanel

    return (
        isinstance(window.views, ViewStack),
        isinstance(window.details, DetailsPanel),
        hasattr(window, "viewer"),
        len(window.findChildren(QDockWidget)),
        window.built,
    )


def _record_turns(window: Any, on_turn: Callable[[Any], None]) -> QTimer:
    """A zero timer: fires once per event-loop turn, between the completion's steps."""
    timer = QTimer(window)
    timer.setInterval(0)
    timer.timeout.connect(lambda: on_turn(window))
    timer.start()
    return timer


def test_a_listed_staged_window_completes_a_step_per_event_loop_turn(
    qtbot: Any, make_app: Callable[..., App]
) -> None:
    whole = make_app(staged=False)
    whole.window.show()  # shown as the staged one is (the status bar's size grip)
    window = make_app(staged=True).window
    window.show()
    qtbot.waitExposed(window)
    seen: list[tuple[bool, bool, bool, int, bool]] = []
    timer = _record_turns(window, lambda w: seen.append(_stage(w)))
    window.browser.treeLoaded.emit()  # the first listing: the completion starts after its paint
    qtbot.waitUntil(lambda: window.built, timeout=WAIT_MS)
    timer.stop()
    steps = list(dict.fromkeys(seen))  # the distinct states, in the order the turns saw them
    docks = len(whole.window.findChildren(QDockWidget))
    assert steps[0] == (False, False, False, 0, False)
    assert (True, False, False, 0, False) in steps  # the views came a turn before the details
    assert (True, True, False, 0, False) in steps  # and the details before the controller
    assert (True, True, True, 0, False) in steps
    partly_docked = {s[3] for s in steps if not s[4] and 0 < s[3] < docks}
    assert partly_docked, "every feature was installed on one turn"
    assert steps[-1][4]
    assert _shape(window) == _shape(whole.window)


def test_input_between_the_steps_completes_every_remaining_step_first(
    qtbot: Any, make_app: Callable[..., App]
) -> None:
    whole = make_app(staged=False)
    whole.window.show()  # shown as the staged one is (the status bar's size grip)
    window = make_app(staged=True).window
    window.show()
    qtbot.waitExposed(window)
    at_input: list[tuple[bool, bool, bool, int, bool]] = []

    def press_when_views_came(w: Any) -> None:
        stage = _stage(w)
        if stage[0] and not stage[4] and not at_input:
            at_input.append(stage)
            w.acts.focus_details.trigger()  # a key pressed between two steps
            at_input.append(_stage(w))

    timer = _record_turns(window, press_when_views_came)
    window.browser.treeLoaded.emit()
    qtbot.waitUntil(lambda: len(at_input) == 2, timeout=WAIT_MS)
    timer.stop()
    assert not at_input[0][4]
    assert at_input[1][4], "the input ran before the window was complete"
    qtbot.wait(50)  # the steps scheduled before the input find nothing left to build
    assert _shape(window) == _shape(whole.window)
