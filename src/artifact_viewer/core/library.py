"""The local-first store's one front door: catalog reads, refreshes, verified files, pins, sync.

Commands and the window go through :class:`Library` only, never its catalog, blob store or
fetcher.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

import httpx

from artifact_viewer.core.blob_events import BlobEvents
from artifact_viewer.core.blobstore import BlobStore, is_encrypted
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.catalog.notes import ImportMark, Note, NoteKind
from artifact_viewer.core.crypto.convert import ConvertReport, convert_cache
from artifact_viewer.core.crypto.memfile import PlaintextViews
from artifact_viewer.core.crypto.state import encryption_enabled
from artifact_viewer.core.destinations import (
    PendingCopy,
    check_destination,
    copy_atomically,
    is_special,
)
from artifact_viewer.core.errors import (
    ArtifactViewerError,
    CacheError,
    IntegrityError,
    NetworkError,
    NotAvailableOffline,
    NotFound,
    OfflineError,
)
from artifact_viewer.core.fetcher import DownloadLimits, Fetched, Fetcher
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.models import Artifact, Job, JobRun, Workflow, WorkflowRun
from artifact_viewer.core.notes import note_kind, read_note, write_note
from artifact_viewer.core.paths import AppPaths
from artifact_viewer.core.pins import pin_run, unpin_run
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.quota import enforce_quota, remove_blob_unless_busy
from artifact_viewer.core.quota_guard import SyncQuota
from artifact_viewer.core.retention import RetentionReport, purge_older_than
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import (
    ArtifactQuery,
    CachedArtifact,
    CacheState,
    CacheStats,
    SyncReport,
    VerifyReport,
)
from artifact_viewer.core.sync import (
    CatalogSource,
    _scope,
    created_since,
    download_many,
    refresh_artifacts,
    refresh_jobs,
    refresh_runs,
    refresh_workflows,
)
from artifact_viewer.core.verify import CacheVerifier

__all__ = [
    "ArtifactQuery",
    "CachedArtifact",
    "CacheState",
    "CacheStats",
    "Library",
    "ProgressFn",
    "SyncReport",
    "VerifyReport",
]

log = logging.getLogger("artifact_viewer.store")

T = TypeVar("T")


def _clause(message: str) -> str:
    """An error message set inside another sentence: without its own closing full stop."""
    return message.rstrip().rstrip(".")


# A file modified after we verified it gets re-hashed before it is handed out again.
_MTIME_SLACK = 1.0
ORPHAN_GRACE_SECONDS = 60.0


class ApiClient(CatalogSource, Protocol):
    """The parts of :class:`artifact_viewer.core.client.AnonClient` the store uses."""

    def ping(self) -> None: ...


class Library:
    """Catalog + blob cache + fetcher behind one thread-safe facade (no Qt, no widgets).

    Reads never touch the network. ``refresh_*``, ``fetch``, ``pin_run`` and ``sync`` may,
    so the window calls them from worker threads. ``online`` is the last known
    reachability of the API; without a client the library is offline from the start.
    """

    def __init__(
        self,
        *,
        catalog: Catalog,
        blobs: BlobStore,
        fetcher: Fetcher,
        client: ApiClient | None,
        settings: Settings,
        owned_http: httpx.Client | None = None,
    ) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.fetcher = fetcher
        self.client = client
        self.settings = settings
        self.online: bool = client is not None
        self._owned_http = owned_http
        self._closed = False
        self._verify_lock = threading.Lock()
        self.plaintext = PlaintextViews()  # decrypted blobs in memory files (encrypted cache)
        self.blob_events = BlobEvents()  # the search indexer subscribes here
        blobs.on_removed = self.blob_events.removed

    @classmethod
    def open(
        cls,
        paths: AppPaths,
        settings: Settings,
        client: ApiClient | None,
        *,
        http: httpx.Client | None = None,
    ) -> Library:
        """Open (creating or migrating) the store under ``paths``; pass the app's shared ``http``.

        Leftovers of a killed process are tidied here: stale partial downloads (a recent
        resumable one stays for the next fetch to continue) and unused lock files.
        """
        try:
            paths.ensure()
            catalog = Catalog(paths.catalog_path)
        except OSError as exc:
            raise CacheError(
                f"Cannot use the app folders ({exc.strerror or exc}: {exc.filename or ''})."
            ) from None
        try:
            blobs = BlobStore(
                paths.blobs_dir, paths.partial_dir, encrypt=lambda: encryption_enabled(paths)
            )
            blobs.clean_partials()
        except OSError as exc:
            catalog.close()
            raise CacheError(
                f"Cannot use the cache folder {paths.cache_dir} ({exc.strerror or exc})."
            ) from None
        owned: httpx.Client | None = None
        if http is None:
            from artifact_viewer.core.http import build_http_client

            http = owned = build_http_client(settings)
        library: Library | None = None

        def source() -> ApiClient | None:
            return library.client if library is not None else client

        fetcher = Fetcher(
            http=http,
            catalog=catalog,
            blobs=blobs,
            source=source,
            max_parallel=settings.max_parallel_downloads,
            on_stored=lambda sha256: library.blob_events.added(sha256) if library else None,
            limits=DownloadLimits(
                quota_bytes=settings.cache_quota_bytes,
                floor_seconds=settings.download_floor_seconds,
                min_bytes_per_second=settings.download_min_bytes_per_second,
            ),
        )
        library = cls(
            catalog=catalog,
            blobs=blobs,
            fetcher=fetcher,
            client=client,
            settings=settings,
            owned_http=owned,
        )
        return library

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.fetcher.forget_urls()
        self.plaintext.forget()
        self.catalog.close()
        if self._owned_http is not None:
            self._owned_http.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- network + catalog ---------------------------------------------------------------

    def _api(self) -> ApiClient:
        if self.client is None:
            self.online = False
            raise OfflineError("Working offline: no API connection is configured.")
        return self.client

    def _online_call(self, work: Callable[[ApiClient], T]) -> T:
        api = self._api()
        try:
            result = work(api)
        except OfflineError:
            self.online = False
            raise
        except NetworkError as exc:
            self.online = False
            raise OfflineError(f"The API cannot be reached: {_clause(exc.message)}.") from None
        self.online = True
        return result

    def refresh_workflows(self) -> int:
        return self._online_call(lambda api: refresh_workflows(api, self.catalog))

    def refresh_jobs(self) -> int:
        return self._online_call(lambda api: refresh_jobs(api, self.catalog))

    def refresh_runs(self, workflow_id: str | None = None) -> int:
        return self._online_call(lambda api: refresh_runs(api, self.catalog, workflow_id))

    def refresh_run(self, run_id: str) -> WorkflowRun:
        """Get one run from the API into the catalog (NotFound if the API does not know it)."""
        run = self._online_call(lambda api: api.get_workflow_run(run_id))
        self.catalog.upsert_runs([run])
        return run

    def refresh_artifacts(
        self, *, run_id: str | None = None, workflow_id: str | None = None
    ) -> int:
        return self._online_call(
            lambda api: refresh_artifacts(
                api, self.catalog, self.fetcher, run_id=run_id, workflow_id=workflow_id
            )
        )

    def artifacts_synced_at(self, *, run_id: str | None = None) -> float | None:
        """When the API last listed this run's artifacts (epoch seconds), counting an
        organisation-wide listing; None if never."""
        marks = [self.catalog.last_synced(_scope("artifacts"))]
        if run_id:
            marks.append(self.catalog.last_synced(_scope("artifacts", run=run_id)))
        known = [m for m in marks if m is not None]
        return max(known) if known else None

    def check_online(self) -> bool:
        if self.client is None:
            self.online = False
            return False
        try:
            self.client.ping()
        except NetworkError:
            self.online = False
        else:
            self.online = True
        return self.online

    # -- local reads ---------------------------------------------------------------------

    def workflows(self) -> list[Workflow]:
        return self.catalog.workflows()

    def workflow(self, workflow_id: str) -> Workflow | None:
        return self.catalog.workflow(workflow_id)

    def runs(self, workflow_id: str | None = None, status: str | None = None) -> list[WorkflowRun]:
        return self.catalog.runs(workflow_id, status)

    def run(self, run_id: str) -> WorkflowRun | None:
        return self.catalog.run(run_id)

    def jobs(self) -> list[Job]:
        return self.catalog.jobs()

    def job_runs(self, status: str | None = None) -> list[JobRun]:
        return [r for r in self.catalog.job_runs() if status in (None, r.status)]

    def artifacts(self, query: ArtifactQuery) -> list[Artifact]:
        return self.catalog.artifacts(query)

    def count_artifacts(self, query: ArtifactQuery) -> int:
        return self.catalog.count_artifacts(query)

    def run_ids_matching(self, query: ArtifactQuery) -> set[str]:
        """Runs holding at least one artifact that ``query`` matches."""
        return self.catalog.run_ids_matching(query)

    def artifact(self, artifact_id: str) -> Artifact | None:
        return self.catalog.artifact(artifact_id)

    def cache_state(self, artifact_id: str) -> CacheState:
        entry = self.catalog.cache_entry(artifact_id)
        return entry.state if entry is not None else CacheState.NOT_CACHED

    def cache_states(self, artifact_ids: Sequence[str]) -> dict[str, CacheState]:
        entries = self.catalog.cache_entries(artifact_ids)
        return {
            i: (entries[i].state if i in entries else CacheState.NOT_CACHED) for i in artifact_ids
        }

    def cache_listing(
        self,
        *,
        run_id: str | None = None,
        state: CacheState | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CachedArtifact]:
        """A page of the artifacts that have a local file (or failed verification)."""
        return self.catalog.cache_listing(run_id=run_id, state=state, limit=limit, offset=offset)

    def offline_runs(self) -> list[WorkflowRun]:
        return self.catalog.offline_runs()

    def is_pinned(self, run_id: str) -> bool:
        return self.catalog.is_pinned(run_id)

    def pinned_runs(self) -> list[str]:
        return self.catalog.pinned_runs()

    def note(self, target_id: str) -> Note | None:
        """The note on a run or artifact (NotFound if the catalog knows neither)."""
        return read_note(self.catalog, target_id)

    def set_note(self, target_id: str, text: str) -> Note | None:
        """Set the note on a run or artifact; empty text clears it. Returns the note held."""
        return write_note(self.catalog, target_id, text)

    def import_mark(self, run_id: str) -> ImportMark | None:
        """Where an imported run came from (None if it was never imported)."""
        return self.catalog.import_mark("workflow_runs", run_id)

    def import_marks(self) -> dict[str, ImportMark]:
        """Every imported run's mark, by run id."""
        return self.catalog.import_marks("workflow_runs")

    def noted_artifacts(self, artifact_ids: Sequence[str]) -> frozenset[str]:
        """The artifacts among ``artifact_ids`` that have a note."""
        if not artifact_ids:
            return frozenset()
        return frozenset(self.catalog.notes(NoteKind.ARTIFACT, artifact_ids))

    def note_kind(self, target_id: str) -> NoteKind:
        """Whether ``target_id`` is a run or an artifact (NotFound if the catalog knows neither)."""
        return note_kind(self.catalog, target_id)

    # -- files ---------------------------------------------------------------------------

    def cached_sha256(self, artifact_id: str) -> str | None:
        """The SHA-256 of the verified cached file (of its plaintext), if there is one."""
        entry = self.catalog.cache_entry(artifact_id)
        return entry.sha256 if entry is not None and entry.state.usable else None

    def cached_path(self, artifact_id: str, *, progressive: bool = False) -> Path | None:
        """The local file if it is cached and still intact; a file changed since it was
        verified is re-hashed first (and dropped if it no longer matches).

        ``progressive``: for a reader that calls ``core.crypto.memfile.wait_ready`` before
        it reads a range (the text view): a large encrypted file's path comes back once its
        head and tail are decrypted, the rest following in the background."""
        entry = self.catalog.cache_entry(artifact_id)
        if entry is None or not entry.state.usable or not entry.sha256:
            return None
        path = self.blobs.locate(entry.sha256)
        if path is None:
            self.catalog.forget_blob(entry.sha256)
            return None
        try:
            st = path.stat()
            size = self.blobs.plain_size(path) if is_encrypted(path) else st.st_size
        except FileNotFoundError:
            self.catalog.forget_blob(entry.sha256)
            return None
        except IntegrityError:
            size = -1  # an encrypted file with a broken header: verify decides below
        checked = entry.verified_at or entry.fetched_at or 0.0
        changed = size != entry.size or st.st_mtime > checked + _MTIME_SLACK
        if changed and not self.verify(artifact_id).usable:
            return None
        self.catalog.touch(artifact_id)
        return self._readable(artifact_id, entry.sha256, path, progressive)

    def is_cached(self, artifact_id: str) -> bool:
        """True when the artifact has a usable cached file (catalog and a stat only: nothing
        is read, hashed or decrypted; ``cached_path`` still checks it when it is opened)."""
        entry = self.catalog.cache_entry(artifact_id)
        if entry is None or not entry.state.usable or not entry.sha256:
            return False
        return self.blobs.locate(entry.sha256) is not None

    def _readable(
        self, artifact_id: str, sha256: str, path: Path, progressive: bool = False
    ) -> Path | None:
        """A path any view can open or memory-map: the file itself, or for an encrypted
        one an anonymous memory file with its plaintext (never a plaintext file on disk).
        A file that fails authentication is verified (and so removed): None."""
        if not is_encrypted(path):
            return path
        try:
            return self.plaintext.path_for(
                sha256, lambda: self.blobs.open_path(path), progressive=progressive
            )
        except IntegrityError:
            log.warning("Encrypted cached file of artifact %s failed authentication", artifact_id)
            self.verify(artifact_id)
            return None
        except FileNotFoundError:
            self.catalog.forget_blob(sha256)
            return None

    def open_artifact(self, artifact_id: str) -> BinaryIO | None:
        """The cached artifact's bytes as a seekable binary file, decrypted chunk by chunk
        as it is read when the cache is encrypted; None if it is not cached. Reads raise
        :class:`IntegrityError` if an encrypted file was changed on disk."""
        entry = self.catalog.cache_entry(artifact_id)
        if entry is None or not entry.state.usable or not entry.sha256:
            return None
        try:
            handle = self.blobs.open_blob(entry.sha256)
        except FileNotFoundError:
            self.catalog.forget_blob(entry.sha256)
            return None
        self.catalog.touch(artifact_id)
        return handle

    def _artifact_for_fetch(self, artifact_id: str) -> Artifact:
        artifact = self.catalog.artifact(artifact_id)
        if artifact is not None:
            return artifact
        try:
            fresh = self._online_call(lambda api: api.get_artifact(artifact_id))
        except OfflineError:
            raise NotAvailableOffline(
                f"Artifact {artifact_id} is not available offline (it was never synced)."
            ) from None
        self.fetcher.remember_url(fresh)
        self.catalog.upsert_artifacts([fresh.without_url()])
        return fresh

    def fetch(
        self,
        artifact_id: str,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        *,
        progressive: bool = False,
    ) -> Path:
        """The artifact's verified local file, downloading it if needed (call off the GUI
        thread); ``progressive`` as for :meth:`cached_path`."""
        return self._fetch(artifact_id, progress, cancel, progressive=progressive).path

    def _fetch(
        self,
        artifact_id: str,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        *,
        progressive: bool = False,
        copy_to: int | None = None,
    ) -> Fetched:
        """:meth:`fetch`, telling whether ``copy_to`` (see :meth:`Fetcher.fetch_detailed`)
        was written with the verified bytes in the same pass."""
        path = self.cached_path(artifact_id, progressive=progressive)
        if path is not None:
            size = path.stat().st_size
            report(progress, size, size)
            return Fetched(path, downloaded=False)
        artifact = self._artifact_for_fetch(artifact_id)
        if self.client is None:
            raise self._not_offline(artifact)
        try:
            fetched = self.fetcher.fetch_detailed(artifact, progress, cancel, copy_to=copy_to)
        except NetworkError as exc:
            if self.check_online():
                raise  # the API answers: storage trouble, not offline
            raise NotAvailableOffline(
                f"{artifact.name} is not available offline: it is not cached and the download"
                f" failed ({_clause(exc.message)})."
            ) from None
        path = fetched.path
        self.online = True
        entry = self.catalog.cache_entry(artifact.id)
        keep = {entry.sha256} if entry is not None and entry.sha256 else set()
        enforce_quota(self.catalog, self.blobs, self.settings.cache_quota_bytes, keep)
        if is_encrypted(path) and entry is not None and entry.sha256:
            readable = self._readable(artifact.id, entry.sha256, path, progressive)
            if readable is None:
                raise IntegrityError(f"{artifact.name}: its cached file failed authentication.")
            return Fetched(readable, fetched.downloaded, fetched.copied)
        return fetched

    def _not_offline(self, artifact: Artifact) -> NotAvailableOffline:
        self.online = False
        return NotAvailableOffline(f"{artifact.name} is not available offline.")

    def _verifier(self) -> CacheVerifier:
        return CacheVerifier(self.catalog, self.blobs, self.plaintext)

    def verify(self, artifact_id: str) -> CacheState:
        """Re-hash the artifact's cached file. A file that no longer matches is removed and the
        artifact marked ``mismatch`` (the next fetch downloads it again)."""
        return self._verifier().verify(artifact_id)

    def verify_all(self, progress: ProgressFn | None = None) -> VerifyReport:
        """Re-hash every cached file; progress counts bytes."""
        with self._verify_lock:
            return self._verifier().verify_all(progress)

    def pin_run(
        self, run_id: str, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> None:
        pin_run(self, run_id, progress, cancel)

    def unpin_run(self, run_id: str) -> None:
        unpin_run(self, run_id)

    def save_as(
        self,
        artifact_id: str,
        dest: Path,
        *,
        overwrite: bool = False,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        """Copy the verified file to ``dest`` (a folder gets a safe name from the display name),
        downloading it if needed.

        Refuses to replace an existing file unless ``overwrite``; the copy is atomic and
        private (0600). A file path is checked before anything is downloaded. A download
        writes the copy in the same pass as the cache file (it appears only once the bytes
        are verified); a cached file is copied in the kernel. A device or FIFO
        (``/dev/null``) is written into, never replaced, and only with verified bytes.
        """
        requested = Path(dest).expanduser()
        if not requested.is_dir():
            check_destination(requested, overwrite, into_special=True)
        for attempt in (1, 2):
            target = requested
            if target.is_dir():
                artifact = self.catalog.artifact(artifact_id)
                if artifact is None:  # named once the API has described it
                    self.fetch(artifact_id, progress, cancel)
                    artifact = self.catalog.artifact(artifact_id)
                name = safe_file_name(artifact.name if artifact else artifact_id, artifact)
                target = target / name
                check_destination(target, overwrite)
            try:
                if is_special(target):
                    source = self.fetch(artifact_id, progress, cancel)
                    return copy_atomically(source, target, overwrite=overwrite)
                with PendingCopy.open(target, overwrite=overwrite) as pending:
                    # With reflinks the finished file is cloned for free; else written
                    # as it arrives, so nothing is read back from the cache.
                    one_pass = None if pending.clones_from(self.blobs.partial_dir) else pending.fd
                    fetched = self._fetch(artifact_id, progress, cancel, copy_to=one_pass)
                    if not fetched.copied:
                        pending.fill_from(fetched.path)
                    return pending.publish()
            except FileNotFoundError:
                # Evicted or purged by another process between fetch and copy: fetch again.
                if attempt == 2:
                    raise CacheError(
                        f"Could not save {target.name}: its cached file vanished."
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def stats(self) -> CacheStats:
        counts = self.catalog.state_counts()
        blobs = self.catalog.blobs_by_age()
        return CacheStats(
            blob_count=len(blobs),
            artifact_count=counts.get(CacheState.VERIFIED, 0)
            + counts.get(CacheState.NOT_VERIFIABLE, 0),
            total_bytes=self.catalog.cached_bytes(),
            quota_bytes=self.settings.cache_quota_bytes,
            pinned_runs=len(self.catalog.pinned_runs()),
            pinned_bytes=self.catalog.pinned_bytes(),
            mismatched=counts.get(CacheState.MISMATCH, 0),
            not_verifiable=counts.get(CacheState.NOT_VERIFIABLE, 0),
            catalog_artifacts=self.catalog.count_rows("artifacts"),
        )

    def purge(self, *, include_pinned: bool = False) -> int:
        """Delete cached files (pinned runs' files too only if asked); return how many.

        Files a download is using right now (here or in another process) stay.
        """
        removed = 0
        for sha256, _size, _used, pinned in self.catalog.blobs_by_age():
            if pinned and not include_pinned:
                continue
            removed += remove_blob_unless_busy(self.catalog, self.blobs, sha256)
        for entry in self.catalog.cache_entries().values():
            if entry.state is CacheState.MISMATCH:
                self.catalog.delete_cache_entry(entry.artifact_id)
        # Files no catalog row claims (a purge or eviction killed between its two steps);
        # only older ones, as a download elsewhere may be about to record a new one.
        now = time.time()
        for sha256, path in list(self.blobs.all_blobs()):
            with contextlib.suppress(OSError):
                old = now - path.stat().st_mtime > ORPHAN_GRACE_SECONDS
                if old and not self.catalog.entries_for_blob(sha256):
                    removed += remove_blob_unless_busy(self.catalog, self.blobs, sha256)
        self.blobs.clean_partials()
        log.info("Purged %d cached file(s)", removed)
        return removed

    def purge_older_than(
        self, max_age: float, *, dry_run: bool = False, include_pinned: bool = False
    ) -> RetentionReport:
        """Remove cached files not opened for ``max_age`` seconds (see :mod:`core.retention`)."""
        return purge_older_than(
            self.catalog, self.blobs, max_age, dry_run=dry_run, include_pinned=include_pinned
        )

    def convert_encryption(
        self,
        *,
        encrypt: bool,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> ConvertReport:
        """Store every cached file encrypted or plain (see :mod:`core.crypto.convert`)."""
        return convert_cache(
            self.catalog, self.blobs, encrypt=encrypt, progress=progress, cancel=cancel
        )

    def enforce_quota(self) -> list[str]:
        return enforce_quota(self.catalog, self.blobs, self.settings.cache_quota_bytes)

    def sync(
        self,
        *,
        run_id: str | None = None,
        workflow_id: str | None = None,
        all: bool = False,  # noqa: A002 - the CLI's word, kept for callers
        since: datetime | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        """Refresh the catalog for the scope, then download what is missing there.

        No scope refreshes the whole catalog (no downloads) and completes pinned runs.
        """
        self.refresh_workflows()
        with contextlib.suppress(NotFound):
            self.refresh_jobs()
        if run_id:
            self.refresh_run(run_id)
            self.refresh_artifacts(run_id=run_id)
            query = ArtifactQuery(run_id=run_id, order_by="created_at")
            self._check_sync_size(self.catalog.count_artifacts(query))
            targets = self.catalog.artifacts(query)
            runs = 1
        elif workflow_id or all:
            if workflow_id and self.catalog.workflow(workflow_id) is None:
                # The full workflow list was just refreshed: an id missing from it is unknown.
                raise NotFound(f"The workflow {workflow_id} was not found.")
            runs = self.refresh_runs(workflow_id)
            self.refresh_artifacts(workflow_id=workflow_id)
            query = ArtifactQuery(workflow_id=workflow_id)
            self._check_sync_size(self.catalog.count_artifacts(query))
            targets = self.catalog.artifacts(query)
        else:
            runs = self.refresh_runs()
            self.refresh_artifacts()  # the whole catalog, so everything can be browsed offline
            targets = []
            for pinned in self.catalog.pinned_runs():
                self.refresh_artifacts(run_id=pinned)
                targets += self.catalog.artifacts(ArtifactQuery(run_id=pinned))
        targets = created_since(targets, since)
        result = self.download(targets, progress=progress, cancel=cancel)
        result.runs = runs
        return result

    def _check_sync_size(self, count: int) -> None:
        """Refuse to download more artifacts in one sync than the settings allow (the
        catalog is already refreshed: everything stays browsable)."""
        limit = self.settings.sync_max_artifacts
        if count > limit:
            raise ArtifactViewerError(
                f"This sync would download {count} artifacts, more than the {limit} one sync"
                " may fetch; the catalog was refreshed, nothing was downloaded.",
                hint="Sync one run or workflow at a time (--run, --workflow), or raise"
                " sync_max_artifacts in Settings.",
            )

    def download(
        self,
        artifacts: Sequence[Artifact],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        """Fetch many artifacts in parallel (bounded), then bring the cache back under quota.

        Offline, cached ones count as cached and the rest land in ``failed``. The quota is
        kept as it goes: other files are evicted after each download, and once the files
        asked for cannot fit, the rest are not downloaded (``report.stopped`` says why).
        """
        entries = self.catalog.cache_entries([a.id for a in artifacts])
        pinned = set(self.catalog.pinned_runs())
        already = {
            e.sha256: 0 if a.workflow_run_id in pinned else (e.size or 0)
            for a in artifacts
            if (e := entries.get(a.id)) is not None and e.sha256 and e.state.usable
        }
        guard = SyncQuota(self.catalog, self.blobs, self.settings.cache_quota_bytes, already)
        try:
            result = download_many(
                self.fetcher,
                artifacts,
                parallel=self.settings.max_parallel_downloads,
                progress=progress,
                cancel=cancel,
                admit=guard.admit,
                finished=guard.finished,
            )
            result.stopped = guard.stopped
        finally:
            enforce_quota(self.catalog, self.blobs, self.settings.cache_quota_bytes, guard.keep)
        return result
