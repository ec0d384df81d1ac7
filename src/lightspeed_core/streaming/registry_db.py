"""The stream registry in the database: interrupts reach a stream on any worker or pod.

Every interruptible stream has a row in ``stream_request`` while it runs (``completed_at``
is set when it ends). ``POST /v1/streaming_query/interrupt`` may land on any process: it
sets ``interrupt_requested`` on the row (and, when the stream runs in the same process,
its event at once). Each process runs **one** poller task, only while it has running
streams, that reads the flags of all its streams with one query every ``poll_interval``
seconds and fires their events. The poller works the same on SQLite and PostgreSQL.
Rows older than ``retention`` are deleted when a poller starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import anyio
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from lightspeed_core.authz.ownership import OwnedResource, ResourceKind, may_act_on
from lightspeed_core.db.dialect import fast_commit
from lightspeed_core.db.engine import Database
from lightspeed_core.db.tables import StreamRequest
from lightspeed_core.errors import DatabaseUnavailableError, ForbiddenError, NotFoundError
from lightspeed_core.vocabulary.actions import Action

log = logging.getLogger(__name__)
POLL_INTERVAL = 0.15
RETENTION = timedelta(days=1)
CLEANUP_EVERY = 3600.0  # seconds between deletions of old rows


def _stream(owner_id: str) -> OwnedResource:
    return OwnedResource(ResourceKind.STREAM, owner_id)


class DatabaseStreamRegistry:
    """Running streams of this process, their rows, and the poller that watches them."""

    def __init__(
        self,
        database: Database,
        *,
        poll_interval: float = POLL_INTERVAL,
        retention: timedelta = RETENTION,
    ) -> None:
        self.db = database
        self.poll_interval = poll_interval
        self.retention = retention
        self._active: dict[str, asyncio.Event] = {}
        self._poller: asyncio.Task[None] | None = None
        self._last_cleanup: float | None = None

    @property
    def active(self) -> int:
        """Streams running in this process."""
        return len(self._active)

    @property
    def polling(self) -> bool:
        """Whether this process's poller task is running."""
        return self._poller is not None and not self._poller.done()

    @asynccontextmanager
    async def track(
        self, request_id: str, user_id: str, conversation_id: str
    ) -> AsyncIterator[asyncio.Event]:
        event = asyncio.Event()
        if not await self._register(request_id, user_id, conversation_id):
            yield event  # the stream still runs, it just cannot be interrupted
            return
        self._active[request_id] = event
        self._start_poller()
        try:
            yield event
        finally:
            self._active.pop(request_id, None)
            with anyio.CancelScope(shield=True):
                await self._complete(request_id)

    async def _register(self, request_id: str, user_id: str, conversation_id: str) -> bool:
        row = {
            "request_id": request_id,
            "user_id": user_id,
            "conversation_id": conversation_id,
            "started_at": datetime.now(UTC),
            "interrupt_requested": False,
        }

        def work(connection: Connection) -> None:
            fast_commit(connection)  # a crash loses only rows of streams it ended
            connection.execute(insert(StreamRequest), row)

        try:
            await self.db.run_write(work)
        except (SQLAlchemyError, DatabaseUnavailableError) as exc:
            log.warning(
                "stream %s is not interruptible (registry write failed: %s)", request_id, exc
            )
            return False
        return True

    async def _complete(self, request_id: str) -> None:
        def work(connection: Connection) -> None:
            fast_commit(connection)  # a crash loses only rows of streams it ended
            connection.execute(
                update(StreamRequest)
                .where(StreamRequest.request_id == request_id)
                .values(completed_at=datetime.now(UTC))
            )

        try:
            await self.db.run_write(work)
        except (SQLAlchemyError, DatabaseUnavailableError) as exc:
            log.warning("marking stream %s completed failed: %s", request_id, exc)

    async def interrupt(self, request_id: str, user_id: str) -> bool:
        """Ask the stream to stop: True if it was running, False if it already ended.

        Raises 404 for an unknown ``request_id`` and 403 when the stream is another user's.
        """

        def work(connection: Connection) -> bool:
            query = select(StreamRequest.user_id, StreamRequest.completed_at).where(
                StreamRequest.request_id == request_id
            )
            row = connection.execute(query).first()
            if row is None:
                raise NotFoundError("Streaming Request", request_id)
            if not may_act_on(frozenset(), user_id, Action.STREAMING_QUERY, _stream(row.user_id)):
                raise ForbiddenError(
                    "User does not have permission to access this endpoint",
                    f"User {user_id} is not authorized to access this endpoint.",
                )
            if row.completed_at is not None:
                return False
            result = connection.execute(
                update(StreamRequest)
                .where(StreamRequest.request_id == request_id, StreamRequest.completed_at.is_(None))
                .values(interrupt_requested=True)
            )
            return bool(result.rowcount)

        interrupted = await self.db.run_write(work)
        if not interrupted:
            return False
        local = self._active.get(request_id)
        if local is not None:
            local.set()
        return True

    def _start_poller(self) -> None:
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="stream-interrupt-poller")

    async def _poll(self) -> None:
        """Watch this process's streams while there are any, then end."""
        await self._cleanup()
        while self._active:
            await asyncio.sleep(self.poll_interval)
            waiting = [rid for rid, event in self._active.items() if not event.is_set()]
            if not waiting:
                continue
            query = select(StreamRequest.request_id).where(
                StreamRequest.request_id.in_(waiting),
                StreamRequest.interrupt_requested.is_(True),
            )
            try:
                flagged = await self.db.run(lambda c, q=query: list(c.scalars(q)))
                for request_id in flagged:
                    event = self._active.get(request_id)
                    if event is not None:
                        event.set()
            except (SQLAlchemyError, DatabaseUnavailableError) as exc:
                log.warning("polling stream interrupts failed: %s", exc)

    async def _cleanup(self) -> None:
        if self._last_cleanup is not None and time.monotonic() - self._last_cleanup < CLEANUP_EVERY:
            return
        self._last_cleanup = time.monotonic()
        cutoff = datetime.now(UTC) - self.retention
        old = delete(StreamRequest).where(StreamRequest.started_at < cutoff)
        with contextlib.suppress(SQLAlchemyError, DatabaseUnavailableError):
            await self.db.run_write(lambda connection: connection.execute(old))
