"""The tools of one turn: the server's (MCP servers, RAG ``file_search``), the client's, or both.

A turn without client tools gets the server's. Client tools (``/v1/responses`` ``tools``)
replace them, unless the client asks to merge (``X-LCS-Merge-Server-Tools: true``): then the
client's come first, followed by the server's, and a client MCP tool with a server's label or
a second ``file_search`` tool is a 409 ``Tool conflict``. A client ``file_search`` tool may
name ``rag_id``s; they become OGX vector-store ids as the server's own tools do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lightspeed_core.authz.context import Authorized
from lightspeed_core.errors import ConflictError
from lightspeed_core.mcp.base import ToolRequest
from lightspeed_core.pipeline.ports import PipelinePorts
from lightspeed_core.pipeline.turn import TurnInput


def _client_tool(ports: PipelinePorts, tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "file_search":
        return dict(tool)
    wanted = [str(i) for i in tool.get("vector_store_ids") or ()]
    translated = ports.rag.tools(wanted) if wanted else []
    ids = translated[0]["vector_store_ids"] if translated else wanted
    return {**tool, "vector_store_ids": ids}


def mcp_labels(tools: Sequence[Mapping[str, Any]]) -> set[str]:
    """The ``server_label``s of the MCP tools among ``tools``."""
    return {str(t.get("server_label")) for t in tools if t.get("type") == "mcp"}


def check_clashes(client: Sequence[Mapping[str, Any]], server: Sequence[Mapping[str, Any]]) -> None:
    """409 when merged tools would name one MCP server twice or search files twice."""
    for label in sorted(mcp_labels(client) & mcp_labels(server)):
        raise ConflictError(
            "Tool conflict",
            f"The client MCP tool '{label}' has the label of an MCP server configured on the "
            "server.",
        )
    searches = [t for t in (*client, *server) if t.get("type") == "file_search"]
    if len(searches) > 1:
        raise ConflictError(
            "Tool conflict",
            "The client file_search tool conflicts with the server's file_search tool.",
        )


async def turn_tools(
    ports: PipelinePorts, turn: TurnInput, auth: Authorized, headers: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The tool definitions sent with the model call."""
    if turn.no_tools:
        return []
    client = [_client_tool(ports, t) for t in turn.client_tools or ()]
    if turn.client_tools is not None and not turn.merge_server_tools:
        return client
    server = await ports.tools.tools_for(ToolRequest(auth.principal, headers))
    server += ports.rag.tools(turn.vector_store_ids)
    server += ports.functions.definitions()  # run by us (skills): pipeline/functions.py
    if turn.client_tools is None:
        return server
    check_clashes(client, server)
    return [*client, *server]
