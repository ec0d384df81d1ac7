"""The quota Protocol the pipeline calls, and its no-op implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lightspeed_core.auth.base import Principal
from lightspeed_core.quota.admin import QuotaAdmin
from lightspeed_core.quota.limiters import Bucket


@dataclass(frozen=True, slots=True)
class Reservation:
    """Tokens set aside for one request, to be settled or released exactly once.

    Attributes:
        id: Reservation id (``quota_reservation.reservation_id``).
        tokens: Tokens held in each bucket.
        user_id: Whose request it is (for the token usage history).
        buckets: The buckets charged, in lock order.
        balances: Each bucket's ``available`` right after the reservation, by limiter name
            (empty when not known): with the settle, ``available_quotas`` without a read.
    """

    id: str
    tokens: int
    user_id: str = ""
    buckets: tuple[Bucket, ...] = ()
    balances: tuple[tuple[str, int], ...] = ()


class QuotaService(Protocol):
    """Token quota enforcement for every endpoint that calls a model.

    ``admin`` serves the ``/v1/quotas`` and ``/v1/token-usage`` routes; ``start`` and
    ``close`` run the scheduler (called by the application's lifespan).
    """

    admin: QuotaAdmin

    async def reserve(
        self, principal: Principal, estimate: int, *, minimum: int | None = None
    ) -> Reservation | None:
        """Set aside ``estimate`` tokens or raise ``QuotaExceededError`` (429) before the call.

        With ``minimum``: when ``estimate`` does not fit but at least ``minimum`` tokens are
        left, set aside all that is left (``Reservation.tokens`` says how much).
        """
        ...

    async def settle(
        self,
        reservation: Reservation | None,
        *,
        input_tokens: int,
        output_tokens: int,
        provider: str,
        model: str,
    ) -> None:
        """Replace the reservation by the real usage the backend reported."""
        ...

    async def release(self, reservation: Reservation | None) -> None:
        """Give the reservation back (the call failed or never happened)."""
        ...

    async def available(self, principal: Principal) -> dict[str, int]:
        """``available_quotas`` for responses: limiter name → tokens left."""
        ...

    def start(self) -> None:
        """Start background work (the scheduler), once the service is up."""
        ...

    async def close(self) -> None:
        """Stop background work and release connections."""
        ...


class NoQuota:
    """No limiter configured: nothing is reserved or counted."""

    def __init__(self) -> None:
        self.admin = QuotaAdmin()

    async def reserve(
        self, principal: Principal, estimate: int, *, minimum: int | None = None
    ) -> Reservation | None:
        return None

    async def settle(
        self,
        reservation: Reservation | None,
        *,
        input_tokens: int,
        output_tokens: int,
        provider: str,
        model: str,
    ) -> None:
        return None

    async def release(self, reservation: Reservation | None) -> None:
        return None

    async def available(self, principal: Principal) -> dict[str, int]:
        return {}

    def start(self) -> None:
        return None

    async def close(self) -> None:
        return None
