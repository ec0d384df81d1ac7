"""Async SQLAlchemy engines for the two supported databases."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lightspeed_core.config.models.databases import (
    PostgreSQLDatabaseConfiguration,
    SQLiteDatabaseConfiguration,
)

DatabaseBlock = SQLiteDatabaseConfiguration | PostgreSQLDatabaseConfiguration


@dataclass(frozen=True)
class Target:
    """Where a database is: URL, driver options and (PostgreSQL) schema."""

    url: URL
    connect_args: dict[str, Any]
    schema: str | None = None

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

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
        return Target(URL.create("sqlite+aiosqlite", database=str(path)), {"timeout": 30})
    url = URL.create(
        "postgresql+asyncpg",
        username=block.user,
        password=block.password.get_secret_value(),
        host=block.host,
        port=block.port,
        database=block.db,
    )
    schema = block.namespace or "public"
    args: dict[str, Any] = {"ssl": _ssl_context(block), "server_settings": {"search_path": schema}}
    return Target(url, args, schema)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """One database: an async engine and a session factory."""

    def __init__(self, target: Target, *, pool_size: int = 10) -> None:
        self.target = target
        if target.dialect == "sqlite":
            Path(str(target.url.database)).parent.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(
                target.url, connect_args=target.connect_args
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(
                target.url,
                connect_args=target.connect_args,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
            )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; waiting writers back off in sleeps of up to
        # 100 ms inside SQLite's busy handler, which shows as multi-second tail latency under
        # concurrency. Queue this process's writers here instead (other processes still
        # coordinate through SQLite's lock).
        self._write_lock = asyncio.Lock() if target.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.target.dialect

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction (committed on success, rolled back on error)."""
        if self._write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock, self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection inside one write transaction (no ORM session overhead)."""
        if self._write_lock is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self._write_lock, self.engine.begin() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()
