"""Compare two files in a child process, so that long C calls holding Python's GIL (orjson
parsing 100 MB, ``==`` over two big documents, bytes scans) never hold up the caller's
other threads: in the window, the GUI thread keeps running while a big JSON or log diff
is computed.

The child is ``python -m artifact_viewer.core.compare.isolated`` (the frozen app answers
``-m`` for its own modules the same way). It reads one pickled request on stdin and
writes length-prefixed pickled frames on stdout: ``("progress", done, total)`` while it
works, then ``("result", diff)`` or ``("error", kind, message)``. Cancelling kills it;
nothing is written anywhere but the pipe.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare.engine import compare_files
from artifact_viewer.core.compare.model import (
    CompareError,
    CompareOptions,
    CompareUsageError,
    Diff,
    TooBigToCompare,
)
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.progress import ProgressFn, report

log = logging.getLogger(__name__)

_HEADER = struct.Struct("!Q")
_ERRORS: dict[str, type[CompareError]] = {
    "CompareError": CompareError,
    "CompareUsageError": CompareUsageError,
    "TooBigToCompare": TooBigToCompare,
}


@dataclass(frozen=True, slots=True)
class Request:
    path_a: str
    path_b: str
    options: CompareOptions
    kind: str | None = None
    mime_a: str | None = None
    mime_b: str | None = None
    name_a: str | None = None
    name_b: str | None = None


class ChildFailed(Exception):
    """The child ended without an answer (it could not start, or it was killed)."""


def _write(stream: IO[bytes], frame: tuple[Any, ...]) -> None:
    data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> tuple[Any, ...] | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    frame: tuple[Any, ...] = pickle.loads(data)  # our own child, over our own pipe
    return frame


def compare_in_child(
    request: Request, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> Diff:
    """:func:`compare_files` run in a child process; raises what it would raise
    (CompareError and its kinds, OSError as CompareError, Cancelled), or ChildFailed."""
    command = [sys.executable, "-m", __name__]
    try:
        child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError as exc:
        raise ChildFailed(f"could not start {command[0]}: {exc}") from None
    frames: list[tuple[Any, ...]] = []
    arrived = threading.Event()

    def read_all() -> None:
        assert child.stdout is not None
        while (frame := _read(child.stdout)) is not None:
            if frame[0] == "progress":
                report(progress, int(frame[1]), int(frame[2]))
            else:
                frames.append(frame)
        arrived.set()

    reader = threading.Thread(target=read_all, name="compare-child-reader", daemon=True)
    reader.start()
    try:
        assert child.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            child.stdin.write(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
            child.stdin.close()
        while not arrived.wait(0.05):
            if cancel is not None and cancel.cancelled:
                child.kill()
                raise Cancelled("Cancelled.")
    finally:
        if child.poll() is None and (cancel is not None and cancel.cancelled):
            child.kill()
        child.wait()
        reader.join(timeout=1)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if not frames:
        raise ChildFailed(f"the comparison process ended with status {child.returncode}")
    frame = frames[-1]
    if frame[0] == "result":
        diff: Diff = frame[1]
        return diff
    error = _ERRORS.get(str(frame[1]), CompareError)
    raise error(str(frame[2]))


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    request: Request = pickle.loads(stdin.read())

    def progress(done: int, total: int | None = None) -> None:
        _write(stdout, ("progress", done, total or 0))

    try:
        diff = compare_files(
            Path(request.path_a),
            Path(request.path_b),
            request.options,
            progress=progress,
            mime_a=request.mime_a,
            mime_b=request.mime_b,
            name_a=request.name_a,
            name_b=request.name_b,
            kind=request.kind,
        )
    except CompareError as exc:
        _write(stdout, ("error", type(exc).__name__, exc.message))
        return 0
    except OSError as exc:
        name = Path(exc.filename).name if exc.filename else "a file"
        _write(stdout, ("error", "CompareError", f"Cannot read {name}: {exc.strerror or exc}."))
        return 0
    except MemoryError:
        _write(stdout, ("error", "CompareError", "The comparison ran out of memory."))
        return 0
    _write(stdout, ("result", diff))
    return 0


if __name__ == "__main__":
    sys.exit(_serve(sys.stdin.buffer, sys.stdout.buffer))
