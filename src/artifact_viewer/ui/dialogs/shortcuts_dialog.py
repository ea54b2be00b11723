"""Keyboard shortcuts window: made from the window's actions, so it cannot go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action with a shortcut, menu by menu, in menu order."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{title} › {action.text().replace('&', '')}")
                continue
            keys = [
                seq.toString(QKeySequence.SequenceFormat.NativeText)
                for seq in action.shortcuts()
                if not seq.isEmpty()
            ]
            if action.isSeparator() or not keys or id(action) in seen:
                continue
            seen.add(id(action))
            rows.append((title, action.text().replace("&", ""), ", ".join(keys)))

    for top in bar.actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, top.text().replace("&", ""))
    return rows


# Keys that belong to panes rather than menus (lists, previews), shown after the menus.
PANE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Lists", "First / last item", "Home, End"),
    ("Lists", "Select several artifacts", "Shift+Up/Down, Ctrl+click"),
    ("Lists", "Open the artifact's context menu", "Menu, Shift+F10"),
    ("Preview", "Search inside the preview", "Ctrl+F (while the preview has the focus)"),
    ("Preview", "Next / previous hit", "F3, Shift+F3"),
    ("Preview", "Close the search", "Esc"),
    ("Logs", "Next / previous error", "F8, Shift+F8"),
    ("Panes", "Move between panes", "Tab, Shift+Tab, F6, Shift+F6"),
)


class ShortcutsDialog(QDialog):
    """A non-modal list of every shortcut, grouped by menu."""

    def __init__(self, bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        groups: dict[str, QTreeWidgetItem] = {}
        for group, name, keys in [*shortcut_rows(bar), *PANE_KEYS]:
            parent_item = groups.get(group)
            if parent_item is None:
                parent_item = QTreeWidgetItem(self.tree, [group, ""])
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
                parent_item.setFirstColumnSpanned(True)
                groups[group] = parent_item
            QTreeWidgetItem(parent_item, [name, keys])
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        hint = QLabel("Every window shortcut, from the menus; then the keys inside panes.", self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(560, 620)

    def rows(self) -> list[tuple[str, str]]:
        """(action, keys) of every listed shortcut, for tests and screen readers."""
        out: list[tuple[str, str]] = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group is None:
                continue
            for j in range(group.childCount()):
                item = group.child(j)
                if item is not None:
                    out.append((item.text(0), item.text(1)))
        return out
