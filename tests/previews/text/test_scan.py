"""Literal byte search by rare anchors: the same hits as a naive scan, whichever path runs."""

from __future__ import annotations

import random
import re
import threading

import numpy as np
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.previews.text import scan as textscan
from artifact_viewer.previews.text.document import TextDocument
from artifact_viewer.previews.text.scan import Needle, NeedleSet, byte_counts
from tests.previews import samples


def naive(data: bytes, needle: bytes, fold: bool) -> list[int]:
    """Every (overlapping) start of ``needle``, the slow obvious way."""
    hay, pin = (data.lower(), needle.lower()) if fold else (data, needle)
    return [i for i in range(len(hay) - len(pin) + 1) if hay.startswith(pin, i)]


def find_all(data: bytes, needle: Needle | NeedleSet, step: int) -> list[int]:
    view = np.frombuffer(data, dtype=np.uint8)
    out: list[int] = []
    for pos in range(0, len(data), step):
        out += needle.find(view, data, pos, min(len(data), pos + step)).tolist()
    return out


def corpus(seed: int, size: int = 20_000) -> bytes:
    rng = random.Random(seed)
    words = [b"ERROR", b"error", b"Err", b"aaa", b"aaaa", b"level=error", b"x", b"\n", b" "]
    return b"".join(rng.choice(words) for _ in range(size // 4))[:size]


@pytest.mark.parametrize("memchr_max", [0, 10**9], ids=["numpy", "memchr"])
@pytest.mark.parametrize("fold", [False, True])
@pytest.mark.parametrize("needle", [b"ERROR", b"aa", b"x", b"level=error", b"rror\nx"])
def test_finds_every_overlapping_hit_like_a_naive_scan(monkeypatch, memchr_max, fold, needle):
    monkeypatch.setattr(textscan, "MEMCHR_MAX", memchr_max)
    data = corpus(len(needle))
    finder = Needle(needle, fold, byte_counts(data, 0, len(data)))
    # A step that does not divide the data: hits straddle every step edge.
    assert find_all(data, finder, 997) == naive(data, needle, fold)


def test_hit_touching_the_last_byte_is_found_and_nothing_reads_past_the_end() -> None:
    data = b"xxxxERROR"
    finder = Needle(b"ERROR", False, byte_counts(data, 0, len(data)))
    assert find_all(data, finder, 4) == [4]
    assert find_all(b"ERRO", Needle(b"ERROR", False, byte_counts(data, 0, 9)), 2) == []


def test_common_anchor_switches_from_find_to_numpy_and_back(monkeypatch) -> None:
    # The sample says "rare", the middle of the data says otherwise: every hit is still found.
    monkeypatch.setattr(textscan, "MEMCHR_MAX", 8)
    data = b"." * 5000 + b"Z" * 3000 + b"." * 5000 + b"Z." * 10
    counts = byte_counts(b"." * 100, 0, 100)
    finder = Needle(b"Z", False, counts)
    assert find_all(data, finder, 512) == naive(data, b"Z", False)


def test_case_folding_is_ascii_only_like_bytes_lower() -> None:
    data = "ÉCOLE école ECOLE".encode()
    finder = Needle("école".encode(), True, byte_counts(data, 0, len(data)))
    # "É" is two bytes that bytes.lower() leaves alone: only "école" itself matches.
    expected = [data.index("école".encode())]
    assert find_all(data, finder, 4) == naive(data, "école".encode(), True) == expected


def test_needle_set_finds_the_union_of_its_needles_sorted() -> None:
    data = corpus(7, 30_000)
    needles = [b"ERROR", b"level=error", b"Err", b"rror", b"xx"]
    found = find_all(data, NeedleSet(needles, byte_counts(data, 0, len(data))), 1000)
    expected = sorted(i for n in needles for i in naive(data, n, False))
    assert found == expected


def test_needle_set_shares_one_anchor_among_needles_that_contain_it() -> None:
    data = b"level error fatal critical\n" * 500 + b"level=error level=fatal\n"
    needles = [b"level=error", b"level=fatal", b"level=critical"]
    groups = NeedleSet(needles, byte_counts(data, 0, len(data))).groups
    assert len(groups) == 1
    assert list(groups) == [ord("=")]
    assert sorted(n.raw for g in groups.values() for n in g) == sorted(needles)


def test_document_search_agrees_with_a_regex_count_on_a_log(tmp_path) -> None:
    path = samples.write_log(tmp_path / "a.log", 2000)
    data = path.read_bytes()
    doc = TextDocument.open(path)
    for query, case in (("ERROR", True), ("error", False), ("row=1", True), ("nope", True)):
        result = doc.search(query, case, lambda d, t: None, CancelToken())
        flags = 0 if case else re.IGNORECASE
        expected = [
            m.start() for m in re.finditer(b"(?=" + re.escape(query.encode()) + b")", data, flags)
        ]
        assert result.offsets.tolist() == expected and result.total == len(expected)


def test_error_scan_waits_while_a_search_runs_and_then_finishes(tmp_path) -> None:
    doc = TextDocument.open(samples.write_log(tmp_path / "a.log", 200))
    may_run = threading.Event()
    out: list[np.ndarray] = []
    scan = threading.Thread(
        target=lambda: out.append(doc.scan_errors(lambda d, t: None, CancelToken(), may_run))
    )
    scan.start()
    scan.join(0.3)
    assert scan.is_alive() and not out  # held back while the "search" runs
    may_run.set()
    scan.join(10)
    assert not scan.is_alive()
    assert out[0].tolist() == doc.scan_errors(lambda d, t: None, CancelToken()).tolist()


def test_error_scan_held_back_still_stops_when_cancelled(tmp_path) -> None:
    doc = TextDocument.open(samples.write_log(tmp_path / "a.log", 50))
    token = CancelToken()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            doc.scan_errors(lambda d, t: None, token, threading.Event())
        except Cancelled as exc:
            errors.append(exc)

    scan = threading.Thread(target=run)
    scan.start()
    token.cancel()
    scan.join(10)
    assert not scan.is_alive() and errors
