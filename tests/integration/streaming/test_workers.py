"""``service.workers: 4``: interrupts and the feedback toggle work whichever worker answers.

Every request below that must reach "some other" worker goes out on a fresh connection;
the kernel spreads connections over the four processes, so a request lands on the
stream's worker only by chance, and each must succeed wherever it lands.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.streaming.server import start_stream
from tests.support.app import stub_config
from tests.support.postgres import postgres_block
from tests.support.processes import free_port, lightspeed_service

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workers")]
WORKERS = 4
SLOW = {"query": "[[slow:0.2]] [[tokens:50]]", "generate_topic_summary": False}
ADMINS = {"access_rules": [{"role": "*", "actions": ["admin"]}]}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def service(
    request: pytest.FixtureRequest,
    scripted: BackgroundServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """``lightspeed-core`` with four workers sharing one database; yields its base URL."""
    folder = tmp_path_factory.mktemp(f"workers-{request.param}")
    if request.param == "sqlite":
        database: dict[str, Any] = {"sqlite": {"db_path": str(folder / "shared.db")}}
    else:
        name: str = request.getfixturevalue("postgres_db")
        database = {"postgres": postgres_block(name, namespace=f"w_{folder.name[-8:]}")}
    port = free_port()
    config = stub_config(
        scripted.base_url,
        service={"port": port, "workers": WORKERS},
        database=database,
        authorization=ADMINS,
        user_data_collection={
            "feedback_enabled": True,
            "feedback_storage": str(folder / "feedback"),
        },
    )
    with lightspeed_service(config, folder) as base:
        yield base


async def fresh(base: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on its own connection."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        return await client.request(method, path, **kwargs)


async def interrupted_stream(base: str, user: dict[str, str]) -> AsyncIterator[str]:
    """Run one slow stream, interrupt it from a fresh connection, yield its event names."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        stack, stream, start = await start_stream(client, SLOW, user)
        async with stack:
            await anext(stream)  # a token: the model call is under way
            stopped = await fresh(
                base,
                "POST",
                "/v1/streaming_query/interrupt",
                json={"request_id": start["request_id"]},
                params=user,
            )
            assert stopped.status_code == 200, stopped.text
            assert stopped.json()["interrupted"] is True
            async for event in stream:
                if event["event"] == "token" and event["data"]["token"] == STOPPED_BY_USER:
                    yield "closing"
                else:
                    yield event["event"]


async def test_interrupts_reach_the_stream_on_any_worker(service: str) -> None:
    async def one(n: int) -> list[str]:
        return [name async for name in interrupted_stream(service, {"user_id": f"user{n}"})]

    runs = await asyncio.gather(*(one(n) for n in range(2 * WORKERS)))
    for names in runs:
        assert names[-2:] == ["closing", "interrupted"]
        assert "end" not in names


async def test_feedback_toggle_is_shared_by_all_workers(service: str) -> None:
    reply = await fresh(service, "POST", "/v1/query", json={"query": "Say hello"})
    cid = reply.json()["conversation_id"]
    feedback = {
        "conversation_id": cid,
        "user_question": "Say hello",
        "llm_response": "Hello from stub",
        "sentiment": 1,
    }
    for enabled in (False, True, False):
        changed = await fresh(service, "PUT", "/v1/feedback/status", json={"status": enabled})
        assert changed.json()["status"]["updated_status"] is enabled
        statuses = await asyncio.gather(
            *(fresh(service, "GET", "/v1/feedback/status") for _ in range(4 * WORKERS))
        )
        assert {r.json()["status"]["enabled"] for r in statuses} == {enabled}
        stored = await asyncio.gather(
            *(fresh(service, "POST", "/v1/feedback", json=feedback) for _ in range(2 * WORKERS))
        )
        assert {r.status_code for r in stored} == {200 if enabled else 403}
