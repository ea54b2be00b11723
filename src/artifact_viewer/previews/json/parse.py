"""Parse a JSON or JSON Lines file off the GUI thread: orjson first, stdlib json for edge cases.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import codecs
import gc
import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews.json.bigint import restore_big_ints
from artifact_viewer.previews.json.deep import loads_deep
from artifact_viewer.previews.json.lazy import (
    HelperFailed,
    JsonIndex,
    NotIndexable,
    build_index,
    index_in_helper,
    validate,
)
from artifact_viewer.previews.json.lazytree import LazyTree
from artifact_viewer.previews.json.pieces import PIECE, loads_array_in_pieces

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
JSONL_MIMES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)
# The stdlib parser recurses once per nesting level; it runs on a thread with a big stack
# and a raised recursion limit so that deep documents (10k+ levels) still open.
MAX_DEPTH = 200_000
_BIG_STACK = 512 * 1024 * 1024
_READ_CHUNK = 2 * 1024 * 1024
# orjson turns integers beyond 64 bits into floats silently; a digit run this long means
# the file may hold one (19 digits: -9223372036854775809 is one), and the exact integers
# are put back (json_bigint) or, failing that, the file is re-read with the stdlib parser.
_BIG_INT_DIGITS = 19
#: parsed documents bigger than this are moved out of the cyclic GC's reach
_FREEZE_ABOVE = 8 << 20
#: nesting beyond this is parsed by :func:`loads_deep`: the C scanner holds the GIL for its
#: whole run, about half a microsecond per level (50 ms at 100k levels), and the GUI thread
#: waits that long
C_SCANNER_DEPTH = 10_000
_DEPTH_CHUNK = 1 << 20


class JsonSyntaxError(PreviewError):
    """The file is not valid JSON; carries where (1-based line/column, 0-based char offset)."""

    default_hint = "The raw text is shown at the error position."

    def __init__(self, reason: str, *, line: int, column: int, pos: int, text: str) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.pos = pos
        #: the text around the error (all of it for files under ~64 KB) and the error's
        #: offset inside that excerpt; a huge file's text is not kept in full
        self.text, self.text_pos, self.first_line = excerpt(text, pos)
        super().__init__(f"Invalid JSON: {reason} at line {line}, column {column}.")


@dataclass(slots=True)
class JsonDoc:
    """A parsed document. ``lines`` is True for JSON Lines (value is then a list)."""

    value: Any
    lines: bool = False
    size: int = 0
    notes: list[str] = field(default_factory=list)
    #: decoded text when cheap to keep (for the raw view); None for big files
    text: str | None = None


#: a line longer than this is shown only around the error (a text widget lays out a whole
#: line at once, on the GUI thread)
LONG_LINE = 8_000


def excerpt(text: str, pos: int, radius: int = 32_000) -> tuple[str, int, int]:
    """A window of ``text`` around ``pos`` cut at line ends: (excerpt, new_pos, first_line).

    When the error's own line is longer than :data:`LONG_LINE`, only the part of that line
    around ``pos`` is kept.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    if line_end - line_start > LONG_LINE:
        half = LONG_LINE // 2
        start, end = max(line_start, pos - half), min(line_end, pos + half)
        return text[start:end], pos - start, text.count("\n", 0, start) + 1
    if len(text) <= 2 * radius:
        return text, pos, 1
    start = max(0, pos - radius)
    if start:
        nl = text.find("\n", start, pos)
        start = nl + 1 if nl >= 0 else start
    end = min(len(text), pos + radius)
    nl = text.rfind("\n", pos, end)
    end = nl if nl > pos else end
    first_line = text.count("\n", 0, start) + 1
    return text[start:end], pos - start, first_line


def is_jsonl_hint(suffix: str, mime: str | None) -> bool:
    return suffix.lower() in JSONL_SUFFIXES or (mime or "").split(";")[0].strip() in JSONL_MIMES


def read_bytes(path: Path, progress: Any, cancel: CancelToken) -> bytearray:
    """Read the whole file in chunks, reporting progress and honouring cancel.

    The buffer grows chunk by chunk instead of being allocated (and zero-filled) at
    once: first touching 100 MB of fresh memory takes half a second with the GIL held,
    which would freeze the GUI thread; in small steps the GUI gets its turns.
    """
    size = path.stat().st_size
    buf = bytearray()
    with path.open("rb", buffering=0) as fh:
        while True:
            cancel.raise_if_cancelled()
            chunk = fh.read(_READ_CHUNK)
            if not chunk:
                break
            buf += chunk
            progress(len(buf), max(size, len(buf)))
    return buf


def _decode(data: bytes | bytearray, notes: list[str]) -> tuple[str | None, bytes | bytearray]:
    """Strip/handle a BOM. Returns (text, data): text is set when the bytes were not UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return None, data[3:]
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            notes.append(f"Encoding: {enc.upper()} (byte order mark).")
            return bytes(data[len(bom) :]).decode(enc, errors="replace"), data
    return None, data


class NumberLiteral(float):
    """A number as the file writes it (``4495.90``, ``1E22``, ``-0``, ``1e400``): the float
    is its value (±inf beyond a double's range), the tree, search and dump show the
    literal."""

    literal: str

    def __new__(cls, literal: str) -> NumberLiteral:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number

    def __repr__(self) -> str:
        return self.literal

    __str__ = __repr__


class DuplicateKeys(dict[str, Any]):
    """An object whose file repeats a key: every member, in file order, for the tree,
    search, dump and copy (``len``, iteration, ``items()``); looking a key up gives its
    last value, as JSON parsers do."""

    pairs: list[tuple[str, Any]]

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _value in self.pairs)

    def keys(self) -> Any:
        return [key for key, _value in self.pairs]

    def values(self) -> Any:
        return [value for _key, value in self.pairs]

    def items(self) -> Any:
        return list(self.pairs)


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its members: a dict, or :class:`DuplicateKeys` when a key repeats."""
    value = dict(pairs)
    return value if len(value) == len(pairs) else DuplicateKeys(pairs)


_MINUS_ZERO = re.compile(r"-0(?![0-9.eE])")


def _int_literal(literal: str) -> int | float:
    """An integer literal: a Python int shows as written, except ``-0``."""
    return int(literal) if literal != "-0" else NumberLiteral(literal)


def _stdlib_loads(text: str, *, constants: list[str] | None = None) -> Any:
    """``json.loads`` on a big-stack thread with a raised recursion limit (deep nesting);
    numbers keep their literal text (:class:`NumberLiteral`: a call per number) and objects
    every duplicate key (:class:`DuplicateKeys`);
    ``constants`` collects the non-JSON constants read (``NaN``, ``Infinity``...)."""
    out: dict[str, Any] = {}

    def constant(name: str) -> float:
        if constants is not None and name not in constants:
            constants.append(name)
        return NumberLiteral(name)  # shown as the file writes it

    def run() -> None:
        try:
            hooks: dict[str, Any] = {
                "parse_float": NumberLiteral,
                "parse_constant": constant,
                "object_pairs_hook": _members,
            }
            if _MINUS_ZERO.search(text):  # the only integer a Python int writes otherwise
                hooks["parse_int"] = _int_literal
            if nesting_depth(text) > C_SCANNER_DEPTH:
                value = loads_deep(text, max_depth=MAX_DEPTH, **hooks)
            else:
                value = json.loads(text, **hooks)
            out["value"] = value
        except BaseException as exc:  # reported to the caller below
            out["error"] = exc

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, MAX_DEPTH + 1000))
    old_stack = threading.stack_size(_BIG_STACK)
    # A deep document is hundreds of thousands of containers made in a burst: without the
    # pause they set off full collections, each walking the whole heap with the GIL held.
    with _gc_paused(freeze=False):
        try:
            worker = threading.Thread(target=run, name="json-deep-parse", daemon=True)
            worker.start()
        finally:
            threading.stack_size(old_stack)
        worker.join()
    sys.setrecursionlimit(old_limit)
    if "error" in out:
        raise out["error"]
    return out["value"]


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of ``text``, counting brackets inside strings too (an
    upper bound, used to choose a parser), in chunks so that other threads run between."""
    depth = peak = 0
    for start in range(0, len(text), _DEPTH_CHUNK):
        chunk = text[start : start + _DEPTH_CHUNK].encode("utf-8", "surrogatepass")
        codes = np.frombuffer(chunk, dtype=np.uint8)
        steps = (
            (codes == 0x5B).astype(np.int32) + (codes == 0x7B) - (codes == 0x5D) - (codes == 0x7D)
        )
        levels = np.cumsum(steps, dtype=np.int64)
        if levels.size:
            peak = max(peak, depth + int(levels.max()))
            depth += int(levels[-1])
    return peak


def _syntax_error(reason: str, pos: int, text: str) -> JsonSyntaxError:
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return JsonSyntaxError(reason, line=line, column=column, pos=pos, text=text)


def _text_of(data: bytes | bytearray, notes: list[str]) -> str:
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(f"Not valid UTF-8 (first bad byte at offset {exc.start}); read as Latin-1.")
        return bytes(data).decode("latin-1")


def _loads_lenient(text: str, orjson_reason: str, orjson_line: int, notes: list[str]) -> Any:
    """Second chance with the stdlib parser; raises JsonSyntaxError when it fails too."""
    constants: list[str] = []
    try:
        value = _stdlib_loads(text, constants=constants)
    except json.JSONDecodeError as exc:
        # orjson words most errors better ("trailing comma is not allowed"); use its
        # reason when both parsers stopped on the same line.
        # Its UTF-8 complaint is about bytes already read as Latin-1 here, so it is not
        # the reason this text fails.
        same_spot = orjson_line == exc.lineno and "UTF-8" not in orjson_reason
        reason = orjson_reason if same_spot else exc.msg[:1].lower() + exc.msg[1:]
        raise _syntax_error(reason, exc.pos, text) from None
    except RecursionError:
        raise PreviewError(
            f"The JSON is nested more than {MAX_DEPTH} levels deep and cannot be shown as a tree."
        ) from None
    if constants:
        names = ", ".join(constants)
        notes.append(f"Not strict JSON: {names} is not a JSON number; shown as read leniently.")
    elif orjson_reason.startswith("depth limit"):
        notes.append("Deeply nested document (over 1024 levels).")
    elif "infinity" in orjson_reason:
        notes.append("Holds numbers beyond the range of a double.")
    elif "surrogate" in orjson_reason and "UTF-8" not in orjson_reason:
        notes.append("Holds lone UTF-16 surrogates (shown escaped).")
    elif "UTF-8" not in orjson_reason:
        notes.append(f"Not strict JSON: {orjson_reason}; read leniently.")
    return value


def _collector(names: list[str]) -> Callable[[str], float]:
    """A ``parse_constant`` hook that reads NaN/Infinity as floats and notes their names."""

    def constant(name: str) -> float:
        if name not in names:
            names.append(name)
        return NumberLiteral(name)  # shown as the file writes it

    return constant


def parse_jsonl(
    source: str | bytes | bytearray,
    cancel: CancelToken,
    exact: bool = False,
    notes: list[str] | None = None,
) -> list[Any]:
    """One value per non-blank line; a bad line raises JsonSyntaxError with its position.

    ``exact`` parses with the stdlib (keeps integers beyond 64 bits exact); ``notes`` gets
    a "not strict JSON" line for the first record read leniently (NaN, Infinity...).
    """
    values: list[Any] = []
    for number, raw in enumerate(_lines(source), start=1):
        if number % 4096 == 0:
            cancel.raise_if_cancelled()
        if not raw or raw.isspace():  # isspace() stops at the first other byte; strip() copies
            continue
        try:
            values.append(json.loads(raw) if exact else orjson.loads(raw))
            continue
        except (orjson.JSONDecodeError, json.JSONDecodeError) as exc:
            first = exc
        line_text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        try:  # NaN, lone surrogates, huge numbers: the stdlib accepts them
            constants: list[str] = []
            values.append(json.loads(line_text, parse_constant=_collector(constants)))
            if (
                constants
                and notes is not None
                and not any(n.startswith("Not strict") for n in notes)
            ):
                notes.append(
                    f"Not strict JSON: {', '.join(constants)} in record {len(values)} "
                    "is not a JSON number; shown as read leniently."
                )
        except (json.JSONDecodeError, RecursionError):
            full = source if isinstance(source, str) else bytes(source).decode("utf-8", "replace")
            pos = _line_start(full, number) + first.pos
            reason = f"{first.msg} (JSON Lines record {len(values) + 1})"
            raise _syntax_error(reason, pos, full) from None
    return values


def _lines(source: Any) -> Iterator[Any]:
    """Lines one at a time: ``split()`` would build every line in one GIL-holding call."""
    newline = "\n" if isinstance(source, str) else b"\n"
    start, size = 0, len(source)
    while start < size:
        end = source.find(newline, start)
        if end < 0:
            end = size
        yield source[start:end]
        start = end + 1


def _line_start(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos


def has_long_digit_run(
    data: bytes | bytearray, run: int = _BIG_INT_DIGITS, chunk_size: int = 16 << 20
) -> bool:
    """True when ``data`` holds ``run`` (<= 32) consecutive ASCII digits; vectorised, in
    chunks, by AND-ing shifted digit masks (runs of 2, 4, 8, 16, then ``run``)."""
    assert 16 < run <= 32
    arr = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, len(arr), chunk_size):
        chunk = arr[start : start + chunk_size + run]  # overlap: runs across chunk edges count
        if len(chunk) < run:
            break
        a1 = (chunk - np.uint8(48)) < 10  # wraps below "0", so this is "0" <= b <= "9"
        a2 = a1[:-1] & a1[1:]
        a4 = a2[:-2] & a2[2:]
        a8 = a4[:-4] & a4[4:]
        a16 = a8[:-8] & a8[8:]
        rest = run - 16  # a16[i] covers i..i+15; add a window covering i+16..i+run-1
        tail = a4 if rest <= 4 else (a8 if rest <= 8 else a16)
        width = 4 if rest <= 4 else (8 if rest <= 8 else 16)
        shift = run - width
        n = min(len(a16), len(tail) - shift)
        if n > 0 and bool((a16[:n] & tail[shift : shift + n]).any()):
            return True
    return False


@contextmanager
def _gc_paused(freeze: bool) -> Iterator[None]:
    """Pause the cyclic GC while building millions of containers.

    Each full collection walks every object with the GIL held, which stalls the GUI
    thread for a second on a 100 MB document (and doubles the parse time). Big parsed
    documents hold no cycles, so they are moved out of later collections (``freeze``);
    they are still freed by reference counting when dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def parse_json_file(
    path: Path,
    jsonl_hint: bool,
    progress: Any,
    cancel: CancelToken,
    keep_text_below: int = 1 << 20,
) -> JsonDoc:
    """Parse ``path``. Big files send the orjson result early via ``progress.partial``."""
    doc = _parse(path, jsonl_hint, progress, cancel, keep_text_below)
    progress(doc.size, doc.size)
    return doc


def _parse(
    path: Path, jsonl_hint: bool, progress: Any, cancel: CancelToken, keep_text_below: int
) -> JsonDoc:
    # Reading is the first 30% of the progress bar, parsing the rest.
    raw = read_bytes(path, lambda done, total: progress(done * 3 // 10, total), cancel)
    size = len(raw)
    if not raw or raw.isspace():  # isspace() stops at the first other byte; strip() copies
        raise PreviewError("The file is empty." if not raw else "The file holds only whitespace.")
    notes: list[str] = []
    text, data = _decode(raw, notes)
    del raw
    keep = size <= keep_text_below

    if jsonl_hint:
        src: str | bytes | bytearray = text if text is not None else data
        with _gc_paused(freeze=size > _FREEZE_ABOVE):
            values = parse_jsonl(src, cancel, notes=notes)
            if (
                text is None
                and has_long_digit_run(data)
                and not restore_big_ints(values, data, cancel)
            ):
                values = parse_jsonl(src, cancel, exact=True)
        return JsonDoc(values, True, size, notes, _keep_text(text, data, keep, notes))

    try:
        with _gc_paused(freeze=size > _FREEZE_ABOVE):
            value = None
            if text is None and size > 4 * PIECE:
                value = loads_array_in_pieces(
                    data,
                    cancel,
                    lambda done, total: progress(total * 3 // 10 + done * 7 // 10, total),
                )
            if value is None:
                value = orjson.loads(text if text is not None else data)
    except orjson.JSONDecodeError as exc:
        cancel.raise_if_cancelled()
        full = text if text is not None else _text_of(data, notes)
        if exc.msg.startswith("unexpected content after document") and exc.lineno > 1:
            with _gc_paused(freeze=size > _FREEZE_ABOVE):
                values = parse_jsonl(full, cancel, notes=notes)
            notes.append("JSON Lines: one value per line.")
            return JsonDoc(values, True, size, notes, full if keep else None)
        value = _loads_lenient(full, exc.msg, exc.lineno, notes)
        return JsonDoc(value, False, size, notes, full if keep else None)

    if text is not None or not isinstance(value, dict | list):
        # A wide encoding or a lone value (the index takes the other strict documents):
        # read again so that numbers keep their literal text.
        full = text if text is not None else _text_of(data, notes)
        value = _stdlib_loads(full)
        return JsonDoc(value, False, size, notes, full if keep else None)
    doc = JsonDoc(value, False, size, notes, _keep_text(text, data, keep, notes))
    if size > 4 << 20:
        # Big file: show the tree now, then make sure no >64-bit integer was rounded.
        progress.partial(doc)
    cancel.raise_if_cancelled()
    utf8 = data if text is None else text.encode("utf-8", "surrogatepass")
    if has_long_digit_run(utf8):
        if text is None and restore_big_ints(value, data, cancel):
            return JsonDoc(value, False, size, notes, doc.text)  # a new doc: views redraw
        exact = _stdlib_loads(text if text is not None else bytes(data).decode("utf-8"))
        return JsonDoc(exact, False, size, notes, doc.text)
    return doc


#: documents bigger than this are indexed in a helper process (smaller ones on the worker)
LAZY_ABOVE = 32 << 20
#: blocks indexed on the calling thread for the first screen (see ``lazy.BLOCK``)
EARLY_BLOCKS = 2
#: members of the document read on the worker for the first screen
FIRST_ROWS = 64


@dataclass(slots=True)
class LazyDoc:
    """A document shown from its structural index; ``complete`` is False for the first
    screen, sent while the rest of the file is still being indexed."""

    index: JsonIndex
    size: int
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    lines: bool = False
    #: the first screen's rows, read on the worker (the view's model takes it over)
    tree: LazyTree | None = None
    #: the document's member edges, found on the worker (for a first screen's tree)
    root_edges: np.ndarray | None = None


def open_json_file(
    path: Path, jsonl_hint: bool, progress: Any, cancel: CancelToken
) -> JsonDoc | LazyDoc:
    """A JSON file is indexed (the first screen of a big one is sent early through
    ``progress.partial``), then checked, and shown from the index: numbers as the file
    writes them, every duplicate key. A file over :data:`LAZY_ABOVE` is indexed in a
    helper process, a smaller one on this thread. JSON Lines, UTF-16/32, or anything the
    index refuses (syntax errors and lenient reads included) is parsed whole, which also
    says what is wrong."""
    size = path.stat().st_size
    if jsonl_hint or _wide_encoding(path):
        return parse_json_file(path, jsonl_hint, progress, cancel)
    sent: list[bool] = []

    def first_screen(first: JsonIndex) -> None:
        tree = LazyTree(first)
        tree.prime(FIRST_ROWS)
        progress.partial(LazyDoc(first, size, complete=False, tree=tree))
        sent.append(True)

    try:
        try:
            if size <= LAZY_ABOVE:  # a helper process costs more than it saves here
                raise HelperFailed("small file")
            # The whole pass runs in a helper process: this thread only waits on a pipe.
            index = index_in_helper(path, cancel, progress, first_screen, EARLY_BLOCKS)
        except HelperFailed:
            index = build_index(
                path,
                cancel,
                lambda done, total: progress(done * 8 // 10, total),
                early=first_screen,
                early_after=EARLY_BLOCKS,
            )
            validate(index, cancel, lambda d, t: progress(t * 8 // 10 + d // 5, t))
    except NotIndexable:
        return parse_json_file(path, jsonl_hint, progress, cancel)
    tree = None
    if not sent:  # no first screen yet: the view gets its first rows read here
        tree = LazyTree(index)
        tree.prime(FIRST_ROWS)
    if tree is not None and tree.root.edges is not None:
        edges = tree.root.edges  # found while reading the first rows
    else:
        edges = index.members(index.root_start, index.root_end, 1)
    progress(size, size)
    return LazyDoc(index, size, tree=tree, root_edges=edges)


def _wide_encoding(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(4)
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE))


def _keep_text(
    text: str | None, data: bytes | bytearray, keep: bool, notes: list[str]
) -> str | None:
    if not keep:
        return None
    return text if text is not None else _text_of(data, notes)


def dismantle(value: Any) -> int:
    """Empty a parsed document container by container, so that freeing it never runs as one
    long C-level cascade holding the GIL (a 100 MB document takes ~0.5 s to free that way:
    a frozen window if the GUI thread drops the last reference, or waits for the GIL while
    a worker does). Here the interpreter hands the GIL over between bytecodes. Returns how
    many containers were emptied. Only for a document nothing else will read again."""
    stack = [value]
    emptied = 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            while item:
                child = item.popitem()[1]
                if isinstance(child, (dict, list)) and child:
                    stack.append(child)
        elif isinstance(item, list):
            while item:
                child = item.pop()
                if isinstance(child, (dict, list)) and child:
                    stack.append(child)
        else:
            continue
        emptied += 1
    del value
    return emptied
