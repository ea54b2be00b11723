"""Pagination: every envelope and stop signal, and the guards against servers that never stop."""

from __future__ import annotations

from typing import Any

import pytest

from artifact_viewer.core.errors import ListingStopped
from artifact_viewer.core.paging import iter_items, parse_page

ITEMS = [{"id": f"id-{i}"} for i in range(7)]


class PagedServer:
    """Serves ITEMS by page number, wrapping each page with ``wrap``; records every query."""

    def __init__(self, wrap, items: list[dict[str, Any]] = ITEMS) -> None:
        self.wrap = wrap
        self.items = items
        self.queries: list[dict[str, Any]] = []

    def __call__(self, query: dict[str, Any]) -> Any:
        self.queries.append(dict(query))
        page, size = int(query["page"]), int(query["pageSize"])
        chunk = self.items[(page - 1) * size : page * size]
        return self.wrap(chunk, page, size, len(self.items))


def ids(items) -> list[str]:
    return [i["id"] for i in items]


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda c, p, s, t: c, id="bare-array"),
        pytest.param(lambda c, p, s, t: {"data": c}, id="data"),
        pytest.param(lambda c, p, s, t: {"items": c}, id="items"),
        pytest.param(lambda c, p, s, t: {"results": c}, id="results"),
        pytest.param(lambda c, p, s, t: {"workflowRuns": c, "count": len(c)}, id="plural"),
        pytest.param(lambda c, p, s, t: {"data": {"items": c, "total": t}}, id="nested"),
        pytest.param(
            lambda c, p, s, t: {"data": c, "pagination": {"page": p, "pageSize": s, "total": t}},
            id="pagination-total",
        ),
    ],
)
def test_every_envelope_yields_all_items_in_order(wrap) -> None:
    server = PagedServer(wrap)
    got = list(iter_items(server, page_size=3, plural_keys=("workflowRuns",)))
    assert ids(got) == ids(ITEMS)


def test_short_page_stops_without_another_request() -> None:
    server = PagedServer(lambda c, p, s, t: c)
    list(iter_items(server, page_size=3))
    assert [q["page"] for q in server.queries] == [1, 2, 3]  # 3 + 3 + 1 (short)


def test_exact_multiple_ends_on_empty_page() -> None:
    server = PagedServer(lambda c, p, s, t: c, items=ITEMS[:6])
    got = list(iter_items(server, page_size=3))
    assert len(got) == 6
    assert [q["page"] for q in server.queries] == [1, 2, 3]


def test_total_reached_stops_before_an_empty_page() -> None:
    server = PagedServer(lambda c, p, s, t: {"data": c, "total": t}, items=ITEMS[:6])
    list(iter_items(server, page_size=3))
    assert [q["page"] for q in server.queries] == [1, 2]


def test_has_more_false_stops_on_a_full_page() -> None:
    server = PagedServer(lambda c, p, s, t: {"data": c, "hasMore": False})
    got = list(iter_items(server, page_size=3))
    assert ids(got) == ids(ITEMS[:3])
    assert len(server.queries) == 1


def test_has_more_true_continues_past_a_short_page() -> None:
    # A server that caps pages at 2 whatever we ask, but says there is more.
    def fetch(query):
        page = int(query["page"])
        chunk = ITEMS[(page - 1) * 2 : page * 2]
        return {"items": chunk, "hasMore": page * 2 < len(ITEMS)}

    assert ids(iter_items(fetch, page_size=5)) == ids(ITEMS)


def test_page_size_is_sent_in_both_spellings_with_filters() -> None:
    server = PagedServer(lambda c, p, s, t: c)
    list(iter_items(server, page_size=3, params={"workflowId": "w1"}))
    first = server.queries[0]
    assert first == {"workflowId": "w1", "pageSize": 3, "page_size": 3, "page": 1}


def test_server_echoing_a_smaller_page_size_is_believed() -> None:
    def fetch(query):
        page = int(query["page"])
        chunk = ITEMS[(page - 1) * 2 : page * 2]
        return {"data": chunk, "pagination": {"page": page, "pageSize": 2}}

    assert ids(iter_items(fetch, page_size=50)) == ids(ITEMS)


def test_server_ignoring_our_page_size_with_bigger_pages_is_followed() -> None:
    items = [{"id": f"x{i}"} for i in range(25)]

    def fetch(query):
        page = int(query["page"])
        return items[(page - 1) * 10 : page * 10]  # always 10, whatever we ask

    assert len(list(iter_items(fetch, page_size=4))) == 25


def test_cursor_pagination_sends_cursor_back_and_stops_on_null() -> None:
    pages = {
        None: {"data": ITEMS[:3], "nextCursor": "c2"},
        "c2": {"data": ITEMS[3:6], "nextCursor": "c3"},
        "c3": {"data": ITEMS[6:], "nextCursor": None},
    }
    queries = []

    def fetch(query):
        queries.append(query)
        return pages[query.get("cursor")]

    assert ids(iter_items(fetch, page_size=3)) == ids(ITEMS)
    assert [q.get("cursor") for q in queries] == [None, "c2", "c3"]
    assert "page" not in queries[1]


def test_cursor_in_pagination_object_with_has_more() -> None:
    def fetch(query):
        if query.get("cursor") is None:
            return {"results": ITEMS[:4], "meta": {"cursor": "next", "hasMore": True}}
        return {"results": ITEMS[4:], "meta": {"cursor": None, "hasMore": False}}

    assert ids(iter_items(fetch, page_size=4)) == ids(ITEMS)


def test_repeated_cursor_does_not_loop_forever() -> None:
    calls = []

    def fetch(query):
        calls.append(query)
        n = len(calls)
        return {"data": [{"id": f"p{n}"}], "nextCursor": "same"}

    got = list(iter_items(fetch, page_size=1))
    assert ids(got) == ["p1", "p2"]
    assert len(calls) == 2


def test_server_repeating_the_same_page_forever_is_stopped() -> None:
    calls = []

    def fetch(query):
        calls.append(query)
        return {"data": ITEMS[:3], "hasMore": True}  # ignores `page` entirely

    got = list(iter_items(fetch, page_size=3))
    assert ids(got) == ids(ITEMS[:3])
    assert len(calls) == 2


def test_page_number_clamped_by_server_stops() -> None:
    def fetch(query):
        # Asked beyond the end, the server answers its last page again but with another item set.
        page = min(int(query["page"]), 2)
        return {"data": [{"id": f"{query['page']}-{i}"} for i in range(2)], "page": page}

    got = list(iter_items(fetch, page_size=2))
    assert ids(got) == ["1-0", "1-1", "2-0", "2-1"]


def test_duplicate_ids_across_pages_are_yielded_once() -> None:
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "b"}, {"id": "c"}], []]

    def fetch(query):
        return pages[int(query["page"]) - 1]

    assert ids(iter_items(fetch, page_size=2)) == ["a", "b", "c"]


def test_max_pages_stops_a_server_that_never_ends_with_a_clear_error() -> None:
    got = []

    def fetch(query):
        return {"data": [{"id": f"p{query['page']}"}], "hasMore": True}

    with pytest.raises(ListingStopped, match="kept sending new pages past 5"):
        got.extend(iter_items(fetch, page_size=1, max_pages=5))
    assert len(got) == 5


def test_iteration_is_lazy_and_stops_when_the_consumer_does() -> None:
    server = PagedServer(lambda c, p, s, t: c)
    first = next(iter(iter_items(server, page_size=3)))
    assert first == ITEMS[0]
    assert len(server.queries) == 1


@pytest.mark.parametrize("body", ["text", 42, None, {"nothing": "here"}, {"a": [1], "b": [2]}])
def test_unrecognisable_body_is_a_value_error(body) -> None:
    with pytest.raises(ValueError):
        parse_page(body)


def test_parse_page_reads_hints_under_several_spellings() -> None:
    page = parse_page(
        {"items": [{"id": 1}], "page_info": {"has_next_page": "false", "total_count": "9"}}
    )
    assert page.has_more is False
    assert page.total == 9
