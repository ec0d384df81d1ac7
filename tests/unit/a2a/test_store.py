"""The task store's rules, on memory and on SQLite (PostgreSQL: tests/integration/a2a)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from lightspeed_core.a2a.store import A2AStore, MemoryA2AStore, StoredTask
from lightspeed_core.a2a.store_db import DatabaseA2AStore
from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.db.pool import DatabasePool

TASK = StoredTask("t1", "alice", "ctx", "submitted", {"id": "t1", "contextId": "ctx"})


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[A2AStore]:
    if request.param == "memory":
        yield MemoryA2AStore()
        return
    pool = DatabasePool()
    database = await pool.get(SQLiteDatabaseConfiguration(db_path=tmp_path / "a2a.db"))
    try:
        yield DatabaseA2AStore(database)
    finally:
        await pool.close()


async def test_tasks_belong_to_their_owner(store: A2AStore) -> None:
    await store.put(TASK)
    assert await store.get("t1", "alice") == TASK
    assert await store.get("t1", "bob") is None
    assert await store.get("t2", "alice") is None


async def test_update_never_reopens_an_ended_task(store: A2AStore) -> None:
    await store.put(TASK)
    working = replace(TASK, state="working", request_id="r1", task={"id": "t1", "n": 2})
    assert await store.update(working)
    assert await store.get("t1", "alice") == working
    assert await store.update(replace(working, state="canceled"))
    assert not await store.update(replace(working, state="completed"))
    stored = await store.get("t1", "alice")
    assert stored is not None
    assert stored.state == "canceled"
    assert not await store.update(replace(TASK, task_id="missing"))


async def test_cancel_idle_only_when_no_run_works_on_the_task(store: A2AStore) -> None:
    await store.put(TASK)
    assert await store.cancel_idle(replace(TASK, state="canceled"))
    assert not await store.cancel_idle(replace(TASK, state="canceled"))  # ended already
    await store.put(replace(TASK, task_id="t2", state="working", request_id="r2"))
    assert not await store.cancel_idle(replace(TASK, task_id="t2", state="canceled"))
    running = await store.get("t2", "alice")
    assert running is not None
    assert running.state == "working"


async def test_list_newest_first_per_user_and_context(store: A2AStore) -> None:
    for n in range(3):
        await store.put(replace(TASK, task_id=f"t{n}", context_id=f"c{n % 2}"))
    await store.put(replace(TASK, task_id="b", user_id="bob"))
    assert [t.task_id for t in await store.list("alice", None, 10)] == ["t2", "t1", "t0"]
    assert [t.task_id for t in await store.list("alice", "c0", 10)] == ["t2", "t0"]
    assert [t.task_id for t in await store.list("alice", None, 1)] == ["t2"]


async def test_contexts_are_per_user(store: A2AStore) -> None:
    assert await store.conversation("alice", "ctx") is None
    await store.bind("alice", "ctx", "conv-a")
    await store.bind("bob", "ctx", "conv-b")
    assert await store.conversation("alice", "ctx") == "conv-a"
    assert await store.conversation("bob", "ctx") == "conv-b"
    await store.bind("alice", "ctx", "conv-c")
    assert await store.conversation("alice", "ctx") == "conv-c"


async def test_a_task_and_its_context_in_one_write(store: A2AStore) -> None:
    await store.put(TASK, "conv-t")
    assert await store.get("t1", "alice") == TASK
    assert await store.conversation("alice", "ctx") == "conv-t"
