"""Structural JSON diff: added, removed and replaced paths (``$.a[0].b``, as the app copies them).

Objects are compared key by key; arrays of objects are matched by an id-like key when every
element has one with unique values on both sides, else by position. Equal subtrees are
skipped with one C-level ``==``, so big documents that differ in a few places cost little
more than parsing them. Paths name the element in A for removals and in B otherwise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class JsonChange:
    op: str  # "add" | "remove" | "replace"
    path: PathSteps
    old: Any = None
    new: Any = None

    def to_json(self) -> JsonObj:
        out: JsonObj = {"op": self.op, "path": json_path(self.path)}
        if self.op != "add":
            out["old"] = self.old
        if self.op != "remove":
            out["new"] = self.new
        return out


@dataclass(slots=True)
class JsonDiff(Diff):
    items: list[JsonChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"add": 0, "remove": 0, "replace": 0}
        for change in self.items:
            counts[change.op] += 1
        return counts

    def summary(self) -> JsonObj:
        return self.counts()

    def changes(self) -> list[JsonObj]:
        return [c.to_json() for c in self.items]

    def one_line(self) -> str:
        if self.identical:
            return "identical"
        c = self.counts()
        return (
            f"{c['add']:,} added, {c['remove']:,} removed, {plural(c['replace'], 'value')} changed"
        )


def load_json(path: Path) -> Any:
    """Parse a JSON document, or a JSON Lines file as a list of its values."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        first_error = exc
    try:  # numbers beyond 64 bits, or non-UTF-8 text: the standard parser reads them
        return json.loads(data.decode("utf-8", errors="strict"))
    except (ValueError, RecursionError):
        pass
    values = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            values.append(orjson.loads(line))
        except orjson.JSONDecodeError:
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
    """``a == b`` at C speed; documents too deep for it compare as different (then walked)."""
    try:
        return bool(a == b)
    except RecursionError:
        return False


def _same_scalar(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        int_float = isinstance(a, int | float) and isinstance(b, int | float)
        if not int_float or isinstance(a, bool) or isinstance(b, bool):
            return False
    return bool(a == b)


def diff_values(a: Any, b: Any, steps: Steps | None = None) -> list[JsonChange]:
    """Changes from ``a`` to ``b`` in document order (no recursion: any depth)."""
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
            out.append(JsonChange("replace", path, old=x, new=y))
    return out


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
    a = load_json(path_a)
    steps.advance(35)
    b = load_json(path_b)
    steps.advance(70)
    changes = diff_values(a, b, steps)
    steps.advance(100)
    return JsonDiff(JSON, not changes, [], changes)
