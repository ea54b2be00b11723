"""A tolerant client for the Anon V2 REST API: typed models, every page, clear errors, retries."""

from __future__ import annotations

import logging
import tempfile
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
from artifact_viewer.core.paging import ListingBudget, ListingMeter, StreamedBody, iter_items
from artifact_viewer.core.redact import redact, register_secret
from artifact_viewer.core.retry import RetryPolicy, parse_retry_after
from artifact_viewer.core.settings import DEFAULT_BASE_URL, normalize_base_url
from artifact_viewer.core.urls import UnsafeUrl, check_base_url

log = logging.getLogger("artifact_viewer.api")

R = TypeVar("R", bound=Resource)

_DETAIL_KEYS = ("message", "error", "detail", "error_description", "errors", "title", "reason")
_MAX_DETAIL = 200
ERROR_BODY_LIMIT = 64 * 1024  # of an error answer, only this much is read
SPILL_PAGE_BYTES = 16 * 1024 * 1024  # a list page larger than this is parsed as a stream
SINGLE_BODY_LIMIT = 16 * 1024 * 1024  # one object (an artifact, a run) is never larger


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


def _record(model: type[R], raw: Any) -> R | None:
    """One listed record, or None if it is malformed (not an object, no id, unusable)."""
    if (
        not isinstance(raw, dict)
        or raw.get("id") in (None, "")
        or isinstance(raw["id"], dict | list)
    ):
        return None
    try:
        return model.from_json(raw)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return None


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
        budget: ListingBudget | None = None,
        on_listing_progress: Callable[[str], None] | None = None,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ConfigError("No API key is configured.")
        base = normalize_base_url(base_url)
        try:
            check_base_url(base)
        except UnsafeUrl as exc:
            raise ConfigError(str(exc), hint="Fix it in Settings or in ANON_BASE_URL.") from None
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in api_key.strip()):
            raise ConfigError(
                "The API key contains a line break or another control character.",
                hint="Copy the key again without the line break (ANON_API_KEY or Settings).",
            )
        register_secret(api_key.strip())
        self._http = http
        self._api_key = api_key.strip()
        self.base_url = base
        self.host = httpx.URL(base).host or base
        self.retry = retry or RetryPolicy()
        self.page_size = max(1, page_size)
        self.budget = budget or ListingBudget()
        # Told how a long listing is going (and why one stopped early); the CLI prints it.
        self.on_listing_progress = on_listing_progress

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
            with self._http.stream(
                "GET", url, params=dict(params or {}), headers=headers
            ) as streamed:
                # Error answers are read to a small bound, single objects to a larger one:
                # a server sending an endless body cannot fill memory.
                limit = ERROR_BODY_LIMIT if streamed.status_code >= 400 else SINGLE_BODY_LIMIT
                body = bytearray()
                for chunk in streamed.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        break
                response = httpx.Response(
                    streamed.status_code,
                    headers=streamed.headers,
                    content=bytes(body[:limit]),
                    request=streamed.request,
                )
                too_large = len(body) > limit and streamed.status_code < 400
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
        if too_large:
            raise ApiError(
                f"The answer for {what} from {self.host} was larger than"
                f" {SINGLE_BODY_LIMIT // 1024**2} MiB; it was not read.",
                status=response.status_code,
            )
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ApiError(
                f"The server at {self.host} did not answer {what} with JSON.",
                status=response.status_code,
                hint="Check the API base URL in Settings or ANON_BASE_URL.",
            ) from None

    def _send_list_page(
        self, path: str, params: Mapping[str, Any], what: str, meter: ListingMeter
    ) -> Any:
        """One list page, counted against the listing's byte budget as it arrives; a page
        past SPILL_PAGE_BYTES goes to an anonymous temp file and is parsed as a stream."""
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        spill: Any = None
        started = time.monotonic()
        try:
            with self._http.stream("GET", url, params=dict(params), headers=headers) as response:
                if response.status_code >= 400:
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk[: ERROR_BODY_LIMIT - len(body)]
                        if len(body) >= ERROR_BODY_LIMIT:
                            break
                    bounded = httpx.Response(
                        response.status_code,
                        headers=response.headers,
                        content=bytes(body),
                        request=response.request,
                    )
                    raise error_from_response(bounded, what=what, single=False)
                buffer = bytearray()
                for chunk in response.iter_bytes():
                    meter.add_bytes(len(chunk))
                    if spill is not None:
                        spill.write(chunk)
                        continue
                    buffer += chunk
                    if len(buffer) > SPILL_PAGE_BYTES:
                        spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed by its reader
                        spill.write(buffer)
                        buffer = bytearray()
        except httpx.UnsupportedProtocol as exc:
            raise ConfigError(f"The API base URL is not usable ({exc}).") from None
        except httpx.HTTPError as exc:
            if spill is not None:
                spill.close()
            raise _network_error(exc, self.host) from None
        except BaseException:
            if spill is not None:
                spill.close()
            raise
        log.debug(
            "GET %s %s -> %d (%.2f s)",
            path,
            {k: v for k, v in params.items() if k != "page_size"},
            response.status_code,
            time.monotonic() - started,
        )
        if spill is not None:
            log.info("A page of %s is large (%d bytes): parsed as a stream", what, meter.bytes)
            return StreamedBody(spill)
        try:
            return orjson.loads(buffer)
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
        meter = ListingMeter(what, self.budget, self.on_listing_progress)

        def fetch(query: dict[str, Any]) -> Any:
            return self.retry.call(lambda: self._send_list_page(path, query, what, meter))

        def generate() -> Iterator[R]:
            dropped = 0
            malformed = 0
            try:
                pages = iter_items(
                    fetch,
                    page_size=self.page_size,
                    plural_keys=plural_keys,
                    params=params,
                    meter=meter,
                )
                for raw in pages:
                    item = _record(model, raw)
                    if item is None:
                        malformed += 1
                        continue
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
            if malformed:
                meter.tell(f"Skipped {malformed} malformed record(s) in the list of {what}.")

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
