"""A small quota serves about its size in answers, never more (issue 14, item 10).

A ``user_limiter`` of 200 tokens and the default ``default_output_tokens`` (1,024): the full
reservation never fits, so each request reserves what is left and the model's output is
capped to it. Concurrent requests beyond what is left get 429 until the running one settles.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

from .conftest import limiter_config

pytestmark = [pytest.mark.xdist_group("quota-app")]
QUOTA = 200


@pytest.fixture
async def small_quota_app(scripted: BackgroundServer, tmp_path: Path) -> AsyncIterator[RunningApp]:
    handlers = {
        "sqlite": {"db_path": str(tmp_path / "quota.db")},
        "limiters": [
            limiter_config("per-user", initial_quota=QUOTA, quota_increase=0, period="1 day")
        ],
    }
    config = stub_config(scripted.base_url, quota_handlers=handlers)
    async with running_app(config, tmp_path) as app:
        yield app


def ask(text: str) -> dict[str, Any]:
    return {"query": text, "generate_topic_summary": False}


async def _left(app: RunningApp) -> int:
    own = (await app.client.get("/v1/quotas?user_id=alice")).json()
    (bucket,) = own["quotas"]
    return int(bucket["available"])


async def test_a_small_quota_serves_about_its_size(
    small_quota_app: RunningApp, scripted: BackgroundServer
) -> None:
    client = small_quota_app.client
    replies = await asyncio.gather(
        *(client.post("/v1/query?user_id=alice", json=ask("Say hello")) for _ in range(40))
    )
    answered = [r.json() for r in replies if r.status_code == 200]
    assert answered  # not everything is refused
    assert {r.status_code for r in replies} <= {200, 429}
    for refused in (r for r in replies if r.status_code == 429):
        assert refused.json()["detail"]["response"] == "The quota has been exceeded"
    spent = sum(a["input_tokens"] + a["output_tokens"] for a in answered)
    assert await _left(small_quota_app) == QUOTA - spent

    # asked one at a time, long answers are capped to what is left, until nothing is
    long_answer = "[[tokens:400]] Tell me a long story"
    for _ in range(QUOTA):  # bounded; every answer spends at least one token
        reply = await client.post("/v1/query?user_id=alice", json=ask(long_answer))
        if reply.status_code == 429:
            break
        assert reply.status_code == 200, reply.text
        spent += reply.json()["input_tokens"] + reply.json()["output_tokens"]
    else:
        raise AssertionError("the quota never ran out")
    assert spent <= QUOTA  # served about its size, never more
    assert spent >= QUOTA - 40  # and most of it was usable
    cause = reply.json()["detail"]["cause"]
    assert cause.startswith("User alice has ")
    assert cause.endswith(" tokens are needed") or cause.endswith(" no available tokens")
    last = scripted.backend.requests[-1]
    assert (last.get("max_tokens") or last.get("max_completion_tokens") or 0) <= QUOTA
