"""``in_own_task``: a stream iterated and closed by one dedicated task."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from lightspeed_core.llm.own_task import in_own_task


class Source:
    """An async generator that records the task it runs and closes in."""

    def __init__(self, items: int, fail: bool = False) -> None:
        self.items = items
        self.fail = fail
        self.tasks: set[asyncio.Task[object] | None] = set()
        self.closed_in: asyncio.Task[object] | None = None

    async def run(self) -> AsyncIterator[int]:
        try:
            for n in range(self.items):
                self.tasks.add(asyncio.current_task())
                yield n
                await asyncio.sleep(0)
            if self.fail:
                raise ValueError("boom")
        finally:
            self.closed_in = asyncio.current_task()


async def test_items_come_from_one_other_task() -> None:
    source = Source(3)
    got = [item async for item in in_own_task(source.run())]
    assert got == [0, 1, 2]
    [runner] = source.tasks
    assert runner is not asyncio.current_task()
    assert source.closed_in is runner


async def test_errors_reach_the_consumer() -> None:
    source = Source(1, fail=True)
    with pytest.raises(ValueError, match="boom"):
        async for _ in in_own_task(source.run()):
            pass


async def test_stopping_early_closes_the_source_in_its_task() -> None:
    source = Source(100)
    async with contextlib.aclosing(in_own_task(source.run())) as events:
        async for item in events:
            if item == 1:
                break
    [runner] = source.tasks
    assert source.closed_in is runner


async def test_consumers_in_changing_tasks() -> None:
    """The interruptible stream reads each event in a task of its own."""
    source = Source(3)
    events = in_own_task(source.run())
    got = [await asyncio.ensure_future(anext(events)) for _ in range(3)]
    await events.aclose()
    assert got == [0, 1, 2]
    assert len(source.tasks) == 1
