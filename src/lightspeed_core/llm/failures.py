"""Classify backend failures into the contract's status codes (413 / 429 / 503 / 500).

OGX's Responses implementation turns provider exceptions into a ``response.failed`` event
whose error keeps only a code and a message - a refused connection becomes "An unexpected
error occurred". In library mode :func:`record_inference_errors` wraps OGX's shared
inference router instance so the original exception of the current request is recorded in
a ContextVar; :func:`classify` uses it when the event alone is ambiguous.

Mapping (contract 1.1): "context length" or an upstream 413 (a provider refusing a request
body that large) → 413 ``Prompt is too long``, upstream 429 / ``resource_exhausted`` → 429,
connection failure → 503, anything else → 500. The cause of a 500 keeps the provider's own
message but not the client library's wrapping (``Error code: 500 - {...}``, "(1
sub-exception)" of an exception group). An OGX call that cannot connect answers 503
with the cause ``Connection error.``, the reference's text whatever the client library says
(the library's own text is logged).

A failure that names one of the call's MCP servers (OGX's "... MCP server at <url> ...")
becomes :class:`~lightspeed_core.errors.McpServerUnavailableError` naming the server's
label, never its URL (:func:`mcp_server_failure`).
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from lightspeed_core.errors import (
    BackendUnavailableError,
    InternalError,
    LightspeedError,
    McpServerUnavailableError,
    PromptTooLongError,
    QuotaExceededError,
)

log = logging.getLogger(__name__)
CONNECTION_ERROR = "Connection error."
"""The cause of a 503 when OGX cannot be reached (the reference's client says exactly this)."""
FAILED = "The model call failed."

_recorded: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "lightspeed_inference_errors", default=None
)


def start_recording() -> list[BaseException]:
    """Begin recording inference exceptions for the current request; returns the sink."""
    sink: list[BaseException] = []
    _recorded.set(sink)
    return sink


def _record(exc: BaseException) -> None:
    sink = _recorded.get()
    if sink is not None:
        sink.append(exc)


class ContextWindowExceededError(Exception):
    """A provider said the input is too long; deliberately carries no ``body``.

    OGX reacts to a provider's context-length error by silently dropping the oldest turns
    and retrying - down to dropping the user's own question. We bound history ourselves
    and answer 413 instead, so the wrapper re-raises such errors as this type, which OGX
    does not recognise as retryable.
    """


def is_context_error(exc: BaseException) -> bool:
    """Does a provider exception say the context window was exceeded?"""
    body = getattr(exc, "body", None)
    detail = body.get("error", body) if isinstance(body, dict) else None
    text = str(exc).lower()
    if isinstance(detail, dict):
        text += f" {detail.get('message', '')} {detail.get('code', '')}".lower()
    markers = ("context length", "context_length", "maximum context", "context window")
    return any(marker in text for marker in markers)


def _check(exc: Exception) -> None:
    """Record ``exc``; replace a context-length error so OGX does not truncate and retry."""
    _record(exc)
    if is_context_error(exc):
        raise ContextWindowExceededError(str(exc)) from exc


def record_inference_errors(router: Any) -> None:
    """Wrap ``router.openai_chat_completion`` (an OGX inference router instance) in place."""
    original: Callable[[Any], Awaitable[Any]] = router.openai_chat_completion

    async def stream(result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for chunk in result:
                yield chunk
        except Exception as exc:
            _check(exc)
            raise

    async def openai_chat_completion(params: Any) -> Any:
        try:
            result = await original(params)
        except Exception as exc:
            _check(exc)
            raise
        return stream(result) if hasattr(result, "__aiter__") else result

    router.openai_chat_completion = openai_chat_completion


def status_of(exc: BaseException) -> int | None:
    """The HTTP status a client exception carries, if any."""
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def is_connection_error(exc: BaseException) -> bool:
    """True for failures to reach a backend at all (refused, reset, DNS, timeout)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"APIConnectionError", "APITimeoutError", "ConnectError", "ConnectTimeout"}:
        return True
    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_connection_error(cause)


_STATUS_PREFIX = re.compile(r"^Error code: (\d{3})(?: - )?", re.IGNORECASE)
_INNER_MESSAGE = re.compile(r"""['"]message['"]:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")
_GROUP_SUFFIX = re.compile(r"\s*\(\d+ sub-exceptions?\)$")
_PYDANTIC_NOISE = re.compile(
    r"\s*\[type=[^\]]*\]|\s*For further information visit https://errors\.pydantic\.dev/\S*"
)


def public_message(message: str) -> str:
    """``message`` without the wrapping added by libraries (none of it helps a client).

    Dropped: the OpenAI client's status prefix and body repr, an exception group's
    sub-exception count, pydantic's error type and documentation link.
    """
    text = _GROUP_SUFFIX.sub("", _PYDANTIC_NOISE.sub("", message).strip())
    prefix = _STATUS_PREFIX.match(text)
    if prefix is None:
        return text
    inner = _INNER_MESSAGE.search(text)
    if inner is not None:
        return inner.group(1) or inner.group(2) or "The model call failed."
    return f"The model provider answered HTTP {prefix.group(1)}."


def upstream_status(message: str) -> int | None:
    """The status of an ``Error code: NNN`` message of the OpenAI client library."""
    prefix = _STATUS_PREFIX.match(message.strip())
    return int(prefix.group(1)) if prefix else None


def classify(
    model: str, code: str | None, message: str, recorded: list[BaseException] | None = None
) -> LightspeedError:
    """Map a failed model call to a domain error."""
    text = f"{code or ''} {message}".lower()
    if "context_length" in text or "context length" in text or "context window" in text:
        return PromptTooLongError(model)
    if upstream_status(message) == 413:
        return PromptTooLongError(model)
    for exc in recorded or []:
        if is_connection_error(exc):
            return BackendUnavailableError(str(exc) or type(exc).__name__)
        if status_of(exc) == 429:
            return model_quota_error(model)
        if is_context_error(exc) or status_of(exc) == 413:
            return PromptTooLongError(model)
    if "rate_limit" in text or "resource_exhausted" in text:
        return model_quota_error(model)
    return InternalError("Internal server error", public_message(message) or FAILED)


def _chain_text(exc: BaseException) -> str:
    """The messages of ``exc``, its causes and (single) group members, joined."""
    texts: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 20:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        texts.append(str(current))
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    return "\n".join(texts)


def mcp_server_failure(
    exc: BaseException, tools: Sequence[Mapping[str, Any]]
) -> McpServerUnavailableError | None:
    """The error for an MCP server of ``tools`` that ``exc`` names by URL, if any."""
    servers = [
        (str(tool.get("server_label") or ""), str(tool.get("server_url") or ""))
        for tool in tools
        if tool.get("type") == "mcp" and tool.get("server_url")
    ]
    if not servers:
        return None
    text = _chain_text(exc)
    if "MCP" not in text and "mcp" not in text:
        return None
    for label, url in sorted(servers, key=lambda server: -len(server[1])):
        if url in text:
            reason = type(exc).__name__
            log.warning("OGX failed to use MCP server %r (%s)", label, reason)
            return McpServerUnavailableError(label, reason)
    return None


def classify_exception(
    model: str, exc: BaseException, tools: Sequence[Mapping[str, Any]] = ()
) -> LightspeedError:
    """Map an exception raised by a backend client call to a domain error.

    ``tools`` are the call's tools: a failure naming one of its MCP servers is reported as
    that server's failure (by label).
    """
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]  # a task group's wrapping says nothing to the client
    if isinstance(exc, LightspeedError):
        return exc
    mcp = mcp_server_failure(exc, tools)
    if mcp is not None:
        return mcp
    if is_connection_error(exc):
        log.warning("backend unreachable (%s): %s", model, str(exc) or type(exc).__name__)
        return BackendUnavailableError(CONNECTION_ERROR)
    status = status_of(exc)
    if status == 429:
        return model_quota_error(model)
    return classify(model, None, str(exc), [exc])


def model_quota_error(model: str) -> QuotaExceededError:
    """The contract's 429 for an upstream rate limit."""
    return QuotaExceededError(
        "The model quota has been exceeded", f"The token quota for model {model} has been exceeded."
    )
