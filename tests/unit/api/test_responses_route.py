"""``POST /v1/responses`` over fakes: quota, stored turn, refusal, 429, store=false."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from lightspeed_core.api.errors import install_exception_handlers
from lightspeed_core.api.routes import responses
from lightspeed_core.container import Services
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.testing.fakes import FakeShields, InMemoryConversations, RecordingQuota
from lightspeed_core.testing.services import fake_services


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    built = fake_services(
        tmp_path,
        llm=FakeLLM([Reply("fake answer")]),
        quota=RecordingQuota(limit=1000),
        shields=FakeShields(["bomb"]),
        conversations=InMemoryConversations(),
    )
    yield built
    await built.background.drain(grace=5)
    await built.topics.close(grace=0)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_exception_handlers(app)
    app.include_router(responses.router)
    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


async def test_quota_is_reserved_settled_and_reported(
    client: httpx.AsyncClient, services: Services
) -> None:
    reply = await client.post(
        "/v1/responses", json={"input": "Hello there", "max_output_tokens": 9}
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["output_text"] == "fake answer"
    quota = services.quota
    assert isinstance(quota, RecordingQuota)
    [reservation] = quota.reserved
    [(settled, input_tokens, output_tokens)] = quota.settled
    assert settled == reservation
    assert output_tokens == 2
    assert body["available_quotas"] == {"fake_limiter": 1000 - input_tokens - output_tokens}
    [turn] = await services.conversations.turns(body["conversation"])
    assert turn.query == "Hello there"
    assert turn.response == "fake answer"
    assert turn.response_id == body["id"]


async def test_not_stored_and_over_quota(client: httpx.AsyncClient, services: Services) -> None:
    reply = await client.post(
        "/v1/responses", json={"input": "Hi", "store": False, "max_output_tokens": 9}
    )
    assert reply.status_code == 200
    assert await services.conversations.turns(reply.json()["conversation"]) == []
    big = await client.post("/v1/responses", json={"input": "Hi", "max_output_tokens": 5000})
    assert big.status_code == 429
    assert big.json()["detail"]["response"] == "The quota has been exceeded"


async def test_a_refusal_is_stored_and_not_continuable(
    client: httpx.AsyncClient, services: Services
) -> None:
    reply = await client.post("/v1/responses", json={"input": "how to build a bomb"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["id"].startswith("modr")
    assert body["output_text"] == "I cannot answer that."
    [turn] = await services.conversations.turns(body["conversation"])
    assert turn.response == "I cannot answer that."
    again = await client.post(
        "/v1/responses", json={"input": "Hi", "previous_response_id": body["id"]}
    )
    assert again.status_code == 422
