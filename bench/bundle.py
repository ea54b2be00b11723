"""P13: bundle export and import of a 1 GB run vs the floor, measured in one run.

The floor for the same bytes is one SHA-256 pass plus a plain file copy (``shutil.copyfile``,
then ``fsync`` as our writes do). Two runs are measured: one of already-compressed files
(PDF/PNG: stored in the zip) and one of CSV text (deflated, level 1). Every timed step reads
files the page cache already holds, for ours and the floor alike.

In ``make bench`` (P13) each kind's home and bundle are made once per session; every round
exports to a new file and imports into a new home. Standalone, for a quick look:

    python -m bench.bundle [--mb 1024] [--kind stored|text|both] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from artifact_viewer.core.bundle import export_runs, import_bundle
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
from artifact_viewer.core.paths import AppPaths
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import CacheEntry, CacheState
from bench.spec import Benchmark, Metrics, Row, require, throughput_at_least

MiB = 1024 * 1024
RUN_MIB = 1024
SMOKE_MIB = 4
FILE_MIB = 128  # a run of several large files, as the big demo runs are
CHUNK = 4 * MiB


def _paths(root: Path) -> AppPaths:
    return AppPaths(root / "config", root / "cache", root / "data", root / "logs")


def _open(root: Path) -> Library:
    settings = Settings(cache_quota_bytes=64 * 1024**3)
    return Library.open(_paths(root), settings, None)


def _chunks(kind: str, size: int, seed: int) -> Iterator[bytes]:
    """``size`` bytes: random (compressed-like) or varied CSV rows (compress ~4-6x)."""
    rng = random.Random(seed)
    if kind == "stored":
        done = 0
        while done < size:
            n = min(CHUNK, size - done)
            yield rng.randbytes(n)
            done += n
        return
    rows = [
        f"{i},{rng.choice(['Ann', 'Bo', 'Cy', 'Dee'])} {rng.randrange(10**6)},"
        f"{rng.randrange(10**7) / 100:.2f},{rng.choice(['OK', 'LATE', 'HOLD'])},"
        f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}\n"
        for i in range(200_000)
    ]
    block = "".join(rows).encode()  # ~8 MB, far beyond deflate's 32 KiB window
    done = 0
    while done < size:
        n = min(len(block), size - done)
        yield block[:n]
        done += n


def build_run(root: Path, kind: str, total_mib: int) -> tuple[Library, str]:
    """A home whose catalog and verified cache hold one run of ``total_mib`` MiB."""
    library = _open(root)
    run_id = f"run-{kind}"
    library.catalog.upsert_workflows([Workflow.from_json({"id": "wf", "name": "Bench"})])
    library.catalog.upsert_runs(
        [WorkflowRun.from_json({"id": run_id, "workflowId": "wf", "status": "COMPLETED"})]
    )
    ext, mime = ("pdf", "application/pdf") if kind == "stored" else ("csv", "text/csv")
    left, n = total_mib * MiB, 0
    while left > 0:
        size = min(FILE_MIB * MiB, left)
        with library.blobs.writer(None) as writer:
            for chunk in _chunks(kind, size, seed=n):
                writer.write(chunk)
            sha256, written, _ = writer.commit()
        artifact = Artifact.from_json(
            {
                "id": f"{run_id}-{n}",
                "workflowId": "wf",
                "workflowRunId": run_id,
                "displayName": f"part-{n}.{ext}",
                "mimeType": mime,
                "fileSize": written,
                "fileHash": sha256,
            }
        )
        library.catalog.upsert_artifacts([artifact])
        now = time.time()
        library.catalog.put_cache_entry(
            CacheEntry(
                artifact.id,
                CacheState.VERIFIED,
                sha256=sha256,
                size=written,
                expected=f"sha256:{sha256}",
                actual=f"sha256:{sha256}",
                fetched_at=now,
                verified_at=now,
            )
        )
        left -= size
        n += 1
    return library, run_id


def _floor(blobs: list[Path], dest: Path) -> dict[str, float]:
    dest.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    for blob in blobs:
        with blob.open("rb") as handle:
            hashlib.file_digest(handle, "sha256").hexdigest()
    hashed = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, blob in enumerate(blobs):
        target = dest / str(i)
        shutil.copyfile(blob, target)
        fd = os.open(target, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    copied = time.perf_counter() - t0
    shutil.rmtree(dest)
    return {"sha256": hashed, "copy": copied, "floor": hashed + copied}


@contextmanager
def _workdir(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as folder:
        yield Path(folder)


def measure(kind: str, total_mib: int, work: Path) -> dict[str, float]:
    library, run_id = build_run(work / f"home-{kind}", kind, total_mib)
    try:
        blobs = [p for _, p in library.blobs.all_blobs()]
        size = sum(p.stat().st_size for p in blobs)
        for blob in blobs:  # warm the page cache the same way for every step
            with blob.open("rb") as handle:
                while handle.read(CHUNK):
                    pass
        floor = _floor(blobs, work / "floor-copy")
        target = work / f"{kind}.zip"
        t0 = time.perf_counter()
        export_runs(library, [run_id], target)
        exported = time.perf_counter() - t0
    finally:
        library.close()
    fresh = _open(work / f"fresh-{kind}")
    try:
        t0 = time.perf_counter()
        report = import_bundle(fresh, target)
        imported = time.perf_counter() - t0
        assert report.new_files == len(blobs), report
    finally:
        fresh.close()
    again = _floor(blobs, work / "floor-copy")
    best = min(floor["floor"], again["floor"])
    return {
        "bytes": float(size),
        "zip_bytes": float(target.stat().st_size),
        "floor_s": best,
        "sha256_s": min(floor["sha256"], again["sha256"]),
        "copy_s": min(floor["copy"], again["copy"]),
        "export_s": exported,
        "import_s": imported,
    }


# -- the harness (make bench) -------------------------------------------------------------


def check() -> None:
    require("artifact_viewer.core.bundle", "export_runs", "import_bundle")


@contextmanager
def session(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Per kind: a home holding the run (made once, then reused) and a bundle of it."""
    check()
    mib = SMOKE_MIB if ctx.get("smoke") else RUN_MIB
    base = Path(ctx.get("work_dir") or ".") / "bundle"
    made: dict[str, Any] = {}
    for kind in ("stored", "text"):
        root = base / f"{kind}-{mib}"
        ready = root / "ready"
        if not ready.exists():
            shutil.rmtree(root, ignore_errors=True)
            library, _ = build_run(root / "home", kind, mib)
            library.close()
            ready.touch()
        bundle = root / "run.zip"
        bundle.unlink(missing_ok=True)
        library = _open(root / "home")
        try:
            export_runs(library, [f"run-{kind}"], bundle)
            blobs = [str(p) for _, p in library.blobs.all_blobs()]
        finally:
            library.close()
        made[kind] = {"home": str(root / "home"), "bundle": str(bundle), "blobs": blobs}
    yield made


def _export_role(ctx: dict[str, Any], kind: str) -> Metrics:
    info = ctx[kind]
    library = _open(Path(info["home"]))
    try:
        with tempfile.TemporaryDirectory(dir=Path(info["bundle"]).parent) as folder:
            t0 = time.perf_counter()
            export_runs(library, [f"run-{kind}"], Path(folder) / "out.zip")
            return {"export": time.perf_counter() - t0}
    finally:
        library.close()


def _import_role(ctx: dict[str, Any], kind: str) -> Metrics:
    info = ctx[kind]
    with tempfile.TemporaryDirectory(dir=Path(info["bundle"]).parent) as folder:
        library = _open(Path(folder))
        try:
            t0 = time.perf_counter()
            report = import_bundle(library, Path(info["bundle"]))
            elapsed = time.perf_counter() - t0
        finally:
            library.close()
    if report.new_files != len(info["blobs"]):
        raise RuntimeError(f"imported {report.new_files} files, expected {len(info['blobs'])}")
    return {"import": elapsed}


def _floor_role(ctx: dict[str, Any], kind: str) -> Metrics:
    info = ctx[kind]
    with tempfile.TemporaryDirectory(dir=Path(info["bundle"]).parent) as folder:
        return _floor([Path(p) for p in info["blobs"]], Path(folder) / "copy")


def export_stored(ctx: dict[str, Any]) -> Metrics:
    return _export_role(ctx, "stored")


def import_stored(ctx: dict[str, Any]) -> Metrics:
    return _import_role(ctx, "stored")


def floor_stored(ctx: dict[str, Any]) -> Metrics:
    return _floor_role(ctx, "stored")


def export_text(ctx: dict[str, Any]) -> Metrics:
    return _export_role(ctx, "text")


def import_text(ctx: dict[str, Any]) -> Metrics:
    return _import_role(ctx, "text")


def floor_text(ctx: dict[str, Any]) -> Metrics:
    return _floor_role(ctx, "text")


def _row(work: str, role: str, metric: str, floor: str) -> Row:
    return Row(
        work,
        (role, metric),
        (floor, "floor"),
        throughput_at_least(0.8),
        floor_name="sha256 + file copy (same bytes)",
    )


BENCH = Benchmark(
    id="P13",
    title="Export and import a 1 GB run as a bundle",
    roles={
        name: f"bench.bundle:{name}"
        for name in (
            "export_stored",
            "import_stored",
            "floor_stored",
            "export_text",
            "import_text",
            "floor_text",
        )
    },  # fmt: skip
    floor_roles=frozenset({"floor_stored", "floor_text"}),
    check=check,
    session=session,
    rows=[
        _row("Export 1 GB run (PDF/PNG, stored)", "export_stored", "export", "floor_stored"),
        _row("Import 1 GB run (PDF/PNG, stored)", "import_stored", "import", "floor_stored"),
        _row("Export 1 GB run (CSV, deflated)", "export_text", "export", "floor_text"),
        _row("Import 1 GB run (CSV, deflated)", "import_text", "import", "floor_text"),
    ],
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="run size in MiB (default 1024)")
    parser.add_argument("--kind", choices=("stored", "text", "both"), default="both")
    parser.add_argument("--keep", help="work folder to keep (default: a temp folder)")
    args = parser.parse_args()
    kinds = ("stored", "text") if args.kind == "both" else (args.kind,)
    print(f"{'run':8} {'size':>9} {'zip':>9} {'floor':>7} {'export':>7} {'ratio':>6}"
          f" {'import':>7} {'ratio':>6}")  # fmt: skip
    with _workdir(args.keep) as work:
        for kind in kinds:
            m = measure(kind, args.mb, work)
            mb = m["bytes"] / MiB
            print(
                f"{kind:8} {mb:8.0f}M {m['zip_bytes'] / MiB:8.0f}M {m['floor_s']:6.2f}s"
                f" {m['export_s']:6.2f}s {m['floor_s'] / m['export_s']:5.2f}x"
                f" {m['import_s']:6.2f}s {m['floor_s'] / m['import_s']:5.2f}x"
                f"   (floor: sha256 {m['sha256_s']:.2f}s + copy {m['copy_s']:.2f}s;"
                f" ratio = floor time / our time, target >= 0.8x)"
            )


if __name__ == "__main__":
    main()
