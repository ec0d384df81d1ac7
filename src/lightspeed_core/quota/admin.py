"""The quota administration service behind ``/v1/quotas`` and ``/v1/token-usage``.

A subject is a user id. Its quotas are its bucket of every ``user_limiter`` plus the single
shared bucket of every ``cluster_limiter`` (marked ``shared``); setting a cluster limiter
through any subject changes that shared bucket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from lightspeed_core.db.engine import Database
from lightspeed_core.errors import ForbiddenError, NotFoundError
from lightspeed_core.quota.dberrors import quota_database
from lightspeed_core.quota.history import UsageTotal, read_usage
from lightspeed_core.quota.limiters import CLUSTER, Limiter
from lightspeed_core.quota.store import BucketState, QuotaStore


@dataclass(frozen=True, slots=True)
class QuotaView:
    """One limiter's bucket for a subject."""

    state: BucketState
    next_refill_at: datetime | None

    @property
    def limiter(self) -> Limiter:
        return self.state.bucket.limiter

    @property
    def shared(self) -> bool:
        return self.limiter.subject == CLUSTER


class QuotaAdmin:
    """Read and change buckets, read token usage. Without a quota database: nothing to show."""

    def __init__(
        self,
        store: QuotaStore | None = None,
        limiters: tuple[Limiter, ...] = (),
        history: Database | None = None,
        flush: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.store = store
        self.limiters = limiters
        self.history = history
        self.flush = flush  # writes this process's queued settles first (read your writes)

    async def _settled(self) -> None:
        if self.flush is not None:
            await self.flush()

    async def quotas(self, subject_id: str) -> list[QuotaView]:
        """Every limiter's bucket for ``subject_id``, in configuration order."""
        if self.store is None or not self.limiters:
            return []
        buckets = [limiter.bucket(subject_id) for limiter in self.limiters]
        await self._settled()
        async with quota_database("read quotas"):
            states = await self.store.describe(buckets)
        return [self._view(state) for state in states]

    @staticmethod
    def _view(state: BucketState) -> QuotaView:
        limiter = state.bucket.limiter
        due = None
        if state.revoked_at is not None and (limiter.quota_increase or limiter.initial_quota):
            due = limiter.period.after(state.revoked_at)
        return QuotaView(state, due)

    async def set_quota(
        self, subject_id: str, limiter_name: str, quota_limit: int | None, available: int | None
    ) -> list[QuotaView]:
        """Change one limiter's bucket for ``subject_id``; returns the subject's quotas."""
        limiter = next((x for x in self.limiters if x.name == limiter_name), None)
        if self.store is None or limiter is None:
            raise NotFoundError("Quota limiter", limiter_name)
        await self._settled()
        async with quota_database("update the quota"):
            await self.store.set(
                limiter.bucket(subject_id), quota_limit, available, datetime.now(UTC)
            )
        return await self.quotas(subject_id)

    async def usage(self, user_id: str) -> list[UsageTotal]:
        """Cumulative token usage of ``user_id`` (403 when history is disabled)."""
        if self.history is None:
            raise ForbiddenError(
                "Token usage history is disabled", "Token usage history is disabled."
            )
        await self._settled()
        async with quota_database("read token usage"):
            return await read_usage(self.history, user_id)
