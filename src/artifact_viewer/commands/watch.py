"""CLI: `artifact-viewer watch RUN_ID` follows a run and exits with how it ended."""

from __future__ import annotations

import click
import orjson

from artifact_viewer.commands.common import make_client
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import NetworkError
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.redact import redact
from artifact_viewer.core.watch import (
    FINISHED_STATUSES,
    PollPolicy,
    RunWatcher,
    WatchEvent,
    is_finished,
)

# Exit codes of `watch` (the contract in the help text and README).
EXIT_COMPLETED = 0
EXIT_FAILED = 1
EXIT_GONE = 5
EXIT_AWAITING_INPUT = 6
OK_STATUSES = frozenset({"COMPLETED", "COMPLETED_WITH_NO_ACTION_TAKEN"})
AWAITING = "AWAITING_USER_INPUT"

HELP = """Follow workflow run RUN_ID: print each status or step change as it happens, then
exit with how the run ended.

\b
Output: one line per change, the first being the state when watching began.
With --json, one JSON object per line:
  {"runId": ..., "status": ..., "currentStateName": ..., "at": ...}
(`at`: when the change was seen, ISO-8601 UTC). Failed polls are retried with
back-off and reported on stderr; the watch goes on.

\b
Exit codes: 0 completed (or completed with no action taken), 1 failed,
5 the run was not found or was deleted while watched, 6 awaiting user input;
3 API key, 4 API unreachable at the start, 130 interrupted.
"""


def exit_code_for_run(run: WorkflowRun) -> int:
    if run.status in OK_STATUSES:
        return EXIT_COMPLETED
    if run.status == AWAITING:
        return EXIT_AWAITING_INPUT
    return EXIT_FAILED  # FAILED, or an unknown status that ended


def _clean(text: str | None) -> str:
    """One printable line (ids and state names come from the API: no escape codes)."""
    if not text:
        return "-"
    return "".join(c if c.isprintable() else "?" for c in text)


def text_line(event: WatchEvent) -> str:
    when = event.at.strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{when}  {_clean(event.status):<30} {_clean(event.state_name)}"


@click.command("watch", help=HELP, short_help="Follow a run until it ends or needs input.")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=3.0,
    show_default=True,
    help="Seconds between polls (stretched up to 10x while nothing changes).",
)
@click.pass_context
def watch_command(ctx: click.Context, run_id: str, as_json: bool, interval: float) -> None:
    client = make_client(ctx)
    policy = PollPolicy(interval=interval, max_interval=max(interval, interval * 10))
    watcher = RunWatcher(
        client,
        [run_id.strip()],
        policy=policy,
        artifacts=False,
        stop_statuses=FINISHED_STATUSES | {AWAITING},
    )
    cancel = CancelToken()
    last: WorkflowRun | None = None
    started = False
    for event in watcher.events(cancel):
        if event.kind == "poll_failed":
            error = event.error
            if not started and isinstance(error, NetworkError):
                raise error  # nothing to watch yet: the API is not there (exit 4)
            message = error.user_message() if error is not None else "Poll failed."
            retry = f" Trying again in {event.retry_in:.0f} s." if event.retry_in else ""
            click.echo(redact(f"Warning: {message}{retry}"), err=True)
            continue
        if event.kind == "recovered":
            click.echo("Polling works again.", err=True)
            continue
        if event.kind == "gone":
            if event.previous is None:
                click.echo(
                    f"Error: Run {_clean(run_id)} was not found. It may have been deleted, "
                    "or belong to another organisation.",
                    err=True,
                )
            else:
                click.echo(
                    f"Error: Run {_clean(run_id)} was deleted while being watched.", err=True
                )
            ctx.exit(EXIT_GONE)
        if event.kind not in ("started", "status", "step") or event.run is None:
            continue
        started, last = True, event.run
        if as_json:
            click.echo(orjson.dumps(event.to_json()).decode())
        else:
            click.echo(text_line(event))
    if last is None or not (is_finished(last) or last.status == AWAITING):
        raise click.exceptions.Exit(EXIT_FAILED)  # pragma: no cover - the loop only ends so
    ctx.exit(exit_code_for_run(last))


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(watch_command)
