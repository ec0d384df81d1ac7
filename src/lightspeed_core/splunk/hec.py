"""The HEC backend: a bounded queue drained by background senders, with retries.

``send`` puts the HEC envelope on an ``asyncio.Queue`` (``QUEUE_SIZE``) and returns; a full
queue drops the event. ``SENDERS`` tasks post events one by one: the token file is re-read
for every event (rotation without restart), each attempt is bounded by ``splunk.timeout``,
connection errors, timeouts, 429 and 5xx are retried (``ATTEMPTS`` in all, with backoff),
other answers are final. ``ls_splunk_events_sent_total`` and
``ls_splunk_events_dropped_total{reason}`` (``queue_full``, ``no_token``, ``rejected``,
``failed``, ``shutdown``) count the outcomes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from lightspeed_core.metrics.registry import Metrics

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000
SENDERS = 2
ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the first retry, doubled each time


@dataclass(frozen=True, slots=True)
class HecTarget:
    """Where and how events are posted (from ``splunk``)."""

    url: str
    token_path: Path
    index: str
    source: str  # "<splunk.source> (v<version>)", as the reference sends it
    timeout: float
    verify_ssl: bool = True


def read_token(path: Path) -> str | None:
    """The HEC token in ``path`` (stripped), or ``None`` when it cannot be read or is empty."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        log.warning("cannot read the Splunk HEC token from %s: %s", path, exc)
        return None


class _Retry(Exception):
    """An attempt failed in a way worth retrying."""


class HecSink:
    """Posts events to a Splunk HTTP Event Collector in the background."""

    def __init__(
        self,
        target: HecTarget,
        metrics: Metrics,
        *,
        queue_size: int = QUEUE_SIZE,
        senders: int = SENDERS,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
    ) -> None:
        self.target = target
        self.metrics = metrics
        self.attempts = attempts
        self.backoff = backoff
        self.host = platform.node() or "unknown"
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=queue_size)
        self._senders = senders
        self._tasks: list[asyncio.Task[None]] = []
        # made here, not on the first event's request path (an SSL context costs milliseconds)
        self._client = httpx.AsyncClient(timeout=target.timeout, verify=target.verify_ssl)

    def send(self, sourcetype: str, event: Mapping[str, Any]) -> None:
        envelope = {
            "time": int(time.time()),
            "host": self.host,
            "source": self.target.source,
            "sourcetype": sourcetype,
            "index": self.target.index,
            "event": dict(event),
        }
        if not self._tasks:
            try:
                self._start()
            except RuntimeError:  # no running event loop: nothing could ever send it
                self._drop("failed")
                return
        try:
            self._queue.put_nowait(envelope)
        except asyncio.QueueFull:
            self._drop("queue_full")

    def _start(self) -> None:
        loop = asyncio.get_running_loop()  # RuntimeError outside one
        self._tasks = [
            loop.create_task(self._sender(), name=f"splunk-hec-{n}") for n in range(self._senders)
        ]

    def _drop(self, reason: str) -> None:
        self.metrics.splunk_events_dropped.labels(reason).inc()

    async def _sender(self) -> None:
        while True:
            envelope = await self._queue.get()
            try:
                await self._deliver(envelope)
            except Exception:  # never let one event stop the sender
                log.exception("Splunk HEC sender failed")
                self._drop("failed")
            finally:
                self._queue.task_done()

    async def _deliver(self, envelope: dict[str, Any]) -> None:
        token = await asyncio.to_thread(read_token, self.target.token_path)
        if token is None:
            self._drop("no_token")
            return
        headers = {"Authorization": f"Splunk {token}"}
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                if await self._post(envelope, headers):
                    self.metrics.splunk_events_sent.inc()
                else:
                    self._drop("rejected")
                return
            except _Retry as exc:
                log.warning("Splunk HEC attempt %d failed: %s", attempt + 1, exc)
        self._drop("failed")

    async def _post(self, envelope: dict[str, Any], headers: dict[str, str]) -> bool:
        """True when accepted, False when refused for good; raises :class:`_Retry`."""
        try:
            reply = await self._client.post(self.target.url, json=envelope, headers=headers)
        except httpx.HTTPError as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        if reply.status_code < 300:
            return True
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _Retry(f"HTTP {reply.status_code}")
        log.warning("Splunk HEC refused an event: %d %s", reply.status_code, reply.text[:200])
        return False

    async def close(self, grace: float | None = None) -> None:
        """Deliver the queue for up to ``grace`` seconds (default: ``timeout``), then stop."""
        if self._tasks:
            wait = self.target.timeout if grace is None else grace
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), wait)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks = []
        while not self._queue.empty():
            self._queue.get_nowait()
            self._drop("shutdown")
        await self._client.aclose()
