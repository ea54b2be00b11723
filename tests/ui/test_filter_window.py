"""The filter box in the window: every example it offers finds something; the navigator
reacts alike to every term; short MIME forms; text: terms answered by the content index;
the help popup."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu

from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.models.filter_spec import HELP_ROWS, PLACEHOLDER, parse_filter
from tests.ui.helpers import WAIT_MS, start_demo, visible_runs


def _examples() -> list[str]:
    placeholder = re.findall(r'"[^"]+"|[\w-]+:[\w/.-]+|-\w+', PLACEHOLDER)
    return sorted({*placeholder, *(example for example, _ in HELP_ROWS)})


def _apply(qtbot: Any, window: Any, text: str) -> None:
    window.filter_box.setText(text)
    window.apply_filter()
    qtbot.waitUntil(lambda: not window.artifact_list.model.loading, timeout=WAIT_MS)
    window.ops.wait_idle()


@pytest.fixture
def demo_window(qtbot: Any, make_ui_app: Any) -> Any:
    app = make_ui_app()
    start_demo(qtbot, app)
    return app.window


@pytest.fixture
def indexed_window(qtbot: Any, demo_window: Any) -> Any:
    """The demo window with the runs holding CSV files cached and their content indexed."""
    window = demo_window
    library = window.library
    runs = {a.workflow_run_id for a in library.artifacts(ArtifactQuery(mime="text/csv"))}
    for run_id in sorted(r for r in runs if r)[:2]:
        assert library.sync(run_id=run_id).ok
    feature = window.browser.content_matcher.__self__  # content search installs it
    qtbot.waitUntil(lambda: feature.searcher is not None, timeout=WAIT_MS)
    assert feature.searcher.indexer.wait_idle(120)
    qtbot.waitUntil(lambda: feature.searcher.indexer.pending() == 0, timeout=WAIT_MS)
    return window


def _listed_ids(window: Any) -> set[str]:
    model = window.artifact_list.model
    artifacts = (model.artifact_at(row) for row in range(model.rowCount()))
    return {a.id for a in artifacts if a is not None}


def test_every_example_in_the_placeholder_and_the_help_finds_artifacts(
    qtbot: Any, indexed_window: Any
) -> None:
    window = indexed_window
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
    qtbot.waitUntil(lambda: visible_runs(window) == expected, timeout=WAIT_MS)
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
    qtbot.waitUntil(lambda: visible_runs(window) == expected, timeout=WAIT_MS)


def test_status_term_keeps_runs_of_that_status_even_without_artifacts(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    _apply(qtbot, window, "status:failed")
    failed = {r.id for r in window.library.runs() if r.status == "FAILED"}
    qtbot.waitUntil(lambda: visible_runs(window) == failed, timeout=WAIT_MS)


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


def test_text_term_lists_artifacts_whose_content_holds_it_with_the_other_terms(
    qtbot: Any, indexed_window: Any
) -> None:
    window = indexed_window
    library = window.library
    _apply(qtbot, window, "text:E00004")
    listed = _listed_ids(window)
    assert listed and window.artifact_list.model.total == len(listed)
    for artifact_id in listed:  # each one's cached file holds the word
        path = library.cached_path(artifact_id)
        assert path is not None and "e00004" in path.read_text(errors="replace").lower()
    holding = {library.artifact(a).workflow_run_id for a in listed}
    qtbot.waitUntil(lambda: visible_runs(window) == holding, timeout=WAIT_MS)
    assert holding < {r.id for r in library.runs()}  # runs without such files are hidden

    _apply(qtbot, window, "text:E00004 mime:csv")  # combined with the other terms
    assert _listed_ids(window) == {a for a in listed if library.artifact(a).mime_type == "text/csv"}
    _apply(qtbot, window, "text:E00004 mime:pdf")
    assert window.artifact_list.model.total == 0
    _apply(qtbot, window, "text:E0")  # too short for the index: said, matches nothing
    assert window.artifact_list.model.total == 0
    assert "3 characters" in window.artifact_list.empty_hint
