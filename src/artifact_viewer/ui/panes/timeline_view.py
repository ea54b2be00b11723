"""The run page's timeline: a filmstrip of screenshots over the log, the chosen screenshot
beside it, kept in step both ways.

Clicking a log line shows the screenshot taken nearest before that line was written;
choosing a screenshot scrolls the log to the line being written when it was taken.
Left/Right step through the screenshots, F8/Shift+F8 through the log's errors. Images
arrive from elsewhere (``thumbnailWanted``/``imageWanted`` ask for them off the GUI thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.ui.models.filmstrip_model import THUMB_SIZE, FilmstripModel, clock_text
from artifact_viewer.ui.models.log_lines_model import LogLinesModel

if TYPE_CHECKING:
    # numpy comes with these; the page is built at start-up, its data arrives later.
    from artifact_viewer.core.run_story import TimelineData
    from artifact_viewer.core.timeline import Screenshot, Timeline


class ScaledImage(QLabel):
    """A label that shows its image scaled to fit, keeping the aspect ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 100)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_image(self, image: QImage | None, text: str = "") -> None:
        self._image = image
        if image is None or image.isNull():
            self.setPixmap(QPixmap())
            self.setText(text)
            return
        self.setText("")
        self._fit()

    def has_image(self) -> bool:
        return self._image is not None and not self._image.isNull()

    def _fit(self) -> None:
        if self._image is None:
            return
        pixmap = QPixmap.fromImage(self._image)
        self.setPixmap(
            pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class TimelineView(QWidget):
    """Filmstrip above, log and the chosen screenshot side by side below.

    Signals:
        thumbnailWanted(str): a screenshot's thumbnail is needed (artifact id).
        imageWanted(str): a screenshot is to be shown large (artifact id).
    """

    thumbnailWanted = Signal(str)
    imageWanted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self._syncing = False
        self.shots = FilmstripModel(self)
        self.lines = LogLinesModel(self)
        self.filmstrip = QListView(self)
        self.filmstrip.setObjectName("filmstrip")
        self.filmstrip.setModel(self.shots)
        self.filmstrip.setViewMode(QListView.ViewMode.IconMode)
        self.filmstrip.setFlow(QListView.Flow.LeftToRight)
        self.filmstrip.setWrapping(False)
        self.filmstrip.setUniformItemSizes(True)
        self.filmstrip.setLayoutMode(QListView.LayoutMode.Batched)
        self.filmstrip.setMovement(QListView.Movement.Static)
        self.filmstrip.setIconSize(QSize(*THUMB_SIZE))
        self.filmstrip.setGridSize(QSize(THUMB_SIZE[0] + 12, THUMB_SIZE[1] + 28))
        self.filmstrip.setFixedHeight(THUMB_SIZE[1] + 52)
        self.filmstrip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.log_view = QListView(self)
        self.log_view.setObjectName("timelineLog")
        self.log_view.setModel(self.lines)
        self.log_view.setUniformItemSizes(True)
        self.log_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.image = ScaledImage(self)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.log_view)
        split.addWidget(self.image)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.filmstrip)
        layout.addWidget(split, 1)
        self.shots.thumbnailWanted.connect(self.thumbnailWanted)
        self.filmstrip.selectionModel().currentChanged.connect(self._on_shot_changed)
        self.log_view.selectionModel().currentChanged.connect(self._on_line_changed)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (Qt.Key.Key_Right, self.next_screenshot),
            (Qt.Key.Key_Left, self.previous_screenshot),
            (Qt.Key.Key_F8, self.next_error),
            (QKeySequence("Shift+F8"), self.previous_error),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)
        self.clear()

    # -- content ---------------------------------------------------------------------------
    def clear(self, text: str = "The timeline appears here once the run's log is read.") -> None:
        self.timeline = None
        self.shots.set_screenshots([])
        self.lines.set_log(None, self.lines._starts[:0], None)
        self.image.set_image(None, "")
        self.caption.setText(text)

    def set_data(self, data: TimelineData) -> None:
        timeline = data.timeline
        self.timeline = timeline
        self.shots.set_screenshots(timeline.screenshots)
        self.lines.set_log(data.log_path, data.line_starts, timeline.log)
        self.image.set_image(None, "Choose a screenshot or a log line.")
        self.caption.setText(self._describe(data))

    def _describe(self, data: TimelineData) -> str:
        timeline = data.timeline
        parts = [_count(len(timeline.screenshots), "screenshot")]
        log = timeline.log
        if log is not None:
            lines, errors = _count(log.line_count, "line"), _count(len(log.errors), "error")
            parts.append(f"{data.log_name}: {lines}, {errors}")
            if log.shift_reason == "zone":
                parts.append(f"log times read as local time ({log.shift / 3600:+g} h)")
            elif log.shift_reason == "clock":
                parts.append(f"log clock corrected by {log.shift:+.1f} s to the run's start")
        elif not data.problems:
            parts.append("no log")
        return " · ".join(parts + data.problems)

    def set_thumbnail(self, artifact_id: str, image: QImage | None) -> None:
        self.shots.set_thumbnail(artifact_id, image)

    def set_image(self, artifact_id: str, image: QImage | None, problem: str = "") -> None:
        shot = self.current_screenshot()
        if shot is not None and shot.artifact_id == artifact_id:
            self.image.set_image(image, problem or "This screenshot could not be shown.")

    # -- what is chosen --------------------------------------------------------------------
    def current_screenshot_row(self) -> int:
        return self.filmstrip.currentIndex().row()

    def current_screenshot(self) -> Screenshot | None:
        return self.shots.screenshot(self.current_screenshot_row())

    def current_line(self) -> int:
        return self.log_view.currentIndex().row()

    def select_screenshot(self, row: int) -> None:
        if 0 <= row < self.shots.rowCount():
            index = self.shots.index(row)
            self.filmstrip.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.filmstrip.scrollTo(index)

    def select_line(self, line: int) -> None:
        if 0 <= line < self.lines.rowCount():
            index = self.lines.index(line)
            self.log_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.log_view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    @Slot()
    def next_screenshot(self) -> None:
        self.select_screenshot(min(self.shots.rowCount() - 1, self.current_screenshot_row() + 1))

    @Slot()
    def previous_screenshot(self) -> None:
        row = self.current_screenshot_row()
        self.select_screenshot(max(0, row - 1) if row >= 0 else 0)

    @Slot()
    def next_error(self) -> None:
        log = self.timeline.log if self.timeline is not None else None
        if log is not None:
            found = log.next_error(self.current_line())
            if found is not None:
                self.select_line(found)

    @Slot()
    def previous_error(self) -> None:
        log = self.timeline.log if self.timeline is not None else None
        if log is not None:
            found = log.previous_error(max(0, self.current_line()))
            if found is not None:
                self.select_line(found)

    # -- sync ------------------------------------------------------------------------------
    @Slot(QModelIndex, QModelIndex)
    def _on_shot_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        shot = self.shots.screenshot(current.row())
        if shot is None or self.timeline is None:
            return
        self.image.set_image(None, f"Loading {shot.name}…")
        self.imageWanted.emit(shot.artifact_id)
        if self._syncing:
            return
        line = self.timeline.line_for_screenshot(shot)
        self._syncing = True
        try:
            if line is not None:
                self.select_line(line)
            self.caption.setToolTip(f"{shot.name} at {clock_text(shot.time)}")
        finally:
            self._syncing = False

    @Slot(QModelIndex, QModelIndex)
    def _on_line_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or self.timeline is None or not current.isValid():
            return
        shot = self.timeline.screenshot_for_line(current.row())
        self._syncing = True
        try:
            if shot is not None:
                self.select_screenshot(self.shots.row_of(shot.artifact_id))
            else:
                self.filmstrip.selectionModel().clearCurrentIndex()
                self.image.set_image(None, "No screenshot had been taken yet at this line.")
        finally:
            self._syncing = False


def _count(n: int, noun: str) -> str:
    """``1 screenshot``, ``2 screenshots``, ``1,204 lines``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
