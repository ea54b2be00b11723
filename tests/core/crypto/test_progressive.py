"""Progressive memory files: an encrypted file's first screen is readable at once, the rest
follows in order, and no reader ever gets a byte before it is decrypted."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from artifact_viewer.core.crypto import memfile
from artifact_viewer.core.crypto.chunks import HEADER, TAG, ChunkEncryptor, open_checked
from artifact_viewer.core.crypto.memfile import PlaintextViews, filling_of, memfd_supported
from artifact_viewer.core.errors import CacheError

pytestmark = pytest.mark.skipif(not memfd_supported(), reason="needs os.memfd_create")

MASTER = bytes(range(32))
CHUNK = 4096
SHA = "c" * 64


@pytest.fixture(autouse=True)
def small_sizes(monkeypatch):
    monkeypatch.setattr(memfile, "HEAD_BYTES", 2 * CHUNK)
    monkeypatch.setattr(memfile, "PROGRESSIVE_MIN", 0)


def log_bytes(lines: int = 3000) -> bytes:
    return "".join(f"{i:06d} INFO request served in {i % 97} ms\n" for i in range(lines)).encode()


def encrypted(tmp_path: Path, data: bytes) -> Path:
    out = io.BytesIO()
    sink = ChunkEncryptor(MASTER, out.write, chunk_size=CHUNK)
    sink.write(data)
    sink.finish()
    path = tmp_path / "blob.enc"
    path.write_bytes(out.getvalue())
    return path


class Later:
    """Holds the filler's job until the test runs it."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def __call__(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def run(self) -> None:
        for job in self.jobs:
            job()


def test_head_and_tail_come_at_once_and_the_rest_after_the_filler(tmp_path: Path) -> None:
    data = log_bytes()
    path = encrypted(tmp_path, data)
    later = Later()
    views = PlaintextViews(start_filling=later)
    shown = views.path_for(SHA, lambda: open_checked(path, MASTER), progressive=True)
    filling = filling_of(shown)
    assert filling is not None and not filling.complete
    with shown.open("rb") as fh:
        assert fh.read(2 * CHUNK) == data[: 2 * CHUNK]
        tail = len(data) - len(data) % CHUNK
        fh.seek(tail)
        assert fh.read() == data[tail:]
    assert filling.wait(0, 2 * CHUNK, timeout=0)
    assert not filling.wait(2 * CHUNK, 3 * CHUNK, timeout=0)  # not decrypted yet
    later.run()
    assert filling.complete and filling_of(shown) is None
    assert shown.read_bytes() == data
    views.forget()


def test_a_whole_file_request_waits_for_a_progressive_one_to_fill(tmp_path: Path) -> None:
    data = log_bytes()
    path = encrypted(tmp_path, data)
    go = threading.Event()

    def start(job: Callable[[], None]) -> None:
        def run() -> None:
            go.wait(10)
            job()

        threading.Thread(target=run, daemon=True).start()

    views = PlaintextViews(start_filling=start)
    first = views.path_for(SHA, lambda: open_checked(path, MASTER), progressive=True)
    threading.Timer(0.05, go.set).start()
    whole = views.path_for(SHA, lambda: open_checked(path, MASTER))
    assert whole == first and whole.read_bytes() == data
    views.forget()


def test_a_damaged_chunk_makes_waiting_readers_fail_not_read_zeros(tmp_path: Path) -> None:
    data = log_bytes()
    path = encrypted(tmp_path, data)
    raw = bytearray(path.read_bytes())
    raw[HEADER + 4 * (CHUNK + TAG) + 10] ^= 1  # chunk 4: after the head, before the tail
    path.write_bytes(bytes(raw))
    later = Later()
    views = PlaintextViews(start_filling=later)
    shown = views.path_for(SHA, lambda: open_checked(path, MASTER), progressive=True)
    filling = filling_of(shown)
    assert filling is not None
    later.run()
    assert filling.wait(0, 4 * CHUNK, timeout=0)  # what came before it is in
    with pytest.raises(CacheError):
        filling.wait(4 * CHUNK, 5 * CHUNK, timeout=0)
    with pytest.raises(CacheError):
        memfile.wait_ready(shown)
    views.forget()


def test_text_document_reads_only_decrypted_lines(tmp_path: Path) -> None:
    from artifact_viewer.previews.text.document import TextDocument

    data = log_bytes()
    path = encrypted(tmp_path, data)
    later = Later()
    views = PlaintextViews(start_filling=later)
    shown = views.path_for(SHA, lambda: open_checked(path, MASTER), progressive=True)
    doc = TextDocument.open(shown)
    first = doc.lines_from(0, 3)
    assert [text for _o, text in first] == data.decode().splitlines()[:3]
    index = doc.new_index()  # reads the last byte: in the tail, decrypted already
    worker = threading.Thread(target=later.run)
    found: list[int] = []
    worker.start()  # the scan below waits for each chunk as the filler writes it
    doc.scan_newlines(lambda d, t: None, _Never(), lambda f, end: found.append(int(f.size)))
    worker.join()
    assert sum(found) == data.count(b"\n")
    assert not index.complete  # the scan fed nothing to it: it only read the last byte
    middle = data.index(b"\n", len(data) // 2) + 1
    assert doc.line_at(middle)[0] == data[middle:].split(b"\n", 1)[0].decode()
    doc.close()
    views.forget()


class _Never:
    cancelled = False

    def raise_if_cancelled(self) -> None:
        pass
