"""Failure classification: the contract's 413 / 429 / 503 / 500 from backend failures."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from lightspeed_core.errors import (
    BackendUnavailableError,
    InternalError,
    McpServerUnavailableError,
    PromptTooLongError,
    QuotaExceededError,
)
from lightspeed_core.llm.failures import (
    ContextWindowExceededError,
    classify,
    classify_exception,
    is_connection_error,
    is_context_error,
    record_inference_errors,
    start_recording,
)
from lightspeed_core.llm.ports import ResourceCallError
from lightspeed_core.llm.resources import translate


class StatusError(Exception):
    def __init__(self, message: str, status_code: int, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


def test_context_errors_are_recognised_in_text_and_body() -> None:
    assert is_context_error(Exception("maximum context length is 8192 tokens"))
    body = {"error": {"message": "too long", "code": "context_length_exceeded"}}
    assert is_context_error(StatusError("bad request", 400, body))
    assert not is_context_error(Exception("rate limited"))


def test_connection_errors_include_wrapped_causes() -> None:
    assert is_connection_error(httpx.ConnectError("refused"))
    assert is_connection_error(ConnectionRefusedError())
    outer = RuntimeError("wrapped")
    outer.__cause__ = httpx.ConnectTimeout("slow")
    assert is_connection_error(outer)
    assert not is_connection_error(ValueError("x"))


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("context_length_exceeded", "", PromptTooLongError),
        (None, "The context window was exceeded", PromptTooLongError),
        ("rate_limit_exceeded", "slow down", QuotaExceededError),
        (None, "RESOURCE_EXHAUSTED", QuotaExceededError),
        ("server_error", "An unexpected error occurred", InternalError),
    ],
)
def test_classify_by_code_and_message(code: str | None, message: str, expected: type) -> None:
    assert isinstance(classify("m", code, message), expected)


def test_classify_prefers_the_recorded_exception() -> None:
    ambiguous = ("server_error", "An unexpected error occurred")
    refused = classify("m", *ambiguous, [httpx.ConnectError("Connection refused")])
    assert isinstance(refused, BackendUnavailableError)
    assert refused.cause == "Connection refused"
    limited = classify("m", *ambiguous, [StatusError("too many", 429)])
    assert isinstance(limited, QuotaExceededError)
    assert limited.cause == "The token quota for model m has been exceeded."
    too_long = classify("m", *ambiguous, [Exception("maximum context length")])
    assert isinstance(too_long, PromptTooLongError)
    other = classify("m", *ambiguous, [ValueError("boom")])
    assert isinstance(other, InternalError)
    assert other.cause == "An unexpected error occurred"


def test_classify_exception() -> None:
    error = BackendUnavailableError("down")
    assert classify_exception("m", error) is error
    assert isinstance(classify_exception("m", httpx.ReadTimeout("t")), BackendUnavailableError)
    assert isinstance(classify_exception("m", StatusError("x", 429)), QuotaExceededError)
    assert isinstance(
        classify_exception("m", Exception("context length exceeded")), PromptTooLongError
    )
    internal = classify_exception("m", RuntimeError("odd"))
    assert isinstance(internal, InternalError)
    assert internal.cause == "odd"


def test_resource_failures_are_translated_for_the_ports() -> None:
    assert isinstance(translate(httpx.ConnectError("refused")), BackendUnavailableError)
    missing = translate(StatusError("Vector store vs_1", 404))
    assert isinstance(missing, ResourceCallError)
    assert (missing.not_found, missing.status) == (True, 404)
    library = translate(ValueError("Vector store vs_1 not found"))
    assert isinstance(library, ResourceCallError)
    assert library.not_found
    assert library.status is None
    anonymous = translate(RuntimeError())
    assert isinstance(anonymous, ResourceCallError)
    assert (anonymous.not_found, anonymous.describe()) == (False, "RuntimeError")


class Router:
    """Stands in for OGX's inference router: fails as scripted."""

    def __init__(self, failure: Exception | None, streamed: Exception | None = None) -> None:
        self.failure = failure
        self.streamed = streamed

    async def openai_chat_completion(self, params: Any) -> Any:
        if self.failure is not None:
            raise self.failure
        if self.streamed is None:
            return {"ok": params}
        return self._stream()

    async def _stream(self) -> AsyncIterator[str]:
        yield "chunk"
        assert self.streamed is not None
        raise self.streamed


async def _in_context(router: Router, params: Any) -> tuple[list[BaseException], Any]:
    sink = start_recording()
    try:
        result = await router.openai_chat_completion(params)
        if hasattr(result, "__aiter__"):
            result = [chunk async for chunk in result]
    except Exception as exc:
        result = exc
    return sink, result


async def test_recorded_errors_and_context_errors_are_not_retried_by_ogx() -> None:
    ok = Router(None)
    record_inference_errors(ok)
    sink, result = await contextvars.copy_context().run(_in_context, ok, 1)
    assert (sink, result) == ([], {"ok": 1})

    refused = httpx.ConnectError("refused")
    failing = Router(refused)
    record_inference_errors(failing)
    sink, result = await contextvars.copy_context().run(_in_context, failing, 1)
    assert sink == [refused]
    assert result is refused

    too_long = Exception("maximum context length exceeded")
    streaming = Router(None, streamed=too_long)
    record_inference_errors(streaming)
    sink, result = await contextvars.copy_context().run(_in_context, streaming, 1)
    assert sink == [too_long]
    assert isinstance(result, ContextWindowExceededError)
    assert result.__cause__ is too_long


def test_an_upstream_413_is_prompt_too_long() -> None:
    """A provider refusing the request body (HTTP 413) means the prompt is too long."""
    assert isinstance(classify("m", None, "x", [StatusError("too big", 413)]), PromptTooLongError)
    wrapped = "Error code: 413 - {'error': {'message': 'Request Entity Too Large'}}"
    assert isinstance(classify("m", None, wrapped), PromptTooLongError)
    assert isinstance(classify_exception("m", StatusError(wrapped, 413)), PromptTooLongError)


@pytest.mark.parametrize(
    ("message", "public"),
    [
        ("Error code: 500 - {'error': {'message': 'model crashed', 'type': 'x'}}", "model crashed"),
        ('Error code: 502 - {"error": {"message": "bad gateway"}}', "bad gateway"),
        ("Error code: 500", "The model provider answered HTTP 500."),
        ("unhandled errors in a TaskGroup (1 sub-exception)", "unhandled errors in a TaskGroup"),
        ("plain text", "plain text"),
    ],
)
def test_500_causes_lose_the_client_library_wrapping(message: str, public: str) -> None:
    error = classify("m", None, message)
    assert isinstance(error, InternalError)
    assert error.cause == public
    assert "Error code" not in error.cause


def test_a_single_exception_group_is_unwrapped() -> None:
    group = ExceptionGroup("unhandled errors in a TaskGroup", [StatusError("slow down", 429)])
    assert isinstance(classify_exception("m", group), QuotaExceededError)


def test_pydantic_noise_is_dropped_from_causes() -> None:
    message = (
        "1 validation error for VectorStoreChunkingStrategy\n  Value error, bad "
        "[type=value_error, input_value={}, input_type=dict]\n"
        "    For further information visit https://errors.pydantic.dev/2.14/v/value_error"
    )
    cause = classify("m", None, message).cause
    assert "errors.pydantic.dev" not in cause
    assert "input_value" not in cause
    assert cause.startswith("1 validation error for VectorStoreChunkingStrategy")
    assert ResourceCallError(message, not_found=False).describe() == cause


MCP_TOOLS = [
    {"type": "mcp", "server_label": "calc", "server_url": "http://10.0.0.5:8080/mcp"},
    {"type": "mcp", "server_label": "calc2", "server_url": "http://10.0.0.5:8080/mcp2"},
    {"type": "file_search"},
]


@pytest.mark.parametrize(
    ("message", "label"),
    [
        ("Failed to connect to MCP server at http://10.0.0.5:8080/mcp: Connection refused", "calc"),
        ("MCP server at http://10.0.0.5:8080/mcp2 timed out", "calc2"),
        ("Network error connecting to MCP server at http://10.0.0.5:8080/mcp2: bad", "calc2"),
    ],
)
def test_an_mcp_failure_names_the_label_never_the_url(message: str, label: str) -> None:
    try:
        try:
            raise OSError("All connection attempts failed")
        except OSError as inner:
            raise ConnectionError(message) from inner
    except ConnectionError as exc:
        error = classify_exception("m", exc, MCP_TOOLS)
    assert isinstance(error, McpServerUnavailableError)
    assert error.server == label
    assert error.status_code == 503
    assert error.cause == f"MCP server '{label}' is unavailable."
    assert "10.0.0.5" not in f"{error.response} {error.cause}"


def test_an_mcp_failure_inside_a_group() -> None:
    group = ExceptionGroup(
        "x", [ValueError("a"), TimeoutError("MCP server at http://10.0.0.5:8080/mcp timed out")]
    )
    error = classify_exception("m", group, MCP_TOOLS)
    assert isinstance(error, McpServerUnavailableError)
    assert error.server == "calc"


def test_a_connection_error_without_mcp_stays_a_backend_error() -> None:
    error = classify_exception("m", httpx.ConnectError("refused"), MCP_TOOLS)
    assert type(error) is BackendUnavailableError
