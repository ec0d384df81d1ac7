"""``/v1/responses`` driven by the official ``openai`` package, real OGX, scripted backend."""

from __future__ import annotations

import json
from typing import Any, cast

import httpx
import openai
import pytest
from openai.types.responses import FunctionToolParam

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp
from tests.support.wire import sample, sample_json

pytestmark = pytest.mark.xdist_group("app")

MODEL = "stub/stub-model"
WEATHER = cast(  # sent as written: no "strict", as many clients do
    FunctionToolParam,
    {
        "type": "function",
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
)


def _chat(scripted: BackgroundServer) -> dict[str, Any]:
    """The last chat request OGX sent the model (topic-summary calls left out)."""
    return next(
        r
        for r in reversed(scripted.backend.requests)
        if "topic summarizer" not in json.dumps(r["messages"][0])
    )


async def test_plain_string_input(sdk: openai.AsyncOpenAI) -> None:
    response = await sdk.responses.create(model=MODEL, input="Say hello")
    assert response.status == "completed"
    assert response.output_text == "Hello from stub"
    assert response.id.startswith("resp")
    assert response.usage is not None
    assert response.usage.output_tokens == 3
    body = response.model_dump()
    assert len(body["conversation"]) == 48  # ours, a string (OpenAI's is an object)
    assert body["available_quotas"] == {}


async def test_streamed(sdk: openai.AsyncOpenAI) -> None:
    stream = await sdk.responses.create(model=MODEL, input="[[say:One two three]]", stream=True)
    kinds: list[str] = []
    deltas: list[str] = []
    final = None
    async for event in stream:
        kinds.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        if event.type == "response.completed":
            final = event.response
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert "".join(deltas) == "One two three"
    assert final is not None
    assert final.output_text == "One two three"


async def test_body_keys_match_the_reference(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/responses", json={"input": "Say hello"})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = sample_json("04-responses.txt")
    assert list(body) == list(expected)
    assert body["instructions"] == "<server prompt applied>"
    assert body["model"] == "stub-model"  # the server chose it: no provider prefix
    assert body["store"] is True
    assert body["output_text"] == "Hello from stub"


async def test_stream_matches_the_reference_sequence(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/responses", json={"input": "Say hello", "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"] == sample("05-responses-stream.txt")[1]["content-type"]

    def frames(text: str) -> list[tuple[str, Any]]:
        found = []
        for block in text.strip().split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines())
            data = lines["data"]
            found.append((lines.get("event", ""), data if data == "[DONE]" else json.loads(data)))
        return found

    ours, reference = frames(response.text), frames(sample("05-responses-stream.txt")[2])
    assert [kind for kind, _ in ours] == [kind for kind, _ in reference]
    assert [d["sequence_number"] for _, d in ours[:-1]] == list(range(len(ours) - 1))
    for (_, mine), (_, theirs) in zip(ours[:-1], reference[:-1], strict=True):
        if "response" in theirs:
            assert set(theirs["response"]) <= set(mine["response"])
    completed = ours[-2][1]["response"]
    assert completed["available_quotas"] == {}
    assert completed["output_text"] == "Hello from stub"
    assert completed["conversation"] == ours[0][1]["response"]["conversation"]


async def test_item_list_input_and_instructions(
    sdk: openai.AsyncOpenAI, scripted: BackgroundServer
) -> None:
    response = await sdk.responses.create(
        model=MODEL,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "[[say:Hi there]]"}]}],
        instructions="Be terse.",
        temperature=0.25,
        max_output_tokens=50,
        metadata={"ticket": "42"},
        store=False,
    )
    assert response.output_text == "Hi there"
    assert response.instructions == "Be terse."
    assert response.metadata == {"ticket": "42"}
    sent = _chat(scripted)
    assert sent["messages"][0] == {"role": "system", "content": "Be terse."}
    assert sent["temperature"] == 0.25


async def test_conversation_and_previous_response_id(
    sdk: openai.AsyncOpenAI, app: RunningApp, scripted: BackgroundServer
) -> None:
    first = await sdk.responses.create(model=MODEL, input="[[say:First answer]] one")
    conversation = first.model_dump()["conversation"]
    second = await sdk.responses.create(
        model=MODEL, input="[[say:Second answer]] two", extra_body={"conversation": conversation}
    )
    assert second.model_dump()["conversation"] == conversation
    third = await sdk.responses.create(
        model=MODEL, input="[[say:Third answer]] three", previous_response_id=second.id
    )
    assert third.model_dump()["conversation"] == conversation  # the latest turn: continue
    said = [m["content"] for m in _chat(scripted)["messages"][1:]]
    assert said[:4] == [
        "[[say:First answer]] one",
        "First answer",
        "[[say:Second answer]] two",
        "Second answer",
    ]
    fork = await sdk.responses.create(
        model=MODEL, input="[[say:Forked]] four", previous_response_id=first.id
    )
    forked = fork.model_dump()["conversation"]
    assert forked != conversation  # an older turn: a new conversation from that point
    said = [m["content"] for m in _chat(scripted)["messages"][1:]]
    assert said == ["[[say:First answer]] one", "First answer", "[[say:Forked]] four"]
    assert len(await app.services.conversations.turns(conversation)) == 3
    assert len(await app.services.conversations.turns(forked)) == 1


async def test_function_tools_end_the_turn_and_take_the_output(sdk: openai.AsyncOpenAI) -> None:
    asked = await sdk.responses.create(
        model=MODEL, input='[[tool:get_weather {"city": "Brno"}]] Weather?', tools=[WEATHER]
    )
    [call] = [item for item in asked.output if item.type == "function_call"]
    assert call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Brno"}
    answered = await sdk.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        tools=[WEATHER],
    )
    assert answered.output_text == "Tool said: sunny"


async def test_function_tools_streamed(sdk: openai.AsyncOpenAI) -> None:
    stream = await sdk.responses.create(
        model=MODEL,
        input='[[tool:get_weather {"city": "Brno"}]] Weather?',
        tools=[WEATHER],
        tool_choice="auto",
        stream=True,
    )
    done = [e.item async for e in stream if e.type == "response.output_item.done"]
    assert [item.type for item in done] == ["function_call"]


async def test_invalid_context_is_rejected(sdk: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as both:
        await sdk.responses.create(
            model=MODEL,
            input="Hi",
            previous_response_id="resp_1",
            extra_body={"conversation": "a" * 48},
        )
    assert "mutually exclusive" in json.dumps(both.value.body)
    with pytest.raises(openai.UnprocessableEntityError) as moderation:
        await sdk.responses.create(model=MODEL, input="Hi", previous_response_id="modr_123")
    assert "You cannot provide context by moderation response." in json.dumps(moderation.value.body)
    with pytest.raises(openai.NotFoundError):
        await sdk.responses.create(model=MODEL, input="Hi", previous_response_id="resp_unknown")


async def test_the_raw_body_is_limited(client: httpx.AsyncClient) -> None:
    body = {"input": "x" * 65_600}
    response = await client.post("/v1/responses", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]["response"] == "Request body too large"
