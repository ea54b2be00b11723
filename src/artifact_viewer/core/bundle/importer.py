"""Import a bundle: check everything first, then add it all in one step (or nothing)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from artifact_viewer.core.blobstore import BlobStore, BlobWriter
from artifact_viewer.core.bundle.checks import check_entries, match_manifest
from artifact_viewer.core.bundle.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    FileEntry,
    Manifest,
    parse_manifest,
)
from artifact_viewer.core.bundle.records import usable_entries, write_records
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.errors import BundleError, CacheError
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.store_models import CacheEntry, CacheState

log = logging.getLogger("artifact_viewer.bundle")

READ_CHUNK = 1024 * 1024
SPACE_MARGIN = 64 * 1024 * 1024  # leave the disk this much room after an import
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip local file header, name and extra sizes last
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError)


class ImportTarget(Protocol):
    """The parts of :class:`artifact_viewer.core.library.Library` an import uses."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def blobs(self) -> BlobStore: ...


@dataclass(slots=True)
class ImportReport:
    """What an import added; all counts zero when the bundle was already imported."""

    path: Path
    exported_at: str
    runs: int = 0  # runs in the bundle
    artifacts: int = 0  # artifacts in the bundle
    bytes: int = 0  # bytes of files in the bundle
    new_runs: int = 0
    new_artifacts: int = 0
    new_files: int = 0
    notes: int = 0  # notes added or updated

    @property
    def changed(self) -> bool:
        return bool(self.new_runs or self.new_artifacts or self.new_files or self.notes)


@dataclass(slots=True)
class _Checked:
    entry: FileEntry
    writer: BlobWriter
    verified: bool


def _not_a_bundle(path: Path) -> BundleError:
    return BundleError(f"Not imported: {path.name} is not a zip file, or it is truncated.")


def import_bundle(
    library: ImportTarget,
    path: Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ImportReport:
    """Check ``path`` completely, then add its runs, artifacts, files and notes.

    Nothing is added unless every check passes: safe entry names, no links, every file in
    the manifest and no other, sizes as declared, no zip bomb, a manifest version this app
    reads, every file's SHA-256 (and the API's fileHash where it can be checked). Files
    stream into private temp files of the blob store and are moved into place only then;
    records go to the catalog in one transaction. Raises :class:`BundleError` (one line),
    :class:`Cancelled` (nothing added) or :class:`CacheError`.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise BundleError(f"Not imported: {path} does not exist or is not a file.")
    try:
        archive = zipfile.ZipFile(path)
    except OSError as exc:
        raise BundleError(
            f"Not imported: cannot read {path.name} ({exc.strerror or exc})."
        ) from None
    except _ZIP_ERRORS:
        raise _not_a_bundle(path) from None
    with archive:
        files = check_entries(archive.infolist())
        manifest = parse_manifest(_read_manifest(archive, files[MANIFEST_NAME], path))
        match_manifest(files, manifest.files)
        total = sum(e.size for e in manifest.files)
        result = ImportReport(
            path=path,
            exported_at=manifest.exported_at,
            runs=len(manifest.runs),
            artifacts=len(manifest.artifacts),
            bytes=total,
        )
        _check_catalog_agrees(library.catalog, manifest)
        _check_space(library.blobs, total)
        checked: list[_Checked] = []
        try:
            done = 0
            # In zip order, so the file is read front to back.
            for entry in sorted(manifest.files, key=lambda e: files[e.path].header_offset):
                checked.append(
                    _stream(archive, files[entry.path], entry, library.blobs, path, cancel)
                )
                done += entry.size
                report(progress, done, total)
            if cancel is not None:
                cancel.raise_if_cancelled()
            _add(library, manifest, checked, path, result)
        finally:
            for item in checked:
                item.writer.discard()  # no-op for the committed ones
    log.info(
        "Imported %s: %d new run(s), %d new file(s)", path.name, result.new_runs, result.new_files
    )
    return result


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    try:
        with archive.open(info) as handle:
            return handle.read(MAX_MANIFEST_BYTES + 1)
    except _ZIP_ERRORS:
        raise BundleError(f"Not imported: the manifest inside {path.name} is damaged.") from None


def _check_catalog_agrees(catalog: Catalog, manifest: Manifest) -> None:
    """An artifact the catalog knows with other bytes (another fileHash) is not merged."""
    for artifact in manifest.artifacts:
        known = catalog.artifact(artifact.id)
        if (
            known is not None
            and known.file_hash
            and artifact.file_hash
            and known.file_hash != artifact.file_hash
        ):
            raise BundleError(
                f"Not imported: artifact {artifact.name} ({artifact.id}) has other contents in"
                " the local catalog (its fileHash differs)."
            )


def _check_space(blobs: BlobStore, needed: int) -> None:
    try:
        free = shutil.disk_usage(blobs.root).free
    except OSError:
        return
    if needed + SPACE_MARGIN > free:
        raise BundleError(
            f"Not imported: the bundle needs {needed} bytes but the cache disk has {free} free.",
            hint="Free some disk space, then import again.",
        )


def _stream(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: FileEntry,
    blobs: BlobStore,
    path: Path,
    cancel: CancelToken | None,
) -> _Checked:
    """Copy one file into a blob-store temp file, checking size and hashes on the way."""
    expected = parse_file_hash(entry.file_hash)
    writer = blobs.writer(expected)
    try:
        for chunk in _chunks(archive, info, path):
            if cancel is not None:
                cancel.raise_if_cancelled()
            writer.write(chunk)
            if writer.size > entry.size:
                raise BundleError(
                    f"Not imported: {entry.path} holds more bytes than its declared {entry.size}."
                )
        if writer.size != entry.size:
            raise BundleError(
                f"Not imported: {entry.path} holds {writer.size} bytes, not the declared"
                f" {entry.size}."
            )
        if writer.hasher.sha256 != entry.sha256:
            raise BundleError(
                f"Not imported: {entry.path} does not match its SHA-256 in the manifest"
                " (the file was changed)."
            )
        if expected is not None and not writer.hasher.matches():
            raise BundleError(
                f"Not imported: {entry.path} does not match the API's fileHash ({expected})."
            )
    except _ZIP_ERRORS:
        writer.discard()
        raise BundleError(
            f"Not imported: {entry.path} is damaged inside {path.name} (its zip check failed)."
        ) from None
    except BaseException:
        writer.discard()
        raise
    return _Checked(entry, writer, expected is not None)


def _chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path
) -> Iterator[bytes | memoryview]:
    """The entry's bytes. The SHA-256 the caller computes checks every byte, so the zip's own
    CRC-32 pass is skipped; a stored entry is read straight into one reused buffer (no
    allocation per chunk: the import then runs at the speed of hashing and writing)."""
    if info.compress_type != zipfile.ZIP_STORED:
        with archive.open(info) as source:
            if hasattr(source, "_expected_crc"):
                source._expected_crc = None
            while chunk := source.read(READ_CHUNK):
                yield chunk
        return
    if info.compress_size != info.file_size:
        raise zipfile.BadZipFile("stored entry with two sizes")
    with path.open("rb", buffering=0) as handle:
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name_size, extra_size = _LOCAL_HEADER.unpack(header)[-2:]
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if handle.read(name_size) != info.orig_filename.encode(encoding):
            raise zipfile.BadZipFile("local and central names differ")
        handle.seek(extra_size, os.SEEK_CUR)
        buffer = bytearray(READ_CHUNK)
        view = memoryview(buffer)
        left = info.file_size
        while left:
            count = handle.readinto(view[: min(READ_CHUNK, left)])
            if not count:
                raise EOFError("entry ends early")
            yield view[:count]
            left -= count


def _add(
    library: ImportTarget,
    manifest: Manifest,
    checked: list[_Checked],
    path: Path,
    result: ImportReport,
) -> None:
    """Move checked files into the blob store, then record everything in one transaction;
    if recording fails, the files this import added are removed again."""
    catalog, blobs = library.catalog, library.blobs
    have = usable_entries(catalog, [c.entry.artifact_id for c in checked])
    added: list[str] = []
    entries: list[CacheEntry] = []
    now = time.time()
    try:
        for item in checked:
            entry = item.entry
            current = have.get(entry.artifact_id)
            if current is not None and current.sha256 and blobs.exists(current.sha256):
                continue  # already cached (and checked) here: leave it be
            if blobs.exists(entry.sha256):
                item.writer.discard()  # same bytes already stored: keep that file untouched
            else:
                item.writer.commit()
                added.append(entry.sha256)
            expected = item.writer.expected
            entries.append(
                CacheEntry(
                    entry.artifact_id,
                    CacheState.VERIFIED if item.verified else CacheState.NOT_VERIFIABLE,
                    sha256=entry.sha256,
                    size=entry.size,
                    expected=str(expected) if expected else entry.file_hash,
                    actual=str(expected) if expected else f"sha256:{entry.sha256}",
                    fetched_at=now,
                    verified_at=now if item.verified else None,
                    last_opened_at=None,
                )
            )
        counts = write_records(catalog, manifest, source=path.name, entries=entries)
    except BaseException:
        for sha256 in added:
            with contextlib.suppress(CacheError, OSError):
                if not catalog.entries_for_blob(sha256):
                    blobs.remove(sha256)
        raise
    result.new_runs = counts.new_runs
    result.new_artifacts = counts.new_artifacts
    result.new_files = counts.new_files
    result.notes = counts.notes
