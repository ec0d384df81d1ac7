"""``McpToolService``: the :class:`~lightspeed_core.mcp.base.ToolService` for MCP servers.

Per request: the servers (configured + registered) → headers merged for the caller
(:mod:`~lightspeed_core.mcp.headers`; unresolved servers skipped and logged) → the OAuth
probe, concurrently and cached (:mod:`~lightspeed_core.mcp.probe`; a 401 becomes the
contract's 401, an unreachable server is skipped) → Responses ``mcp`` tools for OGX, or the
direct tool listing for ``/v1/tools``. At the model call, :meth:`McpToolService.offer` turns
the ``mcp`` tools into function tools from the cached listings and runs their calls over
pooled sessions (:mod:`~lightspeed_core.mcp.offer`, :mod:`~lightspeed_core.mcp.pool`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lightspeed_core.llm.functions import FunctionTools
from lightspeed_core.mcp.base import McpServerSpec, ToolCatalog, ToolRequest
from lightspeed_core.mcp.headers import (
    MCP_HEADERS,
    Resolution,
    SecretFiles,
    describe_missing,
    ogx_tool,
    parse_client_headers,
    resolve_headers,
)
from lightspeed_core.mcp.health import Health, McpHealth
from lightspeed_core.mcp.listing import mcp_catalog
from lightspeed_core.mcp.offer import offer_as_functions
from lightspeed_core.mcp.pool import McpSessionPool
from lightspeed_core.mcp.probe import McpProbe
from lightspeed_core.mcp.registry import McpRegistry

log = logging.getLogger(__name__)


class McpToolService:
    """MCP servers from the configuration and the database, resolved per request."""

    def __init__(
        self,
        registry: McpRegistry,
        secrets: SecretFiles,
        probe: McpProbe,
        health: McpHealth | None = None,
        pool: McpSessionPool | None = None,
    ) -> None:
        self.registry = registry
        self.secrets = secrets
        self.probe = probe
        self.health = health or McpHealth()
        self.pool = pool or McpSessionPool()
        self._clashes_logged: set[tuple[str, tuple[str, ...]]] = set()

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        tools = []
        for resolution, allowed in self._kept(await self._usable(request)):
            tool = ogx_tool(resolution)
            if tool is not None:
                if allowed is not None:
                    tool["allowed_tools"] = list(allowed)
                tools.append(tool)
        return tools

    async def catalog(self, request: ToolRequest) -> ToolCatalog:
        failed: list[tuple[str, str]] = []
        kept = self._kept(await self._usable(request, failed))
        listed = await mcp_catalog([(r.server, r.headers) for r, _ in kept])
        allowed = {r.server.name: names for r, names in kept}
        tools = [
            tool
            for tool in listed.tools
            if (names := allowed.get(tool.toolgroup_id)) is None or tool.identifier in names
        ]
        return ToolCatalog(tools, [*failed, *listed.unavailable])

    async def offer(
        self, tools: Sequence[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], FunctionTools | None]:
        if not any(tool.get("type") == "mcp" for tool in tools):
            return list(tools), None
        servers = await self.registry.servers()
        return await offer_as_functions(tools, servers, self.health, self.pool)

    def report_failure(self, label: str, reason: str) -> None:
        self.health.report_failure(label, reason)

    async def recheck(self, tools: Sequence[Mapping[str, Any]]) -> list[str]:
        specs = {server.name: server for server in await self.registry.servers()}
        checked: list[tuple[str, Awaitable[Health]]] = []
        for tool in tools:
            spec = specs.get(str(tool.get("server_label")))
            if tool.get("type") != "mcp" or spec is None:
                continue
            headers = {str(k): str(v) for k, v in (tool.get("headers") or {}).items()}
            if tool.get("authorization"):
                headers["Authorization"] = f"Bearer {tool['authorization']}"
            checked.append((spec.name, self.health.recheck(spec, headers)))
        results = await asyncio.gather(*(check for _, check in checked))
        return [name for (name, _), health in zip(checked, results, strict=True) if not health.ok]

    async def servers(self) -> list[McpServerSpec]:
        return await self.registry.servers(fresh=True)

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        await self.registry.register(server, created_by)

    async def unregister(self, name: str) -> bool:
        return await self.registry.unregister(name)

    async def close(self) -> None:
        self.probe.close()
        self.health.close()
        await self.pool.close()
        await self.registry.close()

    async def _resolve(self, request: ToolRequest) -> list[Resolution]:
        servers = await self.registry.servers()
        if not servers:
            return []
        incoming = {k.lower(): v for k, v in request.headers.items()}
        client = parse_client_headers(incoming.get(MCP_HEADERS))
        resolved = []
        for server in servers:
            resolution = resolve_headers(
                server,
                client=client,
                secrets=self.secrets,
                caller_token=request.principal.token,
                incoming=incoming,
            )
            if not resolution.resolved:
                log.info(
                    "MCP server %r skipped for this request: unresolved %s",
                    server.name,
                    describe_missing(resolution),
                )
            elif ogx_tool(resolution) is None:
                log.info(
                    "MCP server %r skipped for this request: its Authorization value is not "
                    "a bearer token (OGX forwards bearer tokens only)",
                    server.name,
                )
            else:
                resolved.append(resolution)
        return resolved

    async def _usable(
        self, request: ToolRequest, failed: list[tuple[str, str]] | None = None
    ) -> list[tuple[Resolution, tuple[str, ...]]]:
        """Resolved, reachable and healthy servers with their tool names; raises the 401.

        ``failed`` collects ``(name, reason)`` of the servers left out as unreachable or
        unhealthy.
        """
        resolved = await self._resolve(request)
        probes, checks = await asyncio.gather(
            asyncio.gather(
                *(self.probe.check(r.server.url, r.headers, r.server.timeout) for r in resolved)
            ),
            asyncio.gather(*(self.health.check(r.server, r.headers) for r in resolved)),
        )
        usable = []
        for resolution, result, health in zip(resolved, probes, checks, strict=True):
            result.raise_for_oauth(resolution.server.url)
            name = resolution.server.name
            if result.status == "unreachable":
                log.info("MCP server %r skipped for this request: unreachable", name)
                if failed is not None:
                    failed.append((name, "unreachable"))
            elif health.ok:
                usable.append((resolution, health.tools))
            elif failed is not None:
                failed.append((name, health.reason or "failed its check"))
        return usable

    def _kept(self, usable: list[tuple[Resolution, tuple[str, ...]]]) -> list[Kept]:
        kept, clashes = without_clashes(usable)
        for clash in clashes:
            if (clash.server, clash.tools) in self._clashes_logged:
                continue
            self._clashes_logged.add((clash.server, clash.tools))
            log.warning(
                "MCP server %r offers tool names that an earlier server already offers: %s; %s",
                clash.server,
                ", ".join(
                    f"{tool} ({owner})"
                    for tool, owner in zip(clash.tools, clash.owners, strict=True)
                ),
                "the server is left out" if clash.left_out else "its other tools are offered",
            )
        return kept


Kept = tuple[Resolution, tuple[str, ...] | None]


@dataclass(frozen=True, slots=True)
class Clash:
    """Tool names of ``server`` that earlier servers (``owners``, in order) already offer."""

    server: str
    tools: tuple[str, ...]
    owners: tuple[str, ...]
    left_out: bool


def without_clashes(
    usable: Sequence[tuple[Resolution, tuple[str, ...]]],
) -> tuple[list[Kept], list[Clash]]:
    """Each server with the tool names it may offer (``None``: all), and the clashes.

    The first server offering a name keeps it; a server left with no tool is left out.
    """
    taken: dict[str, str] = {}
    kept: list[Kept] = []
    clashes: list[Clash] = []
    for resolution, names in usable:
        clashing = tuple(sorted({tool for tool in names if tool in taken}))
        own = tuple(tool for tool in names if tool not in taken)
        for tool in own:
            taken[tool] = resolution.server.name
        if clashing:
            owners = tuple(taken[tool] for tool in clashing)
            clashes.append(Clash(resolution.server.name, clashing, owners, left_out=not own))
        if not clashing:
            kept.append((resolution, None))
        elif own:
            kept.append((resolution, own))
    return kept, clashes
