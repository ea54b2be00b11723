"""The stand-in server as one ASGI app: API at /api/v2, storage at /storage, faults in front of both."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from artifact_viewer.demo.api import ROUTES, check_auth, error
from artifact_viewer.demo.config import RequestRecord, ServerConfig
from artifact_viewer.demo.dataset import Dataset
from artifact_viewer.demo.live import LiveRuns
from artifact_viewer.demo.signing import STORAGE_PREFIX, Signer, s3_error_xml
from artifact_viewer.demo.storage import Receive, Send, Storage

API_PREFIX = "/api/v2"
Scope = MutableMapping[str, Any]


class _QuietDrops(logging.Filter):
    """Silence uvicorn about faults we cause on purpose: bodies cut short, and downloads still
    streaming (e.g. throttled) when a test stops the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "without completing response" in message or "graceful shutdown exceeded" in message:
            return False
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class FaultFront:
    """Pure-ASGI front: latency, counted/rate 5xx and 429, auth for the API, and a request log."""

    def __init__(
        self, app: Starlette, storage: Storage, config: ServerConfig, api_key: str
    ) -> None:
        self.app, self.storage, self.config, self.api_key = app, storage, config, api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        kind = "storage" if path.startswith(STORAGE_PREFIX) else "api"
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            headers = dict(scope["headers"])
            rng = headers[b"range"].decode("latin-1") if b"range" in headers else None
            authorized = b"authorization" in headers
            self.config.record(RequestRecord(kind, scope["method"], path, status, rng, authorized))

        async def logged_send(message: MutableMapping[str, Any]) -> None:
            # Logged before the status line leaves, so a client that has its answer always
            # finds the request in the log (tests read it right after the response).
            if message["type"] == "http.response.start":
                record(message["status"])
            await send(message)

        try:
            await self._handle(scope, receive, logged_send, kind)
        finally:
            record(0)  # no response at all (the handler failed or was cancelled)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, kind: str) -> None:
        config = self.config
        if config.latency > 0:
            await asyncio.sleep(config.latency)
        fault = config.next_fault(kind, scope["path"])
        if fault is not None:
            status, headers = fault
            await _fault_response(send, kind, status, headers)
            return
        if kind == "storage":
            await self.storage(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _fault_response(send: Send, kind: str, status: int, headers: dict[str, str]) -> None:
    if kind == "storage":
        code = "SlowDown" if status in (429, 503) else "InternalError"
        body = s3_error_xml(code, "Please reduce your request rate.", "/", "FAULT")
        content_type = b"application/xml"
    else:
        code = "rate_limited" if status == 429 else "service_unavailable"
        message = (
            "Too many requests." if status == 429 else "The service is temporarily unavailable."
        )
        body = json.dumps({"error": code, "message": message}).encode()
        content_type = b"application/json"
    raw = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _json_http_error(request: Request, exc: Exception) -> Response:
    """Unknown API paths and methods answer in the same JSON error shape as everything else."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
    return error(status, code, f"{request.method} {request.url.path} is not part of this API.")


def build_app(
    dataset: Dataset,
    config: ServerConfig,
    signer: Signer,
    api_key: str,
    live: LiveRuns | None = None,
) -> FaultFront:
    """The whole server; ``config`` stays live (the app reads it on every request).

    With ``live``, every API request first applies the live runs' steps that are due.
    """

    async def auth_then_route(scope: Scope, receive: Receive, send: Send) -> None:
        denied = check_auth(Request(scope))
        if denied is not None:
            await denied(scope, receive, send)
            return
        if live is not None:
            live.tick()
        await api(scope, receive, send)

    api = Starlette(
        routes=list(ROUTES),
        exception_handlers={404: _json_http_error, 405: _json_http_error},
    )
    api.state.dataset, api.state.config = dataset, config
    api.state.signer, api.state.api_key = signer, api_key
    root = Starlette(routes=[Mount(API_PREFIX, app=auth_then_route)])
    root.state.api_key = api_key
    storage = Storage({a.storage_path: a for a in dataset.artifacts}, signer, config)
    if live is not None:
        live.attach_storage(storage.by_path)
    return FaultFront(root, storage, config, api_key)
