"""A tolerant client for the Anon V2 REST API: typed models, every page, clear errors, retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import orjson

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import (
    ApiError,
    AuthError,
    BadRequest,
    ConfigError,
    ConnectFailed,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
)
from artifact_viewer.core.models import Artifact, Job, JobRun, Resource, Workflow, WorkflowRun
from artifact_viewer.core.paging import iter_items
from artifact_viewer.core.redact import redact, register_secret
from artifact_viewer.core.retry import RetryPolicy, parse_retry_after
from artifact_viewer.core.settings import DEFAULT_BASE_URL, normalize_base_url

log = logging.getLogger("artifact_viewer.api")

R = TypeVar("R", bound=Resource)

_DETAIL_KEYS = ("message", "error", "detail", "error_description", "errors", "title", "reason")
_MAX_DETAIL = 200


def _detail_from(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in _DETAIL_KEYS:
            found = _detail_from(value.get(key))
            if found:
                return found
        return None
    if isinstance(value, list) and value:
        parts = [d for d in (_detail_from(v) for v in value[:3]) if d]
        return "; ".join(parts) or None
    return None


def error_detail(response: httpx.Response) -> str | None:
    """Any human text in an error body: ``message``/``error``/... of JSON, else a plain-text line."""
    try:
        raw = response.content
    except httpx.ResponseNotRead:
        return None
    if not raw:
        return None
    detail: str | None = None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        text = raw[:2000].decode("utf-8", errors="replace").strip()
        if text and not text.lstrip().startswith("<"):  # HTML/XML pages say nothing useful
            detail = text.splitlines()[0]
    else:
        detail = _detail_from(body) if isinstance(body, dict | list) else _detail_from(str(body))
    if not detail:
        return None
    # One line, no control characters: it ends up in a terminal or a status bar.
    detail = " ".join("".join(c if c.isprintable() else " " for c in detail).split())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 1] + "…"
    if not detail.endswith((".", "!", "?", "…")):
        detail += "."  # the hint follows it in the same line
    return redact(detail)


def _sentence(text: str, detail: str | None) -> str:
    """ApiError appends ": detail"; without one, the message itself must end the sentence."""
    return text if detail else f"{text}."


def error_from_response(response: httpx.Response, *, what: str, single: bool) -> ApiError:
    """Map an error status to our tree. ``what`` names the thing asked for, ``single`` if by id."""
    status = response.status_code
    detail = error_detail(response)
    reason = response.reason_phrase or ""
    code = f"{status} {reason}".strip()
    if status == 401:
        return AuthError(
            _sentence(f"The API key was rejected ({status})", detail), status=status, detail=detail
        )
    if status == 403:
        if single:
            return NotFound(
                _sentence(f"The {what} is not visible to this key ({status})", detail),
                status=status,
                detail=detail,
            )
        return AuthError(
            _sentence(f"This API key may not list {what} ({status})", detail),
            status=status,
            detail=detail,
        )
    if status in (404, 410):
        text = (
            f"The {what} was not found ({status})"
            if single
            else f"The API has no list of {what} at this address ({status})"
        )
        hint = None if single else "Check the API base URL in Settings or ANON_BASE_URL."
        return NotFound(_sentence(text, detail), status=status, detail=detail, hint=hint)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(
            _sentence(f"Too many requests for {what} ({status})", detail),
            retry_after=retry_after,
            status=status,
            detail=detail,
        )
    if status >= 500:
        return ServerError(
            _sentence(f"The Anon API failed while getting {what} ({code})", detail),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            status=status,
            detail=detail,
        )
    if 400 <= status < 500:
        return BadRequest(
            _sentence(f"The API refused the request for {what} ({code})", detail),
            status=status,
            detail=detail,
        )
    return ApiError(
        _sentence(f"Unexpected answer for {what} ({code})", detail), status=status, detail=detail
    )


def _network_error(exc: httpx.HTTPError, host: str) -> NetworkError:
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for an answer from",
            httpx.WriteTimeout: "sending to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        return NetworkError(f"Timed out {kind} {host}.")
    if isinstance(exc, httpx.ConnectError):
        return ConnectFailed(f"Could not connect to {host} ({exc}).")
    return NetworkError(f"The connection to {host} failed ({type(exc).__name__}: {exc}).")


class AnonClient:
    """Anon V2 API over one shared ``httpx.Client``. Thread-safe; holds no per-call state.

    ``list_*`` methods return lazy iterators over every page; ``get_*`` return one model.
    Errors are :mod:`artifact_viewer.core.errors` types with text fit for a person.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        page_size: int = 100,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ConfigError("No API key is configured.")
        base = normalize_base_url(base_url)
        if not base.startswith(("http://", "https://")):
            raise ConfigError(
                f"The API base URL must start with https:// (got {base!r}).",
                hint="Fix it in Settings or in ANON_BASE_URL.",
            )
        register_secret(api_key.strip())
        self._http = http
        self._api_key = api_key.strip()
        self.base_url = base
        self.host = httpx.URL(base).host or base
        self.retry = retry or RetryPolicy()
        self.page_size = max(1, page_size)

    def __repr__(self) -> str:
        return f"AnonClient(base_url={self.base_url!r})"

    @property
    def http(self) -> httpx.Client:
        """The shared transport (signed-URL downloads use it too, without our auth header)."""
        return self._http

    # -- transport ---------------------------------------------------------------------

    def _send_once(
        self, path: str, params: Mapping[str, Any] | None, what: str, single: bool
    ) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        started = time.monotonic()
        try:
            response = self._http.get(url, params=dict(params or {}), headers=headers)
        except httpx.UnsupportedProtocol as exc:
            raise ConfigError(f"The API base URL is not usable ({exc}).") from None
        except httpx.HTTPError as exc:
            raise _network_error(exc, self.host) from None
        log.debug(
            "GET %s %s -> %d (%.2f s)",
            path,
            {k: v for k, v in (params or {}).items() if k != "page_size"},
            response.status_code,
            time.monotonic() - started,
        )
        if response.status_code >= 400:
            raise error_from_response(response, what=what, single=single)
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ApiError(
                f"The server at {self.host} did not answer {what} with JSON.",
                status=response.status_code,
                hint="Check the API base URL in Settings or ANON_BASE_URL.",
            ) from None

    def _get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        what: str,
        single: bool,
        retry: bool = True,
        cancel: CancelToken | None = None,
    ) -> Any:
        def once() -> Any:
            return self._send_once(path, params, what, single)

        policy = self.retry if retry else RetryPolicy.no_retry()
        return policy.call(once, cancel=cancel)

    def _get(self, model: type[R], path: str, resource_id: str, what: str) -> R:
        if not resource_id or not str(resource_id).strip():
            raise BadRequest(f"No {what} id given.")
        body = self._get_json(
            f"{path}/{quote(str(resource_id).strip(), safe='')}",
            what=f"{what} {resource_id}",
            single=True,
        )
        if isinstance(body, dict) and not body.get("id"):
            # Some APIs wrap single objects: {"data": {...}}
            for key in ("data", model.kind, "item", "result"):
                if isinstance(body.get(key), dict):
                    body = body[key]
                    break
        if not isinstance(body, dict):
            raise ApiError(f"The answer for {what} {resource_id} was not a JSON object.")
        return model.from_json(body)

    def _list(
        self,
        model: type[R],
        path: str,
        plural_keys: tuple[str, ...],
        what: str,
        filters: Mapping[str, str | None],
        checks: Mapping[str, Callable[[R], Any]] | None = None,
    ) -> Iterator[R]:
        params = {k: v for k, v in filters.items() if v is not None}

        def fetch(query: dict[str, Any]) -> Any:
            return self._get_json(path, query, what=what, single=False)

        def generate() -> Iterator[R]:
            dropped = 0
            try:
                pages = iter_items(
                    fetch, page_size=self.page_size, plural_keys=plural_keys, params=params
                )
                for raw in pages:
                    if not isinstance(raw, dict):
                        log.warning("Skipping a non-object entry in %s", what)
                        continue
                    item = model.from_json(raw)
                    # The server may ignore a filter it does not know; never show another run's data.
                    if checks and any(
                        params.get(k) is not None and get(item) not in (None, params[k])
                        for k, get in checks.items()
                    ):
                        dropped += 1
                        continue
                    yield item
            except ValueError as exc:
                raise ApiError(f"The list of {what} had an unexpected shape ({exc}).") from None
            if dropped:
                log.info("Dropped %d %s that did not match the filter", dropped, what)

        return generate()

    # -- public API --------------------------------------------------------------------

    def ping(self) -> None:
        """One cheap authenticated request, no retries; raises AuthError/NetworkError/... on failure."""
        self._get_json(
            "/workflows", {"page": 1, "pageSize": 1}, what="workflows", single=False, retry=False
        )

    def list_workflows(self) -> Iterator[Workflow]:
        return self._list(Workflow, "/workflows", ("workflows",), "workflows", {})

    def get_workflow(self, workflow_id: str) -> Workflow:
        return self._get(Workflow, "/workflows", workflow_id, "workflow")

    def list_jobs(self) -> Iterator[Job]:
        return self._list(Job, "/jobs", ("jobs",), "jobs", {})

    def get_job(self, job_id: str) -> Job:
        return self._get(Job, "/jobs", job_id, "job")

    def list_job_runs(
        self, job_id: str | None = None, status: str | None = None
    ) -> Iterator[JobRun]:
        return self._list(
            JobRun,
            "/job-runs",
            ("jobRuns", "job_runs", "runs"),
            "job runs",
            {"jobId": job_id, "status": status},
            {"jobId": lambda r: r.job_id, "status": lambda r: r.status},
        )

    def get_job_run(self, job_run_id: str) -> JobRun:
        return self._get(JobRun, "/job-runs", job_run_id, "job run")

    def list_workflow_runs(
        self,
        workflow_id: str | None = None,
        job_run_id: str | None = None,
        status: str | None = None,
    ) -> Iterator[WorkflowRun]:
        return self._list(
            WorkflowRun,
            "/workflow-runs",
            ("workflowRuns", "workflow_runs", "runs"),
            "workflow runs",
            {"workflowId": workflow_id, "jobRunId": job_run_id, "status": status},
            {
                "workflowId": lambda r: r.workflow_id,
                "jobRunId": lambda r: r.job_run_id,
                "status": lambda r: r.status,
            },
        )

    def get_workflow_run(self, workflow_run_id: str) -> WorkflowRun:
        return self._get(WorkflowRun, "/workflow-runs", workflow_run_id, "workflow run")

    def list_artifacts(
        self, workflow_id: str | None = None, workflow_run_id: str | None = None
    ) -> Iterator[Artifact]:
        return self._list(
            Artifact,
            "/artifacts",
            ("artifacts",),
            "artifacts",
            {"workflowId": workflow_id, "workflowRunId": workflow_run_id},
            {"workflowId": lambda a: a.workflow_id, "workflowRunId": lambda a: a.workflow_run_id},
        )

    def get_artifact(self, artifact_id: str) -> Artifact:
        """The artifact with a fresh ``signed_url`` (valid about 15 minutes)."""
        return self._get(Artifact, "/artifacts", artifact_id, "artifact")
