"""Settles and releases written behind the request, many in one transaction.

A settle or release only changes holds that the reservation already took, so writing it a
little later can never let anyone overspend: until it lands, the bucket still counts the
whole hold as spent (a write-behind of already-reserved tokens; nothing another worker or
pod would need to read). :class:`SettleQueue` keeps them in this process and a flusher task
writes what has gathered after at most ``delay`` seconds (or at once when ``batch`` are
waiting) in **one** transaction (SQLite: :func:`apply_settlements`; PostgreSQL: the same as
one statement, ``quota/settling.py``):

* ``DELETE … WHERE reservation_id IN (…) RETURNING`` the holds,
* the claims of the settles that charge anything (``quota/claims.py``), and the deletion of
  the claims no longer needed,
* one ``UPDATE`` per bucket touched (``+ held - used`` summed over the batch; in
  ``(subject, id)`` order, the lock order of every quota transaction),
* one token-history upsert per (user, provider, model) of the batch.

While the database is unreachable the queue keeps everything and tries again after
``retry_delay`` and at each scheduler tick; on shutdown :meth:`SettleQueue.close` writes what
is left. If the process dies first, its holds stay until ``reservation_timeout`` and the
scheduler gives them back (as for a request that was in flight), so a crash can only leave
usage uncharged, never charge twice.

Writing a settle again after a failed attempt charges it once: the attempt that charges
it also writes its *claim*, in the same transaction, and an attempt that finds the claim
charges nothing (``quota/claims.py``). Any batch whose outcome is unknown - the database
failed, or the flush was cancelled mid-write (the statement may still land) - stays queued
and is written again, and :meth:`SettleQueue.close` never cancels a batch in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lightspeed_core.errors import LightspeedError
from lightspeed_core.quota.dberrors import quota_database
from lightspeed_core.quota.history import UsageRecord
from lightspeed_core.quota.taking import sqlite_time

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (subject, bucket id)
DELAY = 0.05  # seconds a settle may wait for others to share its transaction
BATCH = 256  # settles that make the flusher write at once
RETRY_DELAY = 1.0  # seconds between attempts while the database is away


@dataclass(frozen=True, slots=True)
class Settlement:
    """Replace a reservation's holds by ``used`` tokens (a release: ``used=0``, no buckets).

    Attributes:
        reservation_id: The holds to delete.
        buckets: Buckets charged ``used`` (also when their hold already expired).
        used: Real usage; 0 for a release.
        usage: Token-history record, or None.
        held: Tokens the reservation holds in each bucket (what ``available_quotas`` will
            get back: ``held - used``).
    """

    reservation_id: str
    buckets: tuple[Key, ...] = ()
    used: int = 0
    usage: UsageRecord | None = None
    held: int = 0


# plain sqlite3 statements (the SQLite path; PostgreSQL: quota/settling.py): through
# SQLAlchemy, compiling them cost more than SQLite takes to run them
_DROP_SQL = """
DELETE FROM quota_reservation WHERE reservation_id IN (SELECT value FROM json_each(?))
RETURNING subject, bucket_id, tokens
"""
_CREDIT_SQL = """
UPDATE quota_limits SET available = coalesce(available, quota_limit) + ?, updated_at = ?
WHERE subject = ? AND id = ? RETURNING available
"""
_USAGE_SQL = """
INSERT INTO token_usage (user_id, provider, model, input_tokens, output_tokens, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, provider, model) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    updated_at = excluded.updated_at
"""


# a claim per settle that charges anything; RETURNING gives only the ones inserted now
_CLAIM_SQL = """
INSERT INTO quota_settle_claim (reservation_id, created_at)
SELECT value, ? FROM json_each(?) WHERE true
ON CONFLICT (reservation_id) DO NOTHING
RETURNING reservation_id
"""
_FORGET_SQL = (
    "DELETE FROM quota_settle_claim WHERE reservation_id IN (SELECT value FROM json_each(?))"
)


def _merged_usage(items: list[Settlement]) -> list[UsageRecord]:
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        if item.usage is not None:
            u = item.usage
            total = totals[(u.user_id, u.provider, u.model)]
            total[0] += u.input_tokens
            total[1] += u.output_tokens
    return [UsageRecord(user, p, m, i, o) for (user, p, m), (i, o) in totals.items()]


def apply_settlements(
    conn: sqlite3.Connection,
    items: list[Settlement],
    now: datetime,
    claims: list[str],
    forget: list[str],
) -> dict[Key, int]:
    """Apply ``items`` in the caller's SQLite transaction; the touched buckets' new balances.

    ``DELETE … RETURNING`` the holds; insert ``claims`` (only the items whose claim is
    inserted now are charged) and delete ``forget``; one ``UPDATE`` per bucket touched
    (``+ held - used`` summed over the batch, in ``(subject, id)`` order) and one
    token-history upsert per (user, provider, model); plain ``sqlite3``
    (``Database.run_write_driver``).
    """
    cursor = conn.cursor()
    try:
        return _apply(cursor, items, sqlite_time(now), claims, forget)
    finally:
        cursor.close()


def _apply(
    cursor: Any, items: list[Settlement], stamp: object, claims: list[str], forget: list[str]
) -> dict[Key, int]:
    deltas: dict[Key, int] = defaultdict(int)
    cursor.execute(_DROP_SQL, (json.dumps([item.reservation_id for item in items]),))
    for subject, bucket_id, tokens in cursor.fetchall():
        deltas[(subject, bucket_id)] += int(tokens)
    claimed: set[str] = set()
    if claims:
        cursor.execute(_CLAIM_SQL, (stamp, json.dumps(claims)))
        claimed = {row[0] for row in cursor.fetchall()}
    if forget:
        cursor.execute(_FORGET_SQL, (json.dumps(forget),))
    applied = [item for item in items if item.reservation_id in claimed]
    for item in applied:
        for key in item.buckets:
            deltas[key] -= item.used
    left: dict[Key, int] = {}
    for (subject, bucket_id), delta in sorted(deltas.items()):  # the lock order
        if delta:
            cursor.execute(_CREDIT_SQL, (delta, stamp, subject, bucket_id))
            row = cursor.fetchone()
            if row is not None:
                left[(subject, bucket_id)] = int(row[0])
    usage = [
        (u.user_id, u.provider, u.model, u.input_tokens, u.output_tokens, stamp)
        for u in _merged_usage(applied)
    ]
    if usage:
        cursor.executemany(_USAGE_SQL, usage)
    return left


class SettleQueue:
    """Settlements of this process waiting to be written (see the module docstring)."""

    def __init__(
        self,
        write: Callable[[list[Settlement]], Awaitable[object]],
        *,
        delay: float = DELAY,
        batch: int = BATCH,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        self.write = write
        self.delay = delay
        self.batch = batch
        self.retry_delay = retry_delay
        self._items: list[Settlement] = []
        self._arrived = asyncio.Event()
        self._full = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._away = False
        self.unwritten: dict[Key, int] = defaultdict(int)  # tokens queued to come back
        self._reading = 0  # reservations running (see :meth:`reading`)
        self._no_readers = asyncio.Event()
        self._no_readers.set()
        self._no_write = asyncio.Event()  # no batch being written or waiting to be
        self._no_write.set()

    @contextlib.asynccontextmanager
    async def reading(self, keys: list[Key]) -> AsyncIterator[dict[Key, int]]:
        """Hold batches back while a reservation runs; yields what queued settles give back.

        The reservation's balances then lack exactly the queued settles, whose amounts per
        bucket of ``keys`` this yields.

        A batch waiting to be written goes first (a reservation then waits for one batch,
        about a millisecond); never hold this across :meth:`flush`.
        """
        await self._no_write.wait()
        self._reading += 1
        self._no_readers.clear()
        try:
            yield {key: self.unwritten.get(key, 0) for key in keys}
        finally:
            self._reading -= 1
            if not self._reading:
                self._no_readers.set()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Settlement) -> None:
        """Queue ``item``; it is written within ``delay`` seconds (database permitting)."""
        self._items.append(item)
        self._remember([item])
        self._arrived.set()
        if len(self._items) >= self.batch:
            self._full.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="quota-settles")

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), self.delay)
            try:
                written = await self.flush()
            except Exception:  # a bug must not stop the flusher: keep the items, retry
                log.exception("writing quota settles failed")
                written = False
            if not written:
                await asyncio.sleep(self.retry_delay)

    async def flush(self) -> bool:
        """Write what is queued now; False when the database is away (kept for later).

        Settles queued while it writes wait for the next flush: writing them at once would
        turn a steady trickle into one transaction per request.
        """
        async with self._lock:
            pending = len(self._items)
            while pending > 0 and self._items:
                batch = self._items[: min(self.batch, pending)]
                if not await self._flush_batch(batch):
                    return False
                del self._items[: len(batch)]
                pending -= len(batch)
            if len(self._items) < self.batch:
                self._full.clear()
            if not self._items:
                self._arrived.clear()
            return True

    async def _flush_batch(self, batch: list[Settlement]) -> bool:
        """Write the batch at the head of the queue; True once it is written.

        Otherwise - the database away, an error, or the caller cancelled mid-write (a client
        that disconnected while :meth:`flush` ran for it; the write may still land) - its
        items stay queued: written again, each is charged only if its claim is not there yet.
        """
        written = False
        self._no_write.clear()  # reservations starting now wait for this batch
        try:
            await self._no_readers.wait()
            written = await self._write(batch)
        finally:
            if written:  # reservations from now on read balances that include it
                self._forget(batch)
            self._no_write.set()
        return written

    def _remember(self, batch: list[Settlement]) -> None:
        for item in batch:
            for key in item.buckets:
                self.unwritten[key] += item.held - item.used

    def _forget(self, batch: list[Settlement]) -> None:
        for item in batch:
            for key in item.buckets:
                self.unwritten[key] -= item.held - item.used
                if not self.unwritten[key]:
                    del self.unwritten[key]

    async def _write(self, batch: list[Settlement]) -> bool:
        """True once ``batch`` is written or given up (an item the database rejects)."""
        try:
            async with quota_database("settle quota"):
                await self.write(batch)
        except LightspeedError as error:
            if error.status_code == 503:
                if not self._away:
                    log.warning("%d quota settle(s) postponed: %s", len(batch), error.cause)
                self._away = True
                return False
            if len(batch) == 1:
                log.error("dropping a quota settle the database refused: %s", error.cause)
                return True
            for item in batch:  # one bad item must not block the others
                if not await self._write([item]):
                    return False
            return True
        if self._away:
            log.info("postponed quota settles written")
        self._away = False
        return True

    async def close(self, patience: float = 5.0) -> int:
        """Stop the flusher and write what is left (retrying for up to ``patience`` s).

        Returns the number of settlements that could not be written.
        """
        task, self._task = self._task, None
        if task is not None:
            async with self._lock:  # not in the middle of a batch: cancelling its write
                task.cancel()  # would leave the batch's outcome unknown
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            written = await self.flush()
            if not self._items:
                return 0
            if written:
                continue  # queued while the last batch was written
            if asyncio.get_running_loop().time() >= deadline:
                log.error(
                    "%d quota settle(s) not written at shutdown: their holds return after "
                    "reservation_timeout and their usage is not charged",
                    len(self._items),
                )
                return len(self._items)
            await asyncio.sleep(min(self.retry_delay, patience))
