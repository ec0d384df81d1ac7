"""Open each configured database once (main, conversation cache, quota may share one)."""

from __future__ import annotations

from lightspeed_core.db.engine import Database, DatabaseBlock, target_for
from lightspeed_core.db.migrate import upgrade


class DatabasePool:
    """Databases by identity; each is migrated when first opened."""

    def __init__(self) -> None:
        self._open: dict[str, Database] = {}

    async def get(self, block: DatabaseBlock) -> Database:
        target = target_for(block)
        database = self._open.get(target.key)
        if database is None:
            database = Database(target)
            await upgrade(database)
            self._open[target.key] = database
        return database

    def databases(self) -> tuple[Database, ...]:
        """Every database opened so far (main, cache, quota, A2A state)."""
        return tuple(self._open.values())

    async def close(self) -> None:
        for database in self._open.values():
            await database.dispose()
        self._open.clear()
