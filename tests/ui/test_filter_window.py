"""The filter box in the window: every example it offers finds something; the navigator
reacts alike to every term; short MIME forms; the help popup."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu

from artifact_viewer.ui.models.filter_spec import HELP_ROWS, PLACEHOLDER, parse_filter
from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN
from tests.ui.helpers import WAIT_MS, start_demo


def _examples() -> list[str]:
    placeholder = re.findall(r'"[^"]+"|[\w-]+:[\w/.-]+|-\w+', PLACEHOLDER)
    return sorted({*placeholder, *(example for example, _ in HELP_ROWS)})


def _apply(qtbot: Any, window: Any, text: str) -> None:
    window.filter_box.setText(text)
    window.apply_filter()
    qtbot.waitUntil(lambda: not window.artifact_list.model.loading, timeout=WAIT_MS)
    window.ops.wait_idle()


def _visible_runs(window: Any) -> set[str]:
    proxy = window.navigator.proxy
    found: set[str] = set()

    def walk(parent: Any) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(KIND_ROLE) == RUN:
                found.add(index.data(ID_ROLE))
            walk(index)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return found


@pytest.fixture
def demo_window(qtbot: Any, make_ui_app: Any) -> Any:
    app = make_ui_app()
    start_demo(qtbot, app)
    return app.window


def test_every_example_in_the_placeholder_and_the_help_finds_artifacts(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    assert "mime:csv" in PLACEHOLDER
    failures = []
    for example in _examples():
        _apply(qtbot, window, example)
        if window.artifact_list.model.total == 0:
            failures.append(example)
    assert failures == [], f"examples that match nothing in the demo data: {failures}"


@pytest.mark.parametrize("term", ["mime:csv", "mime:pdf", "mime:image", "ext:png", "type:report"])
def test_short_mime_forms_and_artifact_terms_keep_only_runs_that_hold_a_match(
    qtbot: Any, demo_window: Any, term: str
) -> None:
    window = demo_window
    library = window.library
    _apply(qtbot, window, term)
    assert window.artifact_list.model.total > 0
    query = window.browser.filter_query(parse_filter(term))
    expected = library.run_ids_matching(query)
    qtbot.waitUntil(lambda: _visible_runs(window) == expected, timeout=WAIT_MS)
    every_run = {r.id for r in library.runs()}
    assert expected < every_run  # something was hidden


def test_a_plain_word_keeps_runs_holding_a_matching_name_like_any_other_term(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    _apply(qtbot, window, "payroll_register")
    expected = window.library.run_ids_matching(
        window.browser.filter_query(parse_filter("payroll_register"))
    )
    assert expected
    qtbot.waitUntil(lambda: _visible_runs(window) == expected, timeout=WAIT_MS)


def test_status_term_keeps_runs_of_that_status_even_without_artifacts(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    _apply(qtbot, window, "status:failed")
    failed = {r.id for r in window.library.runs() if r.status == "FAILED"}
    qtbot.waitUntil(lambda: _visible_runs(window) == failed, timeout=WAIT_MS)


def test_one_empty_state_message_when_nothing_matches(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    _apply(qtbot, window, "zzz-no-such-thing")
    hint = window.artifact_list.empty_hint
    assert "No artifacts match" in hint and "zzz-no-such-thing" in hint
    assert "yet" not in window.artifact_list.caption.text() or "match" in hint


def test_a_date_that_is_not_a_date_is_said_in_the_empty_list(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    _apply(qtbot, window, "after:yesterdayish")
    # The unreadable date is ignored (the list stays full) but named when nothing matches.
    assert parse_filter("after:yesterdayish").problems
    _apply(qtbot, window, "after:yesterdayish zzz-none")
    assert "not a date" in window.artifact_list.empty_hint


def test_help_popup_lists_the_syntax_and_a_click_uses_the_example(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    window.filter_help.trigger()
    menu = window.findChild(QMenu, "filterHelp")
    assert menu is not None
    examples = [a.data() for a in menu.actions() if a.data()]
    assert examples == [example for example, _ in HELP_ROWS]
    chosen = next(a for a in menu.actions() if a.data() == "mime:csv")
    chosen.trigger()
    assert window.filter_box.text() == "mime:csv"
    menu.close()
