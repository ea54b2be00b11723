"""CLI: `wipe --yes` removes everything the app keeps on this computer; without --yes, lists it."""

from __future__ import annotations

import click

from artifact_viewer.commands.common import human_size
from artifact_viewer.core.crypto.keys import MASTER_KEY_ACCOUNT
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.wipe import WipePlan, wipe, wipe_plan

EXIT_USAGE = 2


def describe(plan: WipePlan) -> list[str]:
    """One line per thing that goes, for a person to check."""
    lines = []
    for item in plan.items:
        amount = f"{item.files} file(s), {human_size(item.size)}" if item.files else "empty"
        lines.append(f"  {item.label}: {amount} ({item.path})")
    for account in plan.keyring_accounts:
        what = "cache encryption key" if account == MASTER_KEY_ACCOUNT else f"API key for {account}"
        lines.append(f"  system keyring: {what}")
    return lines


@click.command("wipe", short_help="Remove everything this app keeps on this computer.")
@click.option("--yes", is_flag=True, help="Remove it. Without --yes, only list what would go.")
@click.pass_context
def wipe_command(ctx: click.Context, yes: bool) -> None:
    """Remove the cache, catalog, notes, search index, logs, settings and the app's keyring
    entries (API keys, cache encryption key). Afterwards the app starts as on its first run.

    Without --yes nothing is removed: the list of what would go is printed and the
    command exits 2.
    """
    paths = app_paths()
    plan = wipe_plan(paths)
    if not yes:
        click.echo("This would remove everything artifact-viewer keeps on this computer:", err=True)
        for line in describe(plan) or ["  (nothing: no app data found)"]:
            click.echo(line, err=True)
        click.echo("Nothing was removed. Run `artifact-viewer wipe --yes` to remove it.", err=True)
        ctx.exit(EXIT_USAGE)
    removed = wipe(paths)
    if removed.empty:
        click.echo("Nothing to remove: no app data found.")
        return
    click.echo("Removed:")
    for line in describe(removed):
        click.echo(line)
    click.echo("artifact-viewer will start as on its first run.")


def register(group: click.Group) -> None:
    group.add_command(wipe_command)
