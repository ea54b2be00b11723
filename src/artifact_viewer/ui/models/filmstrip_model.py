"""The filmstrip: one row per screenshot of a timeline, thumbnails asked for when first drawn.

Thumbnails are made off the GUI thread (see ``RunPageController``); the model only asks
(``thumbnailWanted``) and shows what arrives (``set_thumbnail``), keeping at most
``MAX_THUMBNAILS`` in memory, so a run with thousands of screenshots costs only the ones
that were on screen.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

if TYPE_CHECKING:
    from artifact_viewer.core.timeline import Screenshot

SHOT_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB_SIZE = (160, 100)
MAX_THUMBNAILS = 600

Index = QModelIndex | QPersistentModelIndex


def clock_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone().strftime("%H:%M:%S")


class FilmstripModel(QAbstractListModel):
    """Screenshots in time order.

    Signals:
        thumbnailWanted(str): the artifact id of a screenshot drawn without its thumbnail.
    """

    thumbnailWanted = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._shots: list[Screenshot] = []
        self._rows: dict[str, int] = {}
        self._thumbs: OrderedDict[str, QPixmap] = OrderedDict()
        self._asked: set[str] = set()
        self._placeholder = QPixmap(*THUMB_SIZE)
        self._placeholder.fill(Qt.GlobalColor.lightGray)

    def set_screenshots(self, shots: list[Screenshot]) -> None:
        self.beginResetModel()
        self._shots = list(shots)
        self._rows = {s.artifact_id: i for i, s in enumerate(self._shots)}
        self._thumbs.clear()
        self._asked.clear()
        self.endResetModel()

    def screenshot(self, row: int) -> Screenshot | None:
        return self._shots[row] if 0 <= row < len(self._shots) else None

    def row_of(self, artifact_id: str) -> int:
        return self._rows.get(artifact_id, -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shots)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shots):
            return None
        shot = self._shots[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return clock_text(shot.time)
        if role == Qt.ItemDataRole.DecorationRole:
            thumb = self._thumbs.get(shot.artifact_id)
            if thumb is not None:
                self._thumbs.move_to_end(shot.artifact_id)
                return thumb
            if shot.artifact_id not in self._asked:
                self._asked.add(shot.artifact_id)
                self.thumbnailWanted.emit(shot.artifact_id)
            return self._placeholder
        if role == Qt.ItemDataRole.ToolTipRole:
            source = {"createdAt": "upload time", "filename": "file name", "exif": "EXIF"}
            return f"{shot.name}\n{clock_text(shot.time)} (from its {source[shot.source]})"
        if role == SHOT_ROLE:
            return shot
        return None

    def set_thumbnail(self, artifact_id: str, image: QImage | None) -> None:
        """Show a thumbnail made elsewhere (None: it could not be made; keep the placeholder)."""
        row = self._rows.get(artifact_id)
        if row is None or image is None or image.isNull():
            return
        self._thumbs[artifact_id] = QPixmap.fromImage(image)
        while len(self._thumbs) > MAX_THUMBNAILS:
            old, _pixmap = self._thumbs.popitem(last=False)
            self._asked.discard(old)  # asked again if it scrolls back into view
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def forget_request(self, artifact_id: str) -> None:
        """A thumbnail that failed may be asked for again later."""
        self._asked.discard(artifact_id)
