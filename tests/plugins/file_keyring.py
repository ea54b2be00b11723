"""A keyring backend in a JSON file, for tests whose child processes need the same keyring.

Selected with ``PYTHON_KEYRING_BACKEND=tests.plugins.file_keyring.FileKeyring``; the file
is named by ``ARTIFACT_VIEWER_TEST_KEYRING``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

FILE_ENV = "ARTIFACT_VIEWER_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path().read_text()))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\n{username}", None)
        self._path().write_text(json.dumps(data))
