"""One failing MCP server must not break queries for everyone.

A configured server that is down, one that answers HTTP 200 but is no MCP server, one that
dies while the service runs, and two servers offering the same tool name: queries still
answer 200, ``/v1/tools`` lists the healthy servers' tools only, and no error body shows an
MCP server's URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools, quiet
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("mcp-failing")

ADD = '[[tool:add {"a": 1, "b": 2}]]'
DOWN = "http://127.0.0.1:9/mcp"


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(
        ServerOptions(tokens=None),  # calc: add, whoami, big
        ServerOptions(tokens=None, not_mcp=True),  # answers 200, but no MCP
        ServerOptions(tokens=None),  # twin: the same tool names as calc
        ServerOptions(tokens=None, prefix="x_"),  # other: its own names
    ) as started:
        yield started


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    calc, web, twin, other = servers
    config = stub_config(
        scripted.base_url,
        mcp_servers=[
            {"name": "down", "url": DOWN, "timeout": 2},
            {"name": "calc", "url": calc.url},
            {"name": "web", "url": web.url, "timeout": 2},
            {"name": "twin", "url": twin.url},
            {"name": "other", "url": other.url},
        ],
    )
    async with running_app(config, tmp_path_factory.mktemp("mcp-failing")) as running:
        yield running


def _no_url(text: str) -> None:
    assert "127.0.0.1" not in text  # every test server, and DOWN, listen there
    assert "http://" not in text


async def test_queries_answer_with_the_healthy_servers(
    app: RunningApp, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    response = await app.client.post("/v1/query", json=quiet(ADD))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response"] == "Tool said: 3"
    assert {"add", "whoami", "x_add"} <= offered_tools(scripted)
    stream = await app.client.post("/v1/streaming_query", json=quiet("hello"))
    assert stream.status_code == 200
    assert '"event": "error"' not in stream.text
    _no_url(stream.text)


async def test_the_clashing_tool_goes_to_the_first_server(
    app: RunningApp, scripted: BackgroundServer
) -> None:
    """calc and twin both offer add, whoami and big: calc (configured first) keeps them."""
    response = await app.client.post("/v1/query", json=quiet(ADD))
    assert response.status_code == 200, response.text
    assert response.json()["response"] == "Tool said: 3"
    offered = [t["function"]["name"] for t in scripted.backend.requests[-1].get("tools") or []]
    assert sorted(offered) == sorted(set(offered))
    assert {"add", "whoami", "big", "x_add"} <= set(offered)


async def test_tools_lists_healthy_servers_only(
    app: RunningApp, servers: list[McpTestServer]
) -> None:
    response = await app.client.get("/v1/tools")
    assert response.status_code == 200
    tools: list[dict[str, Any]] = response.json()["tools"]
    groups = {t["toolgroup_id"] for t in tools}
    assert {"calc", "other"} <= groups
    assert not {"down", "web"} & groups
    adds = [t for t in tools if t["identifier"] == "add"]
    assert [t["toolgroup_id"] for t in adds] == ["calc"]
    unavailable = response.json()["unavailable_servers"]
    assert sorted(s["name"] for s in unavailable) == ["down", "web"]
    assert all(s["reason"] for s in unavailable)
    _no_url(str(unavailable))  # tools carry their server's URL (server_source), reasons not
    metrics = (await app.client.get("/metrics")).text
    assert 'ls_mcp_server_failures_total{server="down"}' in metrics
    assert 'ls_mcp_server_failures_total{server="web"}' in metrics
    assert 'ls_mcp_server_failures_total{server="calc"}' not in metrics


async def test_a_server_that_dies_is_left_out(
    scripted: BackgroundServer,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Killed mid-run: its tool call fails (named, never by URL), then it is left out."""
    with mcp_servers(ServerOptions(tokens=None, prefix="d_")) as [dying]:
        config = stub_config(
            scripted.base_url, mcp_servers=[{"name": "dying", "url": dying.url, "timeout": 2}]
        )
        async with running_app(config, tmp_path_factory.mktemp("mcp-dying")) as running:
            first = await running.client.post(
                "/v1/query", json=quiet('[[tool:d_add {"a": 1, "b": 2}]]')
            )
            assert first.status_code == 200
            assert first.json()["tool_results"][0]["content"] == "3"
            assert "d_add" in offered_tools(scripted)
            listed = (await running.client.get("/v1/tools")).json()
            assert "unavailable_servers" not in listed  # the reference's body while all work
            dying.stop()  # its listing is still fresh, its pooled session open
            stream = await running.client.post(
                "/v1/streaming_query", json=quiet('[[tool:d_add {"a": 1, "b": 2}]]')
            )
            assert stream.status_code == 200
            assert '"event": "error"' not in stream.text
            assert '"event": "end"' in stream.text
            assert '"status": "failure"' in stream.text
            assert "MCP server 'dying' is unavailable" in stream.text
            _no_url(stream.text)
            assert "MCP server 'dying' failed a tool call" in caplog.text
            for _ in range(3):
                response = await running.client.post("/v1/query", json=quiet("hello"))
                assert response.status_code == 200, response.text
                _no_url(response.text)
            assert "d_add" not in offered_tools(scripted)
            listed = (await running.client.get("/v1/tools")).json()
            assert [s["name"] for s in listed["unavailable_servers"]] == ["dying"]
            assert not [t for t in listed["tools"] if t["toolgroup_id"] == "dying"]
            metrics = (await running.client.get("/metrics")).text
            assert 'ls_mcp_server_failures_total{server="dying"}' in metrics


async def test_responses_retry_without_a_server_that_died(
    scripted: BackgroundServer,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``/v1/responses`` (OGX's own events) shows one response, not the failed attempt."""
    with mcp_servers(ServerOptions(tokens=None, prefix="r_")) as [dying]:
        config = stub_config(
            scripted.base_url, mcp_servers=[{"name": "dying", "url": dying.url, "timeout": 2}]
        )
        async with running_app(config, tmp_path_factory.mktemp("mcp-dying-r")) as running:
            body = {"input": "hello", "generate_topic_summary": False}
            first = await running.client.post("/v1/responses", json=body)
            assert first.status_code == 200, first.text
            dying.stop()
            stream = await running.client.post("/v1/responses", json={**body, "stream": True})
            assert stream.status_code == 200
            assert stream.text.count("event: response.created") == 1
            assert "event: response.completed" in stream.text
            assert "response.failed" not in stream.text
            _no_url(stream.text)
            assert "MCP server 'dying' failed: answering without it" in caplog.text
            again = await running.client.post("/v1/responses", json=body)
            assert again.status_code == 200, again.text
            _no_url(again.text)
