"""Write a screenshot of the window in demo mode: ``python scripts/screenshot.py OUT.png``.

Runs under ``xvfb-run -a`` when there is no display and it is installed (real fonts and
a real window manager), else on Qt's offscreen platform. Uses a throw-away app home, so
the user's settings, cache and window layout are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_REEXEC_FLAG = "ARTIFACT_VIEWER_SCREENSHOT_CHILD"
WIDTH, HEIGHT = 1600, 1000


def _maybe_reexec_under_xvfb() -> int | None:
    if os.environ.get("DISPLAY") or os.environ.get(_REEXEC_FLAG) or not shutil.which("xvfb-run"):
        return None
    env = dict(os.environ, **{_REEXEC_FLAG: "1"})
    args = ["xvfb-run", "-a", "-s", f"-screen 0 {WIDTH + 80}x{HEIGHT + 80}x24"]
    return subprocess.call([*args, sys.executable, *sys.argv], env=env)


def _wait(app: object, condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def take(out: Path) -> None:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="av-shot-")
    os.environ["ARTIFACT_VIEWER_HOME"] = home
    os.environ.pop("ANON_API_KEY", None)

    from PySide6.QtWidgets import QApplication

    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import load_settings
    from artifact_viewer.core.store_models import ArtifactQuery
    from artifact_viewer.qt import binding
    from artifact_viewer.ui.icons import app_icon
    from artifact_viewer.ui.models.navigator_model import RUN, WORKFLOW

    binding.install()
    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_app.setApplicationName("Artifact Viewer")
    qt_app.setWindowIcon(app_icon())
    paths = app_paths().ensure()
    app = build_app(paths, load_settings(paths))
    window = app.window
    try:
        window.resize(WIDTH, HEIGHT)
        window.show()
        app.flow.start(demo=True)
        _wait(qt_app, lambda: bool(window.navigator.model.tree.workflows), "the workflows")
        _wait(qt_app, lambda: window.artifact_list.model.total > 0, "the artifacts")
        window.ops.wait_idle()
        # A CSV with a completed run makes for a rich table preview.
        library = window.library
        candidates = library.artifacts(ArtifactQuery(mime="text/csv", limit=50))
        runs = {r.id: r for r in library.runs()}
        artifact = next(
            (
                a
                for a in candidates
                if runs.get(a.workflow_run_id or "")
                and runs[a.workflow_run_id].status == "COMPLETED"
            ),
            candidates[0],
        )
        window.navigator.select(WORKFLOW, artifact.workflow_id or "")
        window.navigator.view.expand(window.navigator.view.currentIndex())
        window.navigator.select(RUN, artifact.workflow_run_id or "")
        _wait(
            qt_app,
            lambda: window.artifact_list.model.row_of(artifact.id) is not None,
            "the run's artifacts",
        )
        window.ops.wait_idle()
        qt_app.processEvents()
        window.artifact_list.select_id(artifact.id)
        shown: list[str] = []
        window.viewer.previewShown.connect(shown.append)
        _wait(qt_app, lambda: artifact.id in shown or window.viewer.current is None, "the preview")
        _wait(qt_app, lambda: not window.preview.is_loading(), "the preview to render")
        window.artifact_list.view.setFocus()
        for _ in range(10):  # let layouts and late repaints settle
            qt_app.processEvents()
            time.sleep(0.05)
        image = window.grab()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out)):
            raise SystemExit(f"could not write {out}")
        print(f"wrote {out} ({image.width()}x{image.height()})")
    finally:
        window.close()
        app.close()
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    code = _maybe_reexec_under_xvfb()
    if code is not None:
        return code
    take(Path(sys.argv[1]).resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
