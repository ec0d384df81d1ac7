"""``Refreshing``: fresh, stale-while-revalidate and single-flight reads."""

from __future__ import annotations

import asyncio

import pytest

from lightspeed_core.refreshing import Refreshing


class Source:
    """A slow read: gated, counted, able to fail; returns ``read-<n>``."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail: Exception | None = None

    async def read(self) -> str:
        self.calls += 1
        n = self.calls
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return f"read-{n}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(source: Source, clock: Clock) -> Refreshing[str]:
    return Refreshing(source.read, ttl=10, max_stale=30, what="thing", clock=clock)


async def test_fresh_value_is_served_from_memory() -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    assert await value.get() == "read-1"
    clock.now += 9
    assert await value.get() == "read-1"
    assert source.calls == 1


async def test_concurrent_first_calls_share_one_read() -> None:
    source, clock = Source(), Clock()
    source.gate.clear()
    value = make(source, clock)
    waiting = [asyncio.create_task(value.get()) for _ in range(50)]
    await asyncio.sleep(0.01)
    source.gate.set()
    assert await asyncio.gather(*waiting) == ["read-1"] * 50
    assert source.calls == 1


async def test_stale_value_is_served_while_one_refresh_runs() -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    await value.get()
    clock.now += 11
    source.gate.clear()
    assert [await value.get() for _ in range(20)] == ["read-1"] * 20  # nobody waits
    await asyncio.sleep(0)
    assert source.calls == 2  # one background refresh, not twenty
    source.gate.set()
    await asyncio.sleep(0.01)
    assert await value.get() == "read-2"
    assert source.calls == 2


async def test_too_old_value_is_read_before_answering() -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    await value.get()
    clock.now += 31
    assert await value.get() == "read-2"


async def test_failed_first_read_reaches_every_waiter_and_is_retried() -> None:
    source, clock = Source(), Clock()
    source.fail = RuntimeError("backend down")
    value = make(source, clock)
    outcomes = await asyncio.gather(*(value.get() for _ in range(5)), return_exceptions=True)
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert source.calls == 1
    await asyncio.sleep(0)
    source.fail = None
    assert await value.get() == "read-2"


async def test_failed_background_refresh_keeps_the_stale_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    await value.get()
    clock.now += 11
    source.fail = RuntimeError("backend down")
    assert await value.get() == "read-1"
    await asyncio.sleep(0.01)
    assert "refreshing thing failed: backend down" in caplog.text
    assert await value.get() == "read-1"  # still stale: refreshed again
    await asyncio.sleep(0)
    assert source.calls == 3


async def test_cancelled_caller_does_not_cancel_the_shared_read() -> None:
    source, clock = Source(), Clock()
    source.gate.clear()
    value = make(source, clock)
    first = asyncio.create_task(value.get())
    second = asyncio.create_task(value.get())
    await asyncio.sleep(0.01)
    first.cancel()
    source.gate.set()
    assert await second == "read-1"
    assert source.calls == 1


async def test_fresh_ignores_a_read_that_started_before_it() -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    await value.get()
    clock.now += 11
    source.gate.clear()
    await value.get()  # starts background read-2 (say, before a row was inserted)
    await asyncio.sleep(0)
    newer = asyncio.create_task(value.fresh())  # read-3 (after the insert)
    await asyncio.sleep(0)
    source.gate.set()
    assert await newer == "read-3"
    await asyncio.sleep(0.01)
    assert await value.get() == "read-3"  # read-2 finishing late did not overwrite it


async def test_invalidate_forces_a_read_and_close_stops_a_refresh() -> None:
    source, clock = Source(), Clock()
    value = make(source, clock)
    await value.get()
    value.invalidate()
    assert await value.get() == "read-2"
    clock.now += 11
    source.gate.clear()
    await value.get()
    await value.close()
    source.gate.set()
    await asyncio.sleep(0.01)
    assert await value.get() == "read-2"  # the cancelled refresh stored nothing
