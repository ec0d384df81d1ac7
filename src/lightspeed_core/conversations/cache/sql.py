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

from sqlalchemy import Connection, delete, func, select, update

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData
from lightspeed_core.db.dialect import insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import CacheConversation, CacheEntry


def _entry(row: Any) -> CacheEntryData:
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
        self._insert = insert_for(database.dialect)

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
        upsert = self._insert(CacheConversation).values(
            user_id=user_id,
            conversation_id=conversation_id,
            topic_summary=topic_summary or "",
            last_message_timestamp=now,
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=["user_id", "conversation_id"], set_=changes
        )

        def work(connection: Connection) -> None:
            connection.execute(upsert)
            newest = connection.scalar(
                select(func.max(CacheEntry.created_at)).where(
                    _key(CacheEntry, user_id, conversation_id)
                )
            )
            stamp = max(int(now * 1_000_000), int(newest or 0) + 1)
            connection.execute(
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

        await self.db.run_write(work)

    async def list_conversations(self, user_id: str) -> list[CachedConversation]:
        query = (
            select(
                CacheConversation.conversation_id,
                CacheConversation.topic_summary,
                CacheConversation.last_message_timestamp,
            )
            .where(CacheConversation.user_id == user_id)
            .order_by(CacheConversation.last_message_timestamp.desc())
        )

        def work(connection: Connection) -> list[CachedConversation]:
            return [
                CachedConversation(cid, topic or "", stamp)
                for cid, topic, stamp in connection.execute(query)
            ]

        return await self.db.run(work)

    async def exists(self, user_id: str, conversation_id: str) -> bool:
        query = select(CacheConversation.user_id).where(
            _key(CacheConversation, user_id, conversation_id)
        )
        return await self.db.run(lambda connection: connection.execute(query).first() is not None)

    async def get(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        query = (
            select(CacheEntry)
            .where(_key(CacheEntry, user_id, conversation_id))
            .order_by(CacheEntry.created_at)
        )
        return await self.db.run(lambda c: [_entry(row) for row in c.execute(query)])

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        def work(connection: Connection) -> bool:
            entries = connection.execute(
                delete(CacheEntry).where(_key(CacheEntry, user_id, conversation_id))
            )
            conversation = connection.execute(
                delete(CacheConversation).where(_key(CacheConversation, user_id, conversation_id))
            )
            return bool(entries.rowcount or conversation.rowcount)

        return await self.db.run_write(work)

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        statement = (
            update(CacheConversation)
            .where(_key(CacheConversation, user_id, conversation_id))
            .values(topic_summary=topic)
        )
        return await self.db.run_write(lambda c: bool(c.execute(statement).rowcount))
