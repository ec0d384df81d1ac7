"""Normalise an OGX Responses event stream into :mod:`lightspeed_core.llm.events`.

Library mode yields ``ogx_api`` models and server mode decoded JSON whose keys read as
attributes (:class:`lightspeed_core.llm.sse.Node`); both carry the same names (OGX's
schema), so this reads attributes only.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from lightspeed_core.llm.events import (
    Completed,
    LLMEvent,
    RawEvent,
    RawEvents,
    RetrievedChunk,
    TextDelta,
    ToolCall,
    ToolResult,
    Usage,
)
from lightspeed_core.llm.failures import classify

_TOOL_ITEMS = {"mcp_call", "function_call", "file_search_call", "web_search_call"}
_TERMINAL = ("response.completed", "response.incomplete")
MAX_TOOL_OUTPUT = 64 * 1024
"""Characters of one tool result that are streamed and stored (the model gets it all)."""


def bounded(text: str, limit: int = MAX_TOOL_OUTPUT) -> str:
    """``text`` cut to ``limit`` characters, with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters not shown]"


def _args(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {"arguments": raw}
        return parsed if isinstance(parsed, dict) else {"arguments": parsed}
    return {}


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage()
    return Usage(int(usage.input_tokens or 0), int(usage.output_tokens or 0))


def _chunks(item: Any) -> tuple[RetrievedChunk, ...]:
    results = getattr(item, "results", None) or []
    return tuple(
        RetrievedChunk(
            content=str(getattr(r, "text", "") or ""),
            score=getattr(r, "score", None),
            filename=getattr(r, "filename", None),
            file_id=getattr(r, "file_id", None),
            attributes=dict(getattr(r, "attributes", None) or {}),
        )
        for r in results
    )


def tool_events(item: Any, round_: int) -> tuple[ToolCall, ToolResult] | None:
    """Turn a finished tool output item into a call/result pair (``None`` if not a tool)."""
    kind = getattr(item, "type", None)
    if kind not in _TOOL_ITEMS:
        return None
    item_id = str(getattr(item, "id", "") or getattr(item, "call_id", ""))
    if kind == "function_call":  # the id a client answers with (function_call_output.call_id)
        item_id = str(getattr(item, "call_id", "") or item_id)
    if kind == "file_search_call":
        name, args = "file_search", {"queries": list(getattr(item, "queries", None) or [])}
        chunks = _chunks(item)
        content = "\n\n".join(c.content for c in chunks)
        ok = getattr(item, "status", "completed") != "failed"
        return ToolCall(item_id, name, args, kind), ToolResult(
            item_id, "success" if ok else "failure", content, round_, chunks
        )
    name = str(getattr(item, "name", None) or kind)
    args = _args(getattr(item, "arguments", None))
    label = getattr(item, "server_label", None)
    error = getattr(item, "error", None)
    output = getattr(item, "output", None)
    status = "failure" if error else "success"
    content = bounded(str(error if error else (output if output is not None else "")))
    call_id = getattr(item, "call_id", None) if kind == "function_call" else None
    call = ToolCall(item_id, name, args, kind, label, str(call_id) if call_id else None)
    return call, ToolResult(item_id, status, content, round_)


def as_json(event: Any) -> dict[str, Any]:
    """An ``ogx_api`` event (a validated pydantic model) as JSON, without nulls."""
    if isinstance(event, dict):
        return event
    dumped: dict[str, Any] = event.model_dump(mode="json", exclude_none=True)
    return dumped


async def normalize_stream(
    model: str,
    events: AsyncIterator[Any],
    recorded: list[BaseException] | None = None,
    *,
    raw: RawEvents = "none",
    to_json: Callable[[Any], dict[str, Any]] = as_json,
) -> AsyncIterator[LLMEvent]:
    """Yield our events for one Responses stream; raise a domain error on failure.

    ``raw``: yield OGX's events (``"all"``, or ``"final"``: the terminal one) as
    :class:`RawEvent`s too, each before its normalised events.
    """
    text: list[str] = []
    round_ = 1
    last_was_result = False
    async for event in events:
        kind = getattr(event, "type", "")
        if (raw == "all" and kind not in ("response.failed", "error")) or (
            raw == "final" and kind in _TERMINAL
        ):
            yield RawEvent(to_json(event))
        if kind == "response.output_text.delta":
            delta = getattr(event, "delta", "")
            if delta:
                text.append(delta)
                yield TextDelta(delta)
        elif kind == "response.output_item.done":
            pair = tool_events(getattr(event, "item", None), round_)
            if pair is not None:
                if last_was_result:
                    round_ += 1
                    pair = tool_events(event.item, round_)
                    assert pair is not None
                yield pair[0]
                yield pair[1]
                last_was_result = True
            elif getattr(getattr(event, "item", None), "type", None) == "message":
                last_was_result = False
        elif kind in ("response.completed", "response.incomplete"):
            response = getattr(event, "response", None)
            yield Completed(
                "".join(text),
                _usage(response),
                "incomplete" if kind == "response.incomplete" else "completed",
                getattr(response, "id", None),
            )
            return
        elif kind in ("response.failed", "error"):
            response = getattr(event, "response", None)
            error = getattr(response, "error", None) if response is not None else event
            raise classify(
                model, getattr(error, "code", None), str(getattr(error, "message", "")), recorded
            )
