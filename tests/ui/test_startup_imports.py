"""Start-up: the window paints before the HTTP stack, the keyring or any previewer is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the real entry point (gui_main, no --demo) with a saved key in the environment, records
# sys.modules when the main window first paints, then waits for the connection to be shown.
SCRIPT = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import artifact_viewer.app as entry

real_build = entry.build_app
seen = {}

def loaded():
    return sorted(name for name, mod in list(sys.modules.items()) if mod is not None)

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in seen:
            seen["painted"] = loaded()
        return False

def build_app(*args, **kwargs):
    app = real_build(*args, **kwargs)
    seen["filter"] = FirstPaint(app.window)
    app.window.installEventFilter(seen["filter"])

    def poll():
        if app.window.connection is not None and "painted" in seen:
            seen["connected"] = loaded()
            QApplication.quit()

    seen["timer"] = QTimer(app.window)
    seen["timer"].timeout.connect(poll)
    seen["timer"].start(20)
    QTimer.singleShot(60_000, QApplication.quit)
    return app

entry.build_app = build_app
entry.gui_main()
print("MODULES " + json.dumps({"painted": seen.get("painted"), "connected": seen.get("connected")}))
"""

PREVIEWER_PACKAGES = ("json", "table", "text", "pdf", "image", "xml", "hex")


def _heavy(modules: list[str]) -> list[str]:
    """Modules that must wait until after the first paint."""
    previewers = tuple(f"artifact_viewer.previews.{kind}" for kind in PREVIEWER_PACKAGES)
    return [
        name
        for name in modules
        if name.split(".")[0] in ("httpx", "httpcore", "keyring", "PIL")
        or name == "PySide6.QtPdf"
        or name == "artifact_viewer.core.library"
        or name.startswith(previewers)
    ]


def test_first_paint_comes_before_http_keyring_and_previewer_imports(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ARTIFACT_VIEWER_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "ANON_API_KEY": "anon_startup_test_key",
        "ANON_BASE_URL": "http://127.0.0.1:9",  # nothing listens: refreshing fails, quietly
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((row for row in proc.stdout.splitlines() if row.startswith("MODULES ")), None)
    assert line is not None, proc.stderr[-2000:]
    seen = json.loads(line.removeprefix("MODULES "))
    assert seen["painted"] is not None, "the window never painted"
    assert _heavy(seen["painted"]) == []
    # The same check does see them once the saved key's connection is shown.
    assert seen["connected"] is not None, "the connection was never shown"
    assert "httpx" in seen["connected"]
    assert "artifact_viewer.core.library" in seen["connected"]


# The real entry point with a saved key on a home whose catalog holds runs from an earlier
# session: sys.modules and the navigator's workflows at the first tree the window lists.
LISTED_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import artifact_viewer.app as entry

real_build = entry.build_app
seen = {}

def build_app(*args, **kwargs):
    app = real_build(*args, **kwargs)
    window = app.window

    def tree_loaded():
        tree = window.navigator.model.tree
        if "listed" in seen or not tree.workflows:
            return
        seen["listed"] = sorted(name for name, mod in list(sys.modules.items()) if mod is not None)
        seen["workflows"] = sorted(wf.id for wf in tree.workflows)
        seen["runs"] = sorted(run.id for runs in tree.runs.values() for run in runs)
        seen["connected"] = window.connection is not None
        QTimer.singleShot(0, QApplication.quit)

    window.browser.treeLoaded.connect(tree_loaded)
    QTimer.singleShot(60_000, QApplication.quit)
    return app

entry.build_app = build_app
entry.gui_main()
print("LISTED " + json.dumps(seen))
"""


# Built by the window after its first listing (MainWindow.complete_build): the preview host,
# the selected artifact's controller, the details and the features with their engines.
LATER_THAN_LISTING = (
    "artifact_viewer.previews",
    "artifact_viewer.ui.controllers.artifact_controller",
    "artifact_viewer.ui.panes.details_panel",
    "artifact_viewer.ui.panes.preview_pane",
    "artifact_viewer.ui.features",
    "artifact_viewer.ui.compare",
    "artifact_viewer.ui.search",
    "artifact_viewer.ui.panes.run_page",
    "artifact_viewer.core.save_many",
    "artifact_viewer.core.masking",
)


def _listing_blockers(modules: list[str]) -> list[str]:
    """What the first listing of the cached catalog must not wait for."""
    return [
        name
        for name in modules
        if name.split(".")[0] in ("httpx", "httpcore", "keyring", "pyarrow", "pandas", "PIL")
        or name in ("PySide6.QtPdf", "artifact_viewer.core.library", "artifact_viewer.core.compare")
        or any(name == later or name.startswith(later + ".") for later in LATER_THAN_LISTING)
    ]


def _write_catalog(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    from artifact_viewer.core.catalog import Catalog
    from artifact_viewer.core.models import Workflow, WorkflowRun
    from artifact_viewer.core.paths import app_paths

    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(home))
    paths = app_paths().ensure()
    workflows = [
        Workflow.from_json(
            {"id": f"wf-{i}", "name": f"Payroll {i}", "createdAt": "2026-11-01T08:00:00Z"}
        )
        for i in range(3)
    ]
    runs = [
        WorkflowRun.from_json(
            {
                "id": f"run-{i:03d}",
                "workflowId": f"wf-{i % 3}",
                "status": "COMPLETED",
                "createdAt": f"2026-11-{1 + i % 28:02d}T09:00:00Z",
            }
        )
        for i in range(30)
    ]
    catalog = Catalog(paths.catalog_path)
    try:
        catalog.upsert_workflows(workflows)
        catalog.upsert_runs(runs)
    finally:
        catalog.close()
    return sorted(w.id for w in workflows), sorted(r.id for r in runs)


def test_cached_catalog_is_listed_before_http_keyring_compare_and_previewers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow_ids, run_ids = _write_catalog(tmp_path, monkeypatch)
    env = {
        **os.environ,
        "ARTIFACT_VIEWER_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "ANON_API_KEY": "anon_startup_test_key",
        "ANON_BASE_URL": "http://127.0.0.1:9",  # nothing listens: refreshing fails, quietly
    }
    proc = subprocess.run(
        [sys.executable, "-c", LISTED_SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    line = next((row for row in proc.stdout.splitlines() if row.startswith("LISTED ")), None)
    assert line is not None, proc.stderr[-2000:]
    seen = json.loads(line.removeprefix("LISTED "))
    assert seen.get("listed") is not None, "the cached catalog was never listed"
    # What was listed is the catalog written above, before the saved key's connection opened.
    assert seen["workflows"] == workflow_ids
    assert seen["runs"] == run_ids
    assert seen["connected"] is False
    assert _listing_blockers(seen["listed"]) == []
