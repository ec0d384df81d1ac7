"""``Database.fetch_direct``'s own small pool of asyncpg connections, on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from lightspeed_core.config.models.databases import PostgreSQLDatabaseConfiguration
from lightspeed_core.db.direct import MAX_CONNECTIONS, DirectStatements
from lightspeed_core.db.engine import Database, target_for
from tests.support.postgres import postgres_block

pytestmark = pytest.mark.postgres


@pytest.fixture
async def direct(postgres_db: str) -> AsyncIterator[DirectStatements]:
    target = target_for(PostgreSQLDatabaseConfiguration.model_validate(postgres_block(postgres_db)))
    statements = DirectStatements(target.url, target.connect_args)
    try:
        yield statements
    finally:
        await statements.close()


async def backends(direct: DirectStatements) -> int:
    (row,) = await direct.fetch("SELECT pg_backend_pid() AS pid")
    return int(row["pid"])


async def test_many_statements_share_at_most_max_connections(direct: DirectStatements) -> None:
    gate = asyncio.Event()

    async def statement(index: int) -> int:
        await gate.wait()
        (row,) = await direct.fetch("SELECT $1::int AS n, pg_backend_pid() AS pid", index)
        assert row["n"] == index
        return int(row["pid"])

    tasks = [asyncio.create_task(statement(i)) for i in range(20)]
    await asyncio.sleep(0)
    gate.set()
    pids = await asyncio.gather(*tasks)
    assert 1 <= len(set(pids)) <= MAX_CONNECTIONS


async def test_a_refused_statement_keeps_its_connection(direct: DirectStatements) -> None:
    pid = await backends(direct)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await direct.fetch("SELECT 1 / 0")
    assert await backends(direct) == pid


async def test_a_cancelled_statement_closes_its_connection(direct: DirectStatements) -> None:
    pid = await backends(direct)
    task = asyncio.create_task(direct.fetch("SELECT pg_sleep(30)"))
    await asyncio.sleep(0.2)  # the statement is running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await backends(direct) != pid  # a new connection, never the interrupted one


async def test_a_cancelled_waiter_loses_no_connection(direct: DirectStatements) -> None:
    held = [await direct._acquire() for _ in range(MAX_CONNECTIONS)]  # all in use
    waiting = asyncio.create_task(direct.fetch("SELECT 1 AS n"))
    cancelled = asyncio.create_task(direct.fetch("SELECT 1 AS n"))
    await asyncio.sleep(0.05)  # both wait for a connection
    for connection in held:
        direct._release(connection)  # handed to the two waiters
    cancelled.cancel()  # ... one of which is cancelled before it runs
    assert (await waiting)[0]["n"] == 1
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    rows = await asyncio.gather(*(direct.fetch("SELECT 2 AS n") for _ in range(5)))
    assert [r[0]["n"] for r in rows] == [2] * 5


async def test_a_connection_the_server_closed_while_idle_is_not_used(
    direct: DirectStatements,
) -> None:
    pid = await backends(direct)
    other = DirectStatements(direct.url, direct.connect_args)
    try:
        await other.fetch("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    for _ in range(100):  # until the client has seen the connection close
        if all(c.is_closed() for c in direct._idle):
            break
        await asyncio.sleep(0.01)
    assert await backends(direct) != pid  # no error: a new connection


async def test_a_refused_direct_statement_surfaces_as_sqlalchemys(postgres_db: str) -> None:
    """As through ``run_write``: the quota's error mapping sees the same types."""
    block = PostgreSQLDatabaseConfiguration.model_validate(postgres_block(postgres_db))
    database = Database(target_for(block))
    try:
        with pytest.raises(DBAPIError, match="division by zero"):
            await database.fetch_direct("SELECT 1 / 0")
        assert database.health.reachable  # a bad statement, not an unreachable database
    finally:
        await database.dispose()
