"""XML: indented and highlighted; malformed shows where; entities refused; big goes to text."""

from __future__ import annotations

import pytest

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.xml import previewer as xml_mod
from artifact_viewer.previews.xml.format import check, decode, pretty
from artifact_viewer.previews.xml.previewer import XmlPreviewer
from tests.previews import samples


def load(qtbot, path, mime=None):
    previewer = XmlPreviewer()
    qtbot.addWidget(previewer)
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(path, mime))
    return previewer


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
    text = previewer.editor.toPlainText()
    assert '\n  <employee id="0">\n    <name>Person 0</name>' in text
    assert previewer.banner.isHidden()


def test_malformed_xml_shows_position_and_raw_text(qtbot, tmp_path) -> None:
    path = samples.write_malformed_xml(tmp_path / "bad.xml")
    previewer = load(qtbot, path)
    assert not previewer.banner.isHidden()
    assert "line 4" in previewer.banner.text()
    assert previewer.editor.toPlainText() == path.read_text()
    assert previewer.editor.textCursor().blockNumber() == 3


def test_entity_bomb_is_shown_raw_without_expansion(qtbot, tmp_path) -> None:
    path = samples.write_entity_bomb_xml(tmp_path / "lol.xml")
    previewer = load(qtbot, path)
    assert "not expanded" in previewer.banner.text()
    assert "lollollol" not in previewer.editor.toPlainText()


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


def test_big_xml_falls_back_to_the_text_view(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(xml_mod, "MAX_PRETTY_BYTES", 1000)
    previewer = load(qtbot, samples.write_xml(tmp_path / "big.xml", 100))
    assert previewer.fallback() is not None
    assert previewer.fallback().document().size > 1000


@pytest.mark.parametrize("content", ["<a>", "<a><!-- open comment </a>", "\x00\x01<a/>"])
def test_broken_fragments_never_crash(qtbot, tmp_path, content) -> None:
    path = tmp_path / "f.xml"
    path.write_text(content)
    previewer = load(qtbot, path)
    assert not previewer.banner.isHidden()


def test_giant_line_goes_to_the_text_view_with_the_problem_shown(qtbot, tmp_path) -> None:
    path = tmp_path / "minified.xml"
    path.write_text("<a>" + "x" * 300_000)  # not closed, one huge line
    previewer = load(qtbot, path)
    assert previewer.fallback() is not None
    assert "line 1" in previewer.banner.text()


def test_highlighter_is_linear_on_huge_words(qtbot) -> None:
    from PySide6.QtGui import QTextDocument

    from artifact_viewer.previews.xml.previewer import XmlHighlighter

    host = XmlPreviewer()
    qtbot.addWidget(host)
    doc = QTextDocument()
    highlighter = XmlHighlighter(doc, host)
    doc.setPlainText("w" * 200_000 + ' <tag attr="v">')
    highlighter.rehighlight()
    # The patterns themselves: a backtracking name pattern would take hours here.
    word = "w" * 200_000
    assert XmlHighlighter._ATTR.search(word) is None
    assert XmlHighlighter._ENTITY.search("&" + word) is None


def test_twenty_megabyte_xml_opens_in_the_text_view(qtbot, tmp_path) -> None:
    path = samples.write_big_xml(tmp_path / "big.xml", 20)
    previewer = load(qtbot, path, "application/xml")
    fallback = previewer.fallback()
    assert fallback is not None
    assert fallback.line_index().line_count() == path.read_bytes().count(b"\n")
