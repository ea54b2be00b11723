"""A view or pane that builds its real widget on first use, so the window paints first.

Start-up builds the window with cheap placeholders; the widget a feature shows (and the
modules it needs, e.g. numpy and pyarrow for compare) is made when it is first asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class LazyWidget(QWidget, Generic[W]):
    """An empty container until :meth:`widget` is called or it is first shown; then it holds
    ``build()``'s widget.

    ``masks_values`` is the built widget's (given up front, since the redacted view asks
    before anything is built).
    """

    def __init__(
        self, build: Callable[[], W], *, masks_values: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.masks_values = masks_values
        self._build: Callable[[], W] | None = build
        self._widget: W | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def built(self) -> bool:
        return self._widget is not None

    def widget(self) -> W:
        """The real widget, built now if this is its first use."""
        if self._widget is None:
            assert self._build is not None
            build, self._build = self._build, None
            self._widget = build()
            self._layout.addWidget(self._widget)
        return self._widget

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        self.widget()  # whoever shows it gets the real thing
        super().showEvent(event)
