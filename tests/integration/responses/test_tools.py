"""``/v1/responses`` tools: server MCP servers, client MCP servers, the merge rule, function tools.

A real MCP server configured on the service (``calc``) and one only the client knows
(``mine``, tools prefixed ``m_``), real OGX calling them, the scripted model asking for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("responses-tools")

MODEL = "stub/stub-model"
MERGE = {"X-LCS-Merge-Server-Tools": "true"}


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(ServerOptions(tokens=None), ServerOptions(tokens=None, prefix="m_")) as found:
        yield found


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    config = stub_config(scripted.base_url, mcp_servers=[{"name": "calc", "url": servers[0].url}])
    async with running_app(config, tmp_path_factory.mktemp("responses-tools")) as running:
        yield running


def _client_mcp(server: McpTestServer, label: str = "mine") -> dict[str, Any]:
    return {
        "type": "mcp",
        "server_label": label,
        "server_url": server.url,
        "require_approval": "never",
    }


async def test_server_mcp_tools_run_and_stay_hidden(
    sdk: openai.AsyncOpenAI, scripted: BackgroundServer
) -> None:
    response = await sdk.responses.create(model=MODEL, input='[[tool:add {"a": 1, "b": 2}]] Add')
    assert response.output_text == "Tool said: 3"
    assert [item.type for item in response.output] == ["message"]  # the server's calls hidden
    assert response.tools == []
    assert "add" in offered_tools(scripted)


async def test_server_mcp_events_are_filtered_from_the_stream(sdk: openai.AsyncOpenAI) -> None:
    stream = await sdk.responses.create(
        model=MODEL, input='[[tool:add {"a": 2, "b": 2}]] Add', stream=True
    )
    events = [event async for event in stream]
    assert not [e for e in events if "mcp" in e.type]
    assert events[-1].type == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))


async def test_client_mcp_tools_replace_the_servers(
    sdk: openai.AsyncOpenAI, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    response = await sdk.responses.create(
        model=MODEL,
        input='[[tool:m_add {"a": 20, "b": 22}]] Add',
        tools=[_client_mcp(servers[1])],  # type: ignore[list-item]
    )
    assert response.output_text == "Tool said: 42"
    offered = offered_tools(scripted)
    assert "m_add" in offered
    assert "add" not in offered
    calls = [item for item in response.output if item.type == "mcp_call"]
    assert [(c.server_label, c.name) for c in calls] == [("mine", "m_add")]


async def test_merged_tools_and_label_clash(
    sdk: openai.AsyncOpenAI, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    await sdk.responses.create(
        model=MODEL,
        input="Hello",
        tools=[_client_mcp(servers[1])],  # type: ignore[list-item]
        extra_headers=MERGE,
    )
    assert {"add", "m_add"} <= offered_tools(scripted)
    with pytest.raises(openai.ConflictError) as clash:
        await sdk.responses.create(
            model=MODEL,
            input="Hello",
            tools=[_client_mcp(servers[1], label="calc")],  # type: ignore[list-item]
            extra_headers=MERGE,
        )
    assert clash.value.body == {
        "detail": {
            "response": "Tool conflict",
            "cause": "The client MCP tool 'calc' has the label of an MCP server configured on the "
            "server.",
        }
    }


async def test_tool_choice_none_offers_no_call(
    sdk: openai.AsyncOpenAI, scripted: BackgroundServer
) -> None:
    response = await sdk.responses.create(model=MODEL, input="Hello", tool_choice="none")
    assert response.output_text == "Hello from stub"
    assert scripted.backend.requests[-1].get("tool_choice") in (None, "none")
