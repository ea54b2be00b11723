"""CLI: `search QUERY` over the local content index, and the index's part of `cache`
(`cache reindex`, the index lines of `cache stats`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from artifact_viewer.commands.common import open_library
from artifact_viewer.core import units
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.search import Hit, Indexer, QueryError, SearchIndex, parse_query
from artifact_viewer.core.search.finder import search

EXIT_NO_HITS = 1
EXIT_USAGE = 2
_META = "artifact_viewer.search"


@dataclass(frozen=True, slots=True)
class Searcher:
    """The offline store, its index and an indexer, closed with the command."""

    library: Library
    index: SearchIndex
    indexer: Indexer


def open_searcher(ctx: click.Context) -> Searcher:
    """The local store and its search index (no network), opened once per command."""
    cached: Searcher | None = ctx.meta.get(_META)
    if cached is not None:
        return cached
    library = open_library(ctx, offline=True)
    index = SearchIndex.open(app_paths())
    ctx.call_on_close(index.close)
    searcher = Searcher(library, index, Indexer(index, library.blobs))
    ctx.meta[_META] = searcher
    return searcher


@contextlib.contextmanager
def _progress(label: str) -> Iterator[ProgressFn]:
    """A progress bar on stderr when it is a terminal; otherwise the label alone."""
    console = Console(stderr=True)
    if not console.is_terminal:
        click.echo(f"{label}…", err=True)
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def catch_up(searcher: Searcher) -> int:
    """Index the cached files still waiting (progress on stderr); return how many."""
    if searcher.index.rebuilt:
        click.echo(searcher.index.rebuilt, err=True)
    waiting = searcher.indexer.pending()
    if not waiting:
        searcher.indexer.prune()
        return 0
    with _progress(f"Indexing {waiting} cached file(s) for search") as progress:
        return searcher.indexer.index_pending(progress)


def location_text(location: dict[str, Any]) -> str:
    """``line 3``, ``row 2, id``, ``$.a[0].b``, ``page 4``, ``box 10,20,30,8``, ``name``."""
    if "path" in location:
        return str(location["path"])
    if "row" in location:
        return f"row {location['row']}, {location['column']}"
    if "box" in location:
        return "box " + ",".join(str(v) for v in location["box"])
    if "field" in location:
        return str(location["field"])
    key = next(iter(location), "")
    return f"{key} {location[key]}" if key else ""


def _print_grouped(hits: list[Hit]) -> None:
    """Hits grouped under their run, one line each: artifact, location, snippet."""
    run: object = object()
    for hit in hits:
        if hit.run_id != run:
            run = hit.run_id
            workflow = hit.workflow_name or hit.workflow_id or "-"
            click.echo(f"Run {hit.run_id or '-'} ({workflow})")
        click.echo(f"  {hit.display_name}  [{location_text(hit.location)}]  {hit.marked()}")


@click.command("search", short_help="Search inside every cached artifact (offline).")
@click.argument("query", nargs=-1, required=True)
@click.option("--run", "run_id", metavar="ID", help="Only this run's artifacts.")
@click.option("--workflow", "workflow_id", metavar="ID", help="Only this workflow's artifacts.")
@click.option("--type", "artifact_type", metavar="T", help="Only artifacts of this type.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most N hits."
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one hit per line.")
@click.pass_context
def search_command(
    ctx: click.Context,
    query: tuple[str, ...],
    run_id: str | None,
    workflow_id: str | None,
    artifact_type: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the content of every cached artifact: table cells, JSON keys and values, log and
    text lines, PDF pages, screenshot text (by OCR), and names.

    \b
    QUERY: words (all must match, case-insensitive, as substrings), "quoted phrases",
    -word to exclude (after `--`), and type: run: workflow: status: since: until: terms.
    Words need 3 or more characters; shorter ones only narrow a longer one.
    Files cached but not yet indexed are indexed first. Exit 0 with hits, 1 with none.
    """
    try:
        parsed = parse_query(" ".join(query)).with_filters(
            run_id=run_id, workflow_id=workflow_id, artifact_type=artifact_type
        )
        parsed.fts_expression()
    except QueryError as exc:
        raise click.UsageError(exc.user_message()) from None
    searcher = open_searcher(ctx)
    catch_up(searcher)
    result = search(searcher.index, parsed, limit=limit)
    for note in result.notes:
        click.echo(note, err=True)
    if as_json:
        for hit in result.hits:
            click.echo(orjson.dumps(hit.to_json()).decode())
    else:
        _print_grouped(result.hits)
    if not result.hits:
        if not as_json:
            click.echo("No matches in the cached artifacts.", err=True)
        ctx.exit(EXIT_NO_HITS)


# -- cache reindex / cache stats --------------------------------------------------------------


@click.command("reindex", short_help="Rebuild the search index from the cached files.")
@click.pass_context
def reindex_command(ctx: click.Context) -> None:
    """Empty the search index and index every cached file again (progress on stderr)."""
    searcher = open_searcher(ctx)
    with _progress("Indexing cached files for search") as progress:
        count = searcher.indexer.reindex(progress)
    stats = searcher.index.stats()
    click.echo(
        f"Indexed {count} file(s): {units.human_size(stats.text_chars)} of text,"
        f" index {units.human_size(stats.file_bytes)}."
    )


def index_stats(ctx: click.Context) -> dict[str, int]:
    """The index's part of ``cache stats --json``: size on disk, text held, files waiting."""
    searcher = open_searcher(ctx)
    stats = searcher.index.stats()
    return {
        "searchIndexBytes": stats.file_bytes,
        "searchIndexedFiles": stats.documents,
        "searchIndexedTextChars": stats.text_chars,
        "searchPending": searcher.indexer.pending(),
    }


def index_stats_line(values: dict[str, int]) -> str:
    """The index's line of ``cache stats``."""
    return (
        f"Search index: {units.human_size(values['searchIndexBytes'])} for"
        f" {values['searchIndexedFiles']} file(s)"
        f" ({units.human_size(values['searchIndexedTextChars'])} of text);"
        f" {values['searchPending']} waiting to be indexed"
    )


def register(group: click.Group) -> None:
    """Add `search` to the top-level group (`cache reindex` is added by the cache group)."""
    group.add_command(search_command)
