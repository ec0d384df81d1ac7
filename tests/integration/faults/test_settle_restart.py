"""A settle batch committed just before PostgreSQL restarts: written again, charged once.

Settle batches commit without waiting for the WAL flush and are confirmed afterwards
(``QuotaStore.durable``). A server killed in between may lose the batch with its unflushed
WAL, while the confirmation, on a connection opened to the restarted server, would succeed:
the confirmation compares the server's start time with the batch's and, when they differ,
the batch is written again as a retry (charged if its holds are back, not again if the
batch survived).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.db.pool import DatabasePool
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


async def test_a_batch_confirmed_on_a_restarted_server_is_written_again_and_charged_once(
    server: PrivatePostgres,
) -> None:
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
    pool = DatabasePool()
    quota = SqlQuota(
        database=await pool.get(config.postgres),
        limiters=build_limiters(config.limiters),
        metrics=QuotaMetrics(Metrics()),
        reservation_timeout=900,
        history=True,
    )
    alice = Principal(user_id="alice", username="alice")
    try:
        reservation = await quota.reserve(alice, 100)
        write = quota.settles.write
        attempts: list[list[Settlement]] = []

        async def write_then_restart(batch: list[Settlement]) -> object:
            result = await write(batch)
            attempts.append(batch)
            if len(attempts) == 1:  # killed after the commit, before the WAL flush is confirmed
                await asyncio.to_thread(server.kill)
                await asyncio.to_thread(server.start)
            return result

        quota.settles.write = write_then_restart
        await quota.settle(reservation, input_tokens=30, output_tokens=5, provider="p", model="m")
        assert not await quota.settles.flush()  # not confirmed: kept
        assert quota.pending == 1
        assert await quota.settles.flush()  # written again, as a retry
        assert [item.retried for item in attempts[1]] == [True]
        assert quota.pending == 0
        assert await _books(server) == (35, 35, 0)  # charged once, nothing held
    finally:
        await quota.close()
        await pool.close()
