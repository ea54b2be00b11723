"""CLI: `diff A B` compares two files, two artifacts or two runs (exit status as diff(1))."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from artifact_viewer.commands.common import format_table, open_library, progress_bar
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare import (
    BinaryDiff,
    CompareError,
    CompareOptions,
    CompareUsageError,
    Diff,
    ImageDiff,
    JsonDiff,
    PdfDiff,
    RunDiff,
    RunItem,
    TableDiff,
    TextDiff,
    check_before_fetch,
    compare_files,
    compare_runs,
)
from artifact_viewer.core.compare.jsondiff import dumps as json_dumps
from artifact_viewer.core.compare.text import Hunk
from artifact_viewer.core.errors import (
    ArtifactViewerError,
    BadRequest,
    NotAvailableOffline,
    NotFound,
    OfflineError,
)
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.store_models import ArtifactQuery

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_TROUBLE = 2  # as diff(1): a usage error, or the files could not be compared
_SHOWN_VALUE = 120  # characters of a JSON value shown in text output


@dataclass(slots=True)
class Side:
    """What one argument named: a local file, an artifact, or a run."""

    label: str  # "A" or "B"
    arg: str
    path: Path | None = None
    artifact: Artifact | None = None
    run_id: str | None = None

    @property
    def name(self) -> str:
        if self.artifact is not None:
            return self.artifact.name
        return self.path.name if self.path is not None else self.arg


@contextlib.contextmanager
def _about(label: str, what: str | None = None) -> Iterator[None]:
    """Errors raised while handling one side name that side first."""
    try:
        yield
    except ArtifactViewerError as exc:
        prefix = f"{label} ({what})" if what else label
        exc.message = f"{prefix}: {exc.message}"
        raise


def _looks_like_path(arg: str) -> bool:
    return any(sep in arg for sep in ("/", "\\")) or bool(Path(arg).suffix) or arg.startswith("~")


def resolve_side(ctx: click.Context, label: str, arg: str, *, offline: bool) -> Side:
    """A local file if ``arg`` names one; else an artifact or run id (catalog, then the API)."""
    path = Path(arg).expanduser()
    if path.exists():
        if not path.is_file():
            raise click.UsageError(f"{label}: {arg} is not a file.")
        return Side(label, arg, path=path)
    if _looks_like_path(arg) and not _is_id_like(arg):
        raise NotFound(f"{label}: no such file: {arg}", hint="")
    library = open_library(ctx, offline=offline)
    artifact = library.artifact(arg)
    if artifact is not None:
        return Side(label, arg, artifact=artifact)
    if library.run(arg) is not None:
        return Side(label, arg, run_id=arg)
    if offline or library.client is None:
        raise NotAvailableOffline(
            f"{label}: {arg} is not a file here, and no artifact or run with that id is in"
            " the local catalog.",
            hint="Run without --offline, or sync first.",
        )
    with _about(label):
        try:
            library.refresh_run(arg)
            return Side(label, arg, run_id=arg)
        except (NotFound, BadRequest):
            pass
        except OfflineError as exc:
            raise NotAvailableOffline(
                f"{arg} is not in the local catalog and the API cannot be reached"
                f" ({exc.message.rstrip('.')}).",
                hint="Connect to the network, or sync while online first.",
            ) from None
        try:
            client = library.client
            fresh = client.get_artifact(arg)
        except (NotFound, BadRequest):
            raise NotFound(f"{arg} is not a file, an artifact id or a run id.", hint="") from None
        library.catalog.upsert_artifacts([fresh.without_url()])
    return Side(label, arg, artifact=library.artifact(arg) or fresh.without_url())


def _is_id_like(arg: str) -> bool:
    return len(arg) >= 16 and all(c.isalnum() or c in "-_" for c in arg)


@contextlib.contextmanager
def _work_bar(label: str, *, quiet: bool) -> Iterator[ProgressFn]:
    """A transient bar on stderr for work measured in steps (not bytes)."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _library(ctx: click.Context, offline: bool) -> Library:
    return open_library(ctx, offline=offline)


def _local_file(ctx: click.Context, side: Side, offline: bool, token: CancelToken) -> Path:
    if side.path is not None:
        return side.path
    assert side.artifact is not None
    library = _library(ctx, offline)
    with _about(side.label, side.artifact.name), progress_bar(side.artifact.name) as progress:
        return library.fetch(side.artifact.id, progress=progress, cancel=token)


def _label(side: Side) -> tuple[str | None, str | None, int | None]:
    """(name, MIME label, size) of a side, as known before anything is downloaded."""
    if side.path is not None:
        return side.path.name, None, side.path.stat().st_size
    assert side.artifact is not None
    return side.artifact.name, side.artifact.mime_type, side.artifact.file_size


def _run_items(ctx: click.Context, side: Side, offline: bool) -> list[RunItem]:
    library = _library(ctx, offline)
    assert side.run_id is not None
    if not offline and library.client is not None:
        with contextlib.suppress(OfflineError), _about(side.label):
            library.refresh_artifacts(run_id=side.run_id)
    artifacts = library.artifacts(ArtifactQuery(run_id=side.run_id, descending=False))
    return [
        RunItem(a.id, a.name, a.type, a.mime_type, a.file_hash)
        for a in artifacts
        if a.workflow_run_id == side.run_id
    ]


def register(group: click.Group) -> None:
    """Add this module's command to the top-level group."""
    group.add_command(diff_command)


@click.command(
    "diff",
    short_help="Compare two files, two artifacts or two runs.",
    epilog=(
        "\b\nExit status (as diff(1)): 0 identical, 1 different, 2 usage error or the files"
        " could not be compared; 3 API key or settings, 4 network, 5 not found or not"
        " available offline, 130 interrupted."
    ),
)
@click.argument("a")
@click.argument("b")
@click.option("--key", metavar="COLUMN", help="Match table rows by this column.")
@click.option(
    "--mask-volatile",
    is_flag=True,
    help="Text and logs: timestamps, UUIDs and durations compare equal.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Tables: numbers closer than this compare equal.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--offline", is_flag=True, help="Use only the local catalog and cache.")
@click.pass_context
def diff_command(
    ctx: click.Context,
    a: str,
    b: str,
    key: str | None,
    mask_volatile: bool,
    tolerance: float,
    as_json: bool,
    offline: bool,
) -> None:
    """Compare A with B. Each is a local file, an artifact id or a run id (two runs: their
    artifacts are paired by type and name and each pair compared).

    Tables (CSV/TSV) are matched by a key column (--key, else detected), JSON structurally,
    text and logs line by line, images pixel by pixel, PDFs by page text; anything else (or
    two files of different kinds) by bytes.
    """
    options = CompareOptions(key=key, mask_volatile=mask_volatile, tolerance=tolerance)
    side_a = resolve_side(ctx, "A", a, offline=offline)
    side_b = resolve_side(ctx, "B", b, offline=offline)
    if (side_a.run_id is None) != (side_b.run_id is None):
        raise click.UsageError("A run can only be compared with another run.")
    token = CancelToken()
    try:
        if side_a.run_id is not None and side_b.run_id is not None:
            result: Diff = _compare_runs(ctx, side_a, side_b, options, offline, token, as_json)
        else:
            check_before_fetch(_label(side_a), _label(side_b), options)
            path_a = _local_file(ctx, side_a, offline, token)
            path_b = _local_file(ctx, side_b, offline, token)
            with _work_bar("Comparing", quiet=as_json) as progress:
                result = compare_files(
                    path_a,
                    path_b,
                    options,
                    progress=progress,
                    cancel=token,
                    mime_a=side_a.artifact.mime_type if side_a.artifact else None,
                    mime_b=side_b.artifact.mime_type if side_b.artifact else None,
                    name_a=side_a.name,
                    name_b=side_b.name,
                )
    except KeyboardInterrupt:
        token.cancel()
        raise
    except CompareUsageError as exc:
        raise click.UsageError(exc.message) from None
    except CompareError as exc:
        click.echo(f"Error: {exc.user_message()}", err=True)
        ctx.exit(EXIT_TROUBLE)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        click.echo(f"Error: cannot read {exc.filename or 'a file'}: {reason}.", err=True)
        ctx.exit(EXIT_TROUBLE)
    if as_json:
        # numbers as the files write them, every member of an object that repeats a key
        click.echo(json_dumps(result.to_json(), option=orjson.OPT_NON_STR_KEYS))
    else:
        for note in result.notes:
            click.echo(f"Note: {note}", err=True)
        _print(result, side_a, side_b)
    ctx.exit(EXIT_SAME if result.identical else EXIT_DIFFERENT)


def _compare_runs(
    ctx: click.Context,
    side_a: Side,
    side_b: Side,
    options: CompareOptions,
    offline: bool,
    token: CancelToken,
    quiet: bool,
) -> RunDiff:
    items_a = _run_items(ctx, side_a, offline)
    items_b = _run_items(ctx, side_b, offline)
    library = _library(ctx, offline)

    def fetch(item: RunItem, cancel: CancelToken | None) -> Path:
        return library.fetch(item.id, cancel=cancel)

    with _work_bar("Comparing runs", quiet=quiet) as progress:
        return compare_runs(
            items_a,
            items_b,
            fetch,
            options,
            run_a=side_a.run_id,
            run_b=side_b.run_id,
            progress=progress,
            cancel=token,
        )


# -- text output ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """One line for the terminal: control characters (from files or names) made visible."""
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json_dumps(value)
    text = _clean(text)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def _print(result: Diff, side_a: Side, side_b: Side) -> None:
    echo = click.echo
    if isinstance(result, RunDiff):
        _print_runs(result)
        return
    head = f"{_clean(side_a.name)} -> {_clean(side_b.name)}: {result.kind}"
    echo(f"{head}: {result.one_line()}")
    if isinstance(result, TableDiff):
        _print_table(result)
    elif isinstance(result, JsonDiff):
        for change in result.changes():
            path = _clean(change["path"])
            if change.get("occurrence"):
                path += f" (occurrence {change['occurrence']})"
            if change["op"] == "add":
                echo(f"+ {path}: {_value(change['new'])}")
            elif change["op"] == "remove":
                echo(f"- {path}: {_value(change['old'])}")
            else:
                same = "  (same value, written differently)" if change.get("sameValue") else ""
                echo(f"~ {path}: {_value(change['old'])} -> {_value(change['new'])}{same}")
    elif isinstance(result, TextDiff):
        if result.hunks:
            echo(f"--- {_clean(side_a.name)}")
            echo(f"+++ {_clean(side_b.name)}")
        _print_hunks(result.hunks)
    elif isinstance(result, PdfDiff):
        for page in result.pages:
            echo(
                f"Page {page.page} ({'only in B' if page.op == 'add' else 'only in A' if page.op == 'remove' else 'changed'}):"
            )
            _print_hunks(page.text.hunks)
    elif isinstance(result, ImageDiff):
        echo(
            f"Size: {result.size_a[0]}x{result.size_a[1]} -> {result.size_b[0]}x{result.size_b[1]}"
        )
        echo(f"Pixels changed: {result.pixels_changed:,} ({result.fraction:.2%})")
        for x, y, w, h in result.boxes:
            echo(f"  region at {x},{y} size {w}x{h}")
    elif isinstance(result, BinaryDiff):
        echo(f"Size: {result.size_a:,} -> {result.size_b:,} bytes")
        echo(f"SHA-256 A: {result.sha256_a}")
        echo(f"SHA-256 B: {result.sha256_b}")
        if result.first_difference is not None:
            echo(f"First difference at byte {result.first_difference:,}:")
            echo(f"  A {result.hex_offset:>10,}: {result.hex_a}")
            echo(f"  B {result.hex_offset:>10,}: {result.hex_b}")


def _print_hunks(hunks: list[Hunk]) -> None:
    for hunk in hunks:
        click.echo(hunk.header())
        for line in hunk.lines:
            click.echo(line[0] + _clean(line[1:]))


def _print_table(result: TableDiff) -> None:
    echo = click.echo
    echo(
        f"Rows: {result.rows_a:,} -> {result.rows_b:,}; key: {result.key or 'none (rows matched by content)'}"
    )
    for old, new in result.columns_renamed.items():
        echo(f"Column renamed: {_clean(old)} -> {_clean(new)}")
    for name in result.columns_removed:
        echo(f"Column removed: {_clean(name)}")
    for name in result.columns_added:
        echo(f"Column added: {_clean(name)}")
    deltas = [f"{_clean(k)} {v:+,}" for k, v in result.sum_deltas.items() if v]
    if deltas:
        echo(f"Sum changes: {', '.join(deltas)}")
    label = "key" if result.key else "row"
    for change in result.changes():
        where = f"{label} {_clean(str(change['key']))}"
        cells = change["cells"]
        if change["op"] == "change":
            parts = [f"{_clean(c)}: {_value(o)} -> {_value(n)}" for c, (o, n) in cells.items()]
            echo(f"~ {where}: {'; '.join(parts)}")
        else:
            index = 1 if change["op"] == "add" else 0
            sign = "+" if change["op"] == "add" else "-"
            values = ", ".join(f"{_clean(c)}={_value(v[index])}" for c, v in cells.items())
            echo(f"{sign} {where}: {values}")


def _print_runs(result: RunDiff) -> None:
    c = result.counts()
    click.echo(
        f"Runs {result.run_a} -> {result.run_b}: {c['identical']} identical,"
        f" {c['changed']} changed, {c['onlyA']} only in A, {c['onlyB']} only in B"
    )
    status = {"identical": "same", "changed": "changed", "onlyA": "only A", "onlyB": "only B"}
    rows = [(status[p.status], p.name, p.one_line()) for p in result.pairs]
    click.echo(format_table(("STATUS", "NAME", "SUMMARY"), rows))
