"""``AzureTokens``: the token cache every Azure request of this process reads.

* A token is used until ``REFRESH_MARGIN`` (30 s) before it expires, as in the reference.
* One fetch at a time: requests that find the token stale together await the same fetch
  (shielded, so a client that disconnects does not cancel it for the others).
* When a fetch fails the failure is logged as a warning. A token that has not yet really
  expired (it is inside the margin) is still used, so the request is answered; with no
  usable token the request fails with 503 ("Unable to obtain an Azure Entra ID token") —
  sending no key would only get an obscure error from OGX's provider instead. The next
  request tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from lightspeed_core.azure.base import AccessToken, TokenSource
from lightspeed_core.errors import BackendUnavailableError

log = logging.getLogger(__name__)
REFRESH_MARGIN = 30.0
NO_TOKEN = "Unable to obtain an Azure Entra ID token"  # noqa: S105 (a message)


class AzureTokens:
    """Cached, single-flight access to a :class:`TokenSource`.

    Args:
        source: Where new tokens come from.
        clock: Seconds since the epoch (``time.time``; tests pass their own).
        margin: Refresh this many seconds before expiry.
    """

    def __init__(
        self,
        source: TokenSource,
        clock: Callable[[], float] = time.time,
        margin: float = REFRESH_MARGIN,
    ) -> None:
        self._source = source
        self._clock = clock
        self._margin = margin
        self._token: AccessToken | None = None
        self._fetch: asyncio.Future[AccessToken] | None = None

    @property
    def cached(self) -> AccessToken | None:
        """The token in the cache (fresh or not)."""
        return self._token

    async def token(self) -> str:
        """A usable access token; raises ``BackendUnavailableError`` (503) when there is none."""
        current = self._token
        if current is not None and self._clock() < current.expires_on - self._margin:
            return current.token
        if self._fetch is None:
            self._fetch = asyncio.ensure_future(self._refresh())
            # a fetch whose waiters were all cancelled still has its outcome read
            self._fetch.add_done_callback(lambda done: done.cancelled() or done.exception())
        fetch = self._fetch
        try:
            return (await asyncio.shield(fetch)).token
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return self._fallback(exc)

    async def _refresh(self) -> AccessToken:
        try:
            token = await self._source.fetch()
            self._token = token
            valid_for = token.expires_on - self._clock()
            log.info("Azure Entra ID token obtained (valid for %.0f s)", valid_for)
            return token
        finally:
            self._fetch = None

    def _fallback(self, exc: Exception) -> str:
        current = self._token
        if current is not None and self._clock() < current.expires_on:
            log.warning(
                "Azure Entra ID token refresh failed (%s); using the current token, which "
                "expires in %.0f s",
                exc,
                current.expires_on - self._clock(),
            )
            return current.token
        log.warning("Azure Entra ID token request failed: %s", exc)
        raise BackendUnavailableError(
            f"Azure Entra ID token request failed: {exc}", response=NO_TOKEN
        ) from exc

    async def close(self) -> None:
        """Cancel a fetch in flight."""
        fetch = self._fetch
        if fetch is not None:
            fetch.cancel()
            with contextlib.suppress(BaseException):
                await fetch
