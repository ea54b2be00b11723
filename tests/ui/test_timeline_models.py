"""The timeline's two list models pass Qt's model checks (pytest-qt's qtmodeltester, with
Qt's own tester and with pytest-qt's Python one): filled, then refilled, emptied and while
thumbnails arrive (the tester stays connected and checks every change signal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage

from artifact_viewer.core.run_story import line_starts_of
from artifact_viewer.core.timeline import Screenshot, index_log
from artifact_viewer.ui.models.filmstrip_model import SHOT_ROLE, FilmstripModel
from artifact_viewer.ui.models.log_lines_model import LogLinesModel

LOG = (
    "2026-11-01T09:00:00Z INFO workflow run started\n"
    "2026-11-01T09:00:02Z WARNING slow page load (4.2s), retrying once\n"
    "  a continuation line without a time\n"
    "2026-11-01T09:00:05Z ERROR TimeoutError: waiting for selector #mfa\n"
    "\tat step enter_credentials\n"
    "2026-11-01T09:00:06Z INFO workflow run ended\n"
)
T0 = 1793523600.0  # 2026-11-01T09:00:00Z


def shots(n: int) -> list[Screenshot]:
    return [
        Screenshot(f"shot-{i}", f"state_{i}.png", T0 + 2 * i, "createdAt", T0 + 2 * i)
        for i in range(n)
    ]


TESTERS = pytest.mark.parametrize("python_tester", [False, True], ids=["qt", "python"])


@TESTERS
def test_filmstrip_model_passes_qt_model_checks(
    qtmodeltester: Any, qtbot: Any, python_tester: bool
) -> None:
    model = FilmstripModel()
    asked: list[str] = []
    model.thumbnailWanted.connect(asked.append)
    model.set_screenshots(shots(5))
    qtmodeltester.check(model, force_py=python_tester)
    assert model.rowCount() == 5 and model.rowCount(model.index(0)) == 0
    assert model.data(model.index(2), SHOT_ROLE).artifact_id == "shot-2"
    assert model.data(model.index(5)) is None and model.data(QModelIndex()) is None
    # Drawing asks for each thumbnail once; an arriving one replaces the placeholder.
    for row in range(5):
        model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    assert sorted(set(asked)) == [f"shot-{i}" for i in range(5)]
    image = QImage(16, 10, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkBlue)
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_thumbnail("shot-3", image)
    assert changed.args[0].row() == 3
    pixmap = model.data(model.index(3), Qt.ItemDataRole.DecorationRole)
    assert (pixmap.width(), pixmap.height()) == (16, 10)
    model.set_thumbnail("not-a-shot", image)  # a late thumbnail of another run: ignored
    model.set_screenshots(shots(2))  # refilled (a live run's new screenshots)
    assert model.rowCount() == 2
    model.set_screenshots([])
    assert model.rowCount() == 0


@TESTERS
def test_log_lines_model_passes_qt_model_checks(
    qtmodeltester: Any, tmp_path: Path, python_tester: bool
) -> None:
    model = LogLinesModel()
    path = tmp_path / "run.log"
    path.write_text(LOG, encoding="utf-8")
    index = index_log(path)
    starts = line_starts_of(path)
    model.set_log(path, starts, index)
    try:
        qtmodeltester.check(model, force_py=python_tester)
        assert model.rowCount() == 6 and model.rowCount(model.index(0)) == 0
        assert model.data(model.index(3)) == LOG.splitlines()[3]
        assert model.data(model.index(4)) == "    at step enter_credentials"  # tab shown as spaces
        assert model.data(model.index(3), Qt.ItemDataRole.ForegroundRole) is not None
        assert model.data(model.index(0), Qt.ItemDataRole.ForegroundRole) is None
        assert "from the line above" in model.data(model.index(2), Qt.ItemDataRole.ToolTipRole)
        assert model.data(model.index(99)) is None and model.data(QModelIndex()) is None
        model.set_log(path, starts[:3], index)  # refilled, then emptied
        assert model.rowCount() == 3
        model.set_log(None, starts[:0], None)
        assert model.rowCount() == 0
    finally:
        model.close()
