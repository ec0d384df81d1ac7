"""The A2A store in a database (``a2a_state`` with a ``sqlite`` or ``postgres`` block).

Every worker and pod reads and writes the same rows, so a task started on one answers
``tasks/get`` and ``tasks/cancel`` on another. One row per task (``a2a_task``) and per
user context (``a2a_context``); the same SQLAlchemy Core code serves SQLite and PostgreSQL.
Writes use :func:`~lightspeed_core.db.dialect.fast_commit`: a crash may lose the last
instant of task state, never a stored turn (turns live in the main database).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from lightspeed_core.a2a.store import TERMINAL, StoredTask
from lightspeed_core.db.dialect import fast_commit, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import A2AContext, A2ATask

_COLUMNS = (A2ATask.id, A2ATask.user_id, A2ATask.context_id, A2ATask.state, A2ATask.task)


def _stored(row: Any) -> StoredTask:
    return StoredTask(row.id, row.user_id, row.context_id, row.state, row.task, row.request_id)


def _values(task: StoredTask, now: datetime) -> dict[str, Any]:
    return {
        "context_id": task.context_id,
        "state": task.state,
        "request_id": task.request_id,
        "task": task.task,
        "updated_at": now,
    }


class DatabaseA2AStore:
    """Tasks and contexts in one database shared by every worker and pod."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self._insert = insert_for(database.dialect)

    async def get(self, task_id: str, user_id: str) -> StoredTask | None:
        query = select(*_COLUMNS, A2ATask.request_id).where(
            A2ATask.id == task_id, A2ATask.user_id == user_id
        )
        row = await self.db.run(lambda c: c.execute(query).first())
        return None if row is None else _stored(row)

    async def put(self, task: StoredTask, conversation_id: str | None = None) -> None:
        now = datetime.now(UTC)
        values = _values(task, now)
        statements = [
            self._insert(A2ATask)
            .values(id=task.task_id, user_id=task.user_id, created_at=now, **values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        ]
        if conversation_id is not None:
            statements.append(self._binding(task.user_id, task.context_id, conversation_id))

        def work(connection: Connection) -> None:
            fast_commit(connection)
            for statement in statements:
                connection.execute(statement)

        await self.db.run_write(work)

    async def _update_unless(self, task: StoredTask, *conditions: Any) -> bool:
        statement = (
            update(A2ATask)
            .where(A2ATask.id == task.task_id, A2ATask.state.not_in(TERMINAL), *conditions)
            .values(**_values(task, datetime.now(UTC)))
        )

        def work(connection: Connection) -> bool:
            fast_commit(connection)
            return bool(connection.execute(statement).rowcount)

        return await self.db.run_write(work)

    async def update(self, task: StoredTask) -> bool:
        return await self._update_unless(task)

    async def cancel_idle(self, task: StoredTask) -> bool:
        return await self._update_unless(task, A2ATask.request_id.is_(None))

    async def list(self, user_id: str, context_id: str | None, limit: int) -> list[StoredTask]:
        query = select(*_COLUMNS, A2ATask.request_id).where(A2ATask.user_id == user_id)
        if context_id is not None:
            query = query.where(A2ATask.context_id == context_id)
        query = query.order_by(A2ATask.updated_at.desc(), A2ATask.id).limit(limit)
        rows = await self.db.run(lambda c: c.execute(query).all())
        return [_stored(row) for row in rows]

    async def conversation(self, user_id: str, context_id: str) -> str | None:
        query = select(A2AContext.conversation_id).where(
            A2AContext.user_id == user_id, A2AContext.context_id == context_id
        )
        found: str | None = await self.db.run(lambda c: c.execute(query).scalar())
        return found

    def _binding(self, user_id: str, context_id: str, conversation_id: str) -> Any:
        return (
            self._insert(A2AContext)
            .values(
                user_id=user_id,
                context_id=context_id,
                conversation_id=conversation_id,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_update(
                index_elements=["user_id", "context_id"],
                set_={"conversation_id": conversation_id},
            )
        )

    async def bind(self, user_id: str, context_id: str, conversation_id: str) -> None:
        statement = self._binding(user_id, context_id, conversation_id)

        def work(connection: Connection) -> None:
            fast_commit(connection)
            connection.execute(statement)

        await self.db.run_write(work)

    async def close(self) -> None:
        return None  # the database belongs to the pool
