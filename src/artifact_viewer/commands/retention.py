"""CLI: `cache purge --older-than DURATION [--dry-run]`, what retention removes, line by line."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from artifact_viewer.commands.common import human_size
from artifact_viewer.core.library import Library
from artifact_viewer.core.retention import format_duration, parse_duration


def duration_option(value: str) -> float:
    try:
        return parse_duration(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a duration; use a number and a unit: 90s, 15m, 12h, 30d or 2w",
            param_hint="'--older-than'",
        ) from None


def _when(epoch: float) -> str:
    if epoch <= 0:
        return "never"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%MZ")


def purge_by_age(
    library: Library, older_than: str | None, *, include_pinned: bool, dry_run: bool
) -> None:
    """Print each file removed (or, dry run, that would be), then a one-line summary."""
    max_age = duration_option(older_than) if older_than is not None else 0.0
    report = library.purge_older_than(max_age, dry_run=dry_run, include_pinned=include_pinned)
    verb = "Would remove" if dry_run else "Removed"
    for item in report.removed:
        for artifact_id, name in item.artifacts or (("-", item.sha256[:12]),):
            click.echo(
                f"{verb} {artifact_id}  {name}  {human_size(item.size)}"
                f"  last opened {_when(item.last_opened)}"
            )
    for item in report.busy:
        click.echo(f"Kept {item.sha256[:12]}…: a download is using it", err=True)
    age = f" not opened for {format_duration(max_age)}" if older_than is not None else ""
    pinned = f"; {report.pinned_kept} in pinned runs kept" if report.pinned_kept else ""
    click.echo(
        f"{verb} {len(report.removed)} cached file(s){age}"
        f" ({human_size(report.removed_bytes)}){pinned}. The catalog is unchanged."
    )
