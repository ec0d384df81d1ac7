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
import collections
import contextlib
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

MAX_CONNECTIONS = 2  # a statement takes ~0.1 ms: two serve thousands per second


class DirectStatements:
    """Up to :data:`MAX_CONNECTIONS` asyncpg connections, opened when first needed.

    A pool of its own rather than ``asyncpg.Pool``: its acquire/release (timeouts, a shielded
    release task, the reset) cost about 0.07 ms of CPU per statement, a third of the
    statement's own; here a statement takes an idle connection from a list and puts it back.
    A connection whose statement failed other than by a PostgreSQL error (the connection
    broke, or the caller was cancelled mid-statement) is closed, never reused; one the
    server closed while it was idle (a restart) is dropped when next taken.
    """

    def __init__(self, url: URL, connect_args: dict[str, Any]) -> None:
        self.url = url
        self.connect_args = dict(connect_args)
        self._idle: list[asyncpg.Connection] = []
        self._opened = 0  # open or being opened
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection | None]] = (
            collections.deque()
        )
        self._closed = False

    async def _connect(self) -> asyncpg.Connection:
        self._opened += 1
        try:
            connection: asyncpg.Connection = await asyncpg.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.username,
                password=self.url.password,
                database=self.url.database,
                **self.connect_args,
            )
        except BaseException:
            self._dropped()
            raise
        return connection

    async def _acquire(self) -> asyncpg.Connection:
        while True:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._dropped()  # the server closed it while idle (a restart)
            if self._opened < MAX_CONNECTIONS:
                return await self._connect()
            waiter: asyncio.Future[asyncpg.Connection | None]
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._release(waiter.result())  # handed over as we were cancelled
                raise
            if handed is not None:
                return handed

    def _release(self, connection: asyncpg.Connection) -> None:
        if self._closed:
            connection.terminate()
            self._opened -= 1
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _dropped(self) -> None:
        """A connection is gone: a waiter may open another."""
        self._opened -= 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Run one statement (its own transaction); its rows."""
        connection = await self._acquire()
        try:
            rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
        except asyncpg.PostgresError:
            if connection.is_closed():
                self._dropped()
            else:  # the server refused the statement: the connection is fine
                self._release(connection)
            raise
        except BaseException:
            connection.terminate()
            self._dropped()
            raise
        self._release(connection)
        return rows

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._opened -= 1
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)
