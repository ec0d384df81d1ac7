"""``conversation_cache.type: sqlite | postgres``: one SQLAlchemy implementation for both.

Tables ``cache_entries`` (one row per turn, ordered by ``created_at`` in epoch
microseconds) and ``cache_conversations`` (listing order and topic summary), created by
the migrations of whichever database the ``conversation_cache`` block names. Appending a
turn first upserts the conversation row, which locks it, then inserts the entry stamped
after the conversation's newest one (a subquery of the insert, a statement of its own, so it
sees a parallel turn that held the lock): parallel turns into one conversation get
distinct, increasing ``created_at`` values on both engines, in two round trips.

A turn's cache write is acknowledged only after its commit (a client that reads the
conversation right after the answer finds the turn, on any worker or pod). It is the turn's
follow-up (:meth:`SqlCache.with_turn`, ``db/batch.py``): in the user database, part of the
turn's own transaction; in another SQLite file, a transaction committed right after the
turn's in the same thread hand-off; in another PostgreSQL database, right after the turn's
batch. Appends and other writes on their own are group-committed too.
"""

from __future__ import annotations

import time
from dataclasses import fields
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, delete, func, select, update
from sqlalchemy import insert as sa_insert

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData
from lightspeed_core.db.batch import BatchWriter, FollowUp, Job
from lightspeed_core.db.dialect import POSTGRESQL, fast_commit, insert_for
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


_ENTRY_FIELDS = tuple(field.name for field in fields(CacheEntryData))
_ENTRY_COLUMNS = ("user_id", "conversation_id", *_ENTRY_FIELDS)


def _entry_insert_after_newest(dialect: str) -> Any:
    """``INSERT INTO cache_entries … SELECT <the entry>, greatest(now_us, <newest> + 1)``.

    Parameters: the entry's columns (:data:`_ENTRY_COLUMNS`) and ``now_us``, the time of
    the append in epoch microseconds; ``created_at`` is that, or one more than the
    conversation's newest entry if that is later (two appends in one microsecond, a clock
    that stepped back).
    """
    columns = CacheEntry.__table__.c
    newest = (
        select(func.coalesce(func.max(CacheEntry.created_at), 0) + 1)
        .where(
            (CacheEntry.user_id == bindparam("user_id"))
            & (CacheEntry.conversation_id == bindparam("conversation_id"))
        )
        .scalar_subquery()
    )
    now = bindparam("now_us", type_=BigInteger)
    # SQLite's two-argument max() is PostgreSQL's greatest()
    stamp = func.greatest(now, newest) if dialect == POSTGRESQL else func.max(now, newest)
    entry = select(*(bindparam(name, type_=columns[name].type) for name in _ENTRY_COLUMNS), stamp)
    return sa_insert(CacheEntry).from_select([*_ENTRY_COLUMNS, "created_at"], entry)


class SqlCache:
    """The conversation cache in a SQLite or PostgreSQL database.

    Statements are built once (bind parameters). A turn's copy is written as the turn's
    follow-up (:meth:`with_turn`); other writes are group-committed (``db/batch.py``).
    """

    def __init__(self, database: Database) -> None:
        self.db = database
        self._insert = insert_for(database.dialect)
        self.writer = BatchWriter(database)
        self._upserts = {keep: self._conversation_upsert(keep_topic=keep) for keep in (True, False)}
        self._topic = (
            update(CacheConversation)
            .where(
                (CacheConversation.user_id == bindparam("b_user"))
                & (CacheConversation.conversation_id == bindparam("b_conversation"))
            )
            .values(topic_summary=bindparam("topic"))
        )
        self._entry_insert = _entry_insert_after_newest(database.dialect)

    @property
    def enabled(self) -> bool:
        return True

    async def close(self) -> None:
        await self.writer.close()

    def _conversation_upsert(self, *, keep_topic: bool) -> Any:
        upsert = self._insert(CacheConversation).values(
            user_id=bindparam("user_id"),
            conversation_id=bindparam("conversation_id"),
            topic_summary=bindparam("topic_summary"),
            last_message_timestamp=bindparam("now"),
        )
        changes: dict[str, Any] = {"last_message_timestamp": upsert.excluded.last_message_timestamp}
        if not keep_topic:
            changes["topic_summary"] = upsert.excluded.topic_summary
        return upsert.on_conflict_do_update(
            index_elements=["user_id", "conversation_id"], set_=changes
        )

    def append_job(
        self,
        user_id: str,
        conversation_id: str,
        entry: CacheEntryData,
        topic_summary: str | None,
        *,
        fast: bool = True,
    ) -> Job:
        """The write of one turn as a function of a connection (run in some transaction).

        ``fast``: on PostgreSQL its commit does not wait for the WAL flush (a mirror, like
        SQLite's ``synchronous=NORMAL``); never inside another write's transaction.
        """
        now = time.time()
        key = {"user_id": user_id, "conversation_id": conversation_id}
        conversation = {**key, "topic_summary": topic_summary or "", "now": now}
        upsert = self._upserts[not topic_summary]
        row = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
        row.update(key, now_us=int(now * 1_000_000))

        def job(connection: Connection) -> None:
            if fast:
                fast_commit(connection)  # visible at commit all the same
            connection.execute(upsert, conversation)
            connection.execute(self._entry_insert, row)

        return job

    def with_turn(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> FollowUp:
        """The append, committed with the turn (same transaction, or the same hand-off)."""
        return self.db, self.append_job(user_id, conversation_id, entry, topic_summary, fast=False)

    async def append(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> None:
        await self.writer.submit(self.append_job(user_id, conversation_id, entry, topic_summary))

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

        return await self.writer.submit(work)

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        values = {"b_user": user_id, "b_conversation": conversation_id, "topic": topic}
        return await self.writer.submit(lambda c: bool(c.execute(self._topic, values).rowcount))
