"""Render pipeline events as the contract's stream (section 2.1), byte for byte.

JSON mode (``text/event-stream``): one ``data: <json>`` line plus a blank line per event, the
event name inside the JSON, no SSE ``event:`` field; ``token`` and ``turn_complete`` carry a
chunk counter; ``end`` has ``available_quotas`` beside ``data``.
Text mode (``text/plain``): raw token text, tool markers, and the referenced documents (the
``compaction`` event stays a JSON frame there too, as in the reference).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

from lightspeed_core.pipeline.events import (
    CompactionEvent,
    EndEvent,
    ErrorEvent,
    InterruptedEvent,
    PipelineEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)

JSON_MEDIA_TYPE = "text/event-stream"
TEXT_MEDIA_TYPE = "text/plain"


def _frame(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _end_data(event: EndEvent) -> dict[str, Any]:
    return {
        "referenced_documents": [asdict(d) for d in event.referenced_documents],
        "truncated": event.truncated,
        "input_tokens": event.input_tokens,
        "output_tokens": event.output_tokens,
    }


def _compaction_frame(event: CompactionEvent) -> str:
    data = {"status": "started", "conversation_id": event.conversation_id}
    return _frame({"event": "compaction", "data": data})


def render_json(event: PipelineEvent, chunk_id: int) -> str:
    """One event in JSON mode; ``chunk_id`` numbers token / turn_complete events."""
    match event:
        case StartEvent():
            data: dict[str, Any] = {
                "conversation_id": event.conversation_id,
                "request_id": event.request_id,
            }
            return _frame({"event": "start", "data": data})
        case CompactionEvent():
            return _compaction_frame(event)
        case TokenEvent():
            return _frame({"event": "token", "data": {"id": chunk_id, "token": event.text}})
        case ToolCallEvent():
            return _frame({"event": "tool_call", "data": event.to_wire()})
        case ToolResultEvent():
            return _frame({"event": "tool_result", "data": event.to_wire()})
        case TurnCompleteEvent():
            return _frame({"event": "turn_complete", "data": {"id": chunk_id, "token": event.text}})
        case EndEvent():
            return _frame(
                {
                    "event": "end",
                    "data": _end_data(event),
                    "available_quotas": event.available_quotas,
                }
            )
        case ErrorEvent():
            error = event.error
            data = {
                "status_code": error.status_code,
                "response": error.response,
                "cause": error.cause,
            }
            return _frame({"event": "error", "data": data})
        case InterruptedEvent():
            return _frame({"event": "interrupted", "data": {"request_id": event.request_id}})
    raise TypeError(f"unknown event {event!r}")  # pragma: no cover


def render_text(event: PipelineEvent) -> str:
    """One event in ``text/plain`` mode."""
    match event:
        case CompactionEvent():
            return _compaction_frame(event)  # JSON even in text mode, as the reference
        case TokenEvent():
            return event.text
        case ToolCallEvent():
            return f"[Tool Call: {event.name}]\n"
        case ToolResultEvent():
            return "[Tool Result]\n"
        case EndEvent():
            if not event.referenced_documents:
                return ""
            lines = [f"{d.doc_title}: {d.doc_url}" for d in event.referenced_documents]
            return "\n\n---\n\n" + "\n".join(lines)
        case ErrorEvent():
            e = event.error
            return f"Status: {e.status_code} - {e.response} - {e.cause}"
    return ""


async def serialize(events: AsyncIterator[PipelineEvent], text_mode: bool) -> AsyncIterator[str]:
    """The response body for ``events`` in the requested mode."""
    chunk_id = 0
    async for event in events:
        if text_mode:
            piece = render_text(event)
        else:
            piece = render_json(event, chunk_id)
            if isinstance(event, TokenEvent | TurnCompleteEvent):
                chunk_id += 1
        if piece:
            yield piece
