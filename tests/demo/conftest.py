"""Shared helpers for the stand-in server tests: an authorised httpx client per server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from artifact_viewer.demo.runner import DemoServer


@pytest.fixture
def api(demo_server: DemoServer) -> Iterator[httpx.Client]:
    """httpx client for the API of ``demo_server``, with the right bearer key."""
    headers = {"Authorization": f"Bearer {demo_server.api_key}"}
    with httpx.Client(base_url=demo_server.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def storage() -> Iterator[httpx.Client]:
    """httpx client with no credentials at all, for signed URLs."""
    with httpx.Client(timeout=10) as client:
        yield client
