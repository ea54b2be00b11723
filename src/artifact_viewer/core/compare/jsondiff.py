"""Structural JSON diff: added, removed and replaced paths (``$.a[0].b``, as the app copies them).

Objects are compared key by key; arrays of objects are matched by an id-like key when every
element has one with unique values on both sides, else by position. Equal subtrees are
skipped with one C-level ``==``, so big documents that differ in a few places cost little
more than parsing them. Paths name the element in A for removals and in B otherwise.

Faithful to the files: a number keeps its literal (:class:`JsonNumber`: ``4495.90``,
``1E22``, ``-0``), so two literals that differ are a change even when their values are
equal (marked ``sameValue``: written differently); an object whose file repeats a key keeps
every member (:class:`RepeatedKeys`), compared occurrence by occurrence. :func:`dumps`
writes values back as the files write them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson

from artifact_viewer.core.compare.model import (
    JSON,
    CompareError,
    CompareOptions,
    Diff,
    JsonObj,
    Steps,
)
from artifact_viewer.core.jsonpath import json_path as json_path
from artifact_viewer.core.units import plural

PathSteps = tuple[str | int, ...]

_ID_NAMES = ("id", "uuid", "guid", "key", "code", "_id")
_ID_LIKE = re.compile(r"(^|_)(id|uuid|guid|key|code)$|[a-z](Id|ID|Uuid|Key|Code)$", re.IGNORECASE)


class JsonNumber:
    """A number as its file writes it (``4495.90``, ``1E22``, ``-0``, ``NaN``): equal only to
    the same literal, shown as the literal. Integers whose Python ``int`` writes them the
    same stay plain ints."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonNumber) and other.literal == self.literal

    def __hash__(self) -> int:
        return hash(self.literal)

    def __repr__(self) -> str:
        return self.literal

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[JsonNumber], tuple[str]]:
        return (JsonNumber, (self.literal,))


class RepeatedKeys(dict[str, Any]):
    """An object whose file repeats a key: ``pairs`` holds every member in file order (the
    dict itself, as JSON parsers do, the last value of each key). Equal only to an object
    with the same members in the same order."""

    pairs: list[tuple[str, Any]]

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RepeatedKeys) and other.pairs == self.pairs

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __reduce__(self) -> tuple[type[RepeatedKeys], tuple[list[tuple[str, Any]]]]:
        return (RepeatedKeys, (self.pairs,))

    def repeated(self) -> list[str]:
        """The keys that occur more than once, in order of their first occurrence."""
        counts: dict[str, int] = {}
        for key, _value in self.pairs:
            counts[key] = counts.get(key, 0) + 1
        return [key for key, n in counts.items() if n > 1]


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    return value if len(value) == len(pairs) else RepeatedKeys(pairs)


def _number_value(value: Any) -> Decimal | None:
    """The exact value of a number (int or :class:`JsonNumber`), None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(value)
    if isinstance(value, JsonNumber):
        try:
            return Decimal(value.literal)
        except InvalidOperation:
            return None
    return None


def same_value(a: Any, b: Any) -> bool:
    """Two numbers written differently whose values are equal (``4495.90`` and ``4495.9``,
    ``1E22`` and ``1e22``, ``1`` and ``1.0``, ``0`` and ``-0``)."""
    x, y = _number_value(a), _number_value(b)
    if x is None or y is None or x.is_nan() or y.is_nan():
        return False
    return bool(x == y)


def _literal_default(value: Any) -> Any:
    if isinstance(value, JsonNumber):
        return orjson.Fragment(value.literal.encode())
    if isinstance(value, RepeatedKeys):
        members = b",".join(orjson.dumps(str(k)) + b":" + _dumps_bytes(v) for k, v in value.pairs)
        return orjson.Fragment(b"{" + members + b"}")
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _dumps_bytes(value: Any, option: int = 0) -> bytes:
    return orjson.dumps(
        value, default=_literal_default, option=option | orjson.OPT_PASSTHROUGH_SUBCLASS
    )


def dumps(value: Any, option: int = 0) -> str:
    """JSON text of a value (or a whole ``--json`` result) with numbers as their files
    write them and every member of an object that repeats a key."""
    return _dumps_bytes(value, option).decode()


@dataclass(frozen=True, slots=True)
class JsonChange:
    """One change. ``same_value``: a replacement of a number by another literal of the same
    value (``4495.90`` -> ``4495.9``). ``occurrence``: for a key its object repeats, which
    occurrence (1-based) the change is about, else 0."""

    op: str  # "add" | "remove" | "replace"
    path: PathSteps
    old: Any = None
    new: Any = None
    same_value: bool = False
    occurrence: int = 0

    def to_json(self) -> JsonObj:
        out: JsonObj = {"op": self.op, "path": json_path(self.path)}
        if self.op != "add":
            out["old"] = self.old
        if self.op != "remove":
            out["new"] = self.new
        if self.same_value:
            out["sameValue"] = True
        if self.occurrence:
            out["occurrence"] = self.occurrence
        return out


@dataclass(slots=True)
class JsonDiff(Diff):
    items: list[JsonChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"add": 0, "remove": 0, "replace": 0}
        for change in self.items:
            counts[change.op] += 1
        return counts

    def same_value_count(self) -> int:
        return sum(1 for change in self.items if change.same_value)

    def summary(self) -> JsonObj:
        out: JsonObj = dict(self.counts())
        same = self.same_value_count()
        if same:  # replacements that only write a number differently (also counted above)
            out["sameValue"] = same
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def changes(self) -> list[JsonObj]:
        return [c.to_json() for c in self.items]

    def one_line(self) -> str:
        if self.identical:
            return "identical"
        c = self.counts()
        line = (
            f"{c['add']:,} added, {c['remove']:,} removed, {plural(c['replace'], 'value')} changed"
        )
        same = self.same_value_count()
        if same:
            line += f" ({same:,} of them the same value, written differently)"
        return line


# Integers a plain Python int cannot stand for here: ``-0`` (an int writes ``0``) and those
# beyond 64 bits (JSON output cannot write them back from an int).
_SPECIAL_INT = re.compile(rb"-0(?![0-9.eE])|[0-9]{19}")


def _int_literal(literal: str) -> int | JsonNumber:
    """An integer: a Python int, except ``-0`` and integers beyond 64 bits."""
    if literal == "-0":
        return JsonNumber(literal)
    value = int(literal)
    return value if -(2**63) <= value < 2**64 else JsonNumber(literal)


def loads_literal(data: bytes) -> Any:
    """Parse JSON text keeping every number's literal and every member of an object.

    The standard parser with hooks: a call per float and per object (``parse_int`` only
    when the text may hold ``-0`` or an integer beyond 64 bits)."""
    hooks: dict[str, Any] = {
        "parse_float": JsonNumber,
        "parse_constant": JsonNumber,
        "object_pairs_hook": _members,
    }
    if _SPECIAL_INT.search(data):
        hooks["parse_int"] = _int_literal
    return json.loads(data.decode("utf-8", errors="strict"), **hooks)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


_WHITESPACE = b" \t\n\r"


def _canonical(data: bytes) -> Any:
    """The value of JSON text that reads as orjson writes it back, whitespace aside (any
    indentation), else None. Then every number is written as orjson writes its value and
    no object repeats a key, so the plain values are faithful and the hooks can be skipped.
    (Whitespace inside strings is the same on both sides: the strings are the file's.)"""
    try:
        value = orjson.loads(data)
        written = orjson.dumps(value)
    except (orjson.JSONDecodeError, TypeError):  # not JSON, or an integer beyond 64 bits
        return None
    if written == data.strip() or written.translate(None, _WHITESPACE) == data.translate(
        None, _WHITESPACE
    ):
        return value
    return None


def load_json(path: Path) -> Any:
    """Parse a JSON document, or a JSON Lines file as a list of its values; numbers keep
    their literals and objects every member (:func:`loads_literal`)."""
    data = _read(path)
    try:
        return loads_literal(data)
    except (ValueError, RecursionError) as exc:
        first_error = exc
    values = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            values.append(loads_literal(line))
        except (ValueError, RecursionError):
            raise CompareError(
                f"{path.name} is not valid JSON ({first_error}; as JSON Lines, line {number}"
                " does not parse)."
            ) from None
    return values


def _id_key(a: list[Any], b: list[Any]) -> str | None:
    """An id-like key every element of both arrays has, with unique scalar values per side."""
    if not a or not b or not isinstance(a[0], dict) or not isinstance(b[0], dict):
        return None
    names = [k for k in a[0] if k in _ID_NAMES or _ID_LIKE.search(k)]
    names.sort(key=lambda k: (k not in _ID_NAMES, list(a[0]).index(k)))
    for name in names:
        if all(_unique_scalars(side, name) for side in (a, b)):
            return str(name)
    return None


def _unique_scalars(items: list[Any], name: str) -> bool:
    seen = set()
    for item in items:
        if not isinstance(item, dict):
            return False
        value = item.get(name)
        if value is None or isinstance(value, dict | list):
            return False
        token = (type(value).__name__, value)
        if token in seen:
            return False
        seen.add(token)
    return True


def _equal(a: Any, b: Any) -> bool:
    """``a == b`` at C speed, confirmed by the JSON both write (Python has ``1 == 1.0 ==
    True``, JSON does not); documents too deep for either compare as different (then
    walked)."""
    try:
        if a != b:
            return False
        return _dumps_bytes(a) == _dumps_bytes(b)
    except (RecursionError, TypeError):  # orjson.JSONEncodeError is a TypeError
        return False


def _same_scalar(a: Any, b: Any) -> bool:
    if type(a) is not type(b) or a != b:
        return False
    return not isinstance(a, float) or repr(a) == repr(b)  # -0.0 and 0.0 are written apart


def diff_values(
    a: Any, b: Any, steps: Steps | None = None, notes: list[str] | None = None
) -> list[JsonChange]:
    """Changes from ``a`` to ``b`` in document order (no recursion: any depth); objects
    that repeat a key add a line to ``notes``."""
    out: list[JsonChange] = []
    # Work items: a change ready to emit, or a (path, a, b) pair still to compare. Items are
    # pushed in reverse so that they pop, and changes come out, in document order.
    stack: list[JsonChange | tuple[PathSteps, Any, Any]] = [((), a, b)]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, JsonChange):
            out.append(item)
            continue
        path, x, y = item
        visited += 1
        if steps is not None and visited & 0x3FF == 0:
            steps.check()
        if isinstance(x, dict) and isinstance(y, dict):
            if _equal(x, y):
                continue
            if isinstance(x, RepeatedKeys) or isinstance(y, RepeatedKeys):
                stack.extend(reversed(_repeated_items(path, x, y, notes)))
                continue
            pending: list[JsonChange | tuple[PathSteps, Any, Any]] = []
            for k, xv in x.items():
                if k in y:
                    pending.append(((*path, k), xv, y[k]))
                else:
                    pending.append(JsonChange("remove", (*path, k), old=xv))
            pending.extend(
                JsonChange("add", (*path, k), new=yv) for k, yv in y.items() if k not in x
            )
            stack.extend(reversed(pending))
        elif isinstance(x, list) and isinstance(y, list):
            if _equal(x, y):
                continue
            stack.extend(reversed(_list_items(path, x, y)))
        elif isinstance(x, dict | list) or isinstance(y, dict | list) or not _same_scalar(x, y):
            out.append(JsonChange("replace", path, old=x, new=y, same_value=same_value(x, y)))
    return out


def _occurrences(obj: dict[str, Any]) -> dict[str, list[Any]]:
    pairs = obj.pairs if isinstance(obj, RepeatedKeys) else obj.items()
    out: dict[str, list[Any]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _repeated_items(
    path: PathSteps, x: dict[str, Any], y: dict[str, Any], notes: list[str] | None
) -> list[JsonChange | tuple[PathSteps, Any, Any]]:
    """Members of two objects, one of which repeats a key: each key's occurrences are
    compared in file order (the first with the first...), extra ones added or removed."""
    if notes is not None:
        for side, obj in (("A", x), ("B", y)):
            if isinstance(obj, RepeatedKeys):
                keys = ", ".join(json.dumps(k, ensure_ascii=False) for k in obj.repeated())
                where = json_path(path)
                notes.append(
                    f"{side} repeats keys at {where}: {keys}; compared occurrence by occurrence"
                )
    xs, ys = _occurrences(x), _occurrences(y)
    items: list[JsonChange | tuple[PathSteps, Any, Any]] = []
    # Work items cannot carry the occurrence, so repeated keys' values are compared here:
    # equal ones are skipped, others become one replacement (or are walked when both are
    # containers of a key that occurs once on both sides).
    for key, x_values in xs.items():
        y_values = ys.get(key, [])
        repeated = len(x_values) > 1 or len(y_values) > 1
        step = (*path, key)
        for i, xv in enumerate(x_values):
            n = i + 1 if repeated else 0
            if i >= len(y_values):
                items.append(JsonChange("remove", step, old=xv, occurrence=n))
            elif not repeated:
                items.append((step, xv, y_values[i]))
            elif not _equal(xv, y_values[i]):
                yv = y_values[i]
                items.append(JsonChange("replace", step, xv, yv, same_value(xv, yv), occurrence=n))
        for j in range(len(x_values), len(y_values)):
            n = j + 1 if repeated else 0
            items.append(JsonChange("add", step, new=y_values[j], occurrence=n))
    for key, y_values in ys.items():
        if key in xs:
            continue
        repeated = len(y_values) > 1
        for j, yv in enumerate(y_values):
            items.append(
                JsonChange("add", (*path, key), new=yv, occurrence=j + 1 if repeated else 0)
            )
    return items


def _list_items(
    path: PathSteps, x: list[Any], y: list[Any]
) -> list[JsonChange | tuple[PathSteps, Any, Any]]:
    key = _id_key(x, y)
    items: list[JsonChange | tuple[PathSteps, Any, Any]] = []
    if key is None:
        common = min(len(x), len(y))
        items.extend(((*path, i), x[i], y[i]) for i in range(common))
        items.extend(JsonChange("remove", (*path, i), old=x[i]) for i in range(common, len(x)))
        items.extend(JsonChange("add", (*path, j), new=y[j]) for j in range(common, len(y)))
        return items
    where_b = {(type(item[key]).__name__, item[key]): j for j, item in enumerate(y)}
    matched: set[int] = set()
    for i, item in enumerate(x):
        j = where_b.get((type(item[key]).__name__, item[key]))
        if j is None:
            items.append(JsonChange("remove", (*path, i), old=item))
        else:
            matched.add(j)
            if not _equal(item, y[j]):
                items.append(((*path, j), item, y[j]))
    items.extend(JsonChange("add", (*path, j), new=y[j]) for j in range(len(y)) if j not in matched)
    return items


def compare_json(path_a: Path, path_b: Path, options: CompareOptions, steps: Steps) -> JsonDiff:
    # Fast when both files are as orjson writes them (plain values are then faithful);
    # else both are read with their literals (the two kinds of values never mix).
    a = _canonical(_read(path_a))
    b = _canonical(_read(path_b)) if a is not None else None
    steps.advance(20)
    if a is None or b is None:
        a = b = None
        a = load_json(path_a)
        steps.advance(45)
        b = load_json(path_b)
    steps.advance(70)
    notes: list[str] = []
    changes = diff_values(a, b, steps, notes)
    steps.advance(100)
    return JsonDiff(JSON, not changes, notes, changes)
