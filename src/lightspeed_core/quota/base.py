"""The quota Protocol the pipeline calls, and its no-op implementation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lightspeed_core.auth.base import Principal


@dataclass(frozen=True, slots=True)
class Reservation:
    """Tokens set aside for one request, to be settled or released exactly once."""

    id: str
    tokens: int


class QuotaService(Protocol):
    """Token quota enforcement for every endpoint that calls a model."""

    async def reserve(self, principal: Principal, estimate: int) -> Reservation | None:
        """Set aside ``estimate`` tokens or raise ``QuotaExceededError`` (429) before the call."""
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


class NoQuota:
    """No limiter configured: nothing is reserved or counted."""

    async def reserve(self, principal: Principal, estimate: int) -> Reservation | None:
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
