"""The chat completion transform fast path gives what the OpenAI SDK itself gives."""

from __future__ import annotations

import datetime
import importlib
from typing import Annotated, Any, Literal, Required, TypedDict

import pydantic
import pytest
from openai._utils._transform import PropertyInfo, async_maybe_transform
from openai.types.chat import completion_create_params

from lightspeed_core.llm import sdk_transform
from lightspeed_core.llm.sdk_transform import fast_transform, is_plain_json, transform_is_identity

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


def test_install_wraps_the_chat_completions_transform_once() -> None:
    module = importlib.import_module("openai.resources.chat.completions.completions")
    assert sdk_transform.install()
    wrapped = module.async_maybe_transform
    assert wrapped.__wrapped__ is async_maybe_transform
    assert sdk_transform.install()
    assert module.async_maybe_transform is wrapped
