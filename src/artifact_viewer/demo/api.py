"""Route handlers of the stand-in Anon V2 API: list/get of workflows, jobs, runs and artifacts."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from artifact_viewer.core.models import JOB_RUN_STATUSES, WORKFLOW_RUN_STATUSES
from artifact_viewer.demo.artifact import DemoArtifact
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.dataset import Dataset, public
from artifact_viewer.demo.listing import BadQuery, page_of
from artifact_viewer.demo.signing import Signer


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _state(request: Request) -> tuple[Dataset, ServerConfig, Signer]:
    s = request.app.state
    return s.dataset, s.config, s.signer


def check_auth(request: Request) -> Response | None:
    """401 unless the request carries ``Authorization: Bearer <our key>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error(401, "unauthorized", "Missing bearer token in the Authorization header.")
    expected: str = request.app.state.api_key
    token = token.strip()
    if not token.startswith("anon_") or not hmac.compare_digest(token, expected):
        return error(401, "unauthorized", "Invalid or revoked API key.")
    return None


def _uuid_or_none(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _bad_id(name: str, value: str) -> Response:
    return error(400, "bad_request", f"{name} must be a UUID, got {value[:60]!r}")


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def sign_artifact(request: Request, art: DemoArtifact) -> str:
    _ds, config, signer = _state(request)
    origin = _origin(request)
    return signer.sign(origin, art.storage_path, config.url_ttl, config.now(), config.url_style)


def _listing(
    request: Request,
    items: Sequence[Any],
    render: Callable[[Any], Any],
) -> Response:
    _ds, config, _signer = _state(request)
    try:
        body = page_of(items, request.query_params, render, config.envelope, config.max_page_size)
    except BadQuery as exc:
        return error(400, "bad_request", str(exc))
    return JSONResponse(body)


def _filters(
    request: Request, names: Sequence[str], statuses: Sequence[str] = ()
) -> Response | dict[str, str]:
    """Validated filter values (ids must be UUIDs, status must be known) or a 400."""
    found: dict[str, str] = {}
    for name in names:
        value = request.query_params.get(name)
        if value:
            if not _uuid_or_none(value):
                return _bad_id(name, value)
            found[name] = str(uuid.UUID(value))
    status = request.query_params.get("status")
    if statuses and status:
        if status not in statuses:
            return error(400, "bad_request", f"status must be one of {', '.join(statuses)}")
        found["status"] = status
    return found


def _get(request: Request, group: str, render: Callable[[Any], Any] = public) -> Response:
    ds, _config, _signer = _state(request)
    raw = request.path_params["id"]
    if not _uuid_or_none(raw):
        return _bad_id("id", raw)
    key = str(uuid.UUID(raw))
    record = ds.by_id.get(key)
    if record is None or ds.kind_of.get(key) != group:
        return error(404, "not_found", f"No {group} with id {raw}.")
    return JSONResponse(render(record))


async def list_workflows(request: Request) -> Response:
    ds, *_ = _state(request)
    items = ds.workflows
    provider = request.query_params.get("sourceProvider")
    if provider:
        items = [w for w in items if w["sourceProvider"] == provider]
    return _listing(request, items, public)


async def get_workflow(request: Request) -> Response:
    return _get(request, "workflow")


async def list_jobs(request: Request) -> Response:
    ds, *_ = _state(request)
    return _listing(request, ds.jobs, public)


async def get_job(request: Request) -> Response:
    return _get(request, "job")


def _filtered_runs(
    request: Request, runs: Sequence[dict[str, Any]], keys: list[str], statuses: Sequence[str]
) -> Response:
    """A run listing narrowed by exact-match filters (and a checked ``status``)."""
    wanted = _filters(request, keys, statuses)
    if isinstance(wanted, Response):
        return wanted
    items = [r for r in runs if all(r.get(k) == v for k, v in wanted.items())]
    return _listing(request, items, public)


async def list_job_runs(request: Request) -> Response:
    ds, *_ = _state(request)
    return _filtered_runs(request, ds.job_runs, ["jobId"], JOB_RUN_STATUSES)


async def get_job_run(request: Request) -> Response:
    return _get(request, "job run")


async def list_workflow_runs(request: Request) -> Response:
    ds, *_ = _state(request)
    keys = ["workflowId", "jobRunId"]
    return _filtered_runs(request, ds.workflow_runs, keys, WORKFLOW_RUN_STATUSES)


async def get_workflow_run(request: Request) -> Response:
    return _get(request, "workflow run")


async def list_artifacts(request: Request) -> Response:
    ds, config, _signer = _state(request)
    wanted = _filters(request, ["workflowId", "workflowRunId"])
    if isinstance(wanted, Response):
        return wanted
    items: Sequence[DemoArtifact] = ds.artifacts
    if "workflowRunId" in wanted:
        items = ds.artifacts_by_run.get(wanted["workflowRunId"], [])
    if "workflowId" in wanted:
        items = [a for a in items if a.workflow_id == wanted["workflowId"]]
    kind = request.query_params.get("type")
    if kind:
        items = [a for a in items if a.type == kind]
    mode = config.list_signed_url

    def render(art: DemoArtifact) -> dict[str, Any]:
        url = sign_artifact(request, art) if mode == "present" else None
        return art.to_json(url, mode, config.hash_style)

    return _listing(request, items, render)


async def get_artifact(request: Request) -> Response:
    # A single artifact always carries a fresh URL, whatever the list knob says.
    style = request.app.state.config.hash_style
    return _get(
        request, "artifact", lambda art: art.to_json(sign_artifact(request, art), "present", style)
    )


ROUTES = [
    Route("/workflows", list_workflows),
    Route("/workflows/{id}", get_workflow),
    Route("/jobs", list_jobs),
    Route("/jobs/{id}", get_job),
    Route("/job-runs", list_job_runs),
    Route("/job-runs/{id}", get_job_run),
    Route("/workflow-runs", list_workflow_runs),
    Route("/workflow-runs/{id}", get_workflow_run),
    Route("/artifacts", list_artifacts),
    Route("/artifacts/{id}", get_artifact),
]
