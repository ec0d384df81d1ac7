"""Interrupting streams, through the database registry (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from lightspeed_core.db.tables import StreamRequest
from lightspeed_core.metrics import names
from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.streaming.registry_db import DatabaseStreamRegistry
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.streaming.server import LiveApp, serve, start_stream
from tests.support.app import stub_config

pytestmark = pytest.mark.xdist_group("streaming")
ALICE = {"user_id": "alice"}
BOB = {"user_id": "bob"}
SLOW = {"query": "[[slow:0.2]] [[tokens:50]]", "generate_topic_summary": False}
FULL_TEXT = "".join(f"tok{i} " for i in range(50))


@contextlib.asynccontextmanager
async def two_workers(
    scripted: BackgroundServer, database: dict[str, Any], folder: Path
) -> AsyncIterator[tuple[LiveApp, LiveApp]]:
    """Two service instances sharing one database, like two workers or pods."""
    config = stub_config(scripted.base_url, database=database)
    async with serve(config, folder / "a") as first, serve(config, folder / "b") as second:
        yield first, second


def llm_calls(app: LiveApp) -> float:
    labels = {"provider": "stub", "model": "stub-model", "endpoint": "/v1/streaming_query"}
    return app.services.metrics.registry.get_sample_value(names.LLM_CALLS, labels) or 0.0


async def stream_row(app: LiveApp, request_id: str) -> Any:
    query = select(StreamRequest).where(StreamRequest.request_id == request_id)
    row = await app.services.database.run(lambda connection: connection.execute(query).first())
    assert row is not None
    return row


async def test_interrupt_lands_on_another_worker(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    async with (
        two_workers(scripted, database_block, tmp_path) as (runner, other),
        httpx.AsyncClient(base_url=runner.base_url, timeout=60) as client,
        httpx.AsyncClient(base_url=other.base_url, timeout=60) as elsewhere,
    ):
        stack, stream, start = await start_stream(client, SLOW, ALICE)
        async with stack:
            received = [(await anext(stream))["data"]["token"] for _ in range(2)]
            request_id = start["request_id"]
            foreign = await elsewhere.post(
                "/v1/streaming_query/interrupt", json={"request_id": request_id}, params=BOB
            )
            assert foreign.status_code == 403
            assert foreign.json()["detail"] == {
                "response": "User does not have permission to access this endpoint",
                "cause": "User bob is not authorized to access this endpoint.",
            }
            stopped = await elsewhere.post(
                "/v1/streaming_query/interrupt", json={"request_id": request_id}, params=ALICE
            )
            assert stopped.json() == {
                "request_id": request_id,
                "interrupted": True,
                "message": "Streaming request interrupted",
            }
            rest = [event async for event in stream]
        assert [e["event"] for e in rest[-2:]] == ["token", "interrupted"]
        assert rest[-1]["data"] == {"request_id": request_id}
        assert rest[-2]["data"]["token"] == STOPPED_BY_USER
        received += [e["data"]["token"] for e in rest[:-2]]
        partial = "".join(received)
        assert FULL_TEXT.startswith(partial)
        assert partial != FULL_TEXT
        (turn,) = await runner.services.conversations.turns(start["conversation_id"])
        assert turn.interrupted
        assert turn.response == partial + STOPPED_BY_USER
        assert (await stream_row(runner, request_id)).completed_at is not None
        assert llm_calls(runner) == 1  # an interrupted call still counts, once
        again = await elsewhere.post(
            "/v1/streaming_query/interrupt", json={"request_id": request_id}, params=ALICE
        )
        assert again.json() == {
            "request_id": request_id,
            "interrupted": False,
            "message": "Streaming request already completed; nothing to interrupt",
        }
        registry = runner.services.streams
        assert isinstance(registry, DatabaseStreamRegistry)
        if registry._poller is not None:
            await registry._poller  # it ends by itself once no stream runs
        assert not registry.polling


async def test_unknown_request_is_404(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    config = stub_config(scripted.base_url, database=database_block)
    async with serve(config, tmp_path) as app, httpx.AsyncClient(base_url=app.base_url) as client:
        request_id = str(uuid.uuid4())
        response = await client.post(
            "/v1/streaming_query/interrupt", json={"request_id": request_id}
        )
        assert response.status_code == 404
        assert response.json()["detail"] == {
            "response": "Streaming Request not found",
            "cause": f"Streaming Request with ID {request_id} does not exist",
        }
        invalid = await client.post("/v1/streaming_query/interrupt", json={"id": request_id})
        assert invalid.status_code == 422


async def test_client_disconnect_stores_the_partial_turn(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    config = stub_config(scripted.base_url, database=database_block)
    async with serve(config, tmp_path) as app, httpx.AsyncClient(base_url=app.base_url) as client:
        stack, stream, start = await start_stream(client, SLOW, ALICE)
        async with stack:
            received = "".join([(await anext(stream))["data"]["token"] for _ in range(3)])
        # hung up: the server notices, stops the model call and stores what it had
        for _ in range(600):  # the server finishes the turn in the background
            if (await stream_row(app, start["request_id"])).completed_at is not None:
                break
            await asyncio.sleep(0.05)
        turns = await app.services.conversations.turns(start["conversation_id"])
        assert len(turns) == 1
        assert turns[0].interrupted
        assert turns[0].response.startswith(received)
        assert FULL_TEXT.startswith(turns[0].response)
        assert turns[0].response != FULL_TEXT
        assert llm_calls(app) == 1
