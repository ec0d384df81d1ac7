"""The full loop through real OGX: tool call → MCP server → result → answer.

Both endpoints, both media types, streamable HTTP and SSE servers, persistence with the turn,
tool-call limits, ``no_tools``, bounded tool output, and ``GET /v1/tools``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from lightspeed_core.llm.normalize import MAX_TOOL_OUTPUT
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools, quiet
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("mcp-tools")

ADD = '[[tool:add {"a": 1, "b": 2}]]'


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(
        ServerOptions(tokens=None), ServerOptions(tokens=None, prefix="l_")
    ) as started:
        yield started


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    calc, legacy = servers
    config = stub_config(
        scripted.base_url,
        inference={"max_infer_iters": 4, "max_tool_calls": 2},
        mcp_servers=[
            {"name": "calc", "url": calc.url},
            {"name": "legacy", "url": legacy.sse_url},
        ],
    )
    async with running_app(config, tmp_path_factory.mktemp("mcp-tools")) as running:
        yield running


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[len("data: ") :]) for line in text.splitlines() if line]


async def test_query_runs_the_tool_and_stores_it(app: RunningApp) -> None:
    response = await app.client.post("/v1/query", json=quiet(ADD))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response"] == "Tool said: 3"
    [call] = body["tool_calls"]
    [result] = body["tool_results"]
    assert call["name"] == "add"
    assert call["args"] == {"a": 1, "b": 2}
    assert call["type"] == "tool_call"
    assert result == {
        "id": call["id"],
        "status": "success",
        "content": "3",
        "type": "tool_result",
        "round": 1,
    }
    [turn] = await app.services.conversations.turns(body["conversation_id"])
    assert turn.tool_calls == body["tool_calls"]
    assert turn.tool_results == body["tool_results"]
    assert turn.response == "Tool said: 3"


async def test_streaming_events(app: RunningApp) -> None:
    response = await app.client.post("/v1/streaming_query", json=quiet(ADD))
    events = _events(response.text)
    names = [e["event"] for e in events]
    assert names[:3] == ["start", "tool_call", "tool_result"]
    assert names[-2:] == ["turn_complete", "end"]
    call, result = events[1]["data"], events[2]["data"]
    assert call == {"id": call["id"], "name": "add", "args": {"a": 1, "b": 2}, "type": "tool_call"}
    assert result == {
        "id": call["id"],
        "status": "success",
        "content": "3",
        "type": "tool_result",
        "round": 1,
    }
    assert events[-2]["data"]["token"] == "Tool said: 3"
    turns = await app.services.conversations.turns(events[0]["data"]["conversation_id"])
    assert turns[0].tool_calls[0]["id"] == call["id"]


async def test_streaming_text_plain(app: RunningApp) -> None:
    response = await app.client.post(
        "/v1/streaming_query", json=quiet(ADD, media_type="text/plain")
    )
    assert response.text == "[Tool Call: add]\n[Tool Result]\nTool said: 3"


async def test_sse_server_and_two_rounds(app: RunningApp, servers: list[McpTestServer]) -> None:
    servers[1].clear()
    query = '[[tool:l_add {"a": 2, "b": 3}]] [[tool:add {"a": 4, "b": 5}]]'
    body = (await app.client.post("/v1/query", json=quiet(query))).json()
    assert [c["name"] for c in body["tool_calls"]] == ["l_add", "add"]
    assert [(r["content"], r["round"]) for r in body["tool_results"]] == [("5", 1), ("9", 2)]
    assert body["response"] == "Tool said: 9"
    assert any(r.path == "/sse" for r in servers[1].received)


async def test_failing_tool_reports_failure(app: RunningApp) -> None:
    body = (await app.client.post("/v1/query", json=quiet('[[tool:add {"a": "x"}]]'))).json()
    [result] = body["tool_results"]
    assert result["status"] == "failure"
    assert "Error executing tool add" in result["content"]  # the tool's own error text


async def test_a_model_that_keeps_calling_tools_is_stopped(app: RunningApp) -> None:
    """max_tool_calls=2 runs two calls; max_infer_iters=4 then ends the turn (empty answer)."""
    response = await app.client.post("/v1/query", json=quiet('[[loop:add {"a": 1, "b": 1}]]'))
    assert response.status_code == 200
    body = response.json()
    assert len(body["tool_calls"]) == 2
    assert [r["content"] for r in body["tool_results"]] == ["2", "2"]
    assert body["response"] == ""
    stream = await app.client.post(
        "/v1/streaming_query", json=quiet('[[loop:add {"a": 1, "b": 1}]]')
    )
    names = [e["event"] for e in _events(stream.text)]
    calls = ["tool_call", "tool_result"] * 2
    assert names == ["start", *calls, "turn_complete", "end"]


async def test_no_tools(
    app: RunningApp, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    servers[0].clear()
    body = (await app.client.post("/v1/query", json=quiet(ADD, no_tools=True))).json()
    assert body["tool_calls"] == []
    assert offered_tools(scripted) == set()
    assert servers[0].received == []
    await app.client.post("/v1/query", json=quiet("hi"))
    assert {"add", "l_add", "whoami"} <= offered_tools(scripted)


async def test_tool_output_is_bounded(app: RunningApp) -> None:
    size = MAX_TOOL_OUTPUT + 5000
    body = (
        await app.client.post("/v1/query", json=quiet(f'[[tool:big {{"size": {size}}}]]'))
    ).json()
    content = body["tool_results"][0]["content"]
    assert content.startswith("x" * MAX_TOOL_OUTPUT + "\n")
    assert content.endswith("[... 5000 more characters not shown]")
    [turn] = await app.services.conversations.turns(body["conversation_id"])
    assert turn.tool_results[0]["content"] == content


async def test_tools_endpoint_lists_builtin_and_mcp_tools(
    app: RunningApp, servers: list[McpTestServer]
) -> None:
    response = await app.client.get("/v1/tools")
    assert response.status_code == 200
    tools = {t["identifier"]: t for t in response.json()["tools"]}
    assert tools["file_search"]["server_source"] == "builtin"
    assert tools["file_search"]["toolgroup_id"] == "builtin::file_search"
    assert tools["add"] == {
        "identifier": "add",
        "description": "Add two integers.",
        "parameters": [
            {
                "name": "a",
                "description": "",
                "parameter_type": "integer",
                "required": True,
                "default": None,
            },
            {
                "name": "b",
                "description": "",
                "parameter_type": "integer",
                "required": True,
                "default": None,
            },
        ],
        "provider_id": "model-context-protocol",
        "toolgroup_id": "calc",
        "server_source": servers[0].url,
        "type": "tool",
    }
    assert tools["l_whoami"]["server_source"] == servers[1].sse_url  # listed over SSE


async def test_a_slow_server_does_not_stall_the_list(app: RunningApp) -> None:
    options = ServerOptions(
        tokens=None, prefix="slow_", delay=30, delay_methods=frozenset({"POST"})
    )
    with mcp_servers(options) as [slow]:
        registration = {"name": "slow", "url": slow.url, "timeout": 1}
        assert (await app.client.post("/v1/mcp-servers", json=registration)).status_code == 201
        try:
            response = await app.client.get("/v1/tools")
        finally:
            await app.client.delete("/v1/mcp-servers/slow")
    names = {t["identifier"] for t in response.json()["tools"]}
    assert {"add", "l_add", "file_search"} <= names
    assert not any(name.startswith("slow_") for name in names)
    assert any(r.method == "POST" for r in slow.received)  # it was asked, and timed out
