"""A JSON Web Key Set fetched over HTTP and cached, safe under concurrency.

* One fetch in flight: concurrent callers wait on one lock and reuse its result.
* Time-to-live: the key server's ``Cache-Control: max-age`` when it sends one, else one hour,
  never less than ``min_refetch_interval`` (``no-cache`` / ``no-store`` mean that minimum);
  when a refresh fails, the previous keys stay in use and the next attempt waits
  ``min_refetch_interval``.
* Key rotation: a token whose key is not in the set, or whose signature does not verify with
  the cached key (a key replaced under the same ``kid``), triggers :meth:`JwksCache.refresh`,
  which refetches at most once per ``min_refetch_interval`` - a flood of tokens with random
  ``kid`` values or bad signatures cannot turn into a flood of requests to the key server.

The cache belongs to one process (one worker); that is fine, it is only a cache.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

__all__ = ["JwksCache", "JwksError", "KeySet"]

MAX_JWKS_BYTES = 1_000_000
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.IGNORECASE)


def cache_lifetime(cache_control: str | None, default: float, minimum: float) -> float:
    """Seconds to keep a key set, from the response's ``Cache-Control`` header."""
    if not cache_control:
        return default
    if _NO_CACHE.search(cache_control):
        return minimum
    found = _MAX_AGE.search(cache_control)
    return max(minimum, float(found.group(1))) if found else default


class JwksError(Exception):
    """The key set could not be obtained; ``cause`` is the contract's 401 text."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


@dataclass(frozen=True)
class KeySet:
    """The usable keys of one fetch (public keys for signatures only)."""

    keys: tuple[Mapping[str, Any], ...]
    generation: int


def _usable(key: object) -> bool:
    return (
        isinstance(key, dict)
        and key.get("kty") in ("RSA", "EC", "OKP")  # never a symmetric ("oct") key
        and key.get("use", "sig") == "sig"
    )


def parse_key_set(body: bytes) -> tuple[Mapping[str, Any], ...]:
    """The signature keys of a JWKS document, or :class:`JwksError`."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise JwksError("Authentication key server returned invalid data") from exc
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise JwksError("Authentication keys are malformed")
    usable = tuple(key for key in keys if _usable(key))
    if not usable:
        raise JwksError("Authentication keys are malformed")
    return usable


class JwksCache:
    """The key set at ``url``, fetched on demand."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        ttl: float = 3600.0,
        min_refetch_interval: float = 30.0,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self._ttl = ttl
        self._min_interval = min_refetch_interval
        self._clock = clock
        self._lock = asyncio.Lock()
        self._current: KeySet | None = None
        self._fetched_at = 0.0
        self._lifetime = ttl
        self._attempted_at: float | None = None
        self.fetches = 0  # attempts, for tests and diagnostics

    async def keys(self) -> KeySet:
        """The cached keys, fetching them when absent or older than the TTL."""
        current = self._current
        if current is not None and self._clock() - self._fetched_at < self._lifetime:
            return current
        async with self._lock:
            current = self._current
            if current is not None and self._clock() - self._fetched_at < self._lifetime:
                return current
            if current is not None and not self._may_attempt():
                return current  # the last refresh failed moments ago: keep the old keys
            try:
                return await self._fetch()
            except JwksError:
                if current is None:
                    raise
                log.warning("JWKS refresh from %s failed; keeping the previous keys", self.url)
                return current

    async def refresh(self, seen: KeySet) -> KeySet | None:
        """Refetch because a key of ``seen`` was missing or failed; ``None`` if rate-limited."""
        async with self._lock:
            current = self._current
            if current is not None and current.generation != seen.generation:
                return current  # someone refetched while we waited
            if not self._may_attempt():
                return None
            try:
                return await self._fetch()
            except JwksError:
                log.warning("JWKS refetch from %s failed", self.url)
                return None

    def _may_attempt(self) -> bool:
        last = self._attempted_at
        return last is None or self._clock() - last >= self._min_interval

    async def _fetch(self) -> KeySet:
        self._attempted_at = self._clock()
        self.fetches += 1
        try:
            response = await self._client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("cannot fetch JWKS from %s: %s", self.url, type(exc).__name__)
            raise JwksError("Unable to reach authentication key server") from exc
        if len(response.content) > MAX_JWKS_BYTES:
            raise JwksError("Authentication key server returned invalid data")
        keys = parse_key_set(response.content)
        generation = 1 if self._current is None else self._current.generation + 1
        self._current = KeySet(keys, generation)
        self._fetched_at = self._clock()
        self._lifetime = cache_lifetime(
            response.headers.get("cache-control"), self._ttl, self._min_interval
        )
        log.info("fetched %d signing keys from %s", len(keys), self.url)
        return self._current

    async def aclose(self) -> None:
        await self._client.aclose()
