"""Open each configured database once (main, conversation cache, quota may share one).

Every SQLite database of the process writes through one thread (the pool's): writes of
different files never wait on each other's SQLite lock in this process, and a turn and its
conversation-cache copy in another file are written in one thread hand-off
(``Database.run_write_with``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from lightspeed_core.db.engine import Database, DatabaseBlock, target_for
from lightspeed_core.db.migrate import upgrade


class DatabasePool:
    """Databases by identity; each is migrated when first opened."""

    def __init__(self) -> None:
        self._open: dict[str, Database] = {}
        self._sqlite_writer: ThreadPoolExecutor | None = None

    async def get(self, block: DatabaseBlock) -> Database:
        target = target_for(block)
        database = self._open.get(target.key)
        if database is None:
            writer = None
            if target.dialect == "sqlite":
                if self._sqlite_writer is None:
                    self._sqlite_writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-write")
                writer = self._sqlite_writer
            database = Database(target, writer=writer)
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
        if self._sqlite_writer is not None:
            self._sqlite_writer.shutdown(wait=True)
            self._sqlite_writer = None
