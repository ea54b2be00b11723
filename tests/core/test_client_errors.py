"""Error statuses and network failures become our error tree, with useful text and no secrets."""

from __future__ import annotations

import httpx
import pytest

from artifact_viewer.core.client import AnonClient, error_detail
from artifact_viewer.core.errors import (
    ApiError,
    AuthError,
    BadRequest,
    ConfigError,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
)
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.retry import RetryPolicy

KEY = "anon_errors_test_key_4567"
SIGNED = "https://storage.googleapis.com/b/o.pdf?X-Goog-Date=20240101T000000Z&X-Goog-Expires=900&X-Goog-Signature=cafe"


def client_for(handler) -> AnonClient:
    http = build_http_client(transport=httpx.MockTransport(handler))
    return AnonClient(
        http, api_key=KEY, base_url="https://api.example.test/api/v2", retry=RetryPolicy.no_retry()
    )


def leaky_body(message: str) -> dict[str, str]:
    """An error body that echoes the key and a signed URL, as careless servers do."""
    return {"error": f"{message} (key {KEY}, url {SIGNED})"}


@pytest.mark.parametrize(
    ("status", "single", "cls", "phrase"),
    [
        (400, True, BadRequest, "refused the request"),
        (401, False, AuthError, "The API key was rejected (401)"),
        (403, False, AuthError, "may not list"),
        (403, True, NotFound, "not visible to this key"),
        (404, True, NotFound, "was not found (404)"),
        (404, False, NotFound, "no list of"),
        (410, True, NotFound, "was not found (410)"),
        (422, True, BadRequest, "422"),
        (429, False, RateLimited, "Too many requests"),
        (500, True, ServerError, "500"),
        (502, False, ServerError, "502"),
        (503, True, ServerError, "503"),
    ],
)
def test_status_maps_to_error_class_with_status_detail_and_no_secret(
    status: int, single: bool, cls: type[ApiError], phrase: str
) -> None:
    client = client_for(lambda r: httpx.Response(status, json=leaky_body("boom happened")))
    with pytest.raises(cls) as info:
        if single:
            client.get_workflow_run("run-1")
        else:
            list(client.list_workflows())
    err = info.value
    text = err.user_message()
    assert type(err) is cls
    assert err.status == status
    assert phrase in text
    assert "boom happened" in text
    for shown in (text, str(err), repr(err), str(err.detail)):
        assert KEY not in shown
        assert "X-Goog-Signature" not in shown
        assert "cafe" not in shown


def test_401_reads_as_the_documented_sentence() -> None:
    client = client_for(lambda r: httpx.Response(401))
    with pytest.raises(AuthError) as info:
        client.get_workflow("w")
    assert info.value.user_message() == (
        "The API key was rejected (401). Check the API key in Settings or set ANON_API_KEY."
    )


def test_429_carries_retry_after_seconds() -> None:
    client = client_for(lambda r: httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(RateLimited) as info:
        list(client.list_artifacts())
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(400, json={"message": "pageSize too big"}), "pageSize too big."),
        (httpx.Response(400, json={"error": "bad id"}), "bad id."),
        (httpx.Response(400, json={"error": {"code": 7, "message": "nested"}}), "nested."),
        (httpx.Response(400, json={"errors": [{"message": "a"}, {"detail": "b"}]}), "a; b."),
        (httpx.Response(400, json={"detail": "django style"}), "django style."),
        (httpx.Response(400, json=["listed problem"]), "listed problem."),
        (httpx.Response(400, text="plain text problem\nsecond line"), "plain text problem."),
        (httpx.Response(502, text="<html><body>Bad Gateway</body></html>"), None),
        (httpx.Response(500, content=b""), None),
        (httpx.Response(500, json={"unrelated": 1}), None),
        (httpx.Response(500, content=b"\xff\xfe\x00garbage"), "\ufffd\ufffd garbage."),
    ],
)
def test_error_detail_is_found_in_any_body_shape(response: httpx.Response, expected) -> None:
    assert error_detail(response) == expected


def test_long_error_detail_is_cut() -> None:
    detail = error_detail(httpx.Response(400, json={"message": "x" * 5000}))
    assert detail is not None
    assert len(detail) <= 200


@pytest.mark.parametrize(
    ("exc", "phrase"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "Could not connect to api.example.test",
        ),
        (httpx.ConnectTimeout("timed out"), "Timed out connecting to"),
        (httpx.ReadTimeout("timed out"), "Timed out waiting for an answer"),
        (
            httpx.RemoteProtocolError("peer closed connection"),
            "connection to api.example.test failed",
        ),
        (httpx.ReadError("reset by peer"), "connection to api.example.test failed"),
    ],
)
def test_transport_failures_are_network_errors(exc: Exception, phrase: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(NetworkError) as info:
        client_for(handler).get_artifact("a1")
    assert phrase in str(info.value)
    assert "network" in info.value.user_message()
    assert info.value.__cause__ is None  # no chained httpx traceback holding the URL


def test_signed_url_in_a_network_error_message_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed for {SIGNED}")

    with pytest.raises(NetworkError) as info:
        client_for(handler).get_artifact("a1")
    assert "X-Goog-Signature" not in str(info.value)


def test_unsupported_protocol_is_a_config_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("Request URL has an unsupported protocol")

    with pytest.raises(ConfigError, match="base URL"):
        client_for(handler).get_workflow("w")
