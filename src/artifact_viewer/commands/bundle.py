"""CLI: `export RUN_ID... -o FILE` and `import FILE`: runs handed over as one verified bundle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from artifact_viewer.commands.common import EXIT_FAILURE, human_size, open_library, progress_bar
from artifact_viewer.core.bundle import export_runs, import_bundle
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import BundleError, ConfigError
from artifact_viewer.core.library import Library


def _library(ctx: click.Context) -> Library:
    """With the API when a key is configured (to fetch what is not cached), else offline."""
    try:
        return open_library(ctx)
    except ConfigError:
        return open_library(ctx, offline=True)


@contextmanager
def _interruptible(token: CancelToken) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        token.cancel()
        raise


def _fail(ctx: click.Context, exc: BundleError) -> None:
    click.echo(f"Error: {exc.user_message()}", err=True)
    for key, reason in exc.details.items():
        click.echo(f"  {key}: {reason}", err=True)
    ctx.exit(EXIT_FAILURE)


@click.command("export", short_help="Export runs, their files and notes to one bundle (zip).")
@click.argument("run_ids", metavar="RUN_ID...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The bundle file to write (a zip); an existing file is never replaced.",
)
@click.option(
    "--notes/--no-notes", default=True, show_default=True, help="Include the runs' notes."
)
@click.pass_context
def export_command(ctx: click.Context, run_ids: tuple[str, ...], output: Path, notes: bool) -> None:
    """Export runs with their workflow, artifacts and verified files to one zip.

    The zip holds manifest.json (records, sizes, SHA-256 and the API's fileHash of every
    file; never a signed URL or a key) and a folder per run. Files not cached yet are
    downloaded and verified first (needs the API); if any cannot be, nothing is written
    and each is listed (exit 1). The bundle appears only once complete.
    """
    library = _library(ctx)
    token = CancelToken()
    try:
        with progress_bar("Exporting") as progress, _interruptible(token):
            result = export_runs(
                library, run_ids, output, include_notes=notes, progress=progress, cancel=token
            )
    except BundleError as exc:
        _fail(ctx, exc)
        return
    extra = f"; {result.downloaded} downloaded first" if result.downloaded else ""
    click.echo(
        f"Exported {result.runs} run(s), {result.files} file(s) ({human_size(result.bytes)}),"
        f" {result.notes} note(s) to {result.path}{extra}."
    )
    if result.not_verifiable:
        click.echo(
            f"  {len(result.not_verifiable)} file(s) could not be checked against the API's"
            " hash (unknown format); the bundle carries their SHA-256.",
            err=True,
        )


@click.command("import", short_help="Import a bundle made by `export` (works offline).")
@click.argument("bundle", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def import_command(ctx: click.Context, bundle: Path) -> None:
    """Import a bundle: its runs, artifacts, files and notes, checked before anything is added.

    Every file must match the manifest (size, SHA-256, and the API's fileHash where it can
    be checked) and the zip must be safe; otherwise nothing is imported and the reason is
    printed (exit 1). Imported runs open offline, without an API key, and are pinned when
    new here. Importing the same bundle again changes nothing.
    """
    library = open_library(ctx, offline=True)
    token = CancelToken()
    try:
        with progress_bar("Importing") as progress, _interruptible(token):
            result = import_bundle(library, bundle, progress=progress, cancel=token)
    except BundleError as exc:
        _fail(ctx, exc)
        return
    if not result.changed:
        click.echo(f"Nothing new: {bundle.name} was already imported.")
        return
    click.echo(
        f"Imported {bundle.name} (exported {result.exported_at}): {result.runs} run(s),"
        f" {result.artifacts} artifact(s), {human_size(result.bytes)}; {result.new_runs} new"
        f" run(s), {result.new_files} file(s) added, {result.notes} note(s)."
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(export_command)
    group.add_command(import_command)
