"""Start-up warm-up: the previewers are imported on the pool, then frozen out of the collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import gc, json, sys, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from artifact_viewer.app import start_gui_runtime

qt = QApplication([])
importers = {}


class Spy:
    # Sees every module being imported first (then lets the real finders find it).
    def find_spec(self, name, path=None, target=None):
        if name.startswith("artifact_viewer.previews.") and name.endswith(".previewer"):
            importers.setdefault(name, threading.current_thread() is threading.main_thread())
        return None


sys.meta_path.insert(0, Spy())

before = sorted(m for m in sys.modules if m.endswith(".previewer"))
runtime = start_gui_runtime(qt)
timer = QTimer()
timer.timeout.connect(lambda: runtime.idle() and qt.quit())
timer.start(10)
QTimer.singleShot(60_000, qt.quit)
qt.exec()
after = sorted(m for m in sys.modules if m.startswith("artifact_viewer.previews.") and m.endswith(".previewer"))
from artifact_viewer.previews.pdf import probe

print("RESULT " + json.dumps({
    "before": before, "after": after, "idle": runtime.idle(),
    "frozen": gc.get_freeze_count(), "on_main": importers,
    "pdf_helper": probe.prober().pid is not None,
}))
runtime.stop()
"""


def test_warm_up_imports_every_previewer_off_the_gui_thread_then_freezes(tmp_path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ARTIFACT_VIEWER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    line = next((r for r in proc.stdout.splitlines() if r.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-2000:]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["before"] == []
    assert result["idle"] is True
    kinds = {"json", "table", "text", "pdf", "image", "xml", "hex"}
    assert {name.split(".")[2] for name in result["after"]} == kinds
    assert result["on_main"] and not any(result["on_main"].values())
    assert result["frozen"] > 10_000  # the start-up's objects left the collector's reach
    assert result["pdf_helper"]  # the PDF view's helper process runs before the first PDF


FIRST_OPEN_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from artifact_viewer.app import start_gui_runtime

qt = QApplication([])
runtime = start_gui_runtime(qt)
timer = QTimer()
timer.timeout.connect(lambda: runtime.idle() and qt.quit())
timer.start(10)
QTimer.singleShot(60_000, qt.quit)
qt.exec()


def made():
    return {n: set(m.__dict__) for n, m in sys.modules.items() if n.startswith("PySide6.Qt")}


from artifact_viewer.previews import registry

before = made()
views = [registry.create(kind) for kind in ("table", "log")]
for view in views:
    view.view.viewport()  # a widget of a class Qt does not export
after = made()
new = {n: sorted(after[n] - before.get(n, set())) for n in after}
print("RESULT " + json.dumps({"idle": runtime.idle(), "new": {n: v for n, v in new.items() if v}}))
runtime.stop()
"""


def test_idle_warm_up_has_made_the_qt_types_a_first_table_or_log_open_needs(tmp_path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ARTIFACT_VIEWER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_OPEN_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((r for r in proc.stdout.splitlines() if r.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-2000:]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["idle"] is True
    # Without the idle steps, the viewport alone made ~48 widget types on the GUI thread.
    assert result["new"] == {}
