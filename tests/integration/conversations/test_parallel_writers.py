"""Turns and cache entries written by two processes at once into one conversation.

Each writer has its own pool, as two uvicorn workers (or two pods) do, so their appends are
separate transactions racing for the conversation's row lock: the turn numbers stay
distinct and gap-free, and the cache entries distinct and in order, on both engines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from lightspeed_core.config.models.databases import ConversationHistoryConfiguration
from lightspeed_core.conversations.cache.sql import SqlCache
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.conversations.repository import ConversationRepository
from lightspeed_core.db.engine import Database
from lightspeed_core.db.pool import DatabasePool

from .test_cache_sql import entry

pytestmark = pytest.mark.xdist_group("conversations")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
EACH = 15  # appends per writer


@pytest.fixture
async def databases(database_block: dict[str, Any]) -> AsyncIterator[tuple[Database, Database]]:
    kind = "postgres" if "postgres" in database_block else "sqlite"
    config = ConversationHistoryConfiguration.model_validate({"type": kind, **database_block})
    target = config.postgres or config.sqlite
    assert target is not None
    pools = (DatabasePool(), DatabasePool())
    try:
        yield await pools[0].get(target), await pools[1].get(target)
    finally:
        for pool in pools:
            await pool.close()


def _turn(text: str) -> TurnRecord:
    return TurnRecord(query=text, response=f"a {text}", started_at=T0, completed_at=T0)


async def test_two_writers_number_the_turns_of_one_conversation_without_gaps(
    databases: tuple[Database, Database],
) -> None:
    writers = [ConversationRepository(database) for database in databases]
    try:
        numbers = await asyncio.gather(
            *(
                writer.append("shared", "alice", _turn(f"{w}-{n}"), None)
                for n in range(EACH)
                for w, writer in enumerate(writers)
            )
        )
        assert sorted(n for n in numbers if n is not None) == list(range(1, 2 * EACH + 1))
        turns = await writers[0].turns("shared")
        assert [t.turn_number for t in turns] == list(range(1, 2 * EACH + 1))
        assert {t.query for t in turns} == {f"{w}-{n}" for w in (0, 1) for n in range(EACH)}
        info = await writers[1].get("shared")
        assert info is not None
        assert info.message_count == 2 * EACH
        # deleted by one writer: a turn the other one appends afterwards is discarded
        assert await writers[0].delete("shared")
        assert await writers[1].append("shared", "alice", _turn("late"), None) is None
        assert await writers[0].get("shared") is None
        assert await writers[0].turns("shared") == []
    finally:
        for writer in writers:
            await writer.close()


async def test_two_writers_append_cache_entries_to_one_conversation_in_order(
    databases: tuple[Database, Database],
) -> None:
    caches = [SqlCache(database) for database in databases]
    try:
        await caches[0].append("alice", "shared", entry("first"), "Topic")
        await asyncio.gather(
            *(
                cache.append("alice", "shared", entry(f"{c}-{n}"), None)
                for n in range(EACH)
                for c, cache in enumerate(caches)
            )
        )
        await caches[1].append("alice", "shared", entry("last"), None)
        stored = await caches[0].get("alice", "shared")
        assert len(stored) == 2 * EACH + 2
        assert (stored[0], stored[-1]) == (entry("first"), entry("last"))
        assert {e.query for e in stored[1:-1]} == {f"{c}-{n}" for c in (0, 1) for n in range(EACH)}
        for writer in (0, 1):  # each writer's own appends keep their order
            own = [e.query for e in stored if e.query.startswith(f"{writer}-")]
            assert own == sorted(own, key=lambda q: int(q.split("-")[1]))
        listed = await caches[1].list_conversations("alice")
        assert [(c.conversation_id, c.topic_summary) for c in listed] == [("shared", "Topic")]
    finally:
        for cache in caches:
            await cache.close()
