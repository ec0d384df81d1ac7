"""A call whose MCP server fails before anything was streamed runs once more without it.

OGX lists the tools of every MCP server at the start of a Responses call; a server that died
since its last health check (:mod:`lightspeed_core.mcp.health`) fails the whole call there.
:func:`without_failed_server` reports the server to the ``ToolService``
(:mod:`lightspeed_core.mcp.base`; left out of later requests until it answers a check
again) and, when no event was streamed yet, repeats the call once without that server, so
a question that does not need it still gets its answer. Otherwise the error names the
server's label, never its URL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from lightspeed_core.errors import McpServerUnavailableError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import LLMEvent
from lightspeed_core.mcp.base import ToolService

log = logging.getLogger(__name__)

Call = Callable[[ResponseRequest], AsyncIterator[LLMEvent]]


def _without(request: ResponseRequest, label: str) -> ResponseRequest | None:
    tools = [
        tool
        for tool in request.tools
        if not (tool.get("type") == "mcp" and tool.get("server_label") == label)
    ]
    return replace(request, tools=tools) if len(tools) < len(request.tools) else None


async def without_failed_server(
    call: Call, request: ResponseRequest, tools: ToolService
) -> AsyncIterator[LLMEvent]:
    """The events of ``call(request)``; one retry without an MCP server that failed early."""
    streamed = False
    try:
        async for event in call(request):
            streamed = True
            yield event
        return
    except McpServerUnavailableError as error:
        tools.report_failure(error.server, error.reason)
        retry = None if streamed else _without(request, error.server)
        if retry is None:
            raise
        log.warning("MCP server %r failed: answering without it", error.server)
    try:
        async for event in call(retry):
            yield event
    except McpServerUnavailableError as error:
        tools.report_failure(error.server, error.reason)
        raise
