"""A conversation deleted while one of its turns is answered stays deleted (issue 14, item 6).

The late turn is discarded - not stored in the database, the v2 cache or the listings - and
its quota is still settled. Both engines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

from .support import ALICE, OWN_ONLY
from .test_api import sql_cache

pytestmark = pytest.mark.xdist_group("conversations")
LIMITER = {
    "type": "user_limiter",
    "name": "per-user",
    "initial_quota": 100_000,
    "quota_increase": 0,
    "period": "1 day",
}


@pytest.fixture
async def app(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> AsyncIterator[RunningApp]:
    config = stub_config(
        scripted.base_url,
        database=database_block,
        conversation_cache=sql_cache(database_block, tmp_path),
        authorization=OWN_ONLY,
        quota_handlers={**database_block, "limiters": [LIMITER]},
    )
    async with running_app(config, tmp_path) as running:
        yield running


async def test_delete_during_an_in_flight_turn_is_not_undone(
    app: RunningApp, scripted: BackgroundServer
) -> None:
    client = app.client
    first = await client.post("/v1/query", json={"query": "Say hello"}, params=ALICE)
    assert first.status_code == 200
    cid = first.json()["conversation_id"]
    left_after_first = first.json()["available_quotas"]["per-user"]

    calls = len(scripted.backend.requests)
    late = asyncio.ensure_future(
        client.post(
            "/v1/query",
            json={"query": "[[delay:0.5]] Say more", "conversation_id": cid},
            params=ALICE,
        )
    )
    for _ in range(3000):  # until the model has the question
        if len(scripted.backend.requests) > calls:
            break
        await asyncio.sleep(0.01)
    deleted = await client.delete(f"/v1/conversations/{cid}", params=ALICE)
    assert deleted.json()["deleted"] is True
    answered = await late
    assert answered.status_code == 200  # the answer is delivered ...
    used = answered.json()["input_tokens"] + answered.json()["output_tokens"]
    assert used > 0
    # ... and charged
    assert answered.json()["available_quotas"]["per-user"] == left_after_first - used

    # ... but the conversation stays deleted everywhere
    assert await app.services.conversations.get(cid) is None
    assert await app.services.conversations.turns(cid) == []
    assert await app.services.conversations.cached_turns("alice", cid) == []
    for version in ("v1", "v2"):
        missing = await client.get(f"/{version}/conversations/{cid}", params=ALICE)
        assert missing.status_code == 404
        listing = (await client.get(f"/{version}/conversations", params=ALICE)).json()
        assert cid not in {c["conversation_id"] for c in listing["conversations"]}
