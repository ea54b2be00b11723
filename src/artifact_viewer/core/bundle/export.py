"""Export runs to one zip: their records, notes and verified files, with ``manifest.json``."""

from __future__ import annotations

import hashlib
import logging
import stat
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from artifact_viewer import __version__
from artifact_viewer.core.bundle.manifest import (
    MANIFEST_NAME,
    FileEntry,
    Manifest,
    build_manifest,
)
from artifact_viewer.core.bundle.target import PrivateTarget
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.catalog.notes import Note, NoteKind
from artifact_viewer.core.destinations import check_destination
from artifact_viewer.core.errors import BundleError, NotFound, OfflineError
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.store_models import ArtifactQuery, CacheState, SyncReport

log = logging.getLogger("artifact_viewer.bundle")

COPY_CHUNK = 1024 * 1024
DEFLATE_LEVEL = 1  # text artifacts shrink 5-10x at level 1 already; higher levels cost 3x time
# Already compressed: storing them again compressed costs time and saves nothing.
STORED_EXTENSIONS = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "webp", "avif", "heic", "pdf", "zip", "gz", "tgz",
        "bz2", "xz", "zst", "7z", "rar", "docx", "xlsx", "pptx", "odt", "ods", "jar",
        "mp3", "mp4", "m4a", "mov", "webm", "ogg", "woff", "woff2", "parquet",
    }
)  # fmt: skip
STORED_MIME_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "application/pdf",
        "application/zip", "application/gzip", "application/x-gzip", "application/x-7z-compressed",
        "application/x-bzip2", "application/x-xz", "application/zstd",
    }
)  # fmt: skip


class ExportSource(Protocol):
    """The parts of :class:`artifact_viewer.core.library.Library` an export uses."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def client(self) -> object | None: ...

    def refresh_run(self, run_id: str) -> WorkflowRun: ...
    def refresh_artifacts(
        self, *, run_id: str | None = None, workflow_id: str | None = None
    ) -> int: ...
    def artifacts_synced_at(self, *, run_id: str | None = None) -> float | None: ...
    def cached_path(self, artifact_id: str) -> Path | None: ...
    def download(
        self,
        artifacts: Sequence[Artifact],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport: ...


@dataclass(slots=True)
class ExportReport:
    """What went into the bundle."""

    path: Path
    runs: int = 0
    files: int = 0
    bytes: int = 0
    downloaded: int = 0  # files fetched (and verified) for this export
    not_verifiable: list[str] = field(default_factory=list)  # artifact ids: API hash unknown
    notes: int = 0


_Stamp = tuple[int, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class _File:
    artifact: Artifact
    path: str
    blob: Path
    sha256: str
    size: int
    verified: bool


def compress_type_for(name: str, mime_type: str | None) -> int:
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    mime = (mime_type or "").split(";")[0].strip().lower()
    if ext in STORED_EXTENSIONS or mime in STORED_MIME_TYPES:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext`` and so on when a name is taken (compared ignoring case)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    taken.add(candidate.lower())
    return candidate


def _run_and_artifacts(library: ExportSource, run_id: str) -> tuple[WorkflowRun, list[Artifact]]:
    catalog = library.catalog
    run = catalog.run(run_id)
    online = library.client is not None
    if run is None and online:
        try:
            run = library.refresh_run(run_id)
        except OfflineError:
            run = None
    if run is None:
        raise NotFound(
            f"The workflow run {run_id} is not in the local catalog.",
            hint="Check the id, or run `artifact-viewer sync` while online.",
        )
    if online and library.artifacts_synced_at(run_id=run_id) is None:
        try:
            library.refresh_artifacts(run_id=run_id)
        except OfflineError as exc:
            log.info("Exporting run %s as the catalog holds it: %s", run_id, exc.message)
    artifacts = catalog.artifacts(
        ArtifactQuery(run_id=run_id, order_by="created_at", descending=False)
    )
    never_listed = (
        library.artifacts_synced_at(run_id=run_id) is None
        and catalog.import_mark("workflow_runs", run_id) is None
    )
    if not artifacts and never_listed:
        # An empty bundle would claim the run has no files, when we simply do not know.
        raise BundleError(
            f"Not exported: the artifacts of run {run_id} were never listed here.",
            hint="Connect to the API (or run `artifact-viewer sync --run ID` when online),"
            " then export again.",
        )
    return run, artifacts


def export_runs(
    library: ExportSource,
    run_ids: Sequence[str],
    target: Path,
    *,
    include_notes: bool = True,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ExportReport:
    """Write ``run_ids`` with their workflows, artifacts, verified files (and notes) to
    ``target``, a zip with ``manifest.json`` at its root.

    Files not cached yet are downloaded and verified first; if any cannot be, nothing is
    written and :class:`BundleError` lists them (``details``: artifact id -> reason). The
    zip is built in an unnamed (or hidden) private file beside ``target`` and appears only
    when complete: a cancel (:class:`Cancelled`) or a crash leaves no partial file.
    """
    target = Path(target).expanduser()
    check_destination(target, overwrite, hint="Choose another file name.")
    ids = list(dict.fromkeys(run_ids))
    if not ids:
        raise BundleError("Nothing to export: no run was given.")
    catalog = library.catalog
    runs: list[WorkflowRun] = []
    artifacts: list[Artifact] = []
    for run_id in ids:
        if cancel is not None:
            cancel.raise_if_cancelled()
        run, items = _run_and_artifacts(library, run_id)
        runs.append(run)
        artifacts += items
    workflows: dict[str, Workflow] = {}
    for run in runs:
        workflow = catalog.workflow(run.workflow_id) if run.workflow_id else None
        if workflow is not None:
            workflows[workflow.id] = workflow

    result = ExportReport(path=target, runs=len(runs))
    todo = [a for a in artifacts if library.cached_path(a.id) is None]
    fetch_bytes = sum(a.file_size or 0 for a in todo)
    write_bytes = sum(a.file_size or 0 for a in artifacts)
    total = fetch_bytes + write_bytes
    missing: dict[str, str] = {}
    if todo and library.client is None:
        for artifact in todo:
            missing[artifact.id] = (
                f"{artifact.name}: not cached, and no API connection is configured to download it"
            )
    elif todo:
        fetched = library.download(
            todo,
            progress=lambda done, _t: report(progress, min(done, fetch_bytes), total),
            cancel=cancel,
        )
        result.downloaded = fetched.downloaded
        todo_names = {a.id: a.name for a in todo}
        missing.update({i: f"{todo_names.get(i, i)}: {why}" for i, why in fetched.failed.items()})

    files: list[_File] = []
    folders: dict[str, str] = {}
    taken_folders: set[str] = set()
    taken_names: dict[str, set[str]] = {}
    for artifact in artifacts:
        if artifact.id in missing:
            continue
        blob = library.cached_path(artifact.id)
        entry = catalog.cache_entry(artifact.id)
        if blob is None or entry is None or not entry.sha256 or entry.size is None:
            missing[artifact.id] = f"{artifact.name}: its cached file is gone (evicted or purged)"
            continue
        run_id = artifact.workflow_run_id or ""
        if run_id not in folders:
            folders[run_id] = "runs/" + _unique(safe_file_name(run_id) or "run", taken_folders)
        names = taken_names.setdefault(run_id, set())
        name = _unique(safe_file_name(artifact.name, artifact), names)
        verified = entry.state is CacheState.VERIFIED
        if not verified:
            result.not_verifiable.append(artifact.id)
        files.append(
            _File(artifact, f"{folders[run_id]}/{name}", blob, entry.sha256, entry.size, verified)
        )
    if missing:
        raise BundleError(
            f"Not exported: {len(missing)} of {len(artifacts)} file(s) are not available verified.",
            hint="Connect to the API and try again; each missing file is listed with its reason.",
            details=missing,
        )

    notes: list[Note] = []
    if include_notes:
        notes += catalog.notes(NoteKind.RUN, [r.id for r in runs]).values()
        notes += catalog.notes(NoteKind.ARTIFACT, [a.id for a in artifacts]).values()
    result.notes = len(notes)
    exported_at = datetime.now(UTC)
    manifest = Manifest(
        exported_at=exported_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        app_version=__version__,
        workflows=list(workflows.values()),
        runs=runs,
        artifacts=artifacts,
        files=[
            FileEntry(f.path, f.artifact.id, f.size, f.sha256, f.artifact.file_hash) for f in files
        ],
        notes=notes,
    )
    write_total = sum(f.size for f in files)
    t = exported_at.timetuple()
    stamp: _Stamp = (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    started = time.monotonic()
    with PrivateTarget(target, overwrite=overwrite) as out:
        with zipfile.ZipFile(out.handle, "w", allowZip64=True) as archive:
            info = _info(MANIFEST_NAME, stamp, zipfile.ZIP_DEFLATED)
            archive.writestr(info, build_manifest(manifest))
            done = 0
            for item in files:
                done = _copy_in(archive, item, stamp, done, fetch_bytes, total, progress, cancel)
        if cancel is not None:
            cancel.raise_if_cancelled()
        out.commit()
    report(progress, fetch_bytes + write_total, total)
    result.files = len(files)
    result.bytes = write_total
    log.info(
        "Exported %d run(s), %d file(s), %d bytes in %.2fs",
        result.runs,
        result.files,
        result.bytes,
        time.monotonic() - started,
    )
    return result


def _info(name: str, stamp: _Stamp, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = method
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    if method == zipfile.ZIP_DEFLATED:
        info._compresslevel = DEFLATE_LEVEL  # type: ignore[attr-defined]
    return info


def _copy_in(
    archive: zipfile.ZipFile,
    item: _File,
    stamp: _Stamp,
    done: int,
    offset: int,
    total: int,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> int:
    """Stream one cached file into the zip, hashing it again on the way (a cached file
    changed on disk since its check must not leave as "verified")."""
    info = _info(item.path, stamp, compress_type_for(item.path, item.artifact.mime_type))
    info.file_size = item.size
    digest = hashlib.sha256()
    buffer = bytearray(COPY_CHUNK)
    view = memoryview(buffer)
    size = 0
    with item.blob.open("rb", buffering=0) as source, archive.open(info, "w") as sink:
        while count := source.readinto(buffer):
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = view[:count]
            digest.update(chunk)
            sink.write(chunk)
            size += count
            report(progress, offset + done + size, total)
    if digest.hexdigest() != item.sha256 or size != item.size:
        raise BundleError(
            f"Not exported: the cached file of {item.artifact.name} changed on disk since it"
            " was verified.",
            hint="Run `artifact-viewer cache verify`, then export again.",
        )
    return done + size
