"""Helpers shared by the CLI commands: the API client, the library, tables, progress, JSON."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
import httpx
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

from artifact_viewer.core import units
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import NotFound
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import (
    INVALID_DATE,
    Resource,
    parse_timestamp,
)
from artifact_viewer.core.paging import ListingBudget
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.progress import ProgressFn
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
        task = bar.add_task(escape(terminal_safe(label)), total=None)

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
        return library.jobs()
    return library.job_runs(status)


def _known(item: R | None, what: str, item_id: str) -> R:
    """Like the API's get-by-id: an id the catalog does not hold is NotFound (exit 5)."""
    if item is None:
        raise NotFound(
            f"The {what} {item_id} is not in the local catalog.",
            hint="Run `artifact-viewer sync` while online to bring the catalog up to date.",
        )
    return item


EXIT_FAILURE = 1
