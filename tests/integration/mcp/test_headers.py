"""Every source of MCP headers, asserted on what a real MCP server received (contract §9)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, offered_tools, quiet, whoami
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("mcp-headers")

CALLER = "caller-token"
SECRETS = ("file-token", "rotated-token", CALLER, "client-token", "override-token")


@dataclass
class Setup:
    app: RunningApp
    files: McpTestServer
    kube: McpTestServer
    client: McpTestServer
    folder: Path

    async def ask(self, query: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.app.client.post(
            "/v1/query",
            json=quiet(query),
            headers={"Authorization": f"Bearer {CALLER}", **(headers or {})},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(
        ServerOptions(tokens=frozenset({"file-token", "rotated-token"}), prefix="f_"),
        ServerOptions(tokens=frozenset({CALLER, "override-token"}), prefix="k_"),
        ServerOptions(tokens=frozenset({"client-token"}), prefix="c_"),
    ) as started:
        yield started


@pytest.fixture(scope="module")
async def setup(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Setup]:
    folder = tmp_path_factory.mktemp("mcp-headers")
    (folder / "token").write_text("file-token\n")
    (folder / "x-secret").write_text("from-file")
    files, kube, client = servers
    config = stub_config(
        scripted.base_url,
        authentication={"module": "noop-with-token"},
        mcp_servers=[
            {
                "name": "files",
                "url": files.url,
                "authorization_headers": {"Authorization": "token", "X-Secret": "x-secret"},
                "headers": ["x-rh-identity", "x-secret"],
            },
            {
                "name": "kube",
                "url": kube.url,
                "authorization_headers": {"Authorization": "kubernetes"},
            },
            {
                "name": "client",
                "url": client.url,
                "authorization_headers": {"Authorization": "client", "X-Api-Key": "client"},
            },
            {
                "name": "absent",
                "url": "http://127.0.0.1:9/mcp",
                "authorization_headers": {"Authorization": "no-such-file"},
            },
        ],
    )
    async with running_app(config, folder) as app:
        yield Setup(app, files, kube, client, folder)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing logged at the service's level (INFO), nor our own DEBUG, shows a credential."""
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, "lightspeed_core"):
        yield
    for secret in SECRETS:
        assert secret not in caplog.text


async def test_file_secret_and_propagated_headers(setup: Setup) -> None:
    body = await setup.ask(
        "[[tool:f_whoami {}]]", {"x-rh-identity": "identity-1", "X-Secret": "from-request"}
    )
    received = whoami(body)
    assert received["authorization"] == "Bearer file-token"
    assert received["x-secret"] == "from-file"  # a secret file beats a propagated header
    assert received["x-rh-identity"] == "identity-1"
    assert body["response"].startswith("Tool said: {")


async def test_client_headers_beat_secret_files(setup: Setup) -> None:
    mcp_headers = json.dumps({"files": {"x-secret": "from-client"}})
    body = await setup.ask("[[tool:f_whoami {}]]", {"MCP-HEADERS": mcp_headers})
    assert whoami(body)["x-secret"] == "from-client"
    assert whoami(body)["authorization"] == "Bearer file-token"


async def test_rotated_secret_file_is_used_without_restart(setup: Setup) -> None:
    token = setup.folder / "token"
    try:
        token.write_text("rotated-token")
        body = await setup.ask("[[tool:f_whoami {}]]")
        assert whoami(body)["authorization"] == "Bearer rotated-token"
    finally:
        token.write_text("file-token\n")
    body = await setup.ask("[[tool:f_whoami {}]]")
    assert whoami(body)["authorization"] == "Bearer file-token"


async def test_kubernetes_forwards_the_callers_token(setup: Setup) -> None:
    body = await setup.ask("[[tool:k_whoami {}]]")
    assert whoami(body)["authorization"] == f"Bearer {CALLER}"


async def test_client_headers_beat_the_kubernetes_token(setup: Setup) -> None:
    mcp_headers = json.dumps({"kube": {"Authorization": "Bearer override-token"}})
    body = await setup.ask("[[tool:k_whoami {}]]", {"MCP-HEADERS": mcp_headers})
    assert whoami(body)["authorization"] == "Bearer override-token"


async def test_client_supplied_credentials(setup: Setup) -> None:
    mcp_headers = json.dumps(
        {"client": {"Authorization": "Bearer client-token", "X-Api-Key": "key-1"}}
    )
    body = await setup.ask("[[tool:c_whoami {}]]", {"MCP-HEADERS": mcp_headers})
    received = whoami(body)
    assert received["authorization"] == "Bearer client-token"
    assert received["x-api-key"] == "key-1"


async def test_unresolved_servers_are_skipped_and_logged(
    setup: Setup, scripted: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    setup.client.clear()
    body = await setup.ask("Say hello")
    assert body["response"] == "Hello from stub"
    offered = offered_tools(scripted)
    assert {"f_whoami", "k_whoami"} <= offered
    assert not any(name.startswith("c_") for name in offered)
    assert setup.client.received == []  # never contacted, not even probed
    assert "'client' skipped for this request: unresolved Authorization (client value" in (
        caplog.text
    )
    assert "'absent' skipped for this request: unresolved Authorization (secret file" in (
        caplog.text
    )


async def test_invalid_mcp_headers_are_ignored(setup: Setup) -> None:
    body = await setup.ask("[[tool:f_whoami {}]]", {"MCP-HEADERS": "{not json"})
    assert whoami(body)["authorization"] == "Bearer file-token"


async def test_client_auth_options(setup: Setup) -> None:
    response = await setup.app.client.get(
        "/v1/mcp-auth/client-options", headers={"Authorization": f"Bearer {CALLER}"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "servers": [{"name": "client", "client_auth_headers": ["Authorization", "X-Api-Key"]}]
    }


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"files": {"Host": "evil.example"}}, "'Host' cannot be sent to an MCP server"),
        ({"files": {"Content-Length": "1"}}, "'Content-Length' cannot be sent"),
        ({"files": {"Transfer-Encoding": "chunked"}}, "'Transfer-Encoding' cannot be sent"),
        ({"files": {"x-rh-identity": "spoofed"}}, "'x-rh-identity' may not be set by the client"),
        ({"client": {"X-Api-Key": "\u20ac"}}, "the value of 'X-Api-Key' must be visible Latin-1"),
    ],
)
async def test_headers_a_client_may_not_set_are_400(
    setup: Setup, entry: dict[str, dict[str, str]], reason: str
) -> None:
    calls = len(setup.files.received)
    response = await setup.app.client.post(
        "/v1/query",
        json=quiet("[[tool:f_whoami {}]]"),
        headers={"Authorization": f"Bearer {CALLER}", "MCP-HEADERS": json.dumps(entry)},
    )
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail["response"] == "Invalid MCP-HEADERS"
    assert reason in detail["cause"]
    assert "evil.example" not in response.text
    assert "spoofed" not in response.text
    assert len(setup.files.received) == calls  # refused before any server was contacted
