"""CLI: `artifact-viewer sync` refreshes the local catalog and downloads artifacts."""

from __future__ import annotations

import time
from datetime import datetime

import click

from artifact_viewer.commands.common import (
    EXIT_FAILURE,
    _echo_json,
    human_size,
    open_library,
    parse_date_option,
    progress_bar,
)
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.textsafe import terminal_safe


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


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(sync_command)
