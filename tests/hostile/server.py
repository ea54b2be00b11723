"""A hostile stand-in for the Anon V2 API and its storage: one artifact per way to lie.

A stdlib ``ThreadingHTTPServer`` on 127.0.0.1, port 0. The API part is well-behaved
unless ``listing`` says otherwise; each artifact's storage answer is one scenario.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "anon_hostile_test_key_0123456789"
SIGNED = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-Signature=feedface"


def content_for(artifact_id: str, size: int = 3000) -> bytes:
    seed = hashlib.sha256(artifact_id.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


@dataclass
class Scenario:
    """One artifact: its record and how storage answers for it."""

    artifact_id: str
    storage: str  # the storage behaviour's name (see HostileServer._storage_*)
    data: bytes = b""
    record: dict[str, Any] = field(default_factory=dict)
    url: str | None = None  # a fixed signed URL instead of our own


@dataclass
class Seen:
    path: str
    authorized: bool
    range: str | None
    cookie: bool


class HostileServer:
    def __init__(self) -> None:
        self.scenarios: dict[str, Scenario] = {}
        self.listing = "normal"  # normal | ever_new | repeat | malformed
        self.page_delay = 0.0
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/v2"

    # -- content ----------------------------------------------------------------------------

    def add(
        self,
        artifact_id: str,
        storage: str = "good",
        *,
        data: bytes | None = None,
        url: str | None = None,
        **fields: Any,
    ) -> Scenario:
        body = data if data is not None else content_for(artifact_id)
        record = {
            "id": artifact_id,
            "workflowId": "wf-1",
            "workflowRunId": "run-1",
            "type": "extracted_data",
            "displayName": f"{artifact_id}.bin",
            "mimeType": "application/octet-stream",
            "fileSize": len(body),
            "fileHash": hashlib.sha256(body).hexdigest(),
            "createdAt": "2025-01-02T03:04:05Z",
        }
        record.update(fields)
        record = {k: v for k, v in record.items() if v is not ...}
        scenario = Scenario(artifact_id, storage, body, record, url)
        self.scenarios[artifact_id] = scenario
        return scenario

    def signed_url(self, scenario: Scenario, expires: str = "900") -> str:
        if scenario.url is not None:
            return scenario.url
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        query = SIGNED.format(date=date, expires=expires)
        return f"{self.origin}/storage/{scenario.artifact_id}?{query}"

    def requests_for(self, artifact_id: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.endswith(f"/storage/{artifact_id}")]

    # -- HTTP -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                parts = urlsplit(self.path)
                with server._lock:
                    server.seen.append(
                        Seen(
                            parts.path,
                            "authorization" in {k.lower() for k in self.headers},
                            self.headers.get("Range"),
                            "cookie" in {k.lower() for k in self.headers},
                        )
                    )
                try:
                    if parts.path.startswith("/api/v2/"):
                        server._api(self, parts.path[len("/api/v2") :], parse_qs(parts.query))
                    elif parts.path.startswith("/storage/"):
                        scenario = server.scenarios[parts.path.rsplit("/", 1)[1]]
                        getattr(server, f"_storage_{scenario.storage}")(self, scenario)
                    else:
                        server._send(self, 404, b"{}")
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    pass

        return Handler

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        sent = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        sent.update(headers or {})
        for key, value in sent.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _api(self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]]) -> None:
        if handler.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._send(handler, 401, b'{"message": "bad key"}')
            return
        page = int(query.get("page", ["1"])[0])
        if path == "/workflows":
            body: Any = {"data": [{"id": "wf-1", "name": "Hostile"}], "hasMore": False}
        elif path in ("/jobs", "/job-runs"):
            body = {"data": [], "hasMore": False}
        elif path == "/workflow-runs":
            run = {"id": "run-1", "workflowId": "wf-1", "status": "COMPLETED"}
            body = {"data": [run], "hasMore": False}
        elif path == "/artifacts":
            time.sleep(self.page_delay)
            body = self._listing(page)
        elif path.startswith("/artifacts/"):
            scenario = self.scenarios.get(path.rsplit("/", 1)[1])
            if scenario is None:
                self._send(handler, 404, b'{"message": "no such artifact"}')
                return
            body = {**scenario.record, "signedUrl": self.signed_url(scenario)}
        else:
            self._send(handler, 404, b'{"message": "no such path"}')
            return
        self._send(handler, 200, json.dumps(body).encode())

    def _listing(self, page: int) -> Any:
        records = [{**s.record, "signedUrl": self.signed_url(s)} for s in self.scenarios.values()]
        if self.listing == "ever_new":
            fresh = [{"id": f"new-{page}-{i}", "workflowRunId": "run-1"} for i in range(3)]
            return {"data": fresh, "hasMore": True}
        if self.listing == "repeat":
            return {"data": records, "hasMore": True}
        if self.listing == "malformed":
            bad: list[Any] = ["a string", 42, {"id": {"nested": 1}}, {"no": "id"}, {"id": ""}]
            return {"data": bad[:2] + records + bad[2:], "hasMore": False}
        return {"data": records if page == 1 else [], "hasMore": False}

    # -- storage behaviours -----------------------------------------------------------------

    def _storage_good(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        self._send(handler, 200, s.data, {"Content-Type": "application/octet-stream"})

    def _endless(
        self, handler: BaseHTTPRequestHandler, headers: dict[str, str], status: int = 200
    ) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        block = b"x" * 65536
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            handler.wfile.write(block)

    def _storage_endless(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        """Correct bytes, then more, forever (no Content-Length: read until close)."""
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(s.data)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            handler.wfile.write(b"y" * 65536)

    def _storage_huge_length(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        handler.close_connection = True
        self._endless(handler, {"Content-Length": str(10**12)})

    def _storage_error_endless(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        handler.close_connection = True
        self._endless(handler, {"Content-Length": str(10**12), "Content-Type": "text/plain"}, 403)

    def _storage_redirect_loop(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        self._send(handler, 302, b"", {"Location": handler.path, "Set-Cookie": "session=abc"})

    def _storage_redirect_once(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        target = f"/storage/{s.artifact_id}-target"
        if s.artifact_id + "-target" not in self.scenarios:
            self.scenarios[s.artifact_id + "-target"] = Scenario(
                s.artifact_id + "-target", "good", s.data
            )
        self._send(handler, 302, b"", {"Location": target, "Set-Cookie": "session=abc"})

    def _storage_gzip_fake(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        """Says gzip, sends the plain bytes (whose hash the API gave)."""
        self._send(handler, 200, s.data, {"Content-Encoding": "gzip"})

    def _storage_gzip_real(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        """Gzip on the wire of the bytes the API hashed."""
        self._send(handler, 200, gzip.compress(s.data), {"Content-Encoding": "gzip"})

    def _storage_gzip_cut(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        """Gzip on the wire, the first answer cut half-way (the client must not resume it
        by Range: coded offsets are not the object's)."""
        coded = gzip.compress(s.data)
        if len(self.requests_for(s.artifact_id)) > 1:
            self._send(handler, 200, coded, {"Content-Encoding": "gzip"})
            return
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(coded)))
        handler.end_headers()
        handler.wfile.write(coded[: len(coded) // 2])
        handler.wfile.flush()

    def _storage_gzip_garbage(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        self._send(handler, 200, b"\x1f\x8b not really gzip at all", {"Content-Encoding": "gzip"})

    def _storage_gzip_bomb(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        """A small gzip body (``data``) that decodes to far more than the declared size."""
        self._send(handler, 200, s.data, {"Content-Encoding": "gzip"})

    def _storage_drip(self, handler: BaseHTTPRequestHandler, s: Scenario) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(s.data)))
        handler.end_headers()
        for i in range(len(s.data)):
            handler.wfile.write(s.data[i : i + 1])
            handler.wfile.flush()
            time.sleep(0.5)
