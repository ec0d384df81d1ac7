"""Graceful shutdown: SIGTERM starts a grace period, after which answers in flight are ended.

uvicorn stops accepting connections on SIGTERM and waits for the open ones. The lifespan
chains a handler in front of uvicorn's (:func:`chain_sigterm`) that calls
:meth:`Shutdown.begin`: runs of the pipeline keep going for ``service.shutdown_grace_period``
seconds; then :attr:`Shutdown.expired` is set and every run still waiting for the model ends
itself - an ``error`` event, its quota settled for the tokens so far, its partial turn stored,
its stream row cleared - so the connections close and uvicorn's own (longer) timeout never
has to cancel a request half-way. Per process; each worker receives its own SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)
UVICORN_MARGIN = 10.0  # seconds uvicorn waits beyond the grace period for runs to end


class Shutdown:
    """The grace period of one process."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.expired = asyncio.Event()
        self.started = False
        self._timer: asyncio.TimerHandle | None = None

    def begin(self) -> None:
        """Start the grace period (idempotent). Call on the event loop."""
        if self.started:
            return
        self.started = True
        log.warning("shutting down: answers in flight have %.0f s to finish", self.grace)
        self._timer = asyncio.get_running_loop().call_later(self.grace, self.expire)

    def expire(self) -> None:
        """End the grace period now: runs still in flight end themselves."""
        if not self.expired.is_set():
            log.warning("shutdown grace period over: ending the answers still in flight")
        self.expired.set()
        if self._timer is not None:
            self._timer.cancel()


Handler = Callable[[int, FrameType | None], Any] | int | None


def chain_sigterm(shutdown: Shutdown) -> Callable[[], None]:
    """Run ``shutdown.begin`` on SIGTERM, then the handler already installed (uvicorn's).

    Only when a Python handler is installed (uvicorn's server is running in this thread);
    returns a function that puts the previous handler back.
    """
    previous: Handler = signal.getsignal(signal.SIGTERM)
    if not callable(previous):
        return lambda: None
    loop = asyncio.get_running_loop()
    chained = previous

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(shutdown.begin)
        chained(signum, frame)

    signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is handler:
            signal.signal(signal.SIGTERM, chained)

    return restore
