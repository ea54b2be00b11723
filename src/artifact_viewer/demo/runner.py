"""Run the stand-in server with uvicorn on a background thread (tests, --demo) or in the foreground."""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import uvicorn

from artifact_viewer.demo.artifact import DemoArtifact
from artifact_viewer.demo.bigfiles import file_sha256
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.dataset import Dataset, build_dataset
from artifact_viewer.demo.live import LiveRuns
from artifact_viewer.demo.server import API_PREFIX, build_app
from artifact_viewer.demo.signing import Signer


def api_key_for(seed: int) -> str:
    """A stable, obviously fake key for a seed (keys begin with ``anon_`` like real ones)."""
    return "anon_demo_" + hashlib.sha256(f"demo-key-{seed}".encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=4)
def cached_dataset(seed: int, scale_artifacts: int = 0) -> Dataset:
    """Datasets are immutable, so one per (seed, scale) serves every server in this process
    and each artifact's bytes and hash are made only once."""
    return build_dataset(seed, scale_artifacts=scale_artifacts)


class DemoServer:
    """A running stand-in server. ``config`` is live: change a knob and the next request sees it.

    Use as a context manager, or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        seed: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        scale_artifacts: int = 0,
        big_files: Mapping[str, Path] | None = None,
        dataset: Dataset | None = None,
        live: bool = False,
        live_runs: int = 0,
        live_outcomes: tuple[str, ...] = (),
    ) -> None:
        self.config = config if config is not None else ServerConfig()
        self.seed = seed
        self.host, self._port = host, port
        self.api_key = api_key or api_key_for(seed)
        if dataset is None:
            if big_files:
                dataset = build_dataset(
                    seed,
                    scale_artifacts=scale_artifacts,
                    big_files=big_files,
                    hash_of_path=file_sha256,
                )
            elif live or live_runs:
                # Live runs change their data set: never the one other servers share.
                dataset = build_dataset(seed, scale_artifacts=scale_artifacts)
            else:
                dataset = cached_dataset(seed, scale_artifacts)
        self.dataset = dataset
        # Runs that move through their states over time (``config.live_step`` apart); None
        # unless asked for, so the seeded data never changes under other tests.
        self.live: LiveRuns | None = None
        if live or live_runs:
            self.live = LiveRuns(dataset, self.config)
            if live_runs:
                self.live.start_many(live_runs, live_outcomes)
        self.signer = Signer(hashlib.sha256(f"demo-signing-{seed}".encode()).digest())
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._bound_port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def _make_server(self) -> uvicorn.Server:
        app = build_app(self.dataset, self.config, self.signer, self.api_key, self.live)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self._port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            # Keep uvicorn from installing its own stderr handlers: its records must reach
            # ours, which redact signed URLs and keys.
            log_config=None,
            timeout_graceful_shutdown=1,
        )
        return uvicorn.Server(config)

    def start(self, timeout: float = 15.0) -> DemoServer:
        """Start on a background thread and wait until it listens (the real port is then known)."""
        if self._thread is not None:
            return self
        self._server = self._make_server()
        self._thread = threading.Thread(target=self._server.run, name="demo-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self._thread = None
                raise RuntimeError(f"demo server failed to start on {self.host}:{self._port}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("demo server did not start in time")
            time.sleep(0.01)
        # Kept after stop() too, so tests can show that the address no longer answers.
        self._bound_port = int(self._server.servers[0].sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        """Stop serving and join the thread (open connections are closed)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("the demo server has not been started")
        return self._bound_port

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a client is configured with: ``http://127.0.0.1:<port>/api/v2``."""
        return self.origin + API_PREFIX

    # -- test helpers ----------------------------------------------------------------------
    def artifact(self, artifact_id: str) -> DemoArtifact:
        return self.dataset.artifact(artifact_id)

    def true_bytes(self, artifact_id: str) -> bytes:
        """The bytes whose SHA-256 is the artifact's ``fileHash`` (corruption knobs aside)."""
        return self.dataset.artifact(artifact_id).data()

    def true_hash(self, artifact_id: str) -> str:
        return self.dataset.artifact(artifact_id).sha256

    def signed_url(self, artifact_id: str, ttl: float | None = None) -> str:
        """A signed URL as the API would hand out now (``ttl`` defaults to ``config.url_ttl``)."""
        art = self.dataset.artifact(artifact_id)
        lifetime = self.config.url_ttl if ttl is None else ttl
        now, style = self.config.now(), self.config.url_style
        return self.signer.sign(self.origin, art.storage_path, lifetime, now, style)
