"""The batched file writer behind transcripts, over a fake disk (no timing asserted)."""

from __future__ import annotations

import asyncio

import pytest

from lightspeed_core.testing.files import FakeDisk
from lightspeed_core.transcripts.batch import FileBatcher, PendingFile

Failures = list[tuple[PendingFile, Exception]]


def item(n: int, folder: str = "f") -> PendingFile:
    return PendingFile(folder, f"{n}.json", f'{{"n": {n}}}'.encode())


def batcher(disk: FakeDisk, failures: Failures, linger: float = 0.002) -> FileBatcher:
    return FileBatcher(disk.write, failures.extend, linger=linger)


def new_failures() -> Failures:
    return []


async def spin(times: int = 20) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


async def test_put_returns_before_the_file_is_written_and_flush_writes_it() -> None:
    disk, failures = FakeDisk(), new_failures()
    files = batcher(disk, failures)
    disk.gate.clear()
    await files.put(item(1))  # returns although the disk holds every write
    assert disk.files == {}
    disk.gate.set()
    await files.flush()
    assert disk.files == {("f", "1.json"): b'{"n": 1}'}
    assert (files.written, files.batches, failures) == (1, 1, [])


async def test_files_that_arrive_while_a_batch_is_written_share_the_next_thread_hop() -> None:
    disk, failures = FakeDisk(), new_failures()
    files = batcher(disk, failures, linger=0)
    disk.gate.clear()
    await files.put(item(0))
    await asyncio.to_thread(disk.entered.wait)  # the first batch is in its thread, held
    for n in range(1, 101):
        await files.put(item(n))
    disk.gate.set()
    await files.flush()
    assert disk.order == [f"{n}.json" for n in range(101)]  # every file, in order
    assert files.batches == 3  # [0], then 64 and 36 (MAX_BATCH), not one hop per file
    assert failures == []


async def test_a_failed_file_is_reported_and_the_rest_of_its_batch_is_written() -> None:
    disk, failures = FakeDisk(failing=("readonly",)), new_failures()
    files = batcher(disk, failures)
    for n in range(3):
        await files.put(item(n, "readonly" if n == 1 else "ok"))
    await files.flush()
    assert sorted(disk.order) == ["0.json", "2.json"]
    ((failed, error),) = failures
    assert failed == item(1, "readonly")
    assert isinstance(error, PermissionError)
    assert files.written == 2


async def test_a_full_queue_makes_the_next_put_wait_instead_of_dropping() -> None:
    disk, failures = FakeDisk(), new_failures()
    files = FileBatcher(disk.write, failures.extend, queue_size=2, linger=0)
    disk.gate.clear()
    await files.put(item(0))
    await asyncio.to_thread(disk.entered.wait)  # taken off the queue, held in the thread
    await files.put(item(1))  # two files waiting to be written: the queue is full
    third = asyncio.create_task(files.put(item(2)))
    await spin()
    assert not third.done()  # backpressure: the turn waits for room
    assert files.pending == 2
    disk.gate.set()
    await third
    await files.flush()
    assert disk.order == ["0.json", "1.json", "2.json"]


async def test_close_writes_everything_queued_even_while_lingering() -> None:
    disk, failures = FakeDisk(), new_failures()
    files = batcher(disk, failures, linger=3600)  # would wait an hour for a batch to fill
    for n in range(10):
        await files.put(item(n))
    await spin()
    assert disk.files == {}  # still lingering
    await files.close()
    assert len(disk.files) == 10
    await files.put(item(10))  # after the shutdown: written at once, not queued
    assert ("f", "10.json") in disk.files
    assert files.pending == 0


async def test_flush_without_a_running_writer_writes_what_is_queued() -> None:
    disk, failures = FakeDisk(), new_failures()
    files = batcher(disk, failures)
    await files.flush()  # nothing queued, nothing started
    await files.close()
    await files.close()  # idempotent
    assert files.batches == 0


async def test_a_failing_failure_report_does_not_stop_the_writer() -> None:
    disk = FakeDisk(failing=("bad",))

    def explode(_failures: Failures) -> None:
        raise RuntimeError("metrics broken")

    files = FileBatcher(disk.write, explode, linger=0)
    await files.put(item(1, "bad"))
    await files.flush()
    await files.put(item(2))
    await files.flush()
    assert disk.order == ["2.json"]


def test_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        FileBatcher(FakeDisk().write, print, queue_size=0)
