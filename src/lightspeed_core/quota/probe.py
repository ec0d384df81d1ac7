"""Is there scheduler work? One cheap read, so that an idle scheduler tick writes nothing.

The leader's tick used to write a transaction per limiter (refill) and one for expired holds
whether or not anything was due: about 7 ms of CPU per tick on PostgreSQL, 4 on SQLite,
every second. :func:`pending_work` reads, with one plain statement (``fetch_direct`` on
PostgreSQL; ``sqlite3`` statements in one read transaction on SQLite), which limiters have
a bucket due for a refill (the refill's own condition: never refilled, or ``revoked_at``
older than one period) and whether any hold has expired or a settle claim was left behind
for a day (``quota/claims.py``); the scheduler then writes only that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.claims import CLAIMS_KEPT
from lightspeed_core.quota.limiters import Limiter
from lightspeed_core.quota.taking import sqlite_time

PENDING_SQL = """
SELECT EXISTS (SELECT 1 FROM quota_reservation WHERE expires_at < $1)
       OR EXISTS (SELECT 1 FROM quota_settle_claim WHERE created_at < $5) AS expiring,
       array(
           SELECT EXISTS (
               SELECT 1 FROM quota_limits q
               WHERE q.subject = l.subject AND left(q.id, length(l.prefix)) = l.prefix
                 AND (q.revoked_at IS NULL OR q.revoked_at < l.before)
           )
           FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY
               AS l(subject, prefix, before, n)
           ORDER BY l.n
       ) AS due
"""
_EXPIRING_SQLITE = """
SELECT EXISTS (SELECT 1 FROM quota_reservation WHERE expires_at < ?)
       OR EXISTS (SELECT 1 FROM quota_settle_claim WHERE created_at < ?)
"""
_DUE_SQLITE = """
SELECT EXISTS (
    SELECT 1 FROM quota_limits
    WHERE subject = ? AND substr(id, 1, ?) = ? AND (revoked_at IS NULL OR revoked_at < ?)
)
"""


def _sqlite_pending(
    conn: Connection, refilling: list[Limiter], now: datetime
) -> tuple[bool, list[bool]]:
    cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        stamps = (sqlite_time(now), sqlite_time(now - CLAIMS_KEPT))
        expiring = bool(cursor.execute(_EXPIRING_SQLITE, stamps).fetchone()[0])
        due = []
        for lim in refilling:
            values = (lim.subject, len(lim.prefix), lim.prefix, sqlite_time(lim.period.before(now)))
            due.append(bool(cursor.execute(_DUE_SQLITE, values).fetchone()[0]))
    finally:
        cursor.close()
    return expiring, due


async def pending_work(
    database: Database, limiters: tuple[Limiter, ...], now: datetime
) -> tuple[list[Limiter], bool]:
    """The limiters with a bucket due for a refill, and whether a hold (or claim) has expired."""
    refilling = [lim for lim in limiters if lim.quota_increase > 0 or lim.initial_quota > 0]
    if database.has_direct:
        (row,) = await database.fetch_direct(
            PENDING_SQL,
            now,
            [lim.subject for lim in refilling],
            [lim.prefix for lim in refilling],
            [lim.period.before(now) for lim in refilling],
            now - CLAIMS_KEPT,
        )
        expiring, due = bool(row["expiring"]), list(row["due"])
    else:
        expiring, due = await database.run(_sqlite_pending, refilling, now)
    return [lim for lim, is_due in zip(refilling, due, strict=True) if is_due], expiring
