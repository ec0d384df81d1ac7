"""The SQL of quotas: buckets in ``quota_limits``, holds in ``quota_reservation``.

Every change is one transaction and every bucket change a single conditional ``UPDATE``,
so concurrent requests, workers and pods never overdraw a bucket, on SQLite and PostgreSQL
alike. Buckets are always locked in ``(subject, id)`` order (cluster rows first) so two
transactions can never wait on each other. ``available`` is what may still be reserved:
tokens held by requests in flight are already subtracted from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)

from lightspeed_core.db.dialect import as_utc, insert_for
from lightspeed_core.db.engine import Database
from lightspeed_core.quota.claims import CLAIMS, CLAIMS_KEPT, WrittenClaims, claims_of
from lightspeed_core.quota.history import UsageRecord
from lightspeed_core.quota.limiters import Bucket, Limiter
from lightspeed_core.quota.settles import Settlement, apply_settlements
from lightspeed_core.quota.settling import settle_postgres
from lightspeed_core.quota.taking import (
    HOLDS,
    LIMITS,
    NotTaken,
    Taken,
    add_holds,
    take_postgres,
    take_sqlite,
    tokens_left,
)

_left = tokens_left


class Refused(Exception):
    """A bucket cannot cover the reservation; nothing was reserved."""

    def __init__(self, bucket: Bucket, available: int) -> None:
        super().__init__(f"{bucket.limiter.name}: {available} available")
        self.bucket = bucket
        self.available = available


@dataclass(frozen=True, slots=True)
class BucketState:
    """One bucket as the admin API shows it."""

    bucket: Bucket
    quota_limit: int
    available: int
    reserved: int
    limit_override: int | None
    updated_at: datetime | None
    revoked_at: datetime | None


Key = tuple[str, str]


def _refusal(buckets: list[Bucket], found: NotTaken, floor: int) -> Refused:
    """The first bucket, in lock order, that cannot give ``floor`` tokens."""
    for bucket in buckets:
        if found.left[bucket.key] < floor:
            return Refused(bucket, found.left[bucket.key])
    poorest = min(buckets, key=lambda b: found.left[b.key])
    return Refused(poorest, found.left[poorest.key])


def _row(bucket: Bucket) -> ColumnElement[bool]:
    return and_(LIMITS.c.id == bucket.id, LIMITS.c.subject == bucket.subject)


def _of_limiter(limiter: Limiter, table: Table, id_column: str) -> ColumnElement[bool]:
    condition = table.c.subject == limiter.subject
    if limiter.prefix:
        column = table.c[id_column]
        condition = and_(condition, func.substr(column, 1, len(limiter.prefix)) == limiter.prefix)
    return condition


def _due(limiter: Limiter, now: datetime) -> ColumnElement[bool]:
    """A bucket whose period has passed since its last refill (or that was never refilled)."""
    revoked = LIMITS.c.revoked_at
    return or_(revoked.is_(None), revoked < limiter.period.before(now))


def _held_in_bucket() -> Any:
    return (
        select(func.coalesce(func.sum(HOLDS.c.tokens), 0))
        .where(HOLDS.c.bucket_id == LIMITS.c.id, HOLDS.c.subject == LIMITS.c.subject)
        .scalar_subquery()
    )


class QuotaStore:
    """Bucket and reservation operations on one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._insert = insert_for(database.dialect)
        self._claims = WrittenClaims()

    def _create(self, conn: Connection, bucket: Bucket, now: datetime) -> None:
        initial = bucket.limiter.initial_quota
        statement = self._insert(LIMITS).values(
            id=bucket.id,
            subject=bucket.subject,
            quota_limit=initial,
            available=initial,
            updated_at=now,
            revoked_at=now,
        )
        conn.execute(statement.on_conflict_do_nothing(index_elements=["id", "subject"]))

    def _take(self, conn: Connection, bucket: Bucket, tokens: int, now: datetime) -> bool:
        statement = (
            update(LIMITS)
            .where(_row(bucket), _left >= max(tokens, 1))
            .values(available=_left - tokens, updated_at=now)
        )
        return conn.execute(statement).rowcount == 1

    async def reserve(
        self,
        reservation_id: str,
        buckets: list[Bucket],
        tokens: int,
        now: datetime,
        expires: datetime,
        minimum: int | None = None,
    ) -> int:
        """Take ``tokens`` from every bucket, or from none (raises :class:`Refused`).

        With ``minimum`` below ``tokens``: when a bucket cannot cover ``tokens`` but has at
        least ``minimum`` left, take what that bucket has left from every bucket instead.
        Returns the tokens taken from each bucket.
        """
        taken = await self.take(reservation_id, buckets, tokens, now, expires, minimum)
        return taken.amount

    async def take(
        self,
        reservation_id: str,
        buckets: list[Bucket],
        tokens: int,
        now: datetime,
        expires: datetime,
        minimum: int | None = None,
    ) -> Taken:
        """:meth:`reserve`, also returning the buckets' balances after it (when known)."""
        floor = max(tokens if minimum is None else min(minimum, tokens), 1)
        if self.database.has_direct:
            return await self._take_postgres(reservation_id, buckets, tokens, floor, now, expires)

        taken = await self.database.run_write_driver(
            take_sqlite, reservation_id, buckets, tokens, now, expires
        )
        if taken is not None:
            return taken

        def work(conn: Connection) -> Taken:  # rows to create, or the small-quota rule
            amount = self._take_each(conn, reservation_id, buckets, tokens, floor, now, expires)
            keys = [(b.id, b.subject) for b in buckets]
            statement = select(LIMITS.c.subject, LIMITS.c.id, _left).where(
                tuple_(LIMITS.c.id, LIMITS.c.subject).in_(keys)
            )
            return Taken(amount, {(s, i): int(a) for s, i, a in conn.execute(statement).all()})

        return await self.database.run_write(work)

    async def _take_postgres(
        self,
        reservation_id: str,
        buckets: list[Bucket],
        tokens: int,
        floor: int,
        now: datetime,
        expires: datetime,
    ) -> Taken:
        for _ in range(3):  # a new user's rows are created first (another request may too)
            result = await take_postgres(
                self.database, reservation_id, buckets, tokens, floor, now, expires
            )
            if isinstance(result, Taken):
                return result
            if not result.missing:
                raise _refusal(buckets, result, floor)

            def create(conn: Connection, missing: tuple[Bucket, ...] = result.missing) -> None:
                for bucket in missing:
                    self._create(conn, bucket, now)

            await self.database.run_write(create)
        raise AssertionError("quota rows missing after being created")

    def _take_each(
        self,
        conn: Connection,
        reservation_id: str,
        buckets: list[Bucket],
        tokens: int,
        floor: int,
        now: datetime,
        expires: datetime,
    ) -> int:
        """Bucket by bucket (creating rows, applying the small-quota rule); the amount."""
        amount = tokens
        taken: list[Bucket] = []
        for bucket in buckets:
            left = 0
            for _ in range(3):  # a concurrent request may change the bucket meanwhile
                if self._take_or_create(conn, bucket, amount, now):
                    break
                left = int(conn.scalar(select(_left).where(_row(bucket))) or 0)
                if left < floor:
                    raise Refused(bucket, left)
                if left < amount:  # take less: give back what that frees
                    changes = [((b.subject, b.id), amount - left) for b in taken]
                    self._credit(conn, changes, now)
                    amount = left
            else:
                raise Refused(bucket, left)
            taken.append(bucket)
        add_holds(conn, reservation_id, buckets, amount, now, expires)
        return amount

    def _take_or_create(self, conn: Connection, bucket: Bucket, tokens: int, now: datetime) -> bool:
        if self._take(conn, bucket, tokens, now):
            return True
        self._create(conn, bucket, now)
        return self._take(conn, bucket, tokens, now)

    def _credit(
        self, conn: Connection, changes: Iterable[tuple[tuple[str, str], int]], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Add each delta to its bucket; returns the buckets' new ``available``."""
        left = {}
        for (subject, bucket_id), delta in sorted(changes):
            statement = (
                update(LIMITS)
                .where(LIMITS.c.id == bucket_id, LIMITS.c.subject == subject)
                .values(available=_left + delta, updated_at=now)
                .returning(_left)
            )
            value = conn.execute(statement).scalar_one_or_none()
            if value is not None:
                left[(subject, bucket_id)] = int(value)
        return left

    async def settle(
        self,
        reservation_id: str,
        buckets: list[Bucket],
        used: int,
        now: datetime,
        usage: UsageRecord | None,
    ) -> dict[str, int]:
        """Give back what was held and charge ``used`` (also when the hold already expired).

        Returns the buckets' new ``available`` by limiter name.
        """
        item = Settlement(reservation_id, tuple(b.key for b in buckets), used, usage)
        left = await self.settle_many([item], now)
        return {b.limiter.name: left[b.key] for b in buckets if b.key in left}

    async def settle_many(self, items: list[Settlement], now: datetime) -> dict[Key, int]:
        """Apply settles and releases in one transaction (``quota/settles.py``).

        PostgreSQL: one statement (``quota/settling.py``).
        """
        claims = claims_of(items)
        forget = self._claims.to_forget(claims)
        if self.database.has_direct:
            left = await settle_postgres(self.database, items, now, claims, forget)
        else:
            left = await self.database.run_write_driver(
                apply_settlements, items, now, claims, forget
            )
        self._claims.written(forget, claims)
        return left

    async def release(self, reservation_id: str, now: datetime) -> None:
        """Give back the tokens held for ``reservation_id`` (if they still are)."""
        await self.settle_many([Settlement(reservation_id)], now)

    async def reclaim_expired(self, now: datetime) -> int:
        """Give back holds whose request never settled; returns the number of holds.

        The holds are deleted: a settle that still arrives charges its usage all the same,
        once (``quota/claims.py``). Claims older than :data:`CLAIMS_KEPT` go too (left by a
        process that stopped or died), and so do the zero-token *tombstones* that expired
        holds became before claims existed.
        """
        expired = (
            delete(HOLDS)
            .where(HOLDS.c.expires_at < now)
            .returning(HOLDS.c.subject, HOLDS.c.bucket_id, HOLDS.c.tokens)
        )

        def work(conn: Connection) -> int:
            rows = conn.execute(expired).all()  # the holds locked first, as a settle does
            totals: dict[tuple[str, str], int] = defaultdict(int)
            for subject, bucket_id, tokens in rows:
                totals[(subject, bucket_id)] += int(tokens)
            conn.execute(delete(CLAIMS).where(CLAIMS.c.created_at < now - CLAIMS_KEPT))
            self._credit(conn, [(key, total) for key, total in totals.items() if total], now)
            return sum(1 for *_, tokens in rows if tokens)

        return await self.database.run_write(work)

    async def held(self, bucket: Bucket) -> int:
        """Tokens held in ``bucket`` by reservations not settled yet."""
        statement = select(func.coalesce(func.sum(HOLDS.c.tokens), 0)).where(
            HOLDS.c.bucket_id == bucket.id, HOLDS.c.subject == bucket.subject
        )
        return int(await self.database.run(lambda conn: conn.scalar(statement)) or 0)

    async def available(self, buckets: list[Bucket]) -> dict[str, int]:
        """Tokens left per limiter name (buckets never used count as ``initial_quota``)."""
        keys = [(b.id, b.subject) for b in buckets]
        statement = select(LIMITS.c.id, LIMITS.c.subject, _left).where(
            tuple_(LIMITS.c.id, LIMITS.c.subject).in_(keys)
        )
        rows = await self.database.run(lambda conn: conn.execute(statement).all())
        found = {(i, s): int(a or 0) for i, s, a in rows}
        return {
            b.limiter.name: found.get((b.id, b.subject), b.limiter.initial_quota) for b in buckets
        }

    async def refill(self, limiter: Limiter, now: datetime) -> int:
        """Apply the limiter's increase (or reset) to every bucket whose period has passed."""
        if limiter.quota_increase <= 0 and limiter.initial_quota <= 0:
            return 0
        ceiling = LIMITS.c.quota_limit - _held_in_bucket()
        if limiter.quota_increase > 0:
            raised = _left + limiter.quota_increase
            new = case(
                (LIMITS.c.quota_limit <= 0, raised),
                (_left >= ceiling, _left),
                (raised > ceiling, ceiling),
                else_=raised,
            )
        else:
            new = ceiling
        statement = (
            update(LIMITS)
            .where(_of_limiter(limiter, LIMITS, "id"), _due(limiter, now))
            .values(available=new, revoked_at=now, updated_at=now)
        )
        return await self.database.run_write(lambda conn: int(conn.execute(statement).rowcount))

    async def sync_limits(self, limiter: Limiter) -> None:
        """Buckets without an admin override follow the configured ``initial_quota``."""
        statement = (
            update(LIMITS)
            .where(
                _of_limiter(limiter, LIMITS, "id"),
                LIMITS.c.limit_override.is_(None),
                LIMITS.c.quota_limit != limiter.initial_quota,
            )
            .values(quota_limit=limiter.initial_quota)
        )
        await self.database.run_write(lambda conn: conn.execute(statement))

    async def describe(self, buckets: list[Bucket]) -> list[BucketState]:
        """Current state of each bucket (never-used buckets as they would be created)."""
        columns = (
            LIMITS.c.id,
            LIMITS.c.subject,
            LIMITS.c.quota_limit,
            _left,
            _held_in_bucket(),
            LIMITS.c.limit_override,
            LIMITS.c.updated_at,
            LIMITS.c.revoked_at,
        )
        keys = [(b.id, b.subject) for b in buckets]
        statement = select(*columns).where(tuple_(LIMITS.c.id, LIMITS.c.subject).in_(keys))
        found = await self.database.run(lambda conn: conn.execute(statement).all())
        rows = {(r[0], r[1]): r for r in found}
        states = []
        for bucket in buckets:
            row = rows.get((bucket.id, bucket.subject))
            initial = bucket.limiter.initial_quota
            if row is None:
                states.append(BucketState(bucket, initial, initial, 0, None, None, None))
                continue
            states.append(
                BucketState(
                    bucket,
                    int(row[2]),
                    int(row[3] or 0),
                    int(row[4] or 0),
                    row[5],
                    as_utc(row[6]),
                    as_utc(row[7]),
                )
            )
        return states

    async def set(
        self, bucket: Bucket, quota_limit: int | None, available: int | None, now: datetime
    ) -> None:
        """Admin change of one bucket's limit (remembered as an override) and/or balance."""
        values: dict[str, Any] = {"updated_at": now}
        if quota_limit is not None:
            values.update(quota_limit=quota_limit, limit_override=quota_limit)
        if available is not None:
            values["available"] = available

        def work(conn: Connection) -> None:
            self._create(conn, bucket, now)
            conn.execute(update(LIMITS).where(_row(bucket)).values(**values))

        await self.database.run_write(work)

    async def totals(self, limiter: Limiter) -> tuple[int, int, int, int]:
        """Buckets, sum of limits, sum of available and tokens held, for the gauges."""
        buckets = select(func.count(), func.sum(LIMITS.c.quota_limit), func.sum(_left)).where(
            _of_limiter(limiter, LIMITS, "id")
        )
        held = select(func.sum(HOLDS.c.tokens)).where(_of_limiter(limiter, HOLDS, "bucket_id"))

        def work(conn: Connection) -> tuple[Any, ...]:
            return (*conn.execute(buckets).one(), conn.scalar(held))

        count, limits, available, reserved = await self.database.run(work)
        return int(count or 0), int(limits or 0), int(available or 0), int(reserved or 0)
