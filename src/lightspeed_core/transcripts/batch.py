"""Files written behind the request: a bounded queue, drained in batches, one thread hop each.

:meth:`FileBatcher.put` queues a file and returns at once; it waits only while the queue is
full (backpressure: a file is never dropped). One task takes the first queued file, lets
more arrive for ``linger`` seconds, and writes up to ``max_batch`` of them in one worker
thread (a thread hop costs more CPU than writing a small file). Each file is written as
before (a temporary name, then a rename; no ``fsync``). A file that cannot be written is
handed to ``on_failure`` (logged and counted by the owner) and the batch goes on.

:meth:`FileBatcher.flush` waits until everything queued so far is written; :meth:`close`
(the lifespan's shutdown) flushes and stops the task, after which :meth:`put` writes at
once, so a turn that ends after the shutdown still gets its file. What a killed process
(SIGKILL, a crash) had queued is lost: at most ``linger`` plus one batch of files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
QUEUE_SIZE = 1024  # files waiting at most; a full queue makes the next turn wait
MAX_BATCH = 64  # files per thread hop
LINGER = 0.005  # seconds the first file of a batch waits for others


@dataclass(frozen=True, slots=True)
class PendingFile:
    """One file to write: its folder, its name and its bytes."""

    folder: str
    name: str
    data: bytes


WriteFile = Callable[[str, str, bytes], object]
Failures = Callable[[list[tuple[PendingFile, Exception]]], None]


class FileBatcher:
    """Writes queued files in batches with ``write_file`` (blocking; run in a thread)."""

    def __init__(
        self,
        write_file: WriteFile,
        on_failure: Failures,
        *,
        queue_size: int = QUEUE_SIZE,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER,
    ) -> None:
        if queue_size < 1 or max_batch < 1:
            raise ValueError("queue_size and max_batch must be positive")
        self._write_file = write_file
        self._on_failure = on_failure
        self.max_batch = max_batch
        self.linger = linger
        self._queue: asyncio.Queue[PendingFile] = asyncio.Queue(maxsize=queue_size)
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._flushing = 0  # flushes waiting: no lingering meanwhile
        self._waiter: asyncio.Future[None] | None = None  # the linger in progress
        self.batches = 0  # thread hops so far
        self.written = 0  # files written so far

    @property
    def pending(self) -> int:
        """Files queued and not yet written."""
        return self._queue.qsize()

    async def put(self, item: PendingFile) -> None:
        """Queue ``item`` (waits while the queue is full); after :meth:`close`, write it now."""
        if self._closed:
            await self._write([item])
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="file-batcher")
        await self._queue.put(item)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            try:
                if (
                    self.linger > 0
                    and not self._flushing
                    and self._queue.qsize() < self.max_batch - 1
                ):
                    await self._linger()
                while len(batch) < self.max_batch and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._write(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _linger(self) -> None:
        """Wait ``linger`` seconds for more files, or less if a flush asks (no extra task)."""
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(self.linger, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def _write(self, batch: list[PendingFile]) -> None:
        try:
            failures = await asyncio.to_thread(self._write_all, batch)
        except Exception as error:  # the thread could not run (interpreter shutting down)
            failures = [(item, error) for item in batch]
        self.batches += 1
        self.written += len(batch) - len(failures)
        if failures:
            try:
                self._on_failure(failures)
            except Exception:  # reporting must never stop the writer
                log.exception("reporting %d unwritten files failed", len(failures))

    def _write_all(self, batch: list[PendingFile]) -> list[tuple[PendingFile, Exception]]:
        failures: list[tuple[PendingFile, Exception]] = []
        for item in batch:
            try:
                self._write_file(item.folder, item.name, item.data)
            except Exception as error:
                failures.append((item, error))
        return failures

    async def flush(self) -> None:
        """Return once every file queued before this call is written (or reported failed)."""
        if self._task is not None and not self._task.done():
            self._flushing += 1
            try:
                if self._waiter is not None:
                    _wake(self._waiter)
                await self._queue.join()
            finally:
                self._flushing -= 1
        else:  # no writer running (never started, or stopped): write what is left here
            await self._drain()

    async def close(self) -> None:
        """Write everything queued, stop the writer; later files are written one by one."""
        await self.flush()
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drain()  # anything queued while stopping

    async def _drain(self) -> None:
        while not self._queue.empty():
            batch: list[PendingFile] = []
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)
            for _ in batch:
                self._queue.task_done()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
