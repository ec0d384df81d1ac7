"""The settle queue: batching, the database away, a rejected item, shutdown (no database)."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.exc import IntegrityError

from lightspeed_core.errors import DatabaseUnavailableError
from lightspeed_core.quota.settles import Settlement, SettleQueue

USER, CLUSTER = ("u", "alice"), ("c", "")


class ScriptedWriter:
    """Records the batches it is given; ``away`` fails them as an unreachable database."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.away = False
        self.rejected: set[str] = set()
        self.written = asyncio.Event()

    async def __call__(self, batch: list[Settlement]) -> None:
        await asyncio.sleep(0)
        if self.away:
            raise DatabaseUnavailableError("The database cannot be reached: refused")
        if any(item.reservation_id in self.rejected for item in batch):
            raise IntegrityError("INSERT", {}, Exception("bad row"))
        self.batches.append([item.reservation_id for item in batch])
        self.written.set()

    @property
    def ids(self) -> list[str]:
        return [rid for batch in self.batches for rid in batch]


def settle(rid: str, used: int = 3, held: int = 10) -> Settlement:
    return Settlement(rid, (CLUSTER, USER), used, None, held)


async def test_settles_that_arrive_together_share_one_write() -> None:
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=0.01)
    for index in range(5):
        queue.put(settle(f"r{index}"))
    assert len(queue) == 5
    await asyncio.wait_for(writer.written.wait(), 5)
    assert writer.batches == [["r0", "r1", "r2", "r3", "r4"]]
    assert len(queue) == 0
    await queue.close()


async def test_a_full_batch_is_written_without_waiting() -> None:
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=3600, batch=3)
    for index in range(3):
        queue.put(settle(f"r{index}"))
    await asyncio.wait_for(writer.written.wait(), 5)  # not after an hour
    assert writer.batches == [["r0", "r1", "r2"]]
    await queue.close()


async def test_settles_wait_while_the_database_is_away_and_none_is_lost_or_repeated() -> None:
    writer = ScriptedWriter()
    writer.away = True
    queue = SettleQueue(writer, delay=0.001, retry_delay=0.01)
    for index in range(4):
        queue.put(settle(f"r{index}"))
    await asyncio.sleep(0.05)  # several attempts fail
    assert len(queue) == 4
    assert not await queue.flush()
    queue.put(settle("r4"))
    writer.away = False
    await asyncio.wait_for(writer.written.wait(), 5)
    assert await queue.flush()
    assert writer.ids == ["r0", "r1", "r2", "r3", "r4"]  # each once (charged once: claims)
    assert len(queue) == 0
    await queue.close()


async def test_an_item_the_database_rejects_does_not_hold_back_the_others() -> None:
    writer = ScriptedWriter()
    writer.rejected = {"r1"}
    queue = SettleQueue(writer, delay=3600)
    for index in range(3):
        queue.put(settle(f"r{index}"))
    assert await queue.flush()
    assert writer.ids == ["r0", "r2"]
    assert len(queue) == 0
    await queue.close()


async def test_close_writes_what_is_queued() -> None:
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=3600)
    for index in range(3):
        queue.put(settle(f"r{index}"))
    assert writer.batches == []
    assert await queue.close() == 0
    assert writer.ids == ["r0", "r1", "r2"]


async def test_close_gives_up_after_its_patience_when_the_database_stays_away() -> None:
    writer = ScriptedWriter()
    writer.away = True
    queue = SettleQueue(writer, delay=3600, retry_delay=0.01)
    queue.put(settle("r0"))
    assert await queue.close(patience=0.05) == 1
    assert writer.batches == []


async def test_what_queued_settles_will_give_back_is_known_until_written() -> None:
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=3600)
    queue.put(settle("r0", used=3, held=10))
    queue.put(Settlement("r1", (USER,), 0, None, 5))  # a release of 5
    async with queue.reading([CLUSTER, USER]) as coming:
        assert coming == {CLUSTER: 7, USER: 12}
    assert await queue.flush()
    async with queue.reading([CLUSTER, USER]) as coming:
        assert coming == {CLUSTER: 0, USER: 0}
    await queue.close()


async def test_no_batch_is_written_while_a_reservation_reads() -> None:
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=3600)
    queue.put(settle("r0"))
    async with queue.reading([USER]) as coming:
        flushing = asyncio.ensure_future(queue.flush())
        await asyncio.sleep(0.01)
        assert writer.batches == []  # the batch waits for the reservation
        assert coming == {USER: 7}
    assert await flushing
    assert writer.ids == ["r0"]
    await queue.close()


async def test_settles_queued_while_a_batch_is_written_wait_for_the_next_batch() -> None:
    """A steady trickle still shares transactions: a flush writes what was queued when called."""
    writer = ScriptedWriter()
    queue = SettleQueue(writer, delay=3600)
    arrivals = iter(["r1", "r2"])

    async def write_and_receive_more(batch: list[Settlement]) -> None:
        await writer(batch)
        next_id = next(arrivals, None)
        if next_id is not None:
            queue.put(settle(next_id))  # a request settles while the batch is written

    queue.write = write_and_receive_more
    queue.put(settle("r0"))
    assert await queue.flush()
    assert writer.batches == [["r0"]]
    assert len(queue) == 1  # r1 waits for the next batch instead of a transaction of its own
    assert await queue.close() == 0  # close writes r1, and r2 that arrived while it did
    assert writer.batches == [["r0"], ["r1"], ["r2"]]
    assert len(queue) == 0


class SlowWriter(ScriptedWriter):
    """A write that runs until ``done`` is set and lands even if its caller is cancelled, as
    a statement the server already runs (or SQLite's writer thread) does."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.done = asyncio.Event()
        self.statements: set[asyncio.Task[None]] = set()

    async def __call__(self, batch: list[Settlement]) -> None:
        self.started.set()
        statement = asyncio.create_task(self._run(batch))
        self.statements.add(statement)
        await asyncio.shield(statement)

    async def _run(self, batch: list[Settlement]) -> None:
        await self.done.wait()
        await super().__call__(batch)


async def test_close_lets_a_batch_being_written_finish_instead_of_writing_it_twice() -> None:
    """Cancelling the flusher mid-write left the batch queued as never written: close() wrote
    it again as a first attempt, and a first attempt is charged even when its holds are gone."""
    writer = SlowWriter()
    queue = SettleQueue(writer, delay=0)
    queue.put(settle("r0"))
    await asyncio.wait_for(writer.started.wait(), 5)
    closing = asyncio.create_task(queue.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # waits for the batch in flight
    writer.done.set()
    assert await asyncio.wait_for(closing, 5) == 0
    assert writer.batches == [["r0"]]
    assert len(queue) == 0


async def test_a_flush_cancelled_mid_write_leaves_its_batch_queued_as_a_retry() -> None:
    """A request cancelled while its flush writes (a client gone): the write may still land."""
    writer = SlowWriter()
    queue = SettleQueue(writer, delay=3600)
    queue.put(settle("r0", used=3, held=10))
    flushing = asyncio.create_task(queue.flush())
    await asyncio.wait_for(writer.started.wait(), 5)
    flushing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    assert len(queue) == 1
    async with queue.reading([USER]) as coming:
        assert coming == {USER: 7}
    writer.done.set()
    assert await queue.close() == 0
    # the cancelled write landed, then the same settle again: its claim makes it charge
    # nothing (tests/integration/quota/test_settle_claims.py)
    assert writer.ids == ["r0", "r0"]
