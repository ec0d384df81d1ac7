"""Which calls with function tools are one chat completion, and the request made for them.

The messages and tools are compared with what OGX's Responses layer itself builds from the
same Responses input (its ``convert_response_input_to_chat_messages`` and function-tool
conversion), both validated as OGX's chat-completion request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.chat import chat_params
from lightspeed_core.llm.chat_input import chat_messages, chat_tools, plain

USER = {"role": "user", "content": "What is 1 + 2?"}
ADD = {
    "type": "function",
    "name": "add",
    "description": "Add two numbers.",
    "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}},
}
BARE = {"type": "function", "name": "list_skills", "parameters": None, "strict": None}


def _call(call_id: str, name: str = "add", arguments: str = '{"a": 1}') -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}


def _output(call_id: str, output: str = "3") -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


LOOP = [
    {"role": "system", "content": "Be brief."},
    USER,
    _call("call_1"),
    _output("call_1"),
    {"type": "message", "role": "assistant", "content": "So far 3."},
    _output("call_3", "5"),  # an output before its call: OGX moves it after the call
    _call("call_2", "list_skills", "{}"),
    _call("call_3"),
    _output("call_2", "hello"),
]


def _request(**changes: Any) -> ResponseRequest:
    return ResponseRequest(**{"model": "m", "input": [USER], "tools": [ADD], **changes})


def test_function_tools_and_our_loop_items_are_plain() -> None:
    assert plain(_request())
    assert plain(_request(tools=[ADD, BARE], input=LOOP, max_tool_calls=1, max_infer_iters=2))
    assert plain(_request(tools=[], input=[USER, _call("c"), _output("c")]))


@pytest.mark.parametrize(
    "changes",
    [
        {"tools": [{"type": "mcp", "server_label": "calc", "server_url": "http://x"}]},
        {"tools": [ADD, {"type": "file_search", "vector_store_ids": ["vs_1"]}]},
        {"tools": [{"type": "web_search"}]},
        {"tools": [{"type": "function", "name": "f"}]},  # OGX requires ``parameters``
        {"tools": [{**ADD, "extra": 1}]},
        {"extra": {"tool_choice": "required"}},
        {"extra": {"tool_choice": "auto"}},
        {"extra": {"parallel_tool_calls": False}},
        {"raw_events": "all"},
        {"include": ["file_search_call.results"]},
        {"max_tool_calls": 0},
        {"max_infer_iters": 0},
        {"max_output_tokens": 0},
        {"input": [USER, _output("call_1")]},  # no call to answer: OGX raises
        {"input": [USER, _call("c"), _call("c")]},  # one call id twice
        {"input": [USER, _call("c"), {**_output("c"), "output": [{"type": "input_text"}]}]},
        {"input": [USER, {**_call("c"), "id": "fc_1"}]},
        {"input": [USER, {**_call("c"), "status": "completed"}]},
        {"input": [USER, {"type": "mcp_call", "id": "m", "name": "add", "arguments": "{}"}]},
        {"input": [{"role": "developer", "content": "x"}]},
    ],
)
def test_anything_else_goes_through_responses(changes: dict[str, Any]) -> None:
    assert not plain(_request(**changes))


def _ogx_messages(request: ResponseRequest) -> list[Any]:
    """What OGX's Responses layer sends for the same input (``store=False``, no history)."""
    from ogx.providers.inline.responses.builtin.responses.utils import (
        convert_response_input_to_chat_messages,
    )
    from ogx_api.inference import OpenAISystemMessageParam
    from ogx_api.responses.models import CreateResponseRequest

    parsed = CreateResponseRequest(model=request.model, input=request.input)
    messages: list[Any] = asyncio.run(convert_response_input_to_chat_messages(parsed.input))
    if request.instructions:
        messages.insert(0, OpenAISystemMessageParam(content=request.instructions))
    return messages


def _ogx_tools(request: ResponseRequest) -> list[dict[str, Any]]:
    from ogx_api.responses.models import CreateResponseRequest

    parsed = CreateResponseRequest(model=request.model, input="x", tools=request.tools)
    return [
        {"type": "function", "function": tool.model_dump(exclude_none=True)}
        for tool in parsed.tools or []
    ]


def _validated(messages: list[Any], tools: list[dict[str, Any]] | None) -> dict[str, Any]:
    from ogx_api.inference.models import OpenAIChatCompletionRequestWithExtraBody

    body = OpenAIChatCompletionRequestWithExtraBody(model="m", messages=messages, tools=tools)
    dumped: dict[str, Any] = body.model_dump(mode="json")
    return dumped


@pytest.mark.parametrize("instructions", [None, "Answer with numbers."])
def test_the_request_is_the_one_ogx_sends(instructions: str | None) -> None:
    request = _request(tools=[ADD, BARE], input=LOOP, instructions=instructions)
    ours = _validated(chat_messages(request), chat_tools(request))
    assert ours == _validated(_ogx_messages(request), _ogx_tools(request))
    assert [m["role"] for m in ours["messages"]][-4:] == ["assistant", "tool", "assistant", "tool"]
    assert ours["tools"][1] == {
        "type": "function",
        "function": {"type": "function", "name": "list_skills"},
    }


def test_the_chat_request_carries_the_tools_only_when_offered() -> None:
    with_tools = chat_params(_request(max_output_tokens=50), stream=True)
    assert with_tools.tools == _ogx_tools(_request())
    assert with_tools.tool_choice is None
    assert with_tools.parallel_tool_calls is True
    assert with_tools.max_completion_tokens == 50
    assert with_tools.stream_options == {"include_usage": True}
    without = chat_params(_request(tools=[]), stream=False)
    assert without.tools is None
    assert without.parallel_tool_calls is None
