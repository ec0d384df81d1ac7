"""Responses input items: the question, its replacement, function calls from stored turns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.errors import BadRequestError
from lightspeed_core.pipeline.items import (
    context_text,
    missing_function_calls,
    question_of,
    with_question,
)

IMAGE = {"type": "input_image", "image_url": "data:image/png;base64,AA=="}


def test_question_is_the_last_user_message() -> None:
    items: list[dict[str, Any]] = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "answer"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "again"}]},
    ]
    assert question_of(items) == "again"
    assert question_of([{"type": "function_call_output", "call_id": "c", "output": "x"}]) == ""


def test_with_question_replaces_the_text_and_keeps_other_parts() -> None:
    items: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "input_text", "text": "old"}, IMAGE]}
    ]
    [replaced] = with_question(items, "new")
    assert replaced["content"] == [{"type": "input_text", "text": "new"}, IMAGE]
    assert items[0]["content"][0]["text"] == "old"  # not changed in place
    assert with_question([{"role": "user", "content": "q"}], "p") == [
        {"role": "user", "content": "p"}
    ]


def test_missing_function_calls_come_from_stored_turns() -> None:
    now = datetime.now(UTC)
    call = {"id": "call_1", "name": "get_weather", "args": {"city": "Brno"}, "type": "tool_call"}
    turn = TurnRecord("q", "", now, now, tool_calls=[call])
    output = {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
    assert missing_function_calls([output], [turn]) == [
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Brno"}',
        }
    ]
    present = {"type": "function_call", "call_id": "call_1", "name": "x", "arguments": "{}"}
    assert missing_function_calls([present, output], [turn]) == []
    with pytest.raises(BadRequestError, match="No function call with call_id 'unknown'"):
        missing_function_calls([{**output, "call_id": "unknown"}], [turn])


def test_context_text_leaves_out_the_question() -> None:
    items = [{"role": "assistant", "content": "earlier"}, {"role": "user", "content": "q"}]
    assert context_text(items) == '[{"role": "assistant", "content": "earlier"}]'
    assert context_text([{"role": "user", "content": "q"}]) == ""
