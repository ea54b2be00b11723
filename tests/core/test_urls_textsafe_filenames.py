"""Address checks, terminal-safe text and safe file names: the pure functions behind #12."""

from __future__ import annotations

import json

import pytest

from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import ConfigError
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.textsafe import json_safe, terminal_safe
from artifact_viewer.core.urls import (
    UnsafeUrl,
    check_base_url,
    check_download_url,
    is_loopback_host,
)


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "127.8.9.1", "[::1]", "::1", "a.localhost"]
)
def test_loopback_hosts_are_recognised(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "localhost.example.com", "", None])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "uses file:"),
        ("ftp://127.0.0.1/x", "uses ftp:"),
        ("http://storage.example.com/x", "cleartext http"),
        ("http://[::1/x", "malformed"),
        ("https://host:99999/x", "malformed"),
        ("https:///nohost", "no host"),
        ("https://s.example.com/a b", "spaces or control"),
        ("javascript:alert(1)", "uses javascript:"),
    ],
)
def test_download_links_other_than_https_or_loopback_http_are_refused(url, reason):
    with pytest.raises(UnsafeUrl, match=reason):
        check_download_url(url)


@pytest.mark.parametrize(
    "url", ["https://s3.example.com/o?X-Amz-Signature=1", "http://127.0.0.1:8000/o"]
)
def test_https_and_loopback_http_download_links_pass(url):
    assert check_download_url(url) == url


def test_cleartext_base_url_is_refused_for_another_host_with_the_reason():
    with pytest.raises(UnsafeUrl, match="would travel unencrypted"):
        check_base_url("http://worker.example.com/api/v2")
    assert check_base_url("http://localhost:8080/api/v2")
    assert check_base_url("https://worker.anon.com/api/v2")


def test_client_refuses_cleartext_base_url_and_keys_with_line_breaks():
    import httpx

    with httpx.Client() as http:
        with pytest.raises(ConfigError, match="unencrypted"):
            AnonClient(http, api_key="anon_k", base_url="http://api.example.com/v2")
        with pytest.raises(ConfigError, match="line break"):
            AnonClient(http, api_key="anon_k\nX-Evil: 1", base_url="https://api.example.com")
        assert AnonClient(http, api_key="anon_k", base_url="http://127.0.0.1:1/api/v2")


def test_terminal_safe_escapes_controls_and_bidi_but_keeps_ordinary_text():
    assert terminal_safe("\x1b]0;PWNED\x07x") == "\\x1b]0;PWNED\\x07x"
    assert terminal_safe("invoice\u202efdp.exe") == "invoice\\u202efdp.exe"
    assert terminal_safe("a\u0085b\u2028c") == "a\\x85b\\u2028c"
    assert (
        terminal_safe("Lohnabrechnung März 日本語 café.csv")
        == "Lohnabrechnung März 日本語 café.csv"
    )
    assert terminal_safe(None) == "-"


def test_json_safe_stays_the_same_json_and_prints_safely():
    value = {"name": "a\u202eb\x85c\U000e0001d"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert "\u202e" not in text and "\x85" not in text and "\U000e0001" not in text
    assert json.loads(text) == value


def test_file_names_are_cut_by_utf8_bytes_not_characters():
    name = safe_file_name("é" * 300 + ".csv")
    assert name.endswith(".csv")
    assert len(name.encode("utf-8")) <= 255
    assert name[:-4] == "é" * ((255 - 4) // 2)  # whole characters only


def test_file_names_lose_bidi_and_other_format_characters():
    assert safe_file_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert safe_file_name("a\u200bb\u2066c\ufeff.txt") == "abc.txt"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON.tar.gz", "_CON.tar.gz"),
        ("con", "_con"),
        ("LPT1.txt", "_LPT1.txt"),
        ("NUL .txt", "_NUL.txt"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("aux.json.gz", "_aux.json.gz"),
    ],
)
def test_windows_device_names_are_made_safe_whatever_the_extension(name, expected):
    assert safe_file_name(name) == expected
