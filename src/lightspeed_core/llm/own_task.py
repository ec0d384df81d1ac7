"""Iterate an async stream in a task of its own.

OGX's Responses implementation opens one MCP client session per server inside its stream
generator and closes them, when the generator ends, in the order they were opened. Each
session holds anyio cancel scopes, which must be exited in the reverse order and in the task
that entered them; otherwise anyio cancels the *host task* - with several MCP servers that
was our request task, which then failed on its next ``await`` (e.g. storing the turn).

:func:`in_own_task` runs the generator in a dedicated task (so every scope is entered and
exited in that task, whichever task consumes the events - the interruptible stream reads
each event in a task of its own) and hands the events over through a queue. A stray
cancellation can only hit that task, after the last event was delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

_DONE = object()


async def in_own_task(source: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    """Yield the items of ``source``, iterated and closed by a separate task."""
    queue: asyncio.Queue[tuple[object, Any]] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for item in source:
                queue.put_nowait((None, item))
        except Exception as exc:
            queue.put_nowait((exc, None))
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:  # in this task, where the generator ran
                with contextlib.suppress(Exception):
                    await close()
            queue.put_nowait((_DONE, None))

    task = asyncio.create_task(pump(), name="ogx-response-stream")
    try:
        while True:
            failure, item = await queue.get()
            if failure is _DONE:
                return
            if isinstance(failure, Exception):
                raise failure
            yield item
    finally:
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
