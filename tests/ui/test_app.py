"""The composition root: an escaping exception becomes one line in the window, never a traceback."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from artifact_viewer.app import _install_excepthook, build_app
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import load_settings


def test_unhandled_exception_in_a_slot_is_shown_as_one_line(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    paths = app_paths().ensure()
    app = build_app(paths, load_settings(paths))
    qtbot.addWidget(app.window)
    try:
        _install_excepthook(app.window)
        try:
            raise KeyError("https://store.example/blob?X-Amz-Signature=deadbeef")
        except KeyError as exc:
            sys.excepthook(KeyError, exc, exc.__traceback__)
        notice = app.window.banner.notice
        assert notice is not None
        assert notice.text == "Unexpected error (KeyError). Details are in the log file."
    finally:
        app.window.close()
        app.close()


def test_building_the_app_connects_nothing_until_started(qtbot: Any) -> None:
    paths = app_paths().ensure()
    app = build_app(paths, load_settings(paths))
    qtbot.addWidget(app.window)
    try:
        assert app.window.connection is None
        assert app.window.online_label.text() == "Not connected"
        assert not app.window.ops.busy
    finally:
        app.window.close()
        app.close()
