"""Settle claims: a settle charges once, whatever happened to its reservation.

On PostgreSQL the reservation commits without waiting for its WAL flush (``quota/taking.py``),
so a server crash may lose it; and on both engines a hold that expired is gone. A settle
written again after an attempt with an unknown outcome then cannot tell from the holds
whether it was charged: the claim it writes with the attempt tells (``quota/claims.py``).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Connection, delete, select, update

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.claims import CLAIMS
from lightspeed_core.quota.history import UsageRecord, read_usage
from lightspeed_core.quota.probe import pending_work
from lightspeed_core.quota.settles import Settlement
from lightspeed_core.quota.store import QuotaStore
from lightspeed_core.quota.taking import HOLDS, LIMITS

from .test_store import LATER, T0, buckets

pytestmark = pytest.mark.postgres


def keys() -> tuple[tuple[str, str], ...]:
    return tuple(b.key for b in buckets())


def settlement(rid: str) -> Settlement:
    usage = UsageRecord("alice", "p", "m", 20, 5)
    return Settlement(rid, keys(), 25, usage, 40)


async def claims(database: Database) -> list[str]:
    statement = select(CLAIMS.c.reservation_id).order_by(CLAIMS.c.reservation_id)
    return list(await database.run(lambda conn: conn.scalars(statement).all()))


async def lose(database: Database, rid: str) -> None:
    """What a server crash does to a reservation whose WAL was not flushed: it never was."""

    def work(conn: Connection) -> None:
        holds = conn.execute(
            select(HOLDS.c.subject, HOLDS.c.bucket_id, HOLDS.c.tokens).where(
                HOLDS.c.reservation_id == rid
            )
        ).all()
        for subject, bucket_id, tokens in holds:
            conn.execute(
                update(LIMITS)
                .where(LIMITS.c.subject == subject, LIMITS.c.id == bucket_id)
                .values(available=LIMITS.c.available + tokens)
            )
        conn.execute(delete(HOLDS).where(HOLDS.c.reservation_id == rid))

    await database.run_write(work)


async def test_a_reservation_lost_in_a_crash_is_charged_by_its_retried_settle(
    store: QuotaStore, quota_db: Database
) -> None:
    await store.reserve("r1", buckets(), 40, T0, LATER)
    await lose(quota_db, "r1")
    assert await store.available(buckets()) == {"per-user": 100, "shared": 1000}
    # the first attempt failed with the server (unknown outcome): written again, no holds
    await store.settle_many([settlement("r1")], T0)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    (usage,) = await read_usage(quota_db, "alice")
    assert (usage.input_tokens, usage.output_tokens) == (20, 5)
    await store.settle_many([settlement("r1")], T0)  # and again: charged once
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}


async def test_a_first_attempt_after_a_lost_reservation_charges_the_usage(
    store: QuotaStore, quota_db: Database
) -> None:
    await store.reserve("r1", buckets(), 40, T0, LATER)
    await lose(quota_db, "r1")
    await store.settle_many([settlement("r1")], T0)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}


async def test_claims_are_forgotten_by_the_next_batch_and_by_the_scheduler(
    store: QuotaStore, quota_db: Database
) -> None:
    for rid in ("r1", "r2", "r3"):
        await store.reserve(rid, buckets(), 30, T0, LATER)
    await store.settle_many([settlement("r1")], T0)
    assert await claims(quota_db) == ["r1"]
    await store.settle_many([settlement("r2")], T0)
    assert await claims(quota_db) == ["r2"]  # r1's batch is known written: its claim goes
    await store.release("r3", T0)  # a release charges nothing and claims nothing
    assert await claims(quota_db) == []
    await store.settle_many([settlement("r4")], T0)  # a process that dies leaves r4's
    assert await store.reclaim_expired(T0 + timedelta(hours=23)) == 0
    assert await claims(quota_db) == ["r4"]
    await store.reclaim_expired(T0 + timedelta(days=1, seconds=1))
    assert await claims(quota_db) == []


async def test_a_claim_left_behind_is_work_for_the_scheduler(
    store: QuotaStore, quota_db: Database
) -> None:
    """The last batch of a process that stopped leaves its claims: the scheduler's probe
    finds them a day later, though no hold expires."""
    await store.reserve("r1", buckets(), 30, T0, T0 + timedelta(minutes=15))
    await store.settle_many([settlement("r1")], T0)
    assert await pending_work(quota_db, (), T0 + timedelta(hours=23)) == ([], False)
    a_day_later = T0 + timedelta(days=1, seconds=1)
    assert await pending_work(quota_db, (), a_day_later) == ([], True)
    await store.reclaim_expired(a_day_later)
    assert await claims(quota_db) == []
    assert await pending_work(quota_db, (), a_day_later) == ([], False)


@pytest.mark.parametrize("database_block", ["postgres"], indirect=True)  # SQLite: one writer
async def test_a_retry_racing_its_first_attempt_still_on_the_server_charges_once(
    store: QuotaStore, quota_db: Database, database_block: dict[str, Any]
) -> None:
    """The connection broke, but the server still runs the first attempt: the retry waits."""
    await store.reserve("r1", buckets(), 40, T0, LATER)
    block = database_block["postgres"]
    blocker = await asyncpg.connect(
        host=block["host"],
        port=block["port"],
        user=block["user"],
        password=block["password"],
        database=block["db"],
        server_settings={"search_path": block["namespace"]},
    )
    try:
        locks = blocker.transaction()
        await locks.start()
        await blocker.execute("SELECT * FROM quota_limits FOR UPDATE")  # holds the buckets
        first = asyncio.create_task(QuotaStore(quota_db).settle_many([settlement("r1")], T0))
        await asyncio.sleep(0.3)  # the first attempt has claimed r1 and waits for a bucket
        retry = asyncio.create_task(store.settle_many([settlement("r1")], T0))
        await asyncio.sleep(0.3)
        assert not first.done()
        assert not retry.done()
        await locks.commit()
        await asyncio.wait_for(asyncio.gather(first, retry), 10)
    finally:
        await blocker.close()
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    (usage,) = await read_usage(quota_db, "alice")
    assert (usage.input_tokens, usage.output_tokens) == (20, 5)
