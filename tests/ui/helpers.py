"""Small drivers for window tests: wait for the demo to load, pick artifacts, read the status."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex

from artifact_viewer.core.models import Artifact
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN

WAIT_MS = 20_000


def wait_loaded(qtbot: Any, app: Any) -> None:
    """Until the tree shows workflows and the list shows artifacts."""
    window = app.window

    def ready() -> None:
        assert window.connection is not None
        assert window.navigator.model.tree.workflows
        assert window.artifact_list.model.total > 0
        assert not window.artifact_list.model.loading

    qtbot.waitUntil(ready, timeout=WAIT_MS)


def start_demo(qtbot: Any, app: Any) -> None:
    app.window.show()
    app.flow.start(demo=True)
    wait_loaded(qtbot, app)


def catalog_artifact(app: Any, mime: str) -> Artifact:
    """An artifact of this MIME type from the local catalog (test thread reads are fine)."""
    found = app.window.library.artifacts(ArtifactQuery(mime=mime, limit=1))
    assert found, f"the demo data has no {mime} artifact"
    return found[0]


def show_run(qtbot: Any, app: Any, run_id: str) -> None:
    window = app.window
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        assert window.navigator.select(RUN, run_id)
    qtbot.waitUntil(lambda: window.artifact_list.model.total > 0, timeout=WAIT_MS)


def open_artifact(qtbot: Any, app: Any, artifact: Artifact) -> None:
    """Select the artifact's run, then the artifact, and wait until its preview is shown."""
    window = app.window
    show_run(qtbot, app, artifact.workflow_run_id or "")
    qtbot.waitUntil(
        lambda: window.artifact_list.model.row_of(artifact.id) is not None, timeout=WAIT_MS
    )
    with qtbot.waitSignal(window.viewer.previewShown, timeout=WAIT_MS) as blocker:
        assert window.artifact_list.select_id(artifact.id)
    assert blocker.args == [artifact.id]


def press(qtbot: Any, keys: str) -> None:
    """Type a key sequence ("Ctrl+F", "F6") into the widget that has the focus."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    seq = QKeySequence(keys)[0]
    qtbot.keyClick(QApplication.focusWidget(), seq.key(), seq.keyboardModifiers())


def focus(qtbot: Any, widget: Any) -> None:
    """Give ``widget`` the keyboard focus and wait until it has it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=WAIT_MS)


def visible_runs(window: Any) -> set[str]:
    """Ids of the runs the navigator shows under the current filter (every section)."""
    proxy = window.navigator.proxy
    found: set[str] = set()

    def walk(parent: QModelIndex) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(KIND_ROLE) == RUN:
                found.add(index.data(ID_ROLE))
            walk(index)

    walk(QModelIndex())
    return found
