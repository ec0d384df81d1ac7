"""A settle batch on PostgreSQL as one statement (:data:`SETTLE_SQL`), outside SQLAlchemy.

The same work as :func:`~lightspeed_core.quota.settles.apply_settlements` (which SQLite
keeps), in one statement of data-modifying CTEs through ``Database.fetch_direct`` - one
round trip and no SQLAlchemy transaction (pool checkout with a ping, ``BEGIN``, the greenlet
hand-offs, one statement per bucket, ``COMMIT``):

* ``dropped`` - delete the batch's holds (``RETURNING`` what each held, and where);
* ``claimed`` - a *claim* per item that charges anything (its reservation id, in
  ``quota_settle_claim``): an item is charged only when this statement inserts its claim,
  so only once however often it is written (``quota/claims.py``);
* ``forgotten`` - the claims of batches written before, which are no longer needed;
* ``deltas`` - per bucket, ``+ held`` per dropped hold and ``- used`` per charged item;
* ``locked`` - the touched ``quota_limits`` rows locked in ``(subject, id)`` order (the
  bucket lock order of every quota transaction; like the SQLAlchemy path and the
  scheduler's expiry, the holds are locked first - a reservation locks buckets and only
  inserts new holds, so no two quota transactions wait on each other), then ``credited``;
* ``usage`` - the token history, summed per (user, provider, model) of the charged items.

Why claims, not holds, say whether an item was charged: ``quota/claims.py``.

The batch commits synchronously: once it returns, it survives a crash of the server. (It
used to commit without waiting for the WAL flush and to confirm the flush with a
``SELECT txid_current()`` afterwards. That confirmation flushed nothing: a transaction that
writes no WAL of its own does not wait for the flush when it commits. An immediate shutdown
then lost confirmed batches: their holds came back and their usage was gone.)

It returns the touched buckets' new balances.
"""

from __future__ import annotations

from datetime import datetime

from lightspeed_core.db.engine import Database
from lightspeed_core.quota.settles import Key, Settlement

SETTLE_SQL = """
WITH dropped AS (
    DELETE FROM quota_reservation WHERE reservation_id = ANY($1::text[])
    RETURNING subject, bucket_id, tokens
),
claimed AS (
    INSERT INTO quota_settle_claim (reservation_id, created_at)
    SELECT c, $12 FROM unnest($13::text[]) AS c
    ON CONFLICT (reservation_id) DO NOTHING
    RETURNING reservation_id
),
forgotten AS (
    DELETE FROM quota_settle_claim WHERE reservation_id = ANY($14::text[])
),
charges AS (
    SELECT c.subject, c.id, c.used
    FROM unnest($2::text[], $3::text[], $4::text[], $5::int[])
        AS c(reservation_id, subject, id, used)
    WHERE c.reservation_id IN (SELECT reservation_id FROM claimed)
),
deltas AS (
    SELECT subject, id, sum(delta)::int AS delta FROM (
        SELECT subject, bucket_id AS id, tokens AS delta FROM dropped
        UNION ALL
        SELECT subject, id, -used FROM charges
    ) AS d
    GROUP BY subject, id
    HAVING sum(delta) <> 0
),
locked AS (
    SELECT q.subject, q.id
    FROM quota_limits q JOIN deltas d ON q.subject = d.subject AND q.id = d.id
    ORDER BY q.subject, q.id
    FOR UPDATE OF q
),
credited AS (
    UPDATE quota_limits q
    SET available = coalesce(q.available, q.quota_limit) + d.delta, updated_at = $12
    FROM deltas d, locked l
    WHERE q.subject = l.subject AND q.id = l.id AND d.subject = l.subject AND d.id = l.id
    RETURNING q.subject, q.id, q.available
),
usage AS (
    INSERT INTO token_usage
        (user_id, provider, model, input_tokens, output_tokens, updated_at)
    SELECT u.user_id, u.provider, u.model, sum(u.input_tokens)::int,
           sum(u.output_tokens)::int, $12
    FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[])
        AS u(reservation_id, user_id, provider, model, input_tokens, output_tokens)
    WHERE u.reservation_id IN (SELECT reservation_id FROM claimed)
    GROUP BY u.user_id, u.provider, u.model
    ON CONFLICT (user_id, provider, model) DO UPDATE SET
        input_tokens = token_usage.input_tokens + excluded.input_tokens,
        output_tokens = token_usage.output_tokens + excluded.output_tokens,
        updated_at = excluded.updated_at
)
SELECT subject, id, available FROM credited
"""


def _columns(rows: list[tuple[object, ...]], width: int) -> list[list[object]]:
    """Rows as ``width`` columns (one array parameter each)."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


async def settle_postgres(
    database: Database,
    items: list[Settlement],
    now: datetime,
    claims: list[str],
    forget: list[str],
) -> dict[Key, int]:
    """Apply ``items`` with :data:`SETTLE_SQL`; the touched buckets' new balances.

    Charged are the items whose claim (of ``claims``) it inserts; it deletes ``forget``.
    """
    charges: list[tuple[object, ...]] = []
    usage: list[tuple[object, ...]] = []
    for item in items:
        if item.used:
            charges += [(item.reservation_id, *key, item.used) for key in item.buckets]
        if item.usage is not None:
            u = item.usage
            tokens = (u.input_tokens, u.output_tokens)
            usage.append((item.reservation_id, u.user_id, u.provider, u.model, *tokens))
    ids = [item.reservation_id for item in items]
    rows = await database.fetch_direct(
        SETTLE_SQL, ids, *_columns(charges, 4), *_columns(usage, 6), now, claims, forget
    )
    return {(r["subject"], r["id"]): int(r["available"]) for r in rows}
