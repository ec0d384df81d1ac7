"""Group commit: jobs that arrive together share a transaction; failures stay isolated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

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


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """Two SQLite files on one writer thread (as the pool opens them)."""
    writer = ThreadPoolExecutor(1)
    main, other = (
        Database(target_for(SQLiteDatabaseConfiguration(db_path=tmp_path / name)), writer=writer)
        for name in ("main.db", "other.db")
    )
    for db in (main, other):
        await db.run_write(lambda c: c.execute(text("CREATE TABLE t (v INTEGER UNIQUE)")))
    yield main, other
    for db in (main, other):
        await db.dispose()
    writer.shutdown()


def _none(connection: Connection) -> int | None:
    return None


async def test_a_follow_up_in_the_same_database_shares_the_transaction(
    database: Database,
) -> None:
    writer = BatchWriter(database)
    assert await writer.submit(_insert(1), (database, _insert(100))) == 10
    with pytest.raises(IntegrityError):  # the follow-up fails: the job is rolled back with it
        await writer.submit(_insert(2), (database, _insert(100)))
    assert await _values(database) == [1, 100]
    await writer.close()


async def test_a_follow_up_in_another_file_commits_in_the_same_hand_off(
    shared: tuple[Database, Database],
) -> None:
    main, other = shared
    assert main.shares_writer(other)
    writer = BatchWriter(main)
    copies = [writer.submit(_insert(v), (other, _insert(v))) for v in range(10)]
    results = await asyncio.gather(*copies)
    assert results == [v * 10 for v in range(10)]
    assert await _values(main) == await _values(other) == list(range(10))
    outcomes = await asyncio.gather(
        writer.submit(_insert(20), (other, _insert(1))),  # its copy fails: neither is written
        writer.submit(_insert(21), (other, _insert(21))),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], IntegrityError)
    assert outcomes[1] == 210
    assert await _values(main) == [*range(10), 21]
    assert await _values(other) == [*range(10), 21]
    await writer.close()


async def test_no_follow_up_when_the_job_wrote_nothing(shared: tuple[Database, Database]) -> None:
    main, other = shared
    writer = BatchWriter(main)
    assert await writer.submit(_none, (other, _insert(5))) is None
    assert await _values(other) == []
    await writer.close()


async def test_a_follow_up_elsewhere_runs_after_the_commit(
    database: Database, tmp_path: Path
) -> None:
    other = Database(target_for(SQLiteDatabaseConfiguration(db_path=tmp_path / "own.db")))
    await other.run_write(lambda c: c.execute(text("CREATE TABLE t (v INTEGER UNIQUE)")))
    assert not database.shares_writer(other)  # its own writer thread
    writer = BatchWriter(database)
    copies = [writer.submit(_insert(v), (other, _insert(v))) for v in range(5)]
    results = await asyncio.gather(*copies)
    assert results == [v * 10 for v in range(5)]
    assert await _values(other) == list(range(5))
    outcomes = await asyncio.gather(
        writer.submit(_insert(7), (other, _insert(0))),  # the copy fails after the commit
        writer.submit(_insert(8), (other, _insert(8))),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], IntegrityError)  # the caller hears of it
    assert outcomes[1] == 80
    assert await _values(database) == [*range(5), 7, 8]  # the turn itself is in
    assert await _values(other) == [*range(5), 8]
    await writer.close()
    await other.dispose()
