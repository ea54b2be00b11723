"""One demo artifact: its metadata plus lazily made, memoised bytes (or a file on disk) and hash."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_MAKE_LOCK = threading.Lock()


@dataclass(eq=False, slots=True)
class DemoArtifact:
    """Metadata as the API shows it; bytes come from ``make()`` (memoised) or from ``path``."""

    id: str
    workflow_id: str
    workflow_run_id: str
    organization_id: str
    type: str
    display_name: str
    mime_type: str
    storage_path: str
    created_at: str
    updated_at: str
    sort_key: float
    make: Callable[[], bytes] | None = None
    path: Path | None = None
    hash_of_path: Callable[[Path], str] | None = None
    _data: bytes | None = field(default=None, repr=False)
    _sha256: str | None = field(default=None, repr=False)
    _size: int | None = field(default=None, repr=False)

    def data(self) -> bytes:
        """The true bytes of an in-memory artifact (not for ones backed by a file)."""
        if self._data is None:
            if self.make is None:
                assert self.path is not None
                return self.path.read_bytes()
            with _MAKE_LOCK:
                if self._data is None:
                    self._data = self.make()
        return self._data

    @property
    def on_disk(self) -> bool:
        return self.path is not None

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = self.path.stat().st_size if self.path is not None else len(self.data())
        return self._size

    @property
    def sha256(self) -> str:
        """SHA-256 hex of the true bytes: the ``fileHash`` the API reports."""
        if self._sha256 is None:
            if self.path is not None and self.hash_of_path is not None:
                self._sha256 = self.hash_of_path(self.path)
            else:
                self._sha256 = hashlib.sha256(self.data()).hexdigest()
        return self._sha256

    def file_hash(self, style: str = "sha256") -> str:
        """``fileHash`` in one of the shapes a real API might use (see ServerConfig.hash_style)."""
        if style == "prefixed":
            return "sha256:" + self.sha256
        if style == "base64":
            return base64.b64encode(bytes.fromhex(self.sha256)).decode()
        if style == "md5":
            digest = hashlib.md5(usedforsecurity=False)
            if self.path is None:
                digest.update(self.data())
            else:
                with self.path.open("rb") as fh:
                    while chunk := fh.read(4 << 20):
                        digest.update(chunk)
            return digest.hexdigest()
        if style == "unknown":
            return "v1-" + self.sha256[:20]
        return self.sha256

    def to_json(
        self, signed_url: str | None, url_mode: str = "present", hash_style: str = "sha256"
    ) -> dict[str, Any]:
        """The API object. ``url_mode``: present (the URL), absent (no key) or null."""
        out: dict[str, Any] = {
            "id": self.id,
            "workflowId": self.workflow_id,
            "workflowRunId": self.workflow_run_id,
            "organizationId": self.organization_id,
            "type": self.type,
            "displayName": self.display_name,
            "mimeType": self.mime_type,
            "fileSize": self.size,
            "fileHash": self.file_hash(hash_style),
            "storagePath": self.storage_path,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if url_mode == "present":
            out["signedUrl"] = signed_url
        elif url_mode == "null":
            out["signedUrl"] = None
        return out
