"""Query options that need their own configuration: tools, model stickiness, prompts, 503."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.llm.prompts import DEFAULT_TOPIC_SUMMARY_PROMPT
from lightspeed_core.mcp.base import NoTools, ToolRequest
from lightspeed_core.testing.scripted_backend import BackgroundServer, ScriptedBackend
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = pytest.mark.xdist_group("streaming")
LOOKUP = {
    "type": "function",
    "name": "lookup",
    "description": "Look something up",
    "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}},
}
TOOL_QUERY = '[[tool:lookup {"a": 1}]] look it up'


class OneTool(NoTools):
    """A tool service offering one function tool (stands in for MCP servers)."""

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        return [LOOKUP]


@pytest.fixture
async def tool_app(scripted: BackgroundServer, tmp_path: Path) -> AsyncIterator[RunningApp]:
    async with running_app(stub_config(scripted.base_url), tmp_path) as app:
        app.app.state.services = dataclasses.replace(app.services, tools=OneTool())
        yield app


def chats(backend: ScriptedBackend) -> list[dict[str, Any]]:
    return [
        r
        for r in backend.requests
        if r["messages"][0].get("content") != DEFAULT_TOPIC_SUMMARY_PROMPT
    ]


async def test_tool_markers_in_text_mode(tool_app: RunningApp) -> None:
    body = {"query": TOOL_QUERY, "media_type": "text/plain", "generate_topic_summary": False}
    response = await tool_app.client.post("/v1/streaming_query", json=body)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "[Tool Call: lookup]\n[Tool Result]\n"


async def test_tool_events_in_json_mode(tool_app: RunningApp) -> None:
    body = {"query": TOOL_QUERY, "generate_topic_summary": False}
    response = await tool_app.client.post("/v1/streaming_query", json=body)
    events = [json.loads(line[6:]) for line in response.text.splitlines() if line]
    assert [e["event"] for e in events] == [
        "start",
        "tool_call",
        "tool_result",
        "turn_complete",
        "end",
    ]
    call, result = events[1]["data"], events[2]["data"]
    assert list(call) == ["id", "name", "args", "type"]
    assert (call["name"], call["args"], call["type"]) == ("lookup", {"a": 1}, "tool_call")
    assert list(result) == ["id", "status", "content", "type", "round"]
    assert (result["id"], result["type"], result["round"]) == (call["id"], "tool_result", 1)
    stored = await tool_app.services.conversations.turns(events[0]["data"]["conversation_id"])
    assert stored[0].tool_calls[0]["name"] == "lookup"


@pytest.mark.parametrize("no_tools", [False, True])
async def test_no_tools(tool_app: RunningApp, scripted: BackgroundServer, no_tools: bool) -> None:
    scripted.backend.requests.clear()
    body = {"query": "hi", "no_tools": no_tools, "generate_topic_summary": False}
    assert (await tool_app.client.post("/v1/query", json=body)).status_code == 200
    sent = chats(scripted.backend)[-1]
    names = [t["function"]["name"] for t in sent.get("tools") or []]
    assert names == ([] if no_tools else ["lookup"])


async def test_model_stickiness(tmp_path: Path) -> None:
    backend = BackgroundServer(ScriptedBackend(["stub-model", "other-model"])).start()
    try:
        async with running_app(stub_config(backend.base_url), tmp_path) as app:
            client = app.client
            first = await client.post(
                "/v1/query", json={"query": "hi", "provider": "stub", "model": "other-model"}
            )
            cid = first.json()["conversation_id"]
            backend.backend.requests.clear()
            await client.post("/v1/query", json={"query": "again", "conversation_id": cid})
            await client.post("/v1/streaming_query", json={"query": "more", "conversation_id": cid})
            await client.post("/v1/query", json={"query": "new", "generate_topic_summary": False})
            assert [r["model"] for r in chats(backend.backend)] == [
                "other-model",  # the conversation's last used model
                "other-model",
                "stub-model",  # a new conversation: the configured default
            ]
            info = await app.services.conversations.get(cid)
            assert info is not None
            assert (info.last_used_provider, info.last_used_model) == ("stub", "other-model")
    finally:
        backend.stop()


async def test_request_system_prompt_can_be_disabled(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    config = stub_config(scripted.base_url, customization={"disable_query_system_prompt": True})
    async with running_app(config, tmp_path) as app:
        for endpoint in ("/v1/query", "/v1/streaming_query"):
            response = await app.client.post(endpoint, json={"query": "q", "system_prompt": "x"})
            assert response.status_code == 422
            assert response.json()["detail"]["response"] == (
                "System prompt customization is disabled"
            )
        plain = await app.client.post(
            "/v1/query", json={"query": "q", "generate_topic_summary": False}
        )
        assert plain.status_code == 200


async def test_unreachable_backend_is_503(tmp_path: Path) -> None:
    backend = BackgroundServer().start()
    async with running_app(stub_config(backend.base_url), tmp_path) as app:
        backend.stop()
        query = await app.client.post("/v1/query", json={"query": "hi"})
        assert query.status_code == 503
        assert query.json()["detail"]["response"] == "Unable to connect to OGX"
        stream = await app.client.post("/v1/streaming_query", json={"query": "hi"})
        events = [json.loads(line[6:]) for line in stream.text.splitlines() if line]
        assert [e["event"] for e in events] == ["start", "error"]
        assert events[1]["data"]["status_code"] == 503
