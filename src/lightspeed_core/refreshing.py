"""A value read from somewhere slow, kept in memory and refreshed without stampedes.

Used for per-process caches of backend state (OGX's model list, the MCP server registry):

* fresh (younger than ``ttl``): served from memory;
* stale (younger than ``max_stale``): served from memory while *one* background task
  refreshes it - a caller never waits for the refresh;
* missing or too old: every caller awaits the *same* read (single flight).

Without this, every request in flight re-read the value the moment it expired: at 64
concurrent queries, 10 % of requests waited 0.4-1.8 s for those reads (measured; see
docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Refreshing[T]:
    """``await get()`` returns the value; see the module docstring for when it reads."""

    def __init__(
        self,
        read: Callable[[], Awaitable[T]],
        *,
        ttl: float,
        max_stale: float,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self.ttl = ttl
        self.max_stale = max(max_stale, ttl)
        self._what = what
        self._clock = clock
        self._entry: tuple[T, float] | None = None  # the value and when it was read
        self._task: asyncio.Task[T] | None = None
        self._generation = 0  # bumped by invalidate(): older reads may not store their value

    async def get(self) -> T:
        if self._entry is not None:
            value, read_at = self._entry
            age = self._clock() - read_at
            if age > self.ttl and age <= self.max_stale:
                self._start()  # stale: refresh behind the caller's back
            if age <= self.max_stale:
                return value
        return await asyncio.shield(self._start())

    async def fresh(self) -> T:
        """Read now - a read that started before this call does not count - and keep it."""
        self.invalidate()
        return await asyncio.shield(self._start())

    def invalidate(self) -> None:
        """Forget the value and any read in flight: the next ``get`` reads anew and waits."""
        self._generation += 1
        self._entry = None
        self._task = None  # a read in flight finishes for its own callers only

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def _start(self) -> asyncio.Task[T]:
        if self._task is None:
            task = asyncio.create_task(self._refresh(self._generation), name=self._what)
            task.add_done_callback(self._done)
            self._task = task
        return self._task

    async def _refresh(self, generation: int) -> T:
        value = await self._read()
        if generation == self._generation:
            self._entry = (value, self._clock())
        return value

    def _done(self, task: asyncio.Task[T]) -> None:
        if self._task is task:
            self._task = None
        if not task.cancelled() and task.exception() is not None:
            # callers that awaited the read see the error themselves; a background one logs
            log.warning("refreshing %s failed: %s", self._what, task.exception())
