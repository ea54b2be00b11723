"""The query language: words, phrases, excludes, filters, and text that is FTS5 syntax."""

from __future__ import annotations

import pytest

from artifact_viewer.core.search import QueryError, parse_query
from artifact_viewer.core.search.query import fts_quote


def test_words_phrases_excludes_and_filters_are_told_apart():
    q = parse_query('E00042 "net pay" -draft -"old copy" type:extracted_data run:r1 status:failed')
    assert q.terms == ("E00042", "net pay")
    assert q.excludes == ("draft", "old copy")
    assert q.types == ("extracted_data",) and q.runs == ("r1",) and q.statuses == ("failed",)
    assert q.fts_expression() == '"E00042" AND "net pay" NOT "draft" NOT "old copy"'


def test_text_filter_term_is_a_content_word_and_a_bare_key_is_ignored_while_typing():
    q = parse_query("text:invoice type:")
    assert q.terms == ("invoice",) and q.types == ()


def test_dates_bound_the_search_and_a_bad_date_is_a_query_error():
    q = parse_query("abc since:2025-01-01 until:2025-01-31")
    assert q.since is not None and q.until is not None and q.until - q.since == 31 * 86400
    with pytest.raises(QueryError, match="not a date"):
        parse_query("abc since:yesterday")


def test_an_unbalanced_quote_runs_to_the_end():
    assert parse_query('abc "net pay').terms == ("abc", "net pay")


def test_short_words_alone_are_refused_with_a_reason_and_kept_beside_long_ones():
    with pytest.raises(QueryError, match="at least 3 characters"):
        parse_query("E4 ab").fts_expression()
    with pytest.raises(QueryError):
        parse_query("type:pdf").fts_expression()
    q = parse_query("invoice 42")
    assert q.fts_expression() == '"invoice"' and q.short_terms == ("42",)


@pytest.mark.parametrize(
    "text",
    [
        'a"b"c',
        "NEAR(abc def)",
        "abc*",
        "col:abc",
        "abc AND OR NOT",
        "^abc",
        "(abc",
        "{x y}: z",
        'say "hi"',
        "-",
        '"',
        "abc -",
        "abc\x00def",
        "🙂🙂🙂",
    ],
)
def test_fts_syntax_characters_are_plain_text(text):
    q = parse_query(text)
    if q.indexed_terms:
        import sqlite3

        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        conn.execute("INSERT INTO t VALUES (?)", (text,))
        found = conn.execute("SELECT * FROM t WHERE t MATCH ?", (q.fts_expression(),)).fetchall()
        if "\x00" not in text and not text.startswith("-"):
            assert found == [(text,)]


def test_quoting_doubles_quotes():
    assert fts_quote('a"b') == '"a""b"'
