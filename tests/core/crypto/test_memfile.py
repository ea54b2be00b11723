"""Memory files for decrypted blobs: reused, kept while a path may still be opened, bounded."""

from __future__ import annotations

import io
import os

import pytest

from artifact_viewer.core.crypto.memfile import PlaintextViews, memfd_supported

pytestmark = pytest.mark.skipif(not memfd_supported(), reason="needs os.memfd_create")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_same_blob_gives_the_same_path_and_decrypts_once() -> None:
    views = PlaintextViews()
    opened: list[str] = []

    def opener():
        opened.append("x")
        return io.BytesIO(b"plaintext")

    first = views.path_for("a" * 64, opener)
    again = views.path_for("a" * 64, opener)
    assert first == again and opened == ["x"]
    assert first.read_bytes() == b"plaintext"
    assert not str(first).startswith(os.environ["ARTIFACT_VIEWER_HOME"])
    views.forget()


def test_paths_stay_valid_for_min_age_then_only_the_newest_are_kept() -> None:
    clock = Clock()
    views = PlaintextViews(keep=2, min_age=60, clock=clock)
    paths = [views.path_for(f"{i:064x}", lambda i=i: io.BytesIO(b"v%d" % i)) for i in range(4)]
    assert [p.read_bytes() for p in paths] == [b"v0", b"v1", b"v2", b"v3"]  # all still open
    clock.now = 61
    newest = views.path_for(f"{9:064x}", lambda: io.BytesIO(b"v9"))
    assert newest.read_bytes() == b"v9"
    kept = [p for p in paths if p.exists()]
    assert len(kept) <= 1  # the oldest went; the newest two (v3, v9) stay
    assert paths[3].read_bytes() == b"v3"
    views.forget()
    assert not newest.exists()


def test_past_the_byte_limit_files_older_than_a_few_seconds_go() -> None:
    clock = Clock()
    views = PlaintextViews(keep=10, min_age=60, max_bytes=10, clock=clock)
    old = views.path_for("1" * 64, lambda: io.BytesIO(b"x" * 8))
    clock.now = 6
    views.path_for("2" * 64, lambda: io.BytesIO(b"y" * 8))
    assert not old.exists()
    views.forget()
