"""``build_cache``: the conversation cache ``conversation_cache.type`` asks for."""

from __future__ import annotations

from lightspeed_core.config.models.databases import ConversationHistoryConfiguration
from lightspeed_core.conversations.cache.base import ConversationCache
from lightspeed_core.conversations.cache.noop import NoopCache
from lightspeed_core.db.pool import DatabasePool


async def build_cache(
    config: ConversationHistoryConfiguration | None,
    pool: DatabasePool,  # noqa: ARG001
) -> ConversationCache:
    """Unset → disabled (v2 answers 500); ``noop`` → stores nothing."""
    if config is None or config.type is None:
        return NoopCache(enabled=False)
    return NoopCache(enabled=True)
