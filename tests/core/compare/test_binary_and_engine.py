"""Binary diff, kind detection, different kinds, the memory bound and cancelling."""

from __future__ import annotations

import json

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare import (
    BinaryDiff,
    CompareOptions,
    TooBigToCompare,
    compare_files,
    compare_kind,
)
from artifact_viewer.core.compare.binary import CHUNK
from artifact_viewer.core.errors import Cancelled


def test_binary_reports_sizes_hashes_and_hex_around_the_first_difference(tmp_path) -> None:
    data = bytes(range(256)) * (CHUNK // 128)  # spans chunks
    changed = bytearray(data)
    changed[CHUNK + 5] ^= 0xFF
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"\x00\x01" + data)
    b.write_bytes(b"\x00\x01" + bytes(changed) + b"tail")
    result = compare_files(a, b)
    assert isinstance(result, BinaryDiff)
    offset = CHUNK + 7
    assert result.first_difference == offset
    assert result.size_b - result.size_a == 4
    assert result.hex_offset == offset - 8
    assert result.hex_a.split()[8] == f"{(CHUNK + 5) % 256:02x}"
    assert result.hex_b.split()[8] == f"{((CHUNK + 5) % 256) ^ 0xFF:02x}"
    assert result.sha256_a != result.sha256_b and not result.identical


def test_a_shorter_file_differs_where_it_ends(tmp_path) -> None:
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"\x00abc")
    b.write_bytes(b"\x00abcdef")
    assert compare_files(a, b).first_difference == 4


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("x.csv", "a,b\n1,2\n", "table"),
        ("x.txt", "id\tname\n1\tAnn\n2\tBob\n", "table"),
        ("x.dat", '{"a": 1}', "json"),
        ("x.log", "2026-01-01 10:00:00 INFO start\n2026-01-01 10:00:01 INFO end\n", "text"),
        ("x.xml", "<a><b/></a>", "text"),
    ],
)
def test_kinds_are_sniffed_from_content_and_name(tmp_path, name, content, kind) -> None:
    a = tmp_path / name
    a.write_text(content)
    assert compare_kind(a, a) == (kind, None)


def test_files_of_different_kinds_compare_as_binary_with_a_note(tmp_path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.csv"
    a.write_text(json.dumps({"a": 1}))
    b.write_text("a,b\n1,2\n")
    result = compare_files(a, b)
    assert result.kind == "binary"
    assert result.notes == [
        "The files are of different kinds (A: json, B: table): compared as binary."
    ]
    assert result.to_json()["summary"]["notes"] == result.notes


def test_too_big_for_memory_says_so_before_reading(tmp_path, monkeypatch) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,v\n" + "".join(f"{i},x\n" for i in range(2000)))
    b.write_text("id,v\n1,y\n")
    import artifact_viewer.core.compare.table as table

    def never(*_args, **_kw):
        raise AssertionError("read before the size check")

    monkeypatch.setattr(table, "read_table", never)
    with pytest.raises(TooBigToCompare, match="too big to compare as table in memory"):
        compare_files(a, b, CompareOptions(memory_limit=10_000))


def test_binary_files_of_any_size_are_streamed_not_bounded(tmp_path) -> None:
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"\x00" * 50_000)
    b.write_bytes(b"\x00" * 50_000)
    assert compare_files(a, b, CompareOptions(memory_limit=10)).identical


def test_cancel_stops_the_work_and_leaves_nothing_behind(tmp_path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("".join(f"{i}\n" for i in range(10_000)))
    b.write_text("".join(f"{i * 2}\n" for i in range(10_000)))
    before = sorted(tmp_path.iterdir())
    token = CancelToken()
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None) -> None:
        seen.append((done, total))
        if done >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        compare_files(a, b, progress=progress, cancel=token)
    assert seen and seen[-1][1] == 100
    assert sorted(tmp_path.iterdir()) == before


def test_progress_reaches_the_total(tmp_path) -> None:
    a = tmp_path / "a.json"
    a.write_text("[1, 2]")
    seen: list[int] = []
    compare_files(a, a, progress=lambda done, total: seen.append(done))
    assert seen[-1] == 100 and seen == sorted(seen)
