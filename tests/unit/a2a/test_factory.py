"""``build_a2a``: memory or a shared database, and what start-up says about it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.a2a.factory import build_a2a
from lightspeed_core.a2a.store import MemoryA2AStore
from lightspeed_core.a2a.store_db import DatabaseA2AStore
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.config import configuration_from_data
from lightspeed_core.db.pool import DatabasePool

BASE: dict[str, Any] = {
    "name": "factory test",
    "service": {},
    "llama_stack": {"url": "http://localhost:8321"},
    "user_data_collection": {},
}


async def test_memory_store_and_the_warning_with_several_workers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pool = DatabasePool()
    single = configuration_from_data(BASE, environ={})
    with caplog.at_level(logging.WARNING, logger="lightspeed_core.a2a.factory"):
        service = await build_a2a(single, tmp_path, pool, BackgroundTasks(), "1")
        assert isinstance(service.store, MemoryA2AStore)
        assert caplog.records == []
        several = configuration_from_data({**BASE, "service": {"workers": 3}}, environ={})
        await build_a2a(several, tmp_path, pool, BackgroundTasks(), "1")
    (record,) = caplog.records
    assert "service.workers = 3" in record.getMessage()
    assert service.card is None


async def test_database_store(tmp_path: Path) -> None:
    pool = DatabasePool()
    data = {
        **BASE,
        "service": {"workers": 4},
        "a2a_state": {"sqlite": {"db_path": str(tmp_path / "a2a.db")}},
        "customization": {"agent_card_config": {"name": "Agent"}},
    }
    try:
        service = await build_a2a(
            configuration_from_data(data, environ={}), tmp_path, pool, BackgroundTasks(), "2"
        )
        assert isinstance(service.store, DatabaseA2AStore)
        assert service.card is not None
        assert (service.card.name, service.card.version) == ("Agent", "2")
    finally:
        await pool.close()
