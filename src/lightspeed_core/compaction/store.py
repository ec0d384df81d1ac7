"""Summaries and the compaction lease in the database (one code path for SQLite and PostgreSQL).

The lease is one ``compaction_lease`` row per conversation. Taking it is a single upsert
that only overwrites an expired row, ``INSERT ... ON CONFLICT DO UPDATE ... WHERE
expires_at < now``, then a read of who holds it: of two workers racing, exactly one sees
its own id. A worker that dies leaves a lease that expires; releasing deletes only our own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from lightspeed_core.compaction.base import Summary
from lightspeed_core.db.dialect import insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import CompactionLease, ConversationSummary


def _now() -> datetime:
    return datetime.now(UTC)


def _read(connection: Connection, conversation_id: str) -> list[Summary]:
    rows = connection.execute(
        select(
            ConversationSummary.summary_text,
            ConversationSummary.summarized_through_turn,
            ConversationSummary.token_count,
        )
        .where(ConversationSummary.conversation_id == conversation_id)
        .order_by(ConversationSummary.summarized_through_turn, ConversationSummary.created_at)
    )
    return [Summary(row[0], row[1], row[2]) for row in rows]


def _add(
    connection: Connection,
    user_id: str,
    conversation_id: str,
    summary: Summary,
    model: str,
    replace_all: bool,
) -> None:
    if replace_all:
        connection.execute(
            delete(ConversationSummary).where(
                ConversationSummary.conversation_id == conversation_id
            )
        )
    connection.execute(
        insert(ConversationSummary).values(
            user_id=user_id,
            conversation_id=conversation_id,
            created_at=_now(),
            summarized_through_turn=summary.through_turn,
            token_count=summary.tokens,
            model_used=model,
            summary_text=summary.text,
        )
    )


def _acquire(connection: Connection, conversation_id: str, holder: str, seconds: float) -> bool:
    now = _now()
    upsert = insert_for(connection.dialect.name)(CompactionLease).values(
        conversation_id=conversation_id, holder=holder, expires_at=now + timedelta(seconds=seconds)
    )
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=[CompactionLease.conversation_id],
            set_={"holder": holder, "expires_at": now + timedelta(seconds=seconds)},
            where=CompactionLease.expires_at < now,
        )
    )
    owner = connection.execute(
        select(CompactionLease.holder).where(CompactionLease.conversation_id == conversation_id)
    ).scalar_one_or_none()
    return owner == holder


def _release(connection: Connection, conversation_id: str, holder: str) -> None:
    connection.execute(
        delete(CompactionLease).where(
            CompactionLease.conversation_id == conversation_id, CompactionLease.holder == holder
        )
    )


class SummaryStore:
    """``conversation_summaries`` and ``compaction_lease`` of one database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def summaries(self, conversation_id: str) -> list[Summary]:
        """The conversation's summaries, oldest first."""
        return await self.db.run(_read, conversation_id)

    async def add(
        self,
        user_id: str,
        conversation_id: str,
        summary: Summary,
        model: str,
        *,
        replace_all: bool = False,
    ) -> None:
        """Store a new chunk (``replace_all``: the fold of every earlier chunk)."""
        await self.db.run_write(_add, user_id, conversation_id, summary, model, replace_all)

    async def acquire(self, conversation_id: str, holder: str, seconds: float) -> bool:
        """Take the conversation's lease for ``seconds`` unless someone holds it."""
        return await self.db.run_write(_acquire, conversation_id, holder, seconds)

    async def release(self, conversation_id: str, holder: str) -> None:
        """Give the lease back (only if still ours)."""
        await self.db.run_write(_release, conversation_id, holder)
