"""``/v1/responses`` driven by the official ``openai`` package, real OGX, scripted backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from tests.support.app import RunningApp

pytestmark = pytest.mark.xdist_group("app")


@pytest.fixture
async def sdk(app: RunningApp) -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx.ASGITransport(app=app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield openai.AsyncOpenAI(
            base_url="http://testserver/v1", api_key="token", http_client=http, max_retries=0
        )


async def test_plain_string_input(sdk: openai.AsyncOpenAI) -> None:
    response = await sdk.responses.create(model="stub/stub-model", input="Say hello")
    assert response.status == "completed"
    assert response.output_text == "Hello from stub"
    assert response.id.startswith("resp")
    assert response.usage is not None
    assert response.usage.output_tokens == 3
    body = response.model_dump()
    assert len(body["conversation"]) == 48  # ours, a string (OpenAI's is an object)
    assert body["available_quotas"] == {}


async def test_streamed(sdk: openai.AsyncOpenAI) -> None:
    stream = await sdk.responses.create(
        model="stub/stub-model", input="[[say:One two three]]", stream=True
    )
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
    assert "response.output_text.delta" in kinds
    assert "".join(deltas) == "One two three"
    assert final is not None
    assert final.output_text == "One two three"
