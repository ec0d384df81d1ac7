"""Pooled PostgreSQL connections are pinged at checkout only after sitting idle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from lightspeed_core.config.models.databases import PostgreSQLDatabaseConfiguration
from lightspeed_core.db import pinging
from lightspeed_core.db.engine import Database, target_for
from tests.support.postgres import HOST, PORT, USER, postgres_block

pytestmark = pytest.mark.postgres
ADAPTER = asyncpg_dialect.AsyncAdapt_asyncpg_connection


@pytest.fixture
async def database(postgres_db: str) -> AsyncIterator[Database]:
    block = {**postgres_block(postgres_db), "pool_size": 1}
    db = Database(target_for(PostgreSQLDatabaseConfiguration.model_validate(block)))
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the pings of SQLAlchemy's asyncpg adapter (three round trips each)."""
    seen: list[int] = []
    ping: Any = ADAPTER.ping

    def counted(self: Any) -> None:
        seen.append(1)
        ping(self)

    monkeypatch.setattr(ADAPTER, "ping", counted)
    return seen


def backend_pid(connection: Connection) -> int:
    return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


async def terminate(pid: int, database_name: str) -> None:
    """Close a backend from the server's side, as a restart does."""
    other = await asyncpg.connect(host=HOST, port=PORT, user=USER, database=database_name)
    try:
        await other.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    await asyncio.sleep(0.05)  # the client sees the close


async def test_a_connection_in_use_a_moment_ago_is_not_pinged(
    database: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pinging, "IDLE_PING", 3600.0)
    first = await database.run(backend_pid)
    assert await database.run(backend_pid) == first  # the same connection
    assert pings == []


async def test_a_connection_idle_for_longer_is_pinged(
    database: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pinging, "IDLE_PING", 0.0)  # every checkout counts as after idleness
    first = await database.run(backend_pid)
    assert await database.run(backend_pid) == first
    assert pings == [1]  # not the new connection's first checkout: the second one


async def test_a_connection_the_server_closed_is_replaced_without_a_ping_or_an_error(
    database: Database, postgres_db: str, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pinging, "IDLE_PING", 3600.0)
    pid = await database.run(backend_pid)
    await terminate(pid, postgres_db)
    assert await database.run(backend_pid) != pid
    assert pings == []
