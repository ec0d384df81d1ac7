"""PostgreSQL killed and restarted under load (issue 14, item 2).

A private server (``tests/support/private_postgres.py``) holds the user database and the
quota database. Six clients keep asking; the server is killed (immediate stop, like a
crash), then started again without waiting for it (so requests meet "the database system
is starting up"). Wanted: every failure is a 503 in the contract's shape, ``/readiness`` says
503 naming the database while it is away, one log line per change of state and no
traceback, recovery at once, every acknowledged turn kept, and the quota books exact.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from lightspeed_core.quota.service import SqlQuota
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.private_postgres import PrivatePostgres, available, private_postgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not available(), reason="needs PostgreSQL's server binaries and root"),
    pytest.mark.xdist_group("private-postgres"),
]
INITIAL = 10_000_000
CLIENTS = 6
DB_RESPONSES = {"Unable to connect to the database", "Unable to connect to the quota database"}


@dataclass
class Load:
    """What the clients saw."""

    acknowledged: list[tuple[str, str, int]] = field(default_factory=list)  # conv, query, used
    failures: list[tuple[int, Any]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    with private_postgres() as running:
        yield running


@pytest.fixture
async def app(
    scripted: BackgroundServer, server: PrivatePostgres, tmp_path: Path
) -> AsyncIterator[RunningApp]:
    config = stub_config(
        scripted.base_url,
        database={"postgres": server.block()},
        quota_handlers={
            "postgres": server.block(),
            "limiters": [
                {
                    "type": "user_limiter",
                    "name": "per-user",
                    "initial_quota": INITIAL,
                    "quota_increase": 0,
                    "period": "1 day",
                }
            ],
            "enable_token_history": True,
            "default_output_tokens": 20,
        },
    )
    async with running_app(config, tmp_path) as running:
        yield running


async def _client(app: RunningApp, number: int, load: Load) -> None:
    conversation: str | None = None
    for step in range(2000):  # bounded; the test sets ``stop`` long before
        if load.stop.is_set():
            return
        question = f"Say hello {number}-{step}"
        body: dict[str, Any] = {"query": question, "generate_topic_summary": False}
        if conversation is not None:
            body["conversation_id"] = conversation
        reply = await app.client.post(f"/v1/query?user_id=user{number}", json=body)
        if reply.status_code == 200:
            data = reply.json()
            conversation = data["conversation_id"]
            used = data["input_tokens"] + data["output_tokens"]
            load.acknowledged.append((data["conversation_id"], question, used))
        else:
            load.failures.append((reply.status_code, reply.json()))
            await asyncio.sleep(0.02)


async def _until(condition: Any, what: str, attempts: int = 1500) -> None:
    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def _books(server: PrivatePostgres) -> tuple[int, int, int, list[tuple[str, str]]]:
    """Spent tokens by the buckets, by the history, held tokens, and the stored turns."""
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        spent = await connection.fetchval(
            "SELECT coalesce(sum($1 - available), 0) FROM quota_limits", INITIAL
        )
        history = await connection.fetchval(
            "SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM token_usage"
        )
        held = await connection.fetchval("SELECT coalesce(sum(tokens), 0) FROM quota_reservation")
        rows = await connection.fetch("SELECT conversation_id, query FROM user_turn")
    finally:
        await connection.close()
    return int(spent), int(history), int(held), [(r[0], r[1]) for r in rows]


async def _per_user(server: PrivatePostgres, load: Load) -> str:
    """What each user was told they used, against their history and holds (a failure's clue)."""
    told: dict[str, int] = {}
    for _, question, used in load.acknowledged:  # "Say hello <client>-<step>"
        user = "user" + question.rsplit(" ", 1)[-1].split("-")[0]
        told[user] = told.get(user, 0) + used
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user="postgres", database="postgres"
    )
    try:
        usage = await connection.fetch(
            "SELECT user_id, sum(input_tokens + output_tokens) AS t FROM token_usage"
            " GROUP BY user_id"
        )
        holds = await connection.fetch(
            "SELECT subject, count(*) AS n, sum(tokens) AS t FROM quota_reservation"
            " GROUP BY subject"
        )
    finally:
        await connection.close()
    recorded = {r["user_id"]: int(r["t"]) for r in usage}
    held = {r["subject"]: (int(r["n"]), int(r["t"])) for r in holds}
    return f"acknowledged {told}, history {recorded}, holds (count, tokens) {held}"


async def test_postgres_killed_and_restarted_under_load(
    app: RunningApp, server: PrivatePostgres, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lightspeed_core")
    load = Load()
    clients = [asyncio.ensure_future(_client(app, n, load)) for n in range(CLIENTS)]
    try:
        await _until(lambda: len(load.acknowledged) >= 3 * CLIENTS, "answers before the kill")
        server.kill()
        await _until(lambda: len(load.failures) >= 3 * CLIENTS, "refusals during the outage")
        listing = await app.client.get("/v1/conversations?user_id=user0")
        assert listing.status_code == 503
        assert listing.json()["detail"]["response"] == "Unable to connect to the database"
        stream = await app.client.post(
            "/v1/streaming_query?user_id=user0", json={"query": "Say hello"}
        )
        assert stream.status_code == 503  # refused before the stream (and the model) starts
        ready = await app.client.get("/readiness")
        assert ready.status_code == 503
        assert (
            ready.json()["reason"]
            == f"Database unreachable: postgresql://127.0.0.1:{server.port}/postgres"
        )

        answered_before_restart = len(load.acknowledged)
        server.start(wait=False)  # requests now meet "the database system is starting up"
        await server.wait_ready()
        await _until(
            lambda: len(load.acknowledged) >= answered_before_restart + 3 * CLIENTS,
            "answers after the restart",
        )
        assert (await app.client.get("/readiness")).status_code == 200
    finally:
        load.stop.set()
        await asyncio.gather(*clients)

    # every failure: 503 in the contract's shape
    assert load.failures
    for status, body in load.failures:
        assert status == 503, body
        assert body["detail"]["response"] in DB_RESPONSES, body
        assert "cannot be reached" in body["detail"]["cause"], body

    # one line per change of state, no traceback
    records = [r for r in caplog.records if r.name.startswith("lightspeed_core")]
    assert not [r for r in records if r.exc_info], [r.getMessage() for r in records if r.exc_info]
    down = [r for r in records if "unreachable:" in r.getMessage() and r.name.endswith("health")]
    back = [r for r in records if "reachable again" in r.getMessage()]
    assert 1 <= len(down) <= 2, [r.getMessage() for r in down]
    assert len(back) == len(down)
    scheduler = [r for r in records if "quota scheduler: database unavailable" in r.getMessage()]
    assert len(scheduler) <= 2

    # every acknowledged turn kept; the quota books exact once the postponed settles ran
    quota = app.services.quota
    assert isinstance(quota, SqlQuota)
    await _until(lambda: quota.pending == 0, "postponed settles")
    spent, history, held, stored = await _books(server)
    assert {(c, q) for c, q, _ in load.acknowledged} <= set(stored)
    assert spent == history + held
    assert held <= CLIENTS * 200  # at most a reservation per client whose commit was unseen
    acknowledged = sum(used for _, _, used in load.acknowledged)
    assert history >= acknowledged, await _per_user(server, load)
