"""A keyring backend in a JSON file, so benchmark workers (no desktop session, so no system
keyring) can hold the cache's encryption key. Selected with
``PYTHON_KEYRING_BACKEND=bench.filekeyring.FileKeyring``; the file is
``BENCH_KEYRING_FILE``. For measurements only: it keeps keys in plain text."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

FILE_ENV = "BENCH_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(Path(os.environ[FILE_ENV]).read_text()))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        Path(os.environ[FILE_ENV]).write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\n{username}", None)
        Path(os.environ[FILE_ENV]).write_text(json.dumps(data))
