"""CLI: `sync`, `get` and `cache stats|ls|verify|purge|pin|unpin` over the local store."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from artifact_viewer.commands.ls import (
    SEARCH_META,
    format_table,
    human_size,
    make_client,
    parse_date_option,
)
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, NotFound
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.library import Library, check_destination
from artifact_viewer.core.models import Resource
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.settings import load_settings, save_settings
from artifact_viewer.core.store_models import ArtifactQuery, CachedArtifact, CacheState
from artifact_viewer.core.textsafe import json_safe, terminal_safe

EXIT_FAILURE = 1
R = TypeVar("R", bound=Resource)


_LIBRARY_META = "artifact_viewer.library"


def open_library(ctx: click.Context, *, offline: bool = False) -> Library:
    """The store under the app home, opened once per command and closed with it; with the
    command's API client unless ``offline``."""
    cached: Library | None = ctx.meta.get(_LIBRARY_META)
    if cached is not None and (offline or cached.client is not None):
        return cached
    settings = load_settings()
    client = None if offline else make_client(ctx, settings)
    library = Library.open(app_paths(), settings, client, http=client.http if client else None)
    ctx.call_on_close(library.close)
    ctx.meta[_LIBRARY_META] = library
    return library


@contextlib.contextmanager
def progress_bar(label: str, *, quiet: bool = False) -> Iterator[ProgressFn]:
    """A rich byte-progress bar on stderr, fed by a thread-safe ``(done, total)`` callback."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(escape(label), total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _opened(epoch: float | None) -> str:
    """Minutes precision, UTC, like the times in `ls` tables."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%MZ") if epoch else "-"


def _iso(epoch: float | None) -> str | None:
    return (
        datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z") if epoch else None
    )


def _echo_json(rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        click.echo(json_safe(orjson.dumps(row, default=str).decode()))


# -- sync / get -----------------------------------------------------------------------------


@click.command("sync", short_help="Refresh the local catalog and download artifacts.")
@click.option("--run", "run_id", metavar="ID", help="Download every artifact of this run.")
@click.option("--workflow", "workflow_id", metavar="ID", help="Every run of this workflow.")
@click.option("--all", "everything", is_flag=True, help="Every artifact the API lists.")
@click.option(
    "--since",
    callback=parse_date_option,
    metavar="DATE",
    help="Only download artifacts created since DATE (2025-01-31 or 2025-01-31T12:00:00Z).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.pass_context
def sync_command(
    ctx: click.Context,
    run_id: str | None,
    workflow_id: str | None,
    everything: bool,
    since: datetime | None,
    as_json: bool,
) -> None:
    """Refresh the local catalog and download artifacts into the verified cache.

    Without --run/--workflow/--all, refreshes the whole catalog (so everything can be
    browsed offline) and completes pinned runs; nothing else is downloaded. Exits 1 if
    any download failed (each failure is listed on stderr).
    """
    if sum(bool(x) for x in (run_id, workflow_id, everything)) > 1:
        raise click.UsageError("choose one of --run, --workflow or --all")
    library = open_library(ctx)
    token = CancelToken()
    started = time.monotonic()
    with progress_bar("Syncing", quiet=as_json) as progress:
        try:
            report = library.sync(
                run_id=run_id,
                workflow_id=workflow_id,
                all=everything,
                since=since,
                progress=progress,
                cancel=token,
            )
        except KeyboardInterrupt:
            token.cancel()
            raise
    elapsed = time.monotonic() - started
    scoped = bool(run_id or workflow_id or everything)
    if as_json:
        _echo_json(
            [
                {
                    "runs": report.runs,
                    "artifacts": report.artifacts,
                    "downloaded": report.downloaded,
                    "alreadyCached": report.already_cached,
                    "bytesDownloaded": report.bytes_downloaded,
                    "failed": report.failed,
                    "stopped": report.stopped,
                    "catalogArtifacts": library.stats().catalog_artifacts,
                    "seconds": round(elapsed, 3),
                }
            ]
        )
    else:
        if not scoped:
            click.echo(
                f"Catalog refreshed: {len(library.workflows())} workflow(s),"
                f" {report.runs} run(s), {library.stats().catalog_artifacts} artifact(s)."
            )
        if scoped or report.artifacts:
            scope = "in scope" if scoped else "in pinned runs"
            click.echo(
                f"{report.artifacts} artifact(s) {scope}: {report.downloaded} downloaded"
                f" ({human_size(report.bytes_downloaded)}), {report.already_cached} already"
                f" cached, {len(report.failed)} failed ({elapsed:.1f} s)."
            )
        for artifact_id, reason in report.failed.items():
            click.echo(f"  {terminal_safe(artifact_id)}: {terminal_safe(reason)}", err=True)
        if report.stopped:
            click.echo(terminal_safe(report.stopped), err=True)
    if not report.ok:
        ctx.exit(EXIT_FAILURE)


@click.command("get", short_help="Save an artifact through the verified cache.")
@click.argument("artifact_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File or existing folder to write to (default: the current folder).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--offline", is_flag=True, help="Use only the local cache; never the network.")
@click.pass_context
def get_command(
    ctx: click.Context, artifact_id: str, output: Path | None, force: bool, offline: bool
) -> None:
    """Save an artifact through the verified cache, downloading it if needed.

    The file is checked against the artifact's hash before it is written; an existing
    file is never replaced without --force.
    """
    library = open_library(ctx, offline=offline)
    artifact = library.artifact(artifact_id)
    dest = (output if output is not None else Path.cwd()).expanduser()
    if dest.is_dir() and artifact is not None:
        dest = dest / safe_file_name(artifact.name, artifact)
    if not dest.is_dir():  # checked before downloading anything
        check_destination(
            dest, force, hint="Use --force to overwrite it, or -o to choose another name."
        )
    with progress_bar(terminal_safe(artifact.name if artifact else artifact_id)) as progress:
        library.fetch(artifact_id, progress=progress)
    saved = library.save_as(artifact_id, dest, overwrite=force)
    state = library.cache_state(artifact_id)
    note = (
        ""
        if state is CacheState.VERIFIED
        else " (not verifiable: the API's hash format is unknown)"
    )
    click.echo(f"Saved {saved}{note}")


# -- cache ----------------------------------------------------------------------------------


@click.group("cache", short_help="Inspect and manage the local cache of artifact files.")
def cache_group() -> None:
    """Inspect and manage the local cache of artifact files (works offline)."""


@cache_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def cache_stats(ctx: click.Context, as_json: bool) -> None:
    """How much is cached, against the quota."""
    stats = open_library(ctx, offline=True).stats()
    if as_json:
        _echo_json(
            [
                {
                    "blobCount": stats.blob_count,
                    "artifactCount": stats.artifact_count,
                    "totalBytes": stats.total_bytes,
                    "quotaBytes": stats.quota_bytes,
                    "pinnedRuns": stats.pinned_runs,
                    "pinnedBytes": stats.pinned_bytes,
                    "mismatched": stats.mismatched,
                    "notVerifiable": stats.not_verifiable,
                    "catalogArtifacts": stats.catalog_artifacts,
                }
            ]
        )
        return
    pct = 100 * stats.total_bytes / stats.quota_bytes if stats.quota_bytes else 0
    click.echo(
        f"Cached: {stats.artifact_count} artifact(s) in {stats.blob_count} file(s),"
        f" {human_size(stats.total_bytes)} of {human_size(stats.quota_bytes)} ({pct:.1f}%)\n"
        f"Pinned: {stats.pinned_runs} run(s), {human_size(stats.pinned_bytes)}\n"
        f"Failed verification: {stats.mismatched}; not verifiable: {stats.not_verifiable}\n"
        f"Catalog: {stats.catalog_artifacts} artifact(s) known"
    )


LISTING_PAGE = 1000


@cache_group.command("ls", short_help="List cached artifacts and ones that failed verification.")
@click.option("--run", "run_id", metavar="ID", help="Only this run's artifacts.")
@click.option(
    "--state",
    type=click.Choice([s.value for s in CacheState if s is not CacheState.NOT_CACHED]),
    help="Only artifacts in this state.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many rows.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one artifact per line.")
@click.pass_context
def cache_ls(
    ctx: click.Context, run_id: str | None, state: str | None, limit: int | None, as_json: bool
) -> None:
    """List cached artifacts (and ones that failed verification), newest first."""
    library = open_library(ctx, offline=True)
    wanted = CacheState(state) if state else None
    rows: list[CachedArtifact] = []
    offset = 0
    while limit is None or offset < limit:
        size = LISTING_PAGE if limit is None else min(LISTING_PAGE, limit - offset)
        page = library.cache_listing(run_id=run_id, state=wanted, limit=size, offset=offset)
        if as_json:  # streamed page by page
            _echo_json(
                {
                    "id": c.artifact_id,
                    "name": c.name,
                    "runId": c.run_id,
                    "state": c.state.value,
                    "size": c.size,
                    "pinned": c.pinned,
                    "lastOpenedAt": _iso(c.last_opened_at),
                }
                for c in page
            )
        else:
            rows += page
        offset += len(page)
        if len(page) < size:
            break
    if as_json:
        return
    if not rows:
        click.echo("Nothing cached.", err=True)
        return
    table = [
        (
            c.artifact_id,
            c.name,
            c.state.value,
            human_size(c.size),
            "pinned" if c.pinned else "",
            _opened(c.last_opened_at),
        )
        for c in rows
    ]
    click.echo(format_table(("ID", "NAME", "STATE", "SIZE", "PIN", "OPENED"), table))


@cache_group.command("verify", short_help="Re-hash cached files; exit 1 if any fails.")
@click.pass_context
def cache_verify(ctx: click.Context) -> None:
    """Re-hash every cached file; exits 1 if any file no longer matches or has vanished.

    A file that fails is removed; it is downloaded again the next time it is opened.
    """
    library = open_library(ctx, offline=True)
    with progress_bar("Verifying") as progress:
        report = library.verify_all(progress)
    click.echo(
        f"Checked {report.checked}: {report.verified} verified, {report.not_verifiable} not"
        f" verifiable, {len(report.mismatched)} failed, {len(report.missing)} missing."
    )
    for artifact_id in report.mismatched:
        artifact = library.artifact(artifact_id)
        name = artifact.name if artifact else artifact_id
        click.echo(
            f"  FAILED {terminal_safe(artifact_id)} ({terminal_safe(name)}): removed; it is"
            " downloaded again when opened",
            err=True,
        )
    for artifact_id in report.missing:
        click.echo(
            f"  MISSING {terminal_safe(artifact_id)}: its file vanished from the cache", err=True
        )
    if not report.ok:
        ctx.exit(EXIT_FAILURE)


@cache_group.command("purge", short_help="Delete cached files (the catalog stays).")
@click.option("--include-pinned", is_flag=True, help="Also delete pinned runs' files.")
@click.pass_context
def cache_purge(ctx: click.Context, include_pinned: bool) -> None:
    """Delete cached files; the catalog stays, so lists still work offline."""
    removed = open_library(ctx, offline=True).purge(include_pinned=include_pinned)
    click.echo(f"Removed {removed} cached file(s).")


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``500MB``/``2GB`` (powers of 1000), ``500M``/``2GiB`` (powers of 1024), ``1000`` bytes."""
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(text)
    number, prefix, binary, byte = match.groups()
    if binary and not prefix:
        raise ValueError(text)
    power = "kmgt".find(prefix.lower()) + 1 if prefix else 0
    base = 1000 if prefix and byte and not binary else 1024
    return int(float(number) * base**power)


@cache_group.command("quota", short_help="Show or set the cache quota.")
@click.argument("size", required=False)
@click.pass_context
def cache_quota(ctx: click.Context, size: str | None) -> None:
    """Show the cache quota, or set it to SIZE (e.g. 2GiB, 500MB); a smaller quota evicts
    the least recently opened files right away. Pinned runs are kept whatever the quota."""
    settings = load_settings()
    if size is None:
        used = open_library(ctx, offline=True).stats().total_bytes
        click.echo(
            f"Cache quota: {human_size(settings.cache_quota_bytes)} ({human_size(used)} used)."
        )
        return
    try:
        quota = parse_size(size)
    except ValueError:
        raise click.BadParameter(
            f"{size!r} is not a size; use one like 2GiB, 500MB or 750M", param_hint="SIZE"
        ) from None
    if quota < 1024**2:
        raise click.BadParameter("the quota must be at least 1 MiB", param_hint="SIZE")
    settings.cache_quota_bytes = quota
    save_settings(settings)
    evicted = open_library(ctx, offline=True).enforce_quota()
    click.echo(f"Cache quota set to {human_size(quota)}; {len(evicted)} file(s) evicted.")


@cache_group.command("pin", short_help="Download a run's artifacts and keep them through eviction.")
@click.argument("run_id")
@click.pass_context
def cache_pin(ctx: click.Context, run_id: str) -> None:
    """Pin a run: download and verify all its artifacts and never evict them."""
    library = open_library(ctx)
    token = CancelToken()
    with progress_bar(f"Pinning {run_id}") as progress:
        try:
            library.pin_run(run_id, progress=progress, cancel=token)
        except KeyboardInterrupt:
            token.cancel()
            raise
    count = library.count_artifacts(ArtifactQuery(run_id=run_id, cached_only=True))
    click.echo(f"Pinned run {run_id}: {count} artifact(s) cached and verified.")


@cache_group.command("unpin", short_help="Let a pinned run's files be evicted again.")
@click.argument("run_id")
@click.pass_context
def cache_unpin(ctx: click.Context, run_id: str) -> None:
    """Unpin a run; its files may then be evicted when the cache is over quota."""
    library = open_library(ctx, offline=True)
    if not library.is_pinned(run_id):
        raise ArtifactViewerError(f"Run {run_id} is not pinned.", hint="See `cache ls` for pins.")
    library.unpin_run(run_id)
    click.echo(f"Unpinned run {run_id}.")


# -- ls --offline ---------------------------------------------------------------------------


def catalog_source(
    ctx: click.Context,
    kind: str,
    *,
    workflow_id: str | None,
    run_id: str | None,
    status: str | None,
) -> Iterable[Resource]:
    """`ls` rows from the local catalog only (what the last sync saw)."""
    library = open_library(ctx, offline=True)
    if kind == "workflows":
        if workflow_id:
            return [_known(library.workflow(workflow_id), "workflow", workflow_id)]
        return library.workflows()
    if kind == "runs":
        if run_id:
            return [_known(library.run(run_id), "workflow run", run_id)]
        return library.runs(workflow_id, status)
    if kind == "artifacts":
        search: ArtifactQuery = ctx.meta.get(SEARCH_META, ArtifactQuery())
        query = dataclasses.replace(search, workflow_id=workflow_id, run_id=run_id)
        return library.artifacts(query)  # searched in SQL
    if kind == "jobs":
        return library.catalog.jobs()
    return [r for r in library.catalog.job_runs() if status in (None, r.status)]


def _known(item: R | None, what: str, item_id: str) -> R:
    """Like the API's get-by-id: an id the catalog does not hold is NotFound (exit 5)."""
    if item is None:
        raise NotFound(
            f"The {what} {item_id} is not in the local catalog.",
            hint="Run `artifact-viewer sync` while online to bring the catalog up to date.",
        )
    return item


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    for command in (sync_command, get_command, cache_group):
        group.add_command(command)
