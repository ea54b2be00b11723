"""Test-wide setup: headless Qt, an isolated app home, an in-memory keyring."""

from __future__ import annotations

import os

# Must be set before anything imports Qt, or pytest aborts on a machine without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ANON_API_KEY", None)
os.environ.pop("ANON_BASE_URL", None)

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from artifact_viewer.qt import binding  # noqa: E402

# The binding fixes the app installs at start-up, before any test emits a signal.
binding.install()

pytest_plugins = [
    "tests.plugins.server",
    "tests.plugins.store",
    "tests.plugins.qt",
]


class MemoryKeyring(KeyringBackend):
    """A keyring that lives only in this process."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def app_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own ARTIFACT_VIEWER_HOME (config, cache, data, logs)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets an empty in-memory keyring; tests of 'no keyring' replace it themselves."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
