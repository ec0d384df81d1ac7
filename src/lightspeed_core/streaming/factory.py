"""``build_stream_registry``: where running streams are registered for interrupts."""

from __future__ import annotations

from lightspeed_core.db.engine import Database
from lightspeed_core.streaming.registry import StreamRegistry
from lightspeed_core.streaming.registry_db import DatabaseStreamRegistry


async def build_stream_registry(database: Database) -> StreamRegistry:
    """The database-backed registry: an interrupt reaches the stream on any worker or pod."""
    return DatabaseStreamRegistry(database)
