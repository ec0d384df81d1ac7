"""Server MCP tools offered to the model as function tools, their calls run over pooled sessions.

Handed to OGX as a Responses ``mcp`` tool, a server costs an MCP session (three HTTP
requests) on every call, because OGX lists its tools again each time. Instead, for each
server ``mcp`` tool of a call, :func:`offer_as_functions` takes the tool listing that the
health check already holds (:mod:`~lightspeed_core.mcp.health`: cached per server and header
set, listed again in the background once older than 30 s, or at once on
``notifications/tools/list_changed``), offers the server's tools (OGX's ``allowed_tools``
applied) as Responses ``function`` tools, and returns a
:class:`~lightspeed_core.llm.functions.FunctionTools` that runs the model's calls of them over
a pooled session for the same server and headers (:mod:`~lightspeed_core.mcp.pool`). The
pipeline's function-tool loop (``pipeline/functions.py``) streams calls and results as it
does for skills.

A server stays on OGX's own path (the ``mcp`` tool is left as it is) when its
``require_approval`` is not ``never`` (OGX's approval requests are kept), when no healthy
listing is cached for it, or when the tool is not one of the configured/registered servers
(a client's own MCP tool). A call that fails below MCP (the server died, a timeout) is
answered to the model as a failed tool result naming the server's label (never its URL),
and the server is reported unavailable (left out of the next requests until a check
succeeds; counted in ``ls_mcp_server_failures_total``).

Trace headers (``traceparent``, ``tracestate``, ``baggage``) differ on every request, so
they are not part of a pooled session: a traced call opens a session of its own carrying
them (tracing is sampled; the untraced calls stay pooled).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lightspeed_core.llm.functions import FunctionOutput
from lightspeed_core.mcp.base import McpServerSpec
from lightspeed_core.mcp.health import McpHealth
from lightspeed_core.mcp.listing import why
from lightspeed_core.mcp.pool import McpSessionPool, answered_by_server

log = logging.getLogger(__name__)

TRACE_HEADERS = frozenset({"traceparent", "tracestate", "baggage"})


@dataclass(frozen=True, slots=True)
class _Route:
    server: McpServerSpec
    headers: dict[str, str]  # the pooled session's headers (credentials included)
    traced: dict[str, str]  # trace headers of this request (empty: untraced)


def _headers(tool: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The server's headers as OGX would send them, and the trace headers apart."""
    headers: dict[str, str] = {}
    traced: dict[str, str] = {}
    for name, value in (tool.get("headers") or {}).items():
        (traced if str(name).lower() in TRACE_HEADERS else headers)[str(name)] = str(value)
    if tool.get("authorization"):
        headers["Authorization"] = f"Bearer {tool['authorization']}"
    return headers, traced


def _definition(name: str, description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    parameters = dict(schema) or {"type": "object", "properties": {}, "required": []}
    return {"type": "function", "name": name, "description": description, "parameters": parameters}


def _text(result: Any) -> str:
    """A ``CallToolResult``'s content as OGX renders it (text parts; ``<image>`` for images)."""
    parts = []
    for item in getattr(result, "content", None) or ():
        kind = getattr(item, "type", None)
        if kind == "text":
            parts.append(str(getattr(item, "text", "")))
        elif kind == "image":
            parts.append("<image>")
    return " ".join(parts)


class McpFunctions:
    """The MCP tools of one call, run by this service (a ``FunctionTools``)."""

    def __init__(
        self,
        routes: dict[str, _Route],
        definitions: list[dict[str, Any]],
        pool: McpSessionPool,
        health: McpHealth,
    ) -> None:
        self._routes = routes
        self._definitions = definitions
        self._pool = pool
        self._health = health

    def definitions(self) -> list[dict[str, Any]]:
        return list(self._definitions)

    def handles(self, name: str) -> bool:
        return name in self._routes

    async def call(self, name: str, arguments: Mapping[str, Any]) -> FunctionOutput:
        route = self._routes[name]
        server = route.server
        try:
            if route.traced:
                result = await self._pool.call_once(
                    server.url,
                    {**route.headers, **route.traced},
                    name,
                    dict(arguments),
                    open_timeout=server.timeout,
                )
            else:
                result = await self._pool.call(
                    server.url,
                    route.headers,
                    name,
                    dict(arguments),
                    open_timeout=server.timeout,
                    on_change=lambda: self._health.refresh(server, route.headers),
                )
        except Exception as exc:
            if answered_by_server(exc):  # a JSON-RPC error from the server: the server's own text
                return FunctionOutput(str(exc) or "Tool execution failed", ok=False)
            reason = why(exc)
            self._health.report_failure(server.name, reason)
            log.warning("MCP server %r failed a tool call (%s)", server.name, reason)
            return FunctionOutput(f"MCP server '{server.name}' is unavailable ({reason}).", False)
        text = _text(result)
        if getattr(result, "is_error", False):
            return FunctionOutput(text or "Tool execution failed", ok=False)
        return FunctionOutput(text)


async def offer_as_functions(
    tools: Sequence[dict[str, Any]],
    servers: Sequence[McpServerSpec],
    health: McpHealth,
    pool: McpSessionPool,
) -> tuple[list[dict[str, Any]], McpFunctions | None]:
    """``tools`` with the server MCP tools replaced by function tools, and their runner.

    ``None`` when no tool was replaced (``tools`` is returned as it is).
    """
    specs = {server.name: server for server in servers}
    kept: list[dict[str, Any]] = []
    routes: dict[str, _Route] = {}
    definitions: list[dict[str, Any]] = []
    for tool in tools:
        spec = specs.get(str(tool.get("server_label"))) if tool.get("type") == "mcp" else None
        if spec is None or spec.url != tool.get("server_url") or spec.require_approval != "never":
            kept.append(tool)
            continue
        headers, traced = _headers(tool)
        checked = await health.check(spec, headers)  # cached: prepare() checked it
        if not checked.ok:
            kept.append(tool)
            continue
        allowed = tool.get("allowed_tools")
        for listed in checked.listed:
            if (allowed and listed.name not in allowed) or listed.name in routes:
                continue
            routes[listed.name] = _Route(spec, headers, traced)
            definitions.append(_definition(listed.name, listed.description, listed.input_schema))
    if not routes:
        return list(tools), None
    return [*kept, *definitions], McpFunctions(routes, definitions, pool, health)
