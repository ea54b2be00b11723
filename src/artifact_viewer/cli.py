"""Command line: `artifact-viewer` opens the window; subcommands list, sync, fetch, preview and serve."""

from __future__ import annotations

import click

from artifact_viewer import __version__
from artifact_viewer.commands import demo_server, ls, preview, store


@click.group(invoke_without_command=True)
@click.option(
    "--demo", is_flag=True, help="Start the stand-in server in-process and connect to it."
)
@click.option("-v", "--verbose", is_flag=True, help="Also log to the console.")
@click.version_option(__version__, prog_name="artifact-viewer")
@click.pass_context
def cli(ctx: click.Context, demo: bool, verbose: bool) -> None:
    """Browse Anon V2 workflow runs and their artifacts. Without a subcommand, opens the window."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    if ctx.invoked_subcommand is None:
        from artifact_viewer.app import gui_main

        raise SystemExit(gui_main(demo=demo, verbose=verbose))


for _module in (demo_server, ls, store, preview):
    _module.register(cli)


def main() -> None:
    cli(prog_name="artifact-viewer")
