"""A seeded, deterministic Anon world: workflows, jobs, job runs, workflow runs and artifacts."""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from artifact_viewer.demo import content, images, pdfs
from artifact_viewer.demo.artifact import DemoArtifact
from artifact_viewer.demo.bigfiles import SPECS
from artifact_viewer.demo.world import (
    JOB_RUN_PLAN,
    JOBS,
    STANDALONE_RUNS,
    STANDALONE_STATUSES,
    WORKFLOWS,
    Output,
    WorkflowSpec,
    steps_json,
)

Json = dict[str, Any]
# The world's "now": fixed so a seed always gives the same timestamps.
EPOCH_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC).timestamp()
RUNNING = ("PENDING", "IN_PROGRESS", "AWAITING_USER_INPUT")


def iso(epoch: float, fraction: bool) -> str:
    """ISO-8601 UTC with a Z, with milliseconds or without (the API shows both)."""
    whole = int(epoch)
    stamp = datetime.fromtimestamp(whole, tz=UTC)
    if fraction:
        # Milliseconds derived from the second itself: the same instant always prints the
        # same, and ordering by whole seconds stays true.
        millis = (whole * 7919) % 1000
        return stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Dataset:
    """Everything the stand-in server serves, newest first in every list."""

    seed: int
    organization_id: str = ""
    workflows: list[Json] = field(default_factory=list)
    jobs: list[Json] = field(default_factory=list)
    job_runs: list[Json] = field(default_factory=list)
    workflow_runs: list[Json] = field(default_factory=list)
    artifacts: list[DemoArtifact] = field(default_factory=list)
    by_id: dict[str, Any] = field(default_factory=dict)
    artifacts_by_run: dict[str, list[DemoArtifact]] = field(default_factory=dict)
    artifacts_by_workflow: dict[str, list[DemoArtifact]] = field(default_factory=dict)
    big_files: dict[str, str] = field(default_factory=dict)  # name -> artifact id
    kind_of: dict[str, str] = field(default_factory=dict)  # id -> "workflow", "job", ...

    def artifact(self, artifact_id: str) -> DemoArtifact:
        found = self.by_id.get(artifact_id)
        if not isinstance(found, DemoArtifact):
            raise KeyError(artifact_id)
        return found

    def summary(self) -> dict[str, int]:
        return {
            "workflows": len(self.workflows),
            "jobs": len(self.jobs),
            "job_runs": len(self.job_runs),
            "workflow_runs": len(self.workflow_runs),
            "artifacts": len(self.artifacts),
        }


class _Builder:
    """Draws ids and times from one RNG in a fixed order, so a seed fixes every value."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ds = Dataset(seed=seed)
        self.ds.organization_id = self.uid()
        self.users = [self.uid() for _ in range(3)]
        self.wf_ids: dict[str, str] = {}
        self.specs: dict[str, WorkflowSpec] = {}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self, epoch: float) -> str:
        return iso(epoch, fraction=self.rng.random() < 0.5)

    def add_workflow(self, spec: WorkflowSpec, created: float) -> str:
        wid = self.uid()
        self.wf_ids[spec.key], self.specs[wid] = wid, spec
        record = {
            "id": wid,
            "name": spec.name,
            "sourceProvider": spec.provider,
            "type": spec.type,
            "stepsJson": steps_json(spec),
            "organizationId": self.ds.organization_id,
            "createdByUserId": self.rng.choice(self.users),
            "createdAt": self.stamp(created),
            "updatedAt": self.stamp(created + self.rng.randint(0, 86_400 * 10)),
            "_ts": created,
        }
        self.ds.workflows.append(record)
        return wid

    def add_run(self, wid: str, status: str, created: float, job_run_id: str | None) -> Json:
        spec = self.specs[wid]
        states = list(spec.states)
        if status == "COMPLETED" or status == "COMPLETED_WITH_NO_ACTION_TAKEN":
            state, reached = states[-1], states
        elif status == "FAILED":
            cut = self.rng.randrange(1, len(states) + 1)
            state, reached = states[cut - 1], states[:cut]
        elif status == "IN_PROGRESS":
            cut = max(1, len(states) // 2)
            state, reached = states[cut - 1], states[:cut]
        elif status == "AWAITING_USER_INPUT":
            state, reached = "awaiting_mfa_code", states[:1] + ["awaiting_mfa_code"]
        else:
            state, reached = "waiting_for_worker", []
        finished = status not in RUNNING
        duration = self.rng.randint(40, 1800)
        run = {
            "id": self.uid(),
            "workflowId": wid,
            "status": status,
            "currentStateName": state,
            "jobRunId": job_run_id,
            "organizationId": self.ds.organization_id,
            "createdByUserId": self.rng.choice(self.users),
            "createdAt": self.stamp(created),
            "updatedAt": self.stamp(created + (duration if finished else duration // 3)),
            "completedAt": self.stamp(created + duration) if finished else None,
            "_ts": created,
        }
        self.ds.workflow_runs.append(run)
        self.add_outputs(run, spec, status, reached, created)
        return run

    def add_outputs(
        self, run: Json, spec: WorkflowSpec, status: str, reached: list[str], created: float
    ) -> None:
        if status == "PENDING":
            return
        if status == "COMPLETED":
            outputs = list(spec.outputs)
        elif status in ("FAILED", "AWAITING_USER_INPUT"):
            outputs = [o for o in spec.outputs if o.maker in ("screenshot", "log")]
        else:
            outputs = [o for o in spec.outputs if o.maker == "log"]
        for n, out in enumerate(outputs):
            seed = self.rng.getrandbits(32)
            state = reached[-1] if reached else spec.states[0]
            make = _maker(out, seed, spec, state, reached, status, created)
            filename = out.filename.format(state=state)
            self.add_artifact(run, out.type, filename, out.mime, created + 5 + n * 3, make)

    def add_artifact(
        self,
        run: Json,
        kind: str,
        filename: str,
        mime: str,
        created: float,
        make: Callable[[], bytes] | None,
        path: Path | None = None,
        hash_of_path: Callable[[Path], str] | None = None,
    ) -> DemoArtifact:
        aid = self.uid()
        art = DemoArtifact(
            id=aid,
            workflow_id=run["workflowId"],
            workflow_run_id=run["id"],
            organization_id=self.ds.organization_id,
            type=kind,
            display_name=filename,
            mime_type=mime,
            storage_path=f"{self.ds.organization_id}/{run['id']}/{aid}/{filename}",
            created_at=self.stamp(created),
            updated_at=self.stamp(created + 1),
            sort_key=created,
            make=make,
            path=path,
            hash_of_path=hash_of_path,
        )
        self.ds.artifacts.append(art)
        return art


def _maker(
    out: Output,
    seed: int,
    spec: WorkflowSpec,
    state: str,
    reached: list[str],
    status: str,
    t: float,
) -> Callable[[], bytes]:
    m = out.maker
    if m == "screenshot":
        return functools.partial(images.screenshot_png, seed, spec.provider, spec.name)
    if m == "log":
        start = datetime.fromtimestamp(t, tz=UTC)
        return functools.partial(content.run_log, seed, start, reached or [state], status)
    if m == "employees_json":
        return functools.partial(content.employees_json, seed, spec.provider)
    if m == "payroll_csv":
        return functools.partial(content.payroll_csv, seed, 2000 + seed % 3000)
    if m == "accounts_xml":
        return functools.partial(content.accounts_xml, seed)
    if m == "pdf_941":
        return functools.partial(pdfs.tax_pdf, seed, "941", 3)
    if m == "pdf_w2":
        return functools.partial(pdfs.tax_pdf, seed, "W-2", 4)
    if m == "blob":
        return functools.partial(content.blob, seed)
    raise ValueError(f"unknown artifact maker {m!r}")


def build_dataset(
    seed: int = 1,
    *,
    scale_artifacts: int = 0,
    artifacts_per_run: int = 100,
    big_files: Mapping[str, Path] | None = None,
    hash_of_path: Callable[[Path], str] | None = None,
) -> Dataset:
    """Build the world for ``seed``. ``scale_artifacts`` adds a bulk workflow with that many
    tiny artifacts; ``big_files`` (name -> path) adds a Benchmark workflow serving them."""
    b = _Builder(seed)
    t0 = EPOCH_NOW - 86_400 * 60
    for i, spec in enumerate(WORKFLOWS):
        b.add_workflow(spec, t0 + i * 3_600)
    for name, provider, keys in JOBS:
        order = [b.wf_ids[k] for k in keys]
        created = t0 + b.rng.randint(10, 20) * 3_600
        b.ds.jobs.append(
            {
                "id": b.uid(),
                "name": name,
                "sourceProvider": provider,
                "organizationId": b.ds.organization_id,
                "createdByUserId": b.rng.choice(b.users),
                "updatedByUserId": b.rng.choice(b.users),
                "jobConfigJson": {"workflowExecutionOrder": order},
                "createdAt": b.stamp(created),
                "updatedAt": b.stamp(created + 7_200) if b.rng.random() < 0.7 else None,
                "_ts": created,
            }
        )
    # Job runs and standalone runs interleave over the last ~40 days, oldest first.
    events: list[tuple[str, Any]] = [("job", p) for p in JOB_RUN_PLAN]
    events += [("solo", s) for s in STANDALONE_STATUSES]
    events += [("solo", None)] * (STANDALONE_RUNS - len(STANDALONE_STATUSES))
    b.rng.shuffle(events)
    t = EPOCH_NOW - 86_400 * 40
    for kind, what in events:
        t += b.rng.randint(3_600, 86_400)
        if kind == "job":
            _add_job_run(b, what[0], what[1], t)
        else:
            status = what or b.rng.choice(
                ("COMPLETED",) * 5 + ("FAILED", "COMPLETED_WITH_NO_ACTION_TAKEN")
            )
            wid = b.rng.choice([w["id"] for w in b.ds.workflows])
            b.add_run(wid, status, t, None)
    if scale_artifacts > 0:
        _add_scale(b, scale_artifacts, artifacts_per_run, t0)
    if big_files:
        _add_big(b, big_files, hash_of_path, t + 600)
    return _index(b.ds)


def _add_job_run(b: _Builder, job_index: int, status: str, t: float) -> None:
    job = b.ds.jobs[job_index]
    order = job["jobConfigJson"]["workflowExecutionOrder"]
    finished = status in ("COMPLETED", "FAILED")
    jr = {
        "id": b.uid(),
        "jobId": job["id"],
        "status": status,
        "jobConfigJsonSnapshot": {"workflowExecutionOrder": list(order)},
        "organizationId": b.ds.organization_id,
        "createdByUserId": b.rng.choice(b.users),
        "createdAt": b.stamp(t),
        "updatedAt": b.stamp(t + 60),
        "completedAt": None,
        "_ts": t,
    }
    b.ds.job_runs.append(jr)
    fail_at = b.rng.randrange(len(order)) if status == "FAILED" else -1
    step_t = t
    for i, wid in enumerate(order):
        if status == "COMPLETED":
            wr_status = "COMPLETED"
        elif status == "FAILED":
            if i > fail_at:
                break
            wr_status = "FAILED" if i == fail_at else "COMPLETED"
        elif status == "IN_PROGRESS":
            wr_status = ("COMPLETED", "IN_PROGRESS", "PENDING")[min(i, 2)]
        else:
            wr_status = "PENDING"
        run = b.add_run(wid, wr_status, step_t, jr["id"])
        step_t += 1_900
        if status == "PENDING":
            break
        if run["completedAt"]:
            jr["updatedAt"] = run["completedAt"]
    if finished:
        jr["completedAt"] = jr["updatedAt"]


def _add_scale(b: _Builder, count: int, per_run: int, t0: float) -> None:
    """Bulk artifacts for catalog benchmarks: cheap ids, tiny JSON made on demand."""
    spec = WorkflowSpec(
        "bulk", "Bulk export (scale test)", "rippling", "USER_DEFINED", "app.rippling.com",
        ("extracting_records",), (),
    )  # fmt: skip
    wid = b.add_workflow(spec, t0)
    runs = (count + per_run - 1) // per_run
    index = 0
    for r in range(runs):
        created = t0 + 60 + r * 600
        run = b.add_run(wid, "COMPLETED", created, None)
        for _ in range(min(per_run, count - index)):
            art = b.add_artifact(
                run, "extracted_data", f"records_{index:06d}.json", "application/json",
                created + index % per_run, None,
            )  # fmt: skip
            art.make = functools.partial(content.tiny_record, art.id, index)
            index += 1


def _add_big(
    b: _Builder, files: Mapping[str, Path], hash_of_path: Callable[[Path], str] | None, t: float
) -> None:
    spec = WorkflowSpec(
        "benchmark",
        "Benchmark",
        "benchmark",
        "USER_DEFINED",
        "localhost",
        ("serving_big_files",),
        (),
    )
    wid = b.add_workflow(spec, t)
    run = b.add_run(wid, "COMPLETED", t + 60, None)
    for i, (name, path) in enumerate(sorted(files.items())):
        big = SPECS[name]
        art = b.add_artifact(
            run,
            big.type,
            path.name,
            big.mime,
            t + 70 + i,
            None,
            path=path,
            hash_of_path=hash_of_path,
        )
        b.ds.big_files[name] = art.id


def _index(ds: Dataset) -> Dataset:
    """Sort every list newest first and build the lookups the server filters with."""

    def newest(items: list[Json]) -> list[Json]:
        return sorted(items, key=lambda r: r.get("_ts", 0.0), reverse=True)

    ds.workflows, ds.jobs, ds.job_runs = newest(ds.workflows), newest(ds.jobs), newest(ds.job_runs)
    ds.workflow_runs = newest(ds.workflow_runs)
    ds.artifacts.sort(key=lambda a: a.sort_key, reverse=True)
    groups = (
        ("workflow", ds.workflows),
        ("job", ds.jobs),
        ("job run", ds.job_runs),
        ("workflow run", ds.workflow_runs),
    )
    for kind, records in groups:
        for record in records:
            ds.by_id[record["id"]], ds.kind_of[record["id"]] = record, kind
    for art in ds.artifacts:
        ds.by_id[art.id], ds.kind_of[art.id] = art, "artifact"
        ds.artifacts_by_run.setdefault(art.workflow_run_id, []).append(art)
        ds.artifacts_by_workflow.setdefault(art.workflow_id, []).append(art)
    return ds


def public(record: Json) -> Json:
    """A record as the API shows it (private sort keys dropped)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}
