"""Start-up: the window paints before the HTTP stack, the keyring or any previewer is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
