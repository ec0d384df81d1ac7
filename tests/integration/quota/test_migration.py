"""A quota database written by the reference service keeps working after our migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from lightspeed_core.db.engine import Database, target_for
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.quota.store import QuotaStore

from .conftest import handlers, limiter_config, limiters_of

pytestmark = pytest.mark.postgres

REFERENCE_SCHEMA = [
    "CREATE TABLE quota_limits (id text NOT NULL, subject char(1) NOT NULL, quota_limit int NOT"
    " NULL, available int, updated_at timestamp with time zone, revoked_at timestamp with time"
    " zone, PRIMARY KEY(id, subject))",
    "CREATE TABLE token_usage (user_id text NOT NULL, provider text NOT NULL, model text NOT"
    " NULL, input_tokens int, output_tokens int, updated_at timestamp with time zone,"
    " PRIMARY KEY(user_id, provider, model))",
    "INSERT INTO quota_limits VALUES ('alice', 'u', 100, 42, NULL, NULL)",
]


async def test_reference_quota_tables_are_adopted(database_block: dict[str, Any]) -> None:
    cfg = handlers(database_block)
    block = cfg.sqlite or cfg.postgres
    assert block is not None
    target = target_for(block)

    def create_reference_tables(connection: Connection) -> None:
        if target.schema and target.schema != "public":
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{target.schema}"'))
        for statement in REFERENCE_SCHEMA:
            connection.execute(text(statement))

    unmigrated = Database(target)
    await unmigrated.run_write(create_reference_tables)
    await unmigrated.dispose()

    pool = DatabasePool()
    try:
        store = QuotaStore(await pool.get(block))
        (limiter,) = limiters_of(limiter_config("per-user", initial_quota=100))
        bucket = limiter.bucket("alice")
        assert await store.available([bucket]) == {"per-user": 42}
        now = datetime.now(UTC)
        await store.reserve("r1", [bucket], 40, now, now + timedelta(minutes=5))
        await store.settle("r1", [bucket], 2, now, None)
        assert await store.available([bucket]) == {"per-user": 40}
        assert await store.refill(limiter, now) == 1  # a NULL revoked_at counts as due
    finally:
        await pool.close()
