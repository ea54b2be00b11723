"""Turn cache encryption on or off: every cached file converted in place, resumably.

Each file is rewritten through a :class:`BlobWriter` (plaintext hash checked as it goes)
into its other form and swapped in atomically, so a conversion killed at any point leaves
every file readable in one form or the other; running it again finishes the job.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.blobstore import BlobStore, is_encrypted
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.crypto.keys import ensure_master_key
from artifact_viewer.core.crypto.state import set_encryption_enabled
from artifact_viewer.core.errors import IntegrityError
from artifact_viewer.core.hashes import ExpectedHash, HashAlgo
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.quota import blob_lock_keys

log = logging.getLogger("artifact_viewer.crypto")

COPY_CHUNK = 1024 * 1024


@dataclass(slots=True)
class ConvertReport:
    """What one run of :func:`convert_cache` did."""

    encrypt: bool
    converted: int = 0
    already: int = 0  # files already in the wanted form
    bytes: int = 0
    busy: list[str] = field(default_factory=list)  # in use by a download: run again
    damaged: list[str] = field(default_factory=list)  # failed their hash: removed

    @property
    def complete(self) -> bool:
        return not self.busy


def convert_cache(
    catalog: Catalog,
    blobs: BlobStore,
    *,
    encrypt: bool,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ConvertReport:
    """Store every cached file encrypted (``encrypt``) or plain; progress counts bytes.

    Turning it on needs the system keyring (the master key is created there): without one
    this raises :class:`ConfigError` saying so, before anything changes. New downloads
    follow the new setting from the moment this is called. A damaged file (its bytes no
    longer match its address, or an encrypted one fails authentication) is removed and
    downloaded again when next opened. The master key stays in the keyring after turning
    encryption off (another running copy of the app may still be writing with it);
    ``wipe`` removes it.
    """
    if encrypt:
        ensure_master_key()
    set_encryption_enabled(blobs.root.parent, encrypt)  # the cache folder
    result = ConvertReport(encrypt)
    todo: list[tuple[str, Path]] = []
    for sha256, path in blobs.all_blobs():
        if is_encrypted(path) == encrypt:
            result.already += 1
        else:
            todo.append((sha256, path))
    sizes: dict[str, int] = {}
    for sha256, path in todo:
        try:
            sizes[sha256] = blobs.plain_size(path)
        except (OSError, IntegrityError):
            sizes[sha256] = 0
    total = sum(sizes.values())
    done = 0
    report(progress, 0, total)
    for sha256, path in todo:
        if cancel is not None:
            cancel.raise_if_cancelled()
        target = blobs.encrypted_path_for(sha256) if encrypt else blobs.path_for(sha256)
        with blobs.try_locks(blob_lock_keys(catalog, sha256)) as free:
            if not free:
                result.busy.append(sha256)
                continue
            if target.is_file():
                # Converted before a kill removed the old form; the new one is complete
                # (it was moved in whole), so the old one just goes.
                path.unlink(missing_ok=True)
                result.already += 1
            elif _rewrite(blobs, catalog, sha256, path, encrypt, cancel):
                result.converted += 1
                result.bytes += sizes[sha256]
                # Its hash was checked as it was rewritten: the new file is as verified as
                # the old (or the next open would re-hash it for its new timestamp).
                now = time.time()
                for entry in catalog.entries_for_blob(sha256):
                    if entry.verified_at is not None:
                        catalog.put_cache_entry(dataclasses.replace(entry, verified_at=now))
            else:
                result.damaged.append(sha256)
        done += sizes[sha256]
        report(progress, done, total)
    log.info(
        "Cache encryption %s: %d file(s) converted, %d already so, %d busy, %d damaged",
        "on" if encrypt else "off",
        result.converted,
        result.already,
        len(result.busy),
        len(result.damaged),
    )
    return result


def _rewrite(
    blobs: BlobStore,
    catalog: Catalog,
    sha256: str,
    path: Path,
    encrypt: bool,
    cancel: CancelToken | None,
) -> bool:
    """One file into its other form; False (and the file removed) if it is damaged."""
    try:
        with (
            blobs.open_path(path) as source,
            blobs.writer(ExpectedHash(HashAlgo.SHA256, sha256), encrypt=encrypt) as writer,
        ):
            while data := source.read(COPY_CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                writer.write(data)
            writer.commit()
    except FileNotFoundError:
        return True  # evicted meanwhile: nothing left to convert
    except IntegrityError:
        log.warning("Cached file %s… is damaged; removed (downloaded again on open)", sha256[:12])
        blobs.remove(sha256)
        catalog.forget_blob(sha256)
        return False
    return True
