"""Which calls are plain enough to skip OGX's Responses layer (``llm/chat.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_core.llm.base import ResponseRequest, chat_messages
from lightspeed_core.llm.chat import plain

USER = {"role": "user", "content": "Hi"}


def _request(**changes: Any) -> ResponseRequest:
    return ResponseRequest(**{"model": "m", "input": [USER], **changes})


def test_text_messages_without_tools_are_plain() -> None:
    assert plain(_request())
    assert plain(_request(input=[{"type": "message", "role": "assistant", "content": "A"}, USER]))


@pytest.mark.parametrize(
    "changes",
    [
        {"tools": [{"type": "function", "name": "f"}]},
        {"raw_events": "final"},
        {"include": ["file_search_call.results"]},
        {"extra": {"text": {"format": {"type": "json_object"}}}},
        {"input": [{"type": "function_call_output", "call_id": "c", "output": "x"}]},
        {"input": [{"role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]},
        {"input": [{"role": "user", "content": "Hi", "id": "msg_1"}]},
    ],
)
def test_anything_else_goes_through_responses(changes: dict[str, Any]) -> None:
    assert not plain(_request(**changes))


def test_instructions_become_the_system_message() -> None:
    assert chat_messages(_request(instructions="Be brief.")) == [
        {"role": "system", "content": "Be brief."},
        USER,
    ]
