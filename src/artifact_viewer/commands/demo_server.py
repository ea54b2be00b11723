"""CLI: `artifact-viewer demo-server` runs the stand-in Anon V2 server with optional faults."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from artifact_viewer.demo.bigfiles import SPECS
from artifact_viewer.demo.config import (
    ENVELOPES,
    HASH_STYLES,
    LIST_URL_MODES,
    SCOPES,
    Envelope,
    HashStyle,
    ListUrl,
    Scope,
    ServerConfig,
    UrlStyle,
)
from artifact_viewer.demo.live import OUTCOMES
from artifact_viewer.demo.signing import URL_STYLES

if TYPE_CHECKING:
    from artifact_viewer.demo.runner import DemoServer


class _StopSignal:
    """Ctrl-C and SIGTERM set an event instead of raising, so shutdown is always orderly."""

    def __init__(self) -> None:
        self.event = threading.Event()
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.event.set()

    def wait(self, server: DemoServer) -> None:
        while not self.event.wait(0.5):
            if not server.running:
                raise click.ClickException("the demo server stopped unexpectedly")


@click.command("demo-server", short_help="Serve a stand-in Anon V2 API with demo data.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option("--seed", default=1, show_default=True, help="Seed of the generated data set.")
@click.option("--api-key", default=None, help="Key to accept (default: derived from the seed).")
@click.option(
    "--url-ttl",
    type=click.FloatRange(min=0),
    default=900.0,
    show_default=True,
    help="Signed URL lifetime, seconds.",
)
@click.option(
    "--url-style", type=click.Choice(URL_STYLES), default="s3", show_default=True,
    help="Signed URL style: s3, gcs (expired answers 400) or opaque (no readable expiry).",
)  # fmt: skip
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Delay added to every request, seconds.",
)
@click.option(
    "--throttle",
    type=click.IntRange(min=0),
    default=0,
    help="Cap download speed, bytes per second.",
)
@click.option(
    "--fail-next",
    type=click.IntRange(min=0),
    default=0,
    help="Answer the next N requests with --fail-status.",
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of requests answered with --fail-status.",
)
@click.option(
    "--fail-status",
    type=click.IntRange(400, 599),
    default=503,
    show_default=True,
    help="Status for failed requests.",
)
@click.option(
    "--rate-limit-next",
    type=click.IntRange(min=0),
    default=0,
    help="Answer the next N requests with 429.",
)
@click.option(
    "--rate-limit-every",
    type=click.IntRange(min=0),
    default=0,
    help="Answer every Nth request with 429.",
)
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Retry-After seconds on 429.",
)
@click.option(
    "--fault-scope", type=click.Choice(SCOPES), default="api", show_default=True,
    help="Which requests the 5xx/429 faults hit.",
)  # fmt: skip
@click.option("--fault-path", default="", help="Only fault requests whose path contains this.")
@click.option(
    "--drop-next",
    type=click.IntRange(min=-1),
    default=0,
    help="Cut the next N downloads mid-body (-1: all).",
)
@click.option(
    "--drop-after-bytes",
    type=click.IntRange(min=0),
    default=65536,
    show_default=True,
    help="Where to cut.",
)
@click.option("--cut-on-expiry", is_flag=True, help="End a download once its URL expires.")
@click.option(
    "--storage-rejects-auth", is_flag=True,
    help="Answer 400 (like S3) when a download carries an Authorization header.",
)  # fmt: skip
@click.option("--corrupt", multiple=True, metavar="ARTIFACT_ID", help="Serve wrong bytes for it.")
@click.option(
    "--list-signed-url", type=click.Choice(LIST_URL_MODES), default="present", show_default=True,
    help="signedUrl in list responses: present, absent, or null.",
)  # fmt: skip
@click.option(
    "--hash-style", type=click.Choice(HASH_STYLES), default="sha256", show_default=True,
    help="Shape of fileHash: sha256 hex, sha256:-prefixed, base64, md5, or unknown.",
)  # fmt: skip
@click.option(
    "--envelope", type=click.Choice(ENVELOPES), default="data", show_default=True,
    help="Shape of list responses.",
)  # fmt: skip
@click.option(
    "--scale-artifacts",
    type=click.IntRange(min=0),
    default=0,
    help="Add this many small artifacts (benchmarks).",
)
@click.option(
    "--big-files", multiple=True, type=click.Choice(["all", *SPECS]),
    help="Serve big generated files in a Benchmark workflow (repeatable).",
)  # fmt: skip
@click.option(
    "--big-scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiply the big files' sizes by this factor (0.01 makes each 1%% of its full"
    " size; pages for the PDF, pixels per side for the PNG).",
)
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where big files are generated and kept (default: the app cache).",
)  # fmt: skip
@click.option(
    "--live-runs",
    type=click.IntRange(min=0),
    default=0,
    help="Start N live runs that move through their states while served (default: none).",
)
@click.option(
    "--live-step",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Seconds between one state of a live run and the next.",
)
@click.option(
    "--live-outcome", "live_outcomes", multiple=True, type=click.Choice(OUTCOMES),
    help="How live runs end, taken in turn (repeatable; default COMPLETED, FAILED, "
    "AWAITING_USER_INPUT). DELETED: the run disappears while running.",
)  # fmt: skip
def demo_server_command(
    host: str,
    port: int,
    seed: int,
    api_key: str | None,
    url_ttl: float,
    url_style: UrlStyle,
    latency: float,
    throttle: int,
    fail_next: int,
    fail_rate: float,
    fail_status: int,
    rate_limit_next: int,
    rate_limit_every: int,
    retry_after: int,
    fault_scope: Scope,
    fault_path: str,
    drop_next: int,
    drop_after_bytes: int,
    cut_on_expiry: bool,
    storage_rejects_auth: bool,
    corrupt: tuple[str, ...],
    list_signed_url: ListUrl,
    hash_style: HashStyle,
    envelope: Envelope,
    scale_artifacts: int,
    big_files: tuple[str, ...],
    big_scale: float,
    data_dir: Path | None,
    live_runs: int,
    live_step: float,
    live_outcomes: tuple[str, ...],
) -> None:
    """Serve a seeded stand-in of the Anon V2 API (and its signed-URL storage) until Ctrl-C.

    Prints ANON_BASE_URL=... and ANON_API_KEY=... lines first, ready for `export`.
    """
    from artifact_viewer.demo.bigfiles import ensure_big_files
    from artifact_viewer.demo.runner import DemoServer

    config = ServerConfig(
        url_ttl=url_ttl,
        url_style=url_style,
        latency=latency,
        throttle_bps=throttle or None,
        fail_next=fail_next,
        fail_rate=fail_rate,
        fail_status=fail_status,
        rate_limit_next=rate_limit_next,
        rate_limit_every=rate_limit_every,
        retry_after=retry_after,
        fault_scope=fault_scope,
        fault_path=fault_path,
        drop_next_downloads=drop_next,
        drop_after_bytes=drop_after_bytes,
        cut_on_expiry=cut_on_expiry,
        storage_rejects_auth=storage_rejects_auth,
        corrupt_ids=set(corrupt),
        list_signed_url=list_signed_url,
        hash_style=hash_style,
        envelope=envelope,
        fault_seed=seed,
        live_step=live_step,
    )
    big = None
    if big_files:
        which = list(SPECS) if "all" in big_files else list(big_files)
        try:
            big = ensure_big_files(
                data_dir, which, scale=big_scale, progress=lambda text: click.echo(text, err=True)
            )
        except OSError as exc:
            where = exc.filename or data_dir or "the app cache"
            raise click.ClickException(
                f"could not prepare the big files in {where}: {exc.strerror or exc}"
            ) from None
    server = DemoServer(
        config,
        seed=seed,
        host=host,
        port=port,
        api_key=api_key,
        scale_artifacts=scale_artifacts,
        big_files=big,
        live_runs=live_runs,
        live_outcomes=live_outcomes,
    )
    # Handlers go in before anything is printed: a caller may signal as soon as it reads a line.
    stop = _StopSignal()
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(f"could not start the demo server: {exc}") from None
    try:
        click.echo(f"ANON_BASE_URL={server.base_url}")
        click.echo(f"ANON_API_KEY={server.api_key}")
        sys.stdout.flush()
        _print_summary(server)
        sys.stdout.flush()
        stop.wait(server)
    finally:
        server.stop()


def _print_summary(server: DemoServer) -> None:
    ds = server.dataset
    counts = ds.summary()
    click.echo(
        f"Serving {counts['workflows']} workflows, {counts['jobs']} jobs, {counts['job_runs']} job runs, "
        f"{counts['workflow_runs']} workflow runs, {counts['artifacts']} artifacts "
        f"(seed {server.seed}). Ctrl-C stops."
    )
    if server.live is not None:
        names = {w["id"]: w["name"] for w in ds.workflows}
        for run_id in server.live.run_ids:
            outcome, workflow_id = server.live.plan_of(run_id)
            click.echo(f"  live run {run_id}  {names[workflow_id]} -> {outcome}")
    by_workflow = {w["id"]: w for w in ds.workflows}
    for wid, arts in sorted(
        ds.artifacts_by_workflow.items(), key=lambda kv: by_workflow[kv[0]]["name"]
    ):
        wf = by_workflow[wid]
        runs = sum(1 for r in ds.workflow_runs if r["workflowId"] == wid)
        click.echo(
            f"  {wf['sourceProvider']:<11} {wf['name']:<32} {runs:>5} runs {len(arts):>7} artifacts"
        )


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(demo_server_command)
