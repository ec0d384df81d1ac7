"""The SQL conversation cache on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_core.config.models.databases import ConversationHistoryConfiguration
from lightspeed_core.conversations.cache.base import CacheEntryData, ConversationCache
from lightspeed_core.conversations.cache.factory import build_cache
from lightspeed_core.conversations.cache.sql import SqlCache
from lightspeed_core.db.pool import DatabasePool

pytestmark = pytest.mark.xdist_group("conversations")


def entry(text: str) -> CacheEntryData:
    return CacheEntryData(
        query=text,
        response=f"answer {text}",
        provider="stub",
        model="stub-model",
        started_at="2026-11-22T02:27:28Z",
        completed_at="2026-11-22T02:27:29Z",
        referenced_documents=[{"doc_url": "https://d", "doc_title": "D"}],
        tool_calls=[{"id": "1", "name": "t", "args": {}, "type": "tool_call"}],
    )


@pytest.fixture
async def cache(database_block: dict[str, Any]) -> AsyncIterator[ConversationCache]:
    kind = "postgres" if "postgres" in database_block else "sqlite"
    config = ConversationHistoryConfiguration.model_validate({"type": kind, **database_block})
    pool = DatabasePool()
    try:
        built = await build_cache(config, pool)
        assert isinstance(built, SqlCache)
        yield built
    finally:
        await pool.close()


async def test_round_trip(cache: ConversationCache) -> None:
    await cache.append("alice", "c1", entry("first"), "Topic")
    await cache.append("alice", "c1", entry("second"), None)
    stored = await cache.get("alice", "c1")
    assert stored == [entry("first"), entry("second")]
    assert await cache.get("bob", "c1") == []
    listed = await cache.list_conversations("alice")
    assert [(c.conversation_id, c.topic_summary) for c in listed] == [("c1", "Topic")]
    assert await cache.exists("alice", "c1")
    assert not await cache.exists("bob", "c1")


async def test_parallel_appends_keep_every_turn_in_order(cache: ConversationCache) -> None:
    await cache.append("alice", "busy", entry("0"), None)
    await asyncio.gather(
        *(cache.append("alice", "busy", entry(str(n)), None) for n in range(1, 51))
    )
    stored = [e.query for e in await cache.get("alice", "busy")]
    assert len(stored) == 51
    assert stored[0] == "0"
    assert sorted(stored, key=int) == [str(n) for n in range(51)]


async def test_listing_is_newest_first_per_user(cache: ConversationCache) -> None:
    for cid in ("a", "b", "c"):
        await cache.append("alice", cid, entry(cid), None)
    await cache.append("bob", "z", entry("z"), None)
    await cache.append("alice", "a", entry("again"), None)
    assert [c.conversation_id for c in await cache.list_conversations("alice")] == ["a", "c", "b"]
    assert [c.conversation_id for c in await cache.list_conversations("bob")] == ["z"]


async def test_topic_and_delete(cache: ConversationCache) -> None:
    await cache.append("alice", "c1", entry("q"), None)
    assert await cache.set_topic("alice", "c1", "Renamed")
    assert not await cache.set_topic("alice", "missing", "x")  # no phantom conversations
    assert (await cache.list_conversations("alice"))[0].topic_summary == "Renamed"
    await cache.append("alice", "c1", entry("q2"), None)  # a later turn keeps the topic
    assert (await cache.list_conversations("alice"))[0].topic_summary == "Renamed"
    assert await cache.delete("alice", "c1")
    assert not await cache.delete("alice", "c1")
    assert await cache.list_conversations("alice") == []
    assert await cache.get("alice", "c1") == []
