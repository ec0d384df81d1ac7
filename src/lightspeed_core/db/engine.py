"""One database: SQLite or PostgreSQL, reached only through :meth:`Database.run`.

The persistence idiom of the service: every query is a plain (synchronous) SQLAlchemy Core
function of a ``Connection``, run in one transaction by :meth:`Database.run` (read) or
:meth:`Database.run_write` (write). The same function serves both engines; what differs
between them is in ``db/dialect.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import ssl
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from lightspeed_core.config.models.databases import (
    PostgreSQLDatabaseConfiguration,
    SQLiteDatabaseConfiguration,
)
from lightspeed_core.db.direct import DirectStatements
from lightspeed_core.db.health import DatabaseHealth, is_unreachable
from lightspeed_core.db.pinging import ping_when_idle
from lightspeed_core.errors import DatabaseUnavailableError

CONNECT_TIMEOUT = 10.0  # seconds; asyncpg's default (60 s) would hold requests during an outage
PROBE_TIMEOUT = 5.0  # seconds for the ``SELECT 1`` of :meth:`Database.check`

DatabaseBlock = SQLiteDatabaseConfiguration | PostgreSQLDatabaseConfiguration


@dataclass(frozen=True)
class Target:
    """Where a database is: URL, driver options and (PostgreSQL) schema."""

    url: URL
    connect_args: dict[str, Any]
    schema: str | None = None
    pool_size: int = 10  # PostgreSQL: kept per process; as many again under bursts

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def display_name(self) -> str:
        """``postgresql://host:port/db`` (+ ``#schema``) or ``sqlite:<path>``, no secrets."""
        url = self.url
        if self.dialect == "sqlite":
            return f"sqlite:{url.database}"
        schema = f"#{self.schema}" if self.schema and self.schema != "public" else ""
        return f"postgresql://{url.host}:{url.port}/{url.database}{schema}"

    @property
    def key(self) -> str:
        """Identity of the database (to open each one once)."""
        return self.url.render_as_string(hide_password=True) + f"#{self.schema or ''}"


def _ssl_context(block: PostgreSQLDatabaseConfiguration) -> ssl.SSLContext | str:
    if block.ssl_mode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(
            cafile=str(block.ca_cert_path) if block.ca_cert_path else None
        )
        context.check_hostname = block.ssl_mode == "verify-full"
        return context
    return block.ssl_mode


def target_for(block: DatabaseBlock) -> Target:
    """Build the connection target of a ``sqlite:`` or ``postgres:`` configuration block."""
    if isinstance(block, SQLiteDatabaseConfiguration):
        path = Path(block.db_path).expanduser()
        return Target(URL.create("sqlite+pysqlite", database=str(path)), {"timeout": 30})
    url = URL.create(
        "postgresql+asyncpg",
        username=block.user,
        password=block.password.get_secret_value(),
        host=block.host,
        port=block.port,
        database=block.db,
    )
    schema = block.namespace or "public"
    args: dict[str, Any] = {
        "ssl": _ssl_context(block),
        "server_settings": {"search_path": schema},
        "timeout": CONNECT_TIMEOUT,
    }
    return Target(url, args, schema, block.pool_size)


def _select_one(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # deleted rows (a deleted conversation's text) are overwritten, not left in free pages;
    # many builds default to this, not all
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Database:
    """One database and :meth:`run` / :meth:`run_write`, never on the event loop.

    * PostgreSQL: an async engine (asyncpg); the work runs through
      ``AsyncConnection.run_sync``, fully asynchronous.
    * SQLite: one synchronous engine (the standard ``sqlite3`` driver) and worker threads -
      one thread hand-off per transaction instead of several per statement with an async
      driver (measured 0.7 ms of CPU per stored turn instead of 2-4 ms). Writes go through
      one thread (``writer``: the pool gives every SQLite database of the process the same
      one), so this process's writers queue instead of meeting SQLite's busy-wait back-off
      (sleeps of up to 100 ms, multi-second tail latency under concurrency); other
      processes still coordinate through SQLite's lock. Databases on one writer thread can
      write together in one hand-off (:meth:`run_write_with`).

    A connection-level failure (``db/health.py``) becomes :class:`DatabaseUnavailableError`
    (503) and is reported to :attr:`health`; other errors pass through unchanged.
    """

    def __init__(self, target: Target, *, writer: ThreadPoolExecutor | None = None) -> None:
        self.target = target
        self.health = DatabaseHealth(target.display_name)
        self._async: AsyncEngine | None = None
        self._sync: Engine | None = None
        self._direct: DirectStatements | None = None
        self._driver: sqlite3.Connection | None = None  # the writer thread's (run_write_driver)
        self._owns_writer = writer is None
        if target.dialect == "sqlite":
            Path(str(target.url.database)).parent.mkdir(parents=True, exist_ok=True)
            self._sync = create_engine(target.url, connect_args=target.connect_args)
            event.listen(self._sync, "connect", _sqlite_pragmas)
            self._writer = writer or ThreadPoolExecutor(1, thread_name_prefix="sqlite-write")
            self._readers = ThreadPoolExecutor(2, thread_name_prefix="sqlite-read")
        else:
            self._async = create_async_engine(
                target.url,
                connect_args=target.connect_args,
                pool_size=target.pool_size,
                max_overflow=target.pool_size,
            )
            ping_when_idle(self._async)  # pool_pre_ping's check, only after idleness
            self._direct = DirectStatements(target.url, target.connect_args)

    async def run[T](self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(connection, *args)`` in a read transaction; return its result."""
        try:
            if self._async is not None:
                async with self._async.connect() as connection:
                    result = await connection.run_sync(work, *args)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._readers, self._in_transaction, work, args)
        except Exception as error:
            raise self._classified(error) from error
        self.health.succeeded()
        return result

    async def run_write[T](self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(connection, *args)`` in a write transaction; return its result."""
        try:
            if self._async is not None:
                async with self._async.begin() as connection:
                    result = await connection.run_sync(work, *args)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._writer, self._in_transaction, work, args)
        except Exception as error:
            raise self._classified(error) from error
        self.health.succeeded()
        return result

    @property
    def has_direct(self) -> bool:
        """True when :meth:`fetch_direct` is available (PostgreSQL)."""
        return self._direct is not None

    async def fetch_direct(self, sql: str, *args: Any) -> list[Any]:
        """PostgreSQL only: one statement, its own transaction, outside SQLAlchemy.

        For hot paths whose whole transaction is one statement (``db/direct.py``); the
        statement is written for PostgreSQL (``$1`` parameters). Failures are classified
        like :meth:`run`'s.
        """
        if self._direct is None:
            raise RuntimeError("direct statements exist on PostgreSQL only")
        try:
            rows = await self._direct.fetch(sql, *args)
        except Exception as error:
            raise self._classified(error) from error
        self.health.succeeded()
        return rows

    async def run_write_driver[T](self, work: Callable[..., T], *args: Any) -> T:
        """SQLite only: ``work(sqlite3_connection, *args)`` in one write transaction.

        For hot paths whose statements are plain SQL: a ``sqlite3`` connection of the writer
        thread's own, outside SQLAlchemy (whose connection checkout, transaction and reset
        cost about as much as a short write). ``BEGIN IMMEDIATE`` takes SQLite's write lock
        first (other processes: ``busy_timeout``), as the writes through :meth:`run_write`
        do at their first statement. Failures are classified like :meth:`run_write`'s.
        """
        if self._sync is None:
            raise RuntimeError("driver transactions exist on SQLite only")
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._writer, self._in_driver, work, args)
        except Exception as error:
            raise self._classified(error) from error
        self.health.succeeded()
        return result

    def _in_driver[T](self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        connection = self._driver
        if connection is None:
            connection = sqlite3.connect(
                str(self.target.url.database),
                isolation_level=None,  # transactions as written here
                check_same_thread=False,  # used by the writer thread only; closed by dispose
                **self.target.connect_args,
            )
            _sqlite_pragmas(connection, None)
            self._driver = connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(connection, *args)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return result

    def shares_writer(self, other: Database) -> bool:
        """Whether ``other`` can join this database's writes (:meth:`run_write_with`)."""
        return self._sync is not None and other._sync is not None and self._writer is other._writer

    async def run_write_with[T](
        self, others: Sequence[Database], work: Callable[..., T], *args: Any
    ) -> T:
        """``work(connection, *args, *others_connections)``: a write here and in ``others``.

        One transaction per database, in one thread hand-off; this one commits first, then
        the others (a failure before that rolls every one back). Only for databases that
        :meth:`shares_writer` says share this one's writer thread.
        """
        if not all(self.shares_writer(other) for other in others):
            raise ValueError("run_write_with needs databases on this one's writer thread")
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                self._writer, self._in_transactions, work, args, tuple(others)
            )
        except Exception as error:
            raise self._classified(error) from error
        self.health.succeeded()
        return result

    def _in_transactions[T](
        self, work: Callable[..., T], args: tuple[Any, ...], others: tuple[Database, ...]
    ) -> T:
        with contextlib.ExitStack() as stack:
            # entered first, left last: theirs commit after this database's
            connections = [stack.enter_context(other._begin()) for other in others]
            own = stack.enter_context(self._begin())
            return work(own, *args, *connections)

    def _begin(self) -> contextlib.AbstractContextManager[Connection]:
        assert self._sync is not None
        return self._sync.begin()

    def _classified(self, error: Exception) -> Exception:
        # plain driver errors (fetch_direct, run_write_driver) as SQLAlchemy's, which the
        # callers' error mapping knows (a refused statement: 500; a settle batch: split)
        if isinstance(error, sqlite3.Error):
            error = DBAPIError.instance(None, None, error, sqlite3.Error)
        elif isinstance(error, asyncpg.PostgresError):
            error = DBAPIError.instance(None, None, error, asyncpg.PostgresError)
        if isinstance(error, DatabaseUnavailableError) or not is_unreachable(error):
            return error
        return self.health.failed(error)

    async def check(self) -> None:
        """``SELECT 1`` within :data:`PROBE_TIMEOUT`; raises 503 when unreachable."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self.run(_select_one)
        except TimeoutError as error:
            raise self.health.failed(error) from error

    async def require_reachable(self) -> None:
        """Free while the database is reachable; during an outage, probe it (503 if away)."""
        if not self.health.reachable:
            await self.check()

    def _in_transaction[T](self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        assert self._sync is not None
        with self._sync.begin() as connection:
            return work(connection, *args)

    @property
    def dialect(self) -> str:
        return self.target.dialect

    def connect(self) -> AsyncConnection:
        """A dedicated PostgreSQL connection, for session-level locks (migrations, leader).

        Use as ``async with database.connect() as c`` or ``c = await database.connect()``.
        """
        if self._async is None:
            raise RuntimeError("dedicated connections exist on PostgreSQL only")
        return self._async.connect()

    async def dispose(self) -> None:
        if self._direct is not None:
            await self._direct.close()
        if self._async is not None:
            await self._async.dispose()
        if self._sync is not None:
            if self._driver is not None:
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(self._writer, self._driver.close)
                self._driver = None
            if self._owns_writer:
                self._writer.shutdown(wait=True)
            self._readers.shutdown(wait=True)
            self._sync.dispose()
