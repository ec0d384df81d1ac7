"""SQL for saved prompts: one code path for SQLite and PostgreSQL.

Creating a prompt counts the user's prompts and inserts in one transaction. On PostgreSQL a
transaction-scoped advisory lock per user serialises concurrent creations, so the per-user
limit holds exactly; SQLite has one writer at a time anyway. ``UNIQUE(user_id, name)``
guards against a duplicate name created concurrently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy import insert as sa_insert
from sqlalchemy.exc import IntegrityError

from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import SavedPrompt

_LOCK_CLASS = 0x53505254  # "SPRT": the advisory-lock key space of saved prompts


@dataclass(frozen=True, slots=True)
class SavedPromptRecord:
    """A stored prompt."""

    id: str
    user_id: str
    name: str
    content: str
    created_at: datetime
    updated_at: datetime


class CreateOutcome(Enum):
    """What :meth:`SavedPromptRepository.create` did."""

    CREATED = "created"
    LIMIT_REACHED = "limit reached"
    NAME_TAKEN = "name taken"


class DeleteOutcome(Enum):
    """What :meth:`SavedPromptRepository.delete` did."""

    DELETED = "deleted"
    MISSING = "missing"
    NOT_OWNER = "not owner"


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything we store is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _record(row: Any) -> SavedPromptRecord:
    return SavedPromptRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        content=row.content,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


class SavedPromptRepository:
    """Saved prompts in one database (every method is one transaction)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def list_for(self, user_id: str) -> list[SavedPromptRecord]:
        """The user's prompts, oldest first."""
        query = (
            select(SavedPrompt)
            .where(SavedPrompt.user_id == user_id)
            .order_by(SavedPrompt.created_at, SavedPrompt.id)
        )

        def work(connection: Connection) -> list[SavedPromptRecord]:
            return [_record(row) for row in connection.execute(query)]

        rows: list[SavedPromptRecord] = await self.db.run(work)
        return rows

    async def count_for(self, user_id: str) -> int:
        def work(connection: Connection) -> int:
            return _count(connection, user_id)

        total: int = await self.db.run(work)
        return total

    async def create(self, record: SavedPromptRecord, limit: int) -> tuple[CreateOutcome, int]:
        """Insert ``record`` unless the user has ``limit`` prompts or uses the name.

        Returns the outcome and the number of prompts the user had before.
        """
        postgres = self.db.dialect == "postgresql"

        def work(connection: Connection) -> tuple[CreateOutcome, int]:
            if postgres:
                connection.execute(
                    select(func.pg_advisory_xact_lock(_LOCK_CLASS, func.hashtext(record.user_id)))
                )
            existing = _count(connection, record.user_id)
            if existing >= limit:
                return CreateOutcome.LIMIT_REACHED, existing
            taken = connection.scalar(
                select(SavedPrompt.id).where(
                    SavedPrompt.user_id == record.user_id, SavedPrompt.name == record.name
                )
            )
            if taken is not None:
                return CreateOutcome.NAME_TAKEN, existing
            connection.execute(sa_insert(SavedPrompt).values(**asdict(record)))
            return CreateOutcome.CREATED, existing

        try:
            outcome: tuple[CreateOutcome, int] = await self.db.run_write(work)
        except IntegrityError:  # the same name created concurrently (SQLite, other process)
            return CreateOutcome.NAME_TAKEN, await self.count_for(record.user_id)
        return outcome

    async def delete(self, prompt_id: str, user_id: str) -> DeleteOutcome:
        """Delete the prompt if ``user_id`` owns it."""

        def work(connection: Connection) -> DeleteOutcome:
            query = select(SavedPrompt.user_id).where(SavedPrompt.id == prompt_id)
            owner = connection.scalar(query)
            if owner is None:
                return DeleteOutcome.MISSING
            if owner != user_id:
                return DeleteOutcome.NOT_OWNER
            connection.execute(delete(SavedPrompt).where(SavedPrompt.id == prompt_id))
            return DeleteOutcome.DELETED

        outcome: DeleteOutcome = await self.db.run_write(work)
        return outcome


def _count(connection: Connection, user_id: str) -> int:
    query = select(func.count()).select_from(SavedPrompt).where(SavedPrompt.user_id == user_id)
    return int(connection.scalar(query) or 0)
