"""The OAuth probe: an MCP server answering 401 makes our endpoints answer the contract's 401."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools, quiet, whoami
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions
from tests.support.processes import free_port

pytestmark = pytest.mark.xdist_group("mcp-oauth")

BOTH = json.dumps(
    {"oauth": {"Authorization": "Bearer oauth-token"}, "bare": {"Authorization": "bare-token"}}
)
CHALLENGE_PREFIX = 'Bearer resource_metadata="http://127.0.0.1:'


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(
        ServerOptions(tokens=frozenset({"oauth-token"}), prefix="o_"),
        ServerOptions(tokens=frozenset({"bare-token"}), prefix="b_", www_authenticate=False),
    ) as started:
        yield started


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    oauth, bare = servers
    config = stub_config(
        scripted.base_url,
        mcp_servers=[
            {
                "name": "oauth",
                "url": oauth.url,
                "authorization_headers": {"Authorization": "oauth"},
            },
            {"name": "bare", "url": bare.url, "authorization_headers": {"Authorization": "oauth"}},
            {"name": "down", "url": f"http://127.0.0.1:{free_port()}/mcp"},
        ],
    )
    async with running_app(config, tmp_path_factory.mktemp("mcp-oauth")) as running:
        yield running


def _assert_oauth_401(response: httpx.Response, url: str, challenge: bool) -> None:
    assert response.status_code == 401
    assert response.json() == {
        "detail": {
            "response": "Missing or invalid credentials provided by client",
            "cause": f"MCP server at {url} requires OAuth",
        }
    }
    if challenge:
        assert response.headers["www-authenticate"].startswith(CHALLENGE_PREFIX)
    else:
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/query", quiet("hi")),
        ("/v1/streaming_query", quiet("hi")),
        ("/v1/streaming_query", quiet("hi", media_type="text/plain")),
        ("/v1/tools", None),
    ],
)
async def test_401_relays_the_upstream_challenge(
    app: RunningApp, servers: list[McpTestServer], path: str, body: dict[str, Any] | None
) -> None:
    if body is None:
        response = await app.client.get(path)
    else:
        response = await app.client.post(path, json=body)
    _assert_oauth_401(response, servers[0].url, challenge=True)


async def test_401_without_challenge(app: RunningApp, servers: list[McpTestServer]) -> None:
    only_oauth = json.dumps({"oauth": {"Authorization": "Bearer oauth-token"}})
    response = await app.client.post(
        "/v1/query", json=quiet("hi"), headers={"MCP-HEADERS": only_oauth}
    )
    _assert_oauth_401(response, servers[1].url, challenge=False)


async def test_tokens_from_mcp_headers_pass(
    app: RunningApp,
    servers: list[McpTestServer],
    scripted: BackgroundServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, "lightspeed_core"):
        response = await app.client.post(
            "/v1/query", json=quiet("[[tool:o_whoami {}]]"), headers={"MCP-HEADERS": BOTH}
        )
    assert response.status_code == 200, response.text
    assert whoami(response.json())["authorization"] == "Bearer oauth-token"
    assert {"o_whoami", "b_whoami"} <= offered_tools(scripted)
    assert "MCP server 'down' skipped for this request: unreachable" in caplog.text
    assert "oauth-token" not in caplog.text


async def test_probe_results_are_cached(
    app: RunningApp, servers: list[McpTestServer], scripted: BackgroundServer
) -> None:
    oauth = servers[0]
    await app.client.post("/v1/query", json=quiet("hi"), headers={"MCP-HEADERS": BOTH})
    oauth.clear()
    for _ in range(3):
        response = await app.client.post(
            "/v1/query", json=quiet("hi"), headers={"MCP-HEADERS": BOTH}
        )
        assert response.status_code == 200
    # no new probe, and no new listing: the tools were offered from the cached listing
    assert oauth.received == []
    assert {"o_whoami", "b_whoami"} <= offered_tools(scripted)
