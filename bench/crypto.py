"""Encrypted cache vs plain, in one run: download (P8's path) and verify (P9's path).

``python -m bench.crypto [--size-mb 256] [--repeat 3]``. The stand-in server runs in this
process and serves one generated file; every measurement runs in a fresh worker process
(bench.harness.run_role), the two modes interleaved, each download into an empty home.

- download: ``Fetcher.fetch`` (stream, hash, and with encryption on, encrypt, then commit);
- open: the first ``Library.cached_path`` after it (with encryption on, decrypting the file
  into an anonymous memory file, which is what a view that memory-maps gets);
- verify: ``Library.verify`` of the cached file (with encryption on, decrypt + hash).

Prints medians and the ratio of throughputs (encrypted / plain; >= 0.8 is the goal).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import served
from bench.harness import log, run_role

MB = 1024 * 1024
MODES = ("plain", "encrypted")


def _set_mode(library: Any, encrypt: bool) -> None:
    from artifact_viewer.core.crypto.convert import convert_cache

    convert_cache(library.catalog, library.blobs, encrypt=encrypt)


def download(ctx: dict[str, Any]) -> dict[str, float]:
    with served.open_library(ctx) as library:
        _set_mode(library, ctx["encrypt"])
        artifact = library.client.get_artifact(ctx["artifact_id"])
        library.catalog.upsert_artifacts([artifact.without_url()])
        t0 = time.perf_counter()
        library.fetcher.fetch(artifact)
        fetched = time.perf_counter() - t0
        t0 = time.perf_counter()
        path = library.cached_path(ctx["artifact_id"])
        opened = time.perf_counter() - t0
        assert path is not None and path.stat().st_size == ctx["size"]
    return {"download": fetched, "open": opened}


def verify(ctx: dict[str, Any]) -> dict[str, float]:
    with served.open_library(ctx, online=False) as library:
        t0 = time.perf_counter()
        state = library.verify(ctx["artifact_id"])
        elapsed = time.perf_counter() - t0
    if state.value != "verified":
        raise RuntimeError(f"verify said {state.value}")
    return {"verify": elapsed}


@contextlib.contextmanager
def session(size: int, folder: Path) -> Iterator[dict[str, Any]]:
    data = folder / "payload.csv"
    with data.open("wb") as out:
        block = os.urandom(MB)
        for _ in range(size // MB):
            out.write(block)
    with served.demo_server(big_files={"csv_1g": data}) as server:
        yield {
            "base_url": server.base_url,
            "api_key": server.api_key,
            "artifact_id": server.dataset.big_files["csv_1g"],
            "size": data.stat().st_size,
        }


def cached_home(ctx: dict[str, Any], home: str, encrypt: bool) -> None:
    with served.app_home(home), served.open_library(ctx) as library:
        _set_mode(library, encrypt)
        library.fetch(ctx["artifact_id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crypto", description=__doc__)
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
    with tempfile.TemporaryDirectory(prefix="bench-crypto-") as scratch:
        folder = Path(scratch)
        os.environ["PYTHON_KEYRING_BACKEND"] = "bench.filekeyring.FileKeyring"
        os.environ["BENCH_KEYRING_FILE"] = str(folder / "keyring.json")
        with session(args.size_mb * MB, folder) as ctx:
            homes = {m: str(folder / f"home-{m}") for m in MODES}
            for mode in MODES:
                cached_home(ctx, homes[mode], mode == "encrypted")
            for round_no in range(args.repeat + 1):  # round 0 warms up
                order = MODES if round_no % 2 == 0 else tuple(reversed(MODES))
                for mode in order:
                    for target, extra in (
                        ("bench.crypto:download", {}),
                        ("bench.crypto:verify", {"home": homes[mode]}),
                    ):
                        run_ctx = {**ctx, **extra, "encrypt": mode == "encrypted"}
                        result = run_role(target, run_ctx, 600)
                        if "error" in result:
                            raise SystemExit(f"{target} ({mode}) failed: {result['error']}")
                        log(f"  {mode:9} {target.split(':')[1]:8} {result['metrics']}")
                        if round_no:
                            for key, value in result["metrics"].items():
                                if key != "peak_rss":
                                    results[mode].setdefault(key, []).append(value)
    size = args.size_mb * MB
    print(f"Encrypted cache vs plain: {args.size_mb} MiB file, median of {args.repeat}")
    print("| step | plain | encrypted | encrypted / plain throughput |")
    print("| --- | ---: | ---: | ---: |")
    for key in ("download", "verify", "open"):
        plain = statistics.median(results["plain"][key])
        enc = statistics.median(results["encrypted"][key])
        ratio = plain / enc if enc else float("inf")
        rate = f"{size / plain / MB:.0f} MiB/s" if key != "open" else f"{plain * 1000:.0f} ms"
        rate_enc = f"{size / enc / MB:.0f} MiB/s" if key != "open" else f"{enc * 1000:.0f} ms"
        print(f"| {key} | {rate} | {rate_enc} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
