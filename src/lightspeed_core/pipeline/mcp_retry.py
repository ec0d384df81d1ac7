"""A call whose MCP server fails before anything was streamed runs once more without it.

OGX lists the tools of every MCP server at the start of a Responses call; a server that died
since its last health check (:mod:`lightspeed_core.mcp.health`) fails the whole call there.
:func:`without_failed_server` reports the server to the ``ToolService``
(:mod:`lightspeed_core.mcp.base`; left out of later requests until it answers a check
again) and, when no event was streamed yet, repeats the call once without that server, so
a question that does not need it still gets its answer. Otherwise the error names the
server's label, never its URL. A remote OGX (server mode) does not say which server failed
("An unexpected error occurred"): on such a 500 / 503 before anything was streamed, the
call's MCP servers are checked again at once, and the call is repeated once without those
that fail.

OGX's own events (``RawEvent``, for ``/v1/responses``) of the call's set-up - the response
created, in progress, the MCP tool listings - are held back until the first other event, so
a retried call shows the client one response, not the failed attempt's beginning.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from lightspeed_core.errors import LightspeedError, McpServerUnavailableError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import LLMEvent, RawEvent
from lightspeed_core.mcp.base import ToolService

log = logging.getLogger(__name__)

Call = Callable[[ResponseRequest], AsyncIterator[LLMEvent]]


def _without(request: ResponseRequest, labels: set[str]) -> ResponseRequest | None:
    tools = [
        tool
        for tool in request.tools
        if not (tool.get("type") == "mcp" and tool.get("server_label") in labels)
    ]
    return replace(request, tools=tools) if len(tools) < len(request.tools) else None


_SET_UP = frozenset({"response.created", "response.in_progress"})
_ITEM_EVENTS = frozenset({"response.output_item.added", "response.output_item.done"})


def _set_up(event: LLMEvent) -> bool:
    """An OGX event of the call's set-up (before the model runs)."""
    if not isinstance(event, RawEvent):
        return False
    kind = str(event.payload.get("type", ""))
    if kind in _SET_UP or kind.startswith("response.mcp_list_tools."):
        return True
    item: Any = event.payload.get("item")
    return kind in _ITEM_EVENTS and isinstance(item, dict) and item.get("type") == "mcp_list_tools"


async def without_failed_server(
    call: Call, request: ResponseRequest, tools: ToolService
) -> AsyncIterator[LLMEvent]:
    """The events of ``call(request)``; one retry without an MCP server that failed early."""
    streamed = False
    held: list[LLMEvent] = []
    try:
        async for event in call(request):
            if not streamed and _set_up(event):
                held.append(event)
                continue
            streamed = True
            for earlier in held:
                yield earlier
            held.clear()
            yield event
        for earlier in held:
            yield earlier
        return
    except McpServerUnavailableError as error:
        tools.report_failure(error.server, error.reason)
        retry = None if streamed else _without(request, {error.server})
        if retry is None:
            raise
        log.warning("MCP server %r failed: answering without it", error.server)
    except LightspeedError as error:
        # a remote OGX says only "An unexpected error occurred": were the MCP servers at fault?
        offered = any(tool.get("type") == "mcp" for tool in request.tools)
        if streamed or not offered or error.status_code not in (500, 503):
            raise
        failed = await tools.recheck(request.tools)
        retry = _without(request, set(failed)) if failed else None
        if retry is None:
            raise
        log.warning("MCP servers %s failed a check: answering without them", ", ".join(failed))
    try:
        async for event in call(retry):
            yield event
    except McpServerUnavailableError as error:
        tools.report_failure(error.server, error.reason)
        raise
