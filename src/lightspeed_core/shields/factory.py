"""``build_shields``: the shield service the configuration asks for."""

from __future__ import annotations

from lightspeed_core.config import Configuration
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.shields.base import NoShields, ShieldService


async def build_shields(config: Configuration, llm: LLMBackend, metrics: Metrics) -> ShieldService:  # noqa: ARG001
    """No shields configured → :class:`NoShields`."""
    return NoShields()
