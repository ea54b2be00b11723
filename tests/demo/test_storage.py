"""Signed-URL storage: no auth needed, expiry and tampering refused with S3-like XML, Range."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from artifact_viewer.demo.runner import DemoServer


def _first(api: httpx.Client, **params: str) -> dict:
    return api.get("/artifacts", params={"pageSize": 1, **params}).json()["data"][0]


def test_signed_url_downloads_without_auth_and_matches_hash(
    api: httpx.Client, storage: httpx.Client
) -> None:
    art = _first(api)
    response = storage.get(art["signedUrl"])
    assert response.status_code == 200
    assert "authorization" not in response.request.headers
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == art["fileSize"] == len(response.content)
    assert response.headers["content-type"] == art["mimeType"]
    assert hashlib.sha256(response.content).hexdigest() == art["fileHash"]


def test_signed_url_is_s3_style_with_date_and_lifetime(api: httpx.Client) -> None:
    url = _first(api)["signedUrl"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert len(query["X-Amz-Date"][0]) == 16 and query["X-Amz-Date"][0].endswith("Z")
    assert len(query["X-Amz-Signature"][0]) == 64


def test_expired_url_is_403_with_s3_xml(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    url = _first(api)["signedUrl"]
    demo_server.config.clock_offset = 901
    response = storage.get(url)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/xml"
    assert "<Code>AccessDenied</Code>" in response.text
    assert "Request has expired" in response.text


def test_short_lifetime_url_really_expires(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.url_ttl = 1
    url = _first(api)["signedUrl"]
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["1"]
    assert storage.get(url).status_code == 200
    # Two seconds later on the server's clock (X-Amz-Date is rounded up, so the URL lives
    # 1 to 2 seconds): expired, with no real waiting.
    demo_server.config.clock_offset = 2.01
    assert "Request has expired" in storage.get(url).text


def test_get_artifact_hands_out_a_fresh_url_after_expiry(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    art = _first(api)
    demo_server.config.clock_offset = 5000
    assert storage.get(art["signedUrl"]).status_code == 403
    fresh = api.get(f"/artifacts/{art['id']}").json()["signedUrl"]
    assert fresh != art["signedUrl"]
    assert storage.get(fresh).status_code == 200


@pytest.mark.parametrize("part", ["signature", "expires", "path", "missing"])
def test_tampered_url_is_403(api: httpx.Client, storage: httpx.Client, part: str) -> None:
    url = _first(api)["signedUrl"]
    if part == "signature":
        head, sig = url.rsplit("X-Amz-Signature=", 1)
        url = head + "X-Amz-Signature=" + ("0" if sig[0] != "0" else "1") + sig[1:]
    elif part == "expires":
        url = url.replace("X-Amz-Expires=900", "X-Amz-Expires=99999")
    elif part == "path":
        url = url.replace("/storage/", "/storage/x", 1)
    else:
        url = url.split("?", 1)[0]
    response = storage.get(url)
    assert response.status_code == 403
    assert "<Error><Code>" in response.text
    if part in ("signature", "expires", "path"):
        assert "SignatureDoesNotMatch" in response.text


def test_range_gives_206_with_content_range(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    art = _first(api)
    truth = demo_server.true_bytes(art["id"])
    response = storage.get(art["signedUrl"], headers={"Range": "bytes=10-109"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 10-109/{len(truth)}"
    assert response.content == truth[10:110]


@pytest.mark.parametrize(
    ("header", "span"), [("bytes=100-", (100, None)), ("bytes=-50", (-50, None))]
)
def test_open_and_suffix_ranges(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer, header: str, span: tuple
) -> None:
    art = _first(api)
    truth = demo_server.true_bytes(art["id"])
    response = storage.get(art["signedUrl"], headers={"Range": header})
    assert response.status_code == 206
    assert response.content == truth[span[0] : span[1]]


def test_range_past_the_end_is_416(api: httpx.Client, storage: httpx.Client) -> None:
    art = _first(api)
    response = storage.get(art["signedUrl"], headers={"Range": f"bytes={art['fileSize']}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{art['fileSize']}"


def test_head_gives_length_without_body(api: httpx.Client, storage: httpx.Client) -> None:
    art = _first(api)
    response = storage.head(art["signedUrl"])
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == art["fileSize"]
    assert response.content == b""


def test_request_log_keeps_no_signatures(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    storage.get(_first(api)["signedUrl"], headers={"Range": "bytes=0-9"})
    records = demo_server.config.requests
    assert [r.kind for r in records] == ["api", "storage"]
    assert records[1].status == 206 and records[1].range == "bytes=0-9"
    assert not any("Signature" in r.path for r in records)


def test_gcs_style_url_carries_goog_params_and_expires_with_400(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.url_style = "gcs"
    art = _first(api)
    query = parse_qs(urlsplit(art["signedUrl"]).query)
    assert query["X-Goog-Expires"] == ["900"] and "X-Amz-Date" not in query
    assert hashlib.sha256(storage.get(art["signedUrl"]).content).hexdigest() == art["fileHash"]
    demo_server.config.clock_offset = 901
    response = storage.get(art["signedUrl"])
    assert response.status_code == 400
    assert "<Code>ExpiredToken</Code>" in response.text


def test_opaque_url_hides_its_expiry_but_still_expires(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.url_style = "opaque"
    url = _first(api)["signedUrl"]
    assert list(parse_qs(urlsplit(url).query)) == ["token"]
    assert storage.get(url).status_code == 200
    head, token = url.split("token=")
    assert storage.get(head + "token=" + token[::-1]).status_code == 403
    demo_server.config.clock_offset = 901
    assert "Request has expired" in storage.get(url).text


def test_log_tells_when_a_storage_request_carried_an_api_key(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    url = _first(api)["signedUrl"]
    storage.get(url)
    api.get(url)  # the API client's Authorization header goes along: a leak
    flags = [r.authorized for r in demo_server.config.requests if r.kind == "storage"]
    assert flags == [False, True]


def test_storage_can_refuse_an_authorization_header_like_s3(
    api: httpx.Client, storage: httpx.Client, demo_server: DemoServer
) -> None:
    demo_server.config.storage_rejects_auth = True
    url = _first(api)["signedUrl"]
    response = api.get(url)
    assert response.status_code == 400 and "<Code>InvalidArgument</Code>" in response.text
    assert storage.get(url).status_code == 200
