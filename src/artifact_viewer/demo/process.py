"""Run the stand-in server in a child interpreter, so `--demo` starts it alongside the window."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
from typing import IO

from artifact_viewer.core.errors import ArtifactViewerError

log = logging.getLogger("artifact_viewer.demo")

READY_TIMEOUT = 30.0  # seconds for the child to import uvicorn and bind a port
STOP_TIMEOUT = 5.0


class DemoProcessError(ArtifactViewerError):
    """The child server could not be started or did not say where it listens."""

    default_hint = "Try again; `artifact-viewer demo-server` in a terminal shows any error."


class DemoProcess:
    """A stand-in server in a child process, with the face of ``DemoServer`` that a client needs.

    Why a process: importing uvicorn, starlette and the data set and binding a port takes
    ~0.3 s of Python; in a child it runs on another core while this process builds its
    window, and serving (big demo downloads included) never competes with the GUI thread
    for the interpreter lock.

    :meth:`start` returns at once; :attr:`base_url` and :attr:`api_key` wait for the child
    to report that it listens. The child exits when its stdin closes, so it ends with this
    process even when this one is killed.
    """

    def __init__(self, seed: int = 1, *, live_runs: int = 0, live_step: float = 2.0) -> None:
        self.seed = seed
        # Live runs (demo/live.py) are extra runs that move through their states as served.
        self.live_runs, self.live_step = live_runs, live_step
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._base_url: str | None = None
        self._api_key: str | None = None
        self._error: str | None = None

    def start(self) -> DemoProcess:
        """Spawn the child (does not wait for it). Raises DemoProcessError if it cannot run."""
        if self._proc is not None:
            return self
        if not sys.executable or sys.platform == "win32":
            # No interpreter to run (embedded), or pipes that selectors cannot wait on.
            raise DemoProcessError("The demo server cannot run in a child process here.")
        try:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "artifact_viewer.demo.process",
                    str(self.seed),
                    str(self.live_runs),
                    repr(self.live_step),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
        except OSError as exc:
            raise DemoProcessError(f"Could not start the demo server: {exc.strerror}.") from exc
        return self

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Block until the child listens; raises DemoProcessError if it failed or took too long."""
        with self._lock:  # one reader of the child's stdout; the others wait for its answer
            if not self._ready.is_set():
                self._read_ready_line(timeout)
                self._ready.set()
        if self._error is not None:
            raise DemoProcessError(self._error)

    def _read_ready_line(self, timeout: float) -> None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            self._error = "The demo server was not started."
            return
        line = _readline(proc.stdout, timeout)
        if line is None:
            self._error = "The demo server did not start in time."
            self._terminate()
            return
        try:
            info = json.loads(line)
            if "error" in info:
                self._error = f"The demo server could not start: {str(info['error']).rstrip('.')}."
            else:
                self._base_url, self._api_key = str(info["baseUrl"]), str(info["apiKey"])
                log.info("Demo server listening at %s", self._base_url)
                return
        except (ValueError, KeyError, TypeError):
            try:
                code: int | None = proc.wait(1.0)
            except subprocess.TimeoutExpired:
                code = None
            self._error = f"The demo server stopped before it was ready (exit code {code})."
        self._terminate()

    @property
    def base_url(self) -> str:
        self.wait_ready()
        assert self._base_url is not None
        return self._base_url

    @property
    def api_key(self) -> str:
        self.wait_ready()
        assert self._api_key is not None
        return self._api_key

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Ask the child to stop (close its stdin), then wait; kill it if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if not self._ready.is_set() and self._error is None:
            self._error = "The demo server was stopped before it was ready."
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._ready.set()

    def _terminate(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def __enter__(self) -> DemoProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _readline(stream: IO[bytes], timeout: float) -> bytes | None:
    """One line from ``stream`` (less at end of file), or None when ``timeout`` passes first."""
    fd = stream.fileno()
    deadline = time.monotonic() + timeout
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not selector.select(left):
                    return None
                piece = os.read(fd, 4096)
            except (OSError, ValueError):  # closed by stop() meanwhile
                break
            if not piece:
                break  # the child closed stdout: it exited
            data += piece
    return data


def _child_main(argv: list[str]) -> int:
    """In the child: serve until stdin closes. Reports one JSON line on stdout, never a traceback."""
    import signal

    # Ctrl+C in a terminal reaches the whole process group: the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from artifact_viewer.demo.config import ServerConfig
        from artifact_viewer.demo.runner import DemoServer

        seed = int(argv[0]) if argv else 1
        live_runs = int(argv[1]) if len(argv) > 1 else 0
        config = ServerConfig(live_step=float(argv[2])) if len(argv) > 2 else ServerConfig()
        server = DemoServer(config, seed=seed, live_runs=live_runs).start()
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(json.dumps({"error": str(exc) or type(exc).__name__}), flush=True)
        return 1
    print(json.dumps({"baseUrl": server.base_url, "apiKey": server.api_key}), flush=True)
    # Nobody reads our stdout after that line: anything printed later must not fill the pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass  # the parent writes nothing; EOF means it closed the pipe or died
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
