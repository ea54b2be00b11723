"""CLI: `artifact-viewer get ID` saves an artifact through the verified cache."""

from __future__ import annotations

from pathlib import Path

import click

from artifact_viewer.commands.common import open_library, progress_bar
from artifact_viewer.core.destinations import check_destination
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.store_models import CacheState


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
            dest,
            force,
            hint="Use --force to overwrite it, or -o to choose another name.",
            into_special=True,
        )
    # One pass: the download writes the cache file and the copy together.
    with progress_bar(artifact.name if artifact else artifact_id) as progress:
        saved = library.save_as(artifact_id, dest, overwrite=force, progress=progress)
    state = library.cache_state(artifact_id)
    note = (
        ""
        if state is CacheState.VERIFIED
        else " (not verifiable: the API's hash format is unknown)"
    )
    click.echo(f"Saved {saved}{note}")


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(get_command)
