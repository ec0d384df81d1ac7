"""The conversation repository on a real SQLite file (migrated with Alembic)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.conversations.repository import ConversationRepository
from lightspeed_core.db.pool import DatabasePool

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _turn(n: int, *, response_id: str | None = None, model: str = "m") -> TurnRecord:
    return TurnRecord(
        query=f"q{n}",
        response=f"a{n}",
        started_at=T0 + timedelta(minutes=n),
        completed_at=T0 + timedelta(minutes=n, seconds=5),
        provider="p",
        model=model,
        tool_calls=[{"id": "t", "name": "f", "args": {}, "type": "tool_call"}],
        input_tokens=n,
        response_id=response_id,
    )


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[ConversationRepository]:
    pool = DatabasePool()
    database = await pool.get(SQLiteDatabaseConfiguration(db_path=tmp_path / "conv.db"))
    repo = ConversationRepository(database)
    yield repo
    await repo.close()
    await pool.close()


async def test_append_creates_then_numbers_turns(repository: ConversationRepository) -> None:
    assert await repository.append("c1", "alice", _turn(1, response_id="r1"), "Topic") == 1
    assert await repository.append("c1", "alice", _turn(2, model="m2"), None) == 2
    info = await repository.get("c1")
    assert info is not None
    assert (info.user_id, info.message_count, info.topic_summary) == ("alice", 2, "Topic")
    assert (info.last_used_model, info.last_used_provider) == ("m2", "p")
    assert info.last_response_id == "r1"  # kept when a later turn has none
    assert info.created_at == T0 + timedelta(minutes=1)
    assert info.last_message_at == T0 + timedelta(minutes=2, seconds=5)
    assert info.created_at.tzinfo is not None
    turns = await repository.turns("c1")
    assert [(t.turn_number, t.query) for t in turns] == [(1, "q1"), (2, "q2")]
    assert turns[0].tool_calls == [{"id": "t", "name": "f", "args": {}, "type": "tool_call"}]
    assert [t.query for t in await repository.turns("c1", newest=1)] == ["q2"]
    assert await repository.get("missing") is None


async def test_parallel_appends_get_distinct_gap_free_numbers(
    repository: ConversationRepository,
) -> None:
    numbers = await asyncio.gather(
        *(repository.append("c", "u", _turn(n), None) for n in range(25))
    )
    assert sorted(n or 0 for n in numbers) == list(range(1, 26))  # none discarded
    info = await repository.get("c")
    assert info is not None
    assert info.message_count == 25


async def test_listing_topic_delete_and_count(repository: ConversationRepository) -> None:
    await repository.append("old", "alice", _turn(1), None)
    await repository.append("new", "alice", _turn(5), None)
    await repository.append("bobs", "bob", _turn(3), None)
    assert [c.id for c in await repository.list_conversations("alice")] == ["new", "old"]
    assert [c.id for c in await repository.list_conversations(None)] == ["new", "bobs", "old"]
    assert await repository.set_topic("old", "Renamed")
    assert not await repository.set_topic("missing", "x")
    old = await repository.get("old")
    assert old is not None
    assert old.topic_summary == "Renamed"
    assert await repository.count() == 3
    assert await repository.delete("old")
    assert not await repository.delete("old")
    assert await repository.turns("old") == []
    assert await repository.count() == 2


async def test_a_turn_finishing_after_the_delete_is_discarded(
    repository: ConversationRepository,
) -> None:
    assert await repository.append("gone", "alice", _turn(1), None) == 1
    assert await repository.delete("gone")
    assert await repository.append("gone", "alice", _turn(2), None) is None
    assert await repository.get("gone") is None
    assert await repository.turns("gone") == []
    assert [c.id for c in await repository.list_conversations("alice")] == []
    assert await repository.append("other", "alice", _turn(1), None) == 1
