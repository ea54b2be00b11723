"""Paths into JSON as text, one way for the whole app: what the tree copies, what search and
compare report, what ``preview --dump`` writes (``$.employees[3].name``, ``$["first name"]``).
"""

from __future__ import annotations

import json
import re
from typing import Any

Steps = tuple[str | int, ...]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STEP_RE = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _quote(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def path_step(step: str | int, quoted: str = "[{}]") -> str:
    """One step: ``[3]`` for an index, ``.name`` for a plain key, else the key JSON-quoted
    into ``quoted`` (``["first name"]`` for JSONPath, ``."first name"`` for jq)."""
    if isinstance(step, int):
        return f"[{step}]"
    if _IDENT.match(step):
        return f".{step}"
    return quoted.format(_quote(step))


def json_path(steps: Steps) -> str:
    """JSONPath text: ``$.employees[3].name``, ``$["first name"]``, ``$[0]``; the root is ``$``."""
    return "$" + "".join(path_step(s) for s in steps)


def jq_path(steps: Steps) -> str:
    """jq filter text: ``.employees[3].name``, ``."first name"``; the root is ``.``."""
    return "".join(path_step(s, ".{}") for s in steps) or "."


def parse_json_path(text: str) -> Steps:
    """The steps of a path :func:`json_path` wrote (``$.a[0]["b c"]`` -> ``("a", 0, "b c")``);
    ValueError for anything else."""
    if not text.startswith("$"):
        raise ValueError(f"not a JSON path: {text!r}")
    steps: list[str | int] = []
    pos = 1
    while pos < len(text):
        match = _STEP_RE.match(text, pos)
        if match is None:
            raise ValueError(f"not a JSON path: {text!r}")
        name, index, quoted = match.groups()
        steps.append(name if name is not None else int(index) if index else json.loads(quoted))
        pos = match.end()
    return tuple(steps)


def scalar_text(value: Any) -> str:
    """How a scalar reads in JSON (``true``, ``null``, ``1.5``); strings unquoted."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
