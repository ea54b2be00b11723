"""The preview host and an encrypted file still being decrypted behind its first screen:
the text views start at once, every other view once all of it is in."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from artifact_viewer.core.crypto import memfile
from artifact_viewer.core.crypto.chunks import ChunkEncryptor, open_checked
from artifact_viewer.core.crypto.memfile import PlaintextViews, filling_of, memfd_supported
from artifact_viewer.previews.host import PreviewHost

pytestmark = pytest.mark.skipif(not memfd_supported(), reason="needs os.memfd_create")

MASTER = bytes(range(32))
CHUNK = 4096


@pytest.fixture(autouse=True)
def small_sizes(monkeypatch):
    monkeypatch.setattr(memfile, "HEAD_BYTES", CHUNK)
    monkeypatch.setattr(memfile, "PROGRESSIVE_MIN", 0)


class Later:
    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def __call__(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def run(self) -> None:
        for job in self.jobs:
            job()


def progressive(tmp_path: Path, data: bytes, later: Later) -> tuple[Path, PlaintextViews]:
    out = io.BytesIO()
    sink = ChunkEncryptor(MASTER, out.write, chunk_size=CHUNK)
    sink.write(data)
    sink.finish()
    blob = tmp_path / "blob.enc"
    blob.write_bytes(out.getvalue())
    views = PlaintextViews(start_filling=later)
    path = views.path_for("d" * 64, lambda: open_checked(blob, MASTER), progressive=True)
    assert filling_of(path) is not None
    return path, views


@pytest.fixture
def host(qtbot):
    widget = PreviewHost()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    return widget


def test_a_log_shows_while_the_rest_is_decrypted(qtbot, host, tmp_path: Path) -> None:
    data = "".join(f"{i:05d} INFO step {i} done\n" for i in range(4000)).encode()
    later = Later()
    path, views = progressive(tmp_path, data, later)
    host.show_file(path, "text/plain", "run.log")
    qtbot.waitUntil(lambda: host.previewer() is not None, timeout=20_000)
    assert host.current_kind() == "log" and filling_of(path) is not None
    doc = host.previewer().document
    qtbot.waitUntil(lambda: doc() is not None, timeout=20_000)
    assert doc().line_at(0)[0] == "00000 INFO step 0 done"
    later.run()
    qtbot.waitUntil(lambda: not host.is_loading(), timeout=20_000)
    assert doc().line_at(data.index(b"03999"))[0] == "03999 INFO step 3999 done"
    host.clear()
    views.forget()


def test_other_views_wait_for_the_whole_file(qtbot, host, tmp_path: Path) -> None:
    data = json.dumps([{"id": i, "name": f"row {i}"} for i in range(2000)]).encode()
    later = Later()
    path, views = progressive(tmp_path, data, later)
    host.show_file(path, "application/json", "rows.json")
    qtbot.waitUntil(lambda: host.current_kind() == "json", timeout=20_000)
    qtbot.wait(200)
    assert host.previewer() is None and host.is_loading()  # nothing parses half a file
    later.run()
    qtbot.waitUntil(lambda: host.previewer() is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not host.is_loading(), timeout=20_000)
    assert host.last_error() == ""
    host.clear()
    views.forget()
