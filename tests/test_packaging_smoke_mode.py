"""Smoke mode opens one artifact of each kind in the real window and turns that into an exit code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from artifact_viewer.core.models import Artifact
from artifact_viewer.previews import registry
from artifact_viewer.ui.smoke import (
    EXPECTED_VIEWS,
    KINDS,
    SmokeRun,
    kind_of,
    pick_one_of_each,
    start_smoke,
)

WAIT_MS = 90_000


def _artifact(ident: str, mime: str | None, size: int | None) -> Artifact:
    return Artifact(id=ident, display_name=f"{ident}.bin", mime_type=mime, file_size=size)


def test_kind_comes_from_the_mime_type_without_its_parameters() -> None:
    assert kind_of(_artifact("a", "text/csv; charset=utf-8", 1)) == "csv"
    assert kind_of(_artifact("b", "Application/PDF", 1)) == "pdf"
    assert kind_of(_artifact("c", "text/xml", 1)) == "xml"
    assert kind_of(_artifact("d", "video/mp4", 1)) is None
    assert kind_of(_artifact("e", None, 1)) is None


def test_pick_takes_the_smallest_artifact_of_each_kind_in_kind_order() -> None:
    artifacts = [
        _artifact("big-json", "application/json", 900),
        _artifact("small-json", "application/json", 10),
        _artifact("log", "text/plain", None),
        _artifact("movie", "video/mp4", 1),
        _artifact("pdf", "application/pdf", 5),
    ]
    chosen = pick_one_of_each(artifacts)
    assert list(chosen) == ["json", "pdf", "log"]
    assert chosen["json"].id == "small-json"


@pytest.fixture
def smoke_app(
    qtbot: Any, demo_server: Any
) -> Iterator[Callable[[], tuple[Any, SmokeRun, io.StringIO]]]:
    """The real window over the stand-in server, armed for smoke mode (without quitting)."""
    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import load_settings

    built: list[Any] = []

    def make() -> tuple[Any, SmokeRun, io.StringIO]:
        paths = app_paths().ensure()
        app = build_app(paths, load_settings(paths), demo_server=demo_server)
        qtbot.addWidget(app.window)
        built.append(app)
        out = io.StringIO()
        run = start_smoke(app, out=out, quit_app=False, timeout_ms=WAIT_MS)
        return app, run, out

    yield make
    for app in built:
        app.window.close()
        app.close()


def _run(qtbot: Any, app: Any, run: SmokeRun) -> int:
    with qtbot.waitSignal(run.done, timeout=WAIT_MS + 10_000) as blocker:
        app.window.show()
        app.flow.start(demo=True)
    return int(blocker.args[0])


def test_smoke_opens_every_kind_in_its_own_view_and_reports_each(
    qtbot: Any, smoke_app: Any
) -> None:
    app, run, out = smoke_app()
    code = _run(qtbot, app, run)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(KINDS) + 1
    for kind in KINDS:
        if registry.available(EXPECTED_VIEWS[kind]):
            assert run.results[kind] == "", f"{kind}: {run.results[kind]}"
            assert f"smoke: {kind}: ok" in lines
        else:  # a view missing from this build must fail the smoke test, not fall back quietly
            assert EXPECTED_VIEWS[kind] in run.results[kind]
    rendered = sum(1 for kind in KINDS if run.results[kind] == "")
    assert lines[-1] == f"smoke: {rendered} of {len(KINDS)} kinds rendered"
    assert code == (0 if rendered == len(KINDS) else 1)


def test_smoke_fails_when_an_artifact_arrives_corrupted(
    qtbot: Any, smoke_app: Any, demo_server: Any
) -> None:
    pngs = {a.id for a in demo_server.dataset.artifacts if a.mime_type == "image/png"}
    assert pngs
    demo_server.config.corrupt_ids = pngs  # every PNG's bytes change on the way
    app, run, out = smoke_app()
    code = _run(qtbot, app, run)
    assert code == 1
    assert run.results["png"].startswith("not fetched:")
    assert "smoke: png: FAILED: not fetched:" in out.getvalue()
    assert run.results["json"] == ""  # one bad kind does not stop the others


def test_smoke_flag_without_demo_is_a_usage_error() -> None:
    from click.testing import CliRunner

    from artifact_viewer.cli import cli

    result = CliRunner().invoke(cli, ["--smoke"])
    assert result.exit_code == 2
    assert "--smoke needs --demo" in result.output


def test_command_line_smoke_run_renders_every_kind_and_exits_zero() -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "--demo", "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1] == f"smoke: {len(KINDS)} of {len(KINDS)} kinds rendered"
