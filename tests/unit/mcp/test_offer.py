"""Server MCP tools turned into function tools, and their calls (scripted lister and opener)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp.shared.exceptions import MCPError

from lightspeed_core.mcp.base import McpServerSpec
from lightspeed_core.mcp.health import McpHealth
from lightspeed_core.mcp.offer import offer_as_functions
from lightspeed_core.mcp.pool import McpSessionPool, Notify, Session
from lightspeed_core.metrics.registry import Metrics

CALC = McpServerSpec(name="calc", url="http://calc.internal:8080/mcp")
GATED = McpServerSpec(name="gated", url="http://gated.internal/mcp", require_approval="always")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str = ""
    input_schema: dict[str, Any] = field(default_factory=dict)


async def lister(url: str, headers: Mapping[str, str], seconds: float) -> list[Tool]:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    return [Tool("add", "Add.", schema), Tool("whoami")]


@dataclass(frozen=True)
class Text:
    text: str
    type: str = "text"


@dataclass(frozen=True)
class Result:
    content: list[Text]
    is_error: bool = False


class Server:
    """A scripted MCP server behind the pool's opener."""

    def __init__(self) -> None:
        self.opened: list[dict[str, str]] = []
        self.error: BaseException | None = None
        self.is_error = False

    @contextlib.asynccontextmanager
    async def __call__(
        self, url: str, headers: dict[str, str], seconds: float, transport: int, notify: Notify
    ) -> AsyncIterator[Session]:
        self.opened.append(headers)
        server = self

        class Open:
            async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
                if server.error is not None:
                    raise server.error
                text = f"{name} {sorted((arguments or {}).items())} {headers}"
                return Result([Text(text), Text("more")], server.is_error)

        yield Open()


def _mcp(spec: McpServerSpec, **extra: Any) -> dict[str, Any]:
    return {
        "type": "mcp",
        "server_label": spec.name,
        "server_url": spec.url,
        "require_approval": spec.require_approval,
        **extra,
    }


async def test_server_tools_become_function_tools_and_run_over_the_pool() -> None:
    server, health = Server(), McpHealth(lister=lister)
    pool = McpSessionPool(opener=server)
    tools = [
        {"type": "file_search", "vector_store_ids": ["v"]},
        _mcp(CALC, authorization="tok", headers={"x-rh-identity": "alice"}),
        _mcp(GATED),  # require_approval: stays with OGX
        _mcp(McpServerSpec(name="client", url="http://elsewhere/mcp")),  # not ours
    ]
    try:
        offered, functions = await offer_as_functions(tools, [CALC, GATED], health, pool)
        assert functions is not None
        assert [t.get("name") or t.get("server_label") or t["type"] for t in offered] == [
            "file_search",
            "gated",
            "client",
            "add",
            "whoami",
        ]
        add = offered[3]
        assert add == {
            "type": "function",
            "name": "add",
            "description": "Add.",
            "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}},
        }
        assert offered[4]["parameters"] == {"type": "object", "properties": {}, "required": []}
        assert functions.handles("add")
        assert not functions.handles("list_skills")
        output = await functions.call("add", {"a": 1})
        assert output.ok
        assert output.content.startswith("add [('a', 1)]")
        assert output.content.endswith(" more")  # text parts joined as OGX joined them
        await functions.call("whoami", {})
        expected = {"x-rh-identity": "alice", "Authorization": "Bearer tok"}
        assert server.opened == [expected]  # one session for both calls
    finally:
        await pool.close()


async def test_allowed_tools_and_nothing_to_offer() -> None:
    health = McpHealth(lister=lister)
    pool = McpSessionPool(opener=Server())
    try:
        offered, functions = await offer_as_functions(
            [_mcp(CALC, allowed_tools=["whoami"])], [CALC], health, pool
        )
        assert [t["name"] for t in offered] == ["whoami"]
        assert functions is not None
        assert not functions.handles("add")
        plain = [{"type": "file_search"}]
        assert await offer_as_functions(plain, [CALC], health, pool) == (plain, None)
    finally:
        await pool.close()


async def test_trace_headers_get_a_session_of_their_own() -> None:
    server, health = Server(), McpHealth(lister=lister)
    pool = McpSessionPool(opener=server)
    try:
        traced = _mcp(CALC, headers={"traceparent": "00-a-b-01"})
        _, functions = await offer_as_functions([traced], [CALC], health, pool)
        assert functions is not None
        await functions.call("add", {"a": 1})
        assert server.opened == [{"traceparent": "00-a-b-01"}]
        assert len(pool) == 0  # not pooled
    finally:
        await pool.close()


async def test_failures_name_the_server_never_its_url() -> None:
    metrics = Metrics()
    server, health = Server(), McpHealth(metrics, lister=lister)
    pool = McpSessionPool(opener=server)
    try:
        _, functions = await offer_as_functions([_mcp(CALC)], [CALC], health, pool)
        assert functions is not None
        server.is_error = True
        failed = await functions.call("add", {"a": 1})
        assert not failed.ok  # the tool's own error: its text
        assert failed.content.startswith("add")
        server.is_error = False
        server.error = MCPError(-32602, "Unknown tool: add")
        answered = await functions.call("add", {})
        assert (answered.ok, answered.content) == (False, "Unknown tool: add")
        assert (await health.check(CALC, {})).ok  # the server answered: still healthy
        server.error = ConnectionError(f"cannot reach {CALC.url}")
        down = await functions.call("add", {})
        assert not down.ok
        assert down.content == "MCP server 'calc' is unavailable (ConnectionError)."
        assert not (await health.check(CALC, {})).ok  # left out of the next requests
        counted = metrics.registry.get_sample_value(
            "ls_mcp_server_failures_total", {"server": "calc"}
        )
        assert counted == 1
    finally:
        await pool.close()
