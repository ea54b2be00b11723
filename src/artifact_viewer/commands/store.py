"""CLI: `sync`, `get` and `cache stats|ls|verify|purge|pin|unpin` over the local store."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import httpx
import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from artifact_viewer.commands.ls import RETRY_KEY, TRANSPORT_KEY, format_table, human_size
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import Resource, parse_timestamp
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.secrets import require_api_key
from artifact_viewer.core.settings import load_settings
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

EXIT_FAILURE = 1


def open_library(ctx: click.Context, *, offline: bool = False) -> Library:
    """The store under the app home; with an API client unless ``offline``. Closes with ``ctx``."""
    obj = ctx.find_root().obj or {}
    settings = load_settings()
    client: AnonClient | None = None
    http: httpx.Client | None = None
    if not offline:
        if obj.get("demo"):
            # `artifact-viewer --demo sync ...`: a stand-in server for the life of this command.
            from artifact_viewer.demo.runner import DemoServer

            server = ctx.with_resource(DemoServer())
            base_url, api_key = server.base_url, server.api_key
        else:
            base_url = settings.effective_base_url()
            api_key = require_api_key(base_url)
        transport: httpx.BaseTransport | None = obj.get(TRANSPORT_KEY)
        http = ctx.with_resource(build_http_client(settings, transport=transport))
        client = AnonClient(
            http,
            api_key=api_key,
            base_url=base_url,
            retry=obj.get(RETRY_KEY),
            page_size=settings.page_size,
        )
    library = Library.open(app_paths(), settings, client, http=http)
    ctx.call_on_close(library.close)
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
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _parse_since(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime | None:
    if value is None:
        return None
    parsed = parse_timestamp(value if "T" in value else f"{value}T00:00:00Z")
    if parsed is None:
        raise click.BadParameter("use a date like 2025-01-31 or 2025-01-31T12:00:00Z")
    return parsed


def _echo_json(rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        click.echo(orjson.dumps(row, default=str).decode())


# -- sync / get -----------------------------------------------------------------------------


@click.command("sync")
@click.option("--run", "run_id", metavar="ID", help="Download every artifact of this run.")
@click.option("--workflow", "workflow_id", metavar="ID", help="Every run of this workflow.")
@click.option("--all", "everything", is_flag=True, help="Every artifact the API lists.")
@click.option(
    "--since", callback=_parse_since, metavar="DATE", help="Only artifacts created since."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
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

    Without --run/--workflow/--all, refreshes the catalog (no downloads) and completes pinned runs.
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
                    "seconds": round(elapsed, 3),
                }
            ]
        )
    else:
        click.echo(
            f"{report.artifacts} artifact(s) in scope: {report.downloaded} downloaded"
            f" ({human_size(report.bytes_downloaded)}), {report.already_cached} already cached,"
            f" {len(report.failed)} failed ({elapsed:.1f} s)."
        )
        for artifact_id, reason in report.failed.items():
            click.echo(f"  {artifact_id}: {reason}", err=True)
    if not report.ok:
        ctx.exit(EXIT_FAILURE)


@click.command("get")
@click.argument("artifact_id")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File or folder to write to.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--offline", is_flag=True, help="Use only the local cache; never the network.")
@click.pass_context
def get_command(
    ctx: click.Context, artifact_id: str, output: Path | None, force: bool, offline: bool
) -> None:
    """Save an artifact through the verified cache (downloading it if needed)."""
    library = open_library(ctx, offline=offline)
    artifact = library.artifact(artifact_id)
    dest = output if output is not None else Path.cwd()
    if dest.is_dir() and artifact is not None:
        dest = dest / safe_file_name(artifact.name, artifact)
    if dest.exists() and not dest.is_dir() and not force:
        raise ArtifactViewerError(
            f"{dest} already exists.",
            hint="Use --force to overwrite it, or -o to choose another name.",
        )
    with progress_bar(artifact.name if artifact else artifact_id) as progress:
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


@click.group("cache")
def cache_group() -> None:
    """Inspect and manage the local cache of artifact files."""


@cache_group.command("stats")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def cache_stats(ctx: click.Context, as_json: bool) -> None:
    """How much is cached, against the quota."""
    stats = open_library(ctx, offline=True).stats()
    if as_json:
        _echo_json([{k: getattr(stats, k) for k in stats.__dataclass_fields__}])
        return
    pct = 100 * stats.total_bytes / stats.quota_bytes if stats.quota_bytes else 0
    click.echo(
        f"Cached: {stats.artifact_count} artifact(s) in {stats.blob_count} file(s),"
        f" {human_size(stats.total_bytes)} of {human_size(stats.quota_bytes)} ({pct:.1f}%)\n"
        f"Pinned: {stats.pinned_runs} run(s), {human_size(stats.pinned_bytes)}\n"
        f"Failed verification: {stats.mismatched}; not verifiable: {stats.not_verifiable}\n"
        f"Catalog: {stats.catalog_artifacts} artifact(s) known"
    )


@cache_group.command("ls")
@click.option("--run", "run_id", metavar="ID", help="Only this run's artifacts.")
@click.option(
    "--state", type=click.Choice([s.value for s in CacheState if s is not CacheState.NOT_CACHED])
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines.")
@click.pass_context
def cache_ls(ctx: click.Context, run_id: str | None, state: str | None, as_json: bool) -> None:
    """List cached artifacts (and ones that failed verification)."""
    library = open_library(ctx, offline=True)
    entries = library.catalog.cache_entries()
    if state:
        entries = {k: v for k, v in entries.items() if v.state.value == state}
    pinned = set(library.pinned_runs())
    rows: list[dict[str, Any]] = []
    for artifact in library.artifacts(ArtifactQuery(run_id=run_id, include_deleted=True)):
        entry = entries.get(artifact.id)
        if entry is None:
            continue
        rows.append(
            {
                "id": artifact.id,
                "name": artifact.name,
                "runId": artifact.workflow_run_id,
                "state": entry.state.value,
                "size": entry.size,
                "pinned": artifact.workflow_run_id in pinned,
                "lastOpenedAt": entry.last_opened_at,
            }
        )
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("Nothing cached.", err=True)
        return
    table = [
        (r["id"], r["name"], r["state"], human_size(r["size"]), "pinned" if r["pinned"] else "")
        for r in rows
    ]
    click.echo(format_table(("ID", "NAME", "STATE", "SIZE", "PIN"), table))


@cache_group.command("verify")
@click.pass_context
def cache_verify(ctx: click.Context) -> None:
    """Re-hash every cached file; exits non-zero if any file no longer matches."""
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
            f"  FAILED {artifact_id} ({name}): removed; it is downloaded again when opened",
            err=True,
        )
    for artifact_id in report.missing:
        click.echo(f"  MISSING {artifact_id}: its file vanished from the cache", err=True)
    if not report.ok:
        ctx.exit(EXIT_FAILURE)


@cache_group.command("purge")
@click.option("--include-pinned", is_flag=True, help="Also delete pinned runs' files.")
@click.pass_context
def cache_purge(ctx: click.Context, include_pinned: bool) -> None:
    """Delete cached files (the catalog stays)."""
    removed = open_library(ctx, offline=True).purge(include_pinned=include_pinned)
    click.echo(f"Removed {removed} cached file(s).")


@cache_group.command("pin")
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


@cache_group.command("unpin")
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
        found = library.workflows()
        return [w for w in found if workflow_id in (None, w.id)]
    if kind == "runs":
        if run_id:
            run = library.run(run_id)
            return [run] if run is not None else []
        return library.runs(workflow_id, status)
    if kind == "artifacts":
        return library.artifacts(ArtifactQuery(workflow_id=workflow_id, run_id=run_id))
    if kind == "jobs":
        return library.catalog.jobs()
    return [r for r in library.catalog.job_runs() if status in (None, r.status)]


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    for command in (sync_command, get_command, cache_group):
        group.add_command(command)
