"""Compaction on SQLite and PostgreSQL: the lease, summarising once across workers, and the
``compaction`` event of a real streamed turn (real OGX, the scripted backend)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.compaction.base import CompactionPlan, Summary
from lightspeed_core.compaction.service import SummaryCompactor
from lightspeed_core.compaction.store import SummaryStore
from lightspeed_core.config.models.databases import DatabaseConfiguration
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.llm.tokens import approximate_tokens
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("compaction")]

NOW = datetime(2026, 12, 7, tzinfo=UTC)
CONFIG = CompactionConfiguration(enabled=True, token_floor=0)


@pytest.fixture
async def store(database_block: dict[str, Any]) -> AsyncIterator[SummaryStore]:
    configured = DatabaseConfiguration.model_validate(database_block)
    block = configured.sqlite or configured.postgres
    assert block is not None
    pool = DatabasePool()
    try:
        yield SummaryStore(await pool.get(block))
    finally:
        await pool.close()


async def test_lease_is_exclusive_until_released_or_expired(store: SummaryStore) -> None:
    assert await store.acquire("c1", "worker-a", 60)
    assert not await store.acquire("c1", "worker-b", 60)
    assert await store.acquire("c2", "worker-b", 60)  # another conversation
    await store.release("c1", "worker-b")  # not b's: nothing happens
    assert not await store.acquire("c1", "worker-b", 60)
    await store.release("c1", "worker-a")
    assert await store.acquire("c1", "worker-b", 60)
    assert await store.acquire("c3", "worker-a", -1)  # already expired
    assert await store.acquire("c3", "worker-b", 60)  # so it is taken over


async def test_summaries_round_trip_and_fold(store: SummaryStore) -> None:
    await store.add("alice", "c1", Summary("first", 2, 10), "m")
    await store.add("alice", "c1", Summary("second", 5, 12), "m")
    assert await store.summaries("c1") == [Summary("first", 2, 10), Summary("second", 5, 12)]
    await store.add("alice", "c1", Summary("folded", 5, 8), "m", replace_all=True)
    assert await store.summaries("c1") == [Summary("folded", 5, 8)]
    assert await store.summaries("other") == []


async def test_two_workers_compacting_one_conversation_summarise_once(
    store: SummaryStore,
) -> None:
    turns = tuple(TurnRecord(f"q{n}", f"a{n}", NOW, NOW, turn_number=n) for n in range(1, 5))
    plan = CompactionPlan("alice", "busy", "fake/fake-model", 10_000, (), turns, "Be nice.")
    llm = FakeLLM([Reply("the summary", delay=0.02)])
    workers = [SummaryCompactor(CONFIG, store, llm, approximate_tokens) for _ in range(3)]
    results = await asyncio.gather(*(w.compact(plan) for w in workers))
    assert len(llm.requests) == 1
    assert all(r == results[0] for r in results)
    assert await store.summaries("busy") == results[0]


async def test_streamed_turn_emits_compaction_event(
    scripted: BackgroundServer, tmp_path: Path
) -> None:
    config = stub_config(
        scripted.base_url,
        inference={"context_windows": {"stub/stub-model": 1000}},
        compaction={
            "enabled": True,
            "threshold_ratio": 0.3,
            "token_floor": 0,
            "buffer_turns": 1,
            "buffer_max_ratio": 0.3,
        },
    )
    filler = " ".join(["lorem ipsum dolor sit amet"] * 12)
    async with running_app(config, tmp_path) as app:
        client = app.client
        ask = {"query": f"Say hello. {filler}", "generate_topic_summary": False}
        first = await client.post("/v1/query", json=ask)
        conversation_id = first.json()["conversation_id"]
        events: list[dict[str, Any]] = []
        for _ in range(6):
            streamed = await client.post(
                "/v1/streaming_query", json={**ask, "conversation_id": conversation_id}
            )
            assert streamed.status_code == 200
            events = [json.loads(line[6:]) for line in streamed.text.splitlines() if line]
            if any(e["event"] == "compaction" for e in events):
                break
        names = [e["event"] for e in events]
        assert names[:2] == ["start", "compaction"]
        assert events[1]["data"] == {"status": "started", "conversation_id": conversation_id}
        assert names[-2:] == ["turn_complete", "end"]
        summaries = await app.services.compaction.summaries(conversation_id)
        assert len(summaries) == 1
        assert summaries[0].text == "Hello from stub"  # the scripted model's summary
        # deleting the conversation deletes its summaries
        deleted = await client.delete(f"/v1/conversations/{conversation_id}")
        assert deleted.json()["deleted"] is True
        assert await app.services.compaction.summaries(conversation_id) == []
