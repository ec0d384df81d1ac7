"""``McpToolService``: the :class:`~lightspeed_core.mcp.base.ToolService` for MCP servers.

Per request: the servers (configured + registered) → headers merged for the caller
(:mod:`~lightspeed_core.mcp.headers`; unresolved servers skipped and logged) → the OAuth
probe, concurrently and cached (:mod:`~lightspeed_core.mcp.probe`; a 401 becomes the
contract's 401, an unreachable server is skipped) → Responses ``mcp`` tools for OGX, or the
direct tool listing for ``/v1/tools``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lightspeed_core.mcp.base import McpServerSpec, ToolRequest
from lightspeed_core.mcp.headers import (
    MCP_HEADERS,
    Resolution,
    SecretFiles,
    describe_missing,
    ogx_tool,
    parse_client_headers,
    resolve_headers,
)
from lightspeed_core.mcp.listing import mcp_catalog
from lightspeed_core.mcp.probe import McpProbe
from lightspeed_core.mcp.registry import McpRegistry
from lightspeed_core.schemas.mcp import CatalogTool

log = logging.getLogger(__name__)


class McpToolService:
    """MCP servers from the configuration and the database, resolved per request."""

    def __init__(self, registry: McpRegistry, secrets: SecretFiles, probe: McpProbe) -> None:
        self.registry = registry
        self.secrets = secrets
        self.probe = probe

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        tools = []
        for resolution in await self._usable(request):
            tool = ogx_tool(resolution)
            if tool is not None:
                tools.append(tool)
        return tools

    async def catalog(self, request: ToolRequest) -> list[CatalogTool]:
        usable = await self._usable(request)
        return await mcp_catalog([(r.server, r.headers) for r in usable])

    async def servers(self) -> list[McpServerSpec]:
        return await self.registry.servers(fresh=True)

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        await self.registry.register(server, created_by)

    async def unregister(self, name: str) -> bool:
        return await self.registry.unregister(name)

    async def close(self) -> None:
        self.probe.close()
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

    async def _usable(self, request: ToolRequest) -> list[Resolution]:
        """Resolved servers that the probe found reachable; raises the probe's 401."""
        resolved = await self._resolve(request)
        results = await asyncio.gather(
            *(self.probe.check(r.server.url, r.headers, r.server.timeout) for r in resolved)
        )
        usable = []
        for resolution, result in zip(resolved, results, strict=True):
            result.raise_for_oauth(resolution.server.url)
            if result.status == "unreachable":
                log.warning(
                    "MCP server %r skipped for this request: unreachable", resolution.server.name
                )
            else:
                usable.append(resolution)
        return usable
