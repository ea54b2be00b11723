"""Whether a previewer's view is about to be painted (its background work waits for that)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def paint_coming(previewer: QWidget, view: QWidget) -> bool:
    """Whether ``view`` (a child of ``previewer``) is on screen or about to be.

    The preview area keeps a previewer hidden until it says ``ready`` and then shows it
    inside its visible stack: a view hidden only that way paints right after ``ready``, so
    work that would compete with that first paint should still wait for it. A previewer
    without a visible parent (one used without a window) never paints.
    """
    if view.isVisible():
        return True
    parent = previewer.parentWidget()
    return parent is not None and parent.isVisible() and view.isVisibleTo(previewer)
