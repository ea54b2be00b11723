"""`--demo` start-up: the stand-in server runs in a child process and ends with the app."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from artifact_viewer import app as app_module
from artifact_viewer.app import build_app
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import load_settings
from artifact_viewer.demo.process import DemoProcess
from tests.ui.helpers import start_demo


def test_demo_in_a_child_process_lists_workflows_and_stops_with_the_app(
    qtbot: Any, app_home: Any
) -> None:
    demo = app_module._start_demo_process()
    assert isinstance(demo, DemoProcess)
    paths = app_paths().ensure()
    app = build_app(paths, load_settings(paths), demo_server=demo)
    app.demo_process = demo
    qtbot.addWidget(app.window)
    try:
        start_demo(qtbot, app)
        assert app.window.connection.mode == "demo"
        assert app.window.connection.base_url == demo.base_url
    finally:
        app.window.close()
        app.close()
    assert not demo.running


def test_demo_starts_in_process_when_no_child_can_be_spawned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert app_module._start_demo_process() is None
