"""XML: indented and highlighted; malformed shows where; entities refused; big goes to text."""

from __future__ import annotations

import pytest

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.xml import previewer as xml_mod
from artifact_viewer.previews.xml.format import (
    MAX_INDENT_LEVELS,
    check,
    decode,
    pretty,
    pretty_lines,
    shown_lines,
)
from artifact_viewer.previews.xml.previewer import XmlPreviewer
from tests.previews import samples


def load(qtbot, path, mime=None):
    previewer = XmlPreviewer()
    qtbot.addWidget(previewer)
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(path, mime))
    return previewer


def shown(previewer: XmlPreviewer) -> str:
    return "".join(previewer.dump_chunks())


def test_pretty_indents_and_keeps_text_elements_on_one_line() -> None:
    text = '<?xml version="1.0"?><a x="1"><b>hi</b><c/><d><e>1</e></d><!-- note --></a>'
    assert pretty(text).splitlines() == [
        '<?xml version="1.0"?>',
        '<a x="1">',
        "  <b>hi</b>",
        "  <c/>",
        "  <d>",
        "    <e>1</e>",
        "  </d>",
        "  <!-- note -->",
        "</a>",
    ]


def test_pretty_keeps_namespaces_cdata_and_attribute_angles() -> None:
    text = '<ns:a xmlns:ns="u"><ns:b t="1 > 0"><![CDATA[<raw>]]></ns:b></ns:a>'
    out = pretty(text)
    assert '<ns:b t="1 > 0">' in out and "<![CDATA[<raw>]]>" in out and "ns0:" not in out


def test_pretty_is_idempotent(tmp_path) -> None:
    once = pretty(samples.write_xml(tmp_path / "p.xml", 3).read_text())
    assert once.count("\n") > 10 and pretty(once) == once


def test_check_reports_line_and_column() -> None:
    problem = check(b'<?xml version="1.0"?>\n<a>\n  <b>x</c>\n</a>')
    assert problem is not None and problem.line == 3 and "mismatched tag" in problem.message


def test_entity_declarations_are_refused_not_expanded(tmp_path) -> None:
    path = samples.write_entity_bomb_xml(tmp_path / "lol.xml")
    problem = check(path.read_bytes())
    assert problem is not None and "entities" in problem.message


def test_decode_honours_declared_encoding_and_bom() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><a>café</a>'.encode("latin-1")
    assert "café" in decode(data)
    assert decode("<a>ü</a>".encode("utf-16")) == "<a>ü</a>"


def test_good_xml_is_shown_indented(qtbot, tmp_path) -> None:
    previewer = load(qtbot, samples.write_xml(tmp_path / "p.xml", 2))
    text = shown(previewer)
    assert '\n  <employee id="0">\n    <name>Person 0</name>' in text
    assert previewer.banner.isHidden()


def test_malformed_xml_shows_position_and_raw_text(qtbot, tmp_path) -> None:
    path = samples.write_malformed_xml(tmp_path / "bad.xml")
    previewer = load(qtbot, path)
    assert not previewer.banner.isHidden()
    assert "line 4" in previewer.banner.text()
    assert shown(previewer) == path.read_text().rstrip("\n") + "\n"
    doc = previewer.document()
    assert previewer.view.current_offset() == doc.lines_from(doc.start, 4)[3][0]


def test_entity_bomb_is_shown_raw_without_expansion(qtbot, tmp_path) -> None:
    path = samples.write_entity_bomb_xml(tmp_path / "lol.xml")
    previewer = load(qtbot, path)
    assert "entities not expanded" in previewer.banner.text()
    assert "not well-formed" not in previewer.banner.text().lower()
    assert "lollollol" not in shown(previewer)
    assert "entities not expanded" in previewer.problem()


def test_empty_xml_says_empty(qtbot, tmp_path) -> None:
    path = tmp_path / "e.xml"
    path.write_bytes(b"")
    previewer = load(qtbot, path)
    assert "empty" in previewer.banner.text()


def test_json_labelled_as_xml_is_reported_not_crashed(qtbot, tmp_path) -> None:
    path = tmp_path / "x.xml"
    path.write_text('{"a": 1}')
    previewer = load(qtbot, path, "application/xml")
    assert "line 1" in previewer.banner.text()


def test_big_xml_is_shown_as_it_is(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(xml_mod, "MAX_PRETTY_BYTES", 1000)
    path = samples.write_xml(tmp_path / "big.xml", 100)
    previewer = load(qtbot, path)
    assert previewer.document().size == path.stat().st_size
    assert "shown as it is" in previewer.banner.text()


@pytest.mark.parametrize("content", ["<a>", "<a><!-- open comment </a>", "\x00\x01<a/>"])
def test_broken_fragments_never_crash(qtbot, tmp_path, content) -> None:
    path = tmp_path / "f.xml"
    path.write_text(content)
    previewer = load(qtbot, path)
    assert not previewer.banner.isHidden()


def test_giant_line_is_shown_with_the_problem(qtbot, tmp_path) -> None:
    path = tmp_path / "minified.xml"
    path.write_text("<a>" + "x" * 300_000)  # not closed, one huge line
    previewer = load(qtbot, path)
    assert previewer.document().size == 300_003
    assert "line 1" in previewer.banner.text()


def test_colouring_is_linear_on_huge_words() -> None:
    from artifact_viewer.previews.text.syntax import xml_spans

    word = "w" * 200_000
    assert xml_spans(word + ' <tag attr="v">') == []  # past the coloured head of the line
    assert xml_spans("&" + word) == []
    assert [role for _s, _l, role in xml_spans('<tag attr="v">')] == [
        "tag",
        "tag",
        "attr",
        "value",
    ]


def test_twenty_megabyte_xml_opens_in_the_text_view(qtbot, tmp_path) -> None:
    path = samples.write_big_xml(tmp_path / "big.xml", 20)
    previewer = load(qtbot, path, "application/xml")
    index = previewer.line_index()
    assert index is not None and index.line_count() is not None


def test_deep_nesting_is_indented_in_linear_time_and_size() -> None:
    depth = 100_000
    text = "<a>" * depth + "</a>" * depth  # 700 KB, one line
    out = pretty(text)
    assert out is not None
    lines = out.splitlines()
    assert len(lines) == 2 * depth - 1  # the innermost <a></a> on one line
    assert max(map(len, lines)) <= 2 * MAX_INDENT_LEVELS + 7
    assert pretty(text, limit=1000) is None  # stops at the limit


def test_deeply_nested_file_opens_with_search_and_line_numbers(qtbot, tmp_path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text("<a>" * 100_000 + "x" + "</a>" * 100_000)
    previewer = load(qtbot, path)
    assert previewer.line_index() is None  # indented: its lines are not the file's
    assert previewer.text.line_index().line_count() == 2 * 100_000 - 1
    previewer.find_edit.setText("x</a>")
    previewer.start_search()
    qtbot.waitUntil(lambda: previewer.search_result() is not None, timeout=20_000)
    assert previewer.search_result().total == 1


def test_find_inside_xml_uses_its_own_search_box(qtbot, tmp_path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    previewer = load(qtbot, samples.write_xml(tmp_path / "p.xml", 3))
    previewer.show()
    qtbot.waitExposed(previewer)
    previewer.activateWindow()
    previewer.view.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is previewer.view, timeout=5_000)
    key = QKeySequence("Ctrl+F")[0]
    qtbot.keyClick(previewer.view, key.key(), key.keyboardModifiers())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is previewer.find_edit, timeout=5_000)
    qtbot.keyClicks(previewer.find_edit, "Person 1")
    qtbot.keyClick(previewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: previewer.search_result() is not None, timeout=10_000)
    assert previewer.search_result().total >= 1


def test_each_indented_line_knows_the_file_line_it_starts_on() -> None:
    source = (
        '<?xml version="1.0"?>\n'
        '<root><a id="1"><name>Ann</name><pay>10</pay></a>\n'
        "<!-- two\nlines -->\n"
        "<b>\n  text on\n  two lines\n</b></root>\n"
    )
    made = pretty_lines(source)
    assert made is not None
    text, sources = made
    assert text == pretty(source)
    shown = text.splitlines()
    assert len(shown) == len(sources)
    by_line = {n: [shown[i - 1].strip() for i in shown_lines(sources, n)] for n in range(1, 10)}
    assert by_line[2] == ["<root>", '<a id="1">', "<name>Ann</name>", "<pay>10</pay>", "</a>"]
    assert by_line[3] == ["<!-- two"]
    assert by_line[4] == ["lines -->"]  # a token on several lines is as many lines
    assert by_line[5] == by_line[6] == ["<b>text on"]  # text-only element on one line
    assert by_line[7] == ["two lines</b>"]
    assert by_line[8] == ["</root>"]
