"""Quota arithmetic on SQLite and PostgreSQL: reserve, settle, release, expiry, refills."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.history import UsageRecord, read_usage
from lightspeed_core.quota.limiters import Bucket, buckets_for
from lightspeed_core.quota.settles import Settlement
from lightspeed_core.quota.store import QuotaStore, Refused

from .conftest import limiter_config, limiters_of

pytestmark = pytest.mark.postgres

T0 = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)
USER_AND_CLUSTER = limiters_of(
    limiter_config("per-user", initial_quota=100, quota_increase=10),
    limiter_config("shared", "cluster_limiter", initial_quota=1000, quota_increase=0),
)


def buckets(user: str = "alice") -> list[Bucket]:
    return buckets_for(USER_AND_CLUSTER, user)


async def test_reserve_settle_release(store: QuotaStore) -> None:
    await store.reserve("r1", buckets(), 40, T0, LATER)
    assert await store.available(buckets()) == {"per-user": 60, "shared": 960}
    await store.settle("r1", buckets(), 25, T0, None)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    await store.reserve("r2", buckets(), 50, T0, LATER)
    await store.release("r2", T0)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    await store.release("r2", T0)  # a second release finds nothing to give back
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}


async def test_refusal_takes_nothing(store: QuotaStore) -> None:
    await store.reserve("r1", buckets(), 75, T0, LATER)
    with pytest.raises(Refused) as refused:
        await store.reserve("r2", buckets(), 26, T0, LATER)
    assert refused.value.bucket.limiter.name == "per-user"
    assert refused.value.available == 25
    assert await store.available(buckets()) == {"per-user": 25, "shared": 925}
    assert await store.available(buckets("bob")) == {"per-user": 100, "shared": 925}


async def test_usage_beyond_the_estimate_is_charged(store: QuotaStore) -> None:
    await store.reserve("r1", buckets(), 90, T0, LATER)
    await store.settle("r1", buckets(), 120, T0, None)
    assert (await store.available(buckets()))["per-user"] == -20
    with pytest.raises(Refused) as refused:
        await store.reserve("r2", buckets(), 1, T0, LATER)
    assert refused.value.available == -20


async def test_expired_hold_is_given_back_and_a_late_settle_still_charges(
    store: QuotaStore,
) -> None:
    await store.reserve("r1", buckets(), 40, T0, T0 + timedelta(minutes=15))
    assert await store.reclaim_expired(T0 + timedelta(minutes=10)) == 0
    assert await store.reclaim_expired(T0 + timedelta(minutes=16)) == 2
    assert await store.available(buckets()) == {"per-user": 100, "shared": 1000}
    await store.settle("r1", buckets(), 25, T0, None)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}


async def test_increase_once_per_period_up_to_the_limit(store: QuotaStore) -> None:
    (user,) = limiters_of(limiter_config("per-user", initial_quota=100, quota_increase=10))
    bucket = user.bucket("alice")
    await store.reserve("r1", [bucket], 50, T0, LATER)
    await store.settle("r1", [bucket], 50, T0, None)
    assert await store.refill(user, T0 + timedelta(minutes=59)) == 0
    assert await store.refill(user, T0 + timedelta(minutes=61)) == 1
    assert await store.refill(user, T0 + timedelta(minutes=90)) == 0  # same period
    assert (await store.available([bucket]))["per-user"] == 60
    for hours in range(2, 10):  # eight more periods: 60 + 40, capped at the limit
        await store.refill(user, T0 + timedelta(hours=hours, minutes=2))
    assert (await store.available([bucket]))["per-user"] == 100


async def test_refill_leaves_room_for_tokens_in_flight(store: QuotaStore) -> None:
    (user,) = limiters_of(limiter_config("per-user", initial_quota=100, quota_increase=0))
    bucket = user.bucket("alice")
    await store.reserve("r1", [bucket], 30, T0, LATER)
    assert await store.refill(user, T0 + timedelta(hours=2)) == 1  # reset: 100 - 30 held
    assert (await store.available([bucket]))["per-user"] == 70
    await store.settle("r1", [bucket], 10, T0, None)
    assert (await store.available([bucket]))["per-user"] == 90


async def test_calendar_month_period(store: QuotaStore) -> None:
    (user,) = limiters_of(
        limiter_config("monthly", initial_quota=10, quota_increase=0, period="1 month")
    )
    bucket = user.bucket("alice")
    await store.reserve("r1", [bucket], 10, T0, LATER)  # created Jan 31 12:00
    await store.settle("r1", [bucket], 10, T0, None)
    assert await store.refill(user, datetime(2027, 2, 28, 23, 0, tzinfo=UTC)) == 0
    assert await store.refill(user, datetime(2027, 3, 1, 0, 0, tzinfo=UTC)) == 1
    assert (await store.available([bucket]))["monthly"] == 10


async def test_limits_follow_the_configuration_unless_overridden(store: QuotaStore) -> None:
    (old,) = limiters_of(limiter_config("per-user", initial_quota=100))
    await store.reserve("r1", [old.bucket("alice")], 1, T0, LATER)
    await store.reserve("r2", [old.bucket("bob")], 1, T0, LATER)
    await store.set(old.bucket("bob"), 500, None, T0)
    (new,) = limiters_of(limiter_config("per-user", initial_quota=300))
    await store.sync_limits(new)
    alice, bob = await store.describe([new.bucket("alice"), new.bucket("bob")])
    assert (alice.quota_limit, alice.limit_override) == (300, None)
    assert (bob.quota_limit, bob.limit_override) == (500, 500)


async def test_two_limiters_of_one_type_have_their_own_buckets(store: QuotaStore) -> None:
    limiters = limiters_of(
        limiter_config("daily", initial_quota=10), limiter_config("monthly", initial_quota=100)
    )
    pair = buckets_for(limiters, "alice")
    assert sorted(b.id for b in pair) == ["daily|alice", "monthly|alice"]
    await store.reserve("r1", pair, 8, T0, LATER)
    assert await store.available(pair) == {"daily": 2, "monthly": 92}
    assert await store.refill(limiters[0], T0 + timedelta(hours=2)) == 1
    assert await store.available(pair) == {"daily": 2, "monthly": 92}  # 10 - 8 held


async def test_token_history_is_cumulative(store: QuotaStore, quota_db: Database) -> None:
    for index, model in enumerate(("m1", "m1", "m2")):
        await store.reserve(f"r{index}", buckets(), 10, T0, LATER)
        usage = UsageRecord("alice", "p", model, 3, 4)
        await store.settle(f"r{index}", buckets(), 7, T0, usage)
    totals = {
        (u.model, u.input_tokens, u.output_tokens) for u in await read_usage(quota_db, "alice")
    }
    assert totals == {("m1", 6, 8), ("m2", 3, 4)}


async def test_concurrent_reservations_never_overdraw(store: QuotaStore) -> None:
    (user,) = limiters_of(limiter_config("per-user", initial_quota=70))
    bucket = user.bucket("alice")

    async def attempt(index: int) -> bool:
        try:
            await store.reserve(f"r{index}", [bucket], 7, T0, LATER)
        except Refused:
            return False
        return True

    results = await asyncio.gather(*(attempt(i) for i in range(40)))
    assert sum(results) == 10
    assert (await store.available([bucket]))["per-user"] == 0


async def test_a_smaller_reservation_takes_what_is_left_from_every_bucket(
    store: QuotaStore,
) -> None:
    await store.reserve("r1", buckets(), 75, T0, LATER)
    # 40 do not fit alice's 25, but 20 would: all 25 are taken, from both buckets
    assert await store.reserve("r2", buckets(), 40, T0, LATER, minimum=20) == 25
    assert await store.available(buckets()) == {"per-user": 0, "shared": 900}
    with pytest.raises(Refused) as refused:
        await store.reserve("r3", buckets(), 40, T0, LATER, minimum=1)
    assert refused.value.available == 0
    await store.settle("r2", buckets(), 10, T0, None)
    assert await store.available(buckets()) == {"per-user": 15, "shared": 915}
    with pytest.raises(Refused) as refused:  # less than the minimum left: refused
        await store.reserve("r4", buckets(), 40, T0, LATER, minimum=16)
    assert refused.value.available == 15
    assert await store.available(buckets()) == {"per-user": 15, "shared": 915}
    assert await store.reserve("r5", buckets(), 40, T0, LATER, minimum=15) == 15


async def test_a_retried_settle_charges_once(store: QuotaStore, quota_db: Database) -> None:
    await store.reserve("r1", buckets(), 40, T0, LATER)
    keys = tuple(b.key for b in buckets())
    item = Settlement("r1", keys, 25, UsageRecord("alice", "p", "m", 20, 5), 40)
    await store.settle_many([item], T0)
    # written again after an attempt whose commit landed unseen: its claim is there
    await store.settle_many([item], T0)
    await store.release("r1", T0)
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    (usage,) = await read_usage(quota_db, "alice")
    assert (usage.input_tokens, usage.output_tokens) == (20, 5)


async def test_an_expired_hold_is_given_back_and_a_late_settle_charges_once(
    store: QuotaStore,
) -> None:
    await store.reserve("r1", buckets(), 40, T0, T0 + timedelta(minutes=15))
    assert await store.reclaim_expired(T0 + timedelta(minutes=16)) == 2
    assert await store.available(buckets()) == {"per-user": 100, "shared": 1000}
    assert await store.reclaim_expired(T0 + timedelta(minutes=17)) == 0
    keys = tuple(b.key for b in buckets())
    late = Settlement("r1", keys, 25, None, 40)
    await store.settle_many([late], T0)  # no hold left: the usage is charged all the same
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}
    await store.settle_many([late], T0)  # written again: its claim says it was charged
    assert await store.available(buckets()) == {"per-user": 75, "shared": 975}


async def test_one_batch_of_settles_releases_and_retries(
    store: QuotaStore, quota_db: Database
) -> None:
    """Everything a batch can hold, written at once (one statement on PostgreSQL)."""
    for reservation_id, user in (("r1", "alice"), ("r2", "alice"), ("r3", "bob"), ("r4", "bob")):
        await store.reserve(reservation_id, buckets(user), 30, T0, LATER)
    alice = tuple(b.key for b in buckets())
    bob = tuple(b.key for b in buckets("bob"))
    await store.settle_many([Settlement("r2", alice, 10, None, 30)], T0)  # landed unseen
    left = await store.settle_many(
        [
            Settlement("r1", alice, 20, UsageRecord("alice", "p", "m", 15, 5), 30),
            Settlement("r2", alice, 10, UsageRecord("alice", "p", "m", 7, 3), 30),
            Settlement("r3", bob, 5, UsageRecord("bob", "p", "m", 4, 1), 30),
            Settlement("r4"),  # a release that names no bucket: its holds say which
            Settlement("r5", (), 0, UsageRecord("bob", "p", "n", 2, 2)),  # history only
            Settlement("r6", bob, 8, UsageRecord("bob", "p", "m", 8, 0), 0),  # holds expired
        ],
        T0,
    )
    # alice: 100 - 10 (r2) - 20 (r1); bob: 100 - 5 (r3) - 8 (r6); shared: 1000 - 43
    assert left == {("u", "alice"): 70, ("u", "bob"): 87, ("c", ""): 957}
    assert await store.available(buckets()) == {"per-user": 70, "shared": 957}
    assert await store.available(buckets("bob")) == {"per-user": 87, "shared": 957}
    (alice_usage,) = await read_usage(quota_db, "alice")
    assert (alice_usage.input_tokens, alice_usage.output_tokens) == (15, 5)  # r2 not again
    bob_usage = await read_usage(quota_db, "bob")
    assert [(u.model, u.input_tokens, u.output_tokens) for u in bob_usage] == [
        ("m", 12, 1),
        ("n", 2, 2),
    ]
    assert await store.settle_many([Settlement("r9")], T0) == {}  # nothing to give back
