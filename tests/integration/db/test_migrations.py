"""The migration chain builds exactly the schema of ``db/tables.py``, on both engines.

Column types are compared on PostgreSQL only: SQLite reflects type affinities (a ``Float``
column comes back as ``FLOAT``, which Alembic reports as a change from ``Double``).
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from lightspeed_core.config.models.databases import DatabaseConfiguration
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.db.tables import Base


def _differences(connection: Connection) -> list[Any]:
    compare_type = connection.dialect.name == "postgresql"
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_equals_the_tables(database_block: dict[str, Any]) -> None:
    config = DatabaseConfiguration.model_validate(database_block)
    block = config.sqlite or config.postgres
    assert block is not None
    pool = DatabasePool()
    try:
        database = await pool.get(block)
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
        assert differences == []
    finally:
        await pool.close()
