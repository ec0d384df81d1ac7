"""llama.cpp inference provider for OGX (``module: lightspeed_ogx.llamacpp``)."""

from __future__ import annotations

from typing import Any

from .config import LlamaCppInferenceConfig


async def get_provider_impl(config: LlamaCppInferenceConfig, _deps: dict[Any, Any]) -> Any:
    """Build and initialize the provider; OGX calls this once per stack."""
    from .impl import LlamaCppInference

    impl = LlamaCppInference(config)
    await impl.initialize()
    return impl
