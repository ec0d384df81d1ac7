"""Domain errors. Services raise these; :mod:`lightspeed_core.api.errors` maps them to HTTP.

Every error carries the contract's two-part body (``response`` = short summary, ``cause`` =
detail) and the HTTP status it stands for. The tree::

    LightspeedError
    ├── BadRequestError            400  e.g. invalid conversation ID format
    ├── UnauthorizedError          401  missing/invalid credentials (may carry WWW-Authenticate)
    ├── ForbiddenError             403  RBAC, ownership, disabled features
    ├── NotFoundError              404  "<Resource> not found"
    ├── RequestTimeoutError        408  the request body did not arrive in time
    ├── ConflictError              409
    ├── PayloadTooLargeError       413  the request body exceeds service.max_request_body_bytes
    ├── PromptTooLongError         413  input exceeds the model's context window
    ├── UnprocessableError         422  semantic validation beyond the request schema
    ├── QuotaExceededError         429  token quota or upstream rate limit (may carry Retry-After)
    ├── InternalError              500
    └── BackendUnavailableError    503  OGX / Kubernetes API / database unreachable
        ├── DatabaseUnavailableError   503  a database connection failed (``db/health.py``)
        └── McpServerUnavailableError  503  OGX could not use an MCP server (names its label)

``PlainDetailError`` is the odd one out: a few reference endpoints answer
``{"detail": "<string>"}`` instead of the two-part body (e.g. ``user_id cannot be empty``).
"""

from __future__ import annotations

from collections.abc import Mapping


class LightspeedError(Exception):
    """Base of all domain errors."""

    status_code = 500

    def __init__(
        self, response: str, cause: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{response}: {cause}")
        self.response = response
        self.cause = cause
        self.headers = dict(headers or {})


class BadRequestError(LightspeedError):
    """400."""

    status_code = 400


class UnauthorizedError(LightspeedError):
    """401."""

    status_code = 401

    def __init__(self, cause: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(
            "Missing or invalid credentials provided by client", cause, headers=headers
        )


class ForbiddenError(LightspeedError):
    """403."""

    status_code = 403


class NotFoundError(LightspeedError):
    """404 for a named resource kind (``Conversation``, ``Model`` ...)."""

    status_code = 404

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(
            f"{resource} not found", f"{resource} with ID {resource_id} does not exist"
        )
        self.resource = resource
        self.resource_id = resource_id


class RequestTimeoutError(LightspeedError):
    """408."""

    status_code = 408


class PayloadTooLargeError(LightspeedError):
    """413: the request body itself is too large (before any parsing)."""

    status_code = 413


class ConflictError(LightspeedError):
    """409."""

    status_code = 409


class PromptTooLongError(LightspeedError):
    """413: the input does not fit the model's context window."""

    status_code = 413

    def __init__(self, model: str) -> None:
        super().__init__(
            "Prompt is too long", f"The input exceeds the context window size of model '{model}'."
        )


class UnprocessableError(LightspeedError):
    """422 with the two-part body (schema errors keep FastAPI's list shape instead)."""

    status_code = 422


class QuotaExceededError(LightspeedError):
    """429."""

    status_code = 429


class InternalError(LightspeedError):
    """500."""

    status_code = 500


class BackendUnavailableError(LightspeedError):
    """503: a backend we depend on cannot be reached."""

    status_code = 503

    def __init__(self, cause: str, *, response: str = "Unable to connect to OGX") -> None:
        super().__init__(response, cause)


class McpServerUnavailableError(BackendUnavailableError):
    """503: OGX failed to use an MCP server during a call.

    ``server`` is the server's label (its name); the URL is never part of the body. The
    pipeline retries the call once without that server when nothing was streamed yet.
    """

    def __init__(self, server: str, reason: str = "") -> None:
        super().__init__(
            f"MCP server '{server}' is unavailable.", response="Unable to connect to MCP server"
        )
        self.server = server
        self.reason = reason


class DatabaseUnavailableError(BackendUnavailableError):
    """503: a database cannot be reached (refused, dropped, starting up, shutting down).

    Logged once per change of state by the database's health tracker, not per request.
    """

    def __init__(self, cause: str, *, response: str = "Unable to connect to the database") -> None:
        super().__init__(cause, response=response)


class PlainDetailError(Exception):
    """An error whose body is ``{"detail": "<string>"}`` (reference quirk, kept for clients)."""

    def __init__(
        self, status_code: int, detail: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers or {})
