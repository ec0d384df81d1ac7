"""``build_quota``: the quota service the configuration asks for."""

from __future__ import annotations

from lightspeed_core.config import Configuration
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.base import NoQuota, QuotaService


async def build_quota(config: Configuration, pool: DatabasePool, metrics: Metrics) -> QuotaService:  # noqa: ARG001
    """No limiter configured → :class:`NoQuota`."""
    return NoQuota()
