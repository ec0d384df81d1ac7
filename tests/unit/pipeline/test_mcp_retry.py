"""An MCP server that fails before anything was streamed: reported, and the call retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_core.errors import InternalError, McpServerUnavailableError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import Completed, LLMEvent, RawEvent, TextDelta, Usage
from lightspeed_core.pipeline.mcp_retry import without_failed_server
from lightspeed_core.testing.fakes import FakeTools


def _mcp(label: str) -> dict[str, Any]:
    return {"type": "mcp", "server_label": label, "server_url": f"http://{label}.test/mcp"}


REQUEST = ResponseRequest(
    model="m", input=[], tools=[_mcp("calc"), _mcp("dead"), {"type": "file_search"}]
)


class Call:
    """Fails with ``McpServerUnavailableError`` while a failing server is among the tools."""

    def __init__(self, failing: set[str], *, after_text: bool = False) -> None:
        self.failing = failing
        self.after_text = after_text
        self.requests: list[ResponseRequest] = []

    async def __call__(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        self.requests.append(request)
        if self.after_text:
            yield TextDelta("partial")
        for tool in request.tools:
            if tool.get("server_label") in self.failing:
                raise McpServerUnavailableError(tool["server_label"], "ConnectionError")
        yield Completed("answer", Usage(1, 1))


async def _events(call: Call, tools: FakeTools) -> list[LLMEvent]:
    return [event async for event in without_failed_server(call, REQUEST, tools)]


async def test_the_call_is_retried_without_the_failed_server() -> None:
    call, tools = Call({"dead"}), FakeTools()
    events = await _events(call, tools)
    assert events == [Completed("answer", Usage(1, 1))]
    assert tools.failures == [("dead", "ConnectionError")]
    labels = [[t.get("server_label") for t in r.tools] for r in call.requests]
    assert labels == [["calc", "dead", None], ["calc", None]]


async def test_only_one_retry() -> None:
    call, tools = Call({"dead", "calc"}), FakeTools()
    with pytest.raises(McpServerUnavailableError) as raised:
        await _events(call, tools)
    assert raised.value.server == "dead"
    assert tools.failures == [("calc", "ConnectionError"), ("dead", "ConnectionError")]
    assert len(call.requests) == 2
    assert "http" not in str(raised.value.cause)


async def test_no_retry_once_something_was_streamed() -> None:
    call, tools = Call({"dead"}, after_text=True), FakeTools()
    with pytest.raises(McpServerUnavailableError):
        await _events(call, tools)
    assert len(call.requests) == 1
    assert tools.failures == [("dead", "ConnectionError")]


async def test_a_server_not_in_the_call_is_not_retried() -> None:
    tools = FakeTools()

    async def call(request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        if request.tools:
            raise McpServerUnavailableError("elsewhere")
        yield TextDelta("")

    with pytest.raises(McpServerUnavailableError):
        [event async for event in without_failed_server(call, REQUEST, tools)]
    assert tools.failures == [("elsewhere", "")]


async def test_ogx_set_up_events_of_the_failed_attempt_are_dropped() -> None:
    tools = FakeTools()
    attempts: list[ResponseRequest] = []

    async def call(request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        attempts.append(request)
        yield RawEvent({"type": "response.created", "attempt": len(attempts)})
        listing = {"type": "mcp_list_tools", "server_label": "calc"}
        yield RawEvent({"type": "response.output_item.done", "item": listing})
        if len(attempts) == 1:
            raise McpServerUnavailableError("dead")
        yield RawEvent({"type": "response.output_text.delta", "delta": "hi"})
        yield TextDelta("hi")
        yield Completed("hi", Usage(1, 1))

    events = [event async for event in without_failed_server(call, REQUEST, tools)]
    assert [e.payload.get("attempt") for e in events if isinstance(e, RawEvent)] == [2, None, None]
    assert events[-2:] == [TextDelta("hi"), Completed("hi", Usage(1, 1))]


async def test_held_events_are_delivered_when_nothing_else_comes() -> None:
    async def call(request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        yield RawEvent({"type": "response.created"})

    events = [event async for event in without_failed_server(call, REQUEST, FakeTools())]
    assert events == [RawEvent({"type": "response.created"})]


class Anonymous:
    """Fails like a remote OGX (no server named) while ``dead`` is among the tools."""

    def __init__(self) -> None:
        self.requests: list[ResponseRequest] = []

    async def __call__(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        self.requests.append(request)
        if any(tool.get("server_label") == "dead" for tool in request.tools):
            raise InternalError("Internal server error", "An unexpected error occurred.")
        yield Completed("answer", Usage(1, 1))


async def test_an_anonymous_failure_rechecks_the_servers() -> None:
    call, tools = Anonymous(), FakeTools()
    tools.failing = ["dead"]
    events = [event async for event in without_failed_server(call, REQUEST, tools)]
    assert events == [Completed("answer", Usage(1, 1))]
    assert len(call.requests) == 2
    assert "dead" not in {t.get("server_label") for t in call.requests[1].tools}


async def test_an_anonymous_failure_with_healthy_servers_stands() -> None:
    call, tools = Anonymous(), FakeTools()
    with pytest.raises(InternalError):
        [event async for event in without_failed_server(call, REQUEST, tools)]
    assert len(call.requests) == 1
