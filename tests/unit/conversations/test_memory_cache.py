"""The ``memory`` conversation cache: it really stores, per user, bounded by ``max_entries``."""

from __future__ import annotations

import pytest

from lightspeed_core.conversations.cache.base import CacheEntryData
from lightspeed_core.conversations.cache.memory import MemoryCache


def entry(text: str) -> CacheEntryData:
    return CacheEntryData(
        query=f"q {text}",
        response=f"a {text}",
        provider="p",
        model="m",
        started_at="2026-11-22T02:27:28Z",
        completed_at="2026-11-22T02:27:29Z",
    )


async def test_stores_turns_per_user_and_conversation() -> None:
    cache = MemoryCache(10)
    await cache.append("alice", "c1", entry("1"), "Topic")
    await cache.append("alice", "c1", entry("2"), None)
    await cache.append("bob", "c1", entry("bob"), None)
    assert [e.query for e in await cache.get("alice", "c1")] == ["q 1", "q 2"]
    assert [e.query for e in await cache.get("bob", "c1")] == ["q bob"]
    assert await cache.exists("alice", "c1")
    assert not await cache.exists("alice", "c2")
    listed = await cache.list_conversations("alice")
    assert [(c.conversation_id, c.topic_summary) for c in listed] == [("c1", "Topic")]


async def test_listing_is_newest_first() -> None:
    cache = MemoryCache(10)
    for cid in ("old", "middle", "new"):
        await cache.append("u", cid, entry(cid), None)
    await cache.append("u", "old", entry("again"), None)
    listed = [c.conversation_id for c in await cache.list_conversations("u")]
    assert listed == ["old", "new", "middle"]


async def test_bounded_by_max_entries_evicting_least_recently_written() -> None:
    cache = MemoryCache(3)
    await cache.append("u", "a", entry("a1"), None)
    await cache.append("u", "b", entry("b1"), None)
    await cache.append("u", "a", entry("a2"), None)
    await cache.append("v", "c", entry("c1"), None)  # 4 turns > 3: "b" is the oldest write
    assert cache.size == 3
    assert not await cache.exists("u", "b")
    assert len(await cache.get("u", "a")) == 2
    await cache.append("v", "c", entry("c2"), None)  # evicts "a" (2 turns)
    assert cache.size == 2
    assert [c.conversation_id for c in await cache.list_conversations("u")] == []


async def test_single_long_conversation_keeps_its_newest_turns() -> None:
    cache = MemoryCache(2)
    for n in range(5):
        await cache.append("u", "long", entry(str(n)), None)
    assert [e.query for e in await cache.get("u", "long")] == ["q 3", "q 4"]
    assert cache.size == 2


async def test_delete_and_topic() -> None:
    cache = MemoryCache(5)
    await cache.append("u", "c", entry("1"), None)
    assert await cache.set_topic("u", "c", "New topic")
    assert not await cache.set_topic("u", "missing", "x")
    assert (await cache.list_conversations("u"))[0].topic_summary == "New topic"
    assert await cache.delete("u", "c")
    assert not await cache.delete("u", "c")
    assert cache.size == 0
    assert await cache.get("u", "c") == []


def test_rejects_non_positive_bound() -> None:
    with pytest.raises(ValueError, match="positive"):
        MemoryCache(0)
