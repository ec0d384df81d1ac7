"""``build_cache``: the conversation cache ``conversation_cache.type`` asks for."""

from __future__ import annotations

from lightspeed_core.config.models.databases import ConversationHistoryConfiguration
from lightspeed_core.conversations.cache.base import ConversationCache
from lightspeed_core.conversations.cache.noop import NoopCache
from lightspeed_core.db.pool import DatabasePool


async def build_cache(
    config: ConversationHistoryConfiguration | None, pool: DatabasePool
) -> ConversationCache:
    """The cache for ``conversation_cache``.

    Unset → disabled (v2 answers 500); ``noop`` → stores nothing; ``memory`` → per process,
    bounded; ``sqlite``/``postgres`` → tables in that database (opened once and migrated by
    the pool, shared with the main database when both name the same one).
    """
    if config is None or config.type is None:
        return NoopCache(enabled=False)
    match config.type:
        case "noop":
            return NoopCache(enabled=True)
        case "memory":
            from lightspeed_core.conversations.cache.memory import MemoryCache

            assert config.memory is not None  # the configuration guarantees the block
            return MemoryCache(config.memory.max_entries)
        case "sqlite" | "postgres":
            from lightspeed_core.conversations.cache.sql import SqlCache

            block = config.sqlite if config.type == "sqlite" else config.postgres
            assert block is not None  # the configuration guarantees the block
            return SqlCache(await pool.get(block))
