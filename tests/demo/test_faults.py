"""Each fault knob of the stand-in server, switched on live through ``demo_server.config``."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from artifact_viewer.demo.runner import DemoServer


def _art(api: httpx.Client, mime: str = "text/csv") -> dict:
    items = api.get("/artifacts", params={"pageSize": 500}).json()["data"]
    return next(a for a in items if a["mimeType"] == mime)


def test_fail_next_answers_503_then_recovers(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.fail_next = 2
    assert [api.get("/workflows").status_code for _ in range(3)] == [503, 503, 200]
    assert demo_server.config.count("api", status=503) == 2


def test_fail_rate_is_seeded_and_repeatable(make_demo_server) -> None:
    outcomes = []
    for _ in range(2):
        server = make_demo_server()
        server.config.fail_rate, server.config.fault_seed = 0.5, 42
        headers = {"Authorization": f"Bearer {server.api_key}"}
        codes = [
            httpx.get(server.base_url + "/jobs", headers=headers).status_code for _ in range(12)
        ]
        outcomes.append(codes)
        server.stop()
    assert outcomes[0] == outcomes[1]
    assert {200, 503} == set(outcomes[0])


def test_rate_limit_next_sends_429_with_retry_after(
    api: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.rate_limit_next, demo_server.config.retry_after = 1, 3
    response = api.get("/workflows")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["error"] == "rate_limited"
    assert api.get("/workflows").status_code == 200


def test_rate_limit_every_nth_request(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.rate_limit_every = 3
    codes = [api.get("/jobs").status_code for _ in range(6)]
    assert codes == [200, 200, 429, 200, 200, 429]


def test_faults_skip_storage_unless_scoped(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    url = _art(api)["signedUrl"]
    demo_server.config.fail_next = 1
    assert storage.get(url).status_code == 200
    demo_server.config.fault_scope = "storage"
    response = storage.get(url)
    assert response.status_code == 503 and "SlowDown" in response.text
    assert api.get("/jobs").status_code == 200


def test_latency_is_added_to_requests(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.latency = 0.3
    response = api.get("/jobs")
    # Lower bound only: the server waited at least the configured time.
    assert response.elapsed.total_seconds() >= 0.3


def test_drop_cuts_the_body_then_range_resumes(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    art = _art(api)
    demo_server.config.drop_next_downloads, demo_server.config.drop_after_bytes = 1, 5000
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), storage.stream("GET", art["signedUrl"]) as r:
        for chunk in r.iter_bytes():
            received += chunk
    assert len(received) == 5000
    rest = storage.get(art["signedUrl"], headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    assert hashlib.sha256(bytes(received) + rest.content).hexdigest() == art["fileHash"]


def test_corrupt_ids_serve_wrong_bytes_of_the_right_size(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    art = _art(api)
    demo_server.config.corrupt_ids.add(art["id"])
    body = storage.get(art["signedUrl"]).content
    assert len(body) == art["fileSize"]
    assert hashlib.sha256(body).hexdigest() != art["fileHash"]
    other = _art(api, "image/png")
    assert hashlib.sha256(storage.get(other["signedUrl"]).content).hexdigest() == other["fileHash"]


@pytest.mark.parametrize("mode", ["absent", "null"])
def test_signed_url_left_out_of_lists(
    api: httpx.Client, demo_server: DemoServer, mode: str
) -> None:
    demo_server.config.list_signed_url = mode  # type: ignore[assignment]
    listed = api.get("/artifacts", params={"pageSize": 5}).json()["data"]
    if mode == "absent":
        assert all("signedUrl" not in a for a in listed)
    else:
        assert all(a["signedUrl"] is None for a in listed)
    single = api.get(f"/artifacts/{listed[0]['id']}").json()
    assert single["signedUrl"].startswith(demo_server.origin + "/storage/")


def test_bare_envelope_is_a_plain_list(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.envelope = "bare"
    body = api.get("/workflow-runs", params={"pageSize": 4}).json()
    assert isinstance(body, list) and len(body) == 4


def test_items_envelope(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.envelope = "items"
    body = api.get("/workflow-runs", params={"pageSize": 4, "page": 2}).json()
    assert len(body["items"]) == 4 and body["page"] == 2
    assert body["total"] == len(demo_server.dataset.workflow_runs)


def test_cursor_envelope_walks_all_runs(api: httpx.Client, demo_server: DemoServer) -> None:
    demo_server.config.envelope = "cursor"
    seen, cursor = [], None
    while True:
        params = {"pageSize": 7, **({"cursor": cursor} if cursor else {})}
        body = api.get("/workflow-runs", params=params).json()
        seen += [r["id"] for r in body["data"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == [r["id"] for r in demo_server.dataset.workflow_runs]
    assert api.get("/workflow-runs", params={"cursor": "garbage!"}).status_code == 400


def test_throttle_with_cut_on_expiry_ends_download_when_url_dies(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    art = _art(api)
    config = demo_server.config
    config.throttle_bps, config.chunk_size, config.cut_on_expiry = 20_000, 4_000, True
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), storage.stream("GET", art["signedUrl"]) as r:
        for chunk in r.iter_bytes():
            received += chunk
            if len(received) >= 8_000:
                config.clock_offset = 10_000  # the URL expires mid-transfer
    assert 8_000 <= len(received) < art["fileSize"]
    assert storage.get(art["signedUrl"], headers={"Range": "bytes=0-"}).status_code == 403


@pytest.mark.parametrize(
    ("style", "check"),
    [
        ("prefixed", lambda h, body: h == "sha256:" + hashlib.sha256(body).hexdigest()),
        ("base64", lambda h, body: base64.b64decode(h) == hashlib.sha256(body).digest()),
        ("md5", lambda h, body: h == hashlib.md5(body).hexdigest()),
        ("unknown", lambda h, body: len(h) not in (32, 64) and ":" not in h),
    ],
)
def test_hash_style_changes_the_file_hash_shape(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer, style: str, check
) -> None:
    demo_server.config.hash_style = style  # type: ignore[assignment]
    listed = api.get("/artifacts", params={"pageSize": 1}).json()["data"][0]
    single = api.get(f"/artifacts/{listed['id']}").json()
    assert listed["fileHash"] == single["fileHash"]
    assert check(single["fileHash"], storage.get(single["signedUrl"]).content)


def test_fault_path_limits_faults_to_single_artifact_gets(
    api: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.fault_path, demo_server.config.fail_next = "/artifacts/", 1
    listed = api.get("/artifacts", params={"pageSize": 1})
    assert listed.status_code == 200
    aid = listed.json()["data"][0]["id"]
    assert api.get(f"/artifacts/{aid}").status_code == 503
    assert api.get(f"/artifacts/{aid}").status_code == 200
