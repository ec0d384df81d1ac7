"""``CachedModelsBackend``: the model list is read once for many concurrent queries."""

from __future__ import annotations

import asyncio
from typing import cast

from lightspeed_core.llm.base import LLMBackend, ModelInfo
from lightspeed_core.llm.cached import CachedModelsBackend

MODEL = ModelInfo("p/m", "p", "m", "llm")


class Models:
    """The part of a backend the cache calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.closed = False

    async def list_models(self) -> list[ModelInfo]:
        self.calls += 1
        await asyncio.sleep(0.01)
        return [MODEL]

    async def close(self) -> None:
        self.closed = True


async def test_concurrent_queries_share_one_listing_and_get_their_own_copy() -> None:
    inner = Models()
    cache = CachedModelsBackend(cast(LLMBackend, inner))
    lists = await asyncio.gather(*(cache.list_models() for _ in range(64)))
    assert inner.calls == 1
    assert all(listing == [MODEL] for listing in lists)
    lists[0].clear()
    assert await cache.list_models() == [MODEL]


async def test_invalidate_reads_again_and_close_closes_the_backend() -> None:
    inner = Models()
    cache = CachedModelsBackend(cast(LLMBackend, inner))
    await cache.list_models()
    cache.invalidate()
    await cache.list_models()
    assert inner.calls == 2
    await cache.close()
    assert inner.closed
