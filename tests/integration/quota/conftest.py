"""Fixtures of the quota integration tests: a migrated quota database on each engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_core.config.models.databases import QuotaHandlersConfiguration
from lightspeed_core.db.engine import Database
from lightspeed_core.db.pool import DatabasePool
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.limiters import Limiter, build_limiters
from lightspeed_core.quota.metrics import QuotaMetrics
from lightspeed_core.quota.store import QuotaStore


def limiter_config(name: str, kind: str = "user_limiter", **values: Any) -> dict[str, Any]:
    """One ``quota_handlers.limiters[]`` entry (defaults: 100 tokens, +10 per hour)."""
    return {
        "type": kind,
        "name": name,
        "initial_quota": values.get("initial_quota", 100),
        "quota_increase": values.get("quota_increase", 10),
        "period": values.get("period", "1 hour"),
    }


def handlers(
    block: dict[str, Any], *limiters: dict[str, Any], **extra: Any
) -> QuotaHandlersConfiguration:
    return QuotaHandlersConfiguration.model_validate({**block, "limiters": list(limiters), **extra})


def limiters_of(*configured: dict[str, Any]) -> tuple[Limiter, ...]:
    return build_limiters(handlers({}, *configured).limiters)


@pytest.fixture
async def quota_db(database_block: dict[str, Any]) -> AsyncIterator[Database]:
    """The quota database of ``database_block`` (SQLite file or PostgreSQL schema), migrated."""
    pool = DatabasePool()
    cfg = handlers(database_block)
    block = cfg.sqlite or cfg.postgres
    assert block is not None
    try:
        yield await pool.get(block)
    finally:
        await pool.close()


@pytest.fixture
def store(quota_db: Database) -> QuotaStore:
    return QuotaStore(quota_db)


@pytest.fixture
def quota_metrics() -> QuotaMetrics:
    return QuotaMetrics(Metrics())
