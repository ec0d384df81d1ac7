"""``conversation_cache.type: sqlite | postgres``: one SQLAlchemy implementation for both.

Tables ``cache_entries`` (one row per turn, ordered by ``created_at`` in epoch
microseconds) and ``cache_conversations`` (listing order and topic summary), created by
the migrations of whichever database the ``conversation_cache`` block names. Appending a
turn first upserts the conversation row, which locks it, so parallel turns into one
conversation get distinct, increasing ``created_at`` values on both engines.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import CacheConversation, CacheEntry


def _entry(row: CacheEntry) -> CacheEntryData:
    return CacheEntryData(
        query=row.query,
        response=row.response,
        provider=row.provider,
        model=row.model,
        started_at=row.started_at,
        completed_at=row.completed_at,
        referenced_documents=list(row.referenced_documents or []),
        tool_calls=list(row.tool_calls or []),
        tool_results=list(row.tool_results or []),
    )


def _key(table: Any, user_id: str, conversation_id: str) -> Any:
    return (table.user_id == user_id) & (table.conversation_id == conversation_id)


class SqlCache:
    """The conversation cache in a SQLite or PostgreSQL database."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self._insert = pg_insert if database.dialect == "postgresql" else sqlite_insert

    @property
    def enabled(self) -> bool:
        return True

    async def append(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> None:
        now = time.time()
        changes: dict[str, Any] = {"last_message_timestamp": now}
        if topic_summary:
            changes["topic_summary"] = topic_summary
        async with self.db.write_connection() as connection:
            upsert = self._insert(CacheConversation).values(
                user_id=user_id,
                conversation_id=conversation_id,
                topic_summary=topic_summary or "",
                last_message_timestamp=now,
            )
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["user_id", "conversation_id"], set_=changes
                )
            )
            newest = await connection.scalar(
                select(func.max(CacheEntry.created_at)).where(
                    _key(CacheEntry, user_id, conversation_id)
                )
            )
            stamp = max(int(now * 1_000_000), int(newest or 0) + 1)
            await connection.execute(
                self._insert(CacheEntry).values(
                    user_id=user_id,
                    conversation_id=conversation_id,
                    created_at=stamp,
                    started_at=entry.started_at,
                    completed_at=entry.completed_at,
                    query=entry.query,
                    response=entry.response,
                    provider=entry.provider,
                    model=entry.model,
                    referenced_documents=entry.referenced_documents,
                    tool_calls=entry.tool_calls,
                    tool_results=entry.tool_results,
                )
            )

    async def list_conversations(self, user_id: str) -> list[CachedConversation]:
        query = (
            select(CacheConversation)
            .where(CacheConversation.user_id == user_id)
            .order_by(CacheConversation.last_message_timestamp.desc())
        )
        async with self.db.sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            CachedConversation(r.conversation_id, r.topic_summary or "", r.last_message_timestamp)
            for r in rows
        ]

    async def exists(self, user_id: str, conversation_id: str) -> bool:
        async with self.db.sessions() as session:
            row = await session.get(CacheConversation, (user_id, conversation_id))
            return row is not None

    async def get(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        query = (
            select(CacheEntry)
            .where(_key(CacheEntry, user_id, conversation_id))
            .order_by(CacheEntry.created_at)
        )
        async with self.db.sessions() as session:
            return [_entry(row) for row in (await session.scalars(query)).all()]

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        async with self.db.write_connection() as connection:
            entries = await connection.execute(
                delete(CacheEntry).where(_key(CacheEntry, user_id, conversation_id))
            )
            conversation = await connection.execute(
                delete(CacheConversation).where(_key(CacheConversation, user_id, conversation_id))
            )
            return bool(entries.rowcount or conversation.rowcount)

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        async with self.db.write_connection() as connection:
            result = await connection.execute(
                update(CacheConversation)
                .where(_key(CacheConversation, user_id, conversation_id))
                .values(topic_summary=topic)
            )
            return bool(result.rowcount)
