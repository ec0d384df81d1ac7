"""``fold``: the events of a turn become one ``QueryResponse``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lightspeed_core.errors import InternalError, PromptTooLongError
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.fold import fold
from lightspeed_core.rag.base import Chunk, Document


async def _events(*events: PipelineEvent) -> AsyncIterator[PipelineEvent]:
    for event in events:
        yield event


async def test_fold_builds_the_response() -> None:
    answer = await fold(
        _events(
            StartEvent("c1", "r1"),
            TokenEvent("Hel"),
            ToolCallEvent("t1", "lookup", {"q": 1}),
            ToolResultEvent("t1", "success", "42", 1),
            TokenEvent("lo"),
            TurnCompleteEvent("Hello"),
            EndEvent(
                5,
                7,
                (Document("https://d", "Doc", "store", "d1"),),
                (Chunk("text", "store", 0.5, {"a": 1}),),
                {"limiter": 9},
            ),
        )
    )
    assert answer.model_dump() == {
        "conversation_id": "c1",
        "response": "Hello",
        "rag_chunks": [
            {"content": "text", "source": "store", "score": 0.5, "attributes": {"a": 1}}
        ],
        "referenced_documents": [
            {"doc_url": "https://d", "doc_title": "Doc", "source": "store", "document_id": "d1"}
        ],
        "truncated": False,
        "input_tokens": 5,
        "output_tokens": 7,
        "available_quotas": {"limiter": 9},
        "tool_calls": [{"id": "t1", "name": "lookup", "args": {"q": 1}, "type": "tool_call"}],
        "tool_results": [
            {"id": "t1", "status": "success", "content": "42", "type": "tool_result", "round": 1}
        ],
    }


async def test_an_error_event_is_raised() -> None:
    error = PromptTooLongError("m")
    with pytest.raises(PromptTooLongError) as raised:
        await fold(_events(StartEvent("c", "r"), ErrorEvent(error)))
    assert raised.value is error


async def test_no_end_event_is_an_internal_error() -> None:
    with pytest.raises(InternalError):
        await fold(_events(StartEvent("c", "r"), TurnCompleteEvent("x")))
