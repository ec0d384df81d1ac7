"""Single statements on PostgreSQL without SQLAlchemy's per-transaction cost (hot paths only).

A transaction through :meth:`Database.run_write` costs about 0.6 ms on PostgreSQL before its
first statement (pool checkout with a ping, ``BEGIN``, the greenlet hand-offs of
``run_sync``, ``COMMIT``); one prepared statement on a plain asyncpg connection costs about
0.05 ms. A statement that does all its work at once (data-modifying CTEs) is atomic on its
own - PostgreSQL runs it in an implicit transaction - so a request path that needs one such
statement (the quota reservation) runs it here, on a small asyncpg pool of its own, with
asyncpg's per-connection prepared-statement cache.

Only for statements that are complete transactions by themselves; everything else keeps the
one idiom (:meth:`Database.run` / :meth:`Database.run_write`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

MAX_CONNECTIONS = 2  # a statement takes ~0.1 ms: two serve thousands per second


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """Nothing to reset: only autocommit statements run here (saves a round trip)."""


class DirectStatements:
    """A lazily opened asyncpg pool for autocommit statements."""

    def __init__(self, url: URL, connect_args: dict[str, Any]) -> None:
        self.url = url
        self.connect_args = dict(connect_args)
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    host=self.url.host,
                    port=self.url.port,
                    user=self.url.username,
                    password=self.url.password,
                    database=self.url.database,
                    min_size=0,
                    max_size=MAX_CONNECTIONS,
                    reset=_no_reset,
                    **self.connect_args,
                )
            return self._pool

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Run one statement (its own transaction); its rows."""
        pool = self._pool or await self._open()
        async with pool.acquire() as connection:
            rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
        return rows

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
