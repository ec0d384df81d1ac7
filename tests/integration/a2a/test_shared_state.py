"""A task started on one instance is fetched, followed and cancelled through another.

Two service instances share the main database (stream registry, conversations) and the
``a2a_state`` database, like two workers or pods - on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    GetTaskRequest,
    SubscribeToTaskRequest,
    TaskState,
)
from a2a.utils.errors import TaskNotFoundError

from lightspeed_core.a2a.store_db import DatabaseA2AStore
from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.a2a.support import (
    FULL_TEXT,
    SLOW,
    a2a_config,
    agent_client,
    ask,
    conversation_of,
    kind,
    text,
)
from tests.integration.streaming.server import LiveApp, serve
from tests.support.processes import free_port

pytestmark = pytest.mark.xdist_group("a2a")


@contextlib.asynccontextmanager
async def two_instances(
    scripted: BackgroundServer, database: dict[str, Any], folder: Path
) -> AsyncIterator[tuple[LiveApp, LiveApp]]:
    ports = free_port(), free_port()
    configs = [
        a2a_config(scripted.base_url, port, database=database, a2a_state=database) for port in ports
    ]
    async with (
        serve(configs[0], folder / "a", ports[0]) as first,
        serve(configs[1], folder / "b", ports[1]) as second,
    ):
        yield first, second


async def test_a_task_is_fetched_and_cancelled_through_another_instance(
    scripted: BackgroundServer, database_block: dict[str, Any], tmp_path: Path
) -> None:
    async with (
        two_instances(scripted, database_block, tmp_path) as (runner, other),
        agent_client(runner.base_url) as here,
        agent_client(other.base_url, streaming=False) as there,
        agent_client(other.base_url, "bob", streaming=False) as bob,
        agent_client(other.base_url, protocol="0.3") as there03,
    ):
        assert isinstance(runner.services.a2a.store, DatabaseA2AStore)
        stream = aiter(here.send_message(ask(SLOW)))
        task_id = (await anext(stream)).task.id
        received = [text(e) for e in [await anext(stream), await anext(stream)][1:]]
        running = await there.get_task(GetTaskRequest(id=task_id))
        assert running.status.state == TaskState.TASK_STATE_WORKING
        assert task_id not in other.services.a2a.live  # answered from the shared store
        with pytest.raises(TaskNotFoundError):
            await bob.get_task(GetTaskRequest(id=task_id))
        with pytest.raises(TaskNotFoundError):
            await bob.cancel_task(CancelTaskRequest(id=task_id))
        followed = aiter(there03.subscribe(SubscribeToTaskRequest(id=task_id)))
        assert kind(await anext(followed)) == "task"
        canceled = await there.cancel_task(CancelTaskRequest(id=task_id))
        assert canceled.status.state == TaskState.TASK_STATE_CANCELED
        rest = [event async for event in stream]
        tail = [event async for event in followed]
        (turn,) = await runner.services.conversations.turns(conversation_of(canceled))
    assert [kind(e) for e in rest][-2:] == ["artifact", "status:CANCELED"]
    assert [kind(e) for e in tail] == ["artifact", "status:CANCELED"]
    partial = text(rest[-2])
    assert text(tail[0]) == partial
    assert partial.startswith("".join(received))
    assert partial.endswith(STOPPED_BY_USER)
    assert FULL_TEXT.startswith(partial.removesuffix(STOPPED_BY_USER))
    assert partial.removesuffix(STOPPED_BY_USER) != FULL_TEXT
    assert turn.interrupted
    assert turn.response == partial
