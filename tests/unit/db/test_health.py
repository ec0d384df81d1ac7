"""Connection-level database failures: classification, one 503, one log line per change."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.db.engine import Database, target_for
from lightspeed_core.db.health import DatabaseHealth, is_unreachable
from lightspeed_core.errors import DatabaseUnavailableError


def _wrapped(orig: Exception) -> Exception:
    return DBAPIError.instance("SELECT 1", {}, orig, Exception)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        _wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        _wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
        DatabaseUnavailableError("The database cannot be reached: x"),
    ],
)
def test_connection_level_failures_are_unreachable(error: Exception) -> None:
    assert is_unreachable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        _wrapped(asyncpg.exceptions.UndefinedTableError('relation "x" does not exist')),
        OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")),
        ProgrammingError("SELECT", {}, Exception("syntax error")),
    ],
)
def test_statement_errors_are_not(error: Exception) -> None:
    assert not is_unreachable(error)


def _reachable(health: DatabaseHealth) -> bool:
    return health.reachable  # a call: mypy does not carry the narrowing across it


def test_one_log_line_per_change_of_state(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    health = DatabaseHealth("postgresql://db:5432/x")
    refused = ConnectionRefusedError(111, "Connect call failed")
    for _ in range(5):
        error = health.failed(refused)
        assert error.status_code == 503
        assert error.response == "Unable to connect to the database"
        assert error.cause == "The database cannot be reached: [Errno 111] Connect call failed"
    assert not _reachable(health)
    for _ in range(3):
        health.succeeded()
    assert _reachable(health)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("database postgresql://db:5432/x unreachable: ")
    assert messages[1].startswith("database postgresql://db:5432/x reachable again after ")
    assert not [r for r in caplog.records if r.exc_info]


async def test_database_maps_unreachable_to_503_and_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    database = Database(target_for(SQLiteDatabaseConfiguration(db_path=folder / "x.db")))
    try:
        await database.check()
        folder.rename(tmp_path / "away")
        folder.write_text("not a folder")  # the file cannot be opened, even by root
        database._sync.dispose()  # type: ignore[union-attr]  # drop the open connections

        def write(connection: Connection) -> None:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))

        with pytest.raises(DatabaseUnavailableError):
            await database.run_write(write)
        assert not database.health.reachable

        def bad(connection: Connection) -> None:
            connection.execute(text("SELECT * FROM missing"))

        folder.unlink()
        (tmp_path / "away").rename(folder)
        with pytest.raises(OperationalError):  # a bad statement is not an outage
            await database.run(bad)
        await database.require_reachable()  # probes, and the probe succeeds
        assert database.health.reachable
    finally:
        await database.dispose()
