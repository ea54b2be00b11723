"""Stand-in Anon V2 server and its seeded data set (no Qt).

Most callers want :class:`~artifact_viewer.demo.runner.DemoServer` and
:class:`~artifact_viewer.demo.config.ServerConfig`; both are importable from here (lazily, so
importing the data set alone does not pull in uvicorn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artifact_viewer.demo.config import ServerConfig
    from artifact_viewer.demo.runner import DemoServer

__all__ = ["DemoServer", "ServerConfig"]


def __getattr__(name: str) -> Any:
    if name == "DemoServer":
        from artifact_viewer.demo.runner import DemoServer

        return DemoServer
    if name == "ServerConfig":
        from artifact_viewer.demo.config import ServerConfig

        return ServerConfig
    raise AttributeError(name)
