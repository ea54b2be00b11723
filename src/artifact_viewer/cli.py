"""Command line: `artifact-viewer` opens the window; subcommands list, sync, fetch, diff, preview and serve."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from typing import Any

import click

from artifact_viewer import __version__
from artifact_viewer.core.errors import (
    ArtifactViewerError,
    AuthError,
    ConfigError,
    NetworkError,
    NotAvailableOffline,
    NotFound,
    user_message,
)
from artifact_viewer.core.logs import setup_logging
from artifact_viewer.core.textsafe import terminal_safe

log = logging.getLogger("artifact_viewer.cli")

# Exit codes: 0 ok, 1 any other failure, 2 bad usage (click's own), then one per cause a
# script may want to branch on.
EXIT_FAILURE = 1
EXIT_CONFIG = 3  # missing/rejected API key, bad settings
EXIT_NETWORK = 4  # API unreachable
EXIT_NOT_FOUND = 5  # unknown id, or not available offline
EXIT_INTERRUPTED = 130


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, ConfigError | AuthError):
        return EXIT_CONFIG
    if isinstance(exc, NetworkError):
        return EXIT_NETWORK
    if isinstance(exc, NotFound | NotAvailableOffline):
        return EXIT_NOT_FOUND
    return EXIT_FAILURE


# Subcommand -> the module in ``artifact_viewer.commands`` whose ``register(group)`` adds it.
# A module is imported only when one of its commands runs (or --help lists them all): they
# pull in httpx, rich and the stand-in server, which opening the window does not need yet.
COMMAND_MODULES = {
    "cache": "cache",
    "demo-server": "demo_server",
    "diff": "diff",
    "export": "bundle",
    "get": "get",
    "import": "bundle",
    "ls": "ls",
    "note": "note",
    "preview": "preview",
    "search": "search",
    "sync": "sync",
    "watch": "watch",
    "wipe": "wipe",
}


class AppGroup(click.Group):
    """The top-level group: any error below it becomes one line on stderr and an exit code.

    Subcommands are loaded on first use (see ``COMMAND_MODULES``).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            importlib.import_module(f"artifact_viewer.commands.{module}").register(self)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ArtifactViewerError as exc:
            log.info("Command failed: %s", exc.user_message())
            click.echo(f"Error: {terminal_safe(exc.user_message())}", err=True)
            raise click.exceptions.Exit(exit_code_for(exc)) from None
        except BrokenPipeError:
            # `artifact-viewer ls runs | head`: the reader left; stop quietly. Point stdout at
            # devnull so the interpreter's final flush does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
            raise click.exceptions.Exit(EXIT_FAILURE) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            # Full (redacted) traceback to the log file; one safe line to the person.
            log.exception("Unexpected error in command")
            click.echo(f"Error: {terminal_safe(user_message(exc))}", err=True)
            raise click.exceptions.Exit(EXIT_FAILURE) from None


EPILOG = """\b
Environment:
  ANON_BASE_URL         API address (default https://worker.anon.com/api/v2)
  ANON_API_KEY          API key (else the one saved in the system keyring)
  ARTIFACT_VIEWER_HOME  keep config, cache, catalog and logs under one folder

\b
Exit codes: 0 ok, 1 failed, 2 bad usage, 3 API key or settings, 4 network,
5 not found or not available offline, 6 run awaiting user input (watch),
130 interrupted.
"""


@click.group(cls=AppGroup, invoke_without_command=True, epilog=EPILOG)
@click.option(
    "--demo", is_flag=True, help="Start the stand-in server (a child process) and connect to it."
)
@click.option("-v", "--verbose", is_flag=True, help="Also log to the console (debug level).")
@click.option(
    "--smoke",
    is_flag=True,
    help="With --demo: open one artifact of each kind in the window, then quit "
    "(exit 0 only if every kind rendered). Checks a build.",
)
@click.version_option(__version__, prog_name="artifact-viewer")
@click.pass_context
def cli(ctx: click.Context, demo: bool, verbose: bool, smoke: bool) -> None:
    """Browse Anon V2 workflow runs and their artifacts. Without a subcommand, opens the window."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["demo"] = demo
    setup_logging(verbose=verbose)
    # The subcommand's name only: its arguments may hold ids a user would rather not log.
    log.info("artifact-viewer %s: %s", __version__, ctx.invoked_subcommand or "window")
    if smoke and not demo:
        raise click.UsageError("--smoke needs --demo (it opens the sample artifacts).")
    if ctx.invoked_subcommand is None:
        from artifact_viewer.app import gui_main

        raise SystemExit(gui_main(demo=demo, verbose=verbose, smoke=smoke))


def main() -> None:
    cli(prog_name="artifact-viewer")
