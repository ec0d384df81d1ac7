"""Server MCP tools offered from the cached listing, their calls over pooled sessions.

Real OGX, real MCP servers that log every HTTP request they receive: later queries do not
list the tools again, tool calls reuse one open session per server and caller, and one
caller's credentials never reach another caller's call (the calls and results themselves:
``test_tool_calls.py``; a server killed mid-run: ``test_failing_servers.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import pytest

from lightspeed_core.mcp.service import McpToolService
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools, quiet, whoami
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("mcp-pooled")

ADD = '[[tool:add {"a": 1, "b": 2}]]'
USERS = {"alice": "alice-token", "bob": "bob-token", "carol": "carol-token"}


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(
        ServerOptions(tokens=None),
        ServerOptions(tokens=frozenset(USERS.values()), prefix="u_"),
    ) as started:
        yield started


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    calc, personal = servers
    config = stub_config(
        scripted.base_url,
        mcp_servers=[
            {"name": "calc", "url": calc.url},
            {
                "name": "personal",
                "url": personal.url,
                "authorization_headers": {"Authorization": "client"},
            },
        ],
    )
    async with running_app(config, tmp_path_factory.mktemp("mcp-pooled")) as running:
        yield running


def _headers(user: str) -> dict[str, str]:
    return {"MCP-HEADERS": json.dumps({"personal": {"Authorization": f"Bearer {USERS[user]}"}})}


def _posts(server: McpTestServer) -> list[str]:
    return [r.path for r in server.received if r.method == "POST"]


async def test_the_listing_is_reused_across_requests(
    app: RunningApp, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    calc = servers[0]
    assert (await app.client.post("/v1/query", json=quiet("hi"))).status_code == 200
    calc.clear()
    for _ in range(3):
        response = await app.client.post("/v1/query", json=quiet("hi"))
        assert response.status_code == 200, response.text
        assert {"add", "whoami", "big"} <= offered_tools(scripted)
    assert calc.received == []  # no session, no tools/list: the cached listing was offered
    stream = await app.client.post("/v1/streaming_query", json=quiet("hi"))
    assert stream.status_code == 200
    assert calc.received == []


async def test_tool_calls_reuse_one_session(app: RunningApp, servers: list[McpTestServer]) -> None:
    calc = servers[0]
    first = await app.client.post("/v1/query", json=quiet(ADD))
    assert first.json()["tool_results"][0]["content"] == "3"
    calc.clear()
    for _ in range(2):
        body = (await app.client.post("/v1/query", json=quiet(ADD))).json()
        assert body["tool_results"][0]["content"] == "3"
        stream = await app.client.post("/v1/streaming_query", json=quiet(ADD))
        assert '"event": "tool_result"' in stream.text
    assert len(_posts(calc)) == 4  # one tools/call each: no initialize, no tools/list


async def test_a_users_credentials_never_serve_another_user(
    app: RunningApp, servers: list[McpTestServer]
) -> None:
    personal = servers[1]
    personal.clear()

    async def ask(user: str) -> str:
        response = await app.client.post(
            "/v1/query", json=quiet("[[tool:u_whoami {}]]"), headers=_headers(user)
        )
        assert response.status_code == 200, response.text
        return whoami(response.json())["authorization"]

    users = ["alice", "bob", "carol", "alice", "bob", "carol"] * 2
    seen = await asyncio.gather(*(ask(user) for user in users))
    assert seen == [f"Bearer {USERS[user]}" for user in users]
    for user in ("alice", "bob"):  # sequentially too, each over its own pooled session
        assert await ask(user) == f"Bearer {USERS[user]}"
    calls = [r.headers["authorization"] for r in personal.received if r.method == "POST"]
    assert set(calls) <= {f"Bearer {token}" for token in USERS.values()}
    tools = app.services.tools
    assert isinstance(tools, McpToolService)
    assert len(tools.pool) >= 3  # one session per caller's headers (calc's may be open too)


async def test_a_caller_without_credentials_is_not_offered_the_server(
    app: RunningApp, scripted: BackgroundServer
) -> None:
    await app.client.post("/v1/query", json=quiet("[[tool:u_whoami {}]]"), headers=_headers("bob"))
    response = await app.client.post("/v1/query", json=quiet("hi"))
    assert response.status_code == 200
    assert "u_whoami" not in offered_tools(scripted)  # bob's session is not anyone's


async def test_a_restarted_server_is_reconnected(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The pooled session dies with the server; the next call reconnects and succeeds."""
    first = McpTestServer(ServerOptions(tokens=None, prefix="r_")).start()
    port = first.port
    config = stub_config(scripted.base_url, mcp_servers=[{"name": "re", "url": first.url}])
    query = quiet('[[tool:r_add {"a": 2, "b": 2}]]')
    try:
        async with running_app(config, tmp_path_factory.mktemp("mcp-restart")) as running:
            assert (await running.client.post("/v1/query", json=query)).json()["tool_results"][0][
                "content"
            ] == "4"
            first.stop()
            with McpTestServer(ServerOptions(tokens=None, prefix="r_"), port=port) as second:
                body = (await running.client.post("/v1/query", json=query)).json()
                assert body["tool_results"][0] == {**body["tool_results"][0], "content": "4"}
                assert body["tool_results"][0]["status"] == "success"
                methods = [r.method for r in second.received]
                assert "POST" in methods  # a new session: initialize, then the call
    finally:
        first.stop()
