"""CLI: `artifact-viewer ls workflows|runs|artifacts|jobs|job-runs` as a table or JSON lines."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import click
import orjson

from artifact_viewer.commands.common import (
    KINDS,
    PARENTS,
    SEARCH_META,
    _date,
    catalog_source,
    format_table,
    human_duration,
    human_size,
    make_client,
    online_source,
    open_library,
    parse_date_option,
)
from artifact_viewer.core.errors import ArtifactViewerError, NetworkError
from artifact_viewer.core.models import (
    Artifact,
    Job,
    JobRun,
    Resource,
    Workflow,
    WorkflowRun,
)
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.core.textsafe import json_safe

log = logging.getLogger("artifact_viewer.cli")

# Where `ls` rows come from online; tests swap this one name.
_source: Callable[..., Iterable[Resource]] = online_source


def _row(item: Resource, names: Mapping[str, str]) -> tuple[str, ...]:
    """Table cells; ``names`` turns workflow/job ids into their names where known."""
    if isinstance(item, WorkflowRun):
        return (
            item.id,
            names.get(item.workflow_id or "", item.workflow_id or "-"),
            item.status or "-",
            _date(item, "created_at"),
            _date(item, "completed_at"),
            human_duration(item.duration_seconds),
            item.current_state_name or "-",
        )
    if isinstance(item, Artifact):
        return (
            item.id,
            item.name,
            item.type or "-",
            item.mime_type or "-",
            human_size(item.file_size),
            _date(item, "created_at"),
        )
    if isinstance(item, Workflow):
        return (
            item.id,
            item.name or "-",
            item.source_provider or "-",
            item.type or "-",
            _date(item, "created_at"),
        )
    if isinstance(item, JobRun):
        job = names.get(item.job_id or "", item.job_id or "-")
        return (item.id, job, item.status or "-", _date(item, "created_at"))
    if isinstance(item, Job):
        return (item.id, item.name or "-", item.source_provider or "-", _date(item, "created_at"))
    return (item.id,)


HEADERS: dict[str, tuple[str, ...]] = {
    "workflows": ("ID", "NAME", "PROVIDER", "TYPE", "CREATED"),
    "runs": ("ID", "WORKFLOW", "STATUS", "CREATED", "COMPLETED", "DURATION", "STATE"),
    "artifacts": ("ID", "NAME", "TYPE", "MIME", "SIZE", "CREATED"),
    "jobs": ("ID", "NAME", "PROVIDER", "CREATED"),
    "job-runs": ("ID", "JOB", "STATUS", "CREATED"),
}


def parent_names(ctx: click.Context, kind: str, *, offline: bool) -> dict[str, str]:
    """Workflow names (for runs) or job names (for job runs) by id, to make tables readable.

    Best effort: without them the table shows ids, as ``--json`` always does.
    """
    try:
        if offline:
            library = open_library(ctx, offline=True)
            parents: list[Workflow] | list[Job] = (
                library.workflows() if kind == "runs" else library.jobs()
            )
        else:
            client = make_client(ctx)
            parents = list(client.list_workflows()) if kind == "runs" else list(client.list_jobs())
    except ArtifactViewerError as exc:
        log.info("Showing ids instead of names: %s", exc.user_message())
        return {}
    return {p.id: p.name for p in parents if p.name}


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(ls_command)


@click.command("ls", short_help="List workflows, runs, artifacts, jobs or job runs.")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--workflow", "workflow_id", metavar="ID", help="Only this workflow's runs/artifacts."
)
@click.option("--run", "run_id", metavar="ID", help="Only this workflow run (or its artifacts).")
@click.option(
    "--status", metavar="STATUS", help="Only runs or job runs in this status, e.g. FAILED."
)
@click.option("--name", metavar="TEXT", help="Artifacts whose name contains TEXT (any case).")
@click.option("--type", "type_", metavar="TYPE", help="Artifacts of this type, e.g. log_file.")
@click.option("--mime", metavar="TYPE", help="Artifacts of this MIME type, e.g. text/csv.")
@click.option(
    "--since", callback=parse_date_option, metavar="DATE", help="Artifacts created since DATE."
)
@click.option(
    "--until", callback=parse_date_option, metavar="DATE", help="Artifacts created before DATE."
)
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many rows.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="JSON lines: one API object per line (camelCase, signed URLs left out).",
)
@click.option(
    "--offline", is_flag=True, help="List from the local catalog (the last sync); no network."
)
@click.pass_context
def ls_command(
    ctx: click.Context,
    kind: str,
    workflow_id: str | None,
    run_id: str | None,
    status: str | None,
    name: str | None,
    type_: str | None,
    mime: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    as_json: bool,
    offline: bool,
) -> None:
    """List workflows, workflow runs, artifacts, jobs or job runs.

    Reads ANON_BASE_URL and ANON_API_KEY (or the key saved in the system keyring);
    with --offline, reads the local catalog that `sync` keeps instead (artifact
    searches then run in the catalog).
    """
    if status and kind not in PARENTS:
        raise click.UsageError("--status applies to `runs` and `job-runs` only.")
    search = ArtifactQuery(text=name or "", type=type_, mime=mime, since=since, until=until)
    if search != ArtifactQuery() and kind != "artifacts":
        raise click.UsageError("--name, --type, --mime, --since and --until apply to artifacts.")
    ctx.meta[SEARCH_META] = search
    source = _source
    if offline:
        source = catalog_source
    try:
        items: Iterable[Resource] = source(
            ctx, kind, workflow_id=workflow_id, run_id=run_id, status=status
        )
        if kind == "artifacts" and not offline and search != ArtifactQuery():
            # The API has no such filters: the same test the catalog runs, on the stream.
            items = (a for a in items if isinstance(a, Artifact) and search.matches(a))
        if limit is not None:
            items = itertools.islice(items, limit)
        if as_json:
            # Streamed line by line so a long listing shows up (and can be piped) as it arrives.
            for item in items:
                line = orjson.dumps(item.to_json(), default=_json_default).decode()
                click.echo(json_safe(line))
            return
        found = list(items)
        names = parent_names(ctx, kind, offline=offline) if found and kind in PARENTS else {}
    except NetworkError as exc:
        if offline:
            raise
        hint = f"{exc.hint} Add --offline to list what the last sync saw."
        raise NetworkError(exc.message, hint=hint) from None
    if not found:
        click.echo(f"No {kind.replace('-', ' ')} found.", err=True)
        return
    click.echo(format_table(HEADERS[kind], [_row(item, names) for item in found]))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError
