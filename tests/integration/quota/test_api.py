"""Quotas through the real service: reservations, 429 bodies, available_quotas, admin API."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.quota.ratelimit import RedisRateLimiter
from lightspeed_core.quota.service import SqlQuota
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

from .conftest import limiter_config

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("quota-app")]


def quota_config(base_url: str, block: dict[str, Any], **extra: Any) -> dict[str, Any]:
    handlers = {
        **block,
        "limiters": [
            limiter_config("per-user", initial_quota=400, quota_increase=0, period="1 day"),
            limiter_config("everyone", "cluster_limiter", initial_quota=10**6, period="1 day"),
        ],
        "enable_token_history": True,
        "default_output_tokens": 50,
        **extra,
    }
    return stub_config(
        base_url,
        quota_handlers=handlers,
        authorization={"access_rules": [{"role": "*", "actions": ["admin"]}]},
    )


@pytest.fixture
async def quota_app(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> AsyncIterator[RunningApp]:
    async with running_app(quota_config(scripted.base_url, database_block), tmp_path) as app:
        yield app


def ask(text: str, **extra: Any) -> dict[str, Any]:
    return {"query": text, "generate_topic_summary": False, **extra}


async def test_quota_lifecycle(quota_app: RunningApp, scripted: BackgroundServer) -> None:
    client = quota_app.client
    reply = await client.post("/v1/query?user_id=alice", json=ask("Say hello"))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    used = body["input_tokens"] + body["output_tokens"]
    quotas = body["available_quotas"]
    assert quotas["per-user"] == quotas["UserQuotaLimiter"] == 400 - used
    assert quotas["everyone"] == quotas["ClusterQuotaLimiter"] == 10**6 - used

    # the streaming end event carries the same map beside "data"
    streamed = await client.post("/v1/streaming_query?user_id=alice", json=ask("Say hello"))
    events = [json.loads(line[6:]) for line in streamed.text.splitlines() if line]
    end = events[-1]
    assert end["event"] == "end"
    assert end["available_quotas"]["per-user"] == 400 - 2 * used

    # a failed model call gives the whole reservation back
    failed = await client.post("/v1/query?user_id=alice", json=ask("[[error:500]] hi"))
    assert failed.status_code == 500
    own = (await client.get("/v1/quotas?user_id=alice")).json()
    mine = {q["limiter"]: q for q in own["quotas"]}
    assert mine["per-user"]["available"] == 400 - 2 * used
    assert mine["per-user"]["reserved"] == 0
    assert mine["everyone"]["shared"] is True

    # a request that cannot fit (not even its input and a 16-token answer) is refused
    # before the model is called
    await client.put("/v1/quotas/alice", json={"limiter": "per-user", "available": 10})
    calls = len(scripted.backend.requests)
    refused = await client.post("/v1/query?user_id=alice", json=ask("Say hello"))
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert detail["response"] == "The quota has been exceeded"
    assert detail["cause"].startswith("User alice has 10 tokens, but ")
    assert detail["cause"].endswith(" tokens are needed")
    assert len(scripted.backend.requests) == calls

    await client.put("/v1/quotas/alice", json={"limiter": "per-user", "available": 0})
    empty = await client.post("/v1/query?user_id=alice", json=ask("Say hello"))
    assert empty.json()["detail"]["cause"] == "User alice has no available tokens"

    usage = (await client.get("/v1/token-usage?user_id=alice")).json()
    assert usage["user_id"] == "alice"
    (entry,) = usage["usage"]
    assert (entry["provider"], entry["model"]) == ("stub", "stub-model")
    assert entry["input_tokens"] + entry["output_tokens"] == 2 * used
    metrics = (await client.get("/metrics")).text
    assert 'ls_quota_exceeded_total{limiter="per-user",subject_type="user"} 2.0' in metrics
    consumed = (
        f'ls_quota_tokens_consumed_total{{limiter="per-user",subject_type="user"}} {2 * used}'
    )
    assert consumed in metrics


async def test_admin_changes_a_subject(quota_app: RunningApp) -> None:
    client = quota_app.client
    changed = await client.put(
        "/v1/quotas/bob", json={"limiter": "per-user", "quota_limit": 900, "available": 850}
    )
    assert changed.status_code == 200, changed.text
    bob = {q["limiter"]: q for q in changed.json()["quotas"]}["per-user"]
    assert (bob["quota_limit"], bob["available"], bob["limit_overridden"]) == (900, 850, True)
    seen = (await client.get("/v1/quotas/bob")).json()
    assert seen == changed.json()
    unknown = await client.put("/v1/quotas/bob", json={"limiter": "nope", "available": 1})
    assert unknown.status_code == 404
    assert unknown.json()["detail"]["response"] == "Quota limiter not found"
    nothing = await client.put("/v1/quotas/bob", json={"limiter": "per-user"})
    assert nothing.status_code == 422
    assert (await client.get("/v1/token-usage/bob")).json() == {"user_id": "bob", "usage": []}


async def test_admin_routes_need_admin(scripted: BackgroundServer, tmp_path: Path) -> None:
    block = {"sqlite": {"db_path": str(tmp_path / "quota.db")}}
    config = quota_config(scripted.base_url, block)
    config["authorization"] = {"access_rules": [{"role": "*", "actions": ["query"]}]}
    async with running_app(config, tmp_path) as app:
        client = app.client
        assert (await client.get("/v1/quotas")).status_code == 200
        assert (await client.get("/v1/token-usage")).status_code == 200
        assert (await client.get("/v1/quotas/bob")).status_code == 403
        assert (await client.get("/v1/token-usage/bob")).status_code == 403
        put = await client.put("/v1/quotas/bob", json={"limiter": "per-user", "available": 1})
        assert put.status_code == 403


async def _limited(app: RunningApp) -> None:
    quota = app.services.quota
    assert isinstance(quota, SqlQuota)
    quota.clock = lambda: 1_800_000_030.0  # mid-minute: the window cannot roll over
    client = app.client
    for _ in range(2):
        assert (await client.post("/v1/query?user_id=carol", json=ask("hi"))).status_code == 200
    third = await client.post("/v1/query?user_id=carol", json=ask("hi"))
    assert third.status_code == 429
    assert third.json()["detail"] == {
        "response": "The request rate limit has been exceeded",
        "cause": "User carol has made more than 2 requests this minute",
    }
    assert 1 <= int(third.headers["retry-after"]) <= 60
    assert (await client.post("/v1/query?user_id=dave", json=ask("hi"))).status_code == 200
    assert "ls_rate_limited_total 1.0" in (await client.get("/metrics")).text


async def test_request_rate_limit_in_the_quota_database(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    config = stub_config(
        scripted.base_url,
        quota_handlers={**database_block, "rate_limit": {"requests_per_minute": 2}},
    )
    async with running_app(config, tmp_path) as app:
        await _limited(app)


@pytest.mark.redis
async def test_request_rate_limit_in_redis(scripted: BackgroundServer, tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/0"
    config = stub_config(
        scripted.base_url,
        quota_handlers={"rate_limit": {"requests_per_minute": 2, "redis_url": url}},
    )
    async with running_app(config, tmp_path) as app:
        quota = app.services.quota
        assert isinstance(quota, SqlQuota)
        assert quota.rate is not None
        limiter = quota.rate[0]
        assert isinstance(limiter, RedisRateLimiter)
        limiter.prefix = f"lightspeed-test:{uuid.uuid4().hex}:"  # isolated from other runs
        await _limited(app)
