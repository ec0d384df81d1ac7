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
from lightspeed_core.mcp.health import McpHealth
from lightspeed_core.mcp.listing import mcp_catalog
from lightspeed_core.mcp.probe import McpProbe
from lightspeed_core.mcp.registry import McpRegistry
from lightspeed_core.schemas.mcp import CatalogTool

log = logging.getLogger(__name__)


class McpToolService:
    """MCP servers from the configuration and the database, resolved per request."""

    def __init__(
        self,
        registry: McpRegistry,
        secrets: SecretFiles,
        probe: McpProbe,
        health: McpHealth | None = None,
    ) -> None:
        self.registry = registry
        self.secrets = secrets
        self.probe = probe
        self.health = health or McpHealth()
        self._clashes_logged: set[tuple[str, tuple[str, ...]]] = set()

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        tools = []
        for resolution, allowed in self._without_clashes(await self._usable(request)):
            tool = ogx_tool(resolution)
            if tool is not None:
                if allowed is not None:
                    tool["allowed_tools"] = list(allowed)
                tools.append(tool)
        return tools

    async def catalog(self, request: ToolRequest) -> list[CatalogTool]:
        kept = self._without_clashes(await self._usable(request))
        listed = await mcp_catalog([(r.server, r.headers) for r, _ in kept])
        allowed = {r.server.name: names for r, names in kept}
        return [
            tool
            for tool in listed
            if (names := allowed.get(tool.toolgroup_id)) is None or tool.identifier in names
        ]

    def report_failure(self, label: str, reason: str) -> None:
        self.health.report_failure(label, reason)

    async def servers(self) -> list[McpServerSpec]:
        return await self.registry.servers(fresh=True)

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        await self.registry.register(server, created_by)

    async def unregister(self, name: str) -> bool:
        return await self.registry.unregister(name)

    async def close(self) -> None:
        self.probe.close()
        self.health.close()
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

    async def _usable(self, request: ToolRequest) -> list[tuple[Resolution, tuple[str, ...]]]:
        """Resolved, reachable and healthy servers with their tool names; raises the 401."""
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
            if result.status == "unreachable":
                log.info(
                    "MCP server %r skipped for this request: unreachable", resolution.server.name
                )
            elif health.ok:
                usable.append((resolution, health.tools))
        return usable

    def _without_clashes(
        self, usable: list[tuple[Resolution, tuple[str, ...]]]
    ) -> list[tuple[Resolution, tuple[str, ...] | None]]:
        """Each server with the tool names it may offer (``None``: all of them).

        The first server offering a name keeps it; see the module docstring.
        """
        taken: dict[str, str] = {}
        kept: list[tuple[Resolution, tuple[str, ...] | None]] = []
        for resolution, names in usable:
            name = resolution.server.name
            clashing = tuple(sorted({tool for tool in names if tool in taken}))
            own = tuple(tool for tool in names if tool not in taken)
            for tool in own:
                taken[tool] = name
            if not clashing:
                kept.append((resolution, None))
                continue
            self._log_clash(name, clashing, taken, left_out=not own)
            if own:
                kept.append((resolution, own))
        return kept

    def _log_clash(
        self, name: str, clashing: tuple[str, ...], taken: dict[str, str], *, left_out: bool
    ) -> None:
        if (name, clashing) in self._clashes_logged:
            return
        self._clashes_logged.add((name, clashing))
        owners = ", ".join(f"{tool} ({taken[tool]})" for tool in clashing)
        log.warning(
            "MCP server %r offers tool names that an earlier server already offers: %s; %s",
            name,
            owners,
            "the server is left out" if left_out else "its other tools are still offered",
        )
