"""DemoServer lifecycle and test helpers: real port, clean stop, truthful bytes and hashes."""

from __future__ import annotations

import hashlib
import threading

import httpx
import pytest

from artifact_viewer.demo import DemoServer, ServerConfig
from artifact_viewer.demo.runner import api_key_for


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "demo-server"]


def test_start_reads_back_a_real_port_and_stop_joins_the_thread() -> None:
    before = len(_server_threads())
    server = DemoServer(ServerConfig()).start()
    try:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/api/v2"
        assert server.running and len(_server_threads()) == before + 1
    finally:
        server.stop()
    assert not server.running and len(_server_threads()) == before
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.origin + "/api/v2/workflows", timeout=2)


def test_stop_ends_an_unfinished_throttled_download(demo_server: DemoServer) -> None:
    art = next(a for a in demo_server.dataset.artifacts if a.mime_type == "text/csv")
    demo_server.config.throttle_bps, demo_server.config.chunk_size = 2_000, 1_000
    with httpx.stream("GET", demo_server.signed_url(art.id), timeout=10) as response:
        next(response.iter_raw())
        demo_server.stop()
    assert not demo_server.running


def test_api_key_is_stable_per_seed_and_looks_like_anon() -> None:
    assert api_key_for(1) == api_key_for(1) != api_key_for(2)
    assert api_key_for(1).startswith("anon_")


def test_helpers_give_the_true_bytes_and_hash(demo_server: DemoServer) -> None:
    art = demo_server.dataset.artifacts[3]
    assert hashlib.sha256(demo_server.true_bytes(art.id)).hexdigest() == demo_server.true_hash(
        art.id
    )
    served = httpx.get(demo_server.signed_url(art.id)).content
    assert served == demo_server.true_bytes(art.id)


def test_helper_signed_url_honours_a_custom_lifetime(demo_server: DemoServer) -> None:
    art = demo_server.dataset.artifacts[0]
    assert "X-Amz-Expires=5" in demo_server.signed_url(art.id, ttl=5)


def test_unknown_api_path_answers_json_404(demo_server: DemoServer) -> None:
    headers = {"Authorization": f"Bearer {demo_server.api_key}"}
    response = httpx.get(demo_server.base_url + "/no-such-thing", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_two_servers_run_side_by_side_with_separate_knobs(make_demo_server) -> None:
    a, b = make_demo_server(), make_demo_server(seed=2)
    a.config.fail_next = 1
    assert a.port != b.port
    head_a = {"Authorization": f"Bearer {a.api_key}"}
    head_b = {"Authorization": f"Bearer {b.api_key}"}
    assert httpx.get(b.base_url + "/jobs", headers=head_b).status_code == 200
    assert httpx.get(a.base_url + "/jobs", headers=head_a).status_code == 503
    assert httpx.get(b.base_url + "/jobs", headers=head_a).status_code == 401
