"""PostgreSQL unreachable for a moment: a clear 503, and no tokens held afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from lightspeed_core.quota.service import SqlQuota
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.postgres import HOST, PORT, USER, postgres_block

from .conftest import limiter_config
from .proxy import CuttableProxy

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("quota-app")]
INITIAL = 10_000


@pytest.fixture
async def proxy() -> AsyncIterator[CuttableProxy]:
    running = await CuttableProxy(HOST, PORT).start()
    yield running
    await running.close()


@pytest.fixture
async def outage_app(
    scripted: BackgroundServer, postgres_db: str, proxy: CuttableProxy, tmp_path: Path
) -> AsyncIterator[tuple[RunningApp, dict[str, Any]]]:
    block = postgres_block(postgres_db, namespace=f"q_{uuid.uuid4().hex[:10]}")
    through_proxy = {**block, "port": proxy.port}
    handlers = {
        "postgres": through_proxy,
        "limiters": [limiter_config("per-user", initial_quota=INITIAL, period="1 day")],
        "scheduler": {"database_reconnection_count": 2},
        "default_output_tokens": 20,
    }
    config = stub_config(scripted.base_url, quota_handlers=handlers)
    async with running_app(config, tmp_path) as app:
        yield app, block


async def _bucket(block: dict[str, Any]) -> tuple[int, int]:
    """``available`` of alice's bucket and the number of reservation rows, read directly."""
    connection = await asyncpg.connect(
        host=HOST,
        port=PORT,
        user=USER,
        database=block["db"],
        server_settings={"search_path": block["namespace"]},
    )
    try:
        available = await connection.fetchval(
            "SELECT available FROM quota_limits WHERE id = 'alice' AND subject = 'u'"
        )
        holds = await connection.fetchval("SELECT count(*) FROM quota_reservation")
    finally:
        await connection.close()
    return int(available), int(holds)


def ask(text: str) -> dict[str, Any]:
    return {"query": text, "generate_topic_summary": False}


async def test_quota_database_outage(
    outage_app: tuple[RunningApp, dict[str, Any]],
    proxy: CuttableProxy,
    scripted: BackgroundServer,
) -> None:
    app, block = outage_app
    client = app.client
    first = await client.post("/v1/query?user_id=alice", json=ask("Say hello"))
    assert first.status_code == 200
    spent = first.json()["input_tokens"] + first.json()["output_tokens"]

    await proxy.cut()
    calls = len(scripted.backend.requests)
    refused = await client.post("/v1/query?user_id=alice", json=ask("Say hello"))
    assert refused.status_code == 503
    detail = refused.json()["detail"]
    assert detail["response"] == "Unable to connect to the quota database"
    assert detail["cause"].startswith("The quota database cannot be reached: ")
    assert len(scripted.backend.requests) == calls  # the model was not called
    await proxy.restore()
    quota = app.services.quota
    assert isinstance(quota, SqlQuota)
    await _written(quota)  # the first answer's settle is written behind it
    assert await _bucket(block) == (INITIAL - spent, 0)

    # the database goes away while the model answers: the answer is delivered and the
    # settlement is applied once the database is back
    pending = asyncio.ensure_future(
        client.post("/v1/query?user_id=alice", json=ask("[[delay:0.5]] Say hello"))
    )
    for _ in range(3000):  # until the scripted backend has the request
        if len(scripted.backend.requests) > calls:
            break
        await asyncio.sleep(0.01)
    await proxy.cut()
    answered = await pending
    assert answered.status_code == 200
    spent += answered.json()["input_tokens"] + answered.json()["output_tokens"]
    await asyncio.sleep(0.2)  # past the settle delay: the write was tried and failed
    assert quota.pending == 1
    await proxy.restore()
    await _written(quota)  # the flusher's next attempt (or the scheduler's tick) applies it
    assert await _bucket(block) == (INITIAL - spent, 0)


async def _written(quota: SqlQuota) -> None:
    for _ in range(600):
        if quota.pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{quota.pending} settle(s) never written")
