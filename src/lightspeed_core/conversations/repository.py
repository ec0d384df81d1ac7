"""SQL for conversations and turns: one code path for SQLite and PostgreSQL.

Appending a turn is two statements in one transaction: an upsert of the conversation that
creates it (``message_count`` 1) or increments ``message_count``, returning the new value
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``), then the turn with that number. The upsert
takes the row's write lock, so parallel turns into one conversation get distinct, gap-free
numbers on both engines. Turns finishing together share a transaction (``db/batch.py``).

Deleting a conversation leaves a tombstone (``deleted_conversation``, kept for
:data:`TOMBSTONE_RETENTION`). A turn appended afterwards - a stream that was still answering
when the conversation was deleted - is discarded: the turn's insert, a statement of its own
after the upsert (which waits for a concurrent delete's row lock on PostgreSQL, and so sees
its tombstone), inserts nothing when the tombstone exists (``INSERT … SELECT … WHERE NOT
EXISTS``), and then the conversation row is removed again in the same transaction. So the
conversation stays deleted on both engines, and a turn costs two round trips, not three.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy import insert as sa_insert

from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.db.batch import BatchWriter, FollowUp
from lightspeed_core.db.dialect import as_utc, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import (
    ConversationSummary,
    DeletedConversation,
    UserConversation,
    UserTurn,
)

TOMBSTONE_RETENTION = timedelta(days=1)


def _info(row: Any) -> ConversationInfo:
    return ConversationInfo(
        id=row.id,
        user_id=row.user_id,
        created_at=as_utc(row.created_at),
        last_message_at=as_utc(row.last_message_at),
        message_count=row.message_count,
        last_used_model=row.last_used_model,
        last_used_provider=row.last_used_provider,
        topic_summary=row.topic_summary or "",
        last_response_id=row.last_response_id,
    )


def _turn(row: Any) -> TurnRecord:
    return TurnRecord(
        query=row.query,
        response=row.response,
        started_at=as_utc(row.started_at),
        completed_at=as_utc(row.completed_at),
        provider=row.provider,
        model=row.model,
        tool_calls=list(row.tool_calls or []),
        tool_results=list(row.tool_results or []),
        referenced_documents=list(row.referenced_documents or []),
        attachments=list(row.attachments or []),
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        interrupted=row.interrupted,
        response_id=row.response_id,
        turn_number=row.turn_number,
    )


def _turn_insert_unless_deleted() -> Any:
    """``INSERT INTO user_turn … SELECT <the turn> WHERE NOT EXISTS (<its tombstone>)``.

    Parameters: the turn's columns (:class:`TurnRecord`'s fields and ``conversation_id``,
    also the conversation whose tombstone is looked for).
    """
    columns = UserTurn.__table__.c
    names = ["conversation_id", *(field.name for field in fields(TurnRecord))]
    tombstone = select(DeletedConversation.id).where(
        DeletedConversation.id == bindparam("conversation_id")
    )
    turn = select(*(bindparam(name, type_=columns[name].type) for name in names))
    return sa_insert(UserTurn).from_select(names, turn.where(~tombstone.exists()))


class ConversationRepository:
    """Conversations and turns in one database.

    Every method is a plain SQLAlchemy Core function run by :meth:`Database.run` (reads) or
    the group-commit writer (appends): the same SQL on SQLite and PostgreSQL.
    """

    def __init__(self, database: Database) -> None:
        self.db = database
        self._insert = insert_for(database.dialect)
        self.writer = BatchWriter(database)
        self._upsert = self._conversation_upsert()
        # built once: building a statement per turn cost more than SQLite takes to run it
        self._turn_insert = _turn_insert_unless_deleted()
        self._topic = (
            update(UserConversation)
            .where(UserConversation.id == bindparam("cid"))
            .values(topic_summary=bindparam("topic"))
        )

    async def close(self) -> None:
        await self.writer.close()

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        def work(connection: Connection) -> ConversationInfo | None:
            query = select(UserConversation).where(UserConversation.id == conversation_id)
            row = connection.execute(query).first()
            return _info(row) if row is not None else None

        return await self.db.run(work)

    async def find_response(self, response_id: str) -> tuple[str, int] | None:
        """(conversation id, turn number) of the turn whose answer had ``response_id``."""
        query = select(UserTurn.conversation_id, UserTurn.turn_number).where(
            UserTurn.response_id == response_id
        )

        def work(connection: Connection) -> tuple[str, int] | None:
            row = connection.execute(query.limit(1)).first()
            return (str(row[0]), int(row[1])) if row is not None else None

        return await self.db.run(work)

    async def list_conversations(self, user_id: str | None) -> list[ConversationInfo]:
        """The user's conversations (everyone's with ``None``), most recent first."""
        query = select(UserConversation).order_by(UserConversation.last_message_at.desc())
        if user_id is not None:
            query = query.where(UserConversation.user_id == user_id)

        def work(connection: Connection) -> list[ConversationInfo]:
            return [_info(row) for row in connection.execute(query)]

        return await self.db.run(work)

    async def turns(self, conversation_id: str, newest: int | None = None) -> list[TurnRecord]:
        """Turns oldest first; with ``newest`` only that many of the most recent ones."""
        query = select(UserTurn).where(UserTurn.conversation_id == conversation_id)
        if newest is None:
            query = query.order_by(UserTurn.turn_number)
        else:
            query = query.order_by(UserTurn.turn_number.desc()).limit(newest)

        def work(connection: Connection) -> list[TurnRecord]:
            return [_turn(row) for row in connection.execute(query)]

        rows = await self.db.run(work)
        return rows if newest is None else rows[::-1]

    def _conversation_upsert(self) -> Any:
        table = UserConversation
        insert = self._insert(table).values(
            id=bindparam("id"),
            user_id=bindparam("user_id"),
            created_at=bindparam("created_at"),
            last_message_at=bindparam("last_message_at"),
            message_count=1,
            topic_summary=bindparam("topic_summary"),
            last_used_model=bindparam("last_used_model"),
            last_used_provider=bindparam("last_used_provider"),
            last_response_id=bindparam("last_response_id"),
        )
        return insert.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "message_count": table.message_count + 1,
                "last_message_at": insert.excluded.last_message_at,
                "last_used_model": insert.excluded.last_used_model,
                "last_used_provider": insert.excluded.last_used_provider,
                "last_response_id": func.coalesce(
                    insert.excluded.last_response_id, table.last_response_id
                ),
            },
        ).returning(table.message_count)

    async def append(
        self,
        conversation_id: str,
        user_id: str,
        turn: TurnRecord,
        topic_summary: str | None,
        then: FollowUp | None = None,
    ) -> int | None:
        """Store ``turn`` (creating the conversation if needed); returns its turn number.

        ``None`` when the conversation was deleted (the turn is discarded). ``then`` (the
        cache's copy) is committed with the turn when it is stored (``db/batch.py``).
        """
        params = {
            "id": conversation_id,
            "user_id": user_id,
            "created_at": turn.started_at,
            "last_message_at": turn.completed_at,
            "topic_summary": topic_summary or "",
            "last_used_model": turn.model,
            "last_used_provider": turn.provider,
            "last_response_id": turn.response_id,
        }
        row = {field.name: getattr(turn, field.name) for field in fields(turn)}  # shallow
        cid = conversation_id

        def job(connection: Connection) -> int | None:
            number = int(connection.execute(self._upsert, params).scalar_one())
            inserted = connection.execute(
                self._turn_insert,
                {**row, "conversation_id": cid, "turn_number": number},
            )
            if not inserted.rowcount:  # the conversation's tombstone exists: it stays deleted
                connection.execute(delete(UserConversation).where(UserConversation.id == cid))
                return None
            return number

        return await self.writer.submit(job, then)

    async def set_topic(self, conversation_id: str, topic: str) -> bool:
        def job(connection: Connection) -> bool:
            result = connection.execute(self._topic, {"cid": conversation_id, "topic": topic})
            return bool(result.rowcount)

        return await self.writer.submit(job)

    async def delete(self, conversation_id: str) -> bool:
        now = datetime.now(UTC)
        mark = self._insert(DeletedConversation).values(id=conversation_id, deleted_at=now)
        mark = mark.on_conflict_do_nothing(index_elements=["id"])
        expired = delete(DeletedConversation).where(
            DeletedConversation.deleted_at < now - TOMBSTONE_RETENTION
        )

        def job(connection: Connection) -> bool:
            connection.execute(expired)
            connection.execute(mark)
            connection.execute(delete(UserTurn).where(UserTurn.conversation_id == conversation_id))
            connection.execute(  # its compaction summaries go with it
                delete(ConversationSummary).where(
                    ConversationSummary.conversation_id == conversation_id
                )
            )
            result = connection.execute(
                delete(UserConversation).where(UserConversation.id == conversation_id)
            )
            return bool(result.rowcount)

        return await self.writer.submit(job)

    async def count(self) -> int:
        def work(connection: Connection) -> int:
            return int(connection.scalar(select(func.count()).select_from(UserConversation)) or 0)

        return await self.db.run(work)
