"""A backend decorator that caches the model list for a few seconds.

Every query validates its model against OGX's list; in server mode that is an HTTP call.
Models change rarely, so each process keeps the list for ``ttl`` seconds (a cache of
backend state, not shared state: a stale entry only delays seeing a new model).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.llm.base import LLMBackend, ModelInfo, ProviderInfo, ResponseRequest
from lightspeed_core.llm.events import LLMEvent


class CachedModelsBackend:
    """Delegates everything to ``inner``; ``list_models`` is cached."""

    def __init__(self, inner: LLMBackend, ttl: float = 10.0) -> None:
        self.inner = inner
        self.ttl = ttl
        self._models: list[ModelInfo] | None = None
        self._fetched = 0.0

    @property
    def mode(self) -> str:
        return self.inner.mode

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def version(self) -> str:
        return await self.inner.version()

    async def list_models(self) -> list[ModelInfo]:
        now = time.monotonic()
        if self._models is None or now - self._fetched > self.ttl:
            self._models = await self.inner.list_models()
            self._fetched = now
        return list(self._models)

    def invalidate(self) -> None:
        self._models = None

    async def list_providers(self) -> list[ProviderInfo]:
        return await self.inner.list_providers()

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return await self.inner.provider_health()

    def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        return self.inner.respond(request)

    async def raw(self) -> Any:
        return await self.inner.raw()
