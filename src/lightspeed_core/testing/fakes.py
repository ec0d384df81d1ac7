"""In-process fakes of the feature ports the pipeline and the routes use.

Each implements its package's Protocol with plain Python state and records what it was
asked, so a unit test can assert on it: conversations (database and v2 cache), quota,
shields, MCP tools, RAG and the stream registry. No database, no network, no subprocess;
never ``MagicMock``. The model side is in :mod:`lightspeed_core.testing.fake_llm`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from lightspeed_core.auth.base import Principal
from lightspeed_core.compaction.base import Summary
from lightspeed_core.conversations.cache.base import CachedConversation, CacheEntryData
from lightspeed_core.conversations.cache.memory import MemoryCache
from lightspeed_core.conversations.cache.noop import NoopCache
from lightspeed_core.conversations.records import ConversationInfo, TurnRecord
from lightspeed_core.conversations.service import cache_entry
from lightspeed_core.errors import (
    ForbiddenError,
    LightspeedError,
    NotFoundError,
    QuotaExceededError,
)
from lightspeed_core.llm.base import ModelInfo
from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.llm.functions import FunctionTools
from lightspeed_core.mcp.base import McpServerSpec, ToolCatalog, ToolRequest
from lightspeed_core.quota.admin import QuotaAdmin
from lightspeed_core.quota.base import Reservation
from lightspeed_core.rag.base import Document, RetrievedContext, SolrOptions
from lightspeed_core.shields.base import ShieldOutcome


class InMemoryConversations:
    """:class:`~lightspeed_core.conversations.base.ConversationStore` in dictionaries."""

    def __init__(self, *, cache: bool = True) -> None:
        self.conversations: dict[str, ConversationInfo] = {}
        self.turns_of: dict[str, list[TurnRecord]] = {}
        self.cache = MemoryCache(1000) if cache else NoopCache(enabled=False)
        self.closed = False
        self.deleted: set[str] = set()
        self.unavailable: LightspeedError | None = None  # raised by require_available

    async def require_available(self) -> None:
        if self.unavailable is not None:
            raise self.unavailable

    async def get(self, conversation_id: str) -> ConversationInfo | None:
        return self.conversations.get(conversation_id)

    async def recent_turns(self, conversation_id: str, newest: int) -> list[TurnRecord]:
        return self.turns_of.get(conversation_id, [])[-newest:]

    async def turns(self, conversation_id: str) -> list[TurnRecord]:
        return list(self.turns_of.get(conversation_id, []))

    async def find_response(self, response_id: str) -> tuple[str, int] | None:
        for conversation_id, turns in self.turns_of.items():
            for turn in turns:
                if turn.response_id == response_id:
                    return conversation_id, turn.turn_number
        return None

    async def list_conversations(self, user_id: str | None) -> list[ConversationInfo]:
        found = [c for c in self.conversations.values() if user_id in (None, c.user_id)]
        return sorted(found, key=lambda c: c.last_message_at, reverse=True)

    async def record(
        self, user_id: str, conversation_id: str, turn: TurnRecord, topic_summary: str | None
    ) -> int | None:
        if conversation_id in self.deleted:
            return None
        old = self.conversations.get(conversation_id)
        number = (old.message_count if old else 0) + 1
        self.conversations[conversation_id] = ConversationInfo(
            id=conversation_id,
            user_id=old.user_id if old else user_id,
            created_at=old.created_at if old else turn.started_at,
            last_message_at=turn.completed_at,
            message_count=number,
            last_used_model=turn.model,
            last_used_provider=turn.provider,
            topic_summary=old.topic_summary if old else topic_summary or "",
            last_response_id=turn.response_id or (old.last_response_id if old else None),
        )
        self.turns_of.setdefault(conversation_id, []).append(replace(turn, turn_number=number))
        await self.cache.append(user_id, conversation_id, cache_entry(turn), topic_summary)
        return number

    async def set_topic(self, user_id: str, conversation_id: str, topic: str) -> bool:
        old = self.conversations.get(conversation_id)
        if old is not None:
            self.conversations[conversation_id] = replace(old, topic_summary=topic)
        cached = await self.cache.set_topic(user_id, conversation_id, topic)
        return old is not None or cached

    async def delete(self, user_id: str, conversation_id: str) -> bool:
        found = self.conversations.pop(conversation_id, None) is not None
        self.deleted.add(conversation_id)
        self.turns_of.pop(conversation_id, None)
        cached = await self.cache.delete(user_id, conversation_id)
        return found or cached

    @property
    def cache_enabled(self) -> bool:
        return self.cache.enabled

    async def cached_conversations(self, user_id: str) -> list[CachedConversation]:
        return await self.cache.list_conversations(user_id)

    async def is_cached(self, user_id: str, conversation_id: str) -> bool:
        return await self.cache.exists(user_id, conversation_id)

    async def cached_turns(self, user_id: str, conversation_id: str) -> list[CacheEntryData]:
        return await self.cache.get(user_id, conversation_id)

    async def close(self) -> None:
        self.closed = True


@dataclass
class RecordingQuota:
    """A quota that records reservations; ``limit`` tokens per user, ``None`` = unlimited."""

    limit: int | None = None
    reserved: list[Reservation] = field(default_factory=list)
    settled: list[tuple[Reservation | None, int, int]] = field(default_factory=list)
    released: list[Reservation | None] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)
    admin: QuotaAdmin = field(default_factory=QuotaAdmin)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    async def reserve(
        self, principal: Principal, estimate: int, *, minimum: int | None = None
    ) -> Reservation | None:
        left = self._left(principal.user_id)
        if left is not None and estimate > left:
            if minimum is None or minimum > left:
                raise QuotaExceededError("The quota has been exceeded", f"{left} tokens left")
            estimate = left
        reservation = Reservation(f"r{next(self._ids)}", estimate, principal.user_id)
        self.reserved.append(reservation)
        return reservation

    async def settle(
        self,
        reservation: Reservation | None,
        *,
        input_tokens: int,
        output_tokens: int,
        provider: str,
        model: str,
    ) -> None:
        self.settled.append((reservation, input_tokens, output_tokens))
        if reservation is not None:
            user = reservation.user_id
            self.used[user] = self.used.get(user, 0) + input_tokens + output_tokens

    async def release(self, reservation: Reservation | None) -> None:
        self.released.append(reservation)

    def _left(self, user_id: str) -> int | None:
        return None if self.limit is None else self.limit - self.used.get(user_id, 0)

    async def available(self, principal: Principal) -> dict[str, int]:
        left = self._left(principal.user_id)
        return {} if left is None else {"fake_limiter": left}

    def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class FakeShields:
    """Refuses questions containing one of ``blocked`` (else passes them unchanged)."""

    def __init__(self, blocked: Sequence[str] = (), refusal: str = "I cannot answer that.") -> None:
        self.blocked = tuple(blocked)
        self.refusal = refusal
        self.screened: list[tuple[str, str]] = []

    async def screen(
        self, text: str, shield_ids: list[str] | None, model: ModelInfo, endpoint: str
    ) -> ShieldOutcome:
        self.screened.append((text, endpoint))
        if shield_ids == []:
            return ShieldOutcome(text)
        if any(word in text for word in self.blocked):
            return ShieldOutcome(text, refusal=self.refusal, input_tokens=3, output_tokens=2)
        return ShieldOutcome(text)


class FakeTools:
    """A fixed list of Responses tool definitions (e.g. ``{"type": "mcp", ...}``)."""

    def __init__(self, tools: Sequence[dict[str, Any]] = ()) -> None:
        self.tools = list(tools)
        self.registered: dict[str, McpServerSpec] = {}
        self.requests: list[ToolRequest] = []
        self.failures: list[tuple[str, str]] = []  # (label, reason) reported by the pipeline
        self.failing: list[str] = []  # labels that ``recheck`` finds failing

    async def tools_for(self, request: ToolRequest) -> list[dict[str, Any]]:
        self.requests.append(request)
        return [dict(t) for t in self.tools]

    async def catalog(self, request: ToolRequest) -> ToolCatalog:
        return ToolCatalog(unavailable=[(label, "failing") for label in self.failing])

    async def offer(
        self, tools: Sequence[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], FunctionTools | None]:
        return list(tools), None

    def report_failure(self, label: str, reason: str) -> None:
        self.failures.append((label, reason))

    async def recheck(self, tools: Sequence[Mapping[str, Any]]) -> list[str]:
        labels = {tool.get("server_label") for tool in tools if tool.get("type") == "mcp"}
        return [label for label in self.failing if label in labels]

    async def servers(self) -> list[McpServerSpec]:
        return list(self.registered.values())

    async def register(self, server: McpServerSpec, created_by: str) -> None:
        self.registered[server.name] = server

    async def unregister(self, name: str) -> bool:
        return self.registered.pop(name, None) is not None

    async def close(self) -> None:
        return None


class FakeRag:
    """Returns a fixed inline context and ``file_search`` tools; documents by title."""

    def __init__(
        self, context: RetrievedContext | None = None, tools: Sequence[dict[str, Any]] = ()
    ) -> None:
        self.context = context or RetrievedContext()
        self.tool_list = list(tools)
        self.retrieved: list[tuple[str, list[str] | None]] = []
        self.solr: list[SolrOptions | None] = []

    async def retrieve(
        self, query: str, vector_store_ids: list[str] | None, solr: SolrOptions | None = None
    ) -> RetrievedContext:
        self.retrieved.append((query, vector_store_ids))
        self.solr.append(solr)
        return self.context

    def tools(self, vector_store_ids: list[str] | None) -> list[dict[str, Any]]:
        return [dict(t) for t in self.tool_list]

    def documents(self, chunks: tuple[RetrievedChunk, ...]) -> tuple[Document, ...]:
        return tuple(
            Document(doc_title=str(c.attributes.get("title")), source=c.filename)
            for c in chunks
            if c.attributes.get("title")
        )

    async def aclose(self) -> None:
        return None


class InMemoryStreams:
    """:class:`~lightspeed_core.streaming.registry.StreamRegistry` for one process."""

    def __init__(self) -> None:
        self.running: dict[str, tuple[str, asyncio.Event]] = {}
        self.finished: set[str] = set()
        self.tracked: list[str] = []

    @asynccontextmanager
    async def track(
        self, request_id: str, user_id: str, conversation_id: str
    ) -> AsyncIterator[asyncio.Event]:
        event = asyncio.Event()
        self.running[request_id] = (user_id, event)
        self.tracked.append(request_id)
        try:
            yield event
        finally:
            self.running.pop(request_id, None)
            self.finished.add(request_id)

    async def interrupt(self, request_id: str, user_id: str) -> bool:
        if request_id in self.finished:
            return False
        if request_id not in self.running:
            raise NotFoundError("Streaming Request", request_id)
        owner, event = self.running[request_id]
        if owner != user_id:
            raise ForbiddenError(
                "User does not have permission to access this endpoint",
                f"User {user_id} is not authorized to access this endpoint.",
            )
        event.set()
        return True


@dataclass
class InMemorySummaries:
    """Compaction summaries and leases in dicts (``compaction.base.SummaryStorage``).

    ``leases`` maps a conversation to its holder; a lease never expires here (tests release).
    ``acquired`` counts the leases granted.
    """

    chunks: dict[str, list[Summary]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    leases: dict[str, str] = field(default_factory=dict)
    acquired: int = 0

    async def summaries(self, conversation_id: str) -> list[Summary]:
        return list(self.chunks.get(conversation_id, []))

    async def add(
        self,
        user_id: str,
        conversation_id: str,
        summary: Summary,
        model: str,
        *,
        replace_all: bool = False,
    ) -> None:
        kept = [] if replace_all else self.chunks.get(conversation_id, [])
        self.chunks[conversation_id] = [*kept, summary]
        self.owners[conversation_id] = user_id

    async def acquire(self, conversation_id: str, holder: str, seconds: float) -> bool:
        if self.leases.setdefault(conversation_id, holder) != holder:
            return False
        self.acquired += 1
        return True

    async def release(self, conversation_id: str, holder: str) -> None:
        if self.leases.get(conversation_id) == holder:
            del self.leases[conversation_id]


class RecordingSink:
    """A Splunk :class:`~lightspeed_core.splunk.base.EventSink` that keeps what it is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, sourcetype: str, event: Mapping[str, Any]) -> None:
        self.sent.append((sourcetype, dict(event)))

    async def close(self) -> None:
        return None
