"""CLI: `artifact-viewer cache stats|ls|verify|purge|quota|pin|unpin` over the local store."""

from __future__ import annotations

import re

import click

from artifact_viewer.commands.common import (
    EXIT_FAILURE,
    _echo_json,
    _iso,
    _opened,
    format_table,
    human_size,
    open_library,
    progress_bar,
)
from artifact_viewer.commands.search import index_stats, index_stats_line, reindex_command
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.settings import load_settings, save_settings
from artifact_viewer.core.store_models import ArtifactQuery, CachedArtifact, CacheState
from artifact_viewer.core.textsafe import terminal_safe


@click.group("cache", short_help="Inspect and manage the local cache of artifact files.")
def cache_group() -> None:
    """Inspect and manage the local cache of artifact files (works offline)."""


@cache_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def cache_stats(ctx: click.Context, as_json: bool) -> None:
    """How much is cached, against the quota."""
    library = open_library(ctx, offline=True)
    stats = library.stats()
    search_index = index_stats(ctx)
    encrypted = library.blobs.encrypt
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
                    "encrypted": encrypted,
                    **search_index,
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
        f"Catalog: {stats.catalog_artifacts} artifact(s) known\n"
        f"Encryption: {'on (AES-256-GCM, key in the system keyring)' if encrypted else 'off'}\n"
        + index_stats_line(search_index)
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
@click.option(
    "--older-than",
    metavar="DURATION",
    help="Only files not opened for DURATION (90s, 15m, 12h, 30d, 2w); pinned runs stay.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be removed; remove nothing.")
@click.pass_context
def cache_purge(
    ctx: click.Context, include_pinned: bool, older_than: str | None, dry_run: bool
) -> None:
    """Delete cached files; the catalog stays, so lists still work offline."""
    if older_than is not None or dry_run:
        from artifact_viewer.commands.retention import purge_by_age

        library = open_library(ctx, offline=True)
        purge_by_age(library, older_than, include_pinned=include_pinned, dry_run=dry_run)
        return
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


cache_group.add_command(reindex_command)


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    from artifact_viewer.commands.encrypt import cache_encrypt

    cache_group.add_command(cache_encrypt)
    group.add_command(cache_group)
