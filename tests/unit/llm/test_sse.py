"""SSE decoding of OGX's streamed Responses (server mode) and its normalisation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from lightspeed_core.errors import InternalError, PromptTooLongError
from lightspeed_core.llm.events import Completed, LLMEvent, RawEvent, TextDelta, ToolCall
from lightspeed_core.llm.normalize import normalize_stream
from lightspeed_core.llm.sse import Node, decode, event_json, sse_data, sse_events

DELTA = {"type": "response.output_text.delta", "delta": "Hi", "item_id": "m", "logprobs": None}
USAGE = {"input_tokens": 3, "output_tokens": 2}
COMPLETED = {
    "type": "response.completed",
    "response": {"id": "resp_1", "usage": USAGE, "error": None},
}


async def lines_of(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


def framed(*events: dict[str, Any]) -> list[str]:
    """Each event as OGX frames it: one ``data:`` line and a blank line."""
    out: list[str] = []
    for event in events:
        out += [f"data: {json.dumps(event)}", ""]
    return out


async def collect(lines: Iterable[str]) -> list[Any]:
    return [event async for event in sse_events(lines_of(lines))]


async def normalized(lines: Iterable[str], raw: Any = "none") -> list[LLMEvent]:
    events = sse_events(lines_of(lines))
    return [e async for e in normalize_stream("m", events, raw=raw, to_json=event_json)]


def test_node_reads_keys_as_attributes_and_missing_ones_as_none() -> None:
    node = decode('{"type": "x", "item": {"name": "n", "results": [{"score": 1.5}]}}')
    assert isinstance(node, Node)
    assert node.type == "x"
    assert node.item.name == "n"
    assert node.item.results[0].score == 1.5
    assert node.missing is None
    assert getattr(node, "delta", "") is None  # like an unset optional field of a model
    assert not hasattr(node, "__html__")


async def test_one_event_per_blank_line_terminated_block() -> None:
    assert await collect(framed(DELTA, COMPLETED)) == [DELTA, COMPLETED]


async def test_multi_line_data_is_joined_with_newlines() -> None:
    text = json.dumps(DELTA, indent=1).splitlines()
    lines = [f"data: {part}" for part in text] + [""]
    assert await collect(lines) == [DELTA]
    assert [pair async for pair in sse_data(lines_of(["data:a", "data: b", ""]))] == [("", "a\nb")]


async def test_comments_event_names_and_done() -> None:
    lines = [": keep-alive", "", "event: response.output_text.delta", "data: {}", ""]
    lines += ["data: [DONE]", "", *framed(DELTA)]
    assert await collect(lines) == [{"type": "response.output_text.delta"}]


async def test_a_truncated_stream_drops_the_cut_event() -> None:
    cut = json.dumps(COMPLETED)[:20]
    events = await normalized([*framed(DELTA), f"data: {cut}"])
    assert events == [TextDelta("Hi")]  # no Completed: the caller sees an unfinished answer


async def test_malformed_json_in_a_complete_event_raises() -> None:
    with pytest.raises(json.JSONDecodeError):
        await collect(["data: {not json", ""])


async def test_normalized_text_usage_and_tool_calls() -> None:
    call = {
        "type": "response.output_item.done",
        "item": {
            "type": "mcp_call",
            "id": "c1",
            "name": "whoami",
            "arguments": '{"a": 1}',
            "server_label": "srv",
            "output": "me",
            "error": None,
        },
    }
    events = await normalized(framed(call, DELTA, COMPLETED))
    assert isinstance(events[0], ToolCall)
    assert (events[0].name, events[0].args, events[0].server_label) == ("whoami", {"a": 1}, "srv")
    assert events[2] == TextDelta("Hi")
    done = events[-1]
    assert isinstance(done, Completed)
    assert (done.text, done.usage.input_tokens, done.usage.output_tokens) == ("Hi", 3, 2)
    assert done.response_id == "resp_1"


async def test_raw_events_are_plain_json_without_nulls() -> None:
    events = await normalized(framed(DELTA, COMPLETED), raw="all")
    raws = [e.payload for e in events if isinstance(e, RawEvent)]
    assert raws == [
        {"type": "response.output_text.delta", "delta": "Hi", "item_id": "m"},
        {
            "type": "response.completed",
            "response": {"id": "resp_1", "usage": USAGE},
        },
    ]
    assert all(type(raw) is dict for raw in raws)


async def test_an_error_event_is_classified() -> None:
    error = {"type": "error", "code": "context_length_exceeded", "message": "too long"}
    with pytest.raises(PromptTooLongError):
        await normalized(framed(DELTA, error))
    failed = {
        "type": "response.failed",
        "response": {"id": "r", "error": {"code": "server_error", "message": "boom"}},
    }
    with pytest.raises(InternalError) as caught:
        await normalized(framed(failed))
    assert caught.value.cause == "boom"
