"""The model's events, read ahead by one task until they end or a stop event fires.

``Pump(events)`` starts reading at once, so the model call is already under way while the
pipeline writes the stream's registry row and sends ``start`` (time to first token is not
charged for that write). One task reads the events into a queue and one task per stop event
waits for it: a few microseconds per event (a task per event and ``asyncio.wait`` cost ~50x
more).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from lightspeed_core.llm.events import LLMEvent


@dataclass(frozen=True, slots=True)
class _Failed:
    error: Exception


_DONE, _STOPPED = object(), object()


class Pump:
    """``events`` read ahead; iterate once, then :meth:`aclose` (idempotent)."""

    def __init__(self, events: AsyncIterator[LLMEvent], *stops: asyncio.Event) -> None:
        self._events = events
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._tasks = [asyncio.ensure_future(self._pump())]
        self.stop_on(*stops)

    def stop_on(self, *stops: asyncio.Event) -> None:
        """End the iteration as soon as one of ``stops`` is set (checked while waiting)."""
        self._tasks.extend(asyncio.ensure_future(self._watch(stop)) for stop in stops)

    async def _pump(self) -> None:
        try:
            async for event in self._events:
                self._queue.put_nowait(event)
        except Exception as error:
            self._queue.put_nowait(_Failed(error))
        self._queue.put_nowait(_DONE)

    async def _watch(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._queue.put_nowait(_STOPPED)

    async def __aiter__(self) -> AsyncIterator[LLMEvent]:
        while True:
            item = await self._queue.get()
            if item is _DONE or item is _STOPPED:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]

    async def aclose(self) -> None:
        """Stop reading and close the model's stream."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._events.aclose()  # type: ignore[attr-defined]
