"""Content search in the window: Ctrl+Shift+F, results grouped by run as the query is typed,
Enter on a hit opens the artifact there (table cell, JSON node, log or XML line, PDF page with
the match highlighted, the OCR word box outlined on a screenshot)."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from PySide6.QtGui import QColor, QKeySequence, QPalette

from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.features.search import SearchFeature

from .helpers import WAIT_MS, start_demo


def _run_with(library, *mimes):
    for run in library.runs():
        arts = library.artifacts(ArtifactQuery(run_id=run.id))
        kinds = {a.mime_type: a for a in arts}
        if all(m in kinds for m in mimes):
            return run.id, kinds
    raise AssertionError(f"no run has {mimes}")


@pytest.fixture
def searching(qtbot, make_ui_app):
    """The window on the demo data with one run (CSV, JSON, log) cached and indexed."""
    feature = SearchFeature()
    app = make_ui_app(extensions=[feature])
    start_demo(qtbot, app)
    library = app.window.library
    run_id, arts = _run_with(library, "text/csv", "application/json")
    assert library.sync(run_id=run_id).ok
    qtbot.waitUntil(lambda: feature.searcher is not None, timeout=WAIT_MS)
    assert feature.searcher.indexer.wait_idle(60)
    qtbot.waitUntil(lambda: feature.searcher.indexer.pending() == 0, timeout=WAIT_MS)
    return app, feature, arts


def _type(qtbot, feature, text):
    """Type a query and wait for its results (not the previous query's)."""
    needle = text.strip('"').lower()
    feature.pane.box.setText(text)

    def shown() -> bool:  # (a file holding the words in different rows shows the first)
        hits = [h for h in feature.pane.hits() if not h.across_rows]
        return bool(hits) and all(needle in h.snippet.lower() for h in hits)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return feature.pane.hits()


def test_ctrl_shift_f_shows_the_pane_and_focuses_the_box(qtbot, searching):
    app, feature, _arts = searching
    assert feature.action.shortcut() == QKeySequence("Ctrl+Shift+F")
    assert feature.action in feature.slots.menu("Edit").actions()
    feature.action.trigger()
    qtbot.waitUntil(lambda: feature.dock.isVisible(), timeout=WAIT_MS)
    assert feature.pane.box.hasFocus() or app.window.focusWidget() is feature.pane.box


def test_results_follow_the_query_grouped_by_run_with_the_match_marked(qtbot, searching):
    app, feature, arts = searching
    path = app.window.library.cached_path(arts["text/csv"].id)
    department = next(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))["department"]
    hits = _type(qtbot, feature, department)
    model = feature.pane.model
    assert model.rowCount() == len({h.run_id for h in hits})
    assert all("«" in h.marked() for h in hits)
    feature.pane.box.setText("E0")  # too short: said, not searched
    qtbot.waitUntil(lambda: "3 characters" in feature.pane.status.text(), timeout=WAIT_MS)


def _open(qtbot, app, feature, hit):
    with qtbot.waitSignal(app.window.viewer.previewShown, timeout=WAIT_MS):
        feature.open_hit(hit)
    qtbot.waitUntil(lambda: feature._pending_reveal is None, timeout=WAIT_MS)
    return app.window.preview.previewer()


def test_enter_on_a_table_hit_selects_its_row_and_column(qtbot, searching):
    app, feature, arts = searching
    library = app.window.library
    path = library.cached_path(arts["text/csv"].id)
    data = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, body = data[0], data[1:]
    needle = body[41][0]
    hits = [h for h in _type(qtbot, feature, needle) if h.artifact_id == arts["text/csv"].id]
    assert hits and hits[0].location == {"row": 42, "column": header[0]}
    previewer = _open(qtbot, app, feature, hits[0])
    index = previewer.view.currentIndex()
    assert (index.row(), index.column()) == (41, 0)
    assert previewer.model.text(index.row(), index.column()) == needle


def test_enter_on_a_json_hit_selects_its_node(qtbot, searching):
    app, feature, arts = searching
    library = app.window.library
    doc = json.loads(library.cached_path(arts["application/json"].id).read_bytes())
    name = doc["employees"][3]["name"]
    hits = [h for h in _type(qtbot, feature, name) if h.artifact_id == arts["application/json"].id]
    assert hits[0].location == {"path": "$.employees[3].name"}
    previewer = _open(qtbot, app, feature, hits[0])
    current = previewer.tree.currentIndex()
    assert current.isValid()
    assert previewer.tree.model().path_of(current) == ("employees", 3, "name")


def test_enter_on_a_log_hit_centres_its_line(qtbot, searching):
    app, feature, arts = searching
    library = app.window.library
    text = library.cached_path(arts["text/plain"].id).read_text(encoding="utf-8")
    number, line = next(
        (n, text_line)
        for n, text_line in enumerate(text.splitlines(), 1)
        if "entering state" in text_line and n > 5
    )
    word = line.split("entering state ", 1)[1]
    hits = [
        h
        for h in _type(qtbot, feature, f'"entering state {word}"')
        if h.artifact_id == arts["text/plain"].id
    ]
    assert hits[0].location == {"line": number}
    previewer = _open(qtbot, app, feature, hits[0])
    index = previewer.line_index()
    assert index.line_number(previewer.view.current_offset()) == number


def test_enter_on_a_pdf_hit_shows_its_page(qtbot, searching):
    import pypdfium2 as pdfium

    app, feature, _arts = searching
    library = app.window.library
    run_id, arts = _run_with(library, "application/pdf")
    assert library.sync(run_id=run_id).ok
    pdf = arts["application/pdf"]
    assert feature.searcher.indexer.wait_idle(60)
    qtbot.waitUntil(lambda: feature.searcher.indexer.pending() == 0, timeout=WAIT_MS)
    doc = pdfium.PdfDocument(str(library.cached_path(pdf.id)))
    pages = [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]
    doc.close()
    page = 2 if len(pages) > 2 else len(pages)  # one the view can scroll to the top of
    word = next(w for w in pages[page - 1].split() if len(w) >= 6 and w.isalpha())
    hits = [h for h in _type(qtbot, feature, word) if h.artifact_id == pdf.id]
    on_page = [h for h in hits if h.location == {"page": page}]
    assert on_page, hits
    try:
        previewer = _open(qtbot, app, feature, on_page[0])
        qtbot.waitUntil(lambda: previewer.current_page == page - 1, timeout=WAIT_MS)
        # the match is highlighted: searched in the view (once the helper process has
        # found it), its hit on that page the current one
        qtbot.waitUntil(lambda: previewer.search_model.searchString() == word, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: previewer.hit_list.currentRow() >= 0, timeout=WAIT_MS)
        current = previewer.hits[previewer.hit_list.currentRow()]
        assert current.page == page - 1 and current.match.lower() == word.lower()
        # marked once the view's own search model has reached that page
        qtbot.waitUntil(
            lambda: previewer.view.currentSearchResultIndex() == previewer.hit_list.currentRow(),
            timeout=WAIT_MS,
        )
        # that page is on screen (at the top unless the view cannot scroll that far)
        view = previewer.view
        top = previewer.page_layout.tops()[page - 1]
        shown_from = view.verticalScrollBar().value()
        assert shown_from <= top < shown_from + view.viewport().height()
        assert previewer.current_page == page - 1 or shown_from == (
            view.verticalScrollBar().maximum()
        )
    finally:
        from artifact_viewer.previews.pdf.probe import prober

        prober().stop()  # the PDF view's helper process (and its reader thread) ends here


def _sync_run_with(qtbot, feature, library, mime):
    run_id, arts = _run_with(library, mime)
    assert library.sync(run_id=run_id).ok
    assert feature.searcher.indexer.wait_idle(120)
    qtbot.waitUntil(lambda: feature.searcher.indexer.pending() == 0, timeout=WAIT_MS)
    return arts[mime]


def test_enter_on_an_xml_hit_shows_its_line_in_the_indented_view(qtbot, searching):
    app, feature, _arts = searching
    library = app.window.library
    xml = _sync_run_with(qtbot, feature, library, "application/xml")
    lines = library.cached_path(xml.id).read_text(encoding="utf-8").splitlines()
    # an account late in the file: its one file line is several lines once indented
    number, line = next((n, t) for n, t in reversed(list(enumerate(lines, 1))) if "<Name>" in t)
    name = line.split("<Name>", 1)[1].split("</Name>", 1)[0]
    hits = [h for h in _type(qtbot, feature, f'"{name}<"') if h.artifact_id == xml.id]
    assert hits and hits[0].location == {"line": number}
    previewer = _open(qtbot, app, feature, hits[0])
    assert previewer.result().indented and previewer.line_index() is None
    shown, _next = previewer.document().line_at(previewer.view.current_offset())
    assert shown.strip() == f"<Name>{name}</Name>"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_enter_on_a_screenshot_hit_outlines_its_word_box(qtbot, searching):
    app, feature, _arts = searching
    library = app.window.library
    png = _sync_run_with(qtbot, feature, library, "image/png")
    hits = [h for h in _type(qtbot, feature, "Benefits") if h.artifact_id == png.id]
    assert hits, "the screenshot's OCR text has no 'Benefits'"
    x, y, w, h = hits[0].location["box"]
    previewer = _open(qtbot, app, feature, hits[0])
    qtbot.waitUntil(lambda: bool(previewer.canvas.marks()), timeout=WAIT_MS)
    (mark,) = previewer.canvas.marks()
    assert (mark.x(), mark.y(), mark.width(), mark.height()) == (x, y, w, h)
    # the outline is painted in the highlight colour just outside the word's box
    canvas = previewer.canvas
    frame = canvas.viewport().grab().toImage()
    box = canvas.mark_rect_in_view(mark)
    assert canvas.viewport().rect().contains(box.center().toPoint())  # scrolled into view
    edge = frame.pixelColor(
        round(box.center().x() * frame.devicePixelRatio()),
        round((box.top() - 3) * frame.devicePixelRatio()),
    )
    assert edge == QColor(canvas.palette().color(QPalette.ColorRole.Highlight))


def test_a_first_screenful_is_listed_then_the_rest_is_added_below_it(qtbot, searching, monkeypatch):
    from artifact_viewer.core.search import parse_query
    from artifact_viewer.core.search.finder import search
    from artifact_viewer.ui.features import search as feature_module

    app, feature, arts = searching
    monkeypatch.setattr(feature_module, "FIRST_LIMIT", 5)
    shown: list[tuple[str, int]] = []
    for name in ("show_result", "extend_result"):
        real = getattr(feature.pane, name)

        def spy(result, pending, real=real, name=name):
            shown.append((name, len(result.hits)))
            real(result, pending)

        monkeypatch.setattr(feature.pane, name, spy)
    path = app.window.library.cached_path(arts["text/csv"].id)
    department = next(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))["department"]
    expected = search(feature.searcher.index, parse_query(department), limit=feature_module.LIMIT)
    assert len(expected.hits) > 5
    feature.pane.box.setText(department)
    qtbot.waitUntil(lambda: feature.pane.hits() == expected.hits, timeout=WAIT_MS)
    assert shown == [("show_result", 5), ("extend_result", len(expected.hits))]
    assert feature.pane.model.rowCount() == len({h.run_id for h in expected.hits})
