"""Group commit: write jobs that arrive together share one transaction.

Under concurrency many requests finish at once; committing each turn separately costs a
transaction per request. A single writer task takes every job waiting at that moment and
runs them in one transaction (:meth:`Database.run_write`); each caller gets its own result or
exception. If the shared transaction fails, the jobs are retried one by one so one bad job
cannot fail the others. A lone request is written immediately - nothing waits for a batch
to fill.

A job may bring a follow-up (:data:`FollowUp`): a write into another database (the
conversation cache's copy of a turn) that runs only when the job returned something other
than ``None``, and is committed before the caller hears back:

* in the same database it runs on the job's own connection (one transaction);
* in another SQLite database on the same writer thread, in a transaction of that database
  opened alongside and committed right after this one, in the same thread hand-off
  (:meth:`Database.run_write_with`); a failure of either rolls both back;
* elsewhere (PostgreSQL) after this batch's commit, the batch's follow-ups of each database
  in one transaction of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from lightspeed_core.db.engine import Database

log = logging.getLogger(__name__)
Job = Callable[[Connection], Any]
FollowUp = tuple[Database, Job]
MAX_BATCH = 64


@dataclass(slots=True)
class _Entry:
    job: Job
    then: FollowUp | None
    future: asyncio.Future[Any]
    result: Any = None


class BatchWriter:
    """Runs synchronous write jobs in shared transactions, one batch at a time."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: asyncio.Queue[_Entry] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def submit[T](self, job: Callable[[Connection], T], then: FollowUp | None = None) -> T:
        """Run ``job(connection)`` in a transaction (possibly shared); return its result.

        ``then``: a write into another (or the same) database, run when the job's result is
        not ``None`` and committed before this returns.
        """
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="db-batch-writer")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Entry(job, then, future))
        result: T = await future
        return result

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[_Entry]) -> None:
        if len(batch) > 1:
            try:
                await self._commit(batch)
            except Exception:
                log.debug("batch of %d failed; retrying one by one", len(batch))
            else:
                await self._follow(batch)
                return
        for entry in batch:
            try:
                await self._commit([entry])
            except Exception as exc:
                _settle(entry, exc)
            else:
                await self._follow([entry])

    async def _commit(self, batch: list[_Entry]) -> None:
        """The jobs, and the follow-ups that can share the hand-off, in one go."""
        database = self.database
        joined = [
            other
            for other in dict.fromkeys(e.then[0] for e in batch if e.then is not None)
            if other is not database and database.shares_writer(other)
        ]

        def work(connection: Connection, *others: Connection) -> list[Any]:
            connections = {database: connection, **dict(zip(joined, others, strict=True))}
            results = []
            for entry in batch:
                result = entry.job(connection)
                if entry.then is not None and result is not None:
                    target, follow = entry.then
                    if target in connections:
                        follow(connections[target])
                results.append(result)
            return results

        if joined:
            results = await database.run_write_with(joined, work)
        else:
            results = await database.run_write(work)
        for entry, result in zip(batch, results, strict=True):
            entry.result = result

    async def _follow(self, batch: list[_Entry]) -> None:
        """Follow-ups into databases the batch could not join; then answer every caller."""
        later: dict[Database, list[_Entry]] = {}
        for entry in batch:
            if entry.then is None or entry.result is None:
                continue
            target = entry.then[0]
            if target is not self.database and not self.database.shares_writer(target):
                later.setdefault(target, []).append(entry)
        for target, entries in later.items():
            groups = [entries] if len(entries) == 1 else [entries, *([e] for e in entries)]
            for group in groups:  # all together; if that fails, one by one
                follows = [e.then[1] for e in group if e.then is not None]
                try:
                    await target.run_write(_run_all, follows)
                except Exception as exc:
                    if len(group) == 1:  # the turn is in, its copy is not: the caller hears
                        _settle(group[0], exc)
                else:
                    break
        for entry in batch:
            _settle(entry, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def _run_all(connection: Connection, jobs: list[Job]) -> list[Any]:
    return [job(connection) for job in jobs]


def _settle(entry: _Entry, error: Exception | None) -> None:
    if entry.future.done():
        return
    if error is not None:
        entry.future.set_exception(error)
    else:
        entry.future.set_result(entry.result)
