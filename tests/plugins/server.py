"""Fixtures: a running stand-in Anon V2 server (fresh knobs per test) and a factory for custom ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.runner import DemoServer


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A stand-in server on 127.0.0.1:<free port> with default knobs; change ``.config`` freely.

    The seeded data set is shared across tests (it is immutable), so starting is cheap.
    """
    with DemoServer(ServerConfig()) as server:
        yield server


@pytest.fixture
def make_demo_server() -> Iterator[Callable[..., DemoServer]]:
    """Start servers with custom arguments (seed, config, big_files...); all stop at teardown."""
    started: list[DemoServer] = []

    def make(**kwargs: Any) -> DemoServer:
        server = DemoServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def shared_demo_server() -> Iterator[DemoServer]:
    """One server for read-only tests that never touch its knobs."""
    with DemoServer(ServerConfig()) as server:
        yield server
