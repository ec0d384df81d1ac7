"""``pool_size`` of a postgres block sizes each worker's connection pool (no connection made)."""

from __future__ import annotations

from pydantic import SecretStr

from lightspeed_core.config.models import PostgreSQLDatabaseConfiguration
from lightspeed_core.db.engine import Database, target_for


def _block(**extra: object) -> PostgreSQLDatabaseConfiguration:
    return PostgreSQLDatabaseConfiguration.model_validate(
        {"db": "lightspeed", "user": "u", "password": SecretStr("p"), **extra}
    )


async def test_default_pool_is_ten_per_process() -> None:
    database = Database(target_for(_block()))
    try:
        assert database.target.pool_size == 10
        assert database._async is not None
        assert database._async.pool.size() == 10  # type: ignore[attr-defined]
    finally:
        await database.dispose()


async def test_pool_size_from_the_configuration() -> None:
    database = Database(target_for(_block(pool_size=3)))
    try:
        assert database._async is not None
        assert database._async.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        await database.dispose()


def test_pool_size_is_not_part_of_the_database_identity() -> None:
    """One database named twice with different pool sizes is still opened once."""
    assert target_for(_block(pool_size=3)).key == target_for(_block()).key
