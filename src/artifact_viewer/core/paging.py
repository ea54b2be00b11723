"""Walk every page of a list endpoint, whatever envelope and pagination style the server uses."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

log = logging.getLogger("artifact_viewer.api")

JsonDict = dict[str, Any]
FetchPage = Callable[[dict[str, Any]], Any]

LIST_KEYS = ("data", "items", "results", "records", "entries")
META_KEYS = ("pagination", "meta", "pageInfo", "page_info", "paging")
HAS_MORE_KEYS = ("hasMore", "has_more", "hasNextPage", "has_next_page", "more")
CURSOR_KEYS = ("nextCursor", "next_cursor", "cursor", "nextPageToken", "next_page_token")
TOTAL_KEYS = ("total", "totalCount", "total_count", "totalItems", "total_items")
PAGE_KEYS = ("page", "pageNumber", "page_number", "currentPage", "current_page")
PAGE_SIZE_KEYS = ("pageSize", "page_size", "perPage", "per_page", "limit")
DEFAULT_MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class Page:
    """One decoded page: its items and whatever pagination hints came with it."""

    items: list[Any]
    has_more: bool | None = None
    cursor_seen: bool = False  # a cursor key was present (even null): cursor pagination
    next_cursor: str | None = None
    total: int | None = None
    page: int | None = None
    page_size: int | None = None


def _first(mappings: Sequence[JsonDict], keys: Sequence[str]) -> tuple[bool, Any]:
    for mapping in mappings:
        for key in keys:
            if key in mapping:
                return True, mapping[key]
    return False, None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _find_list(body: JsonDict, plural_keys: Sequence[str]) -> list[Any] | None:
    for key in (*plural_keys, *LIST_KEYS):
        value = body.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):  # e.g. {"data": {"items": [...], "total": 3}}
            inner = _find_list(value, plural_keys)
            if inner is not None:
                return inner
    # Last resort: the only list of objects in the body.
    lists = [
        v for v in body.values() if isinstance(v, list) and all(isinstance(i, dict) for i in v)
    ]
    return lists[0] if len(lists) == 1 else None


def parse_page(body: Any, plural_keys: Sequence[str] = ()) -> Page:
    """Decode a list response: a bare array, or an object holding the list and optional hints."""
    if isinstance(body, list):
        return Page(items=body)
    if not isinstance(body, dict):
        raise ValueError(f"expected a JSON array or object, got {type(body).__name__}")
    items = _find_list(body, plural_keys)
    if items is None:
        raise ValueError("no list of items found in the response")
    scopes: list[JsonDict] = [body]
    for key in META_KEYS:
        if isinstance(body.get(key), dict):
            scopes.append(body[key])
    if isinstance(body.get("data"), dict):
        scopes.append(body["data"])
    _, has_more = _first(scopes, HAS_MORE_KEYS)
    cursor_seen, cursor = _first(scopes, CURSOR_KEYS)
    _, total = _first(scopes, TOTAL_KEYS)
    _, page = _first(scopes, PAGE_KEYS)
    _, size = _first(scopes, PAGE_SIZE_KEYS)
    next_cursor = str(cursor) if isinstance(cursor, str | int) and str(cursor) else None
    return Page(
        items=items,
        has_more=_as_bool(has_more),
        cursor_seen=cursor_seen,
        next_cursor=next_cursor,
        total=_as_int(total),
        page=_as_int(page),
        page_size=_as_int(size),
    )


def _fingerprint(items: list[Any]) -> str:
    ids = [i.get("id") if isinstance(i, dict) else None for i in items]
    if all(ids):
        raw = "\x1f".join(str(i) for i in ids).encode()
    else:
        raw = orjson.dumps(items, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(raw).hexdigest()


def iter_items(
    fetch: FetchPage,
    *,
    page_size: int,
    plural_keys: Sequence[str] = (),
    params: dict[str, Any] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Any]:
    """Yield every item of every page, once each (by id), stopping on the first sign of the end.

    Page numbers are sent as ``page`` with the size as both ``pageSize`` and ``page_size``
    (the V1 API used the latter); once a response carries a cursor, ``cursor=`` is sent
    instead. The end is an empty page, ``hasMore: false``, a null cursor, ``total``
    reached, a short page (unless ``hasMore`` says otherwise), or a page we have already
    seen (a server ignoring our paging would otherwise loop forever).
    """
    base = dict(params or {})
    page_number = 1
    cursor: str | None = None
    received = 0
    seen_pages: set[str] = set()
    seen_cursors: set[str] = set()
    seen_ids: set[str] = set()
    effective_size = page_size
    for _ in range(max_pages):
        query = {**base, "pageSize": page_size, "page_size": page_size}
        if cursor is not None:
            query["cursor"] = cursor
        else:
            query["page"] = page_number
        page = parse_page(fetch(query), plural_keys)
        if not page.items:
            return
        fingerprint = _fingerprint(page.items)
        if fingerprint in seen_pages:
            log.warning("The server sent the same page twice; stopping the listing there")
            return
        seen_pages.add(fingerprint)
        received += len(page.items)
        # Asked for page N (N > 1), told page M: the server clamps or ignores our paging.
        if cursor is None and page_number > 1 and page.page not in (None, page_number):
            log.warning("Asked for page %d, got page %d; stopping", page_number, page.page)
            return
        for item in page.items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if item_id is not None:
                if str(item_id) in seen_ids:
                    continue
                seen_ids.add(str(item_id))
            yield item
        if page.has_more is False:
            return
        if page.total is not None and received >= page.total:
            return
        if page.cursor_seen:
            if page.next_cursor is None or page.next_cursor in seen_cursors:
                return
            seen_cursors.add(page.next_cursor)
            cursor = page.next_cursor
            continue
        if page.page_size:
            effective_size = page.page_size
        elif len(page.items) > effective_size:
            effective_size = len(page.items)  # the server ignores our size: learn its own
        if page.has_more is not True and len(page.items) < effective_size:
            return
        page_number += 1
    log.warning("Stopped listing after %d pages", max_pages)
