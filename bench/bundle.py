"""Bundle export and import of a ~1 GB run vs the floor, measured in one run.

The floor for the same bytes is one SHA-256 pass plus a plain file copy (``shutil.copyfile``,
then ``fsync`` as our writes do). Two runs are measured: one of already-compressed files
(PDF/PNG: stored in the zip) and one of CSV text (deflated, level 1). Every timed step reads
files the page cache already holds, for ours and the floor alike.

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

from artifact_viewer.core.bundle import export_runs, import_bundle
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
from artifact_viewer.core.paths import AppPaths
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import CacheEntry, CacheState

MiB = 1024 * 1024
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
