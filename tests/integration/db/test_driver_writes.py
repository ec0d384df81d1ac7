"""``Database.run_write_driver``: plain ``sqlite3`` write transactions on the writer thread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.db.engine import Database, target_for


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])


def _insert(conn: sqlite3.Connection, value: int) -> int:
    conn.execute("INSERT INTO t VALUES (?)", (value,))
    return _count(conn)


def _insert_then_fail(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO t VALUES (99)")
    raise ValueError("a bug half-way")


async def test_a_driver_write_commits_or_rolls_back_whole(tmp_path: Path) -> None:
    block = SQLiteDatabaseConfiguration(db_path=tmp_path / "driver.db")
    database = Database(target_for(block))
    try:
        await database.run_write(lambda conn: conn.exec_driver_sql("CREATE TABLE t (a INTEGER)"))
        assert await database.run_write_driver(_insert, 1) == 1
        with pytest.raises(ValueError, match="half-way"):
            await database.run_write_driver(_insert_then_fail)
        assert await database.run_write_driver(_insert, 2) == 2  # 99 was rolled back
        rows = await database.run(lambda conn: conn.exec_driver_sql("SELECT a FROM t").all())
        assert sorted(a for (a,) in rows) == [1, 2]  # visible to SQLAlchemy's connections
    finally:
        await database.dispose()


def _bad_statement(conn: sqlite3.Connection) -> None:
    conn.execute("SELECT * FROM no_such_table")


async def test_driver_errors_surface_as_sqlalchemys(tmp_path: Path) -> None:
    """As through ``run_write``: the quota's error mapping (503 / 500) sees the same types."""
    database = Database(target_for(SQLiteDatabaseConfiguration(db_path=tmp_path / "d.db")))
    try:
        with pytest.raises(OperationalError, match="no such table"):
            await database.run_write_driver(_bad_statement)
        assert database.health.reachable  # a bad statement, not an unreachable database
    finally:
        await database.dispose()
