"""Input that only one engine would refuse is a 422 at the edge, the same on both engines.

NUL in a JSON string, an unpaired surrogate, a user id with NUL or over 256 characters, a
quota beyond 32 bits, a topic with NUL: each is refused before anything is charged or
stored. Bodies over ``service.max_request_body_bytes`` are a 413 in the contract's shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("hostile-input")]

LIMIT = 64 * 1024


@pytest.fixture
async def guarded_app(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> AsyncIterator[RunningApp]:
    config = stub_config(
        scripted.base_url,
        service={"max_request_body_bytes": LIMIT},
        database=database_block,
        quota_handlers={
            **database_block,
            "limiters": [
                {
                    "type": "user_limiter",
                    "name": "per-user",
                    "initial_quota": 100_000,
                    "quota_increase": 0,
                    "period": "1 day",
                }
            ],
            "enable_token_history": True,
        },
        authorization={"access_rules": [{"role": "*", "actions": ["admin"]}]},
    )
    async with running_app(config, tmp_path) as app:
        yield app


def ask(text: str) -> dict[str, Any]:
    return {"query": text, "generate_topic_summary": False}


async def _available(app: RunningApp, user: str) -> int:
    quotas = (await app.client.get(f"/v1/quotas?user_id={user}")).json()["quotas"]
    return int(next(q["available"] for q in quotas if q["limiter"] == "per-user"))


async def test_unstorable_characters_are_422_before_any_charge(
    guarded_app: RunningApp, scripted: BackgroundServer
) -> None:
    client = guarded_app.client
    before = await _available(guarded_app, "alice")
    calls = len(scripted.backend.requests)
    for raw in (b'{"query": "a\\u0000b"}', b'{"query": "\\ud800"}'):
        for path in ("/v1/query", "/v1/streaming_query"):
            reply = await client.post(
                f"{path}?user_id=alice",
                content=raw,
                headers={"content-type": "application/json"},
            )
            assert reply.status_code == 422, reply.text
            (entry,) = reply.json()["detail"]
            assert (entry["type"], entry["loc"]) == ("invalid_characters", ["body"])
    assert len(scripted.backend.requests) == calls
    assert await _available(guarded_app, "alice") == before


async def test_user_ids_that_cannot_be_stored_are_422(guarded_app: RunningApp) -> None:
    client = guarded_app.client
    for user in ("a%00b", "u" * 257):
        reply = await client.post(f"/v1/query?user_id={user}", json=ask("Say hello"))
        assert reply.status_code == 422, reply.text
    longest = await client.post(f"/v1/query?user_id={'u' * 256}", json=ask("Say hello"))
    assert longest.status_code == 200, longest.text


async def test_quota_beyond_32_bits_and_topic_with_nul_are_422(guarded_app: RunningApp) -> None:
    client = guarded_app.client
    too_big = await client.put("/v1/quotas/bob", json={"limiter": "per-user", "available": 2**31})
    assert too_big.status_code == 422
    largest = await client.put(
        "/v1/quotas/bob", json={"limiter": "per-user", "quota_limit": 2**31 - 1}
    )
    assert largest.status_code == 200, largest.text
    asked = await client.post("/v1/query?user_id=bob", json=ask("Say hello"))
    conversation = asked.json()["conversation_id"]
    topic = await client.put(
        f"/v1/conversations/{conversation}?user_id=bob",
        content=b'{"topic_summary": "x\\u0000y"}',
        headers={"content-type": "application/json"},
    )
    assert topic.status_code == 422
    fine = await client.put(
        f"/v1/conversations/{conversation}?user_id=bob", json={"topic_summary": "x y"}
    )
    assert fine.status_code == 200, fine.text


async def test_a_body_over_the_limit_is_413(guarded_app: RunningApp) -> None:
    reply = await guarded_app.client.post("/v1/query?user_id=carol", json=ask("A" * LIMIT))
    assert reply.status_code == 413
    assert reply.json() == {
        "detail": {
            "response": "Request body too large",
            "cause": f"The request body exceeds the maximum of {LIMIT} bytes.",
        }
    }


async def test_an_empty_chunking_strategy_is_422(guarded_app: RunningApp) -> None:
    client = guarded_app.client
    created = await client.post("/v1/vector-stores", json={"name": "s", "chunking_strategy": {}})
    assert created.status_code == 422, created.text
    attached = await client.post(
        "/v1/vector-stores/vs_1/files", json={"file_id": "f", "chunking_strategy": {}}
    )
    assert attached.status_code == 422, attached.text
    assert "chunking_strategy must be" in attached.text


async def test_token_usage_timestamps_carry_their_timezone(guarded_app: RunningApp) -> None:
    client = guarded_app.client
    assert (await client.post("/v1/query?user_id=dana", json=ask("Say hello"))).status_code == 200
    (entry,) = (await client.get("/v1/token-usage?user_id=dana")).json()["usage"]
    assert datetime.fromisoformat(entry["updated_at"]).utcoffset() == timedelta(0)
    quotas = (await client.get("/v1/quotas?user_id=dana")).json()["quotas"]
    for quota in quotas:
        for moment in (quota["updated_at"], quota["revoked_at"]):
            assert moment is None or datetime.fromisoformat(moment).utcoffset() == timedelta(0)
