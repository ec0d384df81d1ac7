"""The scheduler on each engine: one leader, refills per period, expired holds given back."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as redis

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.probe import pending_work
from lightspeed_core.quota.ratelimit import RedisRateLimiter, SqlRateLimiter
from lightspeed_core.quota.scheduler import QuotaScheduler
from lightspeed_core.quota.store import QuotaStore

from .conftest import limiter_config, limiters_of

pytestmark = pytest.mark.postgres

T0 = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
LIMITERS = limiters_of(limiter_config("per-user", initial_quota=50, quota_increase=5))


async def nothing() -> None:
    return None


def scheduler(database: Database, store: QuotaStore, metrics: QuotaMetrics) -> QuotaScheduler:
    return QuotaScheduler(database, store, LIMITERS, metrics, period=1, local_work=nothing)


async def test_one_leader_and_one_refill_per_period(
    quota_db: Database, store: QuotaStore, quota_metrics: QuotaMetrics
) -> None:
    first = scheduler(quota_db, store, quota_metrics)
    second = scheduler(quota_db, store, quota_metrics)
    bucket = LIMITERS[0].bucket("alice")
    try:
        await store.reserve("r1", [bucket], 20, T0, T0 + timedelta(minutes=15))
        await store.settle("r1", [bucket], 20, T0, None)
        assert await first.tick(T0 + timedelta(minutes=30)) is True
        assert await second.tick(T0 + timedelta(minutes=30)) is False
        for minutes in (61, 62, 90, 119):  # both tick through one period boundary
            await first.tick(T0 + timedelta(minutes=minutes))
            await second.tick(T0 + timedelta(minutes=minutes))
        assert (await store.available([bucket]))["per-user"] == 35
        await first.stop()  # the leader goes away: the other one takes over
        assert await second.tick(T0 + timedelta(minutes=125)) is True
        assert (await store.available([bucket]))["per-user"] == 40
    finally:
        await first.stop()
        await second.stop()


async def test_expired_holds_and_gauges(
    quota_db: Database, store: QuotaStore, quota_metrics: QuotaMetrics
) -> None:
    leader = scheduler(quota_db, store, quota_metrics)
    bucket = LIMITERS[0].bucket("bob")
    try:
        await store.reserve("r1", [bucket], 30, T0, T0 + timedelta(minutes=15))
        await leader.tick(T0 + timedelta(minutes=5))
        labels = {"limiter": "per-user", "subject_type": "user"}
        registry = quota_metrics.registry
        assert registry.get_sample_value("ls_quota_reserved", labels) == 30
        assert registry.get_sample_value("ls_quota_available", labels) == 20
        await leader.tick(T0 + timedelta(minutes=16))
        assert (await store.available([bucket]))["per-user"] == 50
        assert registry.get_sample_value("ls_quota_reservations_expired_total") == 1
    finally:
        await leader.stop()


async def test_an_idle_tick_finds_nothing_to_write(store: QuotaStore) -> None:
    limiters = limiters_of(
        limiter_config("day", initial_quota=50, quota_increase=5, period="1 day"),
        limiter_config("hour", initial_quota=50, quota_increase=5, period="1 hour"),
        limiter_config("all", "cluster_limiter", initial_quota=100, quota_increase=0),
        limiter_config("never", "cluster_limiter", initial_quota=0, quota_increase=0),
    )  # two user limiters: their ids carry a prefix
    alice = [limiter.bucket("alice") for limiter in limiters[:3]]
    database = store.database
    assert await pending_work(database, limiters, T0) == ([], False)  # no buckets yet
    await store.reserve(
        "r1", sorted(alice, key=lambda b: b.key), 10, T0, T0 + timedelta(minutes=15)
    )
    assert await pending_work(database, limiters, T0 + timedelta(minutes=5)) == ([], False)
    later = T0 + timedelta(minutes=61)  # the hourly and the cluster (1 hour) buckets are due
    assert await pending_work(database, limiters, later) == ([limiters[1], limiters[2]], True)
    for limiter in limiters:
        await store.refill(limiter, later)
    await store.reclaim_expired(later)  # the hold is given back
    assert await pending_work(database, limiters, later) == ([], False)
    next_day = T0 + timedelta(days=1, minutes=1)
    assert await pending_work(database, limiters, next_day) == (list(limiters[:3]), False)


async def test_sql_request_rate(quota_db: Database) -> None:
    limiter = SqlRateLimiter(quota_db, 3)
    minute = 1_800_000_000 // 60 * 60  # the start of a calendar minute
    assert [await limiter.hit("alice", minute + 1) for _ in range(3)] == [None, None, None]
    assert await limiter.hit("alice", minute + 20) == 40
    assert await limiter.hit("bob", minute + 20) is None
    assert await limiter.hit("alice", minute + 61) is None  # a new minute
    await limiter.cleanup(minute + 200)


@pytest.mark.redis
async def test_redis_request_rate() -> None:
    prefix = f"lightspeed-test:{time.time_ns()}:"
    limiter = RedisRateLimiter("redis://127.0.0.1:6379/0", 2, prefix=prefix)
    minute = 1_800_000_000 // 60 * 60
    try:
        assert await limiter.hit("alice", minute + 10) is None
        assert await limiter.hit("alice", minute + 11) is None
        assert await limiter.hit("alice", minute + 59.5) == 1
        assert await limiter.hit("alice", minute + 60) is None
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        await limiter.close()
