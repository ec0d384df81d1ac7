"""Quotas across processes: four workers sharing one quota, two services sharing a scheduler."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT
from lightspeed_core.llm.tokens import tiktoken_estimator
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import stub_config, write_config
from tests.support.postgres import HOST, PORT, USER, postgres_block
from tests.support.processes import free_port, spawn, stop, venv_bin, wait_http

from .conftest import limiter_config

estimate_tokens = tiktoken_estimator()  # what the service uses when quotas are enforced

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("quota-workers")]
SUCCESSES = 50
OUTPUT_ROOM = 20


@contextmanager
def service(config: dict[str, Any], folder: Path, workers: int = 1) -> Iterator[str]:
    """Run ``lightspeed-core`` for ``config``; yields its base URL once every worker is up."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    # its own main database: the reference default (/tmp/lightspeed-stack.db) is shared by
    # every service on the machine
    own = {"database": {"sqlite": {"db_path": str(folder / "main.db")}}}
    path = write_config({**own, **config, "service": {"port": port, "workers": workers}}, folder)
    log = folder / "service.log"
    metrics = folder / "metrics"
    metrics.mkdir(exist_ok=True)
    env = {"LIGHTSPEED_CORE_DATA_DIR": str(folder), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    process = spawn([venv_bin("lightspeed-core"), "-c", str(path)], log, env)
    try:
        wait_http(f"http://127.0.0.1:{port}/liveness", process, timeout=180)
        for _ in range(600):
            if log.read_text().count("Application startup complete") >= workers:
                break
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def question(tokens: int) -> str:
    return f"[[tokens:{tokens}]] quota probe"


async def test_four_workers_never_overdraw(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    # calibrate: the scripted backend counts words; make each request use exactly what it
    # reserves (estimate + OUTPUT_ROOM), so exactly SUCCESSES requests fit whatever the order
    words = len(DEFAULT_SYSTEM_PROMPT.split()) + len(question(0).split())
    reserved = estimate_tokens(DEFAULT_SYSTEM_PROMPT + question(10)) + OUTPUT_ROOM
    text = question(reserved - words)
    assert estimate_tokens(DEFAULT_SYSTEM_PROMPT + text) + OUTPUT_ROOM == reserved
    cluster = 10**7
    handlers = {
        **database_block,
        "limiters": [
            limiter_config("per-user", initial_quota=SUCCESSES * reserved, period="1 day"),
            limiter_config("all", "cluster_limiter", initial_quota=cluster, period="1 day"),
        ],
        "default_output_tokens": OUTPUT_ROOM,
    }
    config = stub_config(scripted.base_url, quota_handlers=handlers)
    body = {"query": text, "generate_topic_summary": False}
    with service(config, tmp_path / "svc", workers=4) as base:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            replies = await asyncio.gather(
                *(client.post("/v1/query?user_id=alice", json=body) for _ in range(200))
            )
            own = (await client.get("/v1/quotas?user_id=alice")).json()
    statuses = sorted(r.status_code for r in replies)
    assert statuses.count(200) == SUCCESSES, statuses
    assert statuses.count(429) == 200 - SUCCESSES, statuses
    for reply in replies:
        if reply.status_code == 200:
            used = reply.json()["input_tokens"] + reply.json()["output_tokens"]
            assert used == reserved
        else:
            assert reply.json()["detail"]["response"] == "The quota has been exceeded"
    quotas = {q["limiter"]: q for q in own["quotas"]}
    assert (quotas["per-user"]["available"], quotas["per-user"]["reserved"]) == (0, 0)
    assert quotas["all"]["available"] == cluster - SUCCESSES * reserved


async def _due_bucket(connection: asyncpg.Connection, name: str) -> None:
    overdue = datetime.now(UTC) - timedelta(hours=1, minutes=5)
    await connection.execute(
        "INSERT INTO quota_limits (id, subject, quota_limit, available, updated_at, revoked_at)"
        " VALUES ($1, 'u', 1000, 0, $2, $2)",
        name,
        overdue,
    )


async def _refilled(connection: asyncpg.Connection, name: str) -> int:
    """Wait until the scheduler refreshed ``name``; return its ``available``."""
    for _ in range(600):
        row = await connection.fetchrow(
            "SELECT available, revoked_at FROM quota_limits WHERE id = $1", name
        )
        if row["revoked_at"] > datetime.now(UTC) - timedelta(hours=1):
            return int(row["available"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} was never refilled")


async def test_two_services_apply_one_increase_per_period(
    scripted: BackgroundServer, postgres_db: str, tmp_path: Path
) -> None:
    block = postgres_block(postgres_db, namespace=f"s_{uuid.uuid4().hex[:10]}")
    handlers = {
        "postgres": block,
        "limiters": [limiter_config("per-user", initial_quota=1000, quota_increase=7)],
    }
    config = stub_config(scripted.base_url, quota_handlers=handlers)
    connection = await asyncpg.connect(
        host=HOST,
        port=PORT,
        user=USER,
        database=postgres_db,
        server_settings={"search_path": block["namespace"]},
    )
    try:
        with service(config, tmp_path / "a"), service(config, tmp_path / "b"):
            await _due_bucket(connection, "first")
            assert await _refilled(connection, "first") == 7
            await _due_bucket(connection, "later")  # proves more ticks ran meanwhile
            assert await _refilled(connection, "later") == 7
            assert await _refilled(connection, "first") == 7  # still one increase
        leaders = [
            (tmp_path / name / "service.log").read_text().count("runs the quota scheduler")
            for name in ("a", "b")
        ]
        assert sum(leaders) == 1, leaders
    finally:
        await connection.close()
