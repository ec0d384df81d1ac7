"""A backend decorator that caches the model list.

Every query validates its model against OGX's list; in server mode that is an HTTP call.
Models change rarely, so each process keeps the list (a cache of backend state, not shared
state: a stale entry only delays seeing a new model by one refresh). Fresh for ``ttl``
seconds, then served stale while one background read refreshes it (``Refreshing``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.llm.base import LLMBackend, ModelInfo, ProviderInfo, ResponseRequest
from lightspeed_core.llm.events import LLMEvent
from lightspeed_core.refreshing import Refreshing


class CachedModelsBackend:
    """Delegates everything to ``inner``; ``list_models`` is cached."""

    def __init__(self, inner: LLMBackend, ttl: float = 10.0, max_stale: float = 60.0) -> None:
        self.inner = inner
        self._models = Refreshing(inner.list_models, ttl=ttl, max_stale=max_stale, what="models")

    @property
    def mode(self) -> str:
        return self.inner.mode

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self._models.close()
        await self.inner.close()

    async def version(self) -> str:
        return await self.inner.version()

    async def list_models(self) -> list[ModelInfo]:
        return list(await self._models.get())

    def invalidate(self) -> None:
        self._models.invalidate()

    async def list_providers(self) -> list[ProviderInfo]:
        return await self.inner.list_providers()

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return await self.inner.provider_health()

    async def complete(self, request: ResponseRequest) -> str:
        return await self.inner.complete(request)

    def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        return self.inner.respond(request)
