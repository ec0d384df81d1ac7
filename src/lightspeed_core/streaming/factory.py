"""``build_stream_registry``: where running streams are registered for interrupts."""

from __future__ import annotations

from lightspeed_core.db.engine import Database
from lightspeed_core.streaming.registry import NoStreamRegistry, StreamRegistry


async def build_stream_registry(database: Database) -> StreamRegistry:  # noqa: ARG001
    return NoStreamRegistry()
