"""The LLM backend drops its connection in the middle of a stream (issue 14, faults).

The scripted backend streams two chunks, then resets the connection (``[[cut]]``). The
client gets an in-stream ``error`` event and the stream ends; nothing is lost or held: the
quota reservation is released (no hold drifts), no stream row is left running, and the
worker goes on answering.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.quota.conftest import limiter_config
from tests.support.app import RunningApp, running_app, stub_config

pytestmark = [pytest.mark.xdist_group("quota-app")]
QUOTA = 100_000


@pytest.fixture
async def quota_app(scripted: BackgroundServer, tmp_path: Path) -> AsyncIterator[RunningApp]:
    handlers = {
        "sqlite": {"db_path": str(tmp_path / "quota.db")},
        "limiters": [
            limiter_config("per-user", initial_quota=QUOTA, quota_increase=0, period="1 day")
        ],
    }
    async with running_app(
        stub_config(scripted.base_url, quota_handlers=handlers), tmp_path
    ) as app:
        yield app


async def _available(app: RunningApp) -> int:
    (bucket,) = (await app.client.get("/v1/quotas?user_id=alice")).json()["quotas"]
    return int(bucket["available"])


def _events(body: str) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]


async def test_a_cut_stream_ends_with_an_error_and_holds_nothing(quota_app: RunningApp) -> None:
    client = quota_app.client
    before = await _available(quota_app)
    body = {"query": "[[tokens:50]] [[cut]] Tell me a story", "generate_topic_summary": False}
    reply = await client.post("/v1/streaming_query?user_id=alice", json=body)
    assert reply.status_code == 200  # the stream had started: the failure is in the stream
    events = _events(reply.text)
    assert events[0]["event"] == "start"
    kinds = [e["event"] for e in events]
    assert "error" in kinds
    assert "turn_complete" not in kinds

    running = await quota_app.services.database.run(
        lambda c: c.execute(
            text("SELECT COUNT(*) FROM stream_request WHERE completed_at IS NULL")
        ).scalar_one()
    )
    assert running == 0
    assert await _available(quota_app) == before  # released: nothing held, nothing drifted

    answered = await client.post(
        "/v1/query?user_id=alice", json={"query": "Say hello", "generate_topic_summary": False}
    )
    assert answered.status_code == 200
    assert await _available(quota_app) < before  # the next answer is charged as usual


async def test_a_cut_query_is_a_clear_error_and_holds_nothing(quota_app: RunningApp) -> None:
    before = await _available(quota_app)
    body = {"query": "[[tokens:50]] [[cut]] Tell me a story", "generate_topic_summary": False}
    reply = await quota_app.client.post("/v1/query?user_id=alice", json=body)
    assert reply.status_code in (500, 503)
    detail = reply.json()["detail"]
    assert set(detail) == {"response", "cause"}
    assert await _available(quota_app) == before
