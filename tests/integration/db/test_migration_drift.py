"""The models in ``db/tables.py`` and the Alembic chain describe the same schema.

A freshly migrated database (head) compared with the metadata by Alembic's autogenerate
must show no difference, on SQLite and on PostgreSQL: a model changed without a migration
(or a migration that does not match its model) fails here.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from lightspeed_core.config.models.databases import DatabaseConfiguration
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.db.tables import Base


def _ours(name: str | None, type_: str, _parent: Any) -> bool:
    """Everything but Alembic's own bookkeeping table."""
    return not (type_ == "table" and name == "alembic_version")


def _differences(connection: Connection, schema: str | None) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "version_table_schema": schema,
            "include_name": _ours,
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_match_alembic_head(database_block: dict[str, Any]) -> None:
    config = DatabaseConfiguration.model_validate(database_block)
    block = config.sqlite or config.postgres
    assert block is not None
    pool = DatabasePool()
    try:
        database = await pool.get(block)  # migrates to head
        differences = await database.run(_differences, database.target.schema)
    finally:
        await pool.close()
    assert differences == []
