"""CLI: `note ID [TEXT]` reads, sets or clears the local note on a run or an artifact."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from artifact_viewer.commands.common import open_library
from artifact_viewer.core.library import Library


@click.command("note", short_help="Read, set or clear the note on a run or artifact.")
@click.argument("target_id", metavar="ID")
@click.argument("text", required=False)
@click.pass_context
def note_command(ctx: click.Context, target_id: str, text: str | None) -> None:
    """Read, set or clear the note on the run or artifact ID (kept in the local catalog).

    \b
      note ID           print the note (its time goes to stderr)
      note ID TEXT      set it; quote TEXT, it may span several lines
      note ID -         set it from standard input
      note ID ""        clear it (an empty or blank TEXT clears)

    Notes are local: they never reach the API. They travel in bundles (`export`) and are
    found by the artifact filter and `ls artifacts --offline --name`. Works offline.
    """
    library = open_library(ctx, offline=True)
    if text is None:
        note = library.note(target_id)
        if note is None:
            click.echo(f"No note on {note_kind_label(library, target_id)} {target_id}.", err=True)
            return
        click.echo(note.text)
        click.echo(f"(note on {note.kind.value} {target_id}, {_when(note.updated_at)})", err=True)
        return
    if text == "-":
        text = sys.stdin.read()
    saved = library.set_note(target_id, text)
    what = note_kind_label(library, target_id)
    if saved is None:
        click.echo(f"Note on {what} {target_id} cleared.")
    else:
        lines = saved.text.count("\n") + 1
        click.echo(f"Note on {what} {target_id} saved ({lines} line(s)).")


def note_kind_label(library: Library, target_id: str) -> str:
    """ "run" or "artifact" (NotFound, exit 5, when the catalog knows neither)."""
    return library.note_kind(target_id).value


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%MZ")


def register(group: click.Group) -> None:
    """Add this module's command to the top-level group."""
    group.add_command(note_command)
