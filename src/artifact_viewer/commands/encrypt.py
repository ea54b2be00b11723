"""CLI: `cache encrypt on|off` converts the cached files, with progress, resumably."""

from __future__ import annotations

import click

from artifact_viewer.commands.common import human_size
from artifact_viewer.core.cancel import CancelToken

EXIT_FAILURE = 1


@click.command("encrypt", short_help="Store cached files encrypted (on) or plain (off).")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.pass_context
def cache_encrypt(ctx: click.Context, state: str) -> None:
    """Encrypt the cached files at rest (AES-256-GCM, key in the system keyring), or turn
    it off again. Existing files are converted now; if interrupted, run it again to finish
    (every file stays readable meanwhile). While it is on, derived data such as the content
    search index is kept in memory only. Exits 1 if some files were in use and still need
    converting."""
    from artifact_viewer.commands.common import open_library, progress_bar

    library = open_library(ctx, offline=True)
    encrypt = state == "on"
    token = CancelToken()
    with progress_bar("Encrypting" if encrypt else "Decrypting") as progress:
        try:
            report = library.convert_encryption(
                encrypt=encrypt,
                progress=progress,
                cancel=token,
            )
        except KeyboardInterrupt:
            token.cancel()
            raise
    verb = "encrypted" if encrypt else "decrypted"
    click.echo(
        f"Cache encryption is {state}: {report.converted} file(s) {verb}"
        f" ({human_size(report.bytes)}), {report.already} already {verb if encrypt else 'plain'}."
    )
    for sha256 in report.damaged:
        click.echo(f"  removed damaged file {sha256[:12]}…: downloaded again when opened", err=True)
    if report.busy:
        click.echo(
            f"{len(report.busy)} file(s) are in use by a download; run"
            f" `artifact-viewer cache encrypt {state}` again to finish.",
            err=True,
        )
        ctx.exit(EXIT_FAILURE)
