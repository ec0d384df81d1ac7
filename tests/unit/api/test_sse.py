"""SSE rendering of pipeline events, byte for byte (contract 2.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from lightspeed_core.api.sse import render_json, render_text, serialize
from lightspeed_core.errors import QuotaExceededError
from lightspeed_core.pipeline.events import (
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
from lightspeed_core.rag.base import Document

END = EndEvent(3, 4, (Document("https://d", "Doc", "s", "d1"),), (), {"q": 1})
ERROR = ErrorEvent(QuotaExceededError("The quota has been exceeded", "no tokens left"))


def test_json_frames() -> None:
    assert render_json(StartEvent("c", "r"), 0) == (
        'data: {"event": "start", "data": {"conversation_id": "c", "request_id": "r"}}\n\n'
    )
    assert render_json(TokenEvent("Hi"), 3) == (
        'data: {"event": "token", "data": {"id": 3, "token": "Hi"}}\n\n'
    )
    assert render_json(ToolCallEvent("t", "f", {"a": 1}), 0) == (
        'data: {"event": "tool_call", "data": {"id": "t", "name": "f", "args": {"a": 1}, '
        '"type": "tool_call"}}\n\n'
    )
    assert render_json(ToolResultEvent("t", "success", "ok", 2), 0) == (
        'data: {"event": "tool_result", "data": {"id": "t", "status": "success", '
        '"content": "ok", "type": "tool_result", "round": 2}}\n\n'
    )
    assert render_json(TurnCompleteEvent("Hi"), 4) == (
        'data: {"event": "turn_complete", "data": {"id": 4, "token": "Hi"}}\n\n'
    )
    assert render_json(END, 0) == (
        'data: {"event": "end", "data": {"referenced_documents": [{"doc_url": "https://d", '
        '"doc_title": "Doc", "source": "s", "document_id": "d1"}], "truncated": null, '
        '"input_tokens": 3, "output_tokens": 4}, "available_quotas": {"q": 1}}\n\n'
    )
    assert render_json(ERROR, 0) == (
        'data: {"event": "error", "data": {"status_code": 429, "response": "The quota has '
        'been exceeded", "cause": "no tokens left"}}\n\n'
    )
    assert render_json(InterruptedEvent("r"), 0) == (
        'data: {"event": "interrupted", "data": {"request_id": "r"}}\n\n'
    )


def test_text_mode() -> None:
    assert render_text(StartEvent("c", "r")) == ""
    assert render_text(TokenEvent("Hi")) == "Hi"
    assert render_text(ToolCallEvent("t", "lookup", {})) == "[Tool Call: lookup]\n"
    assert render_text(ToolResultEvent("t", "success", "x", 1)) == "[Tool Result]\n"
    assert render_text(TurnCompleteEvent("Hi")) == ""
    assert render_text(END) == "\n\n---\n\nDoc: https://d"
    assert render_text(EndEvent(1, 1)) == ""
    assert render_text(ERROR) == "Status: 429 - The quota has been exceeded - no tokens left"


async def _events() -> AsyncIterator[PipelineEvent]:
    for event in (
        StartEvent("c", "r"),
        TokenEvent("a"),
        TokenEvent("b"),
        TurnCompleteEvent("ab"),
        EndEvent(1, 2),
    ):
        yield event


async def test_serialize_numbers_token_and_turn_complete_events() -> None:
    frames = [frame async for frame in serialize(_events(), text_mode=False)]
    assert [f for f in frames if '"token"' in f or "turn_complete" in f] == [
        'data: {"event": "token", "data": {"id": 0, "token": "a"}}\n\n',
        'data: {"event": "token", "data": {"id": 1, "token": "b"}}\n\n',
        'data: {"event": "turn_complete", "data": {"id": 2, "token": "ab"}}\n\n',
    ]
    assert len(frames) == 5


async def test_serialize_text_mode_skips_empty_pieces() -> None:
    assert [piece async for piece in serialize(_events(), text_mode=True)] == ["a", "b"]
