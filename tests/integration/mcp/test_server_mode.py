"""MCP through a remote OGX server (``ogx run``): credentials, tool calls, built-in tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.api.test_backend_modes import ogx_server, server_config
from tests.integration.mcp.helpers import mcp_servers, quiet, whoami
from tests.support.app import running_app
from tests.support.mcp_server import ServerOptions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mcp-server-mode")]
__all__ = ["ogx_server"]  # the module-scoped ``ogx run`` fixture


async def test_tool_calls_in_server_mode(ogx_server: str, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("Bearer mcp-secret")
    with mcp_servers(ServerOptions()) as [server]:
        config = {
            **server_config(ogx_server),
            "mcp_servers": [
                {
                    "name": "calc",
                    "url": server.url,
                    "authorization_headers": {"Authorization": "token"},
                    "headers": ["x-rh-identity"],
                }
            ],
        }
        async with running_app(config, tmp_path) as app:
            assert app.services.llm.mode == "server"
            answer = await app.client.post(
                "/v1/query", json=quiet("[[tool:whoami {}]]"), headers={"x-rh-identity": "me"}
            )
            assert answer.status_code == 200, answer.text
            received = whoami(answer.json())
            assert received["authorization"] == "Bearer mcp-secret"
            assert received["x-rh-identity"] == "me"
            stream = await app.client.post(
                "/v1/streaming_query", json=quiet('[[tool:add {"a": 1, "b": 2}]]')
            )
            events = [json.loads(line[6:]) for line in stream.text.splitlines() if line]
            assert [e["event"] for e in events][1:3] == ["tool_call", "tool_result"]
            assert events[2]["data"]["content"] == "3"
            listing = await app.client.get("/v1/tools")
            assert listing.status_code == 200, listing.text
            tools = listing.json()["tools"]
            sources = {t["identifier"]: t["server_source"] for t in tools}
            assert sources["add"] == server.url  # OGX 1.5's server cannot list its built-ins


async def test_a_server_that_dies_is_left_out_in_server_mode(
    ogx_server: str, tmp_path: Path
) -> None:
    """The remote OGX's MCP failure names the server by URL too: retried without it."""
    with mcp_servers(ServerOptions(tokens=None, prefix="d_")) as [dying]:
        config = {
            **server_config(ogx_server),
            "mcp_servers": [{"name": "dying", "url": dying.url, "timeout": 2}],
        }
        async with running_app(config, tmp_path) as app:
            first = await app.client.post("/v1/query", json=quiet("hi"))
            assert first.status_code == 200, first.text
            dying.stop()
            for _ in range(2):
                answer = await app.client.post("/v1/query", json=quiet("hi"))
                assert answer.status_code == 200, answer.text
                assert "127.0.0.1" not in answer.text
