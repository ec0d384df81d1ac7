"""``build_quota``: the quota service the configuration asks for.

* ``quota_handlers`` with a sqlite/postgres block and at least one limiter (or token history,
  or a request-rate limit) → :class:`~lightspeed_core.quota.service.SqlQuota`;
* a request-rate limit with ``redis_url`` only → ``SqlQuota`` without a database;
* otherwise → :class:`~lightspeed_core.quota.base.NoQuota` (as the reference: limiters
  without a database are inactive, which is logged).
"""

from __future__ import annotations

import asyncio
import logging

from lightspeed_core.config import Configuration
from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.db.engine import Database
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.base import NoQuota, QuotaService
from lightspeed_core.quota.dberrors import is_unavailable
from lightspeed_core.quota.limiters import build_limiters
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.ratelimit import RateLimiter, RedisRateLimiter, SqlRateLimiter
from lightspeed_core.quota.service import SqlQuota

log = logging.getLogger(__name__)


async def open_quota_database(pool: DatabasePool, cfg: QuotaHandlersConfiguration) -> Database:
    """Open (and migrate) the quota database, retrying as ``scheduler`` configures."""
    block = cfg.sqlite or cfg.postgres
    assert block is not None
    attempts = cfg.scheduler.database_reconnection_count
    for attempt in range(1, attempts + 1):
        try:
            return await pool.get(block)
        except Exception as error:
            if attempt == attempts or not is_unavailable(error):
                raise
            log.warning(
                "quota database unavailable (attempt %d of %d): %s", attempt, attempts, error
            )
            await asyncio.sleep(cfg.scheduler.database_reconnection_delay)
    raise AssertionError("unreachable")


async def build_quota(config: Configuration, pool: DatabasePool, metrics: Metrics) -> QuotaService:
    """The configured quota service (not started: the lifespan calls ``start()``)."""
    cfg = config.quota_handlers
    has_database = cfg.sqlite is not None or cfg.postgres is not None
    wanted = bool(cfg.limiters) or cfg.enable_token_history or cfg.rate_limit is not None
    if not wanted:
        return NoQuota()
    if not has_database and cfg.rate_limit is None:
        log.warning("quota_handlers has limiters but no sqlite/postgres block: quotas disabled")
        return NoQuota()
    database = await open_quota_database(pool, cfg) if has_database else None
    rate: tuple[RateLimiter, int] | None = None
    if cfg.rate_limit is not None:
        limit = cfg.rate_limit.requests_per_minute
        if cfg.rate_limit.redis_url is not None:
            rate = (RedisRateLimiter(cfg.rate_limit.redis_url, limit), limit)
        elif database is not None:
            rate = (SqlRateLimiter(database, limit), limit)
    return SqlQuota(
        database=database,
        limiters=build_limiters(cfg.limiters),
        metrics=QuotaMetrics(metrics),
        reservation_timeout=cfg.reservation_timeout,
        history=cfg.enable_token_history,
        rate=rate,
        scheduler_period=cfg.scheduler.period,
    )
