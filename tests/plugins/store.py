"""Fixtures: store. An in-memory API + S3-like storage (httpx.MockTransport) with fault knobs."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from artifact_viewer.core.errors import NetworkError, NotFound
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import Artifact, Job, JobRun, Workflow, WorkflowRun
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import Settings

STORAGE = "https://storage.test"
EXPIRED_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


@dataclass
class StorageRequest:
    artifact_id: str
    range: str | None
    status: int
    token: str


@dataclass
class FakeCloud:
    """The API (a Python object with AnonClient's methods) and its storage (a MockTransport).

    Knobs: ``ttl`` (URL lifetime, seconds), ``cut_after`` (end a body after so many bytes,
    ``cuts`` times), ``expire_on_cut`` (the cut URL then answers 403 "expired"),
    ``ignore_range`` (answer 200 to a Range request), ``wrong_bytes`` (serve a flipped byte),
    ``gate`` (hold bodies until set), ``offline`` (API raises NetworkError).
    """

    objects: dict[str, bytes] = field(default_factory=dict)
    records: dict[str, Artifact] = field(default_factory=dict)
    runs: dict[str, WorkflowRun] = field(default_factory=dict)
    ttl: int = 900
    cut_after: int | None = None
    cuts: int = 0
    expire_on_cut: bool = False
    ignore_range: bool = False
    wrong_bytes: set[str] = field(default_factory=set)
    gate: threading.Event | None = None
    offline: bool = False
    list_urls: bool = True
    get_artifact_calls: list[str] = field(default_factory=list)
    requests: list[StorageRequest] = field(default_factory=list)
    expired_tokens: set[str] = field(default_factory=set)
    active_bodies: int = 0
    max_active_bodies: int = 0
    _tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- content ------------------------------------------------------------------------

    def add(
        self,
        artifact_id: str,
        data: bytes,
        *,
        run_id: str = "run-1",
        workflow_id: str = "wf-1",
        name: str | None = None,
        file_hash: str | None = "sha256",
        created: str = "2025-01-02T03:04:05Z",
        mime: str = "application/octet-stream",
    ) -> Artifact:
        digest = hashlib.sha256(data).hexdigest() if file_hash == "sha256" else file_hash
        artifact = Artifact.from_json(
            {
                "id": artifact_id,
                "workflowId": workflow_id,
                "workflowRunId": run_id,
                "type": "extracted_data",
                "displayName": name or f"{artifact_id}.bin",
                "mimeType": mime,
                "fileSize": len(data),
                "fileHash": digest,
                "storagePath": f"org/{run_id}/{artifact_id}",
                "createdAt": created,
            }
        )
        self.objects[artifact_id] = data
        self.records[artifact_id] = artifact
        if run_id not in self.runs:
            self.runs[run_id] = WorkflowRun.from_json(
                {
                    "id": run_id,
                    "workflowId": workflow_id,
                    "status": "COMPLETED",
                    "createdAt": created,
                }
            )
        return artifact

    def signed_url(self, artifact_id: str) -> str:
        with self._lock:
            self._tokens += 1
            token = f"sig{self._tokens:04d}"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return (
            f"{STORAGE}/o/{artifact_id}?X-Amz-Date={stamp}&X-Amz-Expires={self.ttl}"
            f"&X-Amz-Signature={token}"
        )

    # -- the API ---------------------------------------------------------------------------

    def _check(self) -> None:
        if self.offline:
            raise NetworkError("Could not connect to api.test.")

    def ping(self) -> None:
        self._check()

    def list_workflows(self) -> Iterator[Workflow]:
        self._check()
        ids = sorted({a.workflow_id for a in self.records.values() if a.workflow_id})
        return iter([Workflow.from_json({"id": i, "name": f"Workflow {i}"}) for i in ids])

    def list_jobs(self) -> Iterator[Job]:
        self._check()
        return iter([])

    def list_job_runs(
        self, job_id: str | None = None, status: str | None = None
    ) -> Iterator[JobRun]:
        self._check()
        return iter([])

    def list_workflow_runs(
        self,
        workflow_id: str | None = None,
        job_run_id: str | None = None,
        status: str | None = None,
    ) -> Iterator[WorkflowRun]:
        self._check()
        return iter([r for r in self.runs.values() if workflow_id in (None, r.workflow_id)])

    def get_workflow_run(self, workflow_run_id: str) -> WorkflowRun:
        self._check()
        if workflow_run_id not in self.runs:
            raise NotFound(f"Workflow run {workflow_run_id} was not found.")
        return self.runs[workflow_run_id]

    def list_artifacts(
        self, workflow_id: str | None = None, workflow_run_id: str | None = None
    ) -> Iterator[Artifact]:
        self._check()
        out = []
        for a in self.records.values():
            if workflow_id not in (None, a.workflow_id) or workflow_run_id not in (
                None,
                a.workflow_run_id,
            ):
                continue
            out.append(a.replace(signed_url=self.signed_url(a.id) if self.list_urls else None))
        return iter(out)

    def get_artifact(self, artifact_id: str) -> Artifact:
        self._check()
        self.get_artifact_calls.append(artifact_id)
        if artifact_id not in self.records:
            raise NotFound(f"Artifact {artifact_id} was not found.")
        return self.records[artifact_id].replace(signed_url=self.signed_url(artifact_id))

    # -- storage ---------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        artifact_id = request.url.path.rsplit("/", 1)[-1]
        query = parse_qs(urlsplit(str(request.url)).query)
        token = query.get("X-Amz-Signature", [""])[0]
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        lifetime = int(query["X-Amz-Expires"][0])
        range_header = request.headers.get("range")
        expired = token in self.expired_tokens or time.time() > signed.timestamp() + lifetime + 1
        if expired:
            self.requests.append(StorageRequest(artifact_id, range_header, 403, token))
            return httpx.Response(
                403, content=EXPIRED_XML, headers={"content-type": "application/xml"}
            )
        data = self.objects[artifact_id]
        if artifact_id in self.wrong_bytes:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        status = 200
        headers = {"content-type": "application/octet-stream"}
        if range_header and not self.ignore_range:
            start = int(range_header.split("=")[1].split("-")[0])
            status = 206
            headers["content-range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        headers["content-length"] = str(len(body))
        self.requests.append(StorageRequest(artifact_id, range_header, status, token))
        cut: int | None = None
        if self.cut_after is not None and self.cuts > 0 and len(body) > self.cut_after:
            self.cuts -= 1
            cut = self.cut_after
            if self.expire_on_cut:
                self.expired_tokens.add(token)
        return httpx.Response(status, headers=headers, stream=_Body(body, cut, self.gate, self))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def ranges(self) -> list[str]:
        return [r.range for r in self.requests if r.range]


class _Body(httpx.SyncByteStream):
    """A response body sent in small chunks that can stop short (a dropped connection)."""

    def __init__(
        self, data: bytes, cut: int | None, gate: threading.Event | None, cloud: FakeCloud
    ) -> None:
        self.data = data
        self.cut = cut
        self.gate = gate
        self.cloud = cloud

    def __iter__(self) -> Iterator[bytes]:
        limit = len(self.data) if self.cut is None else self.cut
        step = 16 * 1024
        with self.cloud._lock:
            self.cloud.active_bodies += 1
            self.cloud.max_active_bodies = max(
                self.cloud.max_active_bodies, self.cloud.active_bodies
            )
        try:
            for offset in range(0, limit, step):
                if self.gate is not None and offset:
                    self.gate.wait(10)
                yield self.data[offset : min(offset + step, limit)]
            if self.cut is not None:
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete body"
                )
        finally:
            with self.cloud._lock:
                self.cloud.active_bodies -= 1


@pytest.fixture
def fake_cloud() -> FakeCloud:
    return FakeCloud()


@pytest.fixture
def store_settings() -> Settings:
    return Settings(max_parallel_downloads=2)


@pytest.fixture
def library(fake_cloud: FakeCloud, store_settings: Settings) -> Iterator[Library]:
    """A Library over the fake cloud, in this test's ARTIFACT_VIEWER_HOME."""
    http = httpx.Client(transport=fake_cloud.transport())
    lib = Library.open(app_paths(), store_settings, fake_cloud, http=http)
    yield lib
    lib.close()
    http.close()


# -- against the real stand-in server ----------------------------------------------------


@dataclass
class DemoStore:
    """A Library wired to a running DemoServer through the real AnonClient.

    ``refreshes`` lists every ``get_artifact`` call (a fresh signed URL); ``sent`` every
    storage request as the client saw it: (artifact file name, Range header, status).
    """

    server: object
    library: Library
    client: object
    refreshes: list[str]
    sent: list[tuple[str, str | None, int]]
    events: list[str]  # "refresh" / "request", in the order they happened

    def storage_requests(self, artifact_id: str) -> list[tuple[str, str | None, int]]:
        name = self.server.artifact(artifact_id).storage_path.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
        return [r for r in self.sent if r[0] == name]


@pytest.fixture
def open_demo_store() -> Iterator[object]:
    """Factory: ``open_demo_store(server)`` -> DemoStore; all are closed at teardown."""
    from artifact_viewer.core.client import AnonClient
    from artifact_viewer.core.http import build_http_client
    from artifact_viewer.core.retry import RetryPolicy

    opened: list[tuple[Library, httpx.Client]] = []

    def make(server, settings: Settings | None = None) -> DemoStore:
        settings = settings or Settings(max_parallel_downloads=2)
        http = build_http_client(settings)
        sent: list[tuple[str, str | None, int]] = []
        events: list[str] = []

        def on_response(response: httpx.Response) -> None:
            if "/storage/" in response.request.url.path:
                name = response.request.url.path.rsplit("/", 1)[-1]
                sent.append((name, response.request.headers.get("range"), response.status_code))
                events.append("request")

        http.event_hooks["response"].append(on_response)
        client = AnonClient(
            http,
            api_key=server.api_key,
            base_url=server.base_url,
            retry=RetryPolicy(sleep=lambda s: None, max_attempts=3),
        )
        refreshes: list[str] = []
        original = client.get_artifact

        def spy(artifact_id: str) -> Artifact:
            refreshes.append(artifact_id)
            events.append("refresh")
            return original(artifact_id)

        client.get_artifact = spy  # type: ignore[method-assign]
        lib = Library.open(app_paths(), settings, client, http=http)
        opened.append((lib, http))
        return DemoStore(server, lib, client, refreshes, sent, events)

    yield make
    for lib, http in opened:
        lib.close()
        http.close()


@pytest.fixture(scope="session")
def big_file_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A ~3 MB JSON artifact for the stand-in server (generated once per test session)."""
    from artifact_viewer.demo.bigfiles import ensure_big_files

    return dict(ensure_big_files(tmp_path_factory.mktemp("bigfiles"), ["json_100m"], scale=0.03))
