"""OGX's own events next to the normalised ones (``raw_events``), as JSON in both modes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import Enum
from typing import Any

from ogx_api.openai_responses import (
    OpenAIResponseObject,
    OpenAIResponseObjectStreamResponseCompleted,
    OpenAIResponseObjectStreamResponseOutputTextDelta,
)

from lightspeed_core.llm.events import Completed, LLMEvent, RawEvent, RawEvents, TextDelta
from lightspeed_core.llm.normalize import client_json, normalize_stream

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


class _Mode(Enum):
    AUTO = "auto"


class _Generated:
    """The shape of an openapi-generator model: ``to_dict`` may leave models in lists."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


def test_client_json_unwraps_generated_models() -> None:
    part = _Generated({"type": "output_text", "text": "Hi", "logprobs": None})
    event = _Generated(
        {"type": "response.completed", "response": {"tool_choice": _Mode.AUTO, "output": [part]}}
    )
    assert client_json(event) == {
        "type": "response.completed",
        "response": {"tool_choice": "auto", "output": [{"type": "output_text", "text": "Hi"}]},
    }
