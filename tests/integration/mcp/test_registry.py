"""``/v1/mcp-servers``: registrations stored in SQLite / PostgreSQL, used, and kept on restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, quiet, whoami
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import ServerOptions

pytestmark = pytest.mark.xdist_group("mcp-registry")

CONFIGURED = {"name": "static", "url": "http://127.0.0.1:9/mcp"}


async def _check_errors(app: RunningApp, url: str) -> None:
    client = app.client
    duplicate = await client.post("/v1/mcp-servers", json={"name": "dyn", "url": url})
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == {
        "response": "Mcp Server already exists",
        "cause": "Mcp Server with name 'dyn' is already registered",
    }
    clash = await client.post("/v1/mcp-servers", json={"name": "static", "url": url})
    assert clash.status_code == 409
    outside = await client.post(
        "/v1/mcp-servers", json={"name": "x", "url": "https://mcp.example.com/mcp"}
    )
    assert outside.status_code == 422
    assert outside.json()["detail"]["response"] == "Invalid attribute value"
    assert "'mcp.example.com' is not allowed" in outside.json()["detail"]["cause"]
    file_secret = await client.post(
        "/v1/mcp-servers",
        json={"name": "x", "url": url, "authorization_headers": {"Authorization": "/etc/key"}},
    )
    assert file_secret.status_code == 422
    assert file_secret.json()["detail"][0]["loc"] == ["body", "authorization_headers"]
    for bad_url in ("ftp://127.0.0.1/mcp", "file:///etc/passwd", "127.0.0.1:9/mcp"):
        scheme = await client.post("/v1/mcp-servers", json={"name": "x", "url": bad_url})
        assert scheme.status_code == 422
        (error,) = scheme.json()["detail"]
        assert error["loc"] == ["body", "url"]
        assert "URL must use http:// or https:// scheme" in error["msg"]  # the reference's text
    static = await client.delete("/v1/mcp-servers/static")
    assert static.status_code == 403
    assert static.json()["detail"] == {
        "response": "Cannot delete statically configured MCP server",
        "cause": "MCP server 'static' is defined in configuration and cannot be removed via "
        "the API.",
    }


async def test_register_use_list_restart_delete(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    config = stub_config(scripted.base_url, database=database_block, mcp_servers=[CONFIGURED])
    with mcp_servers(ServerOptions(prefix="d_")) as [server]:
        async with running_app(config, tmp_path) as app:
            registration = {
                "name": "dyn",
                "url": server.url,
                "authorization_headers": {"Authorization": "client"},
                "headers": ["x-rh-identity"],
                "timeout": 5,
            }
            created = await app.client.post("/v1/mcp-servers", json=registration)
            assert created.status_code == 201
            assert created.json() == {
                "name": "dyn",
                "url": server.url,
                "provider_id": "model-context-protocol",
                "message": "MCP server 'dyn' registered successfully",
            }
            headers = {
                "MCP-HEADERS": json.dumps({"dyn": {"Authorization": "Bearer mcp-secret"}}),
                "x-rh-identity": "who",
            }
            body = (
                await app.client.post(
                    "/v1/query", json=quiet("[[tool:d_whoami {}]]"), headers=headers
                )
            ).json()
            assert whoami(body)["authorization"] == "Bearer mcp-secret"
            assert whoami(body)["x-rh-identity"] == "who"
            options = (await app.client.get("/v1/mcp-auth/client-options")).json()
            assert options == {
                "servers": [{"name": "dyn", "client_auth_headers": ["Authorization"]}]
            }
            await _check_errors(app, server.url)

        async with running_app(config, tmp_path) as app:  # a restart keeps the registration
            listed = (await app.client.get("/v1/mcp-servers")).json()
            assert listed == {
                "servers": [
                    {**CONFIGURED, "provider_id": "model-context-protocol", "source": "config"},
                    {
                        "name": "dyn",
                        "url": server.url,
                        "provider_id": "model-context-protocol",
                        "source": "api",
                    },
                ]
            }
            deleted = await app.client.delete("/v1/mcp-servers/dyn")
            assert deleted.json() == {
                "deleted": True,
                "name": "dyn",
                "response": "MCP server deleted successfully",
            }
            again = await app.client.delete("/v1/mcp-servers/dyn")
            assert again.status_code == 200
            assert again.json() == {
                "deleted": False,
                "name": "dyn",
                "response": "MCP server not found",
            }
            server.clear()
            await app.client.post("/v1/query", json=quiet("hi"), headers=headers)
            assert server.received == []  # no longer offered
