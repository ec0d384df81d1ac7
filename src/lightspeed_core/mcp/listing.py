"""List the tools of MCP servers directly, for ``GET /v1/tools``.

Each server is asked with the ``mcp`` client over streamable HTTP, falling back to SSE, with
the headers merged for the caller. Every server gets its own deadline and all are asked
concurrently, so one slow or broken server costs at most its timeout and only removes its
own tools from the answer (logged). Built-in OGX tools (``builtin::file_search`` ...) come
from the :class:`~lightspeed_core.llm.ports.ToolCatalogue` port (``llm/resources.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from lightspeed_core.llm.ports import ToolCatalogue
from lightspeed_core.mcp.base import McpServerSpec, ToolCatalog, loggable_url
from lightspeed_core.schemas.mcp import CatalogTool, CatalogToolParameter

if TYPE_CHECKING:  # the mcp client (about 0.3 s of CPU) loads on the first listing
    from mcp import ClientSession
    from mcp_types import Tool

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
MAX_PAGES = 50


async def _list_session(session: ClientSession) -> list[Tool]:
    from mcp_types import PaginatedRequestParams

    await session.initialize()
    result = await session.list_tools()
    tools = list(result.tools)
    for _ in range(MAX_PAGES):
        if not result.next_cursor:
            break
        result = await session.list_tools(params=PaginatedRequestParams(cursor=result.next_cursor))
        tools.extend(result.tools)
    return tools


async def _streamable(url: str, headers: dict[str, str], seconds: float) -> list[Tool]:
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(seconds)) as http,
        streamable_http_client(url, http_client=http, terminate_on_close=False) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        return await _list_session(session)


async def _sse(url: str, headers: dict[str, str], seconds: float) -> list[Tool]:
    from mcp import ClientSession
    from mcp.client.sse import sse_client

    async with (
        sse_client(url, headers=headers, timeout=seconds, sse_read_timeout=seconds) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        return await _list_session(session)


async def server_tools(url: str, headers: Mapping[str, str], seconds: float) -> list[Tool]:
    """The server's tools: streamable HTTP, then SSE, both within ``seconds``.

    Raises ``TimeoutError`` or the transport's error.
    """
    with anyio.fail_after(seconds):
        try:
            return await _streamable(url, dict(headers), seconds)
        except Exception as first:  # any failure: try the other transport
            log.debug(
                "MCP server at %s: streamable HTTP failed (%s), trying SSE",
                loggable_url(url),
                type(first).__name__,
            )
        return await _sse(url, dict(headers), seconds)


def _parameters(schema: Mapping[str, Any] | None) -> list[CatalogToolParameter]:
    schema = schema or {}
    required = set(schema.get("required") or ())
    properties: Mapping[str, Any] = schema.get("properties") or {}
    return [
        CatalogToolParameter(
            name=name,
            description=str(spec.get("description") or ""),
            parameter_type=str(spec.get("type") or "string"),
            required=name in required,
            default=spec.get("default"),
        )
        for name, spec in properties.items()
        if isinstance(spec, Mapping)
    ]


def catalog_entry(tool: Tool, server: McpServerSpec) -> CatalogTool:
    return CatalogTool(
        identifier=tool.name,
        description=tool.description or "",
        parameters=_parameters(tool.input_schema),
        provider_id=server.provider_id,
        toolgroup_id=server.name,
        server_source=server.url,
    )


async def _one(server: McpServerSpec, headers: Mapping[str, str]) -> list[CatalogTool] | str:
    """The server's tools, or why listing them failed."""
    try:
        tools = await server_tools(server.url, headers, server.timeout or DEFAULT_TIMEOUT)
    except Exception as exc:  # one server's failure only drops its tools
        log.warning("listing the tools of MCP server %r failed: %s", server.name, why(exc))
        return why(exc)
    return [catalog_entry(tool, server) for tool in tools]


def why(exc: BaseException) -> str:
    """A short reason for a failed listing (no URL: the exception type or "timed out")."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return why(exc.exceptions[0])
    return type(exc).__name__


async def mcp_catalog(
    servers: Sequence[tuple[McpServerSpec, Mapping[str, str]]],
) -> ToolCatalog:
    """Tools of every server (in server order), asked concurrently; failed ones named."""
    listed = await asyncio.gather(*(_one(server, headers) for server, headers in servers))
    catalog = ToolCatalog()
    for (server, _), tools in zip(servers, listed, strict=True):
        if isinstance(tools, str):
            catalog.unavailable.append((server.name, tools))
        else:
            catalog.tools.extend(tools)
    return catalog


async def builtin_catalog(catalogue: ToolCatalogue) -> list[CatalogTool]:
    """OGX's built-in tools (``server_source`` ``builtin``)."""
    return [
        CatalogTool(
            identifier=tool.name,
            description=tool.description,
            parameters=_parameters(tool.input_schema),
            provider_id=tool.provider_id,
            toolgroup_id=tool.toolgroup_id,
            server_source="builtin",
        )
        for tool in await catalogue.builtin_tools()
    ]
