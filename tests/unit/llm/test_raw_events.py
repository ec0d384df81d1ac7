"""OGX's own events next to the normalised ones (``raw_events``), as JSON in both modes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ogx_api.openai_responses import (
    OpenAIResponseObject,
    OpenAIResponseObjectStreamResponseCompleted,
    OpenAIResponseObjectStreamResponseOutputTextDelta,
)

from lightspeed_core.llm.events import Completed, LLMEvent, RawEvent, RawEvents, TextDelta
from lightspeed_core.llm.normalize import normalize_stream

RESPONSE = OpenAIResponseObject(
    id="resp_1",
    created_at=1,
    model="m",
    object="response",
    output=[],
    status="completed",
    store=False,
)
EVENTS = [
    OpenAIResponseObjectStreamResponseOutputTextDelta(
        content_index=0, delta="Hi", item_id="msg_1", output_index=0, sequence_number=0
    ),
    OpenAIResponseObjectStreamResponseCompleted(response=RESPONSE, sequence_number=1),
]


async def _stream() -> AsyncIterator[Any]:
    for event in EVENTS:
        yield event


async def _normalised(raw: RawEvents) -> list[LLMEvent]:
    return [event async for event in normalize_stream("m", _stream(), raw=raw)]


async def test_none_all_and_final() -> None:
    assert [type(e) for e in await _normalised("none")] == [TextDelta, Completed]
    every = await _normalised("all")
    assert [type(e) for e in every] == [RawEvent, TextDelta, RawEvent, Completed]
    final = await _normalised("final")
    assert [type(e) for e in final] == [TextDelta, RawEvent, Completed]
    raw = final[1]
    assert isinstance(raw, RawEvent)
    assert raw.payload["type"] == "response.completed"
    assert raw.payload["response"]["id"] == "resp_1"
    assert "error" not in raw.payload["response"]  # nulls left out
