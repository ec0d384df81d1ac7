"""Which calls are plain enough to skip OGX's Responses layer (``llm/chat.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.chat import HeldBack, NotPlain, chat_events, plain
from lightspeed_core.llm.chat_input import chat_messages
from lightspeed_core.llm.events import Completed, LLMEvent, TextDelta, ToolCall, ToolResult, Usage
from tests.support.chat_chunks import ScriptedInference, call, finish, text, usage

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


# -- the events of one chat completion (``chat_events``) -----------------------------------


def _events(answer: list[Any], **changes: Any) -> list[LLMEvent]:
    inference = ScriptedInference(answer)

    async def collect() -> list[LLMEvent]:
        return [event async for event in chat_events(inference, _tooled(**changes))]

    return asyncio.run(collect())


def _tooled(**changes: Any) -> ResponseRequest:
    tools = [{"type": "function", "name": "add", "parameters": {"type": "object"}}]
    return _request(**{"tools": tools, **changes})


def _completed(events: list[LLMEvent]) -> Completed:
    done = events[-1]
    assert isinstance(done, Completed)
    assert done.response_id is not None
    assert done.response_id.startswith("resp_")
    return done


def test_text_is_cut_where_the_responses_layer_cuts_it() -> None:
    events = _events([text("Hello "), text("there [file-"), text("1] x"), usage(3, 4)])
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas == ["Hello", " there", " [file-1] x"]
    assert _completed(events).text == "Hello there [file-1] x"


@pytest.mark.parametrize(
    "pieces",
    [["Hello ", "world"], ["a (", "b) [", "c] <|", "file-x|> d "], [" ", " "], ["x <", "y"]],
)
def test_held_back_text_is_ogx_s(pieces: list[str]) -> None:
    from ogx.providers.inline.responses.builtin.responses.utils import StreamingCitationCleaner

    ogx, ours = StreamingCitationCleaner({}), HeldBack()
    assert [ours.feed(p) for p in pieces] == [ogx.feed(p) for p in pieces]
    assert ours.flush() == ogx.flush()


def test_tool_calls_come_after_the_text_one_round_each() -> None:
    answer = [
        text("Let me add."),
        call(0, id="call_a", name="add", arguments='{"a":'),
        call(0, arguments=" 1}"),
        call(1, id="call_b", name="list_skills"),
        finish("tool_calls"),
        usage(10, 2),
        usage(1, 1),  # OGX adds up every usage it is given
    ]
    events = _events(answer)
    assert events[:-1] == [
        TextDelta("Let me add."),
        ToolCall("call_a", "add", {"a": 1}, "function_call", None, "call_a"),
        ToolResult("call_a", "success", "", 1),
        ToolCall("call_b", "list_skills", {}, "function_call", None, "call_b"),
        ToolResult("call_b", "success", "", 2),
    ]
    done = _completed(events)
    assert (done.text, done.usage, done.status) == ("Let me add.", Usage(11, 3), "completed")


def test_without_tools_offered_tool_calls_are_not_reported() -> None:
    events = _events([call(0, id="c", name="add", arguments="{}"), finish("tool_calls")], tools=[])
    assert len(events) == 1
    assert _completed(events).text == ""


def test_an_answer_cut_at_its_length_is_incomplete() -> None:
    events = _events([text("tok0 "), text("tok1"), finish("length"), usage(2, 2)])
    assert _completed(events).status == "incomplete"
    assert _completed(events).text == "tok0 tok1"


def test_a_built_in_tool_name_first_goes_through_responses() -> None:
    with pytest.raises(NotPlain):
        _events([text(" "), call(0, id="c", name="file_search", arguments="{}")])
    events = _events([text("Searching."), call(0, id="c", name="file_search")])
    assert [type(e) for e in events] == [TextDelta, ToolCall, ToolResult, Completed]


@pytest.mark.parametrize(
    "answer",
    [[call(0, name="add", arguments="{}")], [{"delta": {"tool_calls": [{"index": 0, "id": "c"}]}}]],
    ids=["no call id", "no function"],
)
def test_a_call_ogx_cannot_make_an_item_of_fails_as_it_does(answer: list[Any]) -> None:
    with pytest.raises(LightspeedError, match="error"):
        _events(answer)
