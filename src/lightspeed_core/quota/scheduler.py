"""The quota scheduler: an asyncio task in every worker, with one leader across all processes.

Every ``scheduler.period`` seconds each process retries its postponed settlements. The
*leader* - whoever holds the lock: a PostgreSQL session advisory lock, or an ``fcntl`` lock
on ``<db_path>.quota-scheduler.lock`` for SQLite - also refills buckets whose period has
passed, gives back expired reservations, forgets old request-rate windows and refreshes the
quota gauges; one read first tells which of that is due, so an idle tick writes nothing
(``quota/probe.py``). The lock dies with its holder's connection or process, so
another process takes over on its next tick. Refills are idempotent per period anyway
(``revoked_at`` older than ``now - period``, computed in Python in UTC), so even two leaders
could not apply one period twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.dberrors import is_unavailable
from lightspeed_core.quota.limiters import Limiter
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.probe import pending_work
from lightspeed_core.quota.ratelimit import RateLimiter
from lightspeed_core.quota.store import QuotaStore

log = logging.getLogger(__name__)
GAUGE_INTERVAL = 10.0  # seconds between gauge refreshes
PING_INTERVAL = 10.0  # seconds between round trips that confirm the leader's connection


class Leadership(Protocol):
    """A cross-process lock held for as long as possible."""

    async def hold(self) -> bool:
        """Acquire the lock if free, or confirm it is still held; True if held."""
        ...

    async def release(self) -> None:
        """Give the lock up."""
        ...


class AdvisoryLeadership:
    """PostgreSQL session advisory lock on a connection kept open while leading.

    Each tick checks that the connection is open (free); a ``SELECT 1`` confirms it every
    :data:`PING_INTERVAL` seconds (a lost connection not yet noticed at worst leaves two
    leaders for that long, which the idempotent refills and locked expiry allow).
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        name = f"lightspeed quota scheduler {database.target.schema or 'public'}"
        self.key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._connection: AsyncConnection | None = None
        self._checked_at = 0.0

    async def hold(self) -> bool:
        if self._connection is not None:
            try:
                if time.monotonic() - self._checked_at < PING_INTERVAL:
                    raw = await self._connection.get_raw_connection()
                    if not raw.driver_connection.is_closed():  # type: ignore[union-attr]
                        return True  # no round trip: a closed socket is seen at once
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                self._checked_at = time.monotonic()
                return True
            except Exception:
                log.warning("quota scheduler lost its database connection")
                await self._drop()
                return False
        connection = await self.database.connect()
        try:
            held = await connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if held:
            self._connection = connection
            log.info("this process runs the quota scheduler")
            return True
        await connection.close()
        return False

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": self.key}
                )
                await self._connection.commit()
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None


class FileLeadership:
    """``fcntl`` lock on a file beside the SQLite database (one host, many processes)."""

    def __init__(self, database: Database) -> None:
        self.path = Path(str(database.target.url.database) + ".quota-scheduler.lock")
        self._handle: IO[str] | None = None

    async def hold(self) -> bool:
        if self._handle is not None:
            return True
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        log.info("this process runs the quota scheduler")
        return True

    async def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def leadership_for(database: Database) -> Leadership:
    if database.dialect == "postgresql":
        return AdvisoryLeadership(database)
    return FileLeadership(database)


class QuotaScheduler:
    """Periodic quota work; ``tick(now)`` is one round (tests call it with a simulated now)."""

    def __init__(
        self,
        database: Database | None,
        store: QuotaStore | None,
        limiters: tuple[Limiter, ...],
        metrics: QuotaMetrics,
        *,
        period: float,
        local_work: LocalWork,
        rate: RateLimiter | None = None,
    ) -> None:
        self.store = store
        self.limiters = limiters
        self.metrics = metrics
        self.period = period
        self.local_work = local_work
        self.rate = rate
        self.leadership = leadership_for(database) if database is not None else None
        self._synced = False
        self._gauges_at = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="quota-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leadership is not None:
            await self.leadership.release()

    async def _loop(self) -> None:
        away = False  # log an outage once, not every tick
        while True:
            try:
                await self.tick(datetime.now(UTC))
            except Exception as error:
                if not is_unavailable(error):
                    log.exception("quota scheduler tick failed")
                elif not away:
                    log.warning("quota scheduler: database unavailable (%s)", error)
                away = away or is_unavailable(error)
            else:
                if away:
                    log.info("quota scheduler: database available again")
                away = False
            await asyncio.sleep(self.period)

    async def tick(self, now: datetime) -> bool:
        """One round; True when this process led it (refills, expiry, gauges)."""
        await self.local_work()
        if self.store is None or self.leadership is None or not await self.leadership.hold():
            return False
        if not self._synced:
            for limiter in self.limiters:
                await self.store.sync_limits(limiter)
            self._synced = True
        due, expiring = await pending_work(self.store.database, self.limiters, now)
        for limiter in due:
            refilled = await self.store.refill(limiter, now)
            if refilled:
                log.info("quota %s: refilled %d bucket(s)", limiter.name, refilled)
        expired = await self.store.reclaim_expired(now) if expiring else 0
        if expired:
            self.metrics.expired.inc(expired)
            log.warning("gave back %d expired quota reservation(s)", expired)
        if self.rate is not None:
            await self.rate.cleanup(now.timestamp())
        if time.monotonic() - self._gauges_at >= GAUGE_INTERVAL:
            await self.refresh_gauges()
        return True

    async def refresh_gauges(self) -> None:
        """Set the limit / available / reserved / subjects gauges from the database."""
        if self.store is None:
            return
        for limiter in self.limiters:
            count, limits, available, reserved = await self.store.totals(limiter)
            labels = (limiter.name, limiter.subject_type)
            self.metrics.subjects.labels(*labels).set(count)
            self.metrics.limit.labels(*labels).set(limits)
            self.metrics.available.labels(*labels).set(available)
            self.metrics.reserved.labels(*labels).set(reserved)
        self._gauges_at = time.monotonic()


class LocalWork(Protocol):
    """Work every process does each tick (retrying postponed settlements)."""

    async def __call__(self) -> None: ...
