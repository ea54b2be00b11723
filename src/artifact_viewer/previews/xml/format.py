"""XML checks and re-indentation without expanding entities or rewriting namespaces.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import bisect
import re
import xml.parsers.expat
from array import array
from dataclasses import dataclass

from artifact_viewer.core.sniff import detect_encoding

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
    r"|[^<]+",
    re.DOTALL,
)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
INDENT = "  "


#: the message of an XmlProblem for a document that declares entities (well-formed or not
#: is not known: checking stops there)
ENTITIES_DECLARED = "The document declares entities; entities not expanded"


class EntityRefused(Exception):
    """The document declares entities; we do not expand them (billion-laughs safety)."""


@dataclass(frozen=True, slots=True)
class XmlProblem:
    """Where and why the document is not well-formed (1-based line, 0-based column)."""

    message: str
    line: int
    column: int

    def describe(self) -> str:
        return f"{self.message} at line {self.line}, column {self.column + 1}"


def check(data: bytes) -> XmlProblem | None:
    """None when ``data`` is well-formed XML; entity declarations count as a problem."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise EntityRefused

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except EntityRefused:
        return XmlProblem(
            ENTITIES_DECLARED,
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber,
        )
    except xml.parsers.expat.ExpatError as exc:
        return XmlProblem(
            xml.parsers.expat.ErrorString(exc.code) or "not well-formed", exc.lineno, exc.offset
        )
    return None


def decode(data: bytes) -> str:
    """Text of an XML file: BOM, then the declared encoding, then detection, then Latin-1."""
    encoding = detect_encoding(data[:65536])
    if encoding is not None and encoding.how == "BOM":
        return data[encoding.bom :].decode(encoding.name, errors="replace")
    declared = _DECLARED.match(data[:200])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    name = encoding.name if encoding is not None else "latin-1"
    return data.decode(name, errors="replace")


def _kind(token: str) -> str:
    if not token.startswith("<"):
        return "text"
    if token.startswith("</"):
        return "end"
    if token.startswith(("<!--", "<![CDATA[", "<?", "<!")):
        return "other"
    if token.endswith("/>"):
        return "empty"
    return "start"


#: indentation stops growing at this depth, so the output is linear in the input at any
#: depth (100,000 nested elements would otherwise be 10^10 spaces)
MAX_INDENT_LEVELS = 40


def pretty(text: str, limit: int | None = None) -> str | None:
    """Re-indent markup: one element per line, text-only elements kept on one line.

    Deeper than :data:`MAX_INDENT_LEVELS` lines keep that indentation. Returns None when
    the result would be longer than ``limit`` characters (it stops there).
    """
    made = pretty_lines(text, limit)
    return made[0] if made is not None else None


def pretty_lines(text: str, limit: int | None = None) -> tuple[str, array[int]] | None:
    """:func:`pretty`'s text, and for each of its lines the 1-based line of ``text`` where
    that line's first token starts (so a line of the file can be found in the indented text).
    """
    tokens: list[str] = []
    starts = array("l")
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        stripped = token.lstrip()
        if not stripped.rstrip():
            continue
        begin = match.start() + len(token) - len(stripped)
        line += text.count("\n", last, begin)
        last = begin
        tokens.append(token)
        starts.append(line)
    kinds = [_kind(t) for t in tokens]
    pads = [INDENT * level for level in range(MAX_INDENT_LEVELS + 1)]
    lines: list[str] = []
    sources = array("l")
    size = 0
    depth = 0
    i = 0
    while i < len(tokens):
        if limit is not None and size > limit:
            return None
        token, kind = tokens[i], kinds[i]
        first = i
        pad = pads[min(depth, MAX_INDENT_LEVELS)]
        if (
            kind == "start"
            and i + 2 < len(tokens)
            and kinds[i + 1] == "text"
            and kinds[i + 2] == "end"
        ):
            line_text = f"{pad}{token}{tokens[i + 1].strip()}{tokens[i + 2]}"
            i += 3
        elif kind == "start" and i + 1 < len(tokens) and kinds[i + 1] == "end":
            line_text = f"{pad}{token}{tokens[i + 1]}"
            i += 2
        else:
            if kind == "end":
                depth = max(0, depth - 1)
                pad = pads[min(depth, MAX_INDENT_LEVELS)]
            line_text = pad + (token.strip() if kind == "text" else token)
            if kind == "start":
                depth += 1
            i += 1
        lines.append(line_text)
        size += len(line_text) + 1
        sources.append(starts[first])
        if "\n" in line_text:  # a token on several lines is as many lines here
            _more_lines(sources, tokens, starts, first, i)
    if limit is not None and size > limit:
        return None
    return "\n".join(lines) + ("\n" if lines else ""), sources


def _more_lines(
    sources: array[int], tokens: list[str], starts: array[int], first: int, end: int
) -> None:
    """The file lines of a shown line's continuation lines: each newline inside its tokens
    ``first``..``end`` (exclusive) starts one, on the line after the one before it."""
    for k in range(first, end):
        for n in range(tokens[k].strip().count("\n")):  # text is shown stripped
            sources.append(starts[k] + n + 1)


def shown_lines(sources: array[int], file_line: int) -> range:
    """The 1-based lines of the indented text showing ``file_line`` of the file: those whose
    first token starts on it, else the one before (a token spanning several file lines)."""
    first = bisect.bisect_left(sources, file_line)
    last = bisect.bisect_right(sources, file_line)
    if first == last:  # nothing starts there: it is inside the line before's token
        return range(max(1, last), max(1, last) + 1)
    return range(first + 1, last + 1)
