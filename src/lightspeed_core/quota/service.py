"""``SqlQuota``: token quotas in SQLite or PostgreSQL, reserved before the call, settled after.

* ``reserve`` - the request-rate limit first (if configured), then one transaction takes the
  estimate from every bucket of the caller or from none (429 with the contract's body).
  With a ``minimum`` (the pipeline passes the input estimate plus a short answer), a bucket
  that cannot cover the estimate but still has ``minimum`` left gives what it has: the
  reservation is smaller, and the pipeline caps the model's output to fit it
  (docs/quota.md "Small quotas").
  One statement on PostgreSQL, one short transaction on SQLite (``quota/taking.py``). A
  refusal while this process still has settles queued writes them and tries once more; a
  refusal of a bucket whose holds could cover the request (another worker's settle may be
  on its way) tries once more after the settle delay.
* ``settle`` - gives back what was held and charges the real usage (``input + output``),
  adds it to the token history; ``release`` gives everything back. Both are queued and
  written behind the request, many per transaction (``quota/settles.py``): the holds count
  as spent until then, so nobody can overspend meanwhile. ``available_quotas`` comes from the
  reservation's balances and the usage, without a read.
* When the database cannot be reached, ``reserve`` fails with 503; queued settles and
  releases stay queued and are written once it is back (if the process dies first, the hold
  expires and the scheduler gives it back). ``close`` writes what is queued.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from lightspeed_core.auth.base import Principal
from lightspeed_core.db.engine import Database
from lightspeed_core.errors import LightspeedError, QuotaExceededError
from lightspeed_core.quota.admin import QuotaAdmin
from lightspeed_core.quota.base import Reservation
from lightspeed_core.quota.dberrors import quota_database
from lightspeed_core.quota.history import UsageRecord
from lightspeed_core.quota.limiters import (
    Bucket,
    Limiter,
    buckets_for,
    class_aliases,
    quota_keys,
)
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.ratelimit import RateLimiter
from lightspeed_core.quota.scheduler import QuotaScheduler
from lightspeed_core.quota.settles import Key, Settlement, SettleQueue
from lightspeed_core.quota.store import QuotaStore, Refused
from lightspeed_core.quota.taking import Taken

log = logging.getLogger(__name__)
EXCEEDED = "The quota has been exceeded"
RATE_EXCEEDED = "The request rate limit has been exceeded"
_REMEMBERED = 10_000  # finished reservation ids kept to make settle/release idempotent
_SETTLED_FRESH = 2.0  # seconds a settle's computed balances may answer available()
SETTLE_MARGIN = 0.02  # seconds beyond the settle delay to wait for another process's settle


def utcnow() -> datetime:
    return datetime.now(UTC)


def refusal_cause(refused: Refused, needed: int) -> str:
    """The contract's 429 cause for a bucket that cannot cover ``needed`` tokens."""
    who = refused.bucket.limiter.describe_subject(refused.bucket.id)
    if refused.available <= 0:
        return f"{who} has no available tokens"
    return f"{who} has {refused.available} tokens, but {needed} tokens are needed"


class SqlQuota:
    """The quota service for ``quota_handlers`` with a database (and/or a rate limit)."""

    def __init__(
        self,
        *,
        database: Database | None,
        limiters: tuple[Limiter, ...],
        metrics: QuotaMetrics,
        reservation_timeout: float,
        history: bool = False,
        rate: tuple[RateLimiter, int] | None = None,
        scheduler_period: float = 1.0,
    ) -> None:
        self.store = QuotaStore(database) if database is not None else None
        self.limiters = limiters if self.store is not None else ()
        self.metrics = metrics
        self.history = history and database is not None
        self.timeout = timedelta(seconds=reservation_timeout)
        self.rate = rate
        self.clock: Callable[[], float] = time.time  # epoch seconds (tests pin it)
        self.settles = SettleQueue(self._write_settles)
        self.admin = QuotaAdmin(
            self.store,
            self.limiters,
            database if self.history else None,
            flush=self.settles.flush,
        )
        self._finished: OrderedDict[str, None] = OrderedDict()
        self._settled: dict[str, tuple[float, dict[str, int]]] = {}  # user → after settle
        self._buckets: dict[str, tuple[list[Bucket], list[Key]]] = {}  # user → buckets, keys
        self._aliases = class_aliases(self.limiters)
        self._consumed = {  # the counters' children, looked up once
            limiter.name: metrics.consumed.labels(limiter.name, limiter.subject_type)
            for limiter in self.limiters
        }
        self.scheduler = QuotaScheduler(
            database,
            self.store,
            self.limiters,
            metrics,
            period=scheduler_period,
            local_work=self.retry_pending,
            rate=rate[0] if rate else None,
        )

    def _buckets_of(self, user_id: str) -> tuple[list[Bucket], list[Key]]:
        """The user's buckets in lock order, and their keys (kept; never changed)."""
        known = self._buckets.get(user_id)
        if known is None:
            if len(self._buckets) >= _REMEMBERED:
                self._buckets.clear()
            buckets = buckets_for(self.limiters, user_id)
            known = self._buckets[user_id] = (buckets, [b.key for b in buckets])
        return known

    async def _check_rate(self, principal: Principal) -> None:
        if self.rate is None:
            return
        limiter, limit = self.rate
        try:
            wait = await limiter.hit(principal.user_id, self.clock())
        except Exception as error:  # fail open: a rate store outage must not stop answers
            log.warning("request-rate store unavailable, request not counted: %s", error)
            return
        if wait is not None:
            self.metrics.rate_limited.inc()
            raise QuotaExceededError(
                RATE_EXCEEDED,
                f"User {principal.user_id} has made more than {limit} requests this minute",
                headers={"Retry-After": str(int(wait))},
            )

    async def reserve(
        self, principal: Principal, estimate: int, *, minimum: int | None = None
    ) -> Reservation | None:
        await self._check_rate(principal)
        if self.store is None or not (self.limiters or self.history):
            return None
        reservation_id = uuid.uuid4().hex
        buckets, keys = self._buckets_of(principal.user_id)
        if not buckets:
            return Reservation(reservation_id, estimate, principal.user_id)
        try:
            try:
                taken, coming = await self._take(reservation_id, buckets, keys, estimate, minimum)
            except Refused as refused:
                if not await self._may_free(refused, estimate, minimum):
                    raise
                taken, coming = await self._take(reservation_id, buckets, keys, estimate, minimum)
        except Refused as refused:
            limiter = refused.bucket.limiter
            self.metrics.exceeded.labels(limiter.name, limiter.subject_type).inc()
            needed = estimate if minimum is None else min(minimum, estimate)
            raise QuotaExceededError(EXCEEDED, refusal_cause(refused, needed)) from None
        # the balances as they will be once this process's queued settles are written
        left = taken.balances
        balances = tuple(
            (b.limiter.name, left[key] + coming[key])
            for b, key in zip(buckets, keys, strict=True)
            if key in left
        )
        return Reservation(
            reservation_id, taken.amount, principal.user_id, tuple(buckets), balances
        )

    async def _take(
        self,
        reservation_id: str,
        buckets: list[Bucket],
        keys: list[Key],
        estimate: int,
        minimum: int | None,
    ) -> tuple[Taken, dict[Key, int]]:
        """The reservation, and what queued settles will give back to its buckets."""
        assert self.store is not None
        async with self.settles.reading(keys) as coming:
            now = utcnow()
            async with quota_database("reserve quota"):
                taken = await self.store.take(
                    reservation_id, buckets, estimate, now, now + self.timeout, minimum
                )
        return taken, coming

    async def _may_free(self, refused: Refused, estimate: int, minimum: int | None) -> bool:
        """Could settles on their way free enough? Then wait for them (True: try again)."""
        assert self.store is not None
        if len(self.settles):
            await self.settles.flush()  # this process's: write them now
            return True
        needed = max(estimate if minimum is None else min(minimum, estimate), 1)
        async with quota_database("reserve quota"):
            held = await self.store.held(refused.bucket)
        if refused.available + held < needed:
            return False
        await asyncio.sleep(self.settles.delay + SETTLE_MARGIN)  # another process's
        return True

    def _first_time(self, reservation: Reservation) -> bool:
        if reservation.id in self._finished:
            return False
        self._finished[reservation.id] = None
        if len(self._finished) > _REMEMBERED:
            self._finished.popitem(last=False)
        return True

    async def _write_settles(self, batch: list[Settlement]) -> None:
        assert self.store is not None
        await self.store.settle_many(batch, utcnow())

    async def settle(
        self,
        reservation: Reservation | None,
        *,
        input_tokens: int,
        output_tokens: int,
        provider: str,
        model: str,
    ) -> None:
        if reservation is None or self.store is None or not self._first_time(reservation):
            return
        used = max(0, input_tokens) + max(0, output_tokens)
        usage = None
        if self.history:
            usage = UsageRecord(reservation.user_id, provider, model, input_tokens, output_tokens)
        keys = tuple(b.key for b in reservation.buckets)
        self.settles.put(Settlement(reservation.id, keys, used, usage, reservation.tokens))
        if reservation.balances and len(reservation.balances) == len(reservation.buckets):
            if len(self._settled) > _REMEMBERED:
                self._settled.clear()
            back = reservation.tokens - used  # what the settle gives back to each bucket
            left = {name: value + back for name, value in reservation.balances}
            self._settled[reservation.user_id] = (time.monotonic(), left)
        for bucket in reservation.buckets:
            self._consumed[bucket.limiter.name].inc(used)

    async def release(self, reservation: Reservation | None) -> None:
        if reservation is None or self.store is None or not self._first_time(reservation):
            return
        keys = tuple(b.key for b in reservation.buckets)
        self.settles.put(Settlement(reservation.id, keys, held=reservation.tokens))

    async def available(self, principal: Principal) -> dict[str, int]:
        if self.store is None or not self.limiters:
            return {}
        buckets = self._buckets_of(principal.user_id)[0]
        values = None
        settled = self._settled.pop(principal.user_id, None)
        if settled is not None and time.monotonic() - settled[0] < _SETTLED_FRESH:
            values = settled[1]  # what this request's settle just returned: no extra read
        try:
            if values is None:
                await self.settles.flush()  # read this process's own settles
                async with quota_database("read quotas"):
                    values = await self.store.available(buckets)
        except LightspeedError as error:
            log.warning("available_quotas left empty: %s", error.cause)
            return {}
        ordered = {limiter.name: values[limiter.name] for limiter in self.limiters}
        return quota_keys(self.limiters, ordered, self._aliases)

    async def retry_pending(self) -> None:
        """Write queued settles/releases (each scheduler tick; the flusher does it sooner)."""
        await self.settles.flush()

    @property
    def pending(self) -> int:
        """Settles/releases not written yet (queued, or waiting for the database)."""
        return len(self.settles)

    def start(self) -> None:
        if self.store is not None:
            self.scheduler.start()

    async def close(self) -> None:
        await self.scheduler.stop()
        await self.settles.close()
        if self.rate is not None:
            await self.rate[0].close()
