"""Settles written behind the request, on SQLite and PostgreSQL: exact under concurrency,
nothing lost on shutdown, nothing lost or charged twice when the database briefly fails."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_core.auth.base import Principal
from lightspeed_core.db.engine import Database
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.errors import QuotaExceededError
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.history import read_usage
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.service import SqlQuota
from lightspeed_core.quota.settles import SettleQueue
from tests.support.postgres import HOST, PORT, postgres_block

from .conftest import handlers, limiter_config, limiters_of
from .proxy import CuttableProxy

pytestmark = pytest.mark.postgres
LIMITERS = limiters_of(
    limiter_config("per-user", initial_quota=1000, quota_increase=0, period="1 day"),
    limiter_config("all", "cluster_limiter", initial_quota=10**6, quota_increase=0),
)


def quota_over(database: Database, *, delay: float = 0.05) -> SqlQuota:
    quota = SqlQuota(
        database=database,
        limiters=LIMITERS,
        metrics=QuotaMetrics(Metrics()),
        reservation_timeout=900,
        history=True,
        scheduler_period=3600,  # the scheduler's tick plays no part here
    )
    quota.settles = SettleQueue(quota.settles.write, delay=delay, retry_delay=0.02)
    quota.admin.flush = quota.settles.flush
    return quota


def alice() -> Principal:
    return Principal(user_id="alice", username="alice")


async def left(quota: SqlQuota) -> tuple[int, int]:
    """(alice's available, tokens still held in her bucket), read from the database."""
    (view, _) = await quota.admin.quotas("alice")
    return view.state.available, view.state.reserved


async def test_concurrent_requests_never_overspend_and_end_exact(quota_db: Database) -> None:
    quota = quota_over(quota_db)
    outcomes: list[int] = []

    async def request(index: int) -> None:
        try:
            reservation = await quota.reserve(alice(), 60, minimum=60)
        except QuotaExceededError:
            return
        await asyncio.sleep(0.001 * (index % 5))
        used = 20 + index % 30  # less than reserved: the rest comes back on the settle
        outcomes.append(used)
        await quota.settle(reservation, input_tokens=used, output_tokens=0, provider="p", model="m")

    await asyncio.gather(*(request(i) for i in range(80)))
    assert await quota.settles.close() == 0
    available, held = await left(quota)
    assert held == 0
    assert available == 1000 - sum(outcomes)
    assert available >= 0  # reservations of 60 never let the bucket go below zero
    assert len(outcomes) >= 1000 // 60  # at least what fits at once was served
    usage = await read_usage(quota_db, "alice")
    assert [(u.model, u.input_tokens) for u in usage] == [("m", sum(outcomes))]


async def test_queued_settles_are_written_on_shutdown(quota_db: Database) -> None:
    quota = quota_over(quota_db, delay=3600)  # nothing is written before close()
    for used in (10, 20, 30):
        reservation = await quota.reserve(alice(), 100)
        await quota.settle(reservation, input_tokens=used, output_tokens=1, provider="p", model="m")
    released = await quota.reserve(alice(), 100)
    await quota.release(released)
    assert quota.pending == 4
    await quota.close()
    assert quota.pending == 0
    reader = quota_over(quota_db)
    assert await left(reader) == (1000 - 63, 0)
    (usage,) = await read_usage(quota_db, "alice")
    assert (usage.input_tokens, usage.output_tokens) == (60, 3)


async def test_available_quotas_count_settles_not_written_yet(quota_db: Database) -> None:
    quota = quota_over(quota_db, delay=3600)
    first = await quota.reserve(alice(), 100)
    await quota.settle(first, input_tokens=30, output_tokens=0, provider="p", model="m")
    second = await quota.reserve(alice(), 100)  # the first settle is still queued
    await quota.settle(second, input_tokens=40, output_tokens=0, provider="p", model="m")
    assert (await quota.available(alice()))["per-user"] == 1000 - 70
    await quota.close()
    assert await left(quota_over(quota_db)) == (930, 0)


async def test_a_refusal_writes_queued_settles_and_tries_again(quota_db: Database) -> None:
    quota = quota_over(quota_db, delay=3600)
    first = await quota.reserve(alice(), 1000)  # all of it
    await quota.settle(first, input_tokens=100, output_tokens=0, provider="p", model="m")
    second = await quota.reserve(alice(), 500)  # fits once the first settle is written
    assert second is not None
    assert second.tokens == 500
    await quota.release(second)
    await quota.close()
    assert await left(quota_over(quota_db)) == (900, 0)


@pytest.fixture
async def through_proxy(postgres_db: str) -> AsyncIterator[tuple[SqlQuota, CuttableProxy]]:
    proxy = await CuttableProxy(HOST, PORT).start()
    block: dict[str, Any] = postgres_block(postgres_db, namespace=f"b_{uuid.uuid4().hex[:10]}")
    pool = DatabasePool()
    try:
        database = await pool.get(handlers({"postgres": {**block, "port": proxy.port}}).postgres)  # type: ignore[arg-type]
        yield quota_over(database, delay=0.01), proxy
    finally:
        await pool.close()
        await proxy.close()


async def test_settles_survive_a_brief_outage_exactly_once(
    through_proxy: tuple[SqlQuota, CuttableProxy],
) -> None:
    quota, proxy = through_proxy
    reservations = [await quota.reserve(alice(), 50) for _ in range(10)]
    await proxy.cut()
    for index, reservation in enumerate(reservations):
        await quota.settle(
            reservation, input_tokens=index, output_tokens=1, provider="p", model="m"
        )
    await asyncio.sleep(0.1)  # several write attempts fail
    assert quota.pending == 10
    await proxy.restore()
    for _ in range(500):
        if quota.pending == 0:
            break
        await asyncio.sleep(0.02)
    assert quota.pending == 0
    assert await left(quota) == (1000 - sum(range(10)) - 10, 0)
    await quota.close()
