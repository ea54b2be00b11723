"""Mirror API listings into the catalog and download sets of artifacts in parallel."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Protocol

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.errors import ArtifactViewerError, Cancelled, user_message
from artifact_viewer.core.fetcher import Fetcher
from artifact_viewer.core.models import Artifact, Job, JobRun, Workflow, WorkflowRun
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.store_models import SyncReport

log = logging.getLogger("artifact_viewer.sync")

REFRESH_BATCH = 2000  # listed artifacts written to the catalog per transaction


class CatalogSource(Protocol):
    """The listing part of the API client that the catalog mirrors."""

    def list_workflows(self) -> Iterator[Workflow]: ...
    def list_jobs(self) -> Iterator[Job]: ...
    def list_job_runs(
        self, job_id: str | None = None, status: str | None = None
    ) -> Iterator[JobRun]: ...
    def list_workflow_runs(
        self,
        workflow_id: str | None = None,
        job_run_id: str | None = None,
        status: str | None = None,
    ) -> Iterator[WorkflowRun]: ...
    def list_artifacts(
        self, workflow_id: str | None = None, workflow_run_id: str | None = None
    ) -> Iterator[Artifact]: ...
    def get_artifact(self, artifact_id: str) -> Artifact: ...
    def get_workflow_run(self, workflow_run_id: str) -> WorkflowRun: ...


def _scope(kind: str, **ids: str | None) -> str:
    parts = [f"{k}={v}" for k, v in sorted(ids.items()) if v]
    return ":".join([kind, *parts]) if parts else f"{kind}:all"


def refresh_workflows(api: CatalogSource, catalog: Catalog) -> int:
    items = list(api.list_workflows())
    count = catalog.upsert_workflows(items, full=True)
    catalog.mark_synced(_scope("workflows"))
    return count


def refresh_jobs(api: CatalogSource, catalog: Catalog) -> int:
    jobs = list(api.list_jobs())
    runs = list(api.list_job_runs())
    catalog.upsert_jobs(jobs, full=True)
    catalog.upsert_job_runs(runs, full=True)
    catalog.mark_synced(_scope("jobs"))
    return len(jobs) + len(runs)


def refresh_runs(api: CatalogSource, catalog: Catalog, workflow_id: str | None = None) -> int:
    items = list(api.list_workflow_runs(workflow_id=workflow_id))
    count = catalog.upsert_runs(items, full=True, workflow_id=workflow_id)
    catalog.mark_synced(_scope("runs", workflow=workflow_id))
    return count


def refresh_artifacts(
    api: CatalogSource,
    catalog: Catalog,
    fetcher: Fetcher,
    *,
    run_id: str | None = None,
    workflow_id: str | None = None,
) -> int:
    """Mirror the listing into the catalog in batches (memory stays bounded however long it
    is). Only a listing that ended normally marks what it did not list as deleted: one cut
    short (ListingStopped, network) keeps the batches stored so far and deletes nothing."""
    started = time.time()
    count = 0
    batch: list[Artifact] = []
    for item in api.list_artifacts(workflow_id=workflow_id, workflow_run_id=run_id):
        fetcher.remember_url(item)  # memory only; the catalog gets them without URLs
        batch.append(item.without_url())
        if len(batch) >= REFRESH_BATCH:
            count += catalog.upsert_artifacts(batch)
            batch = []
    count += catalog.upsert_artifacts(batch)
    catalog.mark_unseen_deleted(
        "artifacts", since=started, scope={"workflow_run_id": run_id, "workflow_id": workflow_id}
    )
    catalog.mark_synced(_scope("artifacts", run=run_id, workflow=workflow_id))
    return count


def created_since(artifacts: Iterable[Artifact], since: datetime | None) -> list[Artifact]:
    if since is None:
        return list(artifacts)
    return [a for a in artifacts if a.created_at is None or a.created_at >= since]


class _Progress:
    """Sums per-artifact byte counts from several download threads into one callback."""

    def __init__(self, outer: ProgressFn | None, total: int | None) -> None:
        self._outer = outer
        self._total = total
        self._done: dict[str, int] = {}
        self._lock = threading.Lock()

    def for_artifact(self, artifact_id: str) -> ProgressFn:
        def update(done: int, _total: int | None) -> None:
            with self._lock:
                self._done[artifact_id] = done
                overall = sum(self._done.values())
            report(self._outer, overall, self._total)

        return update


def download_many(
    fetcher: Fetcher,
    artifacts: Sequence[Artifact],
    *,
    parallel: int,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    after_each: Callable[[Artifact, Path], None] | None = None,
    admit: Callable[[Artifact], str | None] | None = None,
    finished: Callable[[Artifact, Path | None], None] | None = None,
) -> SyncReport:
    """Fetch every artifact not cached yet; one failure does not stop the others.

    Failures land in ``report.failed`` as user-facing text; a cancel stops everything
    and raises :class:`Cancelled` once in-flight downloads have cleaned up.
    """
    result = SyncReport(artifacts=len(artifacts))
    todo: list[Artifact] = []
    for artifact in artifacts:
        if fetcher.cached(artifact) is not None:
            result.already_cached += 1
        else:
            todo.append(artifact)
    sizes = [a.file_size for a in todo]
    total = sum(s for s in sizes if s is not None) if all(s is not None for s in sizes) else None
    meter = _Progress(progress, total)
    report(progress, 0, total)
    token = cancel or CancelToken()
    lock = threading.Lock()

    def one(artifact: Artifact) -> None:
        refused = admit(artifact) if admit is not None else None
        if refused is not None:
            with lock:
                result.failed[artifact.id] = refused
            return
        path: Path | None = None
        try:
            path = attempt(artifact)
        finally:
            if finished is not None:
                finished(artifact, path)

    def attempt(artifact: Artifact) -> Path | None:
        try:
            fetched = fetcher.fetch_detailed(artifact, meter.for_artifact(artifact.id), token)
        except Cancelled:
            raise
        except ArtifactViewerError as exc:
            log.warning("Sync: artifact %s failed: %s", artifact.id, type(exc).__name__)
            with lock:
                result.failed[artifact.id] = user_message(exc)
            return None
        except OSError as exc:
            with lock:
                result.failed[artifact.id] = user_message(exc)
            return None
        except Exception as exc:  # one artifact's surprise is that artifact's failure
            log.exception("Sync: artifact %s failed unexpectedly", artifact.id)
            with lock:
                result.failed[artifact.id] = (
                    f"{artifact.name}: the download failed unexpectedly ({type(exc).__name__})."
                )
            return None
        with lock:
            if fetched.downloaded:
                result.downloaded += 1
                with contextlib.suppress(OSError):
                    result.bytes_downloaded += fetcher.blobs.plain_size(fetched.path)
            else:  # another thread or process fetched it meanwhile
                result.already_cached += 1
        if after_each is not None:
            after_each(artifact, fetched.path)
        return fetched.path

    cancelled = False
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="sync") as pool:
        futures = [pool.submit(one, a) for a in todo]
        for future in futures:
            try:
                future.result()
            except Cancelled:
                cancelled = True
            except BaseException:
                token.cancel()  # stop the rest, then report the unexpected failure
                raise
    if cancelled:
        raise Cancelled("Sync cancelled.")
    return result
