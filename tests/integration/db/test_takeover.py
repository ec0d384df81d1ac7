"""Taking over a database that lightspeed-stack has been using (SQLite and PostgreSQL).

The database is created from the reference's table definitions and filled with its rows
(``tests/support/reference_db.py``); the service's migrations then run on it. Every user's
conversations, turns, saved prompts, quota counters, token history and conversation-cache
entries must be readable through our repositories, nothing duplicated by a second run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from lightspeed_core.config.models.databases import (
    DatabaseConfiguration,
    QuotaLimiterConfiguration,
)
from lightspeed_core.conversations.cache.sql import SqlCache
from lightspeed_core.conversations.repository import ConversationRepository
from lightspeed_core.db.engine import Database
from lightspeed_core.db.migrate import upgrade
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.db.takeover import fill_turns_from_cache
from lightspeed_core.quota.history import read_usage
from lightspeed_core.quota.limiters import buckets_for, build_limiters
from lightspeed_core.quota.store import QuotaStore
from lightspeed_core.saved_prompts.repository import SavedPromptRepository
from tests.support.reference_db import (
    ALICE,
    BOB,
    CONV_A,
    CONV_B,
    CONV_C,
    DOCUMENT,
    T0,
    TOOL_CALL,
    TOOL_RESULT,
    create_reference,
    created,
)

pytestmark = pytest.mark.xdist_group("postgres")


def _counts(connection: Connection) -> dict[str, int]:
    tables: tuple[str, ...] = ("cache", "conversations", "cache_entries", "cache_conversations")
    tables += ("user_turn", "user_conversation", "quota_limits", "token_usage", "saved_prompt")
    counts = {}
    for table in tables:
        statement = text(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        counts[table] = int(connection.scalar(statement) or 0)
    return counts


async def _check(database: Database, cache_database: Database | None = None) -> None:
    conversations = ConversationRepository(database)
    [alice] = await conversations.list_conversations(ALICE)
    assert (alice.id, alice.topic_summary, alice.message_count) == (CONV_A, "Alice's topic", 2)
    assert alice.created_at == T0
    turns = await conversations.turns(CONV_A)
    assert [t.query for t in turns] == ["first question", "second question"]
    assert [t.response for t in turns] == ["first answer", "second answer"]
    assert turns[0].referenced_documents == [DOCUMENT]
    assert (turns[1].tool_calls, turns[1].tool_results) == ([TOOL_CALL], [TOOL_RESULT])
    assert turns[1].response_id == f"resp_{CONV_A[:6]}_2"
    assert turns[0].started_at == T0
    [bob_turn] = await conversations.turns(CONV_B)
    assert (bob_turn.query, bob_turn.provider, bob_turn.model) == (
        "bob asks",
        "openai",
        "gpt-4o-mini",
    )

    cache = SqlCache(cache_database or database)
    [listed] = await cache.list_conversations(ALICE)
    assert listed.conversation_id == CONV_A
    assert listed.topic_summary == "Alice's topic"
    assert listed.last_message_timestamp == pytest.approx(T0.timestamp() + created(2))
    entries = await cache.get(ALICE, CONV_A)
    assert [e.query for e in entries] == ["first question", "second question"]
    assert entries[0].referenced_documents == [DOCUMENT]
    assert entries[1].tool_calls == [TOOL_CALL]
    assert entries[0].started_at == "2026-03-01T09:00:00Z"
    [bob] = await cache.list_conversations(BOB)
    assert bob.topic_summary == ""

    carol = await conversations.turns(CONV_C)  # the cache was enabled after her first turn
    assert [t.query for t in carol] == ["", "carol two", "carol three"]
    assert [t.response for t in carol] == ["", "answer two", "answer three"]

    [prompt] = await SavedPromptRepository(database).list_for(ALICE)
    assert (prompt.name, prompt.content) == ("triage", "Triage: {x}")

    limiters = build_limiters(
        [
            QuotaLimiterConfiguration(
                type=kind, name=kind, initial_quota=1, quota_increase=0, period="1 day"
            )
            for kind in ("user_limiter", "cluster_limiter")
        ]
    )
    store = QuotaStore(database)
    assert await store.available(buckets_for(limiters, ALICE)) == {
        "user_limiter": 640,
        "cluster_limiter": 48000,
    }
    [state] = await store.describe(buckets_for(limiters, ALICE)[:1])
    assert state.revoked_at is not None
    assert abs(state.revoked_at.replace(tzinfo=T0.tzinfo) - T0) < timedelta(seconds=1)
    [usage] = await read_usage(database, ALICE)
    assert (usage.input_tokens, usage.output_tokens) == (300, 60)


def _back_to_revision_0005(connection: Connection) -> None:
    """The schema as revision 0005 left it: the takeover (0006) and what follows run again."""
    connection.execute(text("DROP TABLE deleted_conversation"))  # revision 0007's table
    connection.execute(text("DROP TABLE quota_settle_claim"))  # revision 0008's table
    connection.execute(text("UPDATE alembic_version SET version_num = '0005'"))


async def test_takeover_keeps_every_row_and_is_idempotent(database_block: dict[str, Any]) -> None:
    config = DatabaseConfiguration.model_validate(database_block)
    block = config.sqlite or config.postgres
    assert block is not None
    await create_reference(block)
    pool = DatabasePool()
    try:
        database = await pool.get(block)  # start-up: the migrations take the database over
        await _check(database)
        first = await database.run(_counts)
        assert first["cache"] == first["cache_entries"] == 5  # the reference's rows stay
        assert first["conversations"] == first["cache_conversations"] == 3

        await upgrade(database)  # a second start-up changes nothing
        await database.run_write(_back_to_revision_0005)
        await upgrade(database)  # the takeover step itself, run again
        assert await database.run(_counts) == first
        await _check(database)
    finally:
        await pool.close()


async def test_turn_texts_come_from_a_cache_in_another_database(
    database_block: dict[str, Any],
) -> None:
    """The reference's user database and its conversation cache in two databases."""
    main_config = DatabaseConfiguration.model_validate(database_block)
    other = {k: dict(v) for k, v in database_block.items()}
    if "sqlite" in other:
        other["sqlite"]["db_path"] = other["sqlite"]["db_path"] + ".cache"
    else:
        other["postgres"]["namespace"] = other["postgres"]["namespace"] + "_cache"
    cache_config = DatabaseConfiguration.model_validate(other)
    main_block = main_config.sqlite or main_config.postgres
    cache_block = cache_config.sqlite or cache_config.postgres
    assert main_block is not None
    assert cache_block is not None
    await create_reference(main_block, frozenset({"user", "quota"}))
    await create_reference(cache_block, frozenset({"cache"}))
    pool = DatabasePool()
    try:
        main, cache = await pool.get(main_block), await pool.get(cache_block)
        assert [t.query for t in await ConversationRepository(main).turns(CONV_A)] == ["", ""]
        assert await fill_turns_from_cache(main, cache) == 5
        await _check(main, cache)
        assert await fill_turns_from_cache(main, cache) == 0  # once per cache
    finally:
        await pool.close()
