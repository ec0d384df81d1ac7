"""Run Alembic migrations programmatically, once per database, under a cross-process lock.

Many workers and pods may start at the same moment: PostgreSQL serialises them with an
advisory lock, SQLite with a lock file beside the database.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from lightspeed_core.db.engine import Database

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_ADVISORY_KEY = 7_306_119_223_001  # arbitrary, constant: "lightspeed migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


REFERENCE_TABLES = (
    "user_conversation",
    "user_turn",
    "saved_prompt",
    "cache",
    "conversations",
    "conversation_summaries",
    "quota_limits",
    "token_usage",
)
"""Tables lightspeed-stack writes (contract 6, 7.1, 7.2); revisions 0001-0006 take them over."""


def reference_tables(connection: Connection) -> list[str]:
    """The reference's tables in a database this service has never migrated (else ``[]``)."""
    names = set(inspect(connection).get_table_names())
    if "alembic_version" in names:
        return []
    return [name for name in REFERENCE_TABLES if name in names]


def _upgrade(connection: Connection, schema: str | None) -> None:
    if found := reference_tables(connection):
        log.warning(
            "taking over a lightspeed-stack database: its tables %s are migrated in place "
            "and kept (docs/migrating.md)",
            ", ".join(found),
        )
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    command.upgrade(config, "head")


async def _upgrade_postgres(database: Database) -> None:
    schema = database.target.schema
    async with database.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
        try:
            if schema and schema != "public":
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
                await connection.commit()
            await connection.run_sync(_upgrade, schema)
            await connection.commit()
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
            await connection.commit()


def _lock_file(database: Database) -> Path:
    return Path(str(database.target.url.database) + ".migrate.lock")


async def _upgrade_sqlite(database: Database) -> None:
    lock_path = _lock_file(database)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        try:
            await database.run_write(_upgrade, None)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def upgrade(database: Database) -> None:
    """Bring ``database`` to the newest schema (idempotent)."""
    if database.dialect == "postgresql":
        await _upgrade_postgres(database)
    else:
        await _upgrade_sqlite(database)
    log.info("database schema up to date (%s)", database.target.key)
