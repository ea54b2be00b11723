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


def _extra_runs(app: Any) -> list[Any]:
    """Runs the window lists beyond the seeded data set (which must all be there)."""
    from artifact_viewer.demo.runner import cached_dataset

    seeded = {r["id"] for r in cached_dataset(1).workflow_runs}
    listed = app.window.library.runs()
    assert seeded <= {r.id for r in listed}
    return [r for r in listed if r.id not in seeded]


@pytest.mark.parametrize("where", ["child process", "in process"])
def test_demo_offers_live_runs_beside_the_seeded_ones(
    qtbot: Any, app_home: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "in process":
        monkeypatch.setattr(sys, "executable", "")  # no child can be spawned
    demo = app_module._start_demo_process(live_runs=2)
    assert (demo is None) == (where == "in process")
    paths = app_paths().ensure()
    app = build_app(paths, load_settings(paths), demo_server=demo, demo_live_runs=2)
    app.demo_process = demo
    qtbot.addWidget(app.window)
    try:
        start_demo(qtbot, app)
        extra = _extra_runs(app)
        assert len(extra) == 2
        assert all(r.workflow_id for r in extra)
    finally:
        app.window.close()
        app.close()
