"""Parent side of the harness: run each role in its own subprocess, interleaved, and collect."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.spec import Benchmark, FeatureMissing
from bench.worker import MARKER

REPO = Path(__file__).resolve().parent.parent
PYCACHE = REPO / "bench" / ".data" / "pycache"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def worker_env(home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["ARTIFACT_VIEWER_HOME"] = home
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    # Keep keys and logs of the user's real setup out of measurements.
    env.pop("ANON_API_KEY", None)
    env.pop("ANON_BASE_URL", None)
    # An installed app starts from compiled bytecode: without it every run would compile
    # the app's sources again (~0.4 s) and time a start no user sees. The bytecode goes to a
    # folder of the harness's own, never beside the sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the process group led by ``proc`` (started with ``start_new_session``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_role(target: str, ctx: dict[str, Any], timeout_s: float, role: str = "") -> dict[str, Any]:
    """Run one role once in a fresh interpreter; returns metrics, missing or error.

    The app home is ``ctx["homes"][role]``, else ``ctx["home"]`` (prepared by a session),
    else an empty folder made for this run alone.
    """
    with tempfile.TemporaryDirectory(prefix="bench-home-") as fresh:
        home = str(ctx.get("homes", {}).get(role) or ctx.get("home") or fresh)
        cmd = [sys.executable, "-m", "bench.worker", target, json.dumps(ctx)]
        started = time.perf_counter()
        # Its own process group, so a worker that hangs goes together with what it spawned.
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=worker_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        stdout: str | None = None
        stderr = ""
        try:
            stdout, stderr = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pass
        finally:
            kill_group(proc)  # a hung worker, or anything a finished one left behind
            if proc.returncode is None:
                proc.communicate()
        if stdout is None:
            return {"error": f"timed out after {timeout_s:.0f} s"}
        wall = time.perf_counter() - started
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            result: dict[str, Any] = json.loads(line[len(MARKER) :])
            result["wall_s"] = wall
            return result
    tail = (stderr or stdout).strip().splitlines()[-5:]
    return {"error": f"worker exited {proc.returncode} without a result: {' | '.join(tail)}"}


def run_benchmark(
    bench: Benchmark,
    base_ctx: dict[str, Any],
    data_paths: dict[str, str] | None,
    data_missing: str | None,
    repeat: int,
    warmup: int,
) -> dict[str, Any]:
    """Warm-up then ``repeat`` measured rounds; every round runs all roles, order alternating."""
    out: dict[str, Any] = {"id": bench.id, "title": bench.title, "runs": {}, "status": {}}
    roles = list(bench.roles)
    feature_missing: str | None = None
    if bench.check is not None:
        try:
            bench.check()
        except FeatureMissing as exc:
            feature_missing = str(exc)
    for role in roles:
        out["runs"][role] = []
        if data_missing:
            out["status"][role] = f"not measured (data missing: {data_missing})"
        elif feature_missing and role not in bench.floor_roles:
            out["status"][role] = f"not measured (feature missing: {feature_missing})"
    active = [r for r in roles if r not in out["status"]]
    if not active:
        return out
    ctx = dict(base_ctx)
    ctx["data"] = data_paths or {}
    try:
        with bench.session(ctx) as extra:
            ctx.update(extra)
            for round_no in range(warmup + repeat):
                order = active if round_no % 2 == 0 else list(reversed(active))
                for role in order:
                    if role in out["status"] or _skip(bench, role, round_no, warmup):
                        continue
                    measured = round_no >= warmup or role in bench.max_rounds
                    label = f"run {len(out['runs'][role]) + 1}" if measured else "warm-up"
                    result = run_role(bench.roles[role], ctx, bench.timeout_s, role)
                    log(f"  {bench.id} {role:<14} {label}: {_summary(result)}")
                    if "missing" in result:
                        what = result.get("what", "feature")
                        out["status"][role] = f"not measured ({what} missing: {result['missing']})"
                    elif "error" in result:
                        out["status"][role] = f"failed: {result['error']}"
                        out["runs"][role].append(result)
                    elif measured:
                        out["runs"][role].append(result)
    except FeatureMissing as exc:
        for role in active:
            out["status"].setdefault(role, f"not measured (feature missing: {exc})")
    except Exception as exc:  # a broken session must not sink the other benchmarks
        for role in active:
            out["status"].setdefault(role, f"failed: {type(exc).__name__}: {redact(str(exc))}")
    return out


def _skip(bench: Benchmark, role: str, round_no: int, warmup: int) -> bool:
    """Capped roles run in the first rounds only (no warm-up) and then sit out."""
    cap = bench.max_rounds.get(role)
    return cap is not None and round_no >= cap


def redact(text: str) -> str:
    try:
        from artifact_viewer.core.redact import redact as scrub
    except Exception:
        return text
    return scrub(text)


def _summary(result: dict[str, Any]) -> str:
    if "metrics" in result:
        parts = [f"{k}={v:.4g}" for k, v in result["metrics"].items() if k != "peak_rss"]
        return ", ".join(parts) or "ok"
    return str(result.get("missing") or result.get("error"))[:200]
