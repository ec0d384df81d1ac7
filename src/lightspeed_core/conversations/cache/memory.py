"""``conversation_cache.type: memory``: a bounded in-process cache (one per worker process).

It really stores (the reference's ``memory`` backend stores nothing). At most
``max_entries`` turns are kept over all users; when a new turn would exceed that, whole
conversations are evicted, least recently written first, and a single conversation longer
than the bound keeps only its newest turns. Every method runs without awaiting, so each
one is atomic on the event loop and needs no lock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData

if TYPE_CHECKING:
    from lightspeed_core.db.batch import FollowUp

Key = tuple[str, str]


@dataclass
class _Conversation:
    entries: list[CacheEntryData] = field(default_factory=list)
    topic_summary: str = ""
    last_message_timestamp: float = 0.0


class MemoryCache:
    """Turns per ``(user_id, conversation_id)``, bounded by ``max_entries`` turns."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self.max_entries = max_entries
        self._conversations: OrderedDict[Key, _Conversation] = OrderedDict()
        self._size = 0

    @property
    def enabled(self) -> bool:
        return True

    @property
    def size(self) -> int:
        """Turns currently held."""
        return self._size

    async def append(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> None:
        key = (user_id, conversation_id)
        conversation = self._conversations.pop(key, None) or _Conversation()
        self._conversations[key] = conversation  # most recently written goes last
        conversation.entries.append(entry)
        conversation.last_message_timestamp = time.time()
        if topic_summary:
            conversation.topic_summary = topic_summary
        self._size += 1
        self._evict(key)

    def _evict(self, keep: Key) -> None:
        while self._size > self.max_entries:
            oldest = next(iter(self._conversations))
            if oldest == keep:
                self._conversations[keep].entries.pop(0)
                self._size -= 1
                continue
            self._size -= len(self._conversations.pop(oldest).entries)

    async def list_conversations(self, user_id: str) -> list[CachedConversation]:
        found = [
            CachedConversation(cid, c.topic_summary, c.last_message_timestamp)
            for (uid, cid), c in self._conversations.items()
            if uid == user_id
        ]
        return sorted(found, key=lambda c: c.last_message_timestamp, reverse=True)

    async def exists(self, user_id: str, conversation_id: str) -> bool:
        return (user_id, conversation_id) in self._conversations

    async def get(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        conversation = self._conversations.get((user_id, conversation_id))
        return list(conversation.entries) if conversation is not None else []

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        conversation = self._conversations.pop((user_id, conversation_id), None)
        if conversation is None:
            return False
        self._size -= len(conversation.entries)
        return True

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        conversation = self._conversations.get((user_id, conversation_id))
        if conversation is None:
            return False
        conversation.topic_summary = topic
        return True

    def with_turn(
        self, user_id: str, conversation_id: str, entry: CacheEntryData, topic_summary: str | None
    ) -> FollowUp | None:
        return None

    async def close(self) -> None:
        return None
