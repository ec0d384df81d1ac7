"""Per-user request-rate limits shared by every worker and pod (not in the reference).

Fixed calendar-minute windows: each request adds one to the caller's counter for the current
minute (an atomic upsert in the quota database, or ``INCR`` in Redis); above
``requests_per_minute`` the request is refused until the minute ends (``Retry-After``).
Counters are shared through the store, so four workers or ten pods allow the same total.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from sqlalchemy import Connection, Table, delete

from lightspeed_core.db.dialect import fast_commit, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import Base

RATES: Table = Base.metadata.tables["request_rate"]
WINDOW_SECONDS = 60


class RateLimiter(Protocol):
    """Counts requests per subject and minute."""

    async def hit(self, subject: str, now: float) -> float | None:
        """Count one request at epoch ``now``; seconds to wait when over the limit, else None."""
        ...

    async def cleanup(self, now: float) -> None:
        """Forget windows that ended (no-op where the store expires them itself)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def _window(now: float) -> tuple[int, float]:
    """The current window number and the seconds until it ends (at least one)."""
    window = int(now // WINDOW_SECONDS)
    return window, max(1.0, math.ceil((window + 1) * WINDOW_SECONDS - now))


class SqlRateLimiter:
    """Counters in the ``request_rate`` table (SQLite or PostgreSQL)."""

    def __init__(self, database: Database, limit: int) -> None:
        self.database = database
        self.limit = limit
        self._insert = insert_for(database.dialect)

    async def hit(self, subject: str, now: float) -> float | None:
        window, wait = _window(now)
        statement = (
            self._insert(RATES)
            .values(subject=subject, window_start=window, requests=1)
            .on_conflict_do_update(
                index_elements=["subject", "window_start"],
                set_={"requests": RATES.c.requests + 1},
            )
            .returning(RATES.c.requests)
        )

        def work(conn: Connection) -> int:
            fast_commit(conn)
            return int(conn.execute(statement).scalar_one())

        count = await self.database.run_write(work)
        return wait if int(count) > self.limit else None

    async def cleanup(self, now: float) -> None:
        window, _ = _window(now)
        old = delete(RATES).where(RATES.c.window_start < window - 1)
        await self.database.run_write(lambda conn: conn.execute(old))

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    """Counters in Redis: ``INCR`` plus an expiry, in one round trip."""

    def __init__(self, url: str, limit: int, *, prefix: str = "lightspeed:rate:") -> None:
        import redis.asyncio as redis

        self.client: Any = redis.Redis.from_url(url)
        self.limit = limit
        self.prefix = prefix

    async def hit(self, subject: str, now: float) -> float | None:
        window, wait = _window(now)
        key = f"{self.prefix}{subject}:{window}"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 2 * WINDOW_SECONDS)
            count, _ = await pipe.execute()
        return wait if int(count) > self.limit else None

    async def cleanup(self, now: float) -> None:
        return None

    async def close(self) -> None:
        await self.client.aclose()
