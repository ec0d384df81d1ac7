"""``service.workers: 2`` on PostgreSQL: A2A tasks answer on whichever worker a call lands.

Every call below goes out on a fresh connection, so the kernel spreads them over the two
worker processes; each must succeed wherever it lands: ``tasks/get`` of a running task,
``tasks/cancel`` (the interrupt reaches the worker that runs the model call), and the
cancelled task read back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from a2a.types.a2a_pb2 import CancelTaskRequest, GetTaskRequest, TaskState

from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.a2a.support import SLOW, a2a_config, agent_client, ask, kind, text
from tests.support.postgres import postgres_block
from tests.support.processes import free_port, lightspeed_service

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("workers")]
WORKERS = 2


@pytest.fixture(scope="module")
def service(
    scripted: BackgroundServer, postgres_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``lightspeed-core`` with two workers sharing PostgreSQL; yields its base URL."""
    folder = tmp_path_factory.mktemp("a2a-workers")
    database = {"postgres": postgres_block(postgres_db, namespace=f"a2a_{folder.name[-8:]}")}
    port = free_port()
    config = a2a_config(scripted.base_url, port, database=database, a2a_state=database)
    config["service"]["workers"] = WORKERS
    with lightspeed_service(config, folder) as base:
        yield base


async def fetched_then_cancelled(base: str, user: str) -> list[str]:
    """One slow task: read it and cancel it on fresh connections; its events' kinds."""
    async with agent_client(base, user) as client:
        stream = aiter(client.send_message(ask(SLOW)))
        task_id = (await anext(stream)).task.id
        await anext(stream)  # working: the model call is under way
        for _ in range(2 * WORKERS):
            async with agent_client(base, user, streaming=False) as fresh:
                running = await fresh.get_task(GetTaskRequest(id=task_id))
            assert running.status.state == TaskState.TASK_STATE_WORKING
        async with agent_client(base, user, protocol="0.3", streaming=False) as fresh:
            canceled = await fresh.cancel_task(CancelTaskRequest(id=task_id))
        assert canceled.status.state == TaskState.TASK_STATE_CANCELED
        rest = [event async for event in stream]
    async with agent_client(base, user, streaming=False) as fresh:
        stored = await fresh.get_task(GetTaskRequest(id=task_id))
    assert stored.status.state == TaskState.TASK_STATE_CANCELED
    assert "".join(p.text for p in stored.artifacts[0].parts).endswith(STOPPED_BY_USER)
    assert text(rest[-2]).endswith(STOPPED_BY_USER)
    return [kind(event) for event in rest]


async def test_tasks_are_fetched_and_cancelled_on_any_worker(service: str) -> None:
    runs = await asyncio.gather(
        *(fetched_then_cancelled(service, f"user{n}") for n in range(2 * WORKERS))
    )
    for kinds in runs:
        assert kinds[-2:] == ["artifact", "status:CANCELED"]
