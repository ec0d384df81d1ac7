"""The fast paths in the OpenAI SDK give what the SDK itself gives."""

from __future__ import annotations

import datetime
import importlib
from typing import Annotated, Any, Literal, Required, TypedDict

import pydantic
import pytest
from openai import AsyncOpenAI
from openai._base_client import BaseClient
from openai._types import NOT_GIVEN, omit
from openai._utils._transform import PropertyInfo, async_maybe_transform
from openai.types.chat import ChatCompletion, ChatCompletionChunk, completion_create_params

from lightspeed_core.llm import openai_sdk
from lightspeed_core.llm.openai_sdk import (
    fast_process,
    fast_transform,
    is_plain_json,
    transform_is_identity,
)

STREAMING = completion_create_params.CompletionCreateParamsStreaming
NON_STREAMING = completion_create_params.CompletionCreateParamsNonStreaming


class Renamed(TypedDict, total=False):
    card_id: Required[Annotated[str, PropertyInfo(alias="cardID")]]


class Dated(TypedDict, total=False):
    when: Annotated[datetime.datetime, PropertyInfo(format="iso8601")]


class Outer(TypedDict, total=False):
    kind: Literal["a", "b"]
    items: list[Renamed | Dated]


class Point(pydantic.BaseModel):
    x: int


CHAT_BODIES: list[dict[str, Any]] = [
    {
        "model": "m",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 100,
        "temperature": 0.2,
    },
    {
        "model": "m",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is in it?"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "42"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "parameters": {"type": "object", "properties": {"a": {"type": "string"}}},
                },
            }
        ],
        "tool_choice": "auto",
        "response_format": {"type": "json_object"},
        "extra_field_the_sdk_does_not_know": [1, 2.5, None, True],
    },
]


@pytest.mark.parametrize("expected", [STREAMING, NON_STREAMING])
def test_chat_completion_parameters_have_nothing_to_rename_or_format(expected: object) -> None:
    assert transform_is_identity(expected)


@pytest.mark.parametrize("expected", [Renamed, Dated, Outer])
def test_an_alias_or_a_format_anywhere_is_found(expected: object) -> None:
    assert not transform_is_identity(expected)


@pytest.mark.parametrize("body", CHAT_BODIES)
async def test_plain_chat_bodies_come_out_as_the_sdk_makes_them(body: dict[str, Any]) -> None:
    fast = fast_transform(async_maybe_transform)
    for expected in (STREAMING, NON_STREAMING):
        result = await fast(body, expected)
        assert result == await async_maybe_transform(body, expected)
        assert result is not body  # a copy: the SDK may merge extra body keys into it


async def test_the_sdk_s_own_call_takes_the_fast_path() -> None:
    """``create`` passes every parameter; those not given are ``omit``/``NOT_GIVEN``."""
    calls: list[object] = []

    async def sdk(data: object, expected: object) -> object:
        calls.append(expected)
        return await async_maybe_transform(data, expected)

    body = {**CHAT_BODIES[1], "audio": omit, "seed": NOT_GIVEN, "user": omit}
    result = await fast_transform(sdk)(body, STREAMING)
    assert result == await async_maybe_transform(body, STREAMING)
    assert "audio" not in result  # type: ignore[operator]
    assert calls == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"card_id": "x"}, Renamed),
        ({"when": datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)}, Dated),
        ({"kind": "a", "items": [{"card_id": "y"}]}, Outer),
        ({"model": "m", "messages": ({"role": "user", "content": "a tuple"},)}, STREAMING),
        ({"model": "m", "messages": [], "metadata": Point(x=1)}, STREAMING),
    ],
)
async def test_everything_else_goes_through_the_sdk(data: dict[str, Any], expected: object) -> None:
    fast = fast_transform(async_maybe_transform)
    assert await fast(data, expected) == await async_maybe_transform(data, expected)


def test_plain_json_is_dicts_lists_and_scalars() -> None:
    assert is_plain_json({"a": [1, 2.0, "s", None, True, {"b": []}]})
    assert not is_plain_json({"a": (1,)})
    assert not is_plain_json({1: "not a string key"})
    assert not is_plain_json({"a": datetime.date(2026, 1, 1)})


def test_install_wraps_the_transform_and_the_chunk_builder_once() -> None:
    module = importlib.import_module("openai.resources.chat.completions.completions")
    assert openai_sdk.install()
    wrapped: Any = module.async_maybe_transform
    process: Any = AsyncOpenAI._process_response_data
    assert wrapped.__wrapped__ is async_maybe_transform
    assert process.__wrapped__ is BaseClient._process_response_data
    assert openai_sdk.install()
    assert module.async_maybe_transform is wrapped
    assert AsyncOpenAI._process_response_data is process


def chunk(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1765100000,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": "Hello"},
                "finish_reason": None,
                "logprobs": None,
            }
        ],
    }
    return {**data, **changes}


CHUNKS: list[tuple[type[Any], dict[str, Any]]] = [
    (ChatCompletionChunk, chunk()),
    (
        ChatCompletionChunk,
        chunk(choices=[], usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}),
    ),
    (
        ChatCompletionChunk,
        chunk(
            choices=[
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "t1",
                                "type": "function",
                                "function": {"name": "f", "arguments": "{}"},
                            }
                        ],
                        "reasoning_content": "a backend's extra key",
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            system_fingerprint=None,
            x_extra={"a": 1},
        ),
    ),
    # not strictly valid: built by the SDK's lenient path, as before
    (ChatCompletionChunk, chunk(created="1765100000")),
    (ChatCompletionChunk, chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "odd"}])),
    (ChatCompletionChunk, {"id": "only an id"}),
    (
        ChatCompletion,
        {
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    ),
]


def fields_set_tree(model: object) -> object:
    if isinstance(model, pydantic.BaseModel):
        return (
            type(model).__name__,
            sorted(model.model_fields_set),
            {k: fields_set_tree(v) for k, v in model.__dict__.items()},
            {k: fields_set_tree(v) for k, v in (model.__pydantic_extra__ or {}).items()},
        )
    if isinstance(model, list):
        return [fields_set_tree(item) for item in model]
    return (type(model).__name__, model)


class Client:
    _strict_response_validation = False


@pytest.mark.parametrize(("cast_to", "data"), CHUNKS)
def test_chunks_come_out_as_the_sdk_builds_them(cast_to: type[Any], data: dict[str, Any]) -> None:
    sdk = BaseClient._process_response_data
    fast = fast_process(sdk, (ChatCompletionChunk, ChatCompletion))
    mine: Any = fast(Client(), data=data, cast_to=cast_to, response=None)
    theirs: Any = sdk(Client(), data=data, cast_to=cast_to, response=None)  # type: ignore[arg-type]
    assert mine == theirs
    assert fields_set_tree(mine) == fields_set_tree(theirs)  # values, their types, set fields
    assert mine.model_dump(exclude_unset=True) == theirs.model_dump(exclude_unset=True)


def test_other_types_and_strict_clients_keep_the_sdk_path() -> None:
    calls: list[object] = []

    def sdk(self: object, *, data: object, cast_to: object, response: object) -> object:
        calls.append(cast_to)
        return data

    fast = fast_process(sdk, (ChatCompletionChunk,))
    strict = Client()
    strict._strict_response_validation = True
    assert fast(Client(), data={"a": 1}, cast_to=dict, response=None) == {"a": 1}
    assert fast(strict, data=chunk(), cast_to=ChatCompletionChunk, response=None) == chunk()
    assert calls == [dict, ChatCompletionChunk]
