"""CLI: `artifact-viewer ls workflows|runs|artifacts|jobs|job-runs` as a table or JSON lines."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import click
import httpx
import orjson

from artifact_viewer.core import units
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import ArtifactViewerError, NetworkError
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.models import (
    INVALID_DATE,
    Artifact,
    Job,
    JobRun,
    Resource,
    Workflow,
    WorkflowRun,
    parse_timestamp,
)
from artifact_viewer.core.paging import ListingBudget
from artifact_viewer.core.retry import RetryPolicy
from artifact_viewer.core.secrets import require_api_key
from artifact_viewer.core.settings import Settings, load_settings
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.core.textsafe import json_safe, terminal_safe

log = logging.getLogger("artifact_viewer.cli")

KINDS = ("workflows", "runs", "artifacts", "jobs", "job-runs")
PARENTS = ("runs", "job-runs")  # kinds whose table names their workflow or job
SEARCH_META = "artifact_viewer.search"  # the ls command's ArtifactQuery, for its data source

# Key in the root context's ``obj`` under which tests (or --demo) hand in an httpx transport.
TRANSPORT_KEY = "http_transport"
RETRY_KEY = "retry_policy"


_CLIENT_META = "artifact_viewer.client"


def make_client(ctx: click.Context, settings: Settings | None = None) -> AnonClient:
    """The command's API client from settings + env + keyring, made once per command (its
    httpx client, and with ``--demo`` its stand-in server, close with the command)."""
    cached: AnonClient | None = ctx.meta.get(_CLIENT_META)
    if cached is not None:
        return cached
    obj = ctx.find_root().obj or {}
    settings = settings or load_settings()
    if obj.get("demo"):
        # `artifact-viewer --demo ls ...`: a stand-in server for the life of this command.
        from artifact_viewer.demo.runner import DemoServer

        server = ctx.with_resource(DemoServer())
        base_url, api_key = server.base_url, server.api_key
    else:
        base_url = settings.effective_base_url()
        api_key = require_api_key(base_url)
    transport: httpx.BaseTransport | None = obj.get(TRANSPORT_KEY)
    http = ctx.with_resource(build_http_client(settings, transport=transport))
    retry: RetryPolicy | None = obj.get(RETRY_KEY)
    client = AnonClient(
        http,
        api_key=api_key,
        base_url=base_url,
        retry=retry,
        page_size=settings.page_size,
        budget=ListingBudget(
            max_pages=settings.listing_max_pages,
            max_items=settings.listing_max_items,
            max_bytes=settings.listing_max_bytes,
            max_seconds=settings.listing_max_seconds,
        ),
        on_listing_progress=lambda text: click.echo(terminal_safe(text), err=True),
    )
    ctx.meta[_CLIENT_META] = client
    return client


def online_source(
    ctx: click.Context,
    kind: str,
    *,
    workflow_id: str | None,
    run_id: str | None,
    status: str | None,
) -> Iterable[Resource]:
    """Rows straight from the API. ``_source`` below is the one place to swap this out."""
    client = make_client(ctx)
    if kind == "workflows":
        if workflow_id:
            return [client.get_workflow(workflow_id)]
        return client.list_workflows()
    if kind == "runs":
        if run_id:
            return [client.get_workflow_run(run_id)]
        return client.list_workflow_runs(workflow_id=workflow_id, status=status)
    if kind == "artifacts":
        return client.list_artifacts(workflow_id=workflow_id, workflow_run_id=run_id)
    if kind == "jobs":
        return client.list_jobs()
    return client.list_job_runs(status=status)


# The data source for `ls`. An offline/catalog-backed source replaces this with the same signature.
_source: Callable[..., Iterable[Resource]] = online_source


def parse_date_option(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime | None:
    """A click callback: ``2025-01-31``, ``2025-01-31T12:00:00Z`` or ``2025-01-31 12:00``."""
    if value is None:
        return None
    text = value.strip().replace(" ", "T", 1)
    parsed = parse_timestamp(text if "T" in text else f"{text}T00:00:00Z")
    if parsed is None:
        raise click.BadParameter(
            f"{value!r} is not a date; use one like 2025-01-31 or 2025-01-31T12:00:00Z (UTC"
            " unless an offset is given)"
        )
    return parsed


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def _date(item: Resource, attr: str) -> str:
    """A timestamp cell: the date, "-" if none, "invalid date" if the server sent no date."""
    if item.invalid_date(attr):
        return INVALID_DATE
    return _when(getattr(item, attr, None))


def human_size(size: int | None) -> str:
    return "-" if size is None else units.human_size(size)


def human_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "-"
    hours, minutes, secs = units.split_duration(seconds)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


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
RIGHT_ALIGNED = {"SIZE", "DURATION"}


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain aligned columns: readable in a terminal, stable in a pipe."""
    # Control and bidi characters in server-supplied names must not reach the terminal.
    clean = [[terminal_safe(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in clean:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    lines = []
    for row in [list(headers), *clean]:
        cells = [
            cell.rjust(width) if header in RIGHT_ALIGNED else cell.ljust(width)
            for header, cell, width in zip(headers, row, widths, strict=False)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def parent_names(ctx: click.Context, kind: str, *, offline: bool) -> dict[str, str]:
    """Workflow names (for runs) or job names (for job runs) by id, to make tables readable.

    Best effort: without them the table shows ids, as ``--json`` always does.
    """
    try:
        if offline:
            from artifact_viewer.commands.store import open_library  # store imports this module

            library = open_library(ctx, offline=True)
            parents: list[Workflow] | list[Job] = (
                library.workflows() if kind == "runs" else library.catalog.jobs()
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
        from artifact_viewer.commands.store import catalog_source  # store imports this module

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
