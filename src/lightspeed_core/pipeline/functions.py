"""The function-tool loop: the model's calls of our own tools, executed and answered.

:func:`respond_with_functions` wraps one ``LLMBackend.respond`` call. When the model calls a
function that the :class:`~lightspeed_core.llm.functions.FunctionTools` handles (a skill
tool ...), the call is executed here once the response is complete, its result is streamed
as a ``ToolResult``, and the model is called again with the same input plus the
``function_call`` and ``function_call_output`` items, until it answers without such a call
or ``max_rounds`` calls were made (the calls of the last one are still run and shown, as OGX
runs its own tools in its last round). Calls of the ``limited`` tools (server MCP tools, which OGX
ran before this service did) are bounded by the request's ``max_tool_calls`` as OGX bounded
them: further calls are answered to the model with OGX's "Tool call skipped" text and not
shown. Usage is summed over the calls and reported once, in the
final ``Completed``. Any endpoint over OGX Responses (``/v1/query``, ``/v1/responses`` ...)
can run its request through it; with nothing handled it is a plain pass-through.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from lightspeed_core.llm.base import LLMBackend, ResponseRequest
from lightspeed_core.llm.events import Completed, LLMEvent, ToolCall, ToolResult, Usage
from lightspeed_core.llm.functions import FunctionTools
from lightspeed_core.llm.normalize import bounded

DEFAULT_MAX_ROUNDS = 10
SKIPPED = "Tool call skipped: maximum tool calls limit ({limit}) reached."


def _round_trip(call: ToolCall, output: str) -> list[dict[str, Any]]:
    call_id = call.call_id or call.id
    return [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": json.dumps(call.args),
        },
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


async def respond_with_functions(
    llm: LLMBackend,
    request: ResponseRequest,
    functions: FunctionTools,
    max_rounds: int | None = None,
    limited: FunctionTools | None = None,
) -> AsyncIterator[LLMEvent]:
    """The events of ``request``, with our function calls executed in a bounded loop."""
    rounds = max_rounds or DEFAULT_MAX_ROUNDS
    limit = request.max_tool_calls if limited is not None else None
    items = list(request.input)
    used_in = used_out = 0
    made = 0  # calls of ``limited`` tools run so far
    offset = 0  # tool rounds already streamed (result rounds continue across calls)
    for call_number in range(1, rounds + 1):
        pending: list[tuple[ToolCall, bool]] = []  # (call, skipped)
        completed: Completed | None = None
        last_round = offset
        async for event in llm.respond(replace(request, input=items)):
            if isinstance(event, Completed):
                completed = event
            elif (
                isinstance(event, ToolCall)
                and event.kind == "function_call"
                and functions.handles(event.name)
            ):
                counted = limited is not None and limited.handles(event.name)
                skipped = counted and limit is not None and made >= limit
                made += counted and not skipped
                pending.append((event, skipped))
                if not skipped:
                    yield event
            elif isinstance(event, ToolResult):
                if any(call.id == event.id for call, _ in pending):
                    continue  # OGX's empty placeholder: the result is ours to give
                last_round = max(last_round, event.round + offset)
                yield replace(event, round=event.round + offset)
            else:
                yield event
        if completed is None:
            return
        used_in += completed.usage.input_tokens
        used_out += completed.usage.output_tokens
        if not pending:
            yield replace(completed, usage=Usage(used_in, used_out))
            return
        offset = last_round + 1
        for call, skipped in pending:  # run in the last round too, as OGX runs its tools
            if skipped:
                items += _round_trip(call, SKIPPED.format(limit=limit))
                continue
            output = await functions.call(call.name, call.args)
            status = "success" if output.ok else "failure"
            yield ToolResult(call.id, status, bounded(output.content), offset, output.documents)
            items += _round_trip(call, output.content)
        if call_number == rounds:  # no model round left to read the results
            yield replace(completed, usage=Usage(used_in, used_out))
            return
