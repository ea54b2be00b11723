"""Shared setup for P7-P9: the stand-in server in the parent process, and our library in a worker.

The server runs in the harness process (idle while it waits for workers), so the
downloader under test never shares an interpreter with the code serving it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.spec import FeatureMissing, require


@contextlib.contextmanager
def app_home(home: str) -> Iterator[None]:
    """Point this (parent) process's app paths at ``home`` for a setup step."""
    previous = os.environ.get("ARTIFACT_VIEWER_HOME")
    os.environ["ARTIFACT_VIEWER_HOME"] = home
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("ARTIFACT_VIEWER_HOME", None)
        else:
            os.environ["ARTIFACT_VIEWER_HOME"] = previous


@contextlib.contextmanager
def demo_server(
    *,
    big_files: dict[str, Path] | None = None,
    scale_artifacts: int = 0,
    dataset: Any = None,
) -> Iterator[Any]:
    runner = require("artifact_viewer.demo.runner", "DemoServer")
    with runner.DemoServer(
        big_files=big_files, scale_artifacts=scale_artifacts, dataset=dataset
    ) as server:
        yield server


@contextlib.contextmanager
def big_file_server(ctx: dict[str, Any], name: str) -> Iterator[dict[str, Any]]:
    """Serve data file ``name`` as an artifact; yields the context a worker needs to fetch it."""
    path = Path(ctx["data"][name])
    with demo_server(big_files={name: path}) as server:
        artifact_id = server.dataset.big_files.get(name)
        if artifact_id is None:
            raise FeatureMissing(f"the stand-in server does not serve big file {name}")
        yield {
            "base_url": server.base_url,
            "api_key": server.api_key,
            "artifact_id": artifact_id,
            "size": path.stat().st_size,
        }


def open_library(ctx: dict[str, Any], *, online: bool = True, page_size: int = 100) -> Any:
    """Our store under ARTIFACT_VIEWER_HOME, built the way the CLI builds it."""
    library_mod = require("artifact_viewer.core.library", "Library")
    paths_mod = require("artifact_viewer.core.paths", "app_paths")
    settings_mod = require("artifact_viewer.core.settings", "Settings")
    settings = settings_mod.Settings(page_size=page_size)
    client = http = None
    if online:
        http_mod = require("artifact_viewer.core.http", "build_http_client")
        client_mod = require("artifact_viewer.core.client", "AnonClient")
        http = http_mod.build_http_client(settings)
        client = client_mod.AnonClient(
            http, api_key=ctx["api_key"], base_url=ctx["base_url"], page_size=page_size
        )
    return library_mod.Library.open(paths_mod.app_paths(), settings, client, http=http)


def signed_url(ctx: dict[str, Any]) -> str:
    """A fresh signed URL for the context's artifact, asked of the API like any client would."""
    import httpx

    response = httpx.get(
        f"{ctx['base_url']}/artifacts/{ctx['artifact_id']}",
        headers={"Authorization": f"Bearer {ctx['api_key']}"},
        timeout=30,
    )
    response.raise_for_status()
    url = response.json().get("signedUrl")
    if not url:
        raise RuntimeError("the API gave no signedUrl")
    return str(url)
