"""PostgreSQL crashes and settle batches: one written survives, one in doubt is charged once.

Settle batches used to commit without waiting for the WAL flush and be "confirmed" afterwards
with a statement that flushed nothing (a transaction without WAL of its own does not wait for
the flush). An immediate shutdown then lost batches the queue had forgotten: their holds came
back and their usage was gone (the outage fault test, short by a few settles in CI). They now
commit synchronously.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.errors import DatabaseUnavailableError
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.limiters import build_limiters
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.service import SqlQuota
from lightspeed_core.quota.settles import Settlement
from tests.support.private_postgres import PrivatePostgres, available, private_postgres

pytestmark = [
    pytest.mark.xdist_group("workers"),
    pytest.mark.skipif(not available(), reason="needs PostgreSQL's server binaries and root"),
]
INITIAL = 10_000


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    with private_postgres() as running:
        yield running


async def _books(server: PrivatePostgres) -> tuple[int, int, int]:
    """Tokens taken from alice's bucket, in her token history, and still held."""
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        available_now = await connection.fetchval(
            "SELECT coalesce(available, quota_limit) FROM quota_limits WHERE id = 'alice'"
        )
        history = await connection.fetchval(
            "SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM token_usage"
        )
        held = await connection.fetchval("SELECT coalesce(sum(tokens), 0) FROM quota_reservation")
    finally:
        await connection.close()
    return INITIAL - int(available_now), int(history), int(held)


async def _open(server: PrivatePostgres, pool: DatabasePool) -> SqlQuota:
    limiter = {
        "type": "user_limiter",
        "name": "per-user",
        "initial_quota": INITIAL,
        "quota_increase": 0,
        "period": "1 day",
    }
    config = QuotaHandlersConfiguration.model_validate(
        {"postgres": server.block(), "limiters": [limiter]}
    )
    assert config.postgres is not None
    return SqlQuota(
        database=await pool.get(config.postgres),
        limiters=build_limiters(config.limiters),
        metrics=QuotaMetrics(Metrics()),
        reservation_timeout=900,
        history=True,
        scheduler_period=3600,
    )


async def test_a_batch_written_survives_an_immediate_shutdown(server: PrivatePostgres) -> None:
    pool = DatabasePool()
    quota = await _open(server, pool)
    alice = Principal(user_id="alice", username="alice")
    try:
        reservations = [await quota.reserve(alice, 100) for _ in range(5)]
        for reservation in reservations:
            await quota.settle(
                reservation, input_tokens=10, output_tokens=1, provider="p", model="m"
            )
        assert await quota.settles.flush()
        assert quota.pending == 0  # forgotten: it must be durable now
        await asyncio.to_thread(server.kill)  # as a crash would, right after
        await asyncio.to_thread(server.start)
        assert await _books(server) == (55, 55, 0)  # charged, in the history, nothing held
    finally:
        await quota.close()
        await pool.close()


async def test_a_batch_in_doubt_is_written_again_and_charged_once(
    server: PrivatePostgres,
) -> None:
    pool = DatabasePool()
    quota = await _open(server, pool)
    alice = Principal(user_id="alice", username="alice")
    try:
        reservation = await quota.reserve(alice, 100)
        write = quota.settles.write
        attempts: list[list[Settlement]] = []

        async def write_then_fail(batch: list[Settlement]) -> object:
            result = await write(batch)
            attempts.append(batch)
            if len(attempts) == 1:  # committed, but the answer was lost with the server
                await asyncio.to_thread(server.kill)
                await asyncio.to_thread(server.start)
                raise DatabaseUnavailableError("The database cannot be reached: connection lost")
            return result

        quota.settles.write = write_then_fail
        await quota.settle(reservation, input_tokens=30, output_tokens=5, provider="p", model="m")
        assert not await quota.settles.flush()  # outcome unknown: kept
        assert quota.pending == 1
        assert await quota.settles.flush()  # written again, as a retry
        assert reservation is not None
        assert [item.reservation_id for item in attempts[1]] == [reservation.id]
        assert quota.pending == 0
        assert await _books(server) == (35, 35, 0)  # charged once, nothing held
    finally:
        await quota.close()
        await pool.close()
