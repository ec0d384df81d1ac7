"""The port for obtaining Azure access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token and when it expires (seconds since the epoch)."""

    token: str
    expires_on: float


class TokenSource(Protocol):
    """Fetches a new token on every call (caching is ``AzureTokens``' job)."""

    async def fetch(self) -> AccessToken:
        """Request a token; raises on any failure (network, rejected credentials)."""
        ...
