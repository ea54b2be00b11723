"""Colour spans for one line of markup or JSON, for the virtual text view (no Qt).

Every pattern is linear (possessive quantifiers, no nested repetition): a line can be
64 KiB of one "word". No state is carried between lines (a comment over several lines is
coloured on its first line only).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: (start, length, role); roles are the names qt.colors.syntax() knows
Span = tuple[int, int, str]
Highlighter = Callable[[str], list[Span]]

#: characters of a line that get colours; the rest of a giant line stays plain
MAX_HIGHLIGHT = 4000

_XML_RULES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"</?[\w:.-]++|/?>|<\?[\w:.-]++|\?>"), "tag", 0),
    (re.compile(r"(?<![\w:.-])([\w:.-]++)\s*+=\s*+(?=[\"'])"), "attr", 1),
    (re.compile(r"\"[^\"<>]*+\"|'[^'<>]*+'"), "value", 0),
    (re.compile(r"&[#\w]++;"), "entity", 0),
    (re.compile(r"<!--(?:[^-]++|-(?!->))*+(?:-->)?+"), "comment", 0),
    (re.compile(r"<!\[CDATA\[|\]\]>|<!DOCTYPE|<!ENTITY"), "entity", 0),
)

_JSON_RULES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"-?+\b\d++(?:\.\d++)?+(?:[eE][+-]?+\d++)?+\b"), "number", 0),
    (re.compile(r"\b(?:true|false|null|NaN|-?Infinity)\b"), "entity", 0),
    (re.compile(r'"(?:[^"\\]++|\\.)*+"'), "value", 0),
    (re.compile(r'("(?:[^"\\]++|\\.)*+")\s*+:'), "key", 1),
)


def _spans(text: str, rules: tuple[tuple[re.Pattern[str], str, int], ...]) -> list[Span]:
    """Spans of every rule in order (later ones are painted over earlier ones)."""
    text = text[:MAX_HIGHLIGHT]
    out: list[Span] = []
    for pattern, role, group in rules:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if end > start:
                out.append((start, end - start, role))
    return out


def xml_spans(text: str) -> list[Span]:
    return _spans(text, _XML_RULES)


def json_spans(text: str) -> list[Span]:
    return _spans(text, _JSON_RULES)


def runs(spans: list[Span], first: int, count: int) -> list[tuple[int, int, str | None]]:
    """The columns ``first .. first+count`` as (start, length, role) runs, later spans
    winning, None for plain text."""
    roles: list[str | None] = [None] * count
    for start, length, role in spans:
        lo, hi = max(start, first), min(start + length, first + count)
        for col in range(lo, hi):
            roles[col - first] = role
    out: list[tuple[int, int, str | None]] = []
    for i, shown in enumerate(roles):
        if out and out[-1][2] == shown:
            run_start, run_length, _ = out[-1]
            out[-1] = (run_start, run_length + 1, shown)
        else:
            out.append((first + i, 1, shown))
    return out


SYNTAX: dict[str, Highlighter] = {"xml": xml_spans, "json": json_spans}
