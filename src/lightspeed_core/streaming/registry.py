"""Registry of running streams, so ``/v1/streaming_query/interrupt`` can stop one.

``track()`` registers a stream for its lifetime and yields an :class:`asyncio.Event` that is
set when its owner asks to interrupt it. The no-op registry never interrupts; the database
registry (shared by every worker and pod) lives beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from lightspeed_core.errors import NotFoundError


class StreamRegistry(Protocol):
    """Tracks running streams."""

    def track(
        self, request_id: str, user_id: str, conversation_id: str
    ) -> AbstractAsyncContextManager[asyncio.Event]:
        """Register a stream while the context is open; the event fires on interrupt."""
        ...

    async def interrupt(self, request_id: str, user_id: str) -> bool:
        """Stop the user's stream: True if it was running, False if it already ended.

        Raises ``NotFoundError`` for an unknown id, ``ForbiddenError`` for another user's.
        """
        ...


class NoStreamRegistry:
    """Streams are never interrupted."""

    @asynccontextmanager
    async def track(
        self,
        request_id: str,
        user_id: str,
        conversation_id: str,
    ) -> AsyncIterator[asyncio.Event]:
        yield asyncio.Event()

    async def interrupt(self, request_id: str, user_id: str) -> bool:
        raise NotFoundError("Streaming Request", request_id)
