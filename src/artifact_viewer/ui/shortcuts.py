"""Window shortcuts step aside while the focus is inside a pane that binds the same keys.

A previewer binds Ctrl+F to its own search; the window binds Ctrl+F to the list filter. Qt
treats two live bindings of one key as ambiguous and runs neither, so while the focus is in
the preview the window's action drops the keys the preview uses, and gets them back after.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QApplication, QWidget


def bound_keys(pane: QWidget) -> set[str]:
    """Every key sequence bound by actions and shortcuts inside ``pane`` (portable text)."""
    keys: set[str] = set()
    widgets = [pane, *pane.findChildren(QWidget)]
    for widget in widgets:
        for action in widget.actions():
            keys.update(seq.toString() for seq in action.shortcuts() if not seq.isEmpty())
    for action in pane.findChildren(QAction):
        keys.update(seq.toString() for seq in action.shortcuts() if not seq.isEmpty())
    for shortcut in pane.findChildren(QShortcut):
        if shortcut.isEnabled():
            sequences = shortcut.keys()  # noqa: SIM118 - a QShortcut, not a dict
            keys.update(seq.toString() for seq in sequences if not seq.isEmpty())
    return keys


class ShortcutYield(QObject):
    """Watches the focus; ``actions`` give up keys that ``pane`` binds while it has the focus."""

    def __init__(self, pane: QWidget, actions: list[QAction], parent: QObject | None = None):
        super().__init__(parent)
        self.pane = pane
        self._own = {action: list(action.shortcuts()) for action in actions}
        self._yielding = False
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    @property
    def yielding(self) -> bool:
        return self._yielding

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        inside = new is not None and (new is self.pane or self.pane.isAncestorOf(new))
        if inside:
            self._yield(bound_keys(self.pane))
        elif self._yielding:
            self.restore()

    def remember(self, actions: list[QAction]) -> None:
        """These actions' keys changed on purpose: take their current keys as their own."""
        for action in actions:
            self._own[action] = list(action.shortcuts())
        if self._yielding:
            self._yield(bound_keys(self.pane))

    def _yield(self, taken: set[str]) -> None:
        for action, sequences in self._own.items():
            action.setShortcuts([s for s in sequences if s.toString() not in taken])
        self._yielding = True

    def restore(self) -> None:
        """Give every action its own keys back."""
        for action, sequences in self._own.items():
            action.setShortcuts(list(sequences))
        self._yielding = False
