"""Screenshot the window in demo mode: ``python scripts/screenshot.py OUT.png [WxH] [SCENE]``.

Scenes: ``csv`` (default: a 10-column CSV), ``image`` (a screenshot artifact), ``filter``
(a filtered "All artifacts" list), ``failed-run`` (a failed run selected), ``run-page`` (the
run page of a failed run, its timeline at the first error), ``focus`` (focus
mode on a CSV), ``shortcuts`` (the keyboard shortcuts window), and the compare view on two
runs (``compare-runs``) or on two artifacts of one kind (``compare-table``, ``compare-json``,
``compare-text``, ``compare-image``, ``compare-pdf``).

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
from typing import Any

_REEXEC_FLAG = "ARTIFACT_VIEWER_SCREENSHOT_CHILD"
WIDTH, HEIGHT = 1600, 1000
SCENES = (
    "csv",
    "image",
    "filter",
    "failed-run",
    "run-page",
    "focus",
    "shortcuts",
    "compare-runs",
    "compare-table",
    "compare-json",
    "compare-text",
    "compare-image",
    "compare-pdf",
)
# compare scene -> the artifact name (or MIME type) whose two newest copies are compared
_COMPARE = {
    "compare-runs": "payroll_register.csv",
    "compare-table": "payroll_register.csv",
    "compare-json": "accounts.json",
    "compare-text": "run.log",
    "compare-image": "image/png",
    "compare-pdf": "form_941_Q3_2026.pdf",
}


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


def take(out: Path, scene: str = "csv") -> None:
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
        if scene == "filter":
            window.filter_box.setText("type:screenshot status:failed")
            window.apply_filter()
            _wait(qt_app, lambda: not window.artifact_list.model.loading, "the filter")
            window.ops.wait_idle()
            _settle(qt_app)
            _save(window.grab(), out)
            return
        if scene.startswith("compare-"):
            _compare_scene(qt_app, window, scene)
            _save(window.grab(), out)
            return
        if scene == "run-page":
            _run_page_scene(qt_app, window)
            _save(window.grab(), out)
            return
        mime = "image/png" if scene == "image" else "text/csv"
        candidates = library.artifacts(ArtifactQuery(mime=mime, limit=50))
        runs = {r.id: r for r in library.runs()}
        if scene == "failed-run":
            failed = next(r for r in runs.values() if r.status == "FAILED")
            window.navigator.select(WORKFLOW, failed.workflow_id or "")
            window.navigator.view.expand(window.navigator.view.currentIndex())
            window.navigator.select(RUN, failed.id)
            _wait(qt_app, lambda: window.artifact_list.model.total > 0, "the run's artifacts")
            window.ops.wait_idle()
            _settle(qt_app)
            _save(window.grab(), out)
            return
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
        shown: list[str] = []
        window.viewer.previewShown.connect(shown.append)

        def selected() -> bool:
            # A late list refresh can clear the selection: select again until it is shown.
            if window.viewer.current is None or window.viewer.current.id != artifact.id:
                window.artifact_list.select_id(artifact.id)
            return artifact.id in shown

        _wait(qt_app, selected, "the preview")
        _wait(qt_app, lambda: not window.preview.is_loading(), "the preview to render")
        window.artifact_list.view.setFocus()
        if scene == "focus":
            window.acts.focus_mode.trigger()
        _settle(qt_app)
        if scene == "shortcuts":
            window.acts.shortcuts.trigger()
            _settle(qt_app)
            dialog = window._shortcuts_dialog
            assert dialog is not None
            _save(dialog.grab(), out)
            return
        _save(window.grab(), out)
    finally:
        window.close()
        app.close()
        shutil.rmtree(home, ignore_errors=True)


def _compare_scene(qt_app: object, window: Any, scene: str) -> None:
    """Compare the two newest artifacts named for ``scene`` (or their runs) and wait."""
    from artifact_viewer.core.store_models import ArtifactQuery
    from artifact_viewer.ui.compare.feature import CompareController

    controller = window.findChild(CompareController)
    if controller is None:
        raise SystemExit("the window has no compare feature")
    wanted = _COMPARE[scene]
    if "/" in wanted:
        found = window.library.artifacts(ArtifactQuery(mime=wanted, limit=2))
    else:
        found = [
            a for a in window.library.artifacts(ArtifactQuery(text=wanted)) if a.name == wanted
        ]
    newer, older = found[0], found[1]
    if scene == "compare-runs":
        controller.compare_runs(older.workflow_run_id, newer.workflow_run_id)
    else:
        controller.compare_artifacts(older.id, newer.id, f"{older.name}  ->  {newer.name}")
    view = controller.view
    _wait(
        qt_app,
        lambda: controller.task is None and view.current_page() is not view.message,
        "the comparison",
    )
    if scene == "compare-text":
        view.text.set_side_by_side(True)
        view.text.next_change()
    if scene == "compare-image":
        from artifact_viewer.ui.compare.imagediff import HEATMAP

        view.image.set_mode(HEATMAP)
        view.image.zoom.setValue(60)
    window.ops.wait_idle()
    _settle(qt_app)


def _run_page_scene(qt_app: object, window: Any) -> None:
    """The failed run with the most screenshots (and a log), its timeline at the first error."""
    from artifact_viewer.core.store_models import ArtifactQuery
    from artifact_viewer.ui.features.runs import RunFeature
    from artifact_viewer.ui.models.navigator_model import RUN, WORKFLOW

    feature = window.findChild(RunFeature)
    if feature is None:
        raise SystemExit("the window has no run page")
    library = window.library

    def shots(run_id: str) -> int:
        found = library.artifacts(ArtifactQuery(run_id=run_id))
        if not any(a.name.endswith(".log") for a in found):
            return -1
        return sum(1 for a in found if a.type == "screenshot")

    failed = max((r for r in library.runs() if r.status == "FAILED"), key=lambda r: shots(r.id))
    window.navigator.select(WORKFLOW, failed.workflow_id or "")
    window.navigator.view.expand(window.navigator.view.currentIndex())
    window.navigator.select(RUN, failed.id)
    page = feature.page
    _wait(qt_app, lambda: page.summary is not None, "the run page")

    def timeline_ready() -> bool:
        timeline = page.timeline.timeline
        return timeline is not None and timeline.log is not None

    _wait(qt_app, timeline_ready, "the timeline")
    page.first_error.click()
    _wait(qt_app, lambda: page.timeline.image.has_image(), "the screenshot beside the log")
    window.ops.wait_idle()
    _wait(qt_app, lambda: not feature.controller._states_timer.isActive(), "cache states")
    _wait(qt_app, lambda: not feature._redraw.isActive(), "the lists")
    window.ops.wait_idle()
    _settle(qt_app)


def _settle(qt_app: object) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(10):  # let layouts and late repaints settle
        QApplication.processEvents()
        time.sleep(0.05)


def _save(image: object, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):  # type: ignore[attr-defined]
        raise SystemExit(f"could not write {out}")
    print(f"wrote {out} ({image.width()}x{image.height()})")  # type: ignore[attr-defined]


def main() -> int:
    global WIDTH, HEIGHT
    args = sys.argv[1:]
    if not 1 <= len(args) <= 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    scene = "csv"
    for arg in args[1:]:
        if "x" in arg and arg.replace("x", "").isdigit():
            WIDTH, HEIGHT = (int(v) for v in arg.split("x"))
        elif arg in SCENES:
            scene = arg
        else:
            print(f"unknown size or scene: {arg} (scenes: {', '.join(SCENES)})", file=sys.stderr)
            return 2
    code = _maybe_reexec_under_xvfb()
    if code is not None:
        return code
    take(Path(args[0]).resolve(), scene)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
