"""Group commit: write jobs that arrive together share one transaction.

Under concurrency many requests finish at once; committing each turn separately costs a
transaction per request. A single writer task takes every job waiting at that moment and
runs them in one transaction (:meth:`Database.run_write`); each caller gets its own result or
exception. If the shared transaction fails, the jobs are retried one by one so one bad job
cannot fail the others. A lone request is written immediately - nothing waits for a batch
to fill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from lightspeed_core.db.engine import Database

log = logging.getLogger(__name__)
Job = Callable[[Connection], Any]
MAX_BATCH = 64


def _run_all(connection: Connection, jobs: list[Job]) -> list[Any]:
    return [job(connection) for job in jobs]


class BatchWriter:
    """Runs synchronous write jobs in shared transactions, one batch at a time."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: asyncio.Queue[tuple[Job, asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def submit[T](self, job: Callable[[Connection], T]) -> T:
        """Run ``job(connection)`` in a transaction (possibly shared); return its result."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="db-batch-writer")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, future))
        result: T = await future
        return result

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        if len(batch) > 1:
            try:
                results = await self.database.run_write(_run_all, [job for job, _ in batch])
            except Exception:
                log.debug("batch of %d failed; retrying one by one", len(batch))
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                return
        for job, future in batch:
            try:
                (result,) = await self.database.run_write(_run_all, [job])
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
