"""Token usage history (``enable_token_history``): cumulative tokens per user, provider, model.

The reference's ``token_usage`` table and upsert (``input_tokens += n``), written in the same
transaction that settles the request's quota, so usage and quota never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, select

from lightspeed_core.db.dialect import as_utc, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import Base

USAGE: Table = Base.metadata.tables["token_usage"]


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """Tokens one request used."""

    user_id: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class UsageTotal:
    """Cumulative usage of one user with one provider and model."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    updated_at: datetime | None


def record_usage(conn: Connection, usage: UsageRecord, now: datetime) -> None:
    """Add ``usage`` to the user's running totals (insert on first use)."""
    statement = insert_for(conn.dialect.name)(USAGE).values(
        user_id=usage.user_id,
        provider=usage.provider,
        model=usage.model,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "provider", "model"],
        set_={
            "input_tokens": USAGE.c.input_tokens + usage.input_tokens,
            "output_tokens": USAGE.c.output_tokens + usage.output_tokens,
            "updated_at": now,
        },
    )
    conn.execute(statement)


async def read_usage(database: Database, user_id: str) -> list[UsageTotal]:
    """Every provider/model total of ``user_id``, ordered by provider and model."""
    statement = (
        select(
            USAGE.c.provider,
            USAGE.c.model,
            USAGE.c.input_tokens,
            USAGE.c.output_tokens,
            USAGE.c.updated_at,
        )
        .where(USAGE.c.user_id == user_id)
        .order_by(USAGE.c.provider, USAGE.c.model)
    )
    rows = await database.run(lambda conn: conn.execute(statement).all())
    return [UsageTotal(p, m, int(i or 0), int(o or 0), as_utc(u)) for p, m, i, o, u in rows]
