"""Walk every page of a list endpoint, whatever envelope and pagination style the server uses."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import orjson

from artifact_viewer.core.errors import ListingStopped
from artifact_viewer.core.units import human_size

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


@dataclass(frozen=True, slots=True)
class Page:
    """One decoded page: its items and whatever pagination hints came with it."""

    items: Iterable[Any]  # a list, or a one-pass stream for a large page
    has_more: bool | None = None
    cursor_seen: bool = False  # a cursor key was present (even null): cursor pagination
    next_cursor: str | None = None
    total: int | None = None
    page: int | None = None
    page_size: int | None = None
    count: int | None = None  # known ahead for a streamed page; else len(items)
    fingerprint: str | None = None  # known ahead for a streamed page

    def size(self) -> int:
        if self.count is not None:
            return self.count
        return len(self.items) if isinstance(self.items, list) else 0


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
    max_pages: int | None = None,
    meter: ListingMeter | None = None,
) -> Iterator[Any]:
    """Yield every item of every page, once each (by id), stopping on the first sign of the end.

    Page numbers are sent as ``page`` with the size as both ``pageSize`` and ``page_size``
    (the V1 API used the latter); once a response carries a cursor, ``cursor=`` is sent
    instead. The end is an empty page, ``hasMore: false``, a null cursor, ``total``
    reached, a short page (unless ``hasMore`` says otherwise), or a page we have already
    seen (a server ignoring our paging would otherwise loop forever; ``meter`` hears of it).
    Past the ``meter``'s budget (pages, items, bytes, time) :class:`ListingStopped` is
    raised. ``fetch`` may return a :class:`StreamedBody` for a large page.
    """
    if meter is None:
        budget = ListingBudget(max_pages=max_pages) if max_pages else ListingBudget()
        meter = ListingMeter("items", budget)
    base = dict(params or {})
    page_number = 1
    cursor: str | None = None
    received = 0
    seen_pages: set[str] = set()
    seen_cursors: set[str] = set()
    seen_ids: set[str] = set()
    effective_size = page_size
    while True:
        query = {**base, "pageSize": page_size, "page_size": page_size}
        if cursor is not None:
            query["cursor"] = cursor
        else:
            query["page"] = page_number
        meter.add_page()
        body = fetch(query)
        streamed = body if isinstance(body, StreamedBody) else None
        try:
            page = (
                parse_streamed_page(streamed, plural_keys)
                if streamed is not None
                else parse_page(body, plural_keys)
            )
            count = page.size()
            if not count:
                return
            fingerprint = page.fingerprint or _fingerprint(list(page.items))
            if fingerprint in seen_pages:
                meter.tell(
                    f"The server sent the same page of {meter.what} twice; the listing"
                    " stopped there."
                )
                return
            seen_pages.add(fingerprint)
            received += count
            # Asked for page N (N > 1), told page M: the server clamps or ignores our paging.
            if cursor is None and page_number > 1 and page.page not in (None, page_number):
                meter.tell(
                    f"Asked for page {page_number} of {meter.what}, the server sent page"
                    f" {page.page}; the listing stopped there."
                )
                return
            for item in page.items:
                meter.add_item()
                item_id = item.get("id") if isinstance(item, dict) else None
                if item_id is not None:
                    if str(item_id) in seen_ids:
                        continue
                    seen_ids.add(str(item_id))
                yield item
        finally:
            if streamed is not None:
                streamed.close()
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
        elif count > effective_size:
            effective_size = count  # the server ignores our size: learn its own
        if page.has_more is not True and count < effective_size:
            return
        page_number += 1


@dataclass(frozen=True, slots=True)
class ListingBudget:
    """The most one listing may take before it is stopped with a clear message."""

    max_pages: int = 2_000
    max_items: int = 2_000_000
    max_bytes: int = 2 * 1024**3
    max_seconds: float = 1800.0
    progress_after: float = 3.0  # seconds before the first progress line
    progress_every: float = 5.0


class ListingMeter:
    """Counts one listing's pages, items and bytes against a :class:`ListingBudget`, and
    tells ``notify`` (the CLI prints it on stderr) how far it got once it takes a while."""

    def __init__(
        self,
        what: str,
        budget: ListingBudget | None = None,
        notify: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.budget = budget or ListingBudget()
        self.notify = notify
        self._clock = clock
        self.started = clock()
        self._next_progress = self.started + self.budget.progress_after
        self.pages = 0
        self.items = 0
        self.bytes = 0

    def _so_far(self) -> str:
        return (
            f"{self.pages} page(s), {self.items} item(s),"
            f" {human_size(self.bytes)} in {self._clock() - self.started:.0f} s"
        )

    def _stop(self, reason: str) -> ListingStopped:
        log.warning("Listing of %s stopped: %s", self.what, reason)
        return ListingStopped(f"Stopped listing {self.what}: {reason} ({self._so_far()}).")

    def tell(self, text: str) -> None:
        log.warning("%s", text)
        if self.notify is not None:
            self.notify(text)

    def tick(self) -> None:
        now = self._clock()
        if now - self.started > self.budget.max_seconds:
            raise self._stop(f"it took longer than {self.budget.max_seconds:.0f} s")
        if self.notify is not None and now >= self._next_progress:
            self._next_progress = now + self.budget.progress_every
            self.notify(f"Listing {self.what}: {self._so_far()} so far…")

    def add_bytes(self, count: int) -> None:
        self.bytes += count
        if self.bytes > self.budget.max_bytes:
            raise self._stop(f"the server sent more than {human_size(self.budget.max_bytes)}")
        self.tick()

    def add_page(self) -> None:
        self.pages += 1
        if self.pages > self.budget.max_pages:
            raise self._stop(f"the server kept sending new pages past {self.budget.max_pages}")
        self.tick()

    def add_item(self) -> None:
        self.items += 1
        if self.items > self.budget.max_items:
            raise self._stop(f"the server listed more than {self.budget.max_items} items")
        if not self.items % 1024:
            self.tick()


class StreamedBody:
    """A response body too large to parse in memory, spilled to an anonymous temp file
    (unlinked at creation: nothing is left behind, even after a kill)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def close(self) -> None:
        self.handle.close()


_SCALARS = ("string", "number", "boolean", "null")
_MAX_HINTS = 1000


def parse_streamed_page(body: StreamedBody, plural_keys: Sequence[str] = ()) -> Page:
    """Like :func:`parse_page` for a spilled body, with items read lazily by ``ijson``.

    A first pass collects the envelope (lists and hints down to depth 2, an item count and
    an id fingerprint); the items are then streamed one by one, never all in memory.
    """
    import ijson  # only large pages need it

    handle = body.handle
    handle.seek(0)
    skeleton: Any = None
    arrays: dict[str, list[Any]] = {}
    counts: dict[str, int] = {}
    ids: dict[str, Any] = {}
    hints = 0
    try:
        for prefix, event, value in ijson.parse(handle, use_float=True):
            depth = prefix.count(".") + 1 if prefix else 0
            if prefix.endswith(".item") or prefix == "item":
                parent = prefix[: -len(".item")] if prefix != "item" else ""
                if parent in arrays and event in ("start_map", "start_array", *_SCALARS):
                    counts[parent] = counts.get(parent, 0) + 1
                    if event != "start_map" and not arrays[parent]:
                        arrays[parent].append(None)  # not a list of objects
                continue
            if prefix.endswith(".item.id") and event in ("string", "number"):
                parent = prefix[: -len(".item.id")]
                if parent in ids:
                    ids[parent].update(f"{value}\x1f".encode())
                continue
            if depth > 2 or "item" in prefix.split("."):
                continue
            if event == "start_array" and (prefix == "" or depth <= 2):
                arrays[prefix] = []
                ids[prefix] = hashlib.sha256()
                if prefix == "":
                    skeleton = arrays[prefix]
                else:
                    skeleton = skeleton if isinstance(skeleton, dict) else {}
                    _place(skeleton, prefix, arrays[prefix])
            elif event == "start_map" and prefix == "":
                skeleton = {}
            elif event in _SCALARS and prefix and isinstance(skeleton, dict):
                hints += 1
                if hints <= _MAX_HINTS:
                    _place(skeleton, prefix, value)
    except ijson.JSONError as exc:
        raise ValueError(f"the response is not valid JSON ({exc})") from None
    if skeleton is None:
        raise ValueError("expected a JSON array or object")
    shape = parse_page(skeleton, plural_keys)
    path = next((p for p, a in arrays.items() if a is shape.items), "")
    fingerprint = ids[path].hexdigest() if path in ids else ""

    def stream() -> Iterator[Any]:
        handle.seek(0)
        yield from ijson.items(handle, f"{path}.item" if path else "item", use_float=True)

    return Page(
        items=stream(),
        has_more=shape.has_more,
        cursor_seen=shape.cursor_seen,
        next_cursor=shape.next_cursor,
        total=shape.total,
        page=shape.page,
        page_size=shape.page_size,
        count=counts.get(path, 0),
        fingerprint=f"{counts.get(path, 0)}:{fingerprint}",
    )


def _place(skeleton: dict[str, Any], prefix: str, value: Any) -> None:
    head, _, rest = prefix.partition(".")
    if not rest:
        skeleton[head] = value
        return
    inner = skeleton.setdefault(head, {})
    if isinstance(inner, dict):
        inner[rest] = value
