"""One exception tree for the whole app; every error carries text a user can act on.

::

    ArtifactViewerError                 base; .user_message() is what a person reads
    ├── ConfigError                     bad settings, missing key, no keyring
    ├── ApiError                        the API answered with an error status
    │   ├── BadRequest                  400
    │   ├── AuthError                   401 (and 403 from the API itself)
    │   ├── NotFound                    404
    │   ├── RateLimited                 429 (carries retry_after)
    │   ├── ServerError                 5xx
    │   └── ListingStopped              a listing past its budget (pages, items, bytes, time)
    ├── NetworkError                    connect/read failure, timeout, DNS
    │   ├── ConnectFailed               no connection at all (refused, DNS): likely offline
    │   └── OfflineError                the API cannot be reached; cached data only
    ├── NotAvailableOffline             uncached artifact asked for while offline
    ├── SignedUrlExpired                storage refused a signed URL as expired
    ├── StorageError                    storage refused a download for another reason
    ├── IntegrityError                  downloaded/cached bytes do not match the hash
    ├── CacheError                      local cache problem (disk full, permissions)
    ├── BundleError                     a bundle cannot be exported or imported
    ├── Cancelled                       the user cancelled the work
    └── PreviewError                    a file could not be rendered

No message, str() or repr() of these ever holds an API key or a signed URL: text passes
through :func:`artifact_viewer.core.redact.redact` on construction.
"""

from __future__ import annotations

from artifact_viewer.core.redact import redact


class ArtifactViewerError(Exception):
    """Base of every error we raise on purpose. ``hint`` says what to do next."""

    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = redact(message)
        self.hint = redact(hint if hint is not None else self.default_hint)
        super().__init__(self.message)

    def user_message(self) -> str:
        """One or two sentences for a person: what happened, then what to do."""
        return f"{self.message} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(ArtifactViewerError):
    default_hint = "Check Settings, or set ANON_BASE_URL and ANON_API_KEY."


class ApiError(ArtifactViewerError):
    """The API answered with an error status."""

    default_hint = "Try again; if it persists, check the Anon status page."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.detail = redact(detail) if detail else None
        text = message if not self.detail else f"{message}: {self.detail}"
        super().__init__(text, hint=hint)


class BadRequest(ApiError):
    default_hint = "The request was rejected as malformed; check the id or filter you gave."


class AuthError(ApiError):
    default_hint = "Check the API key in Settings or set ANON_API_KEY."


class NotFound(ApiError):
    default_hint = "It may have been deleted, or belong to another organisation."


class RateLimited(ApiError):
    default_hint = "The API is rate limiting us; wait a moment and try again."

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ServerError(ApiError):
    """5xx; ``retry_after`` is set when a 503 said when to come back (``Retry-After``)."""

    default_hint = "The Anon API had a problem; try again in a minute."

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class NetworkError(ArtifactViewerError):
    default_hint = "Check your network connection; cached artifacts still open."


class ConnectFailed(NetworkError):
    """No connection could be made (refused, DNS); retrying long rarely helps."""


class OfflineError(NetworkError):
    default_hint = "Working offline from the local catalog and cache."


class NotAvailableOffline(ArtifactViewerError):
    default_hint = (
        "Connect to the network to download it, or pin its run for offline use next time."
    )


class SignedUrlExpired(ArtifactViewerError):
    default_hint = "A fresh download link will be requested automatically."


class StorageError(ArtifactViewerError):
    default_hint = "The file store refused the download; try again later."


class IntegrityError(ArtifactViewerError):
    default_hint = (
        "The file was not kept. Try downloading it again; if it persists, report the run."
    )

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        actual: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message, hint=hint)


class CacheError(ArtifactViewerError):
    default_hint = "Check free disk space and permissions of the cache folder."


class BundleError(ArtifactViewerError):
    """Export or import of a bundle refused; ``details`` lists one line per item when useful."""

    def __init__(
        self, message: str, *, hint: str | None = None, details: dict[str, str] | None = None
    ) -> None:
        self.details = {k: redact(v) for k, v in (details or {}).items()}
        super().__init__(message, hint=hint)


class Cancelled(ArtifactViewerError):
    default_hint = ""


class PreviewError(ArtifactViewerError):
    default_hint = "Try the raw or hex view, or open it externally."


def user_message(exc: BaseException) -> str:
    """Text for any exception: ours speak for themselves, others get a safe generic line."""
    if isinstance(exc, ArtifactViewerError):
        return exc.user_message()
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        where = f" on {exc.filename}" if exc.filename else ""
        return redact(
            f"A file operation failed{where}: {reason}. Check disk space and permissions."
        )
    return redact(f"Unexpected error ({type(exc).__name__}). Details are in the log file.")


class ListingStopped(ApiError):
    """A listing went past its budget (pages, items, bytes or time) and was stopped."""

    default_hint = (
        "The server may be ignoring paging; nothing from this listing replaced the catalog."
        " Narrow it (--run or --workflow) or try again later."
    )
