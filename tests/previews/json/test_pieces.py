"""Piecewise parsing of big top-level arrays gives exactly what one whole parse gives."""

from __future__ import annotations

import json

import orjson
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.previews.json.pieces import loads_array_in_pieces
from tests.previews import samples


def tricky_records(count: int) -> list[object]:
    """Records whose strings and nested arrays contain separator look-alikes."""
    return [
        {
            "id": i,
            "note": 'ends with }, { and "quotes" and a backslash \\',
            "pay": [{"n": i}, {"n": i + 1}],
            "grid": [[1, 2], [3, 4]],
            "text": "},{" * (i % 3),
        }
        for i in range(count)
    ]


@pytest.mark.parametrize("indent", [None, 2])
def test_pieces_equal_one_whole_parse(indent):
    data = json.dumps(tricky_records(300), indent=indent).encode()
    marks: list[int] = []
    pieces = loads_array_in_pieces(data, CancelToken(), lambda done, total: marks.append(done), 512)
    assert pieces == orjson.loads(data)
    assert len(marks) > 10 and marks == sorted(marks)  # really parsed piece by piece


def test_array_of_arrays_and_of_scalars():
    nested = json.dumps([[i, [i]] for i in range(500)]).encode()
    assert loads_array_in_pieces(nested, CancelToken(), piece=256) == orjson.loads(nested)
    # Scalars have no separators to split at: one piece, so the caller parses it whole.
    assert (
        loads_array_in_pieces(json.dumps(list(range(500))).encode(), CancelToken(), piece=64)
        is None
    )


def test_not_an_array_or_invalid_gives_none():
    assert loads_array_in_pieces(b'{"a": [1, 2]}', CancelToken(), piece=4) is None
    broken = json.dumps(samples.employees(50)).encode()[:-1] + b",]"
    assert loads_array_in_pieces(broken, CancelToken(), piece=500) is None


def test_cancel_between_pieces():
    data = json.dumps(samples.employees(100)).encode()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        loads_array_in_pieces(data, token, piece=500)
