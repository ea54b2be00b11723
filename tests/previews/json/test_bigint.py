"""Big integers after an orjson parse: found by their digit runs, put back exactly in place."""

from __future__ import annotations

import json
import random

import orjson
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.previews.json.bigint import long_digit_runs, restore_big_ints


def test_digit_runs_are_reported_whole_once_also_across_chunk_edges() -> None:
    data = b'{"a": 123456789012345678901234, "b": "x", "c": -98765432109876543210}'
    runs = [data[s:e] for s, e in long_digit_runs(data)]
    assert runs == [b"123456789012345678901234", b"98765432109876543210"]
    assert [data[s:e] for s, e in long_digit_runs(data, chunk_size=7)] == runs
    assert list(long_digit_runs(b"123456789012345678 ok")) == []  # 18 digits: too short
    assert list(long_digit_runs(b"")) == []


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 123456789012345678901234567890, "m": -123456789012345678901234567890}',
        "[1, 18446744073709551616, -9223372036854775809, 2.5]",
        # runs that are not integers: inside strings, fractions, exponents, mantissas
        '{"id": "123456789012345678901234567890", "f": 0.123456789012345678901234,'
        ' "e": 1e-123456789012345678901, "g": 123456789012345678901234.5,'
        ' "h": 1.5e-1234567890123456789, "big": 99999999999999999999999}',
        '{"deep": [[[{"x": [340282366920938463463374607431768211457]}]]]}',
    ],
)
def test_restored_document_equals_the_exact_stdlib_parse(text) -> None:
    try:
        expected = json.loads(text)
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pytest.skip("orjson refuses this literal; the stdlib path handles it")
    if restore_big_ints(value, text.encode(), CancelToken()):
        assert value == expected
        assert json.dumps(value) == json.dumps(expected)  # ints stay ints, floats floats


def test_random_records_with_big_ids_match_the_stdlib() -> None:
    rng = random.Random(11)
    records = [
        {
            "id": rng.choice([rng.randrange(10**25), -rng.randrange(10**22), rng.randrange(999)]),
            "ref": str(rng.randrange(10**30)),
            "amount": rng.random() * 10**6,
        }
        for _ in range(500)
    ]
    data = json.dumps(records).encode()
    value = orjson.loads(data)
    assert restore_big_ints(value, data, CancelToken())
    assert value == json.loads(data)


def test_two_integers_rounding_to_one_float_ask_for_the_exact_parse() -> None:
    data = b"[123456789012345678901234567890, 123456789012345678901234567891]"
    value = orjson.loads(data)
    assert value[0] == value[1]  # orjson rounded both to the same float
    assert restore_big_ints(value, data, CancelToken()) is False


def test_a_lone_big_number_asks_for_the_exact_parse() -> None:
    data = b"123456789012345678901234567890"
    assert restore_big_ints(orjson.loads(data), data, CancelToken()) is False


def test_restoring_stops_when_cancelled() -> None:
    data = json.dumps([10**25 + i for i in range(5000)]).encode()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        restore_big_ints(orjson.loads(data), data, token)
