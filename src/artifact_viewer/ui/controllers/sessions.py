"""Opening a connection: from the saved key, from the connect dialog, or to the demo server.

Plain Python (no widgets); the window calls these from worker threads. Every opened
:class:`Library` and demo server is remembered so :meth:`Sessions.close` ends them all.

The HTTP stack, the library and the keyring are imported (and the one ``httpx.Client``
built) by the first connection, on a worker thread: the window paints without them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from artifact_viewer.core.paths import AppPaths
from artifact_viewer.core.settings import Settings, normalize_base_url, save_settings

if TYPE_CHECKING:
    import httpx

    from artifact_viewer.core.client import AnonClient
    from artifact_viewer.core.library import Library

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Connection:
    """An opened library and how it was reached. ``warning`` is shown to the user."""

    library: Library
    base_url: str
    mode: str  # "online" | "offline" | "demo"
    key_source: str = ""
    warning: str | None = None

    def __repr__(self) -> str:
        return f"Connection(mode={self.mode!r}, base_url={self.base_url!r})"


def demo_paths(paths: AppPaths) -> AppPaths:
    """The demo keeps its own catalog and cache, so sample data never mixes with real data."""
    return AppPaths(
        config_dir=paths.config_dir,
        cache_dir=paths.cache_dir / "demo",
        data_dir=paths.data_dir / "demo",
        log_dir=paths.log_dir,
    )


class Sessions:
    """Builds connections over the app's one ``httpx.Client``; thread-safe.

    ``http`` is that client when the caller made it; otherwise it is built on first use.
    """

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        http: httpx.Client | None = None,
        *,
        demo_server: Any = None,
        demo_live_runs: int = 0,
        demo_live_step: float = 2.0,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self._http = http
        self._owns_http = http is None
        # A running server to use for "demo" (tests); otherwise one is started on demand.
        self.demo_server = demo_server
        # Live runs of a demo server started here (the seeded runs are always there too).
        self.demo_live_runs, self.demo_live_step = demo_live_runs, demo_live_step
        self._lock = threading.Lock()
        self._libraries: list[Library] = []
        self._servers: list[Any] = []

    @property
    def http(self) -> httpx.Client:
        """The app's one HTTP client (built, and httpx imported, on first use)."""
        with self._lock:
            if self._http is None:
                from artifact_viewer.core.http import build_http_client

                self._http = build_http_client(self.settings)
            return self._http

    def _client(self, base_url: str, key: str) -> AnonClient:
        from artifact_viewer.core.client import AnonClient

        return AnonClient(
            self.http, api_key=key, base_url=base_url, page_size=self.settings.page_size
        )

    def _keep(self, library: Library) -> Library:
        with self._lock:
            self._libraries.append(library)
        return library

    def open_saved(self) -> Connection | None:
        """The saved key (env or keyring), opened without a network round trip; None if no key."""
        from artifact_viewer.core.library import Library
        from artifact_viewer.core.secrets import resolve_api_key

        base_url = self.settings.effective_base_url()
        resolved = resolve_api_key(base_url)
        if resolved is None:
            return None
        library = Library.open(
            self.paths, self.settings, self._client(base_url, resolved.key), http=self.http
        )
        log.info("Opened the library for %s (key from %s)", base_url, resolved.source)
        return Connection(self._keep(library), base_url, "online", resolved.source)

    def open_offline(self) -> Connection:
        """The catalog and cache alone (no key yet): browsing what was synced before."""
        from artifact_viewer.core.library import Library

        library = Library.open(self.paths, self.settings, None, http=self.http)
        return Connection(self._keep(library), self.settings.effective_base_url(), "offline")

    def connect(self, base_url: str, key: str) -> Connection:
        """Check the key against the API (one request), keep it in the keyring, open the library.

        Raises AuthError for a refused key and NetworkError when the API cannot be reached;
        nothing is saved in either case.
        """
        from artifact_viewer.core.library import Library
        from artifact_viewer.core.secrets import check_api_key, save_api_key

        base_url = normalize_base_url(base_url)
        cleaned, prefix_warning = check_api_key(key)
        client = self._client(base_url, cleaned)
        client.ping()
        saved = save_api_key(base_url, cleaned)
        self.settings.base_url = base_url
        save_settings(self.settings, self.paths)
        library = Library.open(self.paths, self.settings, client, http=self.http)
        warning = saved.warning or prefix_warning
        log.info("Connected to %s; key kept in %s", base_url, saved.stored_in)
        return Connection(self._keep(library), base_url, "online", saved.stored_in, warning)

    def start_demo(self) -> Connection:
        """Start the stand-in server in-process (or use the given one) and connect to it."""
        from artifact_viewer.core.library import Library

        demo_server = self.demo_server
        if demo_server is None:
            from artifact_viewer.demo.config import ServerConfig
            from artifact_viewer.demo.runner import DemoServer

            config = ServerConfig(live_step=self.demo_live_step)
            demo_server = DemoServer(config, live_runs=self.demo_live_runs).start()
            with self._lock:
                self._servers.append(demo_server)
                self.demo_server = demo_server
        # The HTTP client is built (httpx imported) while a server in a child process may
        # still be starting; only then is its address waited for.
        http = self.http
        client = self._client(demo_server.base_url, demo_server.api_key)
        library = Library.open(demo_paths(self.paths), self.settings, client, http=http)
        log.info("Connected to the demo server at %s", demo_server.base_url)
        return Connection(self._keep(library), demo_server.base_url, "demo", "demo")

    @property
    def open_libraries(self) -> list[Library]:
        """Libraries opened here and not yet released or closed."""
        with self._lock:
            return list(self._libraries)

    def release(self, library: Library) -> None:
        """Close one library that the window no longer shows (after a reconnect)."""
        with self._lock:
            if library not in self._libraries:
                return
            self._libraries.remove(library)
        library.close()
        log.info("Closed the previous connection's library")

    def close(self) -> None:
        """Close every library, stop demo servers this object started, then the HTTP client
        if this object built it."""
        with self._lock:
            libraries, self._libraries = self._libraries, []
            servers, self._servers = self._servers, []
            http = self._http if self._owns_http else None
            if self._owns_http:
                self._http = None
        for library in libraries:
            try:
                library.close()
            except Exception:  # closing must go on for the rest
                log.exception("closing a library failed")
        for server in servers:
            server.stop()
        if http is not None:
            http.close()
