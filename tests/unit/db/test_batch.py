"""Group commit: jobs that arrive together share a transaction; failures stay isolated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.db.batch import BatchWriter
from lightspeed_core.db.engine import Database, target_for


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(target_for(SQLiteDatabaseConfiguration(db_path=tmp_path / "batch.db")))
    await db.run_write(lambda c: c.execute(text("CREATE TABLE t (v INTEGER UNIQUE)")))
    yield db
    await db.dispose()


def _insert(value: int) -> Callable[[Connection], int]:
    def job(connection: Connection) -> int:
        connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        return value * 10

    return job


async def _values(database: Database) -> list[int]:
    return await database.run(
        lambda c: [r[0] for r in c.execute(text("SELECT v FROM t ORDER BY v"))]
    )


async def test_concurrent_jobs_each_get_their_result(database: Database) -> None:
    writer = BatchWriter(database)
    results = await asyncio.gather(*(writer.submit(_insert(v)) for v in range(20)))
    assert results == [v * 10 for v in range(20)]
    assert await _values(database) == list(range(20))
    await writer.close()


async def test_a_failing_job_fails_alone(database: Database) -> None:
    writer = BatchWriter(database)
    outcomes = await asyncio.gather(
        writer.submit(_insert(1)),
        writer.submit(_insert(1)),  # violates UNIQUE: the batch is retried one by one
        writer.submit(_insert(2)),
        return_exceptions=True,
    )
    assert outcomes[0] == 10
    assert isinstance(outcomes[1], Exception)
    assert outcomes[2] == 20
    assert await _values(database) == [1, 2]
    await writer.close()


async def test_a_lone_job_is_written_at_once_and_close_is_idempotent(database: Database) -> None:
    writer = BatchWriter(database)
    assert await writer.submit(_insert(7)) == 70
    await writer.close()
    await writer.close()
    assert await _values(database) == [7]
