"""The bundle's ``manifest.json``: what it holds (format v1), built on export, checked on import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from artifact_viewer.core.catalog.notes import MAX_NOTE_CHARS, Note, NoteKind, clean_note_text
from artifact_viewer.core.errors import BundleError
from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun, parse_timestamp

FORMAT_NAME = "artifact-viewer-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

# Record fields that may hold a signed URL or a credential: never written to a bundle, and
# dropped again on import (a bundle is data from outside).
_SECRET_KEY_RE = re.compile(
    r"(urls?|uris?|href)$|^(url|uri)|signed|signature|token|secret|password|api[_-]?key"
    r"|authorization|credential",
    re.IGNORECASE,
)
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def scrub(value: Any) -> Any:
    """A copy of a JSON value without any field named like a URL or secret, and without
    string values that are URLs with a query string (a signed URL under another name)."""
    if isinstance(value, dict):
        return {
            k: scrub(v)
            for k, v in value.items()
            if not _SECRET_KEY_RE.search(str(k)) and not _is_query_url(v)
        }
    if isinstance(value, list):
        return [scrub(v) for v in value if not _is_query_url(v)]
    return value


def _is_query_url(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value[:8].lower().startswith(("http://", "https://"))
        and "?" in value
    )


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file in the bundle: where it is, whose bytes they are, and how to check them."""

    path: str
    artifact_id: str
    size: int
    sha256: str
    file_hash: str | None


@dataclass(frozen=True, slots=True)
class Manifest:
    exported_at: str
    app_version: str
    workflows: list[Workflow]
    runs: list[WorkflowRun]
    artifacts: list[Artifact]
    files: list[FileEntry]
    notes: list[Note]


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


def build_manifest(manifest: Manifest) -> bytes:
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exportedAt": manifest.exported_at,
        "app": {"name": "artifact-viewer", "version": manifest.app_version},
        "workflows": [scrub(w.to_json()) for w in manifest.workflows],
        "runs": [scrub(r.to_json()) for r in manifest.runs],
        "artifacts": [scrub(a.to_json()) for a in manifest.artifacts],
        "files": [
            {
                "path": f.path,
                "artifactId": f.artifact_id,
                "size": f.size,
                "sha256": f.sha256,
                "fileHash": f.file_hash,
            }
            for f in manifest.files
        ],
        "notes": [
            {
                "kind": n.kind.value,
                "id": n.target_id,
                "text": n.text,
                "updatedAt": _iso(n.updated_at),
            }
            for n in manifest.notes
        ],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str)


# -- reading ----------------------------------------------------------------------------------


def _invalid(what: str) -> BundleError:
    return BundleError(f"Not imported: manifest.json is not valid ({what}).")


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _invalid(f"{key} is not a list")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"an entry of {where} is not an object")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid(f"{where} is missing or not text")
    return value


def parse_manifest(raw: bytes) -> Manifest:
    """Read and check a manifest; every problem is a one-line :class:`BundleError`."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BundleError("Not imported: manifest.json is not valid JSON.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise BundleError("Not imported: this zip is not an artifact-viewer bundle.")
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise BundleError(
            f"Not imported: the bundle's format version is {version!r}; this app reads"
            f" version {FORMAT_VERSION}.",
            hint="Import it with the artifact-viewer version that made it, or a newer one.",
        )
    exported_at = _text(data.get("exportedAt"), "exportedAt")
    if parse_timestamp(exported_at) is None:
        raise _invalid("exportedAt is not a time")
    app = data.get("app")
    app_version = str(app.get("version", "")) if isinstance(app, dict) else ""
    try:
        workflows = [
            Workflow.from_json(scrub(_object(v, "workflows"))) for v in _list(data, "workflows")
        ]
        runs = [WorkflowRun.from_json(scrub(_object(v, "runs"))) for v in _list(data, "runs")]
        artifacts = [
            Artifact.from_json(scrub(_object(v, "artifacts"))) for v in _list(data, "artifacts")
        ]
    except TypeError as exc:
        raise _invalid(str(exc)) from None
    files = [_file_entry(_object(v, "files")) for v in _list(data, "files")]
    notes = [_note(_object(v, "notes")) for v in _list(data, "notes")]
    manifest = Manifest(exported_at, app_version, workflows, runs, artifacts, files, notes)
    _check_references(manifest)
    return manifest


def _file_entry(item: dict[str, Any]) -> FileEntry:
    path = _text(item.get("path"), "a file's path")
    artifact_id = _text(item.get("artifactId"), f"the artifactId of {path}")
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _invalid(f"the size of {path} is not a byte count")
    sha256 = item.get("sha256")
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise _invalid(f"the sha256 of {path} is not a SHA-256 digest")
    file_hash = item.get("fileHash")
    if file_hash is not None and not isinstance(file_hash, str):
        raise _invalid(f"the fileHash of {path} is not text")
    return FileEntry(path, artifact_id, size, sha256, file_hash)


def _note(item: dict[str, Any]) -> Note:
    try:
        kind = NoteKind(str(item.get("kind")))
    except ValueError:
        raise _invalid("a note is neither on a run nor on an artifact") from None
    target = _text(item.get("id"), "a note's id")
    text = item.get("text")
    if not isinstance(text, str) or len(text) > MAX_NOTE_CHARS:
        raise _invalid(f"the note on {target} is not text or too long")
    when = parse_timestamp(item.get("updatedAt"))
    if when is None:
        raise _invalid(f"the note on {target} has no time")
    return Note(kind, target, clean_note_text(text), when.timestamp())


def _check_references(manifest: Manifest) -> None:
    """Every artifact has one file, every file one artifact, every artifact its run."""
    for kind, items in (("run", manifest.runs), ("artifact", manifest.artifacts)):
        ids = [i.id for i in items]
        if any(not i for i in ids):
            raise _invalid(f"a {kind} has no id")
        if len(set(ids)) != len(ids):
            raise _invalid(f"a {kind} is listed twice")
    run_ids = {r.id for r in manifest.runs}
    artifacts = {a.id: a for a in manifest.artifacts}
    for artifact in manifest.artifacts:
        if artifact.workflow_run_id not in run_ids:
            raise _invalid(f"artifact {artifact.id} belongs to no run in the bundle")
    by_artifact: dict[str, FileEntry] = {}
    paths: set[str] = set()
    for entry in manifest.files:
        if entry.path in paths:
            raise BundleError(f"Not imported: the manifest lists {entry.path} twice.")
        paths.add(entry.path)
        record = artifacts.get(entry.artifact_id)
        if record is None:
            raise _invalid(f"{entry.path} belongs to no artifact in the bundle")
        if entry.artifact_id in by_artifact:
            raise _invalid(f"artifact {entry.artifact_id} has two files")
        if (entry.file_hash or None) != (record.file_hash or None):
            raise _invalid(f"the fileHash of {entry.path} differs from its artifact's")
        by_artifact[entry.artifact_id] = entry
    for artifact_id in artifacts:
        if artifact_id not in by_artifact:
            raise _invalid(f"artifact {artifact_id} has no file")
    for note in manifest.notes:
        known = run_ids if note.kind is NoteKind.RUN else artifacts
        if note.target_id not in known:
            raise _invalid(f"the note on {note.target_id} belongs to nothing in the bundle")
