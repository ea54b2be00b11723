"""List pagination for the stand-in API in each envelope shape a real server might use."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from typing import Any

DEFAULT_PAGE_SIZE = 50


class BadQuery(ValueError):
    """A query parameter the server refuses (answered as 400)."""


def _positive_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadQuery(f"{name} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise BadQuery(f"{name} must be a positive integer, got {value!r}")
    return number


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if not text.startswith("o:"):
            raise ValueError(text)
        return max(0, int(text[2:]))
    except (ValueError, UnicodeDecodeError):
        raise BadQuery("cursor is not one this server issued") from None


def page_of(
    items: Sequence[Any],
    query: Mapping[str, str],
    render: Callable[[Any], Any],
    envelope: str,
    max_page_size: int,
) -> Any:
    """Cut one page out of ``items`` (already filtered, newest first) and wrap it."""
    size_text = query.get("pageSize") or query.get("page_size") or query.get("limit")
    size = _positive_int(size_text, "pageSize") if size_text else DEFAULT_PAGE_SIZE
    size = min(size, max_page_size)
    total = len(items)
    if envelope == "cursor":
        cursor = query.get("cursor") or query.get("nextCursor")
        offset = decode_cursor(cursor) if cursor else 0
        chunk = [render(x) for x in items[offset : offset + size]]
        following = offset + size
        return {
            "data": chunk,
            "nextCursor": encode_cursor(following) if following < total else None,
        }
    page = _positive_int(query["page"], "page") if query.get("page") else 1
    offset = (page - 1) * size
    chunk = [render(x) for x in items[offset : offset + size]]
    if envelope == "bare":
        return chunk
    if envelope == "items":
        return {"items": chunk, "total": total, "page": page, "pageSize": size}
    return {
        "data": chunk,
        "pagination": {
            "page": page,
            "pageSize": size,
            "total": total,
            "hasMore": offset + size < total,
        },
    }
