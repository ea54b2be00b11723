"""A lazily built view: nothing is built until it is asked for or shown, then exactly once."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QStackedWidget

from artifact_viewer.ui.lazy import LazyWidget


def test_lazy_view_is_built_once_when_first_shown_in_a_stack(qtbot: Any) -> None:
    built: list[QLabel] = []

    def build() -> QLabel:
        built.append(QLabel("the real view"))
        return built[-1]

    stack = QStackedWidget()
    qtbot.addWidget(stack)
    first = QLabel("preview")
    lazy = LazyWidget(build, masks_values=True)
    stack.addWidget(first)
    stack.addWidget(lazy)
    stack.show()
    qtbot.waitExposed(stack)
    assert built == [] and not lazy.built()  # a page not on show costs nothing
    assert lazy.masks_values is True
    stack.setCurrentWidget(lazy)
    assert len(built) == 1 and lazy.built()
    assert lazy.widget() is built[0] and built[0].parentWidget() is lazy
    stack.setCurrentWidget(first)
    stack.setCurrentWidget(lazy)
    assert len(built) == 1


def test_lazy_view_asked_for_before_it_is_shown_is_the_one_shown_later(qtbot: Any) -> None:
    lazy = LazyWidget(lambda: QLabel("compare"))
    qtbot.addWidget(lazy)
    widget = lazy.widget()
    lazy.show()
    assert lazy.widget() is widget and widget.text() == "compare"
