"""Subprocess side of the harness: run one role once and print its metrics as one JSON line.

``python -m bench.worker module:function '<context json>'``. The last stdout line starting
with ``BENCH-RESULT`` carries ``{"metrics": {...}}``, ``{"missing": why}`` or ``{"error": why}``.
Running every measurement in a fresh process keeps peak memory clean and runs independent.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import traceback
from typing import Any

from bench.spec import FeatureMissing

MARKER = "BENCH-RESULT "


def peak_rss_self() -> float:
    """Peak resident set size of this process in bytes.

    ``VmHWM`` first: Linux carries ``ru_maxrss`` across exec from the (v)forked parent, so a
    worker spawned by a big harness would report the harness's size instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return float(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def peak_rss_children() -> float:
    """Largest peak RSS among waited-for child processes, in bytes."""
    return float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)


def run(target: str, ctx: dict[str, Any]) -> dict[str, Any]:
    module_name, _, func_name = target.partition(":")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        metrics = dict(func(ctx))
    except FeatureMissing as exc:
        return {"missing": str(exc), "what": exc.what}
    except Exception as exc:
        tail = traceback.format_exc(limit=6)
        return {"error": f"{type(exc).__name__}: {exc}", "trace": tail}
    metrics.setdefault("peak_rss", peak_rss_self())
    return {"metrics": metrics}


def main(argv: list[str]) -> int:
    target, ctx_text = argv[1], argv[2]
    result = run(target, json.loads(ctx_text))
    # Redact late and broadly: errors may quote URLs handed out by the stand-in server.
    try:
        from artifact_viewer.core.redact import redact
    except Exception:  # the harness must still report when the app cannot import

        def redact(text: str) -> str:
            return text

    for key in ("error", "trace", "missing"):
        if key in result:
            result[key] = redact(result[key])
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
