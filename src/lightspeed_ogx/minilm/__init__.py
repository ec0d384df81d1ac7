"""MiniLM embedding provider for OGX (``module: lightspeed_ogx.minilm``)."""

from __future__ import annotations

from typing import Any

from .config import MiniLMEmbeddingConfig


async def get_provider_impl(config: MiniLMEmbeddingConfig, _deps: dict[Any, Any]) -> Any:
    """Build and initialize the provider; OGX calls this once per stack."""
    from .impl import MiniLMEmbeddings

    impl = MiniLMEmbeddings(config)
    await impl.initialize()
    return impl
