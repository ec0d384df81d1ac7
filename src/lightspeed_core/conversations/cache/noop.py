"""Cache backends that store nothing: unconfigured, and the explicit ``noop`` type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData

if TYPE_CHECKING:
    from lightspeed_core.db.batch import FollowUp


class NoopCache:
    """``type: noop`` (``enabled=True``: v2 answers, with nothing in it) or unset (``False``)."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        return self._enabled

    async def append(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> None:
        return None

    async def list_conversations(self, user_id: str) -> list[CachedConversation]:
        return []

    async def exists(self, user_id: str, conversation_id: str) -> bool:
        return False

    async def get(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        return []

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        return False

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        return False

    def with_turn(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> FollowUp | None:
        return None

    async def close(self) -> None:
        return None
