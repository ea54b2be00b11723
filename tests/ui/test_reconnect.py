"""Reconnecting: the window switches libraries and the replaced one is closed, but only when
the work that was reading it has finished."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from artifact_viewer.core.errors import CacheError
from tests.ui.helpers import WAIT_MS


def _open_offline_with_dialog(qtbot: Any, app: Any) -> Any:
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    assert app.window.connection.mode == "offline"
    return app.window.connection.library


def test_connecting_closes_the_library_it_replaces(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    first = _open_offline_with_dialog(qtbot, app)
    with qtbot.waitSignal(app.flow.attached, timeout=WAIT_MS):
        app.flow.dialog.demo_button.click()
    current = app.window.library
    assert current is not first
    qtbot.waitUntil(lambda: app.sessions.open_libraries == [current], timeout=WAIT_MS)
    with pytest.raises(CacheError, match="closed"):
        first.workflows()  # its catalog is closed
    qtbot.waitUntil(lambda: bool(app.window.navigator.model.tree.workflows), timeout=WAIT_MS)


def test_replaced_library_stays_open_until_earlier_work_on_it_finishes(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    first = _open_offline_with_dialog(qtbot, app)
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow_read(library: Any, _p: Any, _c: Any) -> int:
        started.set()
        release.wait(30)
        return len(library.workflows())  # would fail if the library were closed under it

    failures: list[BaseException] = []
    app.window.ops.run(slow_read, first, on_result=seen.append, on_error=failures.append)
    assert started.wait(10)
    with qtbot.waitSignal(app.flow.attached, timeout=WAIT_MS):
        app.flow.dialog.demo_button.click()
    assert first in app.sessions.open_libraries  # still being read
    release.set()
    qtbot.waitUntil(lambda: bool(seen or failures), timeout=WAIT_MS)
    assert failures == [] and seen == [0]
    qtbot.waitUntil(lambda: first not in app.sessions.open_libraries, timeout=WAIT_MS)
    assert app.sessions.open_libraries == [app.window.library]
